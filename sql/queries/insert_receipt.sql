-- The record of one (file name, content) arrival; no row back means another run already recorded it.
insert into pipeline.receipt (file_name, sha256, outcome, reason, reason_code, declaration_ids)
values (:file_name, :sha256, :outcome, :reason, :reason_code, cast(:declaration_ids as bigint[]))
on conflict (file_name, sha256) do nothing
returning receipt_id
