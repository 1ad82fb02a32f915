-- No declared seat counts any more (the only one was reopened by a correcting
-- rush): no projection, and no running sums; the next result rebuilds them.
with history as (
    delete from pipeline.projection_history
    where election_id = :election_id
    returning 1
)

delete from pipeline.projection_state
where election_id = :election_id
