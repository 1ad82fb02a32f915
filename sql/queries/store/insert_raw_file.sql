-- Keep the bytes of every distinct content once; returns a row only when new.
insert into pipeline.raw_file (sha256, size_bytes, body, stored_path, first_file_name)
values (:sha256, :size_bytes, :body, :stored_path, :file_name)
on conflict (sha256) do nothing
returning sha256
