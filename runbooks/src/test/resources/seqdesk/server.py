"""A stand-in for the SeqDesk server (`next start`), for the runbooks' end-to-end tests.

Like a built Next.js application it reads its build and its manifest when it starts (and
exits if .next/required-server-files.json is not JSON):
GET / answers 200 with the version when .next/BUILD_ID is there (500 otherwise), and
GET /api/version answers {"version": ...} from package.json as it was at start.

Usage: server.py INSTALL_DIR PORT PID_FILE
The pid file is written once the port is bound, and removed at exit.
"""

import http.server
import json
import os
import signal
import sys

install_dir, port, pid_file = sys.argv[1], int(sys.argv[2]), sys.argv[3]

with open(os.path.join(install_dir, "package.json"), encoding="utf-8") as f:
    VERSION = json.load(f)["version"]
BUILT = os.path.isfile(os.path.join(install_dir, ".next", "BUILD_ID"))
# Like `next start`, refuse to start on a build whose server files cannot be read.
server_files = os.path.join(install_dir, ".next", "required-server-files.json")
if os.path.exists(server_files):
    with open(server_files, encoding="utf-8") as f:
        json.load(f)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/api/version":
            self.answer(200, "application/json", json.dumps({"version": VERSION}))
        elif self.path == "/":
            if BUILT:
                self.answer(200, "text/html", "<title>SeqDesk</title>SeqDesk " + VERSION)
            else:
                self.answer(500, "text/plain", "Could not find a production build in .next")
        else:
            self.answer(404, "text/plain", "not found")

    def answer(self, status, content_type, text):
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", port), Handler)


def stop(signum, frame):
    raise SystemExit(0)


signal.signal(signal.SIGTERM, stop)
tmp = pid_file + ".tmp"
with open(tmp, "w", encoding="utf-8") as f:
    f.write(str(os.getpid()))
os.rename(tmp, pid_file)
try:
    server.serve_forever()
finally:
    if os.path.exists(pid_file):
        os.remove(pid_file)
