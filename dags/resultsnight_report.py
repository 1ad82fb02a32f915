"""Report the night on demand: the tally, the flips, quarantined files, as Markdown and an HTML board."""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import dag, task


@dag(
    dag_id="resultsnight_report",
    schedule=None,
    start_date=pendulum.datetime(2019, 12, 12, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=False,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=5)},
    tags=["resultsnight", "report"],
    doc_md=__doc__,
)
def resultsnight_report() -> None:
    @task
    def report(**context) -> dict:
        """Write reports/night-*.md and board.html under the data folder."""
        from pipeline.tasks import night_report

        return night_report((context["dag_run"].conf or {}).get("out_dir"))

    report()


report_dag = resultsnight_report()
