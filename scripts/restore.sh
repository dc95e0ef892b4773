#!/usr/bin/env bash
# Restore a folder made by scripts/backup.sh into a fresh database and an empty media folder.
#
#   scripts/restore.sh FOLDER
#
# Writes to DATABASE_URL and MEDIA_ROOT as the platform reads them (unset: the embedded default under var/).
#   PostgreSQL  DATABASE_URL names an empty database that exists (createdb it first); pg_restore fills it
#               in one transaction and stops at the first error, so a failed restore leaves it empty
#   SQLite      the database file must not exist yet
#   media       MEDIA_ROOT must be missing or empty
# The platform stays stopped until it is done (docs/operations.md). Nothing is restored unless the
# folder's SHA256SUMS match.
set -euo pipefail
cd "$(dirname "$0")/.."
folder=${1:?usage: scripts/restore.sh FOLDER}
var_dir=${CSSR_VAR_DIR:-$PWD/var}
database_url=${DATABASE_URL:-sqlite:///$var_dir/cssr.sqlite3}
media_root=${MEDIA_ROOT:-$var_dir/media}
python=${PYTHON:-python3}

(cd "$folder" && sha256sum --check --quiet SHA256SUMS)
if [ -e "$media_root" ] && [ -n "$(ls -A "$media_root")" ]; then
  echo "restore: $media_root is not empty; restore into an empty media folder" >&2
  exit 1
fi

case "$database_url" in
  postgres://* | postgresql://*)
    pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$database_url" \
      "$folder/cssr.dump"
    ;;
  sqlite:///*)
    path=${database_url#sqlite:///}
    if [ -e "$path" ]; then
      echo "restore: $path exists; restore into a new database file" >&2
      exit 1
    fi
    mkdir -p "$(dirname "$path")"
    "$python" scripts/sqlite_copy.py "$folder/cssr.sqlite3" "$path"
    ;;
  *)
    echo "restore: DATABASE_URL must be postgres://… or sqlite:///…" >&2
    exit 2
    ;;
esac

mkdir -p "$media_root"
tar --extract --file="$folder/media.tar" --directory="$media_root"
echo "restore: database and media restored from $folder"
