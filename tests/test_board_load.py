"""The board under load: a cap on event streams, replays in pages, Last-Event-ID checked, a listener that
comes back, a statement timeout, no desk notes on the public stream. A real `resultsnight serve`."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from pipeline.calls import make_call
from pipeline.ingest import ingest_paths
from pipeline.rehearsal.pacing import play
from pipeline.rehearsal.stories import plan_night
from pipeline.schema import reset_night
from tests.board_helpers import BoardServer, EventReader, wait_for_event_id
from tests.db_helpers import last_event, rows

pytestmark = pytest.mark.integration

MAX_STREAMS = 3


def _until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout} s for {what}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def board(engine, settings, tmp_path_factory):
    reset_night(engine)
    folder = tmp_path_factory.mktemp("night")
    play(plan_night()[:1100], folder, speed=0, progress=False)
    ingest_paths(engine, [folder], settings=settings)
    server = BoardServer(settings, env={"RESULTSNIGHT_BOARD_MAX_STREAMS": str(MAX_STREAMS)})
    wait_for_event_id(server.base, last_event(engine))
    yield server
    assert server.stop() == 0


def _health(board) -> httpx.Response:
    return httpx.get(board.base + "/healthz", timeout=10)


def test_a_last_event_id_that_is_not_an_event_id_is_a_400(board):
    for bad in ["²", "١٢", "12a", "-1", "99999999999999999999", "9223372036854775808"]:
        resp = httpx.get(board.base + "/api/v1/events", headers={"Last-Event-ID": bad.encode()}, timeout=10)
        assert resp.status_code == 400, bad
        assert "Last-Event-ID" in resp.json()["detail"]
    assert httpx.get(board.base + "/api/v1/events?after=9223372036854775808", timeout=10).status_code == 422
    assert httpx.get(board.base + "/api/v1/alerts?after=9223372036854775808", timeout=10).status_code == 422


def test_the_next_stream_past_the_cap_gets_503_with_retry_after(board):
    # Streams other tests closed end at their next line (a keep-alive at the latest): every place free first.
    _until(lambda: _health(board).json()["open_streams"] == 0, 40, "earlier tests' streams to end")
    with httpx.Client(timeout=httpx.Timeout(10, read=60)) as client:
        streams = [client.stream("GET", board.base + "/api/v1/events") for _ in range(MAX_STREAMS)]
        opened = [s.__enter__() for s in streams]
        assert all(r.status_code == 200 for r in opened)
        _until(lambda: _health(board).json()["open_streams"] == MAX_STREAMS, 10, "the streams to be counted")
        refused = httpx.get(board.base + "/api/v1/events", timeout=10)
        assert refused.status_code == 503 and refused.headers["retry-after"].isdigit()
        streams[0].__exit__(None, None, None)  # one browser leaves: its place is free again
        _until(lambda: _health(board).json()["open_streams"] == MAX_STREAMS - 1, 20, "the stream to end")
        with client.stream("GET", board.base + "/api/v1/events") as again:
            assert again.status_code == 200
        for s in streams[1:]:
            s.__exit__(None, None, None)


def test_a_replay_comes_a_page_at_a_time_and_misses_nothing(engine, board):
    last = last_event(engine)
    start = max(0, last - 2500)
    expected = [
        i for (i,) in rows(engine, "select event_id from pipeline.event where event_id > :s order by event_id", s=start)
    ]
    assert len(expected) > 1000  # more than one page
    reader = EventReader(board.base, last_event_id=start)
    reader.start()
    events = reader.wait_for(len(expected))
    reader.close()
    assert [int(e["id"]) for e in events[: len(expected)]] == expected


def test_desk_notes_never_go_out_on_the_public_stream(engine, board):
    seat = rows(
        engine,
        "select gss_code from results.seat_status where status = 'awaiting' and baseline_party = 'LAB'"
        " order by gss_code limit 1",
    )[0][0]
    before = last_event(engine)
    reader = EventReader(board.base)
    reader.start()
    reader.opened.wait(10)
    time.sleep(0.3)
    make_call(engine, seat, "CON", note="our exit poll, not for publication", by="test")
    calls = [e for e in reader.wait_for(1) if e["event"] == "call"]
    reader.close()
    replay = EventReader(board.base, last_event_id=before)
    replay.start()
    replayed = [e for e in replay.wait_for(2) if e["event"] == "call"]
    replay.close()
    assert calls and replayed
    assert all("note" not in e["data"] and "exit poll" not in str(e["data"]) for e in calls + replayed)
    assert rows(engine, "select note from results.calls where gss_code = :g", g=seat) == [
        ("our exit poll, not for publication",)
    ]  # the desk keeps it


def test_healthz_is_503_while_the_listener_is_down_and_it_comes_back_by_itself(engine, board):
    assert _health(board).status_code == 200
    try:
        with engine.begin() as conn:
            conn.execute(text("revoke select on pipeline.event from board"))
            conn.execute(
                text(
                    "select pg_terminate_backend(pid) from pg_stat_activity where application_name = "
                    "'resultsnight-board-listener' and datname = current_database()"
                )
            )
        down = _until(lambda: (r := _health(board)).status_code == 503 and r, 20, "healthz to say the listener is down")
        assert "event listener is down" in down.json()["detail"] and down.json()["events_listening"] is False
    finally:
        with engine.begin() as conn:
            conn.execute(text("grant select on pipeline.event to board"))
    back = _until(lambda: (r := _health(board)).status_code == 200 and r, 30, "the listener to come back")
    assert back.json()["events_listening"] is True and back.json()["listener_restarts"] >= 1


@pytest.mark.parametrize("before", [False, True])
def test_healthz_status_and_body_agree_when_the_listener_changes_during_its_query(engine, before):
    """The race behind a flaky run of the test above: the listener reconnected while /healthz queried the
    database, and the answer said 200 "ok" with events_listening false. Driven here exactly: the real route
    on the real database, the listener's state flipped by the route's own query."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from pipeline.board import health
    from pipeline.board.events import Broadcaster

    broadcaster = Broadcaster()
    broadcaster.connected = before
    app = FastAPI()
    app.include_router(health.router(engine, broadcaster))

    def flip(*_args) -> None:
        broadcaster.connected = not before

    event.listen(engine, "before_cursor_execute", flip)
    try:
        with TestClient(app) as client:
            answer = client.get("/healthz")
    finally:
        event.remove(engine, "before_cursor_execute", flip)
    listening = answer.json()["events_listening"]
    assert listening is (not before)  # what the listener was when the answer was made
    assert answer.status_code == (200 if listening else 503), answer.json()


def test_healthz_names_stored_files_the_archive_move_left_in_the_inbox(engine, board):
    ((name, sha),) = rows(engine, "select file_name, sha256 from pipeline.receipt order by receipt_id limit 1")
    assert _health(board).json()["archive_failures"] == []
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "insert into pipeline.archive_failure (file_name, sha256, target, error) "
                    "values (:n, :s, '/archive/x', 'OSError: No space left on device')"
                ),
                {"n": name, "s": sha},
            )
        stuck = _health(board).json()["archive_failures"]
        assert [(f["file_name"], f["archive_error"]) for f in stuck] == [(name, "OSError: No space left on device")]
    finally:
        with engine.begin() as conn:
            conn.execute(text("delete from pipeline.archive_failure"))


def test_the_boards_connections_have_a_statement_timeout(settings, engine):
    from pipeline.board import db

    board = db.board_engine(db.board_url(settings), statement_timeout_ms=200)
    try:
        with board.connect() as conn:
            assert conn.execute(text("show statement_timeout")).scalar() == "200ms"
            with pytest.raises(OperationalError, match="statement timeout"):
                conn.execute(text("select pg_sleep(2)"))
    finally:
        board.dispose()
