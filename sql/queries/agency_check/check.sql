-- The agency's seat totals (and gains and losses) beside ours over the constituencies one
-- state-of-the-parties message counts (pipeline.party_state_check, the definition results.agency_check reads too).
select
    party,
    agency_seats,
    our_seats,
    agency_votes,
    our_votes,
    agrees,
    agency_gains,
    our_gains,
    agency_losses,
    our_losses,
    baseline_shared
from pipeline.party_state_check
where party_state_id = :party_state_id
order by agency_seats desc, agency_votes desc, party asc
