"""/api/v1/events: Server-Sent Events, one per stored declaration, alert or call, replayed from Last-Event-ID."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import anyio
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import Engine

from pipeline.board import db
from pipeline.board.api import BIGINT_MAX
from pipeline.board.events import CLOSE, Broadcaster, Event
from pipeline.board.responses import json_response

HEARTBEAT_SECONDS = 15.0
REPLAY_PAGE = 1000  # events read from the table at a time when a client replays (Last-Event-ID, ?after=)
STREAM_RETRY_SECONDS = 5  # Retry-After when every event stream is taken


def _start(after: int | None, last_event_id: str | None) -> int | None:
    """The event id a stream replays from: ?after=, else Last-Event-ID, else none (live events only)."""
    if after is not None or last_event_id is None or not last_event_id.strip():
        return after
    value = last_event_id.strip()
    # ASCII digits only: str.isdigit() takes '²', which int() refuses.
    if not (value.isascii() and value.isdigit() and len(value) <= 19 and int(value) <= BIGINT_MAX):
        raise HTTPException(400, "Last-Event-ID must be an event id (digits 0-9)")
    return int(value)


def router(engine: Engine, broadcaster: Broadcaster, max_streams: int) -> APIRouter:
    """The event stream route: at most max_streams open at once, each fed by broadcaster."""
    api = APIRouter()

    @api.get(
        "/api/v1/events",
        summary="Server-Sent Events: one per stored declaration, alert or call, as it commits",
        response_class=StreamingResponse,
    )
    async def events(request: Request, after: int | None = Query(None, ge=0, le=BIGINT_MAX)) -> Response:
        start = _start(after, request.headers.get("last-event-id"))
        if len(broadcaster.subscribers) >= max_streams:
            body = db.dumps(
                {"detail": f"every event stream is taken ({max_streams}); retry in {STREAM_RETRY_SECONDS} s"}
            )
            resp = json_response(request, body, status=503)
            resp.headers["Retry-After"] = str(STREAM_RETRY_SECONDS)
            return resp
        queue = broadcaster.subscribe()  # before the replay, so nothing falls between the two

        async def stream() -> AsyncIterator[bytes]:
            try:
                yield b"retry: 1000\n: resultsnight events\n\n"
                sent = start if start is not None else broadcaster.last_id
                while start is not None:
                    # A page at a time: a client far behind never has the whole log buffered for it.
                    page = await anyio.to_thread.run_sync(
                        lambda after=sent: db.rows(engine, "board/events_after", after=after, max_rows=REPLAY_PAGE)
                    )
                    for row in page:
                        yield Event(row["event_id"], row["kind"], row["payload"], row["created_at"]).sse()
                        sent = row["event_id"]
                    if len(page) < REPLAY_PAGE:
                        break
                while True:
                    try:
                        item = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                    except TimeoutError:
                        yield b": keep-alive\n\n"
                        continue
                    if item is CLOSE:
                        return
                    if item.event_id > sent:
                        yield item.sse()
                        sent = item.event_id
            finally:
                broadcaster.unsubscribe(queue)

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        )

    return api
