"""Delivering alerts: the outbox's deliverer, a loop of its own beside the ingest.

The storing transaction only inserts the alert (pipeline.store). A deliverer
(the sweep DAG's task, `resultsnight deliver`, one pass after
`resultsnight ingest`) claims one due alert at a time with `for update skip
locked`, POSTs it and records the attempt in the same short transaction:

- every attempt is a row of pipeline.alert_delivery (results.alert_deliveries);
- a refused alert waits its own exponential backoff (next_attempt_at) and
  never stands in front of another;
- the POST carries `Idempotency-Key: <alert_id>` and the id in its body,
  follows no redirect (a 3xx is a failed delivery, with the reason), and
  is cut off after a bounded time.

Delivery is at least once: a deliverer killed after the receiver has the
POST but before the commit leaves the alert undelivered (its transaction
rolls back) and the next pass sends it again with the same key; a receiver
that keeps the keys it has seen shows each alert once.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from sqlalchemy import Engine

from pipeline.config import Settings
from pipeline.db import sql
from pipeline.model import ReceiverKind

log = logging.getLogger("resultsnight.alerts")

BODY_LIMIT = 64 * 1024  # of the receiver's answer: read, never kept
ERROR_LIMIT = 500


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt came to."""

    receiver: ReceiverKind
    delivered: bool
    status_code: int | None = None
    error: str | None = None


class Receiver(Protocol):
    """Somewhere an alert goes: the log, a webhook."""

    def post(self, alert: dict[str, Any]) -> Attempt:
        """Deliver one alert once; never raise, say what happened."""


class LogReceiver:
    """No webhook set: each alert is a WARNING line on the `resultsnight.alerts` logger."""

    def post(self, alert: dict[str, Any]) -> Attempt:
        """Log the alert's message."""
        log.warning("ALERT %s", alert["message"])
        return Attempt(ReceiverKind.LOG, True)


def alert_body(alert: dict[str, Any]) -> bytes:
    """The JSON a webhook receives: {"text": message} (as Slack reads it) and every field, alert_id included."""
    payload = {
        "text": alert["message"],
        **{k: v for k, v in alert.items() if k not in ("message", "delivery_attempts")},
    }
    return json.dumps(payload, default=str).encode()


class WebhookReceiver:
    """POST each alert as JSON with `Idempotency-Key: <alert_id>`; a redirect is not followed."""

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url = url
        self.timeout = timeout

    def post(self, alert: dict[str, Any]) -> Attempt:
        """One POST, done within `timeout` seconds in all (connect, send and the answer), or failed."""
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return Attempt(
                ReceiverKind.WEBHOOK,
                False,
                error="ValueError: the webhook URL must be http(s)://host/... (RESULTSNIGHT_ALERT_WEBHOOK)",
            )
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        try:
            conn = cls(parts.hostname, parts.port, timeout=self.timeout)
        except ValueError:  # a malformed port; the URL is a secret, never quoted
            return Attempt(ReceiverKind.WEBHOOK, False, error="ValueError: the webhook URL has a malformed port")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": str(alert["alert_id"]),
            "User-Agent": "resultsnight-alerts",
        }
        # The socket timeout bounds each connect and read; the timer bounds
        # the whole POST (a receiver dripping its answer a byte at a time).
        cut = threading.Event()
        timer = threading.Timer(self.timeout, _cut_off, (conn, cut))
        timer.daemon = True
        timer.start()
        try:
            conn.request("POST", path, alert_body(alert), headers)
            resp = conn.getresponse()
            resp.read(BODY_LIMIT)
            status, location = resp.status, resp.getheader("Location")
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if cut.is_set() or isinstance(exc, TimeoutError | socket.timeout):
                return Attempt(ReceiverKind.WEBHOOK, False, error=f"TimeoutError: no answer within {self.timeout:g} s")
            return Attempt(ReceiverKind.WEBHOOK, False, error=f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT])
        finally:
            timer.cancel()
            conn.close()
        if cut.is_set():
            return Attempt(
                ReceiverKind.WEBHOOK, False, status, f"TimeoutError: no complete answer within {self.timeout:g} s"
            )
        if 200 <= status < 300:
            return Attempt(ReceiverKind.WEBHOOK, True, status)
        if 300 <= status < 400:
            # urllib would follow it as a GET without the body: the alert would be lost.
            return Attempt(
                ReceiverKind.WEBHOOK,
                False,
                status,
                f"HTTP {status}: redirect to {location!r} not followed"[:ERROR_LIMIT],
            )
        return Attempt(ReceiverKind.WEBHOOK, False, status, f"HTTP {status}")


