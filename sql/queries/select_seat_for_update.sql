select status, result_declaration_id, rush_declaration_id, recount_declaration_id, known_winner, known_source
from pipeline.seat_state
where election_id = :election_id and gss_code = :gss_code
for update
