#!/bin/sh
# PrintStash's API in the test image: busybox httpd serves GET /api/v1/health on
# 127.0.0.1:$PORT, a report rewritten every second from what the API would check: the database
# opens and is at the schema revision this release needs (/app/HEAD), the storage and backup
# directories are writable. /app/FAULT, when an image has it, names a component that fails.
# /app/BREAK holding "version" makes it report 0.0.0-dev, every component still ok.
set -u
version=$(cat /app/VERSION)
[ "$(cat /app/BREAK 2>/dev/null)" = version ] && version=0.0.0-dev
head=$(cat /app/HEAD)
db=${VAULT_DB_URL#sqlite:///}
www=/tmp/www
mkdir -p "$www/api/v1"

report() {
  database=ok storage=ok backup=ok
  revision=$(sqlite3 -readonly "$db" 'SELECT version_num FROM alembic_version' 2>&1) || revision="unreadable"
  [ "$revision" = "$head" ] || database="error: schema at $revision, this release needs $head"
  { [ -d "$VAULT_STORAGE_DIR" ] && [ -w "$VAULT_STORAGE_DIR" ]; } || storage="error: $VAULT_STORAGE_DIR is not writable"
  { [ -d "$VAULT_BACKUP_DIR" ] && [ -w "$VAULT_BACKUP_DIR" ]; } || backup="error: $VAULT_BACKUP_DIR is not writable"
  if [ -f /app/FAULT ]; then
    storage="error: $(cat /app/FAULT)"
  fi
  printf '{"version":"%s","database":"%s","storage":"%s","backup":"%s"}\n' \
    "$version" "$database" "$storage" "$backup" > "$www/api/v1/health.new"
  mv "$www/api/v1/health.new" "$www/api/v1/health"
}

report
echo "printstash-api $version: database at revision $(sqlite3 -readonly "$db" 'SELECT version_num FROM alembic_version' 2>&1)"
(while sleep 1; do report; done) &
refresh=$!
httpd -f -p "127.0.0.1:$PORT" -h "$www" &
server=$!
trap 'kill $refresh $server 2>/dev/null; exit 0' TERM INT
echo "printstash-api $version: serving on 127.0.0.1:$PORT"
wait
