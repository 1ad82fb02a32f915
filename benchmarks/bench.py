"""`make bench`: rerunnable measurements of ingest speed and recompute cost.

Uses its own database (`resultsnight_bench`) on the embedded server (or on
DATABASE_URL's server), so it never touches the night's data. Prints a
Markdown table; BENCHMARKS.md records the figures with the machine they came from.

    python benchmarks/bench.py [--runs 5] [--only ingest,feed,command,recompute,projection,airflow,fetch,fetch-airflow]

`fetch` is the fetcher against a real FTP and SFTP server (benchmarks/fetch.py:
server → inbox, idle load, a reconnect after 30 s down); `fetch-airflow` the
fetch DAG under a local Airflow stack, server → stored and → alert beside
the inbox-only figure of the same run (benchmarks/fetch_airflow.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from pipeline.config import load_settings
from pipeline.db import database_url
from pipeline.ingest import ingest_paths, prepare, store_one
from pipeline.rehearsal.pacing import play
from pipeline.rehearsal.stories import plan_feed, plan_night
from pipeline.resolve import load_reference
from pipeline.schema import init_db, reset_night

ROOT = Path(__file__).resolve().parent.parent


def bench_database() -> str:
    """The URL of a scratch database for benchmarks, created if missing."""
    import psycopg

    url = make_url(database_url(load_settings()))
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = 'resultsnight_bench'").fetchone():
            conn.execute("create database resultsnight_bench")
    return url.set(database="resultsnight_bench").render_as_string(hide_password=False)


def bench_ingest_warm(engine, settings, night: Path, runs: int) -> dict:
    """Files per second of ingest_paths over the whole night, in a process already warm."""
    reset_night(engine)
    ingest_paths(engine, [night], settings=settings)  # warm-up: imports GX, fills caches
    rates = []
    for _ in range(runs):
        reset_night(engine)
        t = time.perf_counter()
        summary = ingest_paths(engine, [night], settings=settings)
        elapsed = time.perf_counter() - t
        assert summary.counts["quarantined"] == 0
        rates.append(len(summary.files) / elapsed)
    return {"files": len(summary.files), "files_per_s": rates, "median_files_per_s": statistics.median(rates)}


def bench_command(engine, url: str, night: Path, runs: int) -> dict:
    """Wall time of the whole `resultsnight ingest` command over the night, start-up included."""
    walls = []
    env = {**os.environ, "DATABASE_URL": url}
    exe = str(Path(sys.executable).parent / "resultsnight")
    for _ in range(runs):
        reset_night(engine)
        t = time.perf_counter()
        subprocess.run(
            [exe, "ingest", "--json", str(night)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        walls.append(time.perf_counter() - t)
    help_t = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([exe, "--help"], check=True, stdout=subprocess.DEVNULL)
        help_t.append(time.perf_counter() - t)
    return {"wall_s": walls, "median_wall_s": statistics.median(walls), "median_help_s": statistics.median(help_t)}


def bench_recompute(engine, settings, night: Path, runs: int) -> dict:
    """Per-declaration store-and-recompute cost, and analyst view cost, at 1, 325 and 650 declared."""
    results_only = [p for p in sorted(night.iterdir(), key=lambda p: p.stat().st_mtime_ns) if "_result_" in p.name]
    firsts: dict[str, Path] = {}
    for p in results_only:  # one result file per seat (the first revision)
        firsts.setdefault(p.name.rsplit("_", 1)[0], p)
    files = list(firsts.values())
    marks = {1: [], 325: [], 650: []}
    views = {1: [], 325: [], 650: []}
    with engine.connect() as conn:
        ref = load_reference(conn)
    for _ in range(runs):
        reset_night(engine)
        pending = prepare(engine, files, ref)  # parse + GX once, outside the timed part
        with engine.connect() as store_conn:
            for n, p in enumerate(pending, start=1):
                t = time.perf_counter()
                store_one(store_conn, p, ref)
                dt = time.perf_counter() - t
                for mark in marks:
                    if mark - 10 < n <= mark + 10 or (mark == 1 and n <= 20):
                        marks[mark].append(dt)
                if n in views:
                    t = time.perf_counter()
                    with engine.connect() as conn:
                        conn.execute(text("select * from results.party_tally")).all()
                        conn.execute(text("select * from results.seat_status")).all()
                        conn.execute(text("select * from results.targets")).all()
                    views[n].append(time.perf_counter() - t)
    med = {k: statistics.median(v) * 1000 for k, v in marks.items()}
    vmed = {k: statistics.median(v) * 1000 for k, v in views.items()}
    return {
        "store_ms": med,
        "views_ms": vmed,
        "ratio_650_over_1": med[650] / med[1],
        "views_ratio_650_over_1": vmed[650] / vmed[1],
    }


def main() -> None:
    """Run the benchmarks and print a Markdown summary."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="ingest,feed,command,recompute,projection,airflow,fetch,fetch-airflow")
    parser.add_argument("--airflow-runs", type=int, default=3, help="repeats of the Airflow latency part")
    parser.add_argument("--minutes", type=float, default=2.0, help="minutes of the busiest hour replayed per pace")
    parser.add_argument(
        "--airflow-parts",
        default="election-night pace,10x pace,burst,crash",
        help="which parts of the Airflow latency benchmark to run",
    )
    parser.add_argument("--crashes", type=int, default=5, help="scheduler SIGKILLs in the Airflow part")
    parser.add_argument("--out", type=Path, default=ROOT / ".data" / "bench-latest.json", help="raw figures (JSON)")
    args = parser.parse_args()
    only = set(args.only.split(","))

    import logging

    logging.getLogger("resultsnight.alerts").setLevel(logging.ERROR)  # 87 alerts a run, five runs
    url = bench_database()
    settings = load_settings({**os.environ, "DATABASE_URL": url})
    from pipeline.db import get_engine

    engine = get_engine(settings)
    init_db(engine, settings)
    out: dict = {"runs": args.runs, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        night = Path(tmp) / "night"
        play(plan_night(), night, speed=0, progress=False)
        if "ingest" in only:
            out["ingest"] = bench_ingest_warm(engine, settings, night, args.runs)
        if "feed" in only:
            # The whole feed as the agency sends it: nominations and states of the parties among the results.
            feed = Path(tmp) / "feed"
            play(plan_feed(), feed, speed=0, progress=False)
            out["feed"] = bench_ingest_warm(engine, settings, feed, args.runs)
        if "command" in only:
            out["command"] = bench_command(engine, url, night, args.runs)
        if "recompute" in only:
            out["recompute"] = bench_recompute(engine, settings, night, args.runs)
        if "projection" in only:
            from benchmarks.projection import bench_model, bench_refresh

            out["projection"] = {"model": bench_model(args.runs), "refresh": bench_refresh(engine, night, args.runs)}
    if "airflow" in only:
        try:
            from benchmarks.latency import bench_latency
        except ImportError:
            bench_latency = None
        if bench_latency is not None:
            parts = tuple(p.strip() for p in args.airflow_parts.split(","))
            out["airflow"] = bench_latency(args.airflow_runs, args.minutes, args.crashes, parts)
    if "fetch" in only:
        from benchmarks.fetch import bench_fetch

        out["fetch"] = bench_fetch(engine, runs=args.airflow_runs)
    if "fetch-airflow" in only:
        from benchmarks.fetch_airflow import bench_fetch_airflow

        out["fetch_airflow"] = bench_fetch_airflow(args.airflow_runs, args.minutes)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2, default=str))
    print(f"\n## make bench ({args.runs} runs, {os.cpu_count()} cores)\n")
    print("| measure | median | goal |\n| --- | --- | --- |")
    if "ingest" in out:
        i = out["ingest"]
        print(f"| ingest, warm process ({i['files']} files) | {i['median_files_per_s']:.0f} files/s | ≥ 300 files/s |")
    if "feed" in out:
        i = out["feed"]
        print(
            f"| ingest, warm process, the whole feed with nominations and states of the parties ({i['files']} files)"
            f" | {i['median_files_per_s']:.0f} files/s | |"
        )
    if "command" in out:
        c = out["command"]
        print(f"| `resultsnight ingest` whole night, wall | {c['median_wall_s']:.2f} s | < 10 s |")
        print(f"| `resultsnight --help`, wall | {c['median_help_s']:.2f} s | |")
    if "recompute" in out:
        r = out["recompute"]
        for k, v in r["store_ms"].items():
            print(f"| store + recompute one declaration at {k} declared | {v:.2f} ms | |")
        print(f"| ratio at 650 / at 1 | {r['ratio_650_over_1']:.2f} | ≈ 1 |")
        for k, v in r["views_ms"].items():
            print(f"| read party_tally + seat_status + targets at {k} declared | {v:.1f} ms | |")
    if "projection" in out:
        pr = out["projection"]
        for label, figures in (
            ("projection model, one call", pr["model"]["ms"]),
            ("refresh_projection in the storing transaction", pr["refresh"]["ms"]),
            ("(same loop) store one result, own transaction", pr["refresh"]["store_ms"]),
        ):
            for k, v in figures.items():
                spread = f"{min(v):.2f}–{max(v):.2f}"
                print(f"| {label}, {k} declared | {statistics.median(v):.2f} ms ({spread}) | < 20 ms, flat |")
    if "airflow" in out:
        print(
            "\n| Airflow (LocalExecutor) | file → stored, median / p95 | file → alert, median / p95 "
            "| Airflow / in-process |"
        )
        print("| --- | --- | --- | --- |")
        for row in out["airflow"].get("rows", []):
            print(row)
    if "fetch" in out:
        from benchmarks.fetch import HEADER

        print("\n" + HEADER.format(files=20, poll=1))
        print("\n".join(out["fetch"]["rows"]))
    if "fetch_airflow" in out:
        from benchmarks.fetch_airflow import HEADER, summary

        print("\n" + HEADER)
        print("\n".join(out["fetch_airflow"]["rows"]))
        print("\n".join(summary(out["fetch_airflow"])))


if __name__ == "__main__":
    main()
