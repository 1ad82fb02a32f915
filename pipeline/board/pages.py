"""The board's own page at / and the data only it reads: the hex map, the watch lists, the timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import Engine

from pipeline.board import db
from pipeline.board.responses import CachedResponses, json_response
from pipeline.db import sql
from pipeline.watchlists import WatchList

STATIC = Path(__file__).resolve().parent / "static"
# The board's own page: no inline script or style, nothing from elsewhere.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _watch(engine: Engine, watch_lists: list[WatchList]) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        counting = conn.execute(sql("queries/board/count_setting")).one().counting_election_id
        return [
            {"list_id": w.list_id, "title": w.title, "seats": w.rows(conn)} for w in watch_lists if w.is_for(counting)
        ]


def router(
    engine: Engine, cached: CachedResponses, hexmaps: dict[str, dict[str, list[int]]], watch_lists: list[WatchList]
) -> APIRouter:
    """The page and its data routes: hexmaps by boundary set, the watch lists as configured."""
    api = APIRouter()

    @api.get("/", include_in_schema=False)
    async def board() -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html", headers=SECURITY_HEADERS)

    @api.get("/board/hexmap.json", include_in_schema=False)
    async def hexes(request: Request) -> Response:
        # Read per request, uncached: `db init --election` can change the set without any event.
        (setting,) = await anyio.to_thread.run_sync(lambda: db.rows(engine, "board/count_setting"))
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

    @api.get("/board/watch.json", include_in_schema=False)
    async def watch(request: Request) -> Response:
        return await cached(request, lambda: _watch(engine, watch_lists))

    @api.get("/board/timeline.json", include_in_schema=False)
    async def timeline(request: Request) -> Response:
        return await cached(request, lambda: db.rows(engine, "board/timeline")[0])

    return api
