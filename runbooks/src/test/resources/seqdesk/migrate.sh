#!/bin/sh
# A stand-in for `npm run db:migrate:deploy` (prisma migrate deploy): applies, in name
# order, each prisma/migrations/*/migration.sql that the _migrations table has not
# recorded, each in one transaction with its record. Reads DATABASE_URL from .env as
# Prisma does. Run in the installation directory.
set -eu
DATABASE_URL=$(sed -n 's/^DATABASE_URL=//p' .env)
export PGCONNECT_TIMEOUT=10
# Like Prisma's advisory lock: two deploys never interleave.
exec 9<.env
flock 9
psql -X -q -v ON_ERROR_STOP=1 -d "$DATABASE_URL" \
  -c 'CREATE TABLE IF NOT EXISTS _migrations (name text PRIMARY KEY)'
applied=$(psql -X -A -t -v ON_ERROR_STOP=1 -d "$DATABASE_URL" -c 'SELECT name FROM _migrations')
for dir in prisma/migrations/*/; do
  name=$(basename "$dir")
  if printf '%s\n' "$applied" | grep -qx "$name"; then
    continue
  fi
  echo "Applying migration \`$name\`"
  { cat "$dir/migration.sql"; echo; echo "INSERT INTO _migrations (name) VALUES ('$name');"; } |
    psql -X -q -v ON_ERROR_STOP=1 --single-transaction -f - -d "$DATABASE_URL"
done
echo "All migrations have been successfully applied."
