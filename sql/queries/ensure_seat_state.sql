-- Make sure the seat has a state row (select_seat_for_update then locks it):
-- every ingest of one seat compares and alerts one at a time, in any process.
insert into pipeline.seat_state (election_id, gss_code, status)
values (:election_id, :gss_code, 'awaiting')
on conflict (election_id, gss_code) do nothing
