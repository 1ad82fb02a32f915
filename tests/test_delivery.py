"""The alerts' outbox: a real HTTP receiver on 127.0.0.1, the real Postgres, a deliverer killed mid-POST."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline.calls import make_call
from pipeline.delivery import Backoff, LogReceiver, WebhookReceiver, deliver_pending
from pipeline.ingest import ingest_paths
from pipeline.rehearsal.stories import plan_night
from tests.db_helpers import rows

BLYTH = "E14000577"


class Receiver(http.server.ThreadingHTTPServer):
    """A webhook receiver that keeps the Idempotency-Keys it has processed (each alert acted on once)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.posts: list[tuple[str, dict]] = []  # every POST that arrived, in order: (key, body)
        self.processed: dict[str, dict] = {}  # what the receiver acted on: one per key
        self.gets: list[str] = []
        self.refuse: set[str] = set()  # keys answered 500, forever
        self.redirect = False
        self.hold: str | None = None  # the key whose POST is held until `release` is set
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/hook"

    def close(self) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self):  # noqa: N802 - http.server's naming
        key = self.headers.get("Idempotency-Key", "")
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        srv = self.server
        with srv.lock:
            srv.posts.append((key, body))
            if key not in srv.refuse and not srv.redirect:
                srv.processed.setdefault(key, body)  # deduplicated on the key, processed before answering
        if key == srv.hold:
            srv.holding.set()
            srv.release.wait(120)
        if srv.redirect:
            self.send_response(302)
            self.send_header("Location", "/moved")
        else:
            self.send_response(500 if key in srv.refuse else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):  # noqa: N802
        self.server.gets.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    srv = Receiver()
    yield srv
    srv.close()


def _raise_alerts(engine, count: int) -> list[int]:
    """`count` flip alerts, one per desk call of a Labour seat for the Conservatives; their ids."""
    seats = [
        g
        for (g,) in rows(
            engine,
            "select gss_code from results.baseline_seats where party = 'LAB' order by gss_code limit :n",
            n=count,
        )
    ]
    for gss in seats:
        assert make_call(engine, gss, "CON", by="test").alerts
    ids = [i for (i,) in rows(engine, "select alert_id from pipeline.alert order by alert_id")]
    assert len(ids) == count
    return ids


@pytest.mark.unit
def test_backoff_doubles_per_attempt_up_to_its_most():
    b = Backoff(first=2.0, most=60.0)
    assert [b.after(n) for n in range(7)] == [2, 4, 8, 16, 32, 60, 60]


def test_each_post_carries_the_key_and_the_id_and_every_attempt_is_recorded(clean_db, receiver):
    ids = _raise_alerts(clean_db, 3)
    report = deliver_pending(clean_db, WebhookReceiver(receiver.url))
    assert (report.delivered, report.failed) == (3, 0)
    assert [k for k, _ in receiver.posts] == [str(i) for i in ids]
    assert all(body["alert_id"] == int(key) and "GAIN FROM" in body["text"] for key, body in receiver.posts)
    assert rows(
        clean_db,
        "select alert_id, receiver, status_code, error, delivered from results.alert_deliveries order by attempt_id",
    ) == [(i, "webhook", 204, None, True) for i in ids]
    assert rows(
        clean_db,
        "select count(*) from results.alerts where delivered_at is not null and attempts = 1 and last_error is null",
    ) == [(3,)]
    assert deliver_pending(clean_db, WebhookReceiver(receiver.url)).delivered == 0  # nothing twice
    assert len(receiver.posts) == 3


