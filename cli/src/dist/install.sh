#!/usr/bin/env bash
# Installs runbook from this unpacked archive: needs only a Java 17 runtime.
#
#   ./install.sh                  # into /opt/runbook, with /usr/local/bin/runbook
#   PREFIX=$HOME/.local ./install.sh   # into ~/.local/lib/runbook, with ~/.local/bin/runbook
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prefix=${PREFIX:-}
if [ -z "$prefix" ]; then
  home=/opt/runbook
  bindir=/usr/local/bin
  completions=/etc/bash_completion.d
else
  home=$prefix/lib/runbook
  bindir=$prefix/bin
  completions=$prefix/share/bash-completion/completions
fi
java_bin=java
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java_bin="$JAVA_HOME/bin/java"
fi
if ! "$java_bin" -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; then
  echo "install.sh: runbook needs a Java 17 (or newer) runtime: install one (Debian: openjdk-17-jre-headless)" >&2
  exit 2
fi
mkdir -p "$home" "$bindir" "$completions"
rm -rf "$home/bin" "$home/lib" "$home/share"
cp -R "$here/bin" "$here/lib" "$here/share" "$home/"
chmod 755 "$home/bin/runbook"
ln -sf "$home/bin/runbook" "$bindir/runbook"
# The class-data archive is made here, for this JVM and this path: it is what makes start-up fast.
"$java_bin" -XX:ArchiveClassesAtExit="$home/lib/runbook.jsa" -Xlog:disable -jar "$home/lib/runbook.jar" \
  validate "$home/share/examples/demo-upgrade.yaml" >/dev/null 2>&1 || true
"$home/bin/runbook" completion bash >"$completions/runbook" 2>/dev/null || true
echo "installed $("$home/bin/runbook" --version | head -1) in $home; run: $bindir/runbook --help"
