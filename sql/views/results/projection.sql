-- One row per party that holds or is projected to hold a seat: the final House
-- as projected from the results declared so far (the latest row set of
-- pipeline.projection_history). low/high bound an 80 per cent interval; once every
-- seat is declared, projected_seats = low = high = declared_seats.
create or replace view results.projection as
with latest as (
    select
        h.election_id,
        max(h.declared_count) as declared_count
    from pipeline.projection_history as h
    inner join pipeline.count_setting as s on h.election_id = s.counting_election_id
    group by h.election_id
)

select
    h.party_code as party,
    h.declared_seats,
    h.projected_seats,
    h.low,
    h.high,
    h.declared_count,
    h.method,
    h.computed_at
from pipeline.projection_history as h
inner join latest on latest.election_id = h.election_id and latest.declared_count = h.declared_count
where h.declared_seats > 0 or h.projected_seats > 0
