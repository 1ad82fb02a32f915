-- The counted election's polling day (null while it is not known: the next general election).
select c.election_date
from pipeline.count_setting as s
inner join pipeline.election as c on s.counting_election_id = c.election_id
