"""The live board's API (`resultsnight serve`) on a real Postgres: every endpoint, as_of, ETag/304, 404, events."""

from __future__ import annotations

import csv
import signal
import time

import httpx
import pytest
from sqlalchemy import text

from pipeline.config import PROJECT_ROOT
from pipeline.ingest import ingest_paths
from pipeline.rehearsal.pacing import play
from pipeline.rehearsal.stories import plan_night
from pipeline.schema import reset_night
from tests.board_helpers import (
    HOSTILE_CANDIDATE,
    BoardServer,
    EventReader,
    hostile_result,
    night_in_two,
    wait_for_event_id,
)
from tests.db_helpers import last_event, records

pytestmark = pytest.mark.integration

NORWICH_NORTH = "E14000863"
SPLIT = 500  # messages in the first half of the night


@pytest.fixture(scope="module")
def halves(tmp_path_factory):
    first, second, _ = night_in_two(tmp_path_factory, SPLIT)
    return first, second


@pytest.fixture(scope="module")
def board(engine, settings):
    reset_night(engine)
    server = BoardServer(settings)
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def _mid_night_taken() -> dict:
    """The mid-night state last ingested in this module: its snapshot and the newest event id then."""
    return {}


@pytest.fixture
def mid_night(engine, settings, board, halves, _mid_night_taken):
    """The first part of the night ingested, with the API snapshot and the time it was taken.

    Ingested again (on a reset night) whenever a test has changed the night since,
    as its newest event says: each test sees the same mid-night, in any order.
    """
    taken = _mid_night_taken
    if taken.get("event_id") != last_event(engine):
        reset_night(engine)
        ingest_paths(engine, [halves[0]], settings=settings)
        wait_for_event_id(board.base, last_event(engine))
        at = records(engine, "select clock_timestamp() as t")[0]["t"]
        snapshot = {
            "tally": httpx.get(board.base + "/api/v1/tally").json(),
            "seats": httpx.get(board.base + "/api/v1/seats").json(),
            "flips": httpx.get(board.base + "/api/v1/flips").json(),
        }
        taken.update(event_id=last_event(engine), value=(at, snapshot))
    return taken["value"]


def get(board, path, **kw):
    resp = httpx.get(board.base + path, timeout=30, **kw)
    return resp


def test_the_hex_layout_covers_every_baseline_seat_once(engine):
    with (PROJECT_ROOT / "seeds" / "hexmap.csv").open(newline="") as f:
        hexes = list(csv.DictReader(f))
    baseline = {r["gss_code"] for r in records(engine, "select gss_code from results.baseline_seats")}
    assert len(baseline) == 650
    assert {h["gss_code"] for h in hexes} == baseline
    assert len({(h["q"], h["r"]) for h in hexes}) == len(hexes) == 650


def test_the_board_role_reads_but_cannot_write(engine):
    with engine.connect() as conn:
        conn.exec_driver_sql("set role board")
        assert conn.execute(text("select count(*) from results.seat_status")).scalar() == 650
        with pytest.raises(Exception, match="permission denied"):
            conn.execute(text("select count(*) from pipeline.declaration"))
        conn.rollback()
        conn.exec_driver_sql("set role board")
        with pytest.raises(Exception, match="permission denied"):
            conn.execute(text("delete from pipeline.event"))
        conn.rollback()


def test_every_endpoint_answers_json_with_an_etag(board, mid_night):
    for path in [
        "/healthz",
        "/api/v1/tally",
        "/api/v1/seats",
        f"/api/v1/seats/{NORWICH_NORTH}",
        "/api/v1/flips",
        "/api/v1/alerts?after=0",
        "/api/v1/targets?party=LAB",
        "/api/v1/projection",
        "/api/v1/projection/history",
        "/api/v1/projection/history?after=10",
        "/api/v1/openapi.json",
    ]:
        resp = get(board, path)
        assert resp.status_code == 200, path
        assert resp.headers["content-type"].startswith("application/json"), path
        assert resp.headers["etag"].startswith('"'), path
        resp.json()


def test_healthz(board):
    assert get(board, "/healthz").json()["status"] == "ok"


