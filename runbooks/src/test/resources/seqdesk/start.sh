#!/bin/sh
# Starts the stand-in SeqDesk server in the background, like `systemctl start seqdesk`:
# does nothing if it runs already; returns once it listens, or fails if it exits first.
# Usage: start.sh INSTALL_DIR PORT STATE_DIR
set -eu
install_dir=$1 port=$2 state=$3
pid_file="$state/server.pid"
here=$(dirname "$0")
# Running, not a zombie waiting for its reaper, and our server (not a reused pid).
ours() {
  [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ] &&
    tr '\0' ' ' <"/proc/$1/cmdline" | grep -q server.py
}
if [ -f "$pid_file" ] && ours "$(cat "$pid_file")"; then
  exit 0
fi
rm -f "$pid_file" "$pid_file.starting"
# setsid -f: the server leaves the step's session, as a service manager's child would.
setsid -f sh -c 'echo $$ >"$1.starting"; exec /usr/bin/python3 "$2/server.py" "$3" "$4" "$1"' \
  sh "$pid_file" "$here" "$install_dir" "$port" </dev/null >>"$state/server.log" 2>&1
i=0
while [ ! -f "$pid_file" ]; do
  i=$((i + 1))
  if [ "$i" -gt 2 ] && [ -f "$pid_file.starting" ] && ! ours "$(cat "$pid_file.starting")"; then
    [ -f "$pid_file" ] && break
    echo "the server exited at start; see $state/server.log:" >&2
    tail -n 1 "$state/server.log" >&2
    exit 1
  fi
  if [ "$i" -gt 200 ]; then
    echo "the server did not start in 10s; see $state/server.log" >&2
    exit 1
  fi
  sleep 0.05
done
rm -f "$pid_file.starting"
