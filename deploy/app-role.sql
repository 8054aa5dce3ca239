-- The application's own database role: it owns the slot_planner database (so it can migrate it) but is
-- no superuser and can create neither databases nor roles. Run once as the superuser, with psql variables
-- app_user, app_password and app_db (compose.yaml does this through deploy/initdb.sh on the first start).
CREATE ROLE :"app_user" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
ALTER DATABASE :"app_db" OWNER TO :"app_user";
\connect :"app_db"
-- btree_gist backs the exclusion constraints; created here so the migration needs no extra privilege.
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER SCHEMA public OWNER TO :"app_user";