def test_list_endpoints_return_the_views_rows(engine, board, mid_night):
    tally = get(board, "/api/v1/tally").json()
    assert {r["party"]: r["seats"] for r in tally} == {
        r["party"]: r["seats"] for r in records(engine, "select party, seats from results.party_tally")
    }
    assert set(tally[0]) == set(records(engine, "select * from results.party_tally limit 1")[0])
    seats = get(board, "/api/v1/seats").json()
    assert len(seats) == 650
    declared = records(engine, "select count(*) as n from results.seat_status where status = 'declared'")[0]["n"]
    assert 0 < sum(s["status"] == "declared" for s in seats) == declared < 650
    flips = get(board, "/api/v1/flips").json()
    assert sorted(f["gss_code"] for f in flips) == sorted(
        r["gss_code"] for r in records(engine, "select gss_code from results.flips")
    )
    targets = get(board, "/api/v1/targets", params={"party": "LAB"}).json()
    assert targets and {t["attacking_party"] for t in targets} == {"LAB"}
    assert [t["rank"] for t in targets] == list(range(1, len(targets) + 1))
    assert (
        len(get(board, "/api/v1/targets").json())
        == records(engine, "select count(*) as n from results.targets")[0]["n"]
    )


def test_alerts_after_n_oldest_first(engine, board, mid_night):
    ids = [r["alert_id"] for r in records(engine, "select alert_id from results.alerts order by alert_id")]
    assert len(ids) > 2
    assert [a["alert_id"] for a in get(board, "/api/v1/alerts").json()] == ids
    assert [a["alert_id"] for a in get(board, f"/api/v1/alerts?after={ids[1]}").json()] == ids[2:]
    assert get(board, "/api/v1/alerts?after=-1").status_code == 422


