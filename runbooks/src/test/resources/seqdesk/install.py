"""A stand-in for `npm install --production`, for the runbooks' end-to-end tests.

Makes node_modules/ hold exactly the packages package.json's "dependencies" name, each
with a package.json and an index.js whose contents depend only on name and version, and
removes the others (as npm prunes). Run in the installation directory.
"""

import json
import os
import shutil

with open("package.json", encoding="utf-8") as f:
    deps = json.load(f).get("dependencies", {})

os.makedirs("node_modules", exist_ok=True)
wanted = set()
for name, version in sorted(deps.items()):
    wanted.add(name.split("/")[0])
    pkg = os.path.join("node_modules", name)
    os.makedirs(pkg, exist_ok=True)
    manifest = json.dumps({"name": name, "version": version}, indent=2) + "\n"
    for file, text in (
        ("package.json", manifest),
        ("index.js", "module.exports = %s;\n" % json.dumps(name + "@" + version)),
    ):
        path = os.path.join(pkg, file)
        current = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                current = f.read()
        if current != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    print("added", name + "@" + version)
for entry in sorted(os.listdir("node_modules")):
    if entry not in wanted and not entry.startswith("."):
        shutil.rmtree(os.path.join("node_modules", entry))
        print("removed", entry)
for scope in sorted(e for e in os.listdir("node_modules") if e.startswith("@")):
    for entry in sorted(os.listdir(os.path.join("node_modules", scope))):
        if scope + "/" + entry not in deps:
            shutil.rmtree(os.path.join("node_modules", scope, entry))
            print("removed", scope + "/" + entry)
