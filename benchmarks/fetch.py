"""The feed fetcher: server → inbox latency at a 1 s poll, and the load it puts on an idle server.

A real FTP server (pyftpdlib, tests/feed_servers.py) on 127.0.0.1 serves a
folder this script writes into as the agency's feeder does (the file, then
the folder's .timestamp), at random moments out of step with the poll. The
fetcher (pipeline.fetch, the code the CLI and the DAG run) polls in a thread;
the latency of a file is from the moment its .timestamp was rewritten to the
moment it appears in the inbox under its name. Then nothing changes for a
while and the server's command log says what an idle fetcher costs it.

    python -m benchmarks.fetch [--runs 3] [--files 20] [--idle 30] [--poll 1] [--backlog 100 --down 30]

With --backlog N the script measures instead a reconnect: the server is
killed while the fetcher polls, N files are written during --down seconds,
the server comes back, and the time from its return until the last file is
in the inbox is the figure.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from benchmarks.bench import bench_database
from pipeline.config import load_settings
from pipeline.db import get_engine
from pipeline.fetch.address import FeedAddress
from pipeline.fetch.client import open_client
from pipeline.fetch.loop import Fetcher
from pipeline.schema import init_db, reset_night
from tests.feed_servers import ServerProcess, free_port, ftp_commands


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def one_run(engine, tmp: Path, files: int, idle: float, poll: float, seed: int) -> dict:
    """One server, one fetcher: latencies of `files` files, then `idle` seconds of nothing new."""
    rng = random.Random(seed)
    root, inbox = tmp / "server", tmp / "inbox"
    for folder in ("results", "nominations"):
        (root / "live" / folder).mkdir(parents=True)
        (root / "live" / folder / ".timestamp").write_text(f"{time.time():.5f}")
    server = ServerProcess(
        "ftp",
        root,
        free_port(),
        ["--user", "bench", "--password", "bench-pw", "--commands", str(tmp / "commands.log")],
        tmp / "ftp.log",
    ).start()
    address = FeedAddress.from_url(f"ftp://bench:bench-pw@127.0.0.1:{server.port}/live")
    reset_night(engine)
    fetcher = Fetcher(open_client(address), address, inbox, engine, poll_seconds=poll)
    stop = threading.Event()
    thread = threading.Thread(target=fetcher.run, kwargs={"stop": stop}, daemon=True)
    thread.start()
    latencies = []
    try:
        time.sleep(2 * poll)  # connected, first listings done
        for i in range(files):
            time.sleep(rng.uniform(0.3, 2.0))
            name = f"General_Election_result_Bench_Seat_{seed}_{i}.xml"
            (root / "live" / "results" / name).write_bytes(b"<FirstPastThePostResult/>\n" * 40)
            (root / "live" / "results" / ".timestamp").write_text(f"{time.time():.5f}")
            announced = time.monotonic()
            while not (inbox / name).exists():
                if time.monotonic() - announced > 30:
                    raise RuntimeError(f"{name} did not arrive in 30 s")
                time.sleep(0.005)
            latencies.append(time.monotonic() - announced)
        time.sleep(2 * poll)
        before = ftp_commands(tmp / "commands.log")
        time.sleep(idle)
        quiet = ftp_commands(tmp / "commands.log") - before
    finally:
        stop.set()
        thread.join(30)
        server.kill()
    per_minute = {cmd: n * 60 / idle for cmd, n in sorted(quiet.items())}
    return {
        "median_s": statistics.median(latencies),
        "p95_s": _p95(latencies),
        "max_s": max(latencies),
        "idle_per_minute": per_minute,
        "idle_listings": sum(quiet[c] for c in ("LIST", "MLSD", "NLST")),
    }


def backlog_run(engine, tmp: Path, files: int, down: float, poll: float) -> dict:
    """Seconds from the server's return until `files` files written while it was down are all in the inbox."""
    root, inbox = tmp / "server", tmp / "inbox"
    for folder in ("results", "nominations"):
        (root / "live" / folder).mkdir(parents=True)
        (root / "live" / folder / ".timestamp").write_text(f"{time.time():.5f}")
    server = ServerProcess(
        "ftp", root, free_port(), ["--user", "bench", "--password", "bench-pw"], tmp / "ftp.log"
    ).start()
    address = FeedAddress.from_url(f"ftp://bench:bench-pw@127.0.0.1:{server.port}/live")
    reset_night(engine)
    fetcher = Fetcher(open_client(address), address, inbox, engine, poll_seconds=poll)
    stop = threading.Event()
    thread = threading.Thread(target=fetcher.run, kwargs={"stop": stop}, daemon=True)
    thread.start()
    try:
        time.sleep(2 * poll)
        server.kill()
        names = [f"General_Election_result_Backlog_Seat_{i}.xml" for i in range(files)]
        for name in names:
            (root / "live" / "results" / name).write_bytes(b"<FirstPastThePostResult/>\n" * 40)
            (root / "live" / "results" / ".timestamp").write_text(f"{time.time():.5f}")
            time.sleep(down / files)
        server.start()
        back = time.monotonic()
        while not all((inbox / n).exists() for n in names):
            if time.monotonic() - back > 120:
                raise RuntimeError("the backlog did not arrive in 120 s")
            time.sleep(0.01)
        return {"seconds": time.monotonic() - back, "failures": fetcher.report.failures}
    finally:
        stop.set()
        thread.join(30)
        server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of nothing new at the end of each run")
    parser.add_argument("--poll", type=float, default=1.0)
    parser.add_argument("--backlog", type=int, help="measure a reconnect with this many files written while down")
    parser.add_argument("--down", type=float, default=30.0, help="seconds the server is down (with --backlog)")
    args = parser.parse_args()
    settings = load_settings({"DATABASE_URL": bench_database()})
    engine = get_engine(settings)
    init_db(engine, settings)
    if args.backlog:
        times = []
        for run in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                r = backlog_run(engine, Path(tmp), args.backlog, args.down, args.poll)
            times.append(r["seconds"])
            print(
                f"run {run + 1}: {args.backlog} files in the inbox {r['seconds']:.2f} s after the server came back "
                f"({r['failures']} failed connection attempts while it was down)",
                flush=True,
            )
        print(f"median {statistics.median(times):.2f} s over {args.runs} runs")
        return
    results = []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(one_run(engine, Path(tmp), args.files, args.idle, args.poll, seed=run))
        r = results[-1]
        print(
            f"run {run + 1}: server→inbox median {r['median_s']:.2f} s, p95 {r['p95_s']:.2f} s, "
            f"max {r['max_s']:.2f} s; idle: {r['idle_listings']} listings, "
            + ", ".join(f"{c} {v:.0f}/min" for c, v in r["idle_per_minute"].items()),
            flush=True,
        )
    total = Counter()
    for r in results:
        total.update(r["idle_per_minute"])
    print()
    print(
        "| poll | files × runs | server→inbox median (median of runs) | p95 (median of runs) "
        "| idle requests/min | idle listings |"
    )
    print("|---|---|---|---|---|---|")
    print(
        f"| {args.poll:g} s | {args.files} × {args.runs} | {statistics.median(r['median_s'] for r in results):.2f} s "
        f"| {statistics.median(r['p95_s'] for r in results):.2f} s "
        f"| {sum(total.values()) / len(results):.0f} ("
        + ", ".join(f"{c} {v / len(results):.0f}" for c, v in sorted(total.items()))
        + ") "
        f"| {sum(r['idle_listings'] for r in results)} |"
    )


if __name__ == "__main__":
    main()
