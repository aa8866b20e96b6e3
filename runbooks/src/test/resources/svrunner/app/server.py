"""A small stand-in for the SVRunner server, for runbook's end-to-end tests.

Standard library only (http.server and sqlite3), bound to 127.0.0.1. It keeps SVRunner's
contract where the upgrade runbook touches it:

- it runs from the installation directory: its data is files/ there (files/local.db,
  files/assets/, files/logs/), its settings come from the environment (.env: PORT, HOST);
- the build is the directory of this file: package.json holds its version, migrations/*.sql
  its schema migrations;
- at start it applies the migrations the database has not recorded (table schema_migrations),
  each in one transaction, and refuses a database that records a migration this build does not
  ship (a newer schema: what an older build meets after an upgrade that was not rolled back);
- GET / (the web app, naming its version), GET /health -> {"status", "version", "database",
  "schema"}, GET /docs, POST /graphql ({ __typename }, { version }, { screens { name } }),
  GET /assets/<path> (the bytes of files/assets/<path>);
- each request appends a line to files/logs/svrunner.log, as does start and stop;
- SVRUNNER_PIDFILE (written once the port is bound, removed on SIGTERM).

A file FAULTS next to this one breaks the build on purpose, one word per fault: crash (exits at
start, before migrating), crash-after-migrate (migrates, then exits), health (reports itself
unhealthy), no-version (health without a version), index, docs, graphql, assets (those answer
500 or 404), no-log (writes no log at all).
"""

import json
import os
import re
import signal
import sqlite3
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUILD = os.path.dirname(os.path.abspath(__file__))
FILES = os.path.abspath("files")
DB_PATH = os.path.join(FILES, "local.db")
ASSETS = os.path.join(FILES, "assets")
LOG_PATH = os.path.join(FILES, "logs", "svrunner.log")
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ["PORT"])
PIDFILE = os.environ.get("SVRUNNER_PIDFILE")


