-- One row per file received (every name, accepted or not): what became of it
-- and why. The log a person reads when asking "did file X arrive, and what
-- did we do with it?". Bytes stay in pipeline.raw_file.
create or replace view results.files as
select
    r.receipt_id,
    r.file_name,
    r.sha256,
    r.received_at,
    r.outcome,  -- stored | superseded | duplicate | quarantined
    r.reason,   -- why it was superseded, a duplicate (of which file) or quarantined
    r.reason_code,  -- that reason as a code (null when stored): pipeline.model.ReasonCode
    cardinality(r.declaration_ids) as declarations,
    f.size_bytes,
    r.message_kind,  -- result | rush | recount | nominations | state_of_parties | dc_csv; null when unreadable
    m.error as archive_error,  -- why moving it out of the inbox failed (null: moved, or not yet tried)
    m.failed_at as archive_failed_at
from pipeline.receipt as r
inner join pipeline.raw_file as f on f.sha256 = r.sha256
left join pipeline.archive_failure as m on m.file_name = r.file_name and m.sha256 = r.sha256
