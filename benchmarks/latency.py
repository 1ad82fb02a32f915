"""Latency under real Airflow: from a file landing in the inbox to its rows in the database.

The busiest minutes of the replayed 2019 night are played into the inbox of
a local Airflow stack at election-night pace (real time) and at ten times
that, and 300 files are written in place within a second (a downloader
reconnecting), each `runs` times. For every file: landing time (its mtime, undated,
kept when it is archived) to its receipt row, written in the same
transaction as its alerts; and for the files that raised an alert, to the
alert row. Beside it, the same files ingested in-process one at a time:
what Airflow adds is the ratio. Then the scheduler is SIGKILLed mid-run and
restarted, and last SIGTERMed, timing its exit.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text

from pipeline.arrival import may_be_message
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


def receipt_latencies(engine, landed: dict[str, float]) -> tuple[list[float], list[float]]:
    """Seconds from each file's landing (epoch seconds, by name) to its receipt row, and to its first alert row."""
    with engine.connect() as conn:
        receipts = conn.execute(
            text(
                "select r.file_name, extract(epoch from r.received_at), "
                "(select min(extract(epoch from a.raised_at)) from pipeline.alert a "
                " where a.declaration_id = any(r.declaration_ids)) "
                "from pipeline.receipt r"
            )
        ).all()
    to_receipt, to_alert = [], []
    for name, received, alerted in receipts:
        if name not in landed:
            continue
        to_receipt.append(float(received) - landed[name])
        if alerted is not None:
            to_alert.append(float(alerted) - landed[name])
    return to_receipt, to_alert


def _latencies(engine, archive: Path) -> tuple[list[float], list[float]]:
    # Landing time: the file's mtime, kept when it is archived.
    return receipt_latencies(engine, {p.name: p.stat().st_mtime for p in archive.iterdir() if p.is_file()})


def _in_process(engine, settings, msgs) -> list[float]:
    """Per-file time of the same work in a warm process, one file per ingest call (no settle wait)."""
    import dataclasses

    settings = dataclasses.replace(settings, settle_seconds=0.0)
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


def _drain(settings, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while any(may_be_message(p.name) for p in settings.inbox.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1)  # the last receipts commit before their file is archived


def _burst(engine, settings, msgs) -> dict:
    """300 files written in place within a second (a downloader reconnecting); when was each stored."""
    reset_night(engine)
    first = time.time()
    for m in msgs:
        (settings.inbox / m.file_name).write_bytes(m.body)
    landed_all = time.time() - first
    _drain(settings, 120)
    rec, alr = _latencies(engine, settings.archive)
    with engine.connect() as conn:
        last = conn.execute(text("select extract(epoch from max(received_at)) from pipeline.receipt")).scalar()
    return {
        "files": len(rec),
        "to_receipt": rec,
        "to_alert": alr,
        "written_in_s": landed_all,
        "all_stored_after_s": float(last) - first,
    }


def _recovery(stack: LocalStack, engine, settings, night: list, repeats: int) -> list[float]:
    """Seconds from a file landing just after a scheduler crash (and prompt restart) to its receipt row.

    Two runs may overlap (max_active_runs=2), so the dead scheduler's run
    does not hold up the next file. Either a task the dead scheduler had
    started takes it (task processes have a process group of their own, so
    the SIGKILL misses them, and a run lingers for more files), or the
    restarted scheduler creates and starts a run once it is up. The dead
    run's task is reset as orphaned once the heartbeat is stale
    (deploy/airflow-latency.env).
    """
    results = [m for m in night if m.kind == "result"]
    waits = []
    for i in range(repeats):
        reset_night(engine)
        first, second = results[2 * i], results[2 * i + 1]
        play([first], settings.inbox, speed=0, progress=False, dated=False)
        deadline = time.monotonic() + 60
        while stack.active_runs() == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        stack.stop(("scheduler",), hard=True)
        stack.start(("scheduler",))
        play([second], settings.inbox, speed=0, progress=False, dated=False)
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
        while any(may_be_message(p.name) for p in settings.inbox.iterdir()):
            time.sleep(0.2)
    return waits


def _fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} / {_pct(values, 0.95):.2f}"


PARTS = ("election-night pace", "10x pace", "burst", "crash")


def _airflow_counts(stack: LocalStack, since: float) -> dict:
    """Asset events, runs and events no run consumed since a moment: what Airflow did with the watcher's events."""
    rows = stack.query_metadata(
        "select (select count(*) from asset_event where timestamp >= to_timestamp(%s)),"
        " (select count(*) from asset_event e where timestamp >= to_timestamp(%s) and not exists"
        "   (select 1 from dagrun_asset_event d where d.event_id = e.id)),"
        " (select count(*) from dag_run where dag_id = 'resultsnight_ingest' and run_after >= to_timestamp(%s))",
        (since, since, since),
    )
    events, unconsumed, runs = rows[0]
    return {"asset_events": events, "events_no_run_consumed": unconsumed, "ingest_runs": runs}


