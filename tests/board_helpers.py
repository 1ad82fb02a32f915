"""Helpers for the board's tests: a real `resultsnight serve` subprocess, an SSE reader, hostile files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from pipeline.rehearsal.processes import free_port

HOSTILE_CANDIDATE = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


class BoardServer:
    """`resultsnight serve` in a subprocess on a free loopback port."""

    def __init__(self, settings, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": settings.database_url,
            "RESULTSNIGHT_DATA_DIR": str(settings.data_dir),
            **(env or {}),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "serve", "--port", str(self.port)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited {self.proc.returncode}: {self.proc.stderr.read().decode()}")
            try:
                if httpx.get(self.base + "/healthz", timeout=2).json().get("events_listening"):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.proc.kill()
                raise RuntimeError("serve did not become healthy within 60 s")
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        """Ask the server to stop and return its exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        return self.proc.returncode


def wait_for_event_id(base: str, event_id: int, timeout: float = 30) -> None:
    """Wait until the server has fanned out event `event_id` (its responses say which event they are as of)."""
    deadline = time.monotonic() + timeout
    while int(httpx.get(base + "/api/v1/tally", timeout=5).headers["X-Resultsnight-Event-Id"]) < event_id:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the server never saw event {event_id}")
        time.sleep(0.02)


class EventReader(threading.Thread):
    """Reads /api/v1/events in the background into `events` (dicts with id, event and data)."""

    def __init__(self, base: str, last_event_id: int | None = None) -> None:
        super().__init__(daemon=True)
        self.base, self.last_event_id = base, last_event_id
        self.events: list[dict] = []
        self.opened = threading.Event()
        self.ended = threading.Event()
        self._stop = False

    def run(self) -> None:
        headers = {} if self.last_event_id is None else {"Last-Event-ID": str(self.last_event_id)}
        try:
            with httpx.stream(
                "GET", self.base + "/api/v1/events", headers=headers, timeout=httpx.Timeout(5, read=60)
            ) as resp:
                self.opened.set()
                frame: dict = {}
                for line in resp.iter_lines():
                    if self._stop:
                        return
                    if line == "":
                        if "data" in frame:
                            self.events.append({**frame, "data": json.loads(frame["data"])})
                        frame = {}
                    elif not line.startswith(":"):
                        key, _, value = line.partition(":")
                        frame[key] = value.removeprefix(" ")
        finally:
            self.opened.set()
            self.ended.set()

    def wait_for(self, count: int, timeout: float = 60) -> list[dict]:
        deadline = time.monotonic() + timeout
        while len(self.events) < count and not self.ended.is_set():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.events)} of {count} events arrived")
            time.sleep(0.02)
        return self.events

    def close(self) -> None:
        self._stop = True


def hostile_result(inbox: Path, gss_code: str, revision: int = 9) -> Path:
    """Write a result for one seat whose winning candidate is named with HTML and script."""
    from pipeline.rehearsal.agency_xml import file_name, result_xml
    from pipeline.rehearsal.seats import load_seats

    seat = next(s for s in load_seats() if s.gss_code == gss_code)
    names = {p: (f"Candidate{i}", f"Surname{i}") for i, p in enumerate(seat.votes)}
    winner = max(seat.votes, key=seat.votes.get)
    names[winner] = HOSTILE_CANDIDATE
    body = result_xml(seat, seat.votes, revision=revision, declared_at=datetime.now(UTC), names=names)
    path = inbox / file_name("result", seat.name, revision)
    inbox.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path


def night_in_two(tmp_path_factory, split: int) -> tuple[Path, Path, list]:
    """The replayed night written into two folders (its first `split` messages, the rest), and the rest's messages."""
    from pipeline.rehearsal.pacing import play
    from pipeline.rehearsal.stories import plan_night

    messages = plan_night()
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    play(messages[:split], first, speed=0, progress=False)
    play(messages[split:], second, speed=0, progress=False)
    return first, second, messages[split:]
