-- resultsnight schema, revision 0006: the results desk's own calls of seats.
--
-- A desk call is what the desk knows about a seat until the feed tells it
-- more: while no rush or result is stored it counts like a rush (seat_state
-- status 'called', known_source 'call'). Calls are audited like declarations:
-- a withdrawn call keeps its row with withdrawn_at set; at most one call per
-- seat is current (not withdrawn). pipeline.calls writes them.

-- One row per desk call, withdrawn or not.
create table pipeline.call (
    call_id      bigint generated always as identity primary key,
    election_id  text not null,
    gss_code     text not null,
    party        text not null references pipeline.party,
    note         text,
    called_by    text not null,
    called_at    timestamptz not null default clock_timestamp(),
    withdrawn_at timestamptz,
    foreign key (election_id, gss_code) references pipeline.contest,
    check (withdrawn_at is null or withdrawn_at >= called_at)
);

create unique index call_current on pipeline.call (election_id, gss_code) where withdrawn_at is null;

-- The seat's state knows a call like a rush.
alter table pipeline.seat_state drop constraint seat_state_status_check;
alter table pipeline.seat_state add constraint seat_state_status_check
    check (status in ('awaiting', 'called', 'rush', 'recount', 'declared'));
alter table pipeline.seat_state drop constraint seat_state_known_source_check;
alter table pipeline.seat_state add constraint seat_state_known_source_check
    check (known_source in ('call', 'rush', 'result'));

-- A desk alert comes from a call, not a declaration: exactly one of the two.
-- A call raises at most one alert of each kind (its flip when made, its
-- retraction when withdrawn): a retry inserts nothing.
alter table pipeline.alert alter column declaration_id drop not null;
alter table pipeline.alert add column call_id bigint references pipeline.call;
alter table pipeline.alert add constraint alert_one_origin_check
    check ((declaration_id is null) <> (call_id is null));
alter table pipeline.alert add constraint alert_call_kind_key unique (call_id, kind);
alter table pipeline.alert drop constraint alert_source_check;
alter table pipeline.alert add constraint alert_source_check
    check (source in ('rush', 'result', 'recount', 'desk'));

-- Calls reach the live board as they commit (pipeline.emit_event, revision 0005).
create constraint trigger call_event
    after insert or update on pipeline.call
    deferrable initially deferred
    for each row execute function pipeline.emit_event('call');
