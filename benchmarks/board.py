"""Benchmarks of the board and API (issue 11), and the README's screenshot. Loopback only, bounded loops.

    python -m benchmarks.board [--runs 3] [--only dom,poll,streams] [--screenshot docs/board-live.png]

- dom: commit -> board updated in a real headless Chromium: for each of 40
  result files ingested one at a time, the event's commit timestamp against
  the moment the page applied it (window.__rn.updates), median and p95;
- poll: 200 concurrent clients polling /api/v1/tally with If-None-Match for
  10 s (at most 200,000 requests): requests/s and p95 latency;
- streams: 500 open /api/v1/events streams: the server's RSS before and with
  them open, and from a commit to the last of the 500 clients receiving it.

Uses the benchmark database (resultsnight_bench), like benchmarks/bench.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import psutil
from sqlalchemy import text

from benchmarks.bench import bench_database
from pipeline.config import load_settings
from pipeline.db import get_engine
from pipeline.ingest import ingest_paths
from pipeline.rehearsal.pacing import play
from pipeline.rehearsal.stories import plan_night
from pipeline.schema import init_db, reset_night
from tests.board_helpers import BoardServer, wait_for_event_id

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
MID_NIGHT = 500  # messages ingested before measuring: the board mid-night


def _p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]


def _last_event(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("select coalesce(max(event_id), 0) from pipeline.event")).scalar()


def _one_file(tmp: Path, message) -> Path:
    d = Path(tempfile.mkdtemp(dir=tmp))
    (d / message.file_name).write_bytes(message.body)
    os.utime(d / message.file_name, (time.time() - 5, time.time() - 5))  # settled: no wait in the ingest
    return d


def _browser(pw):
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])


def bench_dom(engine, settings, server: BoardServer, later: list, tmp: Path, files: int = 40) -> dict:
    """Commit -> DOM updated in the browser, per file (ms)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = _browser(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(server.base + "/")
        page.wait_for_function("() => window.__rn && window.__rn.ready", timeout=30_000)
        for message in later[:files]:
            ingest_paths(engine, [_one_file(tmp, message)], settings=settings)
            wanted = _last_event(engine)
            page.wait_for_function(f"() => window.__rn.updates.some(u => u.event_id >= {wanted})", timeout=30_000)
            time.sleep(0.05)
        updates = page.evaluate("window.__rn.updates")
        browser.close()
    delays = [u["applied"] - datetime.fromisoformat(u["at"]).timestamp() * 1000 for u in updates]
    return {"events": len(delays), "median_ms": statistics.median(delays), "p95_ms": _p95(delays)}


async def _get(reader, writer, path: bytes, etag: bytes | None) -> tuple[int, bytes | None]:
    """One keep-alive HTTP/1.1 GET on an open connection: (status, ETag). A lean client, so the
    measurement is of the server and not of a Python HTTP library."""
    writer.write(
        b"GET "
        + path
        + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (b"If-None-Match: " + etag + b"\r\n" if etag else b"")
        + b"\r\n"
    )
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length, new_etag = 0, etag
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
        elif name.lower() == b"etag":
            new_etag = value.strip()
    if length:
        await reader.readexactly(length)
    return status, new_etag


async def _poll(port: int, clients: int, seconds: float, cap: int) -> dict:
    latencies: list[float] = []
    codes: dict[int, int] = {}
    stop = time.monotonic() + seconds

    async def one() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        etag = None
        try:
            while time.monotonic() < stop and len(latencies) < cap:
                t = time.perf_counter()
                status, etag = await _get(reader, writer, b"/api/v1/tally", etag)
                latencies.append(time.perf_counter() - t)
                codes[status] = codes.get(status, 0) + 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(clients)))
    elapsed = time.perf_counter() - t0
    return {
        "clients": clients,
        "requests": len(latencies),
        "requests_per_s": len(latencies) / elapsed,
        "p95_ms": _p95(latencies) * 1000,
        "median_ms": statistics.median(latencies) * 1000,
        "codes": codes,
    }


def bench_poll(server: BoardServer, clients: int = 200, seconds: float = 10.0, cap: int = 200_000) -> dict:
    """200 clients polling tally with ETags on loopback."""
    return asyncio.run(_poll(server.port, clients, seconds, cap))


