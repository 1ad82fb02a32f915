-- What a desk call's flip alert quotes: the swing :party needed at the baseline
-- in seat :gss_code, by the views' own formula (sql/migrations/0003_formulas.sql).
-- A call has no votes, so no swing now.
with past as (
    -- a party that did not stand polled 0%, as in the views
    select
        coalesce(sum(r.votes) filter (where r.party_code = :holder), 0) as holder_votes,
        coalesce(sum(r.votes) filter (where r.party_code = :party), 0) as party_votes,
        sum(r.votes) as valid_votes
    from pipeline.past_result as r
    where r.gss_code = :gss_code and r.election_id = :baseline_election_id
)
select
    null::numeric as swing_pct,
    pipeline.swing_needed(past.holder_votes - past.party_votes, past.valid_votes) as swing_needed_pct
from past
