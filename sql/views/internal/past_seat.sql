-- One row per constituency per past election: winner, runner-up, majority, swing the runner-up needed.
-- Materialised: the seeds change only at `resultsnight db init`, which refreshes it.
create materialized view if not exists pipeline.past_seat as
with ranked as (
    select
        election_id,
        gss_code,
        party_code,
        votes,
        sum(votes) over seat as valid_votes,
        row_number() over (seat order by votes desc, party_code asc) as place
    from pipeline.past_result
    window seat as (partition by election_id, gss_code)
)

select
    w.election_id,
    w.gss_code,
    w.party_code as winner_party,
    w.votes as winner_votes,
    r.party_code as runner_up_party,
    r.votes as runner_up_votes,
    w.valid_votes,
    pipeline.majority(w.votes, r.votes) as majority,
    pipeline.pct(pipeline.majority(w.votes, r.votes), w.valid_votes) as majority_pct,
    pipeline.swing_needed(pipeline.majority(w.votes, r.votes), w.valid_votes) as swing_needed_pct  -- for the runner-up
from ranked as w
left join ranked as r
    on r.election_id = w.election_id and r.gss_code = w.gss_code and r.place = 2
where w.place = 1
