-- Withdraw one desk call: the row stays, as the audit of what the desk said and when.
update pipeline.call
set withdrawn_at = clock_timestamp()
where call_id = :call_id and withdrawn_at is null
returning withdrawn_at
