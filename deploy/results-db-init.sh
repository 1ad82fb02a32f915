#!/usr/bin/env bash
# results-db first start: give the analysts' read-only login its password.
#
# The official postgres image runs this once, from /docker-entrypoint-initdb.d,
# when the results-db volume is empty; docker-compose.yml mounts it there. It
# runs before `resultsnight db init` (airflow-init), whose first migration
# creates `results_reader` (nologin, granted SELECT on the `results` views)
# and `analyst` (login, member of results_reader) only if they are missing.
# The migration cannot set a password (credentials never live in the repo),
# so this script creates the same two roles first, the analyst with the
# password from ANALYST_PASSWORD, and grants nothing else: no database, no
# schema, no table privileges; those come from the migration, to
# results_reader only.
#
# Safe to run again by hand (it then just resets the password), e.g. after
# changing ANALYST_PASSWORD:
#   docker compose exec results-db bash /docker-entrypoint-initdb.d/10-analyst-role.sh
set -eo pipefail  # no -u: the image sources this file if it is not executable

: "${ANALYST_PASSWORD:?set ANALYST_PASSWORD for results-db (see deploy/.env.example)}"
: "${BOARD_DB_PASSWORD:?set BOARD_DB_PASSWORD for results-db (see deploy/.env.example)}"

# The password goes in as a psql variable and is quoted by psql (:'name'),
# never pasted into the SQL text; the heredoc is quoted so the shell does not
# expand anything in it.
psql --no-psqlrc --set=ON_ERROR_STOP=1 --quiet \
    --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    --set=analyst_password="${ANALYST_PASSWORD}" --set=board_password="${BOARD_DB_PASSWORD}" <<'SQL'
select not exists (select 1 from pg_roles where rolname = 'results_reader') as need_reader,
       not exists (select 1 from pg_roles where rolname = 'analyst') as need_analyst,
       not exists (select 1 from pg_roles where rolname = 'board') as need_board
\gset
\if :need_reader
create role results_reader nologin;
\endif
\if :need_analyst
create role analyst login password :'analyst_password' in role results_reader;
\else
alter role analyst login password :'analyst_password';
\endif
-- The live board's login (service `board`); migration 0005 grants it the
-- analysts' views and the event log, and makes it read-only.
\if :need_board
create role board login password :'board_password' in role results_reader;
\else
alter role board login password :'board_password';
\endif
SQL
echo "results-db: roles analyst and board (read-only, via results_reader) have their passwords"
