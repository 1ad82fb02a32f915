"""`make demo`: Postgres, Airflow and a replayed night (2019 or 2024) on one laptop, from the feed to the alert.

The night is replayed onto a real FTP server on 127.0.0.1 (the agency's
folders `nominations/` and `results/`, with their `.timestamp`), and the
resultsnight_fetch DAG pulls it into the inbox as on the night.

    python -m pipeline.rehearsal.demo [--duration 120]   # start everything, replay, print the summary
    python -m pipeline.rehearsal.demo --direct           # the same, written straight into the inbox
    python -m pipeline.rehearsal.demo --election parl.2024-07-04   # the 2024 night against its notionals
    python -m pipeline.rehearsal.demo --stop             # stop Airflow and the embedded Postgres
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import Engine

from pipeline.config import Settings, load_settings
from pipeline.db import analyst_psql_command, database_url, get_engine, stop_embedded
from pipeline.rehearsal.processes import free_port
from pipeline.rehearsal.stack import LocalStack
from pipeline.schema import init_db


def _stack() -> LocalStack:
    settings = load_settings()
    return LocalStack(settings=settings, results_url=database_url(settings), home=settings.data_dir / "airflow")


BOARD_PORT = 8050


def _board_pid_file(settings: Settings) -> Path:
    return settings.data_dir / "board.pid"


def start_board(settings: Settings, url: str, port: int = BOARD_PORT, timeout: float = 60) -> str:
    """Start `resultsnight serve` in the background (its own process group); return the board's URL once it answers."""
    exe = str(Path(sys.executable).parent / "resultsnight")
    log = open(settings.data_dir / "board.log", "ab")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(
        [exe, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, "DATABASE_URL": url, "RESULTSNIGHT_DATA_DIR": str(settings.data_dir)},
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    log.close()
    _board_pid_file(settings).write_text(str(proc.pid))
    board = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"resultsnight serve exited; see {settings.data_dir / 'board.log'}")
        try:
            with urllib.request.urlopen(board + "healthz", timeout=2) as resp:  # noqa: S310 - our own loopback server
                if resp.status == 200:
                    return board
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the board did not answer on {board} within {timeout:.0f} s")


def stop_board(settings: Settings) -> bool:
    """SIGTERM the demo's board server if it runs; True if one was stopped."""
    return _stop_group(_board_pid_file(settings))


def _stop_group(pid_file: Path) -> bool:
    """SIGTERM the process group a pid file names (SIGKILL after 5 s); True if one was running."""
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text())
    pid_file.unlink()
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    for _ in range(50):
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    os.killpg(pid, signal.SIGKILL)
    return True


def stop() -> None:
    """Stop the board, every Airflow component of the demo, then the embedded Postgres."""
    settings = load_settings()
    if stop_board(settings):
        print("stopped the board")
    if stop_feed_server(settings):
        print("stopped the demo's FTP server")
    if (settings.data_dir / "airflow" / "run").exists():
        LocalStack(
            settings=settings, results_url="postgresql+psycopg:///unused", home=settings.data_dir / "airflow"
        ).stop()
        print("stopped Airflow")
    if not settings.database_url and stop_embedded(settings):
        print("stopped the embedded Postgres")


def _wait_for_night(engine: Engine, files: int, timeout: float) -> None:
    from rich.progress import Progress

    from pipeline.db import sql

    deadline = time.monotonic() + timeout
    with Progress(transient=True) as progress:
        task = progress.add_task("Airflow ingesting the last files", total=files)
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                done = conn.execute(sql("queries/ingest/count_receipts")).scalar_one()
            progress.update(task, completed=min(done, files))
            if done >= files:
                return
            time.sleep(0.5)
    print(f"warning: only {done} of {files} files were processed after {timeout:.0f} s; see .data/airflow/run/*.log")


def _ftp_pid_file(settings: Settings) -> Path:
    return settings.data_dir / "feed-ftp.pid"


def start_feed_server(settings: Settings) -> str:
    """Serve the replayed feed from a real FTP server on 127.0.0.1, as the agency does; the fetcher's URL for it."""
    import secrets
    import shutil

    from pipeline.rehearsal import ftp_server

    root = settings.data_dir / "feed"
    shutil.rmtree(root, ignore_errors=True)  # a new night on the server
    for folder in ("nominations", "results"):
        (root / folder).mkdir(parents=True)
        (root / folder / ".timestamp").write_text(f"{time.time():.5f}")
    password = secrets.token_urlsafe(12)  # this demo's own, never printed
    port = free_port()
    proc = ftp_server.start(root, port, "feed", password, settings.data_dir / "feed-ftp.log")
    _ftp_pid_file(settings).write_text(str(proc.pid))
    return f"ftp://feed:{password}@127.0.0.1:{port}/"


