"""JSON responses with ETags, and the per-URL cache every JSON route of the board answers from.

Every JSON response carries an ETag (a hash of its body) and a matching
If-None-Match gets 304 with no body. Bodies are cached per URL against the
newest event id the listener has seen: between two commits a thousand clients
polling /api/v1/tally cost the database nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import anyio
from fastapi import Request
from fastapi.responses import Response

from pipeline.board import db
from pipeline.board.events import Broadcaster

CACHE_ENTRIES = 512
CACHE_SECONDS = 5.0  # a safety net for changes no trigger announces (db init, a new count setting)


class _Cache:
    """Response bodies per URL, valid while no event has arrived since they were made."""

    def __init__(self) -> None:
        self.entries: OrderedDict[str, tuple[int, float, bytes, str]] = OrderedDict()

    def get(self, key: str, version: int) -> tuple[bytes, str] | None:
        hit = self.entries.get(key)
        if hit is None or hit[0] != version or time.monotonic() - hit[1] > CACHE_SECONDS:
            return None
        self.entries.move_to_end(key)
        return hit[2], hit[3]

    def put(self, key: str, version: int, body: bytes, etag: str) -> None:
        self.entries[key] = (version, time.monotonic(), body, etag)
        self.entries.move_to_end(key)
        while len(self.entries) > CACHE_ENTRIES:
            self.entries.popitem(last=False)


def etag_of(body: bytes) -> str:
    """A strong ETag for a body."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    return header.strip() == "*" or etag in {t.strip().removeprefix("W/") for t in header.split(",")}


def json_response(
    request: Request, body: bytes, etag: str | None = None, status: int = 200, version: int | None = None
) -> Response:
    """A JSON response with its ETag, or 304 with no body when the client already has it."""
    etag = etag or etag_of(body)
    headers = {"ETag": etag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    if version is not None:
        headers["X-Resultsnight-Event-Id"] = str(version)
    if status == 200 and _matches(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


class CachedResponses:
    """Answers a request from the cache, or computes its body once however many clients ask at once."""

    def __init__(self, broadcaster: Broadcaster) -> None:
        self.broadcaster = broadcaster
        self.cache = _Cache()
        self.inflight: dict[tuple[str, int], asyncio.Future] = {}

    async def __call__(self, request: Request, compute: Callable[[], Any]) -> Response:
        """The JSON response for request, its body from compute() unless cached for the newest event."""
        key = str(request.url.path) + "?" + str(request.url.query)
        version = self.broadcaster.last_id  # read before the query: a commit in between only makes us recompute
        hit = self.cache.get(key, version) if self.broadcaster.connected else None
        if hit is None:
            # One query per URL and version however many clients ask at once.
            flight = self.inflight.get((key, version))
            if flight is None:
                flight = asyncio.ensure_future(self._compute(key, version, compute))
                self.inflight[(key, version)] = flight
                flight.add_done_callback(lambda _: self.inflight.pop((key, version), None))
            body, etag = await asyncio.shield(flight)
        else:
            body, etag = hit
        return json_response(request, body, etag, version=version)

    async def _compute(self, key: str, version: int, compute: Callable[[], Any]) -> tuple[bytes, str]:
        body = db.dumps(await anyio.to_thread.run_sync(compute))
        etag = etag_of(body)
        self.cache.put(key, version, body, etag)
        return body, etag
