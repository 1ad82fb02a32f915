-- The current result declaration of each declared seat of the counted election
-- (of the given seats only, when :codes is not null).
select gss_code, result_declaration_id
from pipeline.seat_state
where election_id = :election_id
    and result_declaration_id is not null
    and (cast(:codes as text[]) is null or gss_code = any(cast(:codes as text[])))
