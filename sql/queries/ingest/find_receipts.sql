-- What we already know of a batch of files: (name, content) pairs received, and contents seen under any name.
select
    r.file_name,
    r.sha256,
    r.outcome,
    f.first_file_name
from pipeline.raw_file as f
left join pipeline.receipt as r on r.sha256 = f.sha256
where f.sha256 = any(cast(:shas as text[]))
