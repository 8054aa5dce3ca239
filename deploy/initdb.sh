#!/bin/sh
# PostgreSQL image init hook (first start only): create the application's non-superuser role.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v app_user="$APP_DB_USER" -v app_password="$APP_DB_PASSWORD" -v app_db="$POSTGRES_DB" \
    -f /deploy/app-role.sql