async def _streams(engine, settings, server: BoardServer, message, tmp: Path, n: int) -> dict:
    proc = psutil.Process(server.proc.pid)
    rss_before = proc.memory_info().rss
    arrivals: dict[int, float] = {}
    opened = 0
    wanted: list[int] = []

    async def reader(i: int) -> None:
        nonlocal opened
        # A raw keep-alive socket per stream, as for polling: the client must not be what is measured.
        r, w = await asyncio.open_connection("127.0.0.1", server.port)
        try:
            w.write(b"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
            await r.readuntil(b"\r\n\r\n")
            opened += 1
            while line := await r.readline():
                if line.startswith(b"id: ") and wanted and int(line[4:]) > wanted[0]:
                    arrivals[i] = time.time()
                    return
        finally:
            w.close()

    tasks = [asyncio.create_task(reader(i)) for i in range(n)]
    deadline = time.monotonic() + 60
    while opened < n and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)
    rss_open = proc.memory_info().rss
    before = _last_event(engine)
    wanted.append(before)  # the readers stop at the first event after this one
    await asyncio.to_thread(ingest_paths, engine, [_one_file(tmp, message)], settings=settings)
    with engine.connect() as conn:
        at = conn.execute(
            text("select created_at from pipeline.event where event_id > :b order by event_id limit 1"), {"b": before}
        ).scalar()
    await asyncio.wait(tasks, timeout=30)
    for t in tasks:
        t.cancel()
    delays = sorted(a - at.timestamp() for a in arrivals.values())
    return {
        "streams": n,
        "opened": opened,
        "received": len(delays),
        "rss_before_mib": rss_before / 2**20,
        "rss_open_mib": rss_open / 2**20,
        "first_ms": delays[0] * 1000 if delays else None,
        "last_ms": delays[-1] * 1000 if delays else None,
    }


def bench_streams(engine, settings, server: BoardServer, message, tmp: Path, n: int = 500) -> dict:
    """500 open event streams: memory, and commit -> last client."""
    return asyncio.run(_streams(engine, settings, server, message, tmp, n))


def screenshot(server: BoardServer, out: Path) -> None:
    """The board mid-night, as the README shows it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = _browser(pw)
        page = browser.new_page(viewport={"width": 1280, "height": 1400})  # down to the projection chart
        page.goto(server.base + "/")
        page.wait_for_function("() => window.__rn && window.__rn.ready", timeout=30_000)
        page.screenshot(path=str(out), full_page=False)
        browser.close()


def main() -> None:
    """Run the board benchmarks and print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="dom,poll,streams")
    parser.add_argument("--screenshot", type=Path, help="write the mid-night board screenshot here and stop")
    parser.add_argument("--out", type=Path, default=ROOT / ".data" / "bench-board.json")
    args = parser.parse_args()
    only = set(args.only.split(","))
    settings = load_settings({**os.environ, "DATABASE_URL": bench_database()})
    engine = get_engine(settings)
    init_db(engine, settings)
    messages = plan_night()
    figures: dict[str, list] = {"dom": [], "poll": [], "streams": []}
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        first = tmp / "first"
        play(messages[:MID_NIGHT], first, speed=0, progress=False)
        later = [m for m in messages[MID_NIGHT:] if m.kind == "result"]
        for run in range(1 if args.screenshot else args.runs):
            reset_night(engine)
            ingest_paths(engine, [first], settings=settings)
            server = BoardServer(settings)
            try:
                wait_for_event_id(server.base, _last_event(engine))
                if args.screenshot:
                    screenshot(server, args.screenshot)
                    print(f"wrote {args.screenshot}")
                    return
                if "dom" in only:
                    figures["dom"].append(bench_dom(engine, settings, server, later, tmp))
                if "poll" in only:
                    figures["poll"].append(bench_poll(server))
                if "streams" in only:
                    figures["streams"].append(bench_streams(engine, settings, server, later[60 + run], tmp))
            finally:
                server.stop()
            print(f"run {run + 1}: {json.dumps({k: v[-1] for k, v in figures.items() if v})}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2))
    print("\n| measure | " + " | ".join(f"run {i + 1}" for i in range(args.runs)) + " |")
    print("| --- |" + " --- |" * args.runs)
    rows = [
        ("commit → board updated, median ms", "dom", "median_ms", "{:.0f}"),
        ("commit → board updated, p95 ms", "dom", "p95_ms", "{:.0f}"),
        ("200 clients polling tally, requests/s", "poll", "requests_per_s", "{:.0f}"),
        ("200 clients polling tally, p95 ms", "poll", "p95_ms", "{:.1f}"),
        ("server RSS, no streams, MiB", "streams", "rss_before_mib", "{:.0f}"),
        ("server RSS, 500 streams open, MiB", "streams", "rss_open_mib", "{:.0f}"),
        ("commit → first of 500 clients, ms", "streams", "first_ms", "{:.0f}"),
        ("commit → last of 500 clients, ms", "streams", "last_ms", "{:.0f}"),
    ]
    for label, part, key, fmt in rows:
        if figures[part]:
            print(
                f"| {label} | "
                + " | ".join(fmt.format(f[key]) if f[key] is not None else "–" for f in figures[part])
                + " |"
            )


if __name__ == "__main__":
    main()
