-- The desk's current (not withdrawn) call of one seat, if any. Read after
-- lock_seat_state has locked the seat, so no other call can race it.
select
    call_id,
    party,
    note,
    called_by,
    called_at
from pipeline.call
where election_id = :election_id and gss_code = :gss_code and withdrawn_at is null
