-- resultsnight schema, revision 0001.
-- Schema `pipeline` holds the pipeline's own tables; schema `results` holds
-- only the analyst views (created from sql/views after every migration).

create schema if not exists pipeline;
create schema if not exists results;

-- One row per election (Democracy Club style id: parl.2019-12-12).
create table pipeline.election (
    election_id   text primary key,
    name          text not null,
    election_date date not null,
    election_type text not null
);

-- Exactly one row: the election being counted and the one it is compared with.
create table pipeline.count_setting (
    singleton            boolean primary key default true check (singleton),
    counting_election_id text not null references pipeline.election,
    baseline_election_id text not null references pipeline.election,
    check (counting_election_id <> baseline_election_id)
);

-- One row per constituency (ONS GSS code).
create table pipeline.constituency (
    gss_code text primary key,
    name     text not null,
    name_key text not null unique,  -- folded for tolerant matching (pipeline.names.fold)
    region   text not null,
    county   text,
    country  text not null
);

-- One row per constituency per election it is fought in.
create table pipeline.contest (
    election_id text not null references pipeline.election,
    gss_code    text not null references pipeline.constituency,
    electorate  integer check (electorate > 0),
    primary key (election_id, gss_code)
);

-- One row per party (canonical code as in the contract).
create table pipeline.party (
    party_code text primary key,
    name       text not null
);

-- One row per spelling a feed may use for a party.
create table pipeline.party_alias (
    alias_key  text primary key,  -- folded (pipeline.names.fold)
    alias      text not null,
    party_code text not null references pipeline.party
);

-- One row per party per constituency per past election (the seeds).
create table pipeline.past_result (
    election_id text not null,
    gss_code    text not null,
    party_code  text not null references pipeline.party,
    votes       integer not null check (votes >= 0),
    primary key (election_id, gss_code, party_code),
    foreign key (election_id, gss_code) references pipeline.contest
);

-- Raw layer: one row per distinct file content ever received.
create table pipeline.raw_file (
    sha256            text primary key,
    size_bytes        bigint not null,
    body              bytea,  -- the bytes as received; null only when too large to keep in the database
    stored_path       text,   -- where such a file was kept on disk instead
    first_file_name   text not null,
    first_received_at timestamptz not null default clock_timestamp(),
    check (body is not null or stored_path is not null)
);

-- Typed layer: one row per (election, constituency, message kind, revision).
create table pipeline.declaration (
    declaration_id  bigint generated always as identity primary key,
    election_id     text not null,
    gss_code        text not null,
    kind            text not null check (kind in ('result', 'rush', 'recount')),
    revision        integer not null check (revision >= 1),
    declared_at     timestamptz,
    source_format   text not null check (source_format in ('agency_xml', 'dc_csv')),
    sha256          text not null references pipeline.raw_file,
    electorate      integer,
    turnout         integer,
    valid_votes     integer,
    winner_party    text references pipeline.party,
    agency          jsonb not null default '{}',  -- the agency's own figures, stored, never trusted
    unknown_parties text[] not null default '{}',
    stored_at       timestamptz not null default clock_timestamp(),
    unique (election_id, gss_code, kind, revision),
    foreign key (election_id, gss_code) references pipeline.contest
);

-- One row per candidate of a result declaration.
create table pipeline.candidate (
    declaration_id bigint not null references pipeline.declaration on delete cascade,
    position       smallint not null,
    candidate_name text not null,
    party_code     text not null references pipeline.party,
    party_label    text not null,
    votes          integer not null check (votes >= 0),
    elected        boolean not null,
    primary key (declaration_id, position)
);

-- One row per file name and content received: what became of it.
create table pipeline.receipt (
    receipt_id     bigint generated always as identity primary key,
    file_name      text not null,
    sha256         text not null references pipeline.raw_file,
    received_at    timestamptz not null default clock_timestamp(),
    outcome        text not null check (outcome in ('stored', 'superseded', 'duplicate', 'quarantined')),
    reason         text,
    declaration_ids bigint[] not null default '{}',
    unique (file_name, sha256),
    check (outcome <> 'quarantined' or reason is not null)
);

-- One row per constituency of the counted election that has had any message:
-- what is currently known, the row every ingest of that seat locks.
create table pipeline.seat_state (
    election_id            text not null,
    gss_code               text not null,
    status                 text not null check (status in ('awaiting', 'rush', 'recount', 'declared')),
    result_declaration_id  bigint references pipeline.declaration,
    rush_declaration_id    bigint references pipeline.declaration,
    recount_declaration_id bigint references pipeline.declaration,
    known_winner           text references pipeline.party,
    known_source           text check (known_source in ('rush', 'result')),
    primary key (election_id, gss_code),
    foreign key (election_id, gss_code) references pipeline.contest
);

-- One row per alert raised. A declaration raises at most one alert of each kind.
create table pipeline.alert (
    alert_id        bigint generated always as identity primary key,
    election_id     text not null,
    gss_code        text not null,
    kind            text not null check (kind in ('flip', 'retraction', 'recount')),
    from_party      text references pipeline.party,
    to_party        text references pipeline.party,
    source          text not null check (source in ('rush', 'result', 'recount')),
    declaration_id  bigint not null references pipeline.declaration,
    message         text not null,
    declared_at     timestamptz,
    raised_at       timestamptz not null default clock_timestamp(),
    delivered_at    timestamptz,
    delivery_attempts integer not null default 0,
    delivery_error  text,
    unique (declaration_id, kind),
    foreign key (election_id, gss_code) references pipeline.contest
);

create index alert_undelivered on pipeline.alert (alert_id) where delivered_at is null;
create index declaration_seat on pipeline.declaration (election_id, gss_code, kind, revision desc);
create index receipt_sha on pipeline.receipt (sha256);

-- Analysts read `results` through this role; they never write.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'results_reader') then
        create role results_reader nologin;
    end if;
    if not exists (select 1 from pg_roles where rolname = 'analyst') then
        create role analyst login in role results_reader;
    end if;
end
$$;
grant usage on schema results to results_reader;
alter default privileges in schema results grant select on tables to results_reader;
