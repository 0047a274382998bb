#!/usr/bin/env bash
# Restore a deploy/backup.sh dump into an EMPTY PostgreSQL database, then print what it holds.
#
#   createdb motcua_restored
#   DATABASE_URL=postgresql://motcua@127.0.0.1:5432/motcua_restored deploy/restore.sh DUMP
#
# Refuses a database that already has tables (restore next to the live one, check it, then
# point DATABASE_URL at it), checks the dump against its .sha256 when there is one, and runs
# in one transaction: a failed restore leaves the database empty, never half-filled.
# Afterwards: `flask --app wsgi db upgrade` (a no-op for a dump of the same release).
set -euo pipefail

dump=${1:?usage: deploy/restore.sh DUMP}
url=${DATABASE_URL:?set DATABASE_URL to the empty database to restore into}
url=${url/#postgresql+psycopg:/postgresql:}
url=${url/#postgres:/postgresql:}

if [ -f "$dump.sha256" ]; then
  (cd "$(dirname "$dump")" && sha256sum --quiet --check "$(basename "$dump").sha256")
fi

tables=$(psql --no-psqlrc --tuples-only --no-align --dbname="$url" \
  --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != "0" ]; then
  echo "restore.sh: the target database already has $tables tables; restore into an empty one" >&2
  exit 1
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname="$url" "$dump"

psql --no-psqlrc --tuples-only --no-align --field-separator=' ' --dbname="$url" <<'SQL'
SELECT 'alembic_version', version_num FROM alembic_version;
SELECT 'office', count(*) FROM office;
SELECT 'officer', count(*) FROM officer;
SELECT 'procedure', count(*) FROM procedure;
SELECT 'dossier', count(*) FROM dossier;
SELECT 'dossier_event', count(*) FROM dossier_event;
SELECT 'message', count(*) FROM message;
SELECT 'message_queued', count(*) FROM message WHERE status = 'queued';
SELECT 'feedback', count(*) FROM feedback;
SQL
