-- The candidates of the given result declarations, with each result's winner (as resolved).
select
    c.declaration_id,
    c.party_code,
    c.votes,
    d.winner_party
from pipeline.candidate as c
inner join pipeline.declaration as d on d.declaration_id = c.declaration_id
where c.declaration_id = any(:ids)
order by c.declaration_id, c.position
