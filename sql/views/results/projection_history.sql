-- One row per (number of results declared, party): how the projection moved
-- through the night, for the counted election.
create or replace view results.projection_history as
select
    h.declared_count,
    h.party_code as party,
    h.projected_seats,
    h.low,
    h.high,
    h.declared_seats,
    h.method,
    h.computed_at
from pipeline.projection_history as h
inner join pipeline.count_setting as s on h.election_id = s.counting_election_id
