-- A stored file whose move out of the inbox failed: remembered (results.files.archive_error)
-- until a later run moves it.
insert into pipeline.archive_failure (file_name, sha256, target, error)
values (:file_name, :sha256, :target, :error)
on conflict (file_name, sha256) do update
    set
        target = excluded.target, error = excluded.error, failed_at = clock_timestamp(),
        attempts = pipeline.archive_failure.attempts + 1
