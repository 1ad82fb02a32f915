"""The FastAPI app: the board at /, the JSON API under /api/v1/ (contract, second wave).

Every JSON response carries an ETag (a hash of its body) and a matching
If-None-Match gets 304 with no body. Bodies are cached per URL against the
newest event id the listener has seen: between two commits a thousand clients
polling /api/v1/tally cost the database nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from pipeline.board import db
from pipeline.board.events import CLOSE, Broadcaster, Event, Listener
from pipeline.board.hexmap import load_hexmaps
from pipeline.config import Settings
from pipeline.db import sql
from pipeline.watchlists import WatchList, load_watch_lists

STATIC = Path(__file__).resolve().parent / "static"
CACHE_ENTRIES = 512
CACHE_SECONDS = 5.0  # a safety net for changes no trigger announces (db init, a new count setting)
HEARTBEAT_SECONDS = 15.0
REPLAY_PAGE = 1000  # events read from the table at a time when a client replays (Last-Event-ID, ?after=)
PAGE_MAX = 1000  # rows of /api/v1/alerts per response: a client pages on with ?after=
STREAM_RETRY_SECONDS = 5  # Retry-After when every event stream is taken
BIGINT_MAX = 2**63 - 1
# The board's own page: no inline script or style, nothing from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


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


def _as_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)  # a time without a zone is read as UTC
    return value


def _watch(engine: Engine, watch_lists: list[WatchList]) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        counting = conn.execute(sql("queries/serve_count_setting")).one().counting_election_id
        return [
            {"list_id": w.list_id, "title": w.title, "seats": w.rows(conn)} for w in watch_lists if w.is_for(counting)
        ]


def create_app(settings: Settings, engine: Engine | None = None, conninfo: str | None = None) -> FastAPI:
    """The board and API app, reading through the read-only role."""
    url = db.board_url(settings)
    engine = engine or db.board_engine(url, settings.board_statement_timeout_ms)
    conninfo = conninfo or db.libpq_conninfo(url)
    broadcaster = Broadcaster()
    cache = _Cache()
    inflight: dict[tuple[str, int], asyncio.Future] = {}
    hexmaps = load_hexmaps(settings.seeds_dir)  # one layout per boundary set; the counted election's is served
    watch_lists = load_watch_lists(settings.seeds_dir)  # seeds/watch_lists.csv, as the summary and report read it

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        listener = Listener(conninfo, broadcaster, db.session_options(settings.board_statement_timeout_ms))
        app.state.listener = listener
        task = asyncio.create_task(listener.run())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(listener.started.wait(), 10.0)
        yield
        broadcaster.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        engine.dispose()

    app = FastAPI(
        title="resultsnight",
        summary=(
            "The results night as JSON: tally, seats, flips, alerts, targets, projection and its history, live events."
        ),
        version="1",
        openapi_url=None,  # served below under /api/v1/, with an ETag like every JSON response
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.broadcaster = broadcaster
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    async def cached(request: Request, compute: Callable[[], Any]) -> Response:
        key = str(request.url.path) + "?" + str(request.url.query)
        version = broadcaster.last_id  # read before the query: a commit in between only makes us recompute
        hit = cache.get(key, version) if broadcaster.connected else None
        if hit is None:
            # One query per URL and version however many clients ask at once.
            flight = inflight.get((key, version))
            if flight is None:
                flight = asyncio.ensure_future(_compute(key, version, compute))
                inflight[(key, version)] = flight
                flight.add_done_callback(lambda _: inflight.pop((key, version), None))
            body, etag = await asyncio.shield(flight)
        else:
            body, etag = hit
        return json_response(request, body, etag, version=version)

    async def _compute(key: str, version: int, compute: Callable[[], Any]) -> tuple[bytes, str]:
        body = db.dumps(await anyio.to_thread.run_sync(compute))
        etag = etag_of(body)
        cache.put(key, version, body, etag)
        return body, etag

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        return json_response(request, db.dumps({"detail": exc.detail}), status=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return json_response(request, db.dumps({"detail": detail}), status=422)

    @app.get("/", include_in_schema=False)
    async def board() -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html", headers=SECURITY_HEADERS)

    @app.get("/healthz", summary="{'status': 'ok'} when the database answers and the event listener listens, else 503")
    async def healthz(request: Request) -> Response:
        listener: Listener | None = getattr(app.state, "listener", None)
        listening = {
            "events_listening": broadcaster.connected,
            "listener_restarts": listener.restarts if listener else 0,
            "open_streams": len(broadcaster.subscribers),
        }
        try:
            # Stored files the pipeline could not move out of the inbox (results.files.archive_error).
            stuck = await anyio.to_thread.run_sync(lambda: db.rows(engine, "serve_archive_failures"))
        except Exception as exc:  # noqa: BLE001 - any driver error means "not healthy"; reported, not swallowed
            body = {
                "status": "unavailable",
                "detail": f"the results database does not answer: {type(exc).__name__}",
                **listening,
            }
            return json_response(request, db.dumps(body), status=503)
        files = {"archive_failures": stuck}
        if not broadcaster.connected:
            # The board would show a frozen night: say so (the listener is restarting itself).
            why = (listener.last_error if listener else None) or "not connected yet"
            body = {
                "status": "unavailable",
                "detail": f"the event listener is down ({why}); it restarts itself",
                **listening,
                **files,
            }
            return json_response(request, db.dumps(body), status=503)
        return json_response(request, db.dumps({"status": "ok", **listening, **files}))

    @app.get("/api/v1/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> Response:
        return json_response(request, db.dumps(app.openapi()))

    @app.get("/api/v1/tally", summary="rows of results.party_tally (as it stood at as_of, if given)")
    async def tally(request: Request, as_of: dt.datetime | None = Query(None)) -> Response:
        t = _as_utc(as_of)
        if t is None:
            return await cached(request, lambda: db.rows(engine, "serve_tally"))
        return await cached(request, lambda: db.rows(engine, "serve_tally_as_of", as_of=t))

    @app.get("/api/v1/seats", summary="rows of results.seat_status (as it stood at as_of, if given)")
    async def seats(request: Request, as_of: dt.datetime | None = Query(None)) -> Response:
        t = _as_utc(as_of)
        if t is None:
            return await cached(request, lambda: db.rows(engine, "serve_seats"))
        return await cached(request, lambda: db.rows(engine, "serve_seats_as_of", as_of=t))

    @app.get(
        "/api/v1/seats/{gss_code}",
        summary="one seat's seat_status row, its candidates, every revision and its nominated candidates",
        responses={404: {"description": "no such constituency"}},
    )
    async def seat(request: Request, gss_code: str) -> Response:
        def compute() -> dict[str, Any]:
            found = db.rows(engine, "serve_seat", gss_code=gss_code)
            if not found:
                raise LookupError
            return {
                **found[0],
                "candidates": db.rows(engine, "serve_seat_candidates", gss_code=gss_code),
                "revisions": db.rows(engine, "serve_seat_revisions", gss_code=gss_code),
                "baseline": db.rows(engine, "serve_seat_baseline", gss_code=gss_code),
                "nominations": db.rows(engine, "serve_seat_nominations", gss_code=gss_code),
            }

        try:
            return await cached(request, compute)
        except LookupError:
            raise HTTPException(
                404, f"no constituency with GSS code {gss_code!r} in the election being counted"
            ) from None

    @app.get("/api/v1/agency/tally", summary="rows of results.agency_tally: the agency's latest state of the parties")
    async def agency_tally(request: Request) -> Response:
        return await cached(request, lambda: db.rows(engine, "serve_agency_tally"))

    @app.get(
        "/api/v1/agency/check",
        summary="rows of results.agency_check: the agency's latest totals beside ours over the same constituencies",
    )
    async def agency_check(request: Request) -> Response:
        return await cached(request, lambda: db.rows(engine, "serve_agency_check"))

    @app.get("/api/v1/flips", summary="rows of results.flips (as it stood at as_of, if given)")
    async def flips(request: Request, as_of: dt.datetime | None = Query(None)) -> Response:
        t = _as_utc(as_of)
        if t is None:
            return await cached(request, lambda: db.rows(engine, "serve_flips"))
        return await cached(request, lambda: db.rows(engine, "serve_flips_as_of", as_of=t))

    @app.get("/api/v1/alerts", summary="rows of results.alerts with alert_id > after, oldest first")
    async def alerts(request: Request, after: int = Query(0, ge=0, le=BIGINT_MAX)) -> Response:
        return await cached(request, lambda: db.rows(engine, "serve_alerts", after=after, max_rows=PAGE_MAX))

    @app.get("/api/v1/targets", summary="rows of results.targets, for one attacking party if given")
    async def targets(request: Request, party: str | None = Query(None, max_length=16)) -> Response:
        return await cached(request, lambda: db.rows(engine, "serve_targets", party=party))

    @app.get(
        "/api/v1/projection",
        summary="rows of results.projection",
        responses={503: {"description": "the projection is not in this database yet"}},
    )
    async def projection(request: Request) -> Response:
        if not await anyio.to_thread.run_sync(lambda: db.scalar(engine, "serve_projection_exists")):
            raise HTTPException(
                503, "results.projection does not exist in this database yet (run resultsnight db init)"
            )
        return await cached(request, lambda: db.rows(engine, "serve_projection"))

    @app.get(
        "/api/v1/projection/history",
        summary="rows of results.projection_history with declared_count > after, by declared_count then party",
        responses={503: {"description": "the projection is not in this database yet"}},
    )
    async def projection_history(request: Request, after: int = Query(-1, ge=-1, le=650)) -> Response:
        if not await anyio.to_thread.run_sync(lambda: db.scalar(engine, "serve_projection_exists")):
            raise HTTPException(
                503, "results.projection does not exist in this database yet (run resultsnight db init)"
            )
        return await cached(request, lambda: db.rows(engine, "serve_projection_history", after=after))

    @app.get(
        "/api/v1/events",
        summary="Server-Sent Events: one per stored declaration, alert or call, as it commits",
        response_class=StreamingResponse,
    )
    async def events(request: Request, after: int | None = Query(None, ge=0, le=BIGINT_MAX)) -> Response:
        last = request.headers.get("last-event-id")
        start = after
        if start is None and last is not None and last.strip():
            value = last.strip()
            # ASCII digits only: str.isdigit() takes '²', which int() refuses.
            if not (value.isascii() and value.isdigit() and len(value) <= 19 and int(value) <= BIGINT_MAX):
                raise HTTPException(400, "Last-Event-ID must be an event id (digits 0-9)")
            start = int(value)
        if len(broadcaster.subscribers) >= settings.board_max_streams:
            body = db.dumps(
                {
                    "detail": f"every event stream is taken ({settings.board_max_streams}); "
                    f"retry in {STREAM_RETRY_SECONDS} s"
                }
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
                        lambda after=sent: db.rows(engine, "serve_events_after", after=after, max_rows=REPLAY_PAGE)
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

    @app.get("/board/hexmap.json", include_in_schema=False)
    async def hexes(request: Request) -> Response:
        # Read per request, uncached: `db init --election` can change the set without any event.
        (setting,) = await anyio.to_thread.run_sync(lambda: db.rows(engine, "serve_count_setting"))
        return json_response(
            request,
            db.dumps(
                {
                    "layout": "odd-r",
                    "hexes": hexmaps[setting["boundary_set"]],
                    "boundary_set": setting["boundary_set"],
                    "election": setting["counting_election_id"],
                    "baseline_label": setting["baseline_label"],
                }
            ),
        )

    @app.get("/board/watch.json", include_in_schema=False)
    async def watch(request: Request) -> Response:
        return await cached(request, lambda: _watch(engine, watch_lists))

    @app.get("/board/timeline.json", include_in_schema=False)
    async def timeline(request: Request) -> Response:
        return await cached(request, lambda: db.rows(engine, "serve_timeline")[0])

    return app
