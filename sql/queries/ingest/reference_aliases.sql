-- Every alias as it stands for the counted election: of an alias's dated rows,
-- the latest that holds by the election's date (an undated election, the next
-- one, takes the latest row).
select distinct on (a.alias_key)
    a.alias_key,
    a.party_code
from pipeline.party_alias as a
cross join pipeline.count_setting as s
inner join pipeline.election as e on e.election_id = s.counting_election_id
where a.valid_from <= coalesce(e.election_date, date 'infinity')
order by a.alias_key asc, a.valid_from desc
