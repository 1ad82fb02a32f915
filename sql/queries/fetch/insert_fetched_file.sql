-- Record one file version as fetched (after it was renamed into the inbox); a repeat changes nothing.
insert into pipeline.fetched_file (feed, folder, file_name, size, modified_at, sha256)
values (:feed, :folder, :file_name, :size, :modified_at, :sha256)
on conflict (feed, folder, file_name, size, modified_at) do nothing
