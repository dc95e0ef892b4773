#!/usr/bin/env bash
# Back up the platform into a new folder: the database and the uploaded files (MEDIA_ROOT).
#
#   scripts/backup.sh [FOLDER]        (default: var/backups/<UTC time>)
#
# Reads DATABASE_URL and MEDIA_ROOT as the platform does (unset: the embedded default under var/).
#   cssr.dump     PostgreSQL: pg_dump's custom format (-Fc), one consistent snapshot, restored by pg_restore
#   cssr.sqlite3  the embedded default's SQLite: a copy made with SQLite's online backup API, consistent
#                 while the platform writes
#   media.tar     MEDIA_ROOT: uploaded documents and their thumbnails. Made after the database, so every
#                 file the database names is in it (a file is never changed or deleted once stored).
#   SHA256SUMS    checked by scripts/restore.sh before it restores anything
# Safe while the platform runs. docs/operations.md says where to keep the folder and how to restore it.
set -euo pipefail
cd "$(dirname "$0")/.."
var_dir=${CSSR_VAR_DIR:-$PWD/var}
database_url=${DATABASE_URL:-sqlite:///$var_dir/cssr.sqlite3}
media_root=${MEDIA_ROOT:-$var_dir/media}
folder=${1:-$var_dir/backups/$(date -u +%Y%m%dT%H%M%SZ)}
python=${PYTHON:-python3}

if [ -e "$folder" ] && [ -n "$(ls -A "$folder")" ]; then
  echo "backup: $folder is not empty; give a new folder" >&2
  exit 1
fi
mkdir -p "$folder"

case "$database_url" in
  postgres://* | postgresql://*)
    pg_dump --format=custom --no-owner --no-privileges --dbname="$database_url" --file="$folder/cssr.dump"
    database_file=cssr.dump
    ;;
  sqlite:///*)
    "$python" scripts/sqlite_copy.py "${database_url#sqlite:///}" "$folder/cssr.sqlite3"
    database_file=cssr.sqlite3
    ;;
  *)
    echo "backup: DATABASE_URL must be postgres://… or sqlite:///…" >&2
    exit 2
    ;;
esac

mkdir -p "$media_root"
tar --create --file="$folder/media.tar" --directory="$media_root" .
(cd "$folder" && sha256sum "$database_file" media.tar > SHA256SUMS)
echo "backup: $folder ($database_file, media.tar)"