def test_a_receiver_refusing_one_alert_forever_leaves_every_other_delivered(clean_db, receiver):
    ids = _raise_alerts(clean_db, 5)
    refused = ids[1]  # the second: the old deliverer stopped at it and sent none after
    receiver.refuse.add(str(refused))
    hook = WebhookReceiver(receiver.url)
    first = deliver_pending(clean_db, hook, backoff=Backoff(first=60))
    assert (first.delivered, first.failed) == (4, 1)
    assert sorted(receiver.processed) == sorted(str(i) for i in ids if i != refused)
    # Its own backoff holds it back; a pass at once does not try it again.
    assert rows(
        clean_db,
        "select next_attempt_at > clock_timestamp() + interval '50 seconds' from pipeline.alert where alert_id = :a",
        a=refused,
    ) == [(True,)]
    assert deliver_pending(clean_db, hook).failed == 0
    # Once due it is tried again (and refused again), each attempt recorded; nothing else is sent twice.
    for _ in range(2):
        with clean_db.begin() as conn:
            conn.execute(text("update pipeline.alert set next_attempt_at = null where alert_id = :a"), {"a": refused})
        assert deliver_pending(clean_db, hook).failed == 1
    assert (
        rows(
            clean_db,
            "select status_code, error, delivered from results.alert_deliveries where alert_id = :a",
            a=refused,
        )
        == [(500, "HTTP 500", False)] * 3
    )
    assert rows(
        clean_db, "select delivered_at is null, attempts, last_error from results.alerts where alert_id = :a", a=refused
    ) == [(True, 3, "HTTP 500")]
    assert [k for k, _ in receiver.posts].count(str(refused)) == 3
    assert all([k for k, _ in receiver.posts].count(str(i)) == 1 for i in ids if i != refused)


def test_a_redirect_is_a_failed_delivery_and_is_not_followed(clean_db, receiver):
    (alert,) = _raise_alerts(clean_db, 1)
    receiver.redirect = True
    assert deliver_pending(clean_db, WebhookReceiver(receiver.url)).failed == 1
    assert receiver.gets == []  # urllib turned the POST into an empty GET to /moved
    ((status, error, delivered),) = rows(clean_db, "select status_code, error, delivered from results.alert_deliveries")
    assert (status, delivered) == (302, False)
    assert "redirect" in error and "/moved" in error and "not followed" in error
    assert rows(clean_db, "select delivered_at is null from results.alerts") == [(True,)]


def test_a_receiver_that_never_answers_is_cut_off_at_the_timeout(clean_db, receiver):
    ids = _raise_alerts(clean_db, 2)
    receiver.hold = str(ids[0])
    started = time.monotonic()
    report = deliver_pending(clean_db, WebhookReceiver(receiver.url, timeout=1.0))
    assert time.monotonic() - started < 4
    assert (report.delivered, report.failed) == (1, 1)  # the next alert was not held up
    assert rows(clean_db, "select alert_id, error from results.alert_deliveries where not delivered") == [
        (ids[0], "TimeoutError: no answer within 1 s")
    ]


