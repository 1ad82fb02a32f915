-- One row per constituency of the election being counted, declared or not.
-- The rule (revisions across rush and result, corrections, recounts, desk
-- calls) is pipeline.seat_state_at, read through pipeline.seat_status_as_of
-- (sql/migrations/0014_revisions.sql): the live view is the night as of now,
-- the board's time slider the same function at an earlier moment.
create or replace view results.seat_status as
select
    gss_code,
    constituency,
    region,
    status,
    winner_party,
    baseline_party,
    baseline_runner_up,
    outcome,
    majority,
    majority_pct,
    turnout_pct,
    swing_pct,
    swing_needed_pct,
    revision,
    declared_at,
    candidates_nominated
from pipeline.seat_status_as_of('infinity')
