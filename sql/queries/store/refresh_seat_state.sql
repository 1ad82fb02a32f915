-- The locked seat's state row set to what the one rule says now, given every
-- declaration and call stored for it (pipeline.seat_state_at, migration 0014:
-- revisions across rush and result, corrections, recounts, desk calls), and
-- returned. A seat with nothing left to say (a withdrawn call alone) is awaiting.
update pipeline.seat_state as s
set (status, result_declaration_id, rush_declaration_id, recount_declaration_id, known_winner, known_source) = (
    select
        coalesce(max(n.status), 'awaiting') as status,
        max(n.result_declaration_id) as result_declaration_id,
        max(n.rush_declaration_id) as rush_declaration_id,
        max(n.recount_declaration_id) as recount_declaration_id,
        max(n.known_winner) as known_winner,
        max(n.known_source) as known_source
    from pipeline.seat_state_at('infinity', :gss_code) as n
    where n.election_id = :election_id
)
where s.election_id = :election_id and s.gss_code = :gss_code
returning
    s.status, s.result_declaration_id, s.rush_declaration_id, s.recount_declaration_id, s.known_winner,
    s.known_source
