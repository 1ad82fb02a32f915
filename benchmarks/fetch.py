"""The feed fetcher: server → inbox latency at a 1 s poll, the load it puts on an idle server, a reconnect.

A real server (pyftpdlib or asyncssh, tests/feed_servers.py, in a process of
its own) on 127.0.0.1 serves a folder this script writes into as the
agency's feeder does (the file, then the folder's .timestamp), at random
moments out of step with the poll. The fetcher (pipeline.fetch, the code the
CLI and the DAG run) polls in a thread; the latency of a file is from the
moment its .timestamp was rewritten to the moment it appears in the inbox
under its name. Then nothing changes for a while and the server's request
log says what an idle fetcher costs it.

    python -m benchmarks.fetch [--runs 3] [--files 20] [--idle 30] [--poll 1] [--protocols ftp,sftp]
    python -m benchmarks.fetch --backlog 100 --down 30 [--runs 3]

With --backlog N the script measures a reconnect instead: the server is
killed while the fetcher polls, N files are written during --down seconds,
the server comes back, and the time from its return until the last file is
in the inbox is the figure.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.latency import _pct
from pipeline.fetch.address import FeedAddress
from pipeline.fetch.client import open_client
from pipeline.fetch.loop import Fetcher
from pipeline.rehearsal.processes import free_port
from pipeline.schema import reset_night
from tests.feed_servers import Feed, ServerProcess, server_commands, server_retrieved

BODY = b"<FirstPastThePostResult/>\n" * 40
LISTINGS = ("LIST", "MLSD", "NLST", "READDIR")


def load() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` gives them."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


@contextlib.contextmanager
def serving(engine, tmp: Path, kind: str, poll: float) -> Iterator[tuple[Feed, ServerProcess, Fetcher, Path]]:
    """A feed server of this kind on a fresh root, and a fetcher polling it in a thread until the block ends."""
    feed, inbox, commands = Feed(tmp / "server"), tmp / "inbox", tmp / "commands.log"
    args = ["--user", "bench", "--password", "bench-pw", "--commands", str(commands)]
    host_key = None
    if kind == "sftp":
        import asyncssh

        key = asyncssh.generate_private_key("ssh-ed25519")
        key.write_private_key(tmp / "host_key")
        args += ["--host-key", str(tmp / "host_key")]
        host_key = key.export_public_key().decode()
    server = ServerProcess(kind, feed.root, free_port(), args, tmp / "server.log").start()
    server.commands = commands
    address = FeedAddress.from_url(f"{kind}://bench:bench-pw@127.0.0.1:{server.port}/live", host_key=host_key)
    reset_night(engine)
    fetcher = Fetcher(open_client(address), address, inbox, engine, poll_seconds=poll)
    stop = threading.Event()
    thread = threading.Thread(target=fetcher.run, kwargs={"stop": stop}, daemon=True)
    thread.start()
    try:
        time.sleep(2 * poll)  # connected, first listings done
        yield feed, server, fetcher, inbox
    finally:
        stop.set()
        thread.join(30)
        server.kill()


def _arrived(inbox: Path, name: str, since: float, timeout: float) -> float:
    """Seconds from `since` (monotonic) until the file is in the inbox under its name."""
    while not (inbox / name).exists():
        if time.monotonic() - since > timeout:
            raise RuntimeError(f"{name} did not arrive in {timeout:.0f} s")
        time.sleep(0.005)
    return time.monotonic() - since


def one_run(engine, tmp: Path, kind: str, files: int, idle: float, poll: float, seed: int) -> dict:
    """One server, one fetcher: latencies of `files` files, then `idle` seconds of nothing new."""
    rng = random.Random(seed)
    with serving(engine, tmp, kind, poll) as (feed, server, fetcher, inbox):
        latencies = []
        for i in range(files):
            time.sleep(rng.uniform(0.3, 2.0))
            name = f"General_Election_result_Bench_Seat_{seed}_{i}.xml"
            feed.put("results", name, BODY)
            latencies.append(_arrived(inbox, name, time.monotonic(), 30))
        time.sleep(2 * poll)
        before, polls = server_commands(server.commands), fetcher.report.polls
        reads = server_retrieved(server.commands, ".timestamp")
        time.sleep(idle)
        quiet = server_commands(server.commands) - before
        polls = fetcher.report.polls - polls
        reads = server_retrieved(server.commands, ".timestamp") - reads
    return {
        "protocol": kind,
        "latencies": latencies,
        "median_s": statistics.median(latencies),
        "p95_s": _pct(latencies, 0.95),
        "max_s": max(latencies),
        "idle_per_minute": {cmd: n * 60 / idle for cmd, n in sorted(quiet.items())},
        "idle_requests_per_minute": sum(quiet.values()) * 60 / idle,
        "idle_timestamp_reads_per_poll": reads / max(polls, 1),
        "idle_listings": sum(quiet[c] for c in LISTINGS),
        "load": load(),
    }


def backlog_run(engine, tmp: Path, files: int, down: float, poll: float) -> dict:
    """Seconds from the server's return until `files` files written while it was down are all in the inbox."""
    with serving(engine, tmp, "ftp", poll) as (feed, server, fetcher, inbox):
        server.kill()
        names = [f"General_Election_result_Backlog_Seat_{i}.xml" for i in range(files)]
        for name in names:
            feed.put("results", name, BODY)
            time.sleep(down / files)
        failures = fetcher.report.failures
        server.start()
        back = time.monotonic()
        for name in names:
            _arrived(inbox, name, back, 120)
        return {
            "seconds": time.monotonic() - back,
            "failures_while_down": failures,
            "load": load(),
        }


