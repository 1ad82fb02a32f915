-- Rows of a reloaded election that its CSV no longer has.
delete from pipeline.past_result
where
    election_id = :election_id
    and not ((gss_code || '|' || party_code) = any(cast(:keys as text[])))