def read_build(name, default=""):
    try:
        with open(os.path.join(BUILD, name), encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return default


VERSION = json.loads(read_build("package.json"))["version"]
FAULTS = set(read_build("FAULTS").split())
LOG_LOCK = threading.Lock()


def log(line):
    if "no-log" in FAULTS:
        return
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    with LOG_LOCK, open(LOG_PATH, "a", encoding="utf-8") as f:
        f.write("%s %s\n" % (stamp, line))


def connect():
    # mode=rw: a missing files/local.db is an error, never a new, empty database.
    con = sqlite3.connect(
        "file:" + urllib.parse.quote(DB_PATH) + "?mode=rw", uri=True, timeout=5,
        isolation_level=None)
    con.row_factory = sqlite3.Row
    return con


def shipped_migrations():
    folder = os.path.join(BUILD, "migrations")
    return sorted(n[:-4] for n in os.listdir(folder) if n.endswith(".sql"))


def migrate():
    """Applies the shipped migrations the database lacks, each in one transaction."""
    shipped = shipped_migrations()
    con = connect()
    try:
        con.execute("CREATE TABLE IF NOT EXISTS schema_migrations"
                    " (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        applied = [r[0] for r in con.execute("SELECT name FROM schema_migrations ORDER BY name")]
        unknown = [name for name in applied if name not in shipped]
        if unknown:
            sys.exit("svrunner %s: the database records migrations this build does not ship (%s):"
                     " it belongs to a newer SVRunner" % (VERSION, ", ".join(unknown)))
        for name in shipped:
            if name in applied:
                continue
            lines = read_build(os.path.join("migrations", name + ".sql")).splitlines()
            sql = "\n".join(line for line in lines if not line.lstrip().startswith("--"))
            try:
                con.execute("BEGIN IMMEDIATE")
                for statement in [s.strip() for s in sql.split(";") if s.strip()]:
                    con.execute(statement)
                con.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                            (name, "2026-01-01T00:00:00Z"))
                con.execute("COMMIT")
            except sqlite3.Error:
                con.execute("ROLLBACK")
                raise
            log("svrunner %s: applied migration %s" % (VERSION, name))
        return len(shipped)
    finally:
        con.close()


def health():
    body = {"status": "ok"}
    if "no-version" not in FAULTS:
        body["version"] = VERSION
    try:
        con = connect()
        try:
            count = con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
        finally:
            con.close()
        body["database"] = "ok"
        body["schema"] = count
    except sqlite3.Error as e:
        body["database"] = "error: %s" % e
        body["status"] = "degraded"
    if "health" in FAULTS:
        body["status"] = "degraded"
    return (200 if body["status"] == "ok" else 503), body


def graphql(query):
    if "graphql" in FAULTS:
        return 500, {"errors": [{"message": "internal error (FAULTS)"}]}
    fields = re.findall(r"[A-Za-z_]+", query or "")
    if not fields:
        return 400, {"errors": [{"message": "a query is required"}]}
    data = {}
    for field in fields:
        if field == "__typename":
            data["__typename"] = "Query"
        elif field == "version":
            data["version"] = VERSION
        elif field == "screens":
            con = connect()
            try:
                data["screens"] = [{"name": r["name"]} for r in
                                   con.execute("SELECT name FROM screens ORDER BY id")]
            finally:
                con.close()
            break
        else:
            return 400, {"errors": [{"message": "unknown field `%s` on Query" % field}]}
    return 200, {"data": data}


INDEX = """<!doctype html>
<html><head><meta charset="utf-8"><title>SVRunner</title>
<meta name="svrunner-version" content="%s"></head>
<body><div id="app">SVRunner %s</div></body></html>
"""

DOCS = """<!doctype html>
<html><head><title>SVRunner API documentation</title></head>
<body><h1>SVRunner %s API</h1><p>GraphQL endpoint: <code>/graphql</code></p></body></html>
"""


class Handler(BaseHTTPRequestHandler):
    server_version = "svrunner"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body, content_type):
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        log('%s "%s %s" %d %d' % (self.client_address[0], self.command, self.path, status,
                                  len(data)))

    def send_json(self, status, body):
        self.send(status, json.dumps(body), "application/json")

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/":
            if "index" in FAULTS:
                return self.send(500, "internal error", "text/plain")
            return self.send(200, INDEX % (VERSION, VERSION), "text/html; charset=utf-8")
        if path == "/health":
            status, body = health()
            return self.send_json(status, body)
        if path == "/docs":
            if "docs" in FAULTS:
                return self.send(404, "not found", "text/plain")
            return self.send(200, DOCS % VERSION, "text/html; charset=utf-8")
        if path.startswith("/assets/"):
            return self.asset(urllib.parse.unquote(path[len("/assets/"):]))
        return self.send(404, "not found", "text/plain")

    def asset(self, name):
        full = os.path.realpath(os.path.join(ASSETS, name))
        inside = full.startswith(os.path.realpath(ASSETS) + os.sep)
        if "assets" in FAULTS or not inside or not os.path.isfile(full):
            return self.send(404, "not found", "text/plain")
        with open(full, "rb") as f:
            return self.send(200, f.read(), "application/octet-stream")

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if path != "/graphql":
            return self.send(404, "not found", "text/plain")
        try:
            query = json.loads(raw or b"{}").get("query")
        except ValueError:
            return self.send_json(400, {"errors": [{"message": "the body is not JSON"}]})
        status, body = graphql(query)
        return self.send_json(status, body)


def main():
    if "crash" in FAULTS:
        sys.exit("svrunner %s: crashed at start (FAULTS)" % VERSION)
    schema = migrate()
    if "crash-after-migrate" in FAULTS:
        sys.exit("svrunner %s: crashed after migrating (FAULTS)" % VERSION)
    server = ThreadingHTTPServer((HOST, PORT), Handler)
    server.daemon_threads = True

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    log("svrunner %s: started on %s:%d (schema %d)" % (VERSION, HOST, PORT, schema))
    if PIDFILE:
        with open(PIDFILE + ".tmp", "w") as f:
            f.write("%d\n" % os.getpid())
        os.replace(PIDFILE + ".tmp", PIDFILE)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        log("svrunner %s: stopped" % VERSION)
        if PIDFILE:
            try:
                os.remove(PIDFILE)
            except FileNotFoundError:
                pass


if __name__ == "__main__":
    main()
