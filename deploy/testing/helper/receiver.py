"""A webhook receiver for `make deploy-test`: records each POSTed alert, one JSON line each.

POST /alert  -> 200; the body is appended (with the time it arrived) to
                /var/lib/receiver/alerts.jsonl
GET  /alerts -> that file
GET  /health -> 200
"""

from __future__ import annotations

import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

LOG = "/var/lib/receiver/alerts.jsonl"
MAX_BODY = 1 << 20
_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    """Records alerts; answers the test's reads."""

    def _reply(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        """Append one alert."""
        length = int(self.headers.get("Content-Length") or 0)
        if self.path != "/alert" or not 0 < length <= MAX_BODY:
            self._reply(400, b'{"ok": false}')
            return
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            self._reply(400, b'{"ok": false}')
            return
        line = json.dumps({"received_at": time.time(), "alert": body}) + "\n"
        with _lock, open(LOG, "a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        self._reply(200, b'{"ok": true}')

    def do_GET(self) -> None:  # noqa: N802
        """The recorded alerts, or a health answer."""
        if self.path == "/health":
            self._reply(200, b'{"status": "ok"}')
        elif self.path == "/alerts":
            with _lock:
                data = Path(LOG).read_bytes() if os.path.exists(LOG) else b""
            self._reply(200, data, "application/x-ndjson")
        else:
            self._reply(404, b"{}")

    def log_message(self, fmt: str, *args: object) -> None:
        """One line per request on stdout (docker compose logs alert-receiver)."""
        print(f"{self.address_string()} {fmt % args}", flush=True)


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", 8000), Handler).serve_forever()  # noqa: S104 - the compose network only
