-- The current result declaration of every declared seat of the counted election.
select
    gss_code,
    result_declaration_id
from pipeline.seat_state
where election_id = :election_id and result_declaration_id is not null
