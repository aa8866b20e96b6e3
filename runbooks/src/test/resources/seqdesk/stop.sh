#!/bin/sh
# Stops the stand-in SeqDesk server, like `systemctl stop seqdesk`: by the pid it wrote,
# and returns once it is gone. Does nothing if it is not running.
# Usage: stop.sh STATE_DIR
set -eu
pid_file="$1/server.pid"
# Running, not a zombie waiting for its reaper, and still our server (not a reused pid).
ours() {
  [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ] &&
    tr '\0' ' ' <"/proc/$1/cmdline" | grep -q server.py
}
[ -f "$pid_file" ] || exit 0
pid=$(cat "$pid_file")
if ours "$pid"; then
  kill "$pid"
  i=0
  while ours "$pid"; do
    i=$((i + 1))
    if [ "$i" -gt 200 ]; then
      kill -9 "$pid" 2>/dev/null || true
    fi
    sleep 0.05
  done
fi
rm -f "$pid_file"
