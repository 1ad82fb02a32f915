"""Server → stored and server → alert under real Airflow, the fetch DAG bringing the files in; beside it, inbox-only.

A local Airflow stack (as benchmarks/latency.py) whose environment holds the
connection resultsnight_feed, so the resultsnight_fetch DAG polls a real FTP
server (pyftpdlib, tests/feed_servers.py) every second. The busiest minutes
of the replayed 2019 night are written onto the server at election-night
pace and at ten times that, as the agency's feeder does (the file, then
`.timestamp`); each file's latency runs from that write to its receipt row,
and for files that raised an alert, to the alert row. A thread watching the
inbox splits it: server → inbox (the fetcher), inbox → stored (the ingest).
Then the same messages are written straight into the inbox of the same
stack (the fetch DAG still polling, idle): the inbox-only figure of the same
run. Each part's files carry a comment naming the part and repeat, so the
same names are new bytes (the fetcher rightly delivers the same bytes under
a name only once).

    python -m benchmarks.fetch_airflow [--runs 3] [--minutes 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import threading
import time
from pathlib import Path

from sqlalchemy import text

from benchmarks.fetch import load
from benchmarks.latency import _busiest, _fmt, _pct, _slice, receipt_latencies
from pipeline.config import load_settings
from pipeline.rehearsal.processes import free_port
from pipeline.rehearsal.stack import LocalStack
from pipeline.rehearsal.stories import plan_night
from pipeline.schema import reset_night
from tests.feed_servers import Feed, ServerProcess

PACES = {"election-night pace": 1.0, "10x pace": 10.0}


def _write(folder: Path, msgs: list, speed: float, tag: str, feed: Feed | None = None) -> dict[str, float]:
    """Write the messages at pace, onto the server (then its .timestamp) or into the inbox; when each landed."""
    first, t0, written = msgs[0].at, time.time(), {}
    for m in sorted(msgs, key=lambda m: m.at):
        due = t0 + (m.at - first).total_seconds() / speed
        time.sleep(max(0.0, due - time.time()))
        body = m.body + f"<!-- {tag} -->\n".encode()
        if feed is not None:
            feed.put("results", m.file_name, body)
        else:
            (folder / m.file_name).write_bytes(body)
        written[m.file_name] = time.time()
    return written


class InboxWatch:
    """When each name first appeared in the inbox (epoch seconds), seen every 10 ms from a thread."""

    def __init__(self, inbox: Path) -> None:
        self.inbox, self.seen, self.stop = inbox, {}, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.wait(0.01):
            now = time.time()
            with os.scandir(self.inbox) as entries:
                for e in entries:
                    if not e.name.startswith("."):
                        self.seen.setdefault(e.name, now)

    def end(self) -> dict[str, float]:
        self.stop.set()
        self.thread.join(5)
        return self.seen


def _wait_stored(engine, n: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            if conn.execute(text("select count(*) from pipeline.receipt")).scalar() >= n:
                return
        time.sleep(0.5)
    raise RuntimeError(f"fewer than {n} files stored after {timeout:.0f} s")


def _part(engine, inbox: Path, msgs: list, speed: float, tag: str, feed: Feed | None) -> dict:
    """One pace through one route (the server when `feed` is given, else the inbox): every latency of it."""
    reset_night(engine)
    watch = InboxWatch(inbox) if feed is not None else None
    written = _write(inbox, msgs, speed, tag, feed)
    _wait_stored(engine, len(msgs), 180)
    time.sleep(3)  # alerts of the last files
    stored, alerted = receipt_latencies(engine, written)
    out = {"files": len(stored), "to_stored": stored, "to_alert": alerted, "load": load()}
    if watch is not None:
        seen = watch.end()
        out["to_inbox"] = [seen[n] - t for n, t in written.items() if n in seen]
        out["inbox_to_stored"] = receipt_latencies(engine, {n: seen[n] for n in written if n in seen})[0]
    return out


def bench_fetch_airflow(runs: int = 3, minutes: float = 2.0) -> dict:
    """`runs` repeats of each pace through the server and through the inbox alone; figures and Markdown rows."""
    from benchmarks.bench import bench_database
    from pipeline.db import get_engine
    from pipeline.schema import init_db

    url = bench_database()
    data = load_settings().data_dir / "bench-fetch-airflow"
    shutil.rmtree(data / "server", ignore_errors=True)
    settings = load_settings({**os.environ, "DATABASE_URL": url, "RESULTSNIGHT_DATA_DIR": str(data)})
    engine = get_engine(settings)
    init_db(engine, settings)
    feed = Feed(data / "server")
    server = ServerProcess(
        "ftp", feed.root, free_port(), ["--user", "bench", "--password", "bench-pw"], data / "ftp.log"
    )
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
    start = _busiest(night, minutes)
    paces = {label: (_slice(night, start, minutes * speed), speed) for label, speed in PACES.items()}
    out: dict = {"parts": [], "rows": []}
    stack.migrate()
    stack.start()
    try:
        stack.wait_ready()
        reset_night(engine)
        warm = [m for m in night if m.at < start][:1]  # the first task after start-up is cold
        _write(settings.inbox, warm, 1.0, "warm-up", feed)
        _wait_stored(engine, 1, 180)
        for r in range(1, runs + 1):
            for label, (msgs, speed) in paces.items():
                for route in ("server", "inbox"):
                    part = _part(
                        engine, settings.inbox, msgs, speed, f"{label} {r} {route}", feed if route == "server" else None
                    )
                    out["parts"].append({"pace": label, "repeat": r, "route": route, **part})
                    out["rows"].append(_row(label, r, route, part))
                    print(out["rows"][-1], flush=True)
    finally:
        stack.stop()
        server.kill()
    return out


HEADER = (
    "| route, pace, repeat (files, alerts) | server or file → stored, median / p95 | → alert, median / p95 "
    "| server → inbox, median / p95 | inbox → stored, median / p95 | load (1, 5, 15 min) |\n"
    "| --- | --- | --- | --- | --- | --- |"
)


def _row(label: str, r: int, route: str, p: dict) -> str:
    split = f"| {_fmt(p['to_inbox'])} s | {_fmt(p['inbox_to_stored'])} s " if route == "server" else "| | "
    alert = f"{_fmt(p['to_alert'])} s" if p["to_alert"] else "none"
    return (
        f"| {'server (fetch DAG)' if route == 'server' else 'inbox only'}, {label}, repeat {r} "
        f"({p['files']} files, {len(p['to_alert'])} alerts) | {_fmt(p['to_stored'])} s | {alert} {split}| {p['load']} |"
    )


def summary(out: dict) -> list[str]:
    """Per pace and route: the median over repeats of each repeat's median and p95."""
    lines = []
    for label in PACES:
        for route in ("server", "inbox"):
            parts = [p for p in out["parts"] if p["pace"] == label and p["route"] == route]
            if not parts:
                continue
            figures = []
            for key in ("to_stored", "to_alert"):
                values = [p[key] for p in parts if p[key]]
                if values:
                    med = statistics.median(statistics.median(v) for v in values)
                    p95 = statistics.median(_pct(v, 0.95) for v in values)
                    figures.append(f"{key.replace('to_', '→ ')} {med:.2f} / {p95:.2f} s")
            lines.append(f"{route}, {label}: median of repeats' median / p95: " + "; ".join(figures))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=2.0)
    args = parser.parse_args()
    print(HEADER, flush=True)
    out = bench_fetch_airflow(args.runs, args.minutes)
    print("\n".join(summary(out)))


if __name__ == "__main__":
    main()
