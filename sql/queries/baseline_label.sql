-- How titles name the baseline election of the count setting: its year.
select cast(extract(year from e.election_date) as integer) as label
from pipeline.count_setting as s
join pipeline.election as e on e.election_id = s.baseline_election_id
