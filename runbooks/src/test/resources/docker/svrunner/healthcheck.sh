#!/bin/sh
# The image's health check: /api/health reports the database and the assets ok.
health=$(wget -qO- "http://127.0.0.1:$PORT/api/health") || { echo "no answer on port $PORT"; exit 1; }
echo "$health"
case "$health" in *'"database":"ok","assets":"ok"'*) exit 0 ;; *) exit 1 ;; esac
