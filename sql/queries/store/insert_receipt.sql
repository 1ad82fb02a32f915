-- The record of one (file name, content) arrival; no row back means another run already recorded it.
-- A duplicate is not read again: it held what the first file of those bytes held.
insert into pipeline.receipt (file_name, sha256, outcome, reason, reason_code, declaration_ids, message_kind)
values (
    :file_name, :sha256, :outcome, :reason, :reason_code, cast(:declaration_ids as bigint[]),
    coalesce(
        cast(:message_kind as text),
        (
            select r.message_kind from pipeline.receipt as r
            where r.sha256 = :sha256 and r.message_kind is not null
            order by r.receipt_id limit 1
        )
    )
)
on conflict (file_name, sha256) do nothing
returning receipt_id
