"""The FastAPI app: the board at /, the JSON API under /api/v1/ (contract, second wave).

The routes live by job: `api` (seats, tally and the rest of /api/v1/),
`stream` (the event stream), `health` (/healthz), `pages` (the page and the
data only it reads); `responses` makes every JSON body, its ETag and its cache.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from pipeline.board import api, db, health, pages, stream
from pipeline.board.events import Broadcaster, Listener
from pipeline.board.hexmap import load_hexmaps
from pipeline.board.responses import CachedResponses, json_response
from pipeline.config import Settings
from pipeline.watchlists import load_watch_lists


def create_app(settings: Settings, engine: Engine | None = None, conninfo: str | None = None) -> FastAPI:
    """The board and API app, reading through the read-only role."""
    url = db.board_url(settings)
    engine = engine or db.board_engine(url, settings.board_statement_timeout_ms)
    conninfo = conninfo or db.libpq_conninfo(url)
    broadcaster = Broadcaster()
    cached = CachedResponses(broadcaster)
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
        openapi_url=None,  # served under /api/v1/ (api.router), with an ETag like every JSON response
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.broadcaster = broadcaster
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        return json_response(request, db.dumps({"detail": exc.detail}), status=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return json_response(request, db.dumps({"detail": detail}), status=422)

    # In the order the routes were declared in before the split, so /api/v1/openapi.json reads the same.
    app.include_router(health.router(engine, broadcaster))
    app.include_router(api.router(engine, cached))
    app.include_router(stream.router(engine, broadcaster, settings.board_max_streams))
    app.include_router(pages.router(engine, cached, hexmaps, watch_lists))
    return app
