"""Pull the agency's feed (FTP or SFTP) into the inbox, where resultsnight_ingest takes it.

Wiring only: one task calls pipeline.fetch.run.fetch_task with the plain
values of the Airflow connection `resultsnight_feed` (conn_type ftp or sftp,
host, port, login, password, schema = the folder holding results/ and
nominations/; extra `host_key` or `known_hosts` for SFTP, `key_file` for a
client key). Create it with `airflow connections add resultsnight_feed
--conn-uri 'ftp://user:password@host:21/live'` (or the UI), then unpause this
DAG; it starts unpaused only where the connection is in the environment
(AIRFLOW_CONN_RESULTSNIGHT_FEED), or where RESULTSNIGHT_FETCH_ENABLED=true
says it is (docker-compose.yml: the connection is a secret of the workers
alone, so the dag-processor is told only that it is there), so a stack that reads only
its inbox (the tests) holds no worker slot polling a server it does not have.

A long-running task, not a deferrable trigger. The fetcher reads
results/.timestamp every second and downloads in the same process, so a
file is in the inbox about a poll after the agency announces it. A trigger
polling in the triggerer would need the scheduler to start a worker task for
every change (a second or more per hop on a busy night) and an async copy of
the download-and-record code; the task costs one worker slot for the night
and nothing else. Each run polls for an hour and ends with a summary in XCom;
`@continuous` starts the next at once, and a worker lost mid-run is retried.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

# How long one run polls before handing over to the next (fresh connection, a summary in XCom).
RUN_SECONDS = 3600


@dag(
    dag_id="resultsnight_fetch",
    schedule="@continuous",
    start_date=pendulum.datetime(2019, 12, 12, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # one fetcher per feed: two would download everything twice over
    is_paused_upon_creation=not (
        os.environ.get("AIRFLOW_CONN_RESULTSNIGHT_FEED")
        or os.environ.get("RESULTSNIGHT_FETCH_ENABLED", "").lower() in ("1", "true", "yes")
    ),
    default_args={
        "retries": 5,
        "retry_delay": timedelta(seconds=3),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=1),
    },
    tags=["resultsnight", "fetch"],
    doc_md=__doc__,
)
def resultsnight_fetch() -> None:
    @task
    def fetch(**context) -> dict:
        """Poll the feed's .timestamp (RESULTSNIGHT_FETCH_POLL_SECONDS) and download new files, for an hour."""
        from airflow.sdk import Connection

        from pipeline.fetch.run import fetch_task

        c = Connection.get("resultsnight_feed")
        seconds = float((context["dag_run"].conf or {}).get("seconds", RUN_SECONDS))  # shorter for a trial run
        return fetch_task(c.conn_type, c.host, c.port, c.login, c.password, c.schema, c.extra_dejson, seconds)

    fetch()


fetch_dag = resultsnight_fetch()
