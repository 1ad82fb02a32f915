"""Ingest the feed the moment files land in the inbox, with a one-minute sweep as a safety net.

Wiring only: each task calls one function in pipeline.tasks. The inbox
watcher (plugins/resultsnight_triggers.py) fires an asset event per batch of
new files; a run ingests everything in the inbox at that moment, because
Airflow merges events that arrive while a run is going (max_active_runs=1)
and the trigger's file list is only a hint.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import Asset, AssetOrTimeSchedule, AssetWatcher, CronTriggerTimetable, dag, task
from resultsnight_triggers import InboxTrigger

from pipeline.config import load_settings

INBOX = str(load_settings().inbox)

feed_inbox = Asset(
    name="resultsnight_inbox",
    uri=f"file://{INBOX}",
    watchers=[AssetWatcher(name="resultsnight_inbox_watcher", trigger=InboxTrigger(directory=INBOX))],
)

RETRIES = {"retries": 5, "retry_delay": timedelta(seconds=3), "retry_exponential_backoff": True}


@dag(
    dag_id="resultsnight_ingest",
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable("* * * * *", timezone="UTC"), assets=feed_inbox),
    start_date=pendulum.datetime(2019, 12, 12, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    is_paused_upon_creation=False,
    default_args=RETRIES,
    tags=["resultsnight", "ingest"],
    doc_md=__doc__,
)
def resultsnight_ingest():
    @task
    def ingest(**context) -> dict:
        """Parse, validate (great-expectations), store, recompute, raise alerts; archive after commit."""
        from pipeline.tasks import ingest_inbox

        return ingest_inbox((context["dag_run"].conf or {}).get("files"))

    @task
    def deliver_alerts() -> dict:
        """Send alerts not yet delivered (webhook or log)."""
        from pipeline.tasks import deliver_alerts

        return deliver_alerts()

    ingest() >> deliver_alerts()


ingest_dag = resultsnight_ingest()