def test_if_none_match_gives_304_with_no_body(board, mid_night):
    for path in [
        "/api/v1/tally",
        "/api/v1/seats",
        f"/api/v1/seats/{NORWICH_NORTH}",
        "/healthz",
        "/api/v1/openapi.json",
        "/api/v1/flips?as_of=2019-12-13T03:00:00Z",
        "/api/v1/projection/history",
    ]:
        first = get(board, path)
        again = get(board, path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, path
        assert again.content == b""
        assert again.headers["etag"] == first.headers["etag"]
        assert get(board, path, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_unknown_seat_is_404_with_a_detail(board):
    resp = get(board, "/api/v1/seats/E14999999")
    assert resp.status_code == 404
    assert "E14999999" in resp.json()["detail"]
    assert resp.headers["etag"]


def test_seat_card_has_candidates_and_every_revision(engine, board, mid_night):
    gss = records(
        engine,
        "select gss_code from results.declarations group by gss_code"
        " having count(*) > 1 and bool_or(kind = 'result') limit 1",
    )[0]["gss_code"]
    card = get(board, f"/api/v1/seats/{gss}").json()
    assert card["gss_code"] == gss and card["status"] == "declared"
    assert [c["candidate_name"] for c in card["candidates"]] == [
        r["candidate_name"]
        for r in records(
            engine, "select candidate_name from results.candidates where gss_code = :g order by position", g=gss
        )
    ]
    assert [r["declaration_id"] for r in card["revisions"]] == [
        r["declaration_id"]
        for r in records(
            engine, "select declaration_id from results.declarations where gss_code = :g order by stored_at", g=gss
        )
    ]
    assert all(r["stored_at"] for r in card["revisions"])
    assert {b["party"] for b in card["baseline"]} >= {card["baseline_party"]}


def test_openapi_names_every_endpoint(board):
    paths = get(board, "/api/v1/openapi.json").json()["paths"]
    for path in [
        "/healthz",
        "/api/v1/tally",
        "/api/v1/seats",
        "/api/v1/seats/{gss_code}",
        "/api/v1/flips",
        "/api/v1/alerts",
        "/api/v1/targets",
        "/api/v1/projection",
        "/api/v1/projection/history",
        "/api/v1/events",
    ]:
        assert path in paths
    assert any(p["name"] == "after" for p in paths["/api/v1/projection/history"]["get"]["parameters"])
    assert any(p["name"] == "as_of" for p in paths["/api/v1/tally"]["get"]["parameters"])


def test_projection(engine, board, mid_night):
    rows = get(board, "/api/v1/projection").json()
    assert rows  # mid-night there is a projection to show
    assert {r["party"] for r in rows} == {r["party"] for r in records(engine, "select party from results.projection")}


def test_projection_history_is_the_views_rows_by_count_then_party(engine, board, mid_night):
    rows = get(board, "/api/v1/projection/history").json()
    view = records(engine, "select * from results.projection_history order by declared_count, party")
    assert rows and len(rows) == len(view)
    assert [(r["declared_count"], r["party"], r["projected_seats"], r["low"], r["high"]) for r in rows] == [
        (v["declared_count"], v["party"], v["projected_seats"], v["low"], v["high"]) for v in view
    ]
    assert set(rows[0]) == set(view[0])
    declared = records(engine, "select count(*) as n from results.seat_status where status = 'declared'")[0]["n"]
    assert max(r["declared_count"] for r in rows) == declared
    latest = get(board, f"/api/v1/projection/history?after={declared - 1}").json()
    assert {r["declared_count"] for r in latest} == {declared}
    assert {r["party"] for r in latest} >= {r["party"] for r in get(board, "/api/v1/projection").json()}
    assert get(board, "/api/v1/projection/history?after=-2").status_code == 422


def test_projection_history_grows_by_one_row_set_per_stored_result(engine, settings, board, mid_night, tmp_path):
    before = get(board, "/api/v1/projection/history")
    assert (
        get(board, "/api/v1/projection/history", headers={"If-None-Match": before.headers["etag"]}).status_code == 304
    )
    rows = before.json()
    counts = sorted({r["declared_count"] for r in rows})
    declared = {
        r["gss_code"] for r in records(engine, "select gss_code from results.seat_status where status = 'declared'")
    }
    # the second half's first result for a seat not yet declared: one more declared seat
    result = next(m for m in plan_night()[SPLIT:] if m.kind == "result" and m.gss_code not in declared)
    (tmp_path / result.file_name).write_bytes(result.body)
    ingest_paths(engine, [tmp_path], settings=settings)
    wait_for_event_id(board.base, last_event(engine))
    after = get(board, "/api/v1/projection/history", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    grown = after.json()
    new_count = counts[-1] + 1
    assert sorted({r["declared_count"] for r in grown}) == counts + [new_count]
    added = [r for r in grown if r["declared_count"] == new_count]
    assert len(grown) == len(rows) + len(added)
    assert sum(r["projected_seats"] for r in added) == 650
    assert [r for r in grown if r["declared_count"] < counts[-1]] == [
        r for r in rows if r["declared_count"] < counts[-1]
    ]


def test_a_desk_calls_alert_carries_its_call_id(engine, board, mid_night):
    from pipeline.calls import make_call

    seat = records(
        engine,
        "select s.gss_code, s.baseline_party from results.seat_status as s"
        " where s.status = 'awaiting' and s.baseline_party = 'LAB' order by s.gss_code limit 1",
    )[0]
    last = max([a["alert_id"] for a in get(board, "/api/v1/alerts").json()], default=0)
    call = make_call(engine, seat["gss_code"], "CON", by="test")
    assert call.changed and call.alerts
    wait_for_event_id(board.base, last_event(engine))
    new = get(board, f"/api/v1/alerts?after={last}").json()
    assert [(a["source"], a["kind"], a["gss_code"], a["call_id"]) for a in new] == [
        ("desk", "flip", seat["gss_code"], call.call_id)
    ]
    assert records(engine, "select call_id from results.calls where gss_code = :g", g=seat["gss_code"]) == [
        {"call_id": call.call_id}
    ]
    feed = [a for a in get(board, "/api/v1/alerts").json() if a["source"] != "desk"]
    assert feed and all(a["call_id"] is None for a in feed)


def test_as_of_shows_the_night_as_it_stood(engine, settings, board, halves, mid_night):
    at, snapshot = mid_night
    ingest_paths(engine, [halves[1]], settings=settings)
    wait_for_event_id(board.base, last_event(engine))
    assert sum(s["status"] == "declared" for s in get(board, "/api/v1/seats").json()) == 650
    params = {"as_of": at.isoformat()}
    assert get(board, "/api/v1/seats", params=params).json() == snapshot["seats"]
    assert get(board, "/api/v1/tally", params=params).json() == snapshot["tally"]
    assert get(board, "/api/v1/flips", params=params).json() == snapshot["flips"]
    before = get(board, "/api/v1/seats", params={"as_of": "2000-01-01T00:00:00"}).json()
    assert {s["status"] for s in before} == {"awaiting"}
    assert get(board, "/api/v1/tally", params={"as_of": "not a time"}).status_code == 422


def test_events_stream_every_declaration_and_alert_in_commit_order(engine, settings, board, tmp_path):
    reset_night(engine)
    start = last_event(engine)
    wait_for_event_id(board.base, start)  # the reset is fanned out before the stream opens: not one of its events
    reader = EventReader(board.base)
    reader.start()
    reader.opened.wait(10)
    time.sleep(0.2)  # the stream's first bytes are out: it is subscribed
    inbox = tmp_path / "night"
    play(plan_night()[:120], inbox, speed=0, progress=False)
    ingest_paths(engine, [inbox], settings=settings)
    declarations = records(engine, "select declaration_id from pipeline.declaration order by declaration_id")
    alerts = records(engine, "select alert_id, declaration_id from pipeline.alert order by alert_id")
    events = reader.wait_for(len(declarations) + len(alerts))
    reader.close()
    assert len(events) == len(declarations) + len(alerts)
    ids = [int(e["id"]) for e in events]
    assert ids == sorted(ids) and ids[0] > start
    assert [e["data"]["declaration_id"] for e in events if e["event"] == "declaration"] == [
        d["declaration_id"] for d in declarations
    ]
    assert [e["data"]["alert_id"] for e in events if e["event"] == "alert"] == [a["alert_id"] for a in alerts]
    seen = set()
    for e in events:  # an alert comes after the declaration that raised it
        if e["event"] == "declaration":
            seen.add(e["data"]["declaration_id"])
        else:
            assert e["data"]["declaration_id"] in seen
    assert all(e["data"]["at"] and e["data"]["event_id"] == int(e["id"]) for e in events)

    # A client that reconnects with Last-Event-ID gets exactly what it missed, then goes on live.
    missed_from = ids[len(ids) // 2]
    again = EventReader(board.base, last_event_id=missed_from)
    again.start()
    replayed = again.wait_for(len([i for i in ids if i > missed_from]))
    assert [int(e["id"]) for e in replayed] == [i for i in ids if i > missed_from]
    more = tmp_path / "more"
    play(plan_night()[120:130], more, speed=0, progress=False)
    ingest_paths(engine, [more], settings=settings)
    wanted = last_event(engine)
    deadline = time.monotonic() + 30
    while (not again.events or int(again.events[-1]["id"]) < wanted) and time.monotonic() < deadline:
        time.sleep(0.02)
    got = [int(e["id"]) for e in again.events]
    assert got == sorted(set(got)) and got[-1] == wanted
    again.close()


def test_event_ids_follow_commit_order_not_insert_order(engine):
    """Insert in A then B, commit B then A: B's event comes first; a rolled-back insert emits nothing."""
    reset_night(engine)
    counting = records(engine, "select counting_election_id as e from pipeline.count_setting")[0]["e"]
    seats = [
        r["gss_code"]
        for r in records(
            engine, "select gss_code from pipeline.contest where election_id = :e order by gss_code limit 3", e=counting
        )
    ]

    def insert(conn, gss: str) -> int:
        sha = f"test-{gss}"
        conn.execute(
            text("insert into pipeline.raw_file (sha256, size_bytes, body, first_file_name) values (:s, 1, 'x', :s)"),
            {"s": sha},
        )
        return conn.execute(
            text(
                "insert into pipeline.declaration (election_id, gss_code, kind, revision, source_format, sha256,"
                " winner_party) values (:e, :g, 'rush', 1, 'agency_xml', :s, 'CON') returning declaration_id"
            ),
            {"e": counting, "g": gss, "s": sha},
        ).scalar()

    before = last_event(engine)
    with engine.connect() as a, engine.connect() as b, engine.connect() as c:
        first_inserted = insert(a, seats[0])
        second_inserted = insert(b, seats[1])
        rolled_back = insert(c, seats[2])
        b.commit()
        a.commit()
        c.rollback()
    events = records(engine, "select payload from pipeline.event where event_id > :b order by event_id", b=before)
    assert [e["payload"]["declaration_id"] for e in events] == [second_inserted, first_inserted]
    assert rolled_back not in {e["payload"]["declaration_id"] for e in events}
    reset_night(engine)
    assert records(
        engine, "select kind from pipeline.event where event_id > :b order by event_id desc limit 1", b=before
    ) == [{"kind": "reset"}]


def test_a_lost_listening_connection_comes_back_and_catches_up(engine, settings, board, tmp_path):
    reset_night(engine)  # the files below are new to the night, whatever ran before
    wait_for_event_id(board.base, last_event(engine))
    reader = EventReader(board.base)
    reader.start()
    reader.opened.wait(10)
    time.sleep(0.2)
    killed = records(
        engine,
        "select pg_terminate_backend(pid) as k from pg_stat_activity"
        " where application_name = 'resultsnight-board-listener' and datname = current_database()",
    )
    assert [r["k"] for r in killed] == [True]
    before = last_event(engine)
    play(plan_night()[130:140], tmp_path, speed=0, progress=False)
    ingest_paths(engine, [tmp_path], settings=settings)
    expected = [
        r["event_id"]
        for r in records(engine, "select event_id from pipeline.event where event_id > :b order by event_id", b=before)
    ]
    assert expected
    events = reader.wait_for(len(expected))
    reader.close()
    assert [int(e["id"]) for e in events] == expected


def test_many_streams_share_one_listening_connection(engine, board):
    readers = [EventReader(board.base) for _ in range(20)]
    for r in readers:
        r.start()
    for r in readers:
        r.opened.wait(10)
    rows = records(
        engine, "select application_name from pg_stat_activity where usename = 'board' and datname = current_database()"
    )
    apps = [r["application_name"] for r in rows]
    assert apps.count("resultsnight-board-listener") == 1
    assert len(apps) <= 7  # the listener and the API's pool (4 + 2), whatever the number of browsers
    assert (
        records(
            engine,
            "select count(*) as n from pg_stat_activity where usename = 'board' and datname ="
            " current_database() and query ilike 'listen%'",
        )[0]["n"]
        <= 1
    )
    for r in readers:
        r.close()


def test_hostile_names_stay_text_in_the_api(engine, settings, board, tmp_path):
    hostile_result(tmp_path, NORWICH_NORTH)
    before = last_event(engine)
    ingest_paths(engine, [tmp_path], settings=settings)
    assert last_event(engine) > before
    wait_for_event_id(board.base, last_event(engine))
    card = get(board, f"/api/v1/seats/{NORWICH_NORTH}")
    assert card.headers["content-type"].startswith("application/json")
    assert card.headers["x-content-type-options"] == "nosniff"  # never sniffed into HTML
    names = [c["candidate_name"] for c in card.json()["candidates"]]
    assert " ".join(HOSTILE_CANDIDATE) in names
    page = get(board, "/")
    assert "default-src 'self'" in page.headers["content-security-policy"]  # and no inline script could run
    assert page.headers["content-type"].startswith("text/html")


def test_serve_stops_cleanly_on_sigint_and_sigterm_with_streams_open(settings, engine):
    for sig in (signal.SIGTERM, signal.SIGINT):
        server = BoardServer(settings)
        reader = EventReader(server.base)
        reader.start()
        reader.opened.wait(10)
        time.sleep(0.2)
        assert server.stop(sig, timeout=20) == 0
        assert reader.ended.wait(10)
        assert b"Traceback" not in server.proc.stderr.read()


@pytest.mark.unit
def test_hexjson_is_read_as_odd_r_hexes_sorted_by_code():
    from pipeline.board.hexmap import hexes_from_hexjson

    doc = {"layout": "odd-r", "hexes": {"E2": {"n": "B", "q": -1, "r": 3}, "E1": {"n": "A", "q": 0, "r": "-2"}}}
    assert hexes_from_hexjson(doc) == [("E1", 0, -2), ("E2", -1, 3)]
    with pytest.raises(ValueError, match="odd-r"):
        hexes_from_hexjson({"layout": "even-q", "hexes": {}})
