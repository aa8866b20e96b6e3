#!/bin/sh
# SVRunner in the test image. At boot it migrates files/local.db to the schema this build needs
# (/app/SCHEMA), applying /app/migrations/N.sql in order, and stops when that fails. Then busybox
# httpd serves on 127.0.0.1:$PORT: the app (/), /docs/, /graphql, /api/version, /api/health and
# the uploaded assets (/assets/ is files/assets). Every second it rewrites the health report and
# writes a heartbeat to files/logs/server.log. /app/FAULT, when an image has it, makes the
# assets component fail. /app/BREAK, when an image has it, names what this build gets wrong while
# it stays healthy: version (reports 0.0.0-dev), index, docs or assets (not found), graphql (an
# error instead of data).
set -u
version=$(cat /app/VERSION)
broken=$(cat /app/BREAK 2>/dev/null || true)
schema=$(cat /app/SCHEMA)
files=/app/files
db=$files/local.db
log=$files/logs/server.log
mkdir -p "$files/logs"

say() {
  line="$(date -u +%Y-%m-%dT%H:%M:%SZ) svrunner $version: $*"
  echo "$line"
  echo "$line" >> "$log"
}

say "starting (files in $files)"
current=$(sqlite3 "$db" 'SELECT version FROM schema_version') || { say "cannot read $db"; exit 1; }
for script in /app/migrations/*.sql; do
  [ -e "$script" ] || continue
  target=${script##*/}
  target=${target%.sql}
  if [ "$target" -gt "$current" ]; then
    say "migrating the database $current -> $target"
    if ! sqlite3 -bail "$db" < "$script" >> "$log" 2>&1; then
      say "migration to $target failed"
      exit 1
    fi
    current=$target
  fi
done
if [ "$current" != "$schema" ]; then
  say "the database is at schema $current, this build needs $schema"
  exit 1
fi

site=$(sed -n 's/^SVRUNNER_SITE_NAME=//p' /app/.env 2>/dev/null)
www=/tmp/www
mkdir -p "$www/docs" "$www/api"
[ "$broken" = assets ] || ln -sfn "$files/assets" "$www/assets"
[ "$broken" = index ] || printf '<!doctype html><title>SVRunner %s</title><h1>%s</h1>\n' "$version" "$site" > "$www/index.html"
[ "$broken" = docs ] || printf '<!doctype html><title>SVRunner %s API docs</title><h1>API reference</h1>\n' "$version" > "$www/docs/index.html"
if [ "$broken" = graphql ]; then
  printf '{"errors":[{"message":"the schema failed to load"}]}\n' > "$www/graphql"
else
  printf '{"data":{"__typename":"Query","version":"%s"}}\n' "$version" > "$www/graphql"
fi
reported=$version
[ "$broken" = version ] && reported=0.0.0-dev
printf '{"version":"%s"}\n' "$reported" > "$www/api/version"

report() {
  database=ok assets=ok
  [ "$(sqlite3 -readonly "$db" 'SELECT version FROM schema_version' 2>&1)" = "$schema" ] || database=error
  [ -d "$files/assets" ] || assets="error: no $files/assets"
  [ -f /app/FAULT ] && assets="error: $(cat /app/FAULT)"
  printf '{"version":"%s","database":"%s","assets":"%s"}\n' "$version" "$database" "$assets" > "$www/api/health.new"
  mv "$www/api/health.new" "$www/api/health"
}

report
(while sleep 1; do report; say heartbeat > /dev/null; done) &
beat=$!
httpd -f -p "127.0.0.1:$PORT" -h "$www" &
server=$!
trap 'say stopping; kill $beat $server 2>/dev/null; exit 0' TERM INT
say "serving on 127.0.0.1:$PORT"
wait
