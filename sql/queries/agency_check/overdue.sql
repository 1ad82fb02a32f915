-- The states of the parties that have waited longer than the grace for a seat's result, oldest first.
select
    m.party_state_id,
    m.number_of_results
from pipeline.party_state as m
where m.checked_at is null and m.received_at < clock_timestamp() - make_interval(secs => :grace_seconds)
order by m.number_of_results
