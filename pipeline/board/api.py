"""The JSON API under /api/v1/ (contract, second wave): tally, seats, flips, alerts, targets, projection."""

from __future__ import annotations

import datetime as dt
from typing import Any

import anyio
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from pipeline.board import db
from pipeline.board.responses import CachedResponses, json_response

PAGE_MAX = 1000  # rows of /api/v1/alerts per response: a client pages on with ?after=
BIGINT_MAX = 2**63 - 1


def _as_utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)  # a time without a zone is read as UTC
    return value


def router(engine: Engine, cached: CachedResponses) -> APIRouter:
    """The /api/v1/ routes but the event stream, read through engine and answered from cached."""
    api = APIRouter()

    async def as_of_or_live(request: Request, as_of: dt.datetime | None, live: str, at: str) -> Response:
        # A view as it stands now, or its as_of function at a moment.
        t = _as_utc(as_of)
        if t is None:
            return await cached(request, lambda: db.rows(engine, live))
        return await cached(request, lambda: db.rows(engine, at, as_of=t))

    async def require_projection() -> None:
        if not await anyio.to_thread.run_sync(lambda: db.scalar(engine, "board/projection_exists")):
            raise HTTPException(
                503, "results.projection does not exist in this database yet (run resultsnight db init)"
            )

    @api.get("/api/v1/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> Response:
        return json_response(request, db.dumps(request.app.openapi()))

    @api.get("/api/v1/tally", summary="rows of results.party_tally (as it stood at as_of, if given)")
    async def tally(request: Request, as_of: dt.datetime | None = Query(None)) -> Response:
        return await as_of_or_live(request, as_of, "board/tally", "board/tally_as_of")

    @api.get("/api/v1/seats", summary="rows of results.seat_status (as it stood at as_of, if given)")
    async def seats(request: Request, as_of: dt.datetime | None = Query(None)) -> Response:
        return await as_of_or_live(request, as_of, "board/seats", "board/seats_as_of")

    @api.get(
        "/api/v1/seats/{gss_code}",
        summary="one seat's seat_status row, its candidates, every revision and its nominated candidates",
        responses={404: {"description": "no such constituency"}},
    )
    async def seat(request: Request, gss_code: str) -> Response:
        def compute() -> dict[str, Any]:
            found = db.rows(engine, "board/seat", gss_code=gss_code)
            if not found:
                raise LookupError
            return {
                **found[0],
                "candidates": db.rows(engine, "board/seat_candidates", gss_code=gss_code),
                "revisions": db.rows(engine, "board/seat_revisions", gss_code=gss_code),
                "baseline": db.rows(engine, "board/seat_baseline", gss_code=gss_code),
                "nominations": db.rows(engine, "board/seat_nominations", gss_code=gss_code),
            }

        try:
            return await cached(request, compute)
        except LookupError:
            raise HTTPException(
                404, f"no constituency with GSS code {gss_code!r} in the election being counted"
            ) from None

    @api.get("/api/v1/agency/tally", summary="rows of results.agency_tally: the agency's latest state of the parties")
    async def agency_tally(request: Request) -> Response:
        return await cached(request, lambda: db.rows(engine, "board/agency_tally"))

    @api.get(
        "/api/v1/agency/check",
        summary="rows of results.agency_check: the agency's latest totals beside ours over the same constituencies",
    )
    async def agency_check(request: Request) -> Response:
        return await cached(request, lambda: db.rows(engine, "board/agency_check"))

    @api.get("/api/v1/flips", summary="rows of results.flips (as it stood at as_of, if given)")
    async def flips(request: Request, as_of: dt.datetime | None = Query(None)) -> Response:
        return await as_of_or_live(request, as_of, "board/flips", "board/flips_as_of")

    @api.get("/api/v1/alerts", summary="rows of results.alerts with alert_id > after, oldest first")
    async def alerts(request: Request, after: int = Query(0, ge=0, le=BIGINT_MAX)) -> Response:
        return await cached(request, lambda: db.rows(engine, "board/alerts", after=after, max_rows=PAGE_MAX))

    @api.get("/api/v1/targets", summary="rows of results.targets, for one attacking party if given")
    async def targets(request: Request, party: str | None = Query(None, max_length=16)) -> Response:
        return await cached(request, lambda: db.rows(engine, "board/targets", party=party))

    @api.get(
        "/api/v1/projection",
        summary="rows of results.projection",
        responses={503: {"description": "the projection is not in this database yet"}},
    )
    async def projection(request: Request) -> Response:
        await require_projection()
        return await cached(request, lambda: db.rows(engine, "board/projection"))

    @api.get(
        "/api/v1/projection/history",
        summary="rows of results.projection_history with declared_count > after, by declared_count then party",
        responses={503: {"description": "the projection is not in this database yet"}},
    )
    async def projection_history(request: Request, after: int = Query(-1, ge=-1, le=650)) -> Response:
        await require_projection()
        return await cached(request, lambda: db.rows(engine, "board/projection_history", after=after))

    return api