def test_a_slow_receiver_does_not_hold_up_the_ingest(clean_db, settings, receiver, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for m in plan_night(only=[BLYTH], corrections=0, recounts=0, false_flips=0):
        (folder / m.file_name).write_bytes(m.body)
    receiver.hold = "1"  # the first alert's POST would hang until released
    summary = ingest_paths(clean_db, [folder], settings=replace(settings, alert_webhook=receiver.url))
    # Not timed (the first ingest of a process loads great-expectations): the ingest never contacts the receiver.
    assert summary.counts["stored"] == len(list(folder.iterdir())) and summary.alerts
    assert receiver.posts == []  # the ingest only records the alert; delivering it is the deliverer's
    assert rows(clean_db, "select count(*) from pipeline.alert where delivered_at is null") == [(1,)]


def test_the_log_receiver_records_its_deliveries(clean_db):
    _raise_alerts(clean_db, 2)
    assert deliver_pending(clean_db, LogReceiver()).delivered == 2
    assert (
        rows(clean_db, "select receiver, status_code, delivered from results.alert_deliveries")
        == [("log", None, True)] * 2
    )


@pytest.mark.parametrize("webhook", ["hooks.example.org/no-scheme", "garbled"])
def test_a_broken_webhook_is_a_recorded_failure(clean_db, webhook):
    """A malformed URL or a reply that is not HTTP: recorded with its reason, the pass goes on."""
    import socket

    srv = None
    if webhook == "garbled":
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen()

        def serve():
            while True:
                try:
                    conn, _ = srv.accept()
                except OSError:
                    return
                with conn:
                    conn.recv(65536)
                    conn.sendall(b"this is not HTTP\r\n\r\n")

        threading.Thread(target=serve, daemon=True).start()
    url = f"http://127.0.0.1:{srv.getsockname()[1]}/hook" if srv else webhook
    try:
        _raise_alerts(clean_db, 2)
        assert deliver_pending(clean_db, WebhookReceiver(url)).failed == 2
        errors = [e for (e,) in rows(clean_db, "select last_error from results.alerts")]
        assert all(e.startswith("ValueError" if srv is None else "BadStatusLine") for e in errors), errors
    finally:
        if srv:
            srv.close()


def test_a_deliverer_killed_between_the_post_and_its_record_resends_with_the_same_key(clean_db, settings, receiver):
    """At least once: the receiver has the POST, the record never commits; the restart sends it again, same key."""
    ids = _raise_alerts(clean_db, 4)
    held = str(ids[1])
    receiver.hold = held
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "RESULTSNIGHT_DATA_DIR": str(settings.data_dir),
        "RESULTSNIGHT_ALERT_WEBHOOK": receiver.url,
        "RESULTSNIGHT_ALERT_TIMEOUT_SECONDS": "60",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "deliver", "--once"],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert receiver.holding.wait(60), proc.stderr.read().decode() if proc.poll() is not None else "no POST"
        os.kill(proc.pid, signal.SIGKILL)  # the receiver has the POST; its record is not committed
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    receiver.hold = None
    receiver.release.set()
    # The first alert was recorded; the killed one left no trace but an undelivered alert.
    deadline = time.monotonic() + 30
    while rows(
        clean_db,
        "select count(*) from pg_stat_activity where datname = current_database() "
        "and state like 'idle in transaction%'",
    ) != [(0,)]:
        assert time.monotonic() < deadline, "the killed deliverer's transaction never ended"
        time.sleep(0.1)
    assert rows(clean_db, "select alert_id from pipeline.alert where delivered_at is not null") == [(ids[0],)]
    assert rows(clean_db, "select count(*) from pipeline.alert_delivery where alert_id = :a", a=ids[1]) == [(0,)]

    report = deliver_pending(clean_db, WebhookReceiver(receiver.url))  # the restart
    assert (report.delivered, report.failed) == (3, 0)
    keys = [k for k, _ in receiver.posts]
    assert keys.count(held) == 2  # at least once: the receiver saw it twice ...
    assert sorted(receiver.processed, key=int) == [str(i) for i in ids]  # ... and, deduplicating, acts once
    assert all(keys.count(str(i)) == 1 for i in ids if str(i) != held)
    assert rows(clean_db, "select count(*) from results.alert_deliveries where delivered") == [(4,)]
    assert rows(clean_db, "select count(*) from pipeline.alert where delivered_at is null") == [(0,)]


def test_resultsnight_ingest_makes_one_delivery_pass_after_storing(
    clean_db, settings, receiver, tmp_path, monkeypatch, capsys
):
    from pipeline.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    for m in plan_night(only=[BLYTH], corrections=0, recounts=0, false_flips=0):
        (folder / m.file_name).write_bytes(m.body)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("RESULTSNIGHT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("RESULTSNIGHT_ALERT_WEBHOOK", receiver.url)
    assert main(["ingest", str(folder), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["delivered_alerts"] == 1
    ((alert_id,),) = rows(clean_db, "select alert_id from results.alerts where delivered_at is not null")
    assert [k for k, _ in receiver.posts] == [str(alert_id)]
    assert main(["deliver", "--once"]) == 0  # nothing left: nothing sent twice
    assert json.loads(capsys.readouterr().out) == {"delivered": 0, "failed": 0}
    assert len(receiver.posts) == 1
