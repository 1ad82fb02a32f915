-- resultsnight schema, revision 0008: the agency's real feed.
-- A rush lists every candidate, without votes: a candidate row's votes are
-- null for a rush, and whole numbers for a result.
alter table pipeline.candidate alter column votes drop not null;

-- Why a file was refused, for the feed's own kinds of wrong message
-- (pipeline.model.ReasonCode lists the values).
alter table pipeline.receipt drop constraint receipt_reason_code_check;
alter table pipeline.receipt add constraint receipt_reason_code_check check (reason_code in (
    'too_large', 'malformed', 'incomplete', 'unsafe_xml', 'unsupported', 'invalid', 'unknown_constituency',
    'unstorable', 'parser_error', 'test_message', 'live_message', 'other_election', 'not_this_election',
    'duplicate_bytes', 'stale_revision'
));
