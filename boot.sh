#!/bin/sh
# Container entry point: migrate (creating the database if missing), optionally load the demo day, serve.
set -eu
flask --app api db upgrade
if [ -n "${SLOT_PLANNER_DEMO_DATE:-}" ]; then
    flask --app api demo-data --date "$SLOT_PLANNER_DEMO_DATE"
fi
exec gunicorn --workers "${GUNICORN_WORKERS:-2}" --threads "${GUNICORN_THREADS:-4}" \
    --bind "0.0.0.0:${PORT:-8080}" --access-logfile - 'api:create_app()'
