-- One row per party: seats won so far (declared results, rushes, desk calls),
-- gains and losses against the baseline, and votes in the declared results.
-- Defined once, with the time slider's form: pipeline.party_tally_as_of
-- (sql/migrations/0009_revisions.sql) as of now.
create or replace view results.party_tally as
select
    party,
    seats,
    gains,
    losses,
    net,
    votes,
    vote_share_pct,
    baseline_seats
from pipeline.party_tally_as_of('infinity')
