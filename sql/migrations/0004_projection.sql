-- resultsnight schema, revision 0004: the seat projection's history.

-- One row per (election, number of results declared, party): the projection
-- as it stood once that many results were declared (pipeline.projection_store).
-- A correction recomputes the row set of the count it arrives at. The rows go
-- with the declarations they were computed from (a night reset truncates
-- pipeline.declaration with CASCADE, which empties this table too).
create table pipeline.projection_history (
    election_id     text not null references pipeline.election,
    declared_count  integer not null check (declared_count >= 0),
    party_code      text not null references pipeline.party,
    declared_seats  integer not null check (declared_seats >= 0),
    projected_seats integer not null,
    low             integer not null,
    high            integer not null,
    method          text not null,
    declaration_id  bigint not null references pipeline.declaration on delete cascade,  -- the latest result counted
    computed_at     timestamptz not null default clock_timestamp(),
    primary key (election_id, declared_count, party_code),
    check (declared_seats <= low and low <= projected_seats and projected_seats <= high)
);

-- One row per counted election: the running sums the projection needs
-- (pipeline.projection.Stats) and which result of each seat they count, so
-- that a refresh adds one seat at the same cost at 650 declared as at 1.
-- The arrays are little-endian numpy buffers (float64, int64), in the seats'
-- GSS-code order; stored uncompressed, as they are rewritten on every result.
-- The row goes with the declarations (the CASCADE of a night reset empties
-- this table too).
create table pipeline.projection_state (
    election_id         text primary key references pipeline.election,
    baseline_key        text not null,   -- the seeds the sums were built on (see projection_read.sql)
    last_declaration_id bigint not null references pipeline.declaration on delete cascade,
    seat_declaration    bytea not null,  -- int64 per seat: the result declaration counted, 0 for none
    declared            bytea not null,  -- int64 per party (pipeline.projection.PARTIES): seats won
    xtx                 bytea not null,  -- float64 F x F
    xty                 bytea not null,  -- float64 F x P
    ni_sum              bytea not null,  -- float64 P
    ni_n                integer not null
);
alter table pipeline.projection_state
    alter column seat_declaration set storage external,
    alter column xtx set storage external,
    alter column xty set storage external;
