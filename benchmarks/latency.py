"""Latency under real Airflow: from a file landing in the inbox to its rows in the database.

A slice of the 2019 night's busiest hours is replayed into the inbox of a
local Airflow stack, at election-night pace (real time) and at ten times
that. For every file: landing time (its mtime, kept when it is archived) to
its receipt row, written in the same transaction as its alerts; and for the
files that raised an alert, to the alert row. Beside it, the same files
ingested in-process one at a time: what Airflow adds is the difference.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from pipeline.config import load_settings
from pipeline.ingest import ingest_paths
from pipeline.rehearsal.pacing import play
from pipeline.rehearsal.stack import LocalStack
from pipeline.rehearsal.stories import plan_night
from pipeline.schema import reset_night



def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))]


def _busiest(msgs: list, minutes: float):
    """Start of the busiest `minutes`-long window of the night (about 03:50 in the 2019 replay)."""
    span = timedelta(minutes=minutes)
    return max(msgs, key=lambda m: sum(1 for n in msgs if m.at <= n.at < m.at + span)).at


def _slice(msgs: list, start, minutes: float) -> list:
    return [m for m in msgs if start <= m.at < start + timedelta(minutes=minutes)]


def _latencies(engine, archive: Path) -> tuple[list[float], list[float]]:
    with engine.connect() as conn:
        receipts = conn.execute(text(
            "select r.file_name, extract(epoch from r.received_at), "
            "(select min(extract(epoch from a.raised_at)) from pipeline.alert a "
            " where a.declaration_id = any(r.declaration_ids)) "
            "from pipeline.receipt r"
        )).all()
    to_receipt, to_alert = [], []
    for name, received, alerted in receipts:
        path = archive / name
        if not path.exists():
            continue
        landed = path.stat().st_mtime
        to_receipt.append(float(received) - landed)
        if alerted is not None:
            to_alert.append(float(alerted) - landed)
    return to_receipt, to_alert


def _in_process(engine, settings, msgs) -> list[float]:
    """Per-file time of the same work in a warm process, one file per ingest call."""
    reset_night(engine)
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ingest_paths(engine, [], settings=settings)  # warm
        for m in msgs:
            path = folder / m.file_name
            path.write_bytes(m.body)
            t = time.perf_counter()
            ingest_paths(engine, [path], settings=settings)
            times.append(time.perf_counter() - t)
    return times


def _recovery(stack: LocalStack, engine, settings, night: list, repeats: int) -> list[float]:
    """Seconds from a file landing just after a scheduler crash (and prompt restart) to its receipt row.

    The dead scheduler's run holds max_active_runs=1 until it is recovered,
    so this is how long the feed stalls; deploy/airflow-latency.env sets how
    soon a silent scheduler counts as dead.
    """
    results = [m for m in night if m.kind == "result"]
    waits = []
    for i in range(repeats):
        reset_night(engine)
        first, second = results[2 * i], results[2 * i + 1]
        play([first], settings.inbox, speed=0, progress=False)
        deadline = time.monotonic() + 60
        while stack.active_runs() == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        stack.stop(("scheduler",), hard=True)
        stack.start(("scheduler",))
        play([second], settings.inbox, speed=0, progress=False)
        landed = (settings.inbox / second.file_name).stat().st_mtime
        deadline = time.monotonic() + 600
        received = None
        while received is None and time.monotonic() < deadline:
            with engine.connect() as conn:
                received = conn.execute(
                    text("select extract(epoch from received_at) from pipeline.receipt where file_name = :n"),
                    {"n": second.file_name},
                ).scalar()
            time.sleep(0.2)
        if received is None:
            raise RuntimeError(f"{second.file_name} was not stored 600 s after the scheduler restarted")
        waits.append(float(received) - landed)
        while any(settings.inbox.iterdir()):
            time.sleep(0.2)
    return waits


def bench_latency(runs: int, minutes: float = 5.0) -> dict:
    """Replay two slices through a live stack; return figures and Markdown rows."""
    from benchmarks.bench import bench_database
    from pipeline.db import get_engine
    from pipeline.schema import init_db

    url = bench_database()
    base = load_settings()
    data = base.data_dir / "bench-airflow"
    settings = load_settings({**os.environ, "DATABASE_URL": url, "RESULTSNIGHT_DATA_DIR": str(data)})
    engine = get_engine(settings)
    init_db(engine, settings)
    stack = LocalStack(settings=settings, results_url=url, home=data / "airflow", metadata_db="airflow_bench", port=8093)
    stack.migrate()
    stack.start()
    out: dict = {"rows": []}
    try:
        stack.wait_ready()
        night = plan_night()
        start = _busiest(night, minutes)
        msgs = _slice(night, start, minutes)
        # One file first: the first task after start-up is slower (cold caches);
        # the figures are for a stack that is already running, as on the night.
        warm = [m for m in night if m.at < start][:1]
        play(warm, settings.inbox, speed=0, progress=False)
        while any(settings.inbox.iterdir()):
            time.sleep(0.2)
        for label, speed in (("election-night pace", 1.0), ("10x election-night pace", 10.0)):
            reset_night(engine)
            batch = msgs if speed == 1.0 else _slice(night, start, minutes * speed)
            play(batch, settings.inbox, speed=speed, progress=False)
            deadline = time.monotonic() + 120
            while any(settings.inbox.iterdir()) and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(2)
            rec, alr = _latencies(engine, settings.archive)
            out[label] = {"files": len(rec), "to_receipt": rec, "to_alert": alr}
            out["rows"].append(
                f"| Airflow, {label} ({len(rec)} files in {minutes:.0f} min): file → stored | "
                f"median {statistics.median(rec):.2f} s, p95 {_pct(rec, 0.95):.2f} s | median < 2 s, p95 < 4 s |"
            )
            if alr:
                out["rows"].append(
                    f"| Airflow, {label} ({len(alr)} alerts): file → alert row | "
                    f"median {statistics.median(alr):.2f} s, p95 {_pct(alr, 0.95):.2f} s | median < 2 s, p95 < 4 s |"
                )
        rec = _recovery(stack, engine, settings, night, repeats=max(3, runs))
        out["scheduler_crash"] = rec
        out["rows"].append(
            f"| Airflow, scheduler SIGKILLed mid-run and restarted at once ({len(rec)} times): next file → stored | "
            f"median {statistics.median(rec):.1f} s, max {max(rec):.1f} s | |"
        )
    finally:
        stack.stop()
    local = _in_process(engine, settings, msgs)
    out["in_process"] = local
    out["rows"].append(
        f"| in-process, same files one at a time: file → stored | median {statistics.median(local):.3f} s, "
        f"p95 {_pct(local, 0.95):.3f} s | |"
    )
    return out