def bench_fetch(
    engine,
    runs: int = 3,
    files: int = 20,
    idle: float = 30.0,
    poll: float = 1.0,
    protocols: tuple[str, ...] = ("ftp", "sftp"),
    backlog: int = 100,
    down: float = 30.0,
) -> dict:
    """Every figure of this script (latency and idle load per protocol, the reconnect); Markdown rows to print."""
    out: dict = {"runs": [], "backlog": [], "rows": []}
    for kind in protocols:
        for run in range(runs):
            with tempfile.TemporaryDirectory() as tmp:
                r = one_run(engine, Path(tmp), kind, files, idle, poll, seed=run)
            out["runs"].append(r)
            out["rows"].append(
                f"| {kind.upper()}, run {run + 1} | {r['median_s']:.2f} / {r['p95_s']:.2f} / {r['max_s']:.2f} s "
                f"| {r['idle_requests_per_minute']:.0f} ("
                + ", ".join(f"{c} {v:.0f}" for c, v in r["idle_per_minute"].items())
                + f") | {r['idle_timestamp_reads_per_poll']:.2f} | {r['idle_listings']} | {r['load']} |"
            )
            print(out["rows"][-1], flush=True)
    for run in range(runs if backlog else 0):
        with tempfile.TemporaryDirectory() as tmp:
            b = backlog_run(engine, Path(tmp), backlog, down, poll)
        out["backlog"].append(b)
        out["rows"].append(
            f"| FTP down {down:g} s, {backlog} files written meanwhile, run {run + 1}: all in the inbox "
            f"{b['seconds']:.2f} s after it was back ({b['failures_while_down']} failed attempts while down) "
            f"| | | | {b['load']} |"
        )
        print(out["rows"][-1], flush=True)
    if out["backlog"]:
        out["backlog_median_s"] = statistics.median(b["seconds"] for b in out["backlog"])
    return out


HEADER = (
    "| fetcher, {files} files a run, poll {poll:g} s | server → inbox median / p95 / max "
    "| idle requests/min (by request) | idle .timestamp reads per poll | idle listings | load (1, 5, 15 min) |\n"
    "| --- | --- | --- | --- | --- | --- |"
)


def main() -> None:
    from benchmarks.bench import bench_database
    from pipeline.config import load_settings
    from pipeline.db import get_engine
    from pipeline.schema import init_db

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--idle", type=float, default=30.0, help="seconds of nothing new at the end of each run")
    parser.add_argument("--poll", type=float, default=1.0)
    parser.add_argument("--protocols", default="ftp,sftp")
    parser.add_argument("--backlog", type=int, default=0, help="measure a reconnect with this many files written")
    parser.add_argument("--down", type=float, default=30.0, help="seconds the server is down (with --backlog)")
    args = parser.parse_args()
    settings = load_settings({"DATABASE_URL": bench_database()})
    engine = get_engine(settings)
    init_db(engine, settings)
    print(HEADER.format(files=args.files, poll=args.poll))
    protocols = () if args.backlog else tuple(args.protocols.split(","))
    bench_fetch(engine, args.runs, args.files, args.idle, args.poll, protocols, args.backlog, args.down)


if __name__ == "__main__":
    main()
