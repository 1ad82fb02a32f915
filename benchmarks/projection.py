"""Projection cost: the pure model, and refresh_projection against the database, at 1, 325 and 650 declared."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

MARKS = (1, 325, 650)


def bench_model(runs: int, calls: int = 200) -> dict:
    """Milliseconds per pj.project call on the 2019 night against 2017, median of `calls` per run."""
    from pipeline import backtest
    from pipeline import projection as pj

    r = backtest.load_election("parl.2019-12-12")
    band = pj.load_band()
    order = backtest.orders(r.base, "clock", 1, backtest.BACKTEST_SEED)[0]
    out: dict[int, list[float]] = {m: [] for m in MARKS}
    for _ in range(runs):
        for mark in MARKS:
            mask = np.zeros(len(r.base.gss_codes), dtype=bool)
            mask[order[:mark]] = True
            d = pj.declared_rows(r.base, mask, r.final)
            times = []
            for _ in range(calls):
                t = time.perf_counter()
                pj.project(r.base, d, band)
                times.append(time.perf_counter() - t)
            out[mark].append(statistics.median(times) * 1000)
    return {"ms": out}


def bench_refresh(engine, night: Path, runs: int) -> dict:
    """Milliseconds of refresh_projection (given the seat just stored) around each mark, and of storing that seat.

    The refresh runs in a transaction of its own right after the store and is
    timed without that transaction's begin and commit: what it would add to
    the storing transaction. The store (its own transaction, commit included)
    is timed in the same loop, so the two are measured under the same load.
    """
    from pipeline.ingest import prepare, store_one
    from pipeline.projection_store import refresh_projection
    from pipeline.resolve import load_reference
    from pipeline.schema import reset_night

    results = [p for p in sorted(night.iterdir(), key=lambda p: p.stat().st_mtime_ns) if "_result_" in p.name]
    firsts: dict[str, Path] = {}
    for p in results:  # one result file per seat (the first revision)
        firsts.setdefault(p.name.rsplit("_", 1)[0], p)
    with engine.connect() as conn:
        ref = load_reference(conn)
    out: dict[int, list[float]] = {m: [] for m in MARKS}
    store: dict[int, list[float]] = {m: [] for m in MARKS}
    for _ in range(runs):
        reset_night(engine)
        pending = prepare(engine, list(firsts.values()), ref)
        near: dict[int, list[float]] = {m: [] for m in MARKS}
        near_store: dict[int, list[float]] = {m: [] for m in MARKS}
        with engine.connect() as store_conn:
            for n, p in enumerate(pending, start=1):
                t = time.perf_counter()
                store_one(store_conn, p, ref)
                stored = time.perf_counter() - t
                with engine.begin() as conn:
                    t = time.perf_counter()
                    refresh_projection(conn, [d.gss_code for d in p.declarations])
                    dt = time.perf_counter() - t
                for mark in MARKS:
                    if mark - 10 < n <= mark + 10 or (mark == 1 and n <= 20):
                        near[mark].append(dt)
                        near_store[mark].append(stored)
        for mark in MARKS:
            out[mark].append(statistics.median(near[mark]) * 1000)
            store[mark].append(statistics.median(near_store[mark]) * 1000)
    return {"ms": out, "store_ms": store}
