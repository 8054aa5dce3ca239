#!/bin/sh
# Container entry point: migrate (creating the database if missing), optionally load the demo day, serve.
set -eu
flask --app api db upgrade
if [ -n "${SLOT_PLANNER_DEMO_DATE:-}" ]; then
    flask --app api demo-data --date "$SLOT_PLANNER_DEMO_DATE"
fi
# Workers and threads: gunicorn.conf.py's, unless GUNICORN_WORKERS / GUNICORN_THREADS are set.
exec gunicorn ${GUNICORN_WORKERS:+--workers "$GUNICORN_WORKERS"} ${GUNICORN_THREADS:+--threads "$GUNICORN_THREADS"} \
    --bind "0.0.0.0:${PORT:-8080}" --access-logfile - 'api:create_app()'
