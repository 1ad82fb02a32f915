"""The inbox watcher: an event trigger that fires when complete files land in the inbox.

Lives in the Airflow plugins folder, which airflow.settings puts on sys.path in
every Airflow process; the triggerer imports it by classpath and does NOT have
the dags folder on its path, so it cannot live under dags/. It cannot live in
`pipeline/` either: that package never imports Airflow. When a file counts as
complete is decided by pipeline.arrival's rule, here, once: each event carries
the signature every file it names settled at, and the ingest task takes the
file as it was then (pipeline.ingest.linger) without settling it again.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from pipeline.arrival import Signature, open_for_writing, scan, settled, signature

STATE_KEY = "announced_files"
EVENT_FILES = 500  # names per event: a burst after a reconnect becomes a few events, not one huge one


class InboxTrigger(BaseEventTrigger):
    """Poll the inbox (and the quarantine folder) and fire an event per batch of complete files.

    A file is announced once it has settled (pipeline.arrival: unchanged for
    `settle_seconds` and not open for writing), and announced again if its
    bytes change after that (a re-delivery under the same name). A file in
    the quarantine folder is announced when it changes after we first saw it
    there (a writer finishing a file that was quarantined half-written).
    What was announced, with its signature, is kept in Airflow 3.3's asset
    state store, so a restarted triggerer does not announce it again; it is
    saved before yielding, so a crash in between loses an event rather than
    repeating one, and the DAG's every-minute sweep takes the file.
    """

    def __init__(
        self,
        directory: str,
        quarantine_directory: str | None = None,
        poll_interval: float = 0.1,
        settle_seconds: float = 0.25,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.directory = directory
        self.quarantine_directory = quarantine_directory
        self.poll_interval = poll_interval
        self.settle_seconds = settle_seconds

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Classpath and JSON-able kwargs; their hash identifies the watcher."""
        return (
            "resultsnight_triggers.InboxTrigger",
            {
                "directory": self.directory,
                "quarantine_directory": self.quarantine_directory,
                "poll_interval": self.poll_interval,
                "settle_seconds": self.settle_seconds,
            },
        )

    async def _load(self) -> dict[str, str]:
        store = getattr(self, "asset_state_store", None)
        if store is None:  # driven directly, e.g. in a unit test
            return {}
        saved = await store.aget(STATE_KEY, {}) or {}
        if isinstance(saved, list):  # the first wave kept names only
            return {name: "" for name in saved}
        return dict(saved)

    async def _save(self, announced: dict[str, str]) -> None:
        store = getattr(self, "asset_state_store", None)
        if store is not None:
            await store.aset(STATE_KEY, announced)

    def _ready(self, present: dict[str, Signature], seen: dict[str, tuple[Signature, float]], now: float) -> list[str]:
        """Names whose signature has held for the settle interval, updating `seen` with first sightings."""
        for name in list(seen):
            if name not in present:
                del seen[name]
        ready = []
        for name, sig in present.items():
            first = seen.get(name)
            if first is None or first[0] != sig:
                seen[name] = (sig, now)
                first = seen[name]
            if settled(sig, first[1], now, self.settle_seconds):
                ready.append(name)
        return ready

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Yield an event whenever complete files appear (or change) that were not announced as they are."""
        announced = await self._load()
        self.log.info("watching %s (%d files already announced)", self.directory, len(announced))
        seen: dict[str, tuple[Signature, float]] = {}
        q_seen: dict[str, tuple[Signature, float]] = {}
        # What the quarantine folder held when we started: only a later change is news.
        q_known = {n: s.text() for n, s in scan(self.quarantine_directory).items()} if self.quarantine_directory else {}
        first = True
        while True:
            now = time.time()
            present = await asyncio.to_thread(scan, self.directory)
            candidates = [n for n in self._ready(present, seen, now) if announced.get(n) != present[n].text()]
            q_new: list[str] = []
            if self.quarantine_directory:
                q_present = await asyncio.to_thread(scan, self.quarantine_directory)
                q_known = {n: t for n, t in q_known.items() if n in q_present}
                for n, s in q_present.items():
                    # First seen here: archived by a run, so its bytes were seen as they were
                    # announced in the inbox (a move keeps size, time and inode). Rewritten
                    # before this look (a resend racing the move), it differs from that: news.
                    q_known.setdefault(n, announced.get(n) or s.text())
                q_new = [n for n in self._ready(q_present, q_seen, now) if q_known[n] != q_present[n].text()]
            if candidates or q_new:
                folders = [self.directory] + ([self.quarantine_directory] if q_new else [])
                writers = await asyncio.to_thread(open_for_writing, folders)
                busy = {os.path.basename(p) for p in writers}
                # Looked at again after the writers: one that wrote and closed
                # the file since the scan left it changed; it settles anew.
                candidates = [
                    n for n in candidates if n not in busy and signature(Path(self.directory, n)) == present[n]
                ]
                q_new = [
                    n for n in q_new if n not in busy and signature(Path(self.quarantine_directory, n)) == q_present[n]
                ]
            still = {n: t for n, t in announced.items() if n in present}  # forget archived files
            if candidates or still != announced or first:
                # Saved after the first scan even when nothing changed: the
                # row's updated_at tells `LocalStack.wait_ready` the watcher
                # is looking at the inbox, not just registered.
                announced = still | {n: present[n].text() for n in candidates}
                await self._save(announced)
                first = False
            for n in q_new:
                q_known[n] = q_present[n].text()
            names = sorted(candidates, key=lambda n: (present[n].mtime_ns, n))
            for i in range(0, max(len(names), 1 if q_new else 0), EVENT_FILES):
                batch = names[i : i + EVENT_FILES]
                extra = sorted(q_new) if i == 0 else []
                # Each file's signature as it settled: the ingest takes it as it is, without looking again.
                yield TriggerEvent(
                    {
                        "files": batch,
                        "quarantine": extra,
                        "signatures": {n: present[n].text() for n in batch},
                        "quarantine_signatures": {n: q_present[n].text() for n in extra},
                        "count": len(batch) + len(extra),
                        "directory": self.directory,
                    }
                )
            await asyncio.sleep(self.poll_interval)