def stop_feed_server(settings: Settings) -> bool:
    """Stop the demo's FTP server if it runs; True if one was stopped."""
    return _stop_group(_ftp_pid_file(settings))


def demo(duration: float, direct: bool = False, election_id: str = "parl.2019-12-12") -> None:
    """Start the stack, replay the election's night (by FTP to the fetcher, or into the inbox), print the summary."""
    from rich.console import Console

    from pipeline.rehearsal.bad_files import with_bad_files
    from pipeline.rehearsal.pacing import play
    from pipeline.rehearsal.stories import plan_feed
    from pipeline.summary import print_night_summary

    console = Console()
    settings = load_settings()
    stack = _stack()
    engine = get_engine(settings)
    report = init_db(engine, settings, election_id=election_id)  # the board and the DAGs follow the count setting
    console.print(
        f"[bold]1/4[/] results database: migrated, counting {report.counting_election_id} "
        f"against {report.baseline_election_id}"
    )
    if not direct:
        feed_url = start_feed_server(settings)
        # The fetch DAG reads the Airflow connection resultsnight_feed, here from the environment.
        stack.extra_env.update({"AIRFLOW_CONN_RESULTSNIGHT_FEED": feed_url, "RESULTSNIGHT_FETCH_POLL_SECONDS": "1"})
        console.print(
            f"      the agency's server: a real FTP server on {feed_url.rsplit('@', 1)[1]} "
            f"serving {settings.data_dir / 'feed'} (read-only)"
        )
    console.print(
        "[bold]2/4[/] Airflow: migrating its metadata database, starting api-server, scheduler, "
        "dag-processor, triggerer on 127.0.0.1"
    )
    stack.migrate()
    stack.start()
    stack.wait_ready()
    live = start_board(settings, database_url(settings))
    console.print(f"      the live board: [bold]{live}[/] (open it now and watch the night arrive)")
    # Three broken files too, to show the quarantine at work.
    messages = with_bad_files(plan_feed(election_id=election_id), election_id=election_id)
    if direct:
        console.print(
            f"[bold]3/4[/] replaying the night of {election_id}: {len(messages)} agency messages (3 of them broken) "
            f"in about {duration:.0f} s into {settings.inbox}"
        )
        play(messages, settings.inbox, duration=duration, progress=True)
    else:
        console.print(
            f"[bold]3/4[/] replaying the night of {election_id} onto the FTP server: {len(messages)} agency messages "
            f"(3 of them broken) in about {duration:.0f} s; the resultsnight_fetch DAG brings each into "
            f"{settings.inbox}"
        )
        play(messages, settings.data_dir / "feed", duration=duration, progress=True, layout="agency")
    # A whole night under Airflow on a busy laptop can take minutes after its last file lands.
    _wait_for_night(engine, len({m.body for m in messages}), timeout=300)
    console.print("[bold]4/4[/] the night\n")
    print_night_summary(engine)
    board = _report_through_airflow(stack, settings.data_dir / "reports")
    console.print(
        f"\nAirflow UI:    http://127.0.0.1:{stack.port}  (DAGs resultsnight_fetch, resultsnight_ingest, "
        "resultsnight_sweep, resultsnight_report)\n"
        f"Analysts:      {analyst_psql_command(settings)}\n"
        f"Live board:    {live}  (JSON API under {live}api/v1/; the time slider replays the night)\n"
        f"Static board:  {board or 'resultsnight report (the report DAG did not finish in time)'}\n"
        f"Again:         resultsnight summary | resultsnight report | trigger resultsnight_report in the UI\n"
        f"Logs:          {stack.run_dir}\n"
        "Stop it all:   make stop"
    )


def _report_through_airflow(stack: LocalStack, folder: Path, timeout: float = 60) -> Path | None:
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
    parser.add_argument(
        "--direct",
        action="store_true",
        help="write the night straight into the inbox instead of serving it by FTP to the fetcher",
    )
    parser.add_argument(
        "--election",
        default=load_settings().election or "parl.2019-12-12",
        help="the night to replay and count: parl.2019-12-12 (default, or RESULTSNIGHT_ELECTION) or parl.2024-07-04",
    )
    args = parser.parse_args()
    if args.stop:
        stop()
        return

    def interrupted(signum: int, frame: object) -> None:
        print("\ninterrupted: stopping everything")
        stop()
        sys.exit(130)

    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    try:
        demo(args.duration, direct=args.direct, election_id=args.election)
    except Exception:
        stop()
        raise


if __name__ == "__main__":
    main()
