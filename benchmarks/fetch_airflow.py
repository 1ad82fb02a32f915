"""Server → stored and server → alert under real Airflow, the fetch DAG bringing the files in.

A local Airflow stack (as benchmarks/latency.py) whose environment holds the
connection resultsnight_feed, so the resultsnight_fetch DAG polls a real FTP
server (pyftpdlib, tests/feed_servers.py) every second. The busiest minutes
of the replayed 2019 night are written onto the server at election-night
pace and at ten times that, as the agency's feeder does (the file, then
`.timestamp`); each file's latency runs from that write to its receipt row,
and for files that raised an alert, to the alert row. Each part's files
carry a comment naming the part and repeat, so the same names are new bytes
(the fetcher rightly delivers the same bytes under a name only once).

    python -m benchmarks.fetch_airflow [--runs 3] [--minutes 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path

from sqlalchemy import text

from benchmarks.latency import _busiest, _fmt, _slice
from pipeline.config import load_settings
from pipeline.rehearsal.stack import LocalStack
from pipeline.rehearsal.stories import plan_night
from pipeline.schema import reset_night
from tests.feed_servers import ServerProcess, free_port


def _feed(root: Path, msgs: list, speed: float, repeat: str) -> dict[str, float]:
    """Write the messages onto the server at pace; when each was announced (its .timestamp rewritten)."""
    folder = root / "live" / "results"
    first, t0, written = msgs[0].at, time.time(), {}
    for m in sorted(msgs, key=lambda m: m.at):
        due = t0 + (m.at - first).total_seconds() / speed
        time.sleep(max(0.0, due - time.time()))
        (folder / m.file_name).write_bytes(m.body + f"<!-- repeat {repeat} -->\n".encode())
        (folder / ".timestamp").write_text(f"{time.time():.5f}")
        written[m.file_name] = time.time()
    return written


def _latencies(engine, written: dict[str, float]) -> tuple[list[float], list[float]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "select r.file_name, extract(epoch from r.received_at), "
                "(select min(extract(epoch from a.raised_at)) from pipeline.alert a "
                " where a.declaration_id = any(r.declaration_ids)) from pipeline.receipt r"
            )
        ).all()
    stored, alerted = [], []
    for name, received, alert in rows:
        if name in written:
            stored.append(float(received) - written[name])
            if alert is not None:
                alerted.append(float(alert) - written[name])
    return stored, alerted


def _wait_stored(engine, n: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(text("select count(*) from pipeline.receipt")).scalar() >= n:
                return
        time.sleep(0.5)
    raise RuntimeError(f"fewer than {n} files stored after {timeout:.0f} s")


def main() -> None:
    from benchmarks.bench import bench_database
    from pipeline.db import get_engine
    from pipeline.schema import init_db

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=2.0)
    args = parser.parse_args()
    url = bench_database()
    data = load_settings().data_dir / "bench-fetch-airflow"
    shutil.rmtree(data / "server", ignore_errors=True)
    settings = load_settings({**os.environ, "DATABASE_URL": url, "RESULTSNIGHT_DATA_DIR": str(data)})
    engine = get_engine(settings)
    init_db(engine, settings)
    root = data / "server"
    for folder in ("results", "nominations"):
        (root / "live" / folder).mkdir(parents=True)
        (root / "live" / folder / ".timestamp").write_text(f"{time.time():.5f}")
    server = ServerProcess("ftp", root, free_port(), ["--user", "bench", "--password", "bench-pw"], data / "ftp.log")
    server.start()
    stack = LocalStack(
        settings=settings, results_url=url, home=data / "airflow", metadata_db="airflow_bench_fetch", port=free_port()
    )
    stack.extra_env.update(
        {
            "AIRFLOW_CONN_RESULTSNIGHT_FEED": f"ftp://bench:bench-pw@127.0.0.1:{server.port}/live",
            "RESULTSNIGHT_FETCH_POLL_SECONDS": "1",
        }
    )
    night = plan_night()
    start = _busiest(night, args.minutes)
    paces = {
        "election-night pace": (_slice(night, start, args.minutes), 1.0),
        "10x pace": (_slice(night, start, args.minutes * 10), 10.0),
    }
    rows = []
    stack.migrate()
    stack.start()
    try:
        stack.wait_ready()
        reset_night(engine)
        warm = [m for m in night if m.at < start][:1]  # the first task after start-up is cold
        _feed(root, warm, 1.0, "warm-up")
        _wait_stored(engine, 1, 180)
        for r in range(1, args.runs + 1):
            for label, (msgs, speed) in paces.items():
                reset_night(engine)
                written = _feed(root, msgs, speed, f"{label} {r}")
                _wait_stored(engine, len(msgs), 180)
                time.sleep(3)  # alerts of the last files
                stored, alerted = _latencies(engine, written)
                line = (
                    f"| {label}, repeat {r} ({len(stored)} files, {len(alerted)} alerts) "
                    f"| {_fmt(stored)} s | {_fmt(alerted)} s |"
                )
                print(line, flush=True)
                rows.append((label, stored, alerted))
    finally:
        stack.stop()
        server.kill()
    for label in paces:
        st = [statistics.median(s) for lab, s, _ in rows if lab == label]
        print(f"{label}: median of repeats' medians, server → stored {statistics.median(st):.2f} s")


if __name__ == "__main__":
    main()
