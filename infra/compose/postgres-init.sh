#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised: creates the login role the
# API and the workers serve as. The service's first migration, which creates the role
# NOLOGIN on a bare server, finds it there and leaves it as it is; it owns no table, so
# row-level security binds it.
set -eu
psql --set ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set app_password="$SECUREBASE_APP_DB_PASSWORD" <<'SQL'
CREATE ROLE securebase_app LOGIN PASSWORD :'app_password';
SQL
