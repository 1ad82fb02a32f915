"""Ingest the feed the moment files land in the inbox, with a one-minute sweep as a safety net.

Wiring only: each task calls one function in pipeline.tasks.

- `resultsnight_ingest` runs on the inbox asset. Its watcher
  (plugins/resultsnight_triggers.py) fires an asset event per batch of
  complete files. The run ingests the files its events name and every other
  settled file no other run has claimed (Airflow may fold several events
  into one run and consume only the first), then stays a couple of seconds
  for more, taking each new file as it settles: a task process costs about
  a second of a two-core machine, a file in a warm one 0.15 s
  (pipeline.tasks). Two runs may overlap (ingest is safe under concurrency:
  the same file in two runs is stored once and alerts once), so a run left
  dead by a killed scheduler or worker never holds up the next file.
- `resultsnight_sweep` runs every minute: it ingests whatever is in the inbox
  and any quarantined file whose bytes changed, in case an event was ever
  lost. Beside it, its delivery task is the alerts' outbox deliverer for
  most of the minute (pipeline.delivery): the ingest never waits on the
  receiver.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, AssetWatcher, CronTriggerTimetable, dag, task
from resultsnight_triggers import InboxTrigger

from pipeline.config import load_settings

SETTINGS = load_settings()
INBOX = str(SETTINGS.inbox)

feed_inbox = Asset(
    name="resultsnight_inbox",
    uri=f"file://{INBOX}",
    watchers=[
        AssetWatcher(
            name="resultsnight_inbox_watcher",
            trigger=InboxTrigger(
                directory=INBOX,
                quarantine_directory=str(SETTINGS.archive / "quarantine"),
                settle_seconds=SETTINGS.settle_seconds,
            ),
        )
    ],
)

RETRIES = {"retries": 5, "retry_delay": timedelta(seconds=3), "retry_exponential_backoff": True}
START = pendulum.datetime(2019, 12, 12, tz="UTC")
# What the two DAGs of this file share: both ingest, both start unpaused, neither catches up.
INGEST_DAG = {
    "start_date": START,
    "catchup": False,
    "is_paused_upon_creation": False,
    "default_args": RETRIES,
    "tags": ["resultsnight", "ingest"],
    "doc_md": __doc__,
}


@dag(
    dag_id="resultsnight_ingest",
    schedule=feed_inbox,
    # Two: one may be a dead run (until Airflow resets it) while the other
    # takes the files; more only fork task processes that find every file
    # already claimed by a lingering run.
    max_active_runs=2,
    **INGEST_DAG,
)
def resultsnight_ingest() -> None:
    @task
    def ingest(**context) -> dict:
        """Parse, validate, store, recompute and raise alerts (the sweep delivers them); archive after commit."""
        from pipeline.tasks import ingest_inbox

        events = [e.extra for evs in context["triggering_asset_events"].values() for e in evs]
        return ingest_inbox((context["dag_run"].conf or {}).get("files"), events)

    ingest()


@dag(
    dag_id="resultsnight_sweep",
    schedule=CronTriggerTimetable("* * * * *", timezone="UTC"),
    max_active_runs=1,
    **INGEST_DAG,
)
def resultsnight_sweep() -> None:
    @task
    def sweep() -> dict:
        """Ingest everything in the inbox and changed quarantined files (what an event may have missed)."""
        from pipeline.tasks import ingest_inbox

        return ingest_inbox()

    @task
    def deliver_alerts() -> dict:
        """Deliver alerts as they are raised for most of the minute (webhook or log), each attempt recorded."""
        from pipeline.tasks import deliver_alerts

        return deliver_alerts()

    # Side by side: delivery never waits for the sweep, nor the sweep for a receiver.
    sweep()
    deliver_alerts()


ingest_dag = resultsnight_ingest()
sweep_dag = resultsnight_sweep()
