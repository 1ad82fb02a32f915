-- One row per party of the night: seats won so far (declared results, rushes,
-- desk calls), gains and losses against the baseline, and votes in the
-- declared results. A party of the night stood in the counted or the baseline
-- election's seeded results, or has a seat, a loss or votes tonight (a 2019
-- night lists no Reform UK, a 2024 night no Brexit Party until one stands).
-- Defined once, with the time slider's form: pipeline.party_tally_as_of
-- (sql/migrations/0014_revisions.sql) as of now.
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
