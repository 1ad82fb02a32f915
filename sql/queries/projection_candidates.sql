-- The candidates of the given result declarations.
select declaration_id, party_code, votes, elected
from pipeline.candidate
where declaration_id = any(:ids)
order by declaration_id, position
