-- Every file version already fetched from this feed: what a (re)started fetcher skips.
select
    folder,
    file_name,
    size,
    modified_at,
    sha256
from pipeline.fetched_file
where feed = :feed
