"""The inbox watcher: an event trigger that fires when new files land in the inbox.

Lives in the Airflow plugins folder, which airflow.settings puts on sys.path in
every Airflow process; the triggerer imports it by classpath and does NOT have
the dags folder on its path, so it cannot live under dags/. It cannot live in
`pipeline/` either: that package never imports Airflow.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

STATE_KEY = "announced_files"


class InboxTrigger(BaseEventTrigger):
    """Poll a folder and fire one event per batch of new (non-hidden) files.

    State is the set of files already announced that are still in the inbox
    (files leave it when the ingest task archives them), persisted in Airflow
    3.3's asset state store so a triggerer restart does not announce them
    again. It is saved before yielding: a crash in between loses an event
    rather than duplicating one, and the DAG's every-minute sweep picks the
    file up. Files written as hidden temporaries and renamed into place (as
    the feed and `resultsnight replay` do) are never seen half-written.
    """

    def __init__(self, directory: str, poll_interval: float = 0.2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.directory = directory
        self.poll_interval = poll_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """Classpath and JSON-able kwargs; their hash identifies the watcher."""
        return (
            "resultsnight_triggers.InboxTrigger",
            {"directory": self.directory, "poll_interval": self.poll_interval},
        )

    def _scan(self) -> set[str]:
        try:
            with os.scandir(self.directory) as entries:
                return {e.name for e in entries if e.is_file() and not e.name.startswith(".")}
        except FileNotFoundError:
            return set()

    async def _load(self) -> set[str]:
        store = getattr(self, "asset_state_store", None)
        if store is None:  # driven directly, e.g. in a unit test
            return set()
        return set(await store.aget(STATE_KEY, []) or [])

    async def _save(self, names: set[str]) -> None:
        store = getattr(self, "asset_state_store", None)
        if store is not None:
            await store.aset(STATE_KEY, sorted(names))

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Yield an event whenever files appear that were not announced before."""
        announced = await self._load()
        self.log.info("watching %s (%d files already announced)", self.directory, len(announced))
        first = True
        while True:
            present = await asyncio.to_thread(self._scan)
            still = announced & present  # forget files that have been archived
            new = sorted(present - announced)
            if new or still != announced or first:
                # Saved after the first scan even when nothing changed: the
                # row's updated_at tells `LocalStack.wait_ready` the watcher
                # is looking at the inbox, not just registered.
                announced = still | set(new)
                await self._save(announced)
                first = False
            if new:
                yield TriggerEvent({"files": new[:200], "count": len(new), "directory": self.directory})
            await asyncio.sleep(self.poll_interval)
