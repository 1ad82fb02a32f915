-- resultsnight schema, revision 0012: one role per component, each with only
-- what it needs (issue 18). After `resultsnight db init` (the database owner,
-- a superuser in docker-compose.yml) nothing connects as a superuser:
--
--   pipeline_writer  the ingest, sweep and report tasks (Airflow workers):
--                    reads and writes the rows of every pipeline.* table,
--                    reads results.*; cannot create, alter, drop or truncate
--                    anything (the tables stay owned by the migrating role,
--                    so a compromised worker cannot drop the night).
--   desk             `resultsnight call`: reads pipeline.*, records calls and
--                    their alerts, moves the seat's state; nothing else.
--   results_reader   (group) reads results.* only; `analyst` and `board` are
--                    its members (revision 0001, 0005).
--   board            read-only transactions, a statement timeout, the event
--                    log and the replay functions it streams from (0005).
--
-- Created NOLOGIN here: credentials never live in the repository. LOGIN and
-- a password come from `resultsnight db roles`, which reads them from the
-- environment (docker-compose.yml runs it in airflow-init).
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'pipeline_writer') then
        create role pipeline_writer nologin;
    end if;
    if not exists (select 1 from pg_roles where rolname = 'desk') then
        create role desk nologin;
    end if;
end
$$;

-- Nothing by default: no temporary tables, and only our roles connect.
do $$
begin
    -- (no format(): the migration runner's driver would read its placeholders as its own)
    execute 'revoke temporary, connect on database ' || quote_ident(current_database()) || ' from public';
    execute 'grant connect on database ' || quote_ident(current_database())
        || ' to results_reader, pipeline_writer, desk';
end
$$;
revoke all on schema pipeline from public;
revoke all on schema results from public;
revoke create on schema public from public;

-- The pipeline: every row of pipeline.*, and the analysts' views for the
-- report and the summary.
grant usage on schema pipeline to pipeline_writer;
grant select, insert, update, delete on all tables in schema pipeline to pipeline_writer;
grant usage, select on all sequences in schema pipeline to pipeline_writer;
grant results_reader to pipeline_writer;
-- Tables and internal views a later migration or `db init` creates (as the
-- same role) get the same.
alter default privileges in schema pipeline
    grant select, insert, update, delete on tables to pipeline_writer;
alter default privileges in schema pipeline
    grant usage, select on sequences to pipeline_writer;

-- The desk (pipeline/calls.py): reads the reference and the seat states,
-- writes a call, its alerts (and their events) and the seat's new state.
-- It never delivers: the deliverer (pipeline_writer) sends the desk's alerts.
grant usage on schema pipeline to desk;
grant select on all tables in schema pipeline to desk;
alter default privileges in schema pipeline grant select on tables to desk;
grant insert, update on pipeline.seat_state to desk;
grant insert on pipeline.call to desk;
grant update (withdrawn_at) on pipeline.call to desk;
grant insert on pipeline.alert to desk;
grant insert on pipeline.event to desk;
grant usage on all sequences in schema pipeline to desk;
grant results_reader to desk;

-- The board: a slow query is cut off instead of holding a pooled connection
-- (and a browser) for minutes; it never sits in a transaction either.
alter role board set statement_timeout = '5s';
alter role board set idle_in_transaction_session_timeout = '30s';
alter role board set default_transaction_read_only = on;
