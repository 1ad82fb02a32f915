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
    r.message_kind  -- result | rush | recount | nominations | state_of_parties | dc_csv; null when unreadable
from pipeline.receipt as r
join pipeline.raw_file as f on f.sha256 = r.sha256
