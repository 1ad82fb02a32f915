-- The seat's state row, created if missing and locked until the transaction
-- ends, in one statement: ON CONFLICT DO UPDATE waits for any other
-- transaction holding the row and returns its newest committed version (the
-- no-op update is what takes the lock). Every ingest or desk call of one seat
-- compares and alerts one at a time, in any process (pipeline.store and
-- pipeline.calls both lock with this).
insert into pipeline.seat_state as s (election_id, gss_code, status)
values (:election_id, :gss_code, 'awaiting')
on conflict (election_id, gss_code) do update set status = s.status
returning
    s.status, s.result_declaration_id, s.rush_declaration_id, s.recount_declaration_id, s.known_winner,
    s.known_source
