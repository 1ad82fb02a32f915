"""`make demo`: Postgres, Airflow and a replayed 2019 night on one laptop.

    python -m pipeline.rehearsal.demo [--duration 120]   # start everything, replay, print the summary
    python -m pipeline.rehearsal.demo --stop             # stop Airflow and the embedded Postgres
"""

from __future__ import annotations

import argparse
import signal
import sys
import time

from pipeline.config import load_settings
from pipeline.db import analyst_psql_command, database_url, get_engine, stop_embedded
from pipeline.schema import init_db
from pipeline.rehearsal.stack import LocalStack


def _stack() -> LocalStack:
    settings = load_settings()
    return LocalStack(settings=settings, results_url=database_url(settings), home=settings.data_dir / "airflow")


def stop() -> None:
    """Stop every Airflow component of the demo, then the embedded Postgres."""
    settings = load_settings()
    if (settings.data_dir / "airflow" / "run").exists():
        LocalStack(settings=settings, results_url="postgresql+psycopg:///unused", home=settings.data_dir / "airflow").stop()
        print("stopped Airflow")
    if not settings.database_url and stop_embedded(settings):
        print("stopped the embedded Postgres")


def _wait_for_night(engine, files: int, timeout: float) -> None:
    from rich.progress import Progress

    from pipeline.db import sql

    deadline = time.monotonic() + timeout
    with Progress(transient=True) as progress:
        task = progress.add_task("Airflow ingesting the last files", total=files)
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                done = conn.execute(sql("queries/count_receipts")).scalar_one()
            progress.update(task, completed=min(done, files))
            if done >= files:
                return
            time.sleep(0.5)
    print(f"warning: only {done} of {files} files were processed after {timeout:.0f} s; see .data/airflow/run/*.log")


def demo(duration: float) -> None:
    """Start the stack, replay the night through it, print the summary."""
    from rich.console import Console

    from pipeline.rehearsal.bad_files import with_bad_files
    from pipeline.rehearsal.pacing import play
    from pipeline.rehearsal.stories import plan_night
    from pipeline.report import print_night_summary

    console = Console()
    settings = load_settings()
    stack = _stack()
    engine = get_engine(settings)
    console.print("[bold]1/4[/] results database: migrating and loading the 2017 baseline")
    init_db(engine, settings)
    console.print("[bold]2/4[/] Airflow: migrating its metadata database, starting api-server, scheduler, "
                  "dag-processor, triggerer on 127.0.0.1")
    stack.migrate()
    stack.start()
    stack.wait_ready()
    messages = with_bad_files(plan_night())  # three broken files too, to show the quarantine at work
    console.print(f"[bold]3/4[/] replaying the 2019 night: {len(messages)} agency messages (3 of them broken) "
                  f"in about {duration:.0f} s into {settings.inbox}")
    play(messages, settings.inbox, duration=duration, progress=True)
    _wait_for_night(engine, len({m.body for m in messages}), timeout=180)
    console.print("[bold]4/4[/] the night\n")
    print_night_summary(engine)
    board = _report_through_airflow(stack, settings.data_dir / "reports")
    console.print(
        f"\nAirflow UI:    http://127.0.0.1:{stack.port}  (DAGs resultsnight_ingest, resultsnight_sweep, resultsnight_report)\n"
        f"Analysts:      {analyst_psql_command(settings)}\n"
        f"Board:         {board or 'resultsnight report (the report DAG did not finish in time)'}\n"
        f"Again:         resultsnight summary | resultsnight report | trigger resultsnight_report in the UI\n"
        f"Logs:          {stack.run_dir}\n"
        "Stop it all:   make stop"
    )


def _report_through_airflow(stack: LocalStack, folder, timeout: float = 60):
    """Trigger the report DAG and wait for its board; the board's path, or None."""
    board = folder / "board.html"
    before = board.stat().st_mtime if board.exists() else 0.0
    stack.airflow("dags", "trigger", "resultsnight_report", check=False)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if board.exists() and board.stat().st_mtime > before:
            return board
        time.sleep(0.5)
    return None


def main() -> None:
    """Entry point for `python -m pipeline.rehearsal.demo`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=120, help="seconds to replay the night in")
    parser.add_argument("--stop", action="store_true", help="stop everything the demo started")
    args = parser.parse_args()
    if args.stop:
        stop()
        return

    def interrupted(signum, frame):
        print("\ninterrupted: stopping everything")
        stop()
        sys.exit(130)

    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    try:
        demo(args.duration)
    except Exception:
        stop()
        raise


if __name__ == "__main__":
    main()
