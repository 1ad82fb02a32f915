"""Live events: ONE listening connection to Postgres, fanned out to every browser over SSE.

The storing transaction's triggers (sql/migrations/0004_events.sql) add a row
to pipeline.event and NOTIFY `resultsnight_events` at commit. The Listener
holds the only LISTEN connection; on each notification it reads the new rows
(in commit order, on that same connection) and puts them on every
subscriber's queue. A browser that reconnects with Last-Event-ID reads what
it missed from the table (one short query on the API pool), then continues
live, so a thousand browsers are still one listening connection.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect

from pipeline.board.db import LISTENER_APPLICATION, dumps
from pipeline.db import sql, sql_text

log = logging.getLogger("resultsnight.serve")

CHANNEL = "resultsnight_events"
# A browser this many events behind is cut off; it reconnects and replays from the table.
QUEUE_SIZE = 2000
CATCH_UP_MAX = 10000  # events the listener reads at a time after a notification or a reconnection


@functools.cache
def _events_after() -> str:
    """The API's replay query (serve_events_after) in psycopg's parameter style, for the listening connection."""
    return str(sql("queries/board/events_after").compile(dialect=psycopg_dialect.dialect()))


@dataclass(frozen=True)
class Event:
    """One committed event, ready to send."""

    event_id: int
    kind: str
    payload: dict[str, Any]
    created_at: Any

    def sse(self) -> bytes:
        """The event as a Server-Sent Events frame (id, event name, one JSON data line)."""
        data = dumps({"event_id": self.event_id, "kind": self.kind, "at": self.created_at, **self.payload})
        return b"id: %d\nevent: %s\ndata: %s\n\n" % (self.event_id, self.kind.encode(), data)


CLOSE = object()  # queue sentinel: end this stream (server stopping, or the client fell too far behind)


class Broadcaster:
    """The set of open event streams and the newest event id the server has seen."""

    def __init__(self) -> None:
        self.subscribers: set[asyncio.Queue] = set()
        self.last_id = 0  # also the data version the API's response cache is keyed on
        self.connected = False
        self.closed = False

    def subscribe(self) -> asyncio.Queue:
        """A new stream's queue of events."""
        q: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        if self.closed:
            q.put_nowait(CLOSE)
        self.subscribers.add(q)
        return q

    def unsubscribe(self, q: asyncio.Queue) -> None:
        """Forget a stream that ended."""
        self.subscribers.discard(q)

    def publish(self, event: Event) -> None:
        """Give an event to every open stream; a stream that cannot keep up is ended."""
        self.last_id = max(self.last_id, event.event_id)
        for q in list(self.subscribers):
            try:
                q.put_nowait(event)
            except asyncio.QueueFull:
                self.subscribers.discard(q)
                while not q.empty():
                    q.get_nowait()
                q.put_nowait(CLOSE)

    def close(self) -> None:
        """End every stream (the server is stopping)."""
        self.closed = True
        for q in list(self.subscribers):
            try:
                q.put_nowait(CLOSE)
            except asyncio.QueueFull:
                while not q.empty():
                    q.get_nowait()
                q.put_nowait(CLOSE)


class Listener:
    """The one LISTEN connection: reconnects when the database goes away, never polls it."""

    def __init__(self, conninfo: str, broadcaster: Broadcaster, options: str | None = None) -> None:
        self.conninfo = conninfo
        self.broadcaster = broadcaster
        self.options = options  # libpq options (the board's statement timeout)
        self.started = asyncio.Event()
        self.restarts = 0  # times it lost its connection or failed and started again
        self.last_error: str | None = None

    async def _catch_up(self, conn: psycopg.AsyncConnection) -> None:
        cur = await conn.execute(_events_after(), {"after": self.broadcaster.last_id, "max_rows": CATCH_UP_MAX})
        for event_id, kind, payload, created_at in await cur.fetchall():
            self.broadcaster.publish(Event(event_id, kind, payload, created_at))

    async def run(self) -> None:
        """Listen until cancelled."""
        first = True
        while True:
            try:
                extra = {"options": self.options} if self.options else {}
                async with await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True, application_name=LISTENER_APPLICATION, **extra
                ) as conn:
                    await conn.execute(f"listen {CHANNEL}")  # a constant identifier, not data
                    if first:
                        # Start from now: older events are for replays (Last-Event-ID), not a broadcast.
                        cur = await conn.execute(sql_text("queries/board/listen_last_event"))
                        self.broadcaster.last_id = (await cur.fetchone())[0]
                        first = False
                    else:
                        await self._catch_up(conn)  # whatever committed while we were away
                    self.broadcaster.connected = True
                    self.last_error = None
                    self.started.set()
                    while True:
                        got = False
                        async for _ in conn.notifies(timeout=5.0, stop_after=1):
                            got = True
                        if got:
                            await self._catch_up(conn)
            except psycopg.Error as exc:  # down, restarted, not migrated yet: say so and retry
                self._down(f"lost the database: {type(exc).__name__}")
                log.warning("event listener lost the database (%s); retrying in 1 s", exc)
                await asyncio.sleep(1.0)
            except Exception as exc:  # noqa: BLE001 - a bug must not leave the board deaf: log it, start again
                self._down(f"failed: {type(exc).__name__}")
                log.exception("event listener failed; restarting in 1 s")
                await asyncio.sleep(1.0)

    def _down(self, why: str) -> None:
        self.broadcaster.connected = False
        self.last_error = why
        self.restarts += 1
