-- The baseline election as alerts name it: its polling year, and "notional"
-- when its results are estimates on boundaries it was not fought on.
select
    extract(year from e.election_date)::text
    || case when e.is_notional then ' notional' else '' end as label
from pipeline.election as e
where e.election_id = :election_id
