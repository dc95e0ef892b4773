#!/usr/bin/env bash
# Starts the ASGI server (HTTP + websockets) and a Celery worker with beat on the embedded default.
# Ctrl-C stops everything this script started.
#
# DEBUG is off unless DJANGO_DEBUG=1 (`make dev`): pages, error pages and static files (hashed and
# compressed, from staticfiles/: `make static`) are what users get. The secret key is made on first
# start under var/; the allowed hosts are the loopback ones and SITE_URL's (cssr/settings.py).
# With DJANGO_DEBUG=1 the server restarts when code or a template changes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
export SITE_URL=${SITE_URL:-http://$HOST:$PORT}
mkdir -p var/celery/queue var/celery/processed var/celery/control

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$PY" -m celery -A cssr worker --beat --pool=solo --loglevel=INFO \
  --schedule=var/celery/beat-schedule --hostname="cssr@%h" &
pids+=($!)
# At uvicorn's "info" level every websocket's client address and path would be logged: warnings only
# (docs/security.md, access logs), except with DJANGO_DEBUG=1.
server_options=(--log-level warning)
if [[ "${DJANGO_DEBUG:-}" == "1" ]]; then
  server_options=(--reload --reload-include "*.html")
  for folder in accounts chat cssr documents events workgroups templates; do server_options+=(--reload-dir "$folder"); done
fi
"$PY" -m uvicorn cssr.asgi:application --host "$HOST" --port "$PORT" --lifespan off --no-access-log "${server_options[@]}" &
pids+=($!)

sleep 2
"$PY" manage.py demo_logins --url "$SITE_URL"
wait -n "${pids[@]}"
