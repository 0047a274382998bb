#!/usr/bin/env bash
# One backup of MotCua Lite's PostgreSQL database: pg_dump's custom format (compressed, one
# consistent snapshot, restorable table by table), read back before it is kept.
#
#   DATABASE_URL=postgresql://motcua@127.0.0.1:5432/motcua deploy/backup.sh [DIR]
#
# Writes DIR/motcua-<UTC time>.dump and its .sha256 (DIR: $BACKUP_DIR, else
# /var/backups/motcua), then deletes dumps older than $BACKUP_KEEP_DAYS (14) days. The dump
# holds citizens' names and phone numbers: files are private to this user (umask 077) and
# a copy kept off the server must be kept as carefully. Restore with deploy/restore.sh.
set -euo pipefail

url=${DATABASE_URL:?set DATABASE_URL (postgresql://user@host:port/db)}
# The app's URL may name its driver (postgresql+psycopg://); libpq wants plain postgresql://.
url=${url/#postgresql+psycopg:/postgresql:}
url=${url/#postgres:/postgresql:}
dir=${1:-${BACKUP_DIR:-/var/backups/motcua}}
keep=${BACKUP_KEEP_DAYS:-14}

umask 077
mkdir -p "$dir"
name="motcua-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$dir/.$name.partial"
trap 'rm -f "$partial"' EXIT

pg_dump --format=custom --compress=6 --no-owner --no-privileges \
  --file="$partial" --dbname="$url"
# A truncated or damaged archive fails here, tonight, not on the day it is needed.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$dir/$name"
(cd "$dir" && sha256sum "$name" >"$name.sha256")

find "$dir" -maxdepth 1 -name 'motcua-*.dump*' -mtime +"$keep" -delete
echo "$dir/$name $(stat -c %s "$dir/$name") bytes"
