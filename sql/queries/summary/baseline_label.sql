-- How titles name the baseline election of the count setting: its year, and
-- "notional" when its results are re-cast on the counted election's boundaries.
select
    cast(extract(year from e.election_date) as integer) || case when e.is_notional then ' notional' else '' end
        as label
from pipeline.count_setting as s
inner join pipeline.election as e on e.election_id = s.baseline_election_id
