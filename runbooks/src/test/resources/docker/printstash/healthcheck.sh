#!/bin/sh
# The image's health check: every component of /api/v1/health is ok.
health=$(wget -qO- "http://127.0.0.1:$PORT/api/v1/health") || { echo "no answer on port $PORT"; exit 1; }
echo "$health"
case "$health" in *'"database":"ok","storage":"ok","backup":"ok"'*) exit 0 ;; *) exit 1 ;; esac
