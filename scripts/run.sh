#!/usr/bin/env bash
# Starts the ASGI server (HTTP + websockets) and a Celery worker with beat on the embedded default.
# Ctrl-C stops everything this script started.
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
"$PY" -m uvicorn cssr.asgi:application --host "$HOST" --port "$PORT" --lifespan off --no-access-log &
pids+=($!)

sleep 2
"$PY" manage.py demo_logins --url "$SITE_URL"
wait -n "${pids[@]}"
