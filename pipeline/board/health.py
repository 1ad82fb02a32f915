"""/healthz: whether the database answers and the event listener listens, for a load balancer and a person."""

from __future__ import annotations

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Engine

from pipeline.board import db
from pipeline.board.events import Broadcaster, Listener
from pipeline.board.responses import json_response


def router(engine: Engine, broadcaster: Broadcaster) -> APIRouter:
    """The health route; the app's lifespan puts its listener on app.state."""
    api = APIRouter()

    @api.get("/healthz", summary="{'status': 'ok'} when the database answers and the event listener listens, else 503")
    async def healthz(request: Request) -> Response:
        listener: Listener | None = getattr(request.app.state, "listener", None)

        def listening() -> dict:
            # Read once per answer, after the database's: the listener can reconnect
            # while the query runs, and the status must agree with what the body says.
            return {
                "events_listening": broadcaster.connected,
                "listener_restarts": listener.restarts if listener else 0,
                "open_streams": len(broadcaster.subscribers),
            }

        try:
            # Stored files the pipeline could not move out of the inbox (results.files.archive_error).
            stuck = await anyio.to_thread.run_sync(lambda: db.rows(engine, "board/archive_failures"))
        except Exception as exc:  # noqa: BLE001 - any driver error means "not healthy"; reported, not swallowed
            body = {
                "status": "unavailable",
                "detail": f"the results database does not answer: {type(exc).__name__}",
                **listening(),
            }
            return json_response(request, db.dumps(body), status=503)
        files = {"archive_failures": stuck}
        state = listening()
        if not state["events_listening"]:
            # The board would show a frozen night: say so (the listener is restarting itself).
            why = (listener.last_error if listener else None) or "not connected yet"
            body = {
                "status": "unavailable",
                "detail": f"the event listener is down ({why}); it restarts itself",
                **state,
                **files,
            }
            return json_response(request, db.dumps(body), status=503)
        return json_response(request, db.dumps({"status": "ok", **state, **files}))

    return api
