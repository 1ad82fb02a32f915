-- resultsnight schema, revision 0015: what the feed fetcher has brought in.
--
-- `resultsnight fetch` and the resultsnight_fetch DAG (pipeline.fetch) pull
-- the agency's folders into the inbox. So that a restart, a retried task or a
-- second fetcher never downloads the same bytes twice, each file version
-- fetched is recorded here, in the results database (a local state file would
-- not survive a worker moving to another machine). A version is what the
-- server's listing says: name, size and modification time; a file rewritten
-- on the server with a new size or time is a new version and is fetched again.

-- One row per version of a server file fetched into the inbox, per feed.
create table pipeline.fetched_file (
    -- the feed's address without credentials (ftp://host:port/path), so the
    -- LIVE and TEST accounts, or two servers, keep separate records
    feed         text not null,
    folder       text not null check (folder in ('nominations', 'results')),
    file_name    text not null,
    size         bigint not null check (size >= 0),
    modified_at  timestamptz not null,   -- the server's modification time (set on the inbox file too)
    sha256       text not null,
    fetched_at   timestamptz not null default clock_timestamp(),
    primary key (feed, folder, file_name, size, modified_at)
);
