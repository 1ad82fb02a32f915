update pipeline.seat_state
set status = :status,
    result_declaration_id = :result_declaration_id,
    rush_declaration_id = :rush_declaration_id,
    recount_declaration_id = :recount_declaration_id,
    known_winner = :known_winner,
    known_source = :known_source
where election_id = :election_id and gss_code = :gss_code
