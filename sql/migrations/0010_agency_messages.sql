-- resultsnight schema, revision 0010: the agency's nominations and
-- state-of-the-parties messages, the kind of message each file held, and
-- the `disagreement` alert.

-- One row per (election, constituency, nominations revision): a higher
-- revision replaces the list (results.nominations reads the highest); a lower
-- one arriving after it is kept here and changes nothing.
create table pipeline.nomination (
    nomination_id   bigint generated always as identity primary key,
    election_id     text not null,
    gss_code        text not null,
    revision        integer not null check (revision >= 1),
    sha256          text not null references pipeline.raw_file,
    electorate      integer,
    agency          jsonb not null default '{}',  -- the agency's attributes and PreviousElection blocks, never counted
    unknown_parties text[] not null default '{}',
    received_at     timestamptz not null default clock_timestamp(),
    unique (election_id, gss_code, revision),
    foreign key (election_id, gss_code) references pipeline.contest
);

-- One row per candidate of a nominations message.
create table pipeline.nominee (
    nomination_id  bigint not null references pipeline.nomination on delete cascade,
    position       smallint not null,
    candidate_name text not null,
    party_code     text not null references pipeline.party,
    party_label    text not null,
    party_name     text,
    sitting_member boolean not null,  -- previousSittingMember="*" only ("+" sits for another seat)
    primary key (nomination_id, position)
);

-- One row per state-of-the-parties message of an election: no revision,
-- numberOfResults (N) orders them and names each.
create table pipeline.party_state (
    party_state_id       bigint generated always as identity primary key,
    election_id          text not null references pipeline.election,
    number_of_results    integer not null check (number_of_results >= 0),
    total_constituencies integer,
    total_votes          bigint,
    sha256               text not null references pipeline.raw_file,
    agency               jsonb not null default '{}',  -- the root's attributes (forecastWinningParty, note, ...)
    unknown_parties      text[] not null default '{}',
    received_at          timestamptz not null default clock_timestamp(),
    unique (election_id, number_of_results)
);

-- One row per party line of a state-of-the-parties message (absent totals are 0).
create table pipeline.party_state_party (
    party_state_id   bigint not null references pipeline.party_state on delete cascade,
    position         smallint not null,
    party_code       text not null references pipeline.party,  -- OTH for Others and unknown parties
    party_label      text not null,
    party_name       text,
    seats            integer not null check (seats >= 0),
    gains            integer not null check (gains >= 0),
    losses           integer not null check (losses >= 0),
    votes            bigint not null check (votes >= 0),
    share_pct        numeric,
    share_change_pct numeric,
    primary key (party_state_id, position)
);

-- One row per constituency a state-of-the-parties message counts.
create table pipeline.party_state_seat (
    party_state_id bigint not null references pipeline.party_state on delete cascade,
    gss_code       text not null references pipeline.constituency,
    primary key (party_state_id, gss_code)
);

-- What kind of message each file held; null when it could not be read as one.
alter table pipeline.receipt add column message_kind text;
alter table pipeline.receipt add constraint receipt_message_kind_check check (message_kind in (
    'result', 'rush', 'recount', 'nominations', 'state_of_parties', 'dc_csv'
));

-- A disagreement is about a state-of-the-parties message, not one seat: it
-- names the message (party_state_id) and no constituency. Each origin raises
-- at most one alert of each kind: a re-ingest inserts nothing.
alter table pipeline.alert add column party_state_id bigint references pipeline.party_state;
alter table pipeline.alert alter column gss_code drop not null;
alter table pipeline.alert drop constraint alert_one_origin_check;
alter table pipeline.alert add constraint alert_one_origin_check
    check (num_nonnulls(declaration_id, call_id, party_state_id) = 1);
alter table pipeline.alert add constraint alert_seat_check check (gss_code is not null or party_state_id is not null);
alter table pipeline.alert add constraint alert_party_state_kind_key unique (party_state_id, kind);
alter table pipeline.alert drop constraint alert_kind_check;
alter table pipeline.alert add constraint alert_kind_check
    check (kind in ('flip', 'retraction', 'recount', 'disagreement'));
alter table pipeline.alert drop constraint alert_source_check;
alter table pipeline.alert add constraint alert_source_check
    check (source in ('rush', 'result', 'recount', 'desk', 'state_of_parties'));

-- Nominations and states of the parties reach the live board as they commit
-- (pipeline.emit_event, revision 0005), so its seat cards and its agency
-- check follow them as they follow declarations.
alter table pipeline.event drop constraint event_kind_check;
alter table pipeline.event add constraint event_kind_check
    check (kind in ('declaration', 'alert', 'call', 'reset', 'nominations', 'state_of_parties'));

create constraint trigger nomination_event
    after insert on pipeline.nomination
    deferrable initially deferred
    for each row execute function pipeline.emit_event('nominations');

create constraint trigger party_state_event
    after insert on pipeline.party_state
    deferrable initially deferred
    for each row execute function pipeline.emit_event('state_of_parties');

-- The board's as-of seats (sql/queries/serve_seats_as_of.sql) count the
-- nominations stored by then, of the counted election: it reads these three tables.
grant select on pipeline.nomination, pipeline.nominee, pipeline.count_setting to board;
