-- resultsnight schema, revision 0011: alerts through an outbox, archive moves
-- that may fail, desk notes kept off the public event stream.
--
-- The storing transaction only inserts pipeline.alert (as before). A deliverer
-- of its own (pipeline.delivery: the sweep DAG's task, `resultsnight deliver`)
-- claims one due alert at a time (for update skip locked), POSTs it and
-- records the attempt. next_attempt_at holds a refused alert back (its own
-- exponential backoff) without holding back any other.

-- When the alert is next due for delivery; null: now.
alter table pipeline.alert add column next_attempt_at timestamptz;

drop index pipeline.alert_undelivered;
create index alert_undelivered on pipeline.alert (alert_id, next_attempt_at) where delivered_at is null;

-- One row per delivery attempt of an alert: what the receiver answered (or
-- why nothing usable came back). An attempt whose deliverer was killed
-- between the POST and this row leaves no row: the alert is sent again with
-- the same Idempotency-Key.
create table pipeline.alert_delivery (
    attempt_id   bigint generated always as identity primary key,
    alert_id     bigint not null references pipeline.alert on delete cascade,
    attempted_at timestamptz not null default clock_timestamp(),
    receiver     text not null check (receiver in ('webhook', 'log')),
    status_code  integer,
    error        text,
    delivered    boolean not null,
    check (delivered = (error is null))
);

create index alert_delivery_alert on pipeline.alert_delivery (alert_id, attempt_id);

-- One row per received file (name and bytes) stored or quarantined but not
-- yet moved out of the inbox because the move failed (permission, disk
-- full, another filesystem). A later run retries the move (never the
-- ingest) and deletes the row once it succeeds.
create table pipeline.archive_failure (
    file_name  text not null,
    sha256     text not null,
    target     text not null,
    error      text not null,
    failed_at  timestamptz not null default clock_timestamp(),
    attempts   integer not null default 1,
    primary key (file_name, sha256)
);

-- Events no longer carry a desk call's note, nor the alert's delivery
-- bookkeeping: the board's event stream is public.
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
             else to_jsonb(new) - 'agency' - 'delivery_error' - 'delivery_attempts' - 'next_attempt_at' - 'note' end
    )
    returning event_id into new_id;
    perform pg_notify('resultsnight_events', new_id::text);
    return null;
end
$$;
