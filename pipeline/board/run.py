"""Run the board under uvicorn; SIGINT or SIGTERM ends every event stream and exits 0."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING

import uvicorn

from pipeline.config import Settings

if TYPE_CHECKING:
    from pipeline.board.events import Broadcaster


class _Server(uvicorn.Server):
    """uvicorn's server, ending the open event streams as soon as a stop is asked for."""

    def __init__(self, config: uvicorn.Config, broadcaster: Broadcaster) -> None:
        super().__init__(config)
        self.broadcaster = broadcaster
        self.loop: asyncio.AbstractEventLoop | None = None

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        await super().serve(sockets)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        if self.loop is not None:
            # Streams would otherwise keep uvicorn waiting for their connections to close.
            self.loop.call_soon_threadsafe(self.broadcaster.close)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # As uvicorn's, without re-raising the signal afterwards: a requested
        # stop that completed is a clean exit (status 0), not a death by signal.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        signals = (signal.SIGINT, signal.SIGTERM)
        original = {sig: signal.signal(sig, self.handle_exit) for sig in signals}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8050, log_level: str = "warning") -> None:
    """Serve the board and the API until SIGINT or SIGTERM."""
    from pipeline.board.app import create_app

    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=5,
        lifespan="on",
    )
    _Server(config, app.state.broadcaster).run()
