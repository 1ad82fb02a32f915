-- One row per input file that was not accepted; the bytes stay in pipeline.raw_file.
create or replace view results.quarantine as
select
    r.file_name,
    r.sha256,
    r.reason,
    r.reason_code,  -- the cause, to group by: too_large, malformed, invalid, unknown_constituency, ...
    r.received_at,
    f.size_bytes
from pipeline.receipt as r
inner join pipeline.raw_file as f on f.sha256 = r.sha256
where r.outcome = 'quarantined'