def _cut_off(conn: http.client.HTTPConnection, cut: threading.Event) -> None:
    cut.set()
    sock = conn.sock
    if sock is not None:
        # Already closed (OSError): the POST ended as the timer fired.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)  # the blocked read returns at once


def receiver_for(settings: Settings) -> Receiver:
    """The receiver configuration asks for: the webhook, else the log."""
    if settings.alert_webhook:
        return WebhookReceiver(settings.alert_webhook, settings.alert_timeout_seconds)
    return LogReceiver()


@dataclass(frozen=True)
class Backoff:
    """How long a refused alert waits before its next attempt: first, doubling per attempt, up to most."""

    first: float = 2.0
    most: float = 300.0

    def after(self, attempts_before: int) -> float:
        """Seconds to wait after the attempt that followed `attempts_before` earlier ones."""
        return min(self.most, self.first * 2 ** min(attempts_before, 30))


@dataclass
class DeliveryReport:
    """What one pass (or a run of passes) of the deliverer did."""

    delivered: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        """A JSON-ready form for the task log."""
        return {"delivered": self.delivered, "failed": self.failed}


def deliver_pending(
    engine: Engine,
    receiver: Receiver,
    *,
    backoff: Backoff | None = None,
    limit: int = 1000,
    budget_seconds: float | None = None,
) -> DeliveryReport:
    """One pass: try each due undelivered alert once, oldest first, recording every attempt."""
    backoff = backoff or Backoff()
    report = DeliveryReport()
    tried: list[int] = []
    started = time.monotonic()
    with engine.connect() as conn:
        while len(tried) < limit:
            if budget_seconds is not None and time.monotonic() - started >= budget_seconds:
                break
            # One short transaction per alert: the row stays locked while it
            # is posted, so two deliverers never send it at once; the POST
            # and its record commit together or (killed) not at all.
            with conn.begin():
                row = conn.execute(sql("queries/delivery/claim_due_alert"), {"tried": tried}).mappings().first()
                if row is None:
                    break
                alert = dict(row)
                tried.append(alert["alert_id"])
                attempt = receiver.post(alert)
                conn.execute(
                    sql("queries/delivery/record_alert_attempt"),
                    {
                        "alert_id": alert["alert_id"],
                        "receiver": attempt.receiver,
                        "status_code": attempt.status_code,
                        "error": None if attempt.delivered else (attempt.error or "not delivered"),
                        "delivered": attempt.delivered,
                    },
                )
                if attempt.delivered:
                    conn.execute(sql("queries/delivery/mark_alert_delivered"), {"alert_id": alert["alert_id"]})
                    report.delivered += 1
                else:
                    wait = backoff.after(alert["delivery_attempts"])
                    conn.execute(
                        sql("queries/delivery/mark_alert_failed"),
                        {"alert_id": alert["alert_id"], "error": attempt.error, "backoff_seconds": wait},
                    )
                    report.failed += 1
                    log.error("alert %s not delivered (%s); next try in %g s", alert["alert_id"], attempt.error, wait)
    return report


def seconds_until_due(engine: Engine) -> float | None:
    """Seconds until the next undelivered alert is due (0 now), None when every alert is delivered."""
    with engine.connect() as conn:
        value = conn.execute(sql("queries/delivery/next_alert_due")).scalar()
    return None if value is None else float(value)


def run_deliverer(
    engine: Engine,
    receiver: Receiver,
    *,
    backoff: Backoff | None = None,
    poll_seconds: float = 1.0,
    run_seconds: float | None = None,
    stop: Callable[[], bool] = lambda: False,
) -> DeliveryReport:
    """Deliver passes until `stop()` or `run_seconds` have passed (None: forever), polling for new alerts."""
    total = DeliveryReport()
    started = time.monotonic()
    while not stop():
        left = None if run_seconds is None else run_seconds - (time.monotonic() - started)
        if left is not None and left <= 0:
            break
        one = deliver_pending(engine, receiver, backoff=backoff, budget_seconds=left)
        total.delivered += one.delivered
        total.failed += one.failed
        due = seconds_until_due(engine)
        pause = poll_seconds if due is None else min(poll_seconds, max(due, 0.05))
        if left is not None:
            pause = min(pause, max(0.0, run_seconds - (time.monotonic() - started)))
        time.sleep(pause)
    return total
