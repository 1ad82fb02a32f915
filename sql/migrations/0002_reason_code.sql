-- resultsnight schema, revision 0002: why a file was not stored as new, as a code.
-- pipeline.receipt.reason stays the sentence a person reads; reason_code is the
-- cause an analyst groups by (pipeline.model.ReasonCode lists the values).

alter table pipeline.receipt add column reason_code text;

alter table pipeline.receipt add constraint receipt_reason_code_check check (reason_code in (
    'too_large', 'malformed', 'incomplete', 'unsafe_xml', 'unsupported', 'invalid', 'unknown_constituency',
    'unstorable', 'parser_error',
    'duplicate_bytes', 'stale_revision'
));

-- Receipts from before this revision: duplicates and superseded files have
-- one cause each; a quarantined file's cause was not recorded, so it stays null.
update pipeline.receipt set reason_code = 'duplicate_bytes' where outcome = 'duplicate';
update pipeline.receipt set reason_code = 'stale_revision' where outcome = 'superseded';

-- A stored file has no reason code; every other outcome has one. NOT VALID:
-- enforced for every new receipt, not for quarantined ones from before 0002.
alter table pipeline.receipt add constraint receipt_reason_code_outcome_check
    check ((outcome = 'stored') = (reason_code is null)) not valid;