def _wait_idle(stack: LocalStack, timeout: float = 30.0) -> None:
    """Until no ingest run is going (a run lingers for more files): a burst after a quiet spell meets an idle stack."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stack.active_runs() == 0:
            return
        time.sleep(0.2)


def bench_latency(runs: int = 3, minutes: float = 2.0, crashes: int = 5, parts: tuple[str, ...] = PARTS) -> dict:
    """Replay the night's busiest minutes through a live stack, `runs` times; return figures and Markdown rows."""
    from benchmarks.bench import bench_database
    from pipeline.db import get_engine
    from pipeline.schema import init_db

    url = bench_database()
    base = load_settings()
    data = base.data_dir / "bench-airflow"
    settings = load_settings({**os.environ, "DATABASE_URL": url, "RESULTSNIGHT_DATA_DIR": str(data)})
    engine = get_engine(settings)
    init_db(engine, settings)
    stack = LocalStack(
        settings=settings, results_url=url, home=data / "airflow", metadata_db="airflow_bench", port=8093
    )
    stack.migrate()
    stack.start()
    night = plan_night()
    start = _busiest(night, minutes)
    all_paces = {"election-night pace": _slice(night, start, minutes), "10x pace": _slice(night, start, minutes * 10)}
    paces = {k: v for k, v in all_paces.items() if k in parts}
    burst_msgs = [m for m in night if m.kind in ("rush", "result")][:300]
    out: dict = {"repeats": [], "rows": []}
    try:
        stack.wait_ready()
        # One file first: the first task after start-up is slower (cold caches);
        # the figures are for a stack that is already running, as on the night.
        play([m for m in night if m.at < start][:1], settings.inbox, speed=0, progress=False, dated=False)
        _drain(settings, 60)
        for r in range(runs):
            rep: dict = {}
            for label, msgs in paces.items():
                reset_night(engine)
                since = time.time()
                play(
                    msgs,
                    settings.inbox,
                    speed=1.0 if label.startswith("election") else 10.0,
                    progress=False,
                    dated=False,
                )
                _drain(settings, 120)
                rec, alr = _latencies(engine, settings.archive)
                rep[label] = {"files": len(rec), "to_receipt": rec, "to_alert": alr, **_airflow_counts(stack, since)}
            if "burst" in parts:
                _wait_idle(stack)
                since = time.time()
                rep["burst"] = {**_burst(engine, settings, burst_msgs), **_airflow_counts(stack, since)}
            out["repeats"].append(rep)
            print(
                f"repeat {r + 1}/{runs}: "
                + "; ".join(
                    f"{k} stored {_fmt(v['to_receipt'])} s, alert {_fmt(v['to_alert'])} s"
                    + (f", all stored after {v['all_stored_after_s']:.1f} s" if k == "burst" else "")
                    + f" ({v['asset_events']} events, {v['events_no_run_consumed']} consumed by no run,"
                    f" {v['ingest_runs']} runs)"
                    for k, v in rep.items()
                ),
                flush=True,
            )
        if "crash" in parts:
            rec = _recovery(stack, engine, settings, night, repeats=crashes)
            out["scheduler_crash"] = rec
            print("scheduler crash, next file stored after: " + ", ".join(f"{x:.1f}" for x in rec) + " s", flush=True)
            out["sigterm_exit_s"] = _sigterm_exit(stack)
    finally:
        stack.stop()
    local = _in_process(engine, settings, all_paces["election-night pace"])
    out["in_process"] = local
    loc = statistics.median(local)
    for label in [k for k in (*paces, "burst") if k in parts]:
        for r, rep in enumerate(out["repeats"], start=1):
            v = rep[label]
            extra = (
                f"; all {v['files']} stored {v['all_stored_after_s']:.1f} s after the first landed"
                if label == "burst"
                else ""
            )
            out["rows"].append(
                f"| {label}, repeat {r} ({v['files']} files, {len(v['to_alert'])} alerts) | {_fmt(v['to_receipt'])} s "
                f"| {_fmt(v['to_alert'])} s | {statistics.median(v['to_receipt']) / loc:.1f}{extra} |"
            )
    out["rows"].append(f"| in-process, same files one call each ({len(local)} files) | {_fmt(local)} s | | 1 |")
    if "crash" in parts:
        out["rows"].append(
            f"| scheduler SIGKILLed mid-run, restarted at once ({len(rec)} times): next file → stored | "
            f"median {statistics.median(rec):.1f} s, max {max(rec):.1f} s "
            f"(each: {', '.join(f'{x:.1f}' for x in rec)}) | | |"
        )
        out["rows"].append(f"| scheduler SIGTERM → exited | {out['sigterm_exit_s']:.1f} s | | |")
    return out


def _sigterm_exit(stack: LocalStack) -> float:
    """Seconds from SIGTERM to the scheduler's whole process group being gone."""
    from pipeline.rehearsal.processes import group_alive

    pid = stack.pid("scheduler")
    t = time.monotonic()
    os.killpg(pid, 15)
    while group_alive(pid) and time.monotonic() - t < 60:
        time.sleep(0.05)
    took = time.monotonic() - t
    stack.stop(("scheduler",))
    return took
