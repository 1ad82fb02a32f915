-- resultsnight schema, revision 0005: the event log behind `resultsnight serve`,
-- and the read-only `board` role it connects as.
--
-- Every stored declaration and every alert adds one row to pipeline.event and
-- a NOTIFY on channel `resultsnight_events` (payload: the event id), both at
-- commit. The server LISTENs on one connection and fans events out to the
-- browsers; a browser that reconnects with Last-Event-ID reads the rows it
-- missed from this table. The ingest code knows nothing of it: triggers do it.

-- One row per event, in commit order: the id is taken at commit time, under a
-- lock held until the commit ends, so a later id never becomes visible before
-- an earlier one (a client that has seen id N has seen every id below N).
create table pipeline.event (
    event_id   bigserial primary key,
    kind       text not null check (kind in ('declaration', 'alert', 'call', 'reset')),
    payload    jsonb not null,
    created_at timestamptz not null default clock_timestamp()
);

-- Advisory lock key 7201913 serialises the final moments of committing
-- transactions that emit events (7201912 is `db init`'s).
create or replace function pipeline.emit_event() returns trigger
language plpgsql as $$
declare
    new_id bigint;
begin
    perform pg_advisory_xact_lock(7201913);
    insert into pipeline.event (kind, payload)
    values (
        tg_argv[0],
        case when tg_op = 'TRUNCATE' then jsonb_build_object('table', tg_table_name)
             else to_jsonb(new) - 'agency' - 'delivery_error' end
    )
    returning event_id into new_id;
    perform pg_notify('resultsnight_events', new_id::text);
    return null;
end
$$;

-- Deferred constraint triggers run at commit, not at the insert: the id is
-- taken then, and a rolled-back transaction (or savepoint) emits nothing.
create constraint trigger declaration_event
    after insert on pipeline.declaration
    deferrable initially deferred
    for each row execute function pipeline.emit_event('declaration');

create constraint trigger alert_event
    after insert on pipeline.alert
    deferrable initially deferred
    for each row execute function pipeline.emit_event('alert');

-- `reset_night` (rehearsals, tests) truncates the night: tell the boards.
create trigger night_reset_event
    after truncate on pipeline.declaration
    for each statement execute function pipeline.emit_event('reset');

-- The board reads the analysts' views and the event log, nothing else, and
-- cannot write even by mistake.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'board') then
        create role board login in role results_reader;
    end if;
end
$$;
alter role board set default_transaction_read_only = on;
grant usage on schema pipeline to board;
grant select on pipeline.event to board;
