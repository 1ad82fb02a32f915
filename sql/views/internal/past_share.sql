-- One row per party per constituency per past election: its share of valid votes.
create or replace view pipeline.past_share as
select
    election_id,
    gss_code,
    party_code,
    votes,
    pipeline.pct(votes, sum(votes) over (partition by election_id, gss_code)) as share_pct
from pipeline.past_result
