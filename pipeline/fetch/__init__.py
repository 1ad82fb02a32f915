"""The feed fetcher: the agency's FTP or SFTP folders, pulled into the inbox.

One module per job:

- `names`: which server file names may become inbox files (the rest are refused).
- `address`: where the feed is and how to log in (from RESULTSNIGHT_FEED_URL or
  the plain values of the Airflow connection `resultsnight_feed`).
- `client`: what the loop needs of a server (`FeedClient`), and `open_client`.
- `ftp`, `sftp`: the two implementations (ftplib; asyncssh).
- `record`: what was fetched, kept in the results database (pipeline.fetched_file).
- `loop`: the polling loop (`Fetcher`).
- `run`: the entry points the CLI and the DAG call.

The fetcher only reads from the server: it never deletes, renames or writes there.
"""
