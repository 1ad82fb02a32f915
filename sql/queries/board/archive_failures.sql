-- /healthz: stored files the pipeline could not move out of the inbox (most recent first, a few).
select
    file_name,
    archive_error,
    archive_failed_at
from results.files
where archive_error is not null
order by archive_failed_at desc, file_name asc
limit 20
