-- resultsnight schema, revision 0003: the election arithmetic, each formula written once.
-- The views in sql/views and the flip alert (sql/queries/flip_figures.sql) call
-- these; nothing else computes a share, a majority, a swing or a swing needed.
-- Plain SQL expressions: Postgres inlines them, so a view costs what it did.

-- A part as a percent of its whole (a share of the valid votes, a turnout, a
-- majority in percent); null when the whole is zero or unknown.
create or replace function pipeline.pct(part numeric, whole numeric) returns numeric
    language sql immutable parallel safe
    return 100.0 * part / nullif(whole, 0);

-- Winner's votes minus the runner-up's; an unopposed winner's majority is all its votes.
create or replace function pipeline.majority(winner_votes integer, runner_up_votes integer) returns integer
    language sql immutable parallel safe
    return winner_votes - coalesce(runner_up_votes, 0);

-- Butler swing from party A to party B in points: half of B's change in share
-- minus A's. Shares in percent, now and at the baseline.
create or replace function pipeline.butler_swing(a_now numeric, a_then numeric, b_now numeric, b_then numeric)
    returns numeric
    language sql immutable parallel safe
    return ((b_now - b_then) - (a_now - a_then)) / 2;

-- The swing a party needs to take a seat: half the votes it was behind by, in
-- percent of the valid votes (for the runner-up: half the majority in percent).
create or replace function pipeline.swing_needed(votes_behind numeric, valid_votes numeric) returns numeric
    language sql immutable parallel safe
    return pipeline.pct(votes_behind, valid_votes) / 2;
