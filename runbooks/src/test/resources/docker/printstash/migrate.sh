#!/bin/sh
# `alembic upgrade head` in the test image: applies, in order, each /app/migrations/NNNN.sql
# above the database's revision; each script sets alembic_version itself.
set -eu
db=${VAULT_DB_URL#sqlite:///}
test -f "$db" || { echo "no database at $db (VAULT_DB_URL=$VAULT_DB_URL)" >&2; exit 1; }
revision=$(sqlite3 "$db" 'SELECT version_num FROM alembic_version')
echo "database $db at revision $revision"
for script in /app/migrations/*.sql; do
  target=${script##*/}
  target=${target%.sql}
  if [ "$target" -gt "$revision" ]; then
    echo "upgrading $revision -> $target"
    sqlite3 -bail "$db" < "$script"
    revision=$target
  fi
done
echo "database at head: $revision"
