"""Desk calls (`resultsnight call`) against a real Postgres: every row of the contract's semantics.

Blyth Valley: LAB held it from CON in 2017, CON gained it in 2019. The rush
and result files are the hand-written corpus's (tests/corpus); a rush that
disagrees is written here from the corpus rush with another winner.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline.calls import make_call, withdraw_call
from pipeline.cli import main
from pipeline.exceptions import CallRefused
from pipeline.ingest import ingest_paths
from pipeline.views import invariant_query, load_views
from tests.db_helpers import rows

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).resolve().parent / "corpus"
BLYTH = "E14000575"
BLYTH_RUSH = CORPUS / "General_Election_2019_rush_Blyth_Valley_1.xml"  # CON GAIN FROM LAB
BLYTH_RESULT = CORPUS / "General_Election_2019_result_Blyth_Valley_1.xml"  # CON 17440, LAB 16728


def seat(engine, gss: str = BLYTH) -> tuple:
    return rows(engine, "select status, winner_party, outcome from results.seat_status where gss_code = :g", g=gss)[0]


def alerts(engine) -> list[tuple]:
    return rows(engine, "select kind, from_party, to_party, source from results.alerts order by alert_id")


def ingest(engine, settings, tmp_path: Path, *files: Path) -> None:
    for f in files:
        inbox = tmp_path / f"in_{f.stem}"
        inbox.mkdir()
        shutil.copy(f, inbox / f.name)
        summary = ingest_paths(engine, [inbox], settings=settings)
        assert summary.complete


@pytest.fixture
def lab_rush(tmp_path: Path) -> Path:
    """A rush flashing LAB (a hold) for Blyth Valley."""
    body = BLYTH_RUSH.read_text(encoding="utf-8")
    body = (
        body.replace('winningParty="C"', 'winningParty="Lab"')
        .replace("gain", "hold")
        .replace("C GAIN FROM LAB", "LAB HOLD")
    )
    path = tmp_path / "General_Election_2019_rush_Blyth_Valley_LAB_1.xml"
    path.write_text(body, encoding="utf-8")
    return path


def test_a_gain_call_counts_like_a_rush_and_the_feed_agreeing_raises_nothing_more(clean_db, settings, tmp_path):
    result = make_call(clean_db, "Blyth Valley", "Conservative", note="our count agent", by="ann")
    assert result.changed and result.gss_code == BLYTH
    assert seat(clean_db) == ("called", "CON", "gain")
    assert alerts(clean_db) == [("flip", "LAB", "CON", "desk")]
    (message,) = rows(clean_db, "select message from results.alerts")[0]
    (needed,) = rows(clean_db, "select swing_needed_pct from results.seat_status where gss_code = :g", g=BLYTH)[0]
    assert message == f"CON GAIN FROM LAB: Blyth Valley (the desk's call by ann; needed {needed:.1f}%)"
    tally = dict(rows(clean_db, "select party, seats from results.party_tally where party in ('CON', 'LAB')"))
    assert tally == {"CON": 1, "LAB": 0}  # a called seat counts in the tally like a rushed one
    ingest(clean_db, settings, tmp_path, BLYTH_RUSH)
    assert seat(clean_db) == ("rush", "CON", "gain")
    ingest(clean_db, settings, tmp_path, BLYTH_RESULT)
    assert seat(clean_db) == ("declared", "CON", "gain")
    assert alerts(clean_db) == [("flip", "LAB", "CON", "desk")]
    # the call is history, still in the audit
    assert rows(clean_db, "select gss_code, constituency, party, note, called_by, withdrawn_at from results.calls") == [
        (BLYTH, "Blyth Valley", "CON", "our count agent", "ann", None)
    ]


def test_a_wrong_call_then_the_result(clean_db, settings, tmp_path):
    make_call(clean_db, BLYTH, "LD", by="ann")
    assert seat(clean_db) == ("called", "LD", "gain")
    ingest(clean_db, settings, tmp_path, BLYTH_RESULT)
    assert seat(clean_db) == ("declared", "CON", "gain")
    assert alerts(clean_db) == [
        ("flip", "LAB", "LD", "desk"),
        ("retraction", "LAB", "LD", "result"),
        ("flip", "LAB", "CON", "result"),
    ]


def test_a_call_then_a_rush_that_disagrees(clean_db, settings, tmp_path, lab_rush):
    make_call(clean_db, BLYTH, "CON", by="ann")
    ingest(clean_db, settings, tmp_path, lab_rush)
    assert seat(clean_db) == ("rush", "LAB", "hold")
    assert alerts(clean_db) == [("flip", "LAB", "CON", "desk"), ("retraction", "LAB", "CON", "rush")]
    (message,) = rows(clean_db, "select message from results.alerts where kind = 'retraction'")[0]
    assert message == "RETRACTION: Blyth Valley is not a CON gain from LAB; rush revision 1 shows LAB HOLD"


def test_a_hold_call_then_a_result_showing_a_gain(clean_db, settings, tmp_path):
    make_call(clean_db, BLYTH, "Lab", by="ann")
    assert seat(clean_db) == ("called", "LAB", "hold")
    assert alerts(clean_db) == []
    ingest(clean_db, settings, tmp_path, BLYTH_RESULT)
    assert alerts(clean_db) == [("flip", "LAB", "CON", "result")]


def test_withdrawing_a_gain_call_before_the_feed_speaks_retracts_it(clean_db):
    first = make_call(clean_db, BLYTH, "CON", by="ann")
    result = withdraw_call(clean_db, BLYTH, by="bob")
    assert result.changed and [a.kind for a in result.alerts] == ["retraction"]
    assert seat(clean_db) == ("awaiting", None, None)
    assert alerts(clean_db) == [("flip", "LAB", "CON", "desk"), ("retraction", "LAB", "CON", "desk")]
    (row,) = rows(clean_db, "select call_id, withdrawn_at is not null, withdrawn_at >= called_at from results.calls")
    assert row == (first.call_id, True, True)
    with pytest.raises(CallRefused, match="no current desk call"):
        withdraw_call(clean_db, BLYTH)
    # a new call after a withdrawal is a new row: the audit keeps both
    make_call(clean_db, BLYTH, "CON", by="ann")
    assert rows(clean_db, "select count(*), count(withdrawn_at) from results.calls") == [(2, 1)]
    assert len(alerts(clean_db)) == 3


def test_withdrawing_after_the_feed_has_spoken_only_records_it(clean_db, settings, tmp_path):
    make_call(clean_db, BLYTH, "CON", by="ann")
    ingest(clean_db, settings, tmp_path, BLYTH_RUSH)
    result = withdraw_call(clean_db, BLYTH)
    assert result.alerts == [] and "already decided" in result.message
    assert seat(clean_db) == ("rush", "CON", "gain")
    assert rows(clean_db, "select count(withdrawn_at) from results.calls") == [(1,)]


def test_the_same_call_twice_changes_nothing_and_alerts_nobody(clean_db):
    first = make_call(clean_db, "blyth valley", "CON", by="ann")
    again = make_call(clean_db, BLYTH, "Conservative Party", by="bob")
    assert not again.changed and again.alerts == [] and again.call_id == first.call_id
    assert "nothing changed" in again.message
    assert rows(clean_db, "select count(*) from results.calls") == [(1,)]
    assert len(alerts(clean_db)) == 1
    with pytest.raises(CallRefused, match="withdraw that call first"):
        make_call(clean_db, BLYTH, "LD")


def test_a_call_on_a_declared_seat_is_refused_and_nothing_is_recorded(clean_db, settings, tmp_path):
    ingest(clean_db, settings, tmp_path, BLYTH_RESULT)
    before = alerts(clean_db)
    with pytest.raises(CallRefused, match="already declared by a result"):
        make_call(clean_db, BLYTH, "LAB")
    assert rows(clean_db, "select count(*) from pipeline.call") == [(0,)]
    assert alerts(clean_db) == before and seat(clean_db) == ("declared", "CON", "gain")


def test_a_call_on_a_seat_with_a_rush_is_refused(clean_db, settings, tmp_path):
    ingest(clean_db, settings, tmp_path, BLYTH_RUSH)
    with pytest.raises(CallRefused, match="the feed's rush decides"):
        make_call(clean_db, BLYTH, "LAB")
    assert rows(clean_db, "select count(*) from pipeline.call") == [(0,)]


@pytest.mark.parametrize(
    ("seat_arg", "party", "match"),
    [
        ("Atlantis North", "CON", "no constituency"),
        ("E14099999", "CON", "no constituency"),
        (BLYTH, "Monster Raving Looney", "no party matches"),
    ],
)
def test_unknown_seat_or_party_is_refused_and_nothing_is_written(clean_db, seat_arg, party, match):
    with pytest.raises(CallRefused, match=match):
        make_call(clean_db, seat_arg, party)
    assert rows(clean_db, "select count(*) from pipeline.call") == [(0,)]
    assert rows(clean_db, "select count(*) from pipeline.seat_state") == [(0,)]


def test_the_command_exits_0_when_recorded_and_1_when_refused(clean_db, settings, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("RESULTSNIGHT_DATA_DIR", str(settings.data_dir))
    assert main(["call", "Blyth Valley", "C", "--note", "exit poll", "--by", "ann"]) == 0
    out = capsys.readouterr().out
    assert "called Blyth Valley for CON (gain) by ann" in out and "alert raised: CON GAIN FROM LAB" in out
    assert main(["call", BLYTH, "CON"]) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert main(["call", "Nowhere", "CON"]) == 1
    assert "refused: no constituency" in capsys.readouterr().err
    assert main(["call", BLYTH, "--withdraw", "--by", "bob"]) == 0
    assert main(["call", BLYTH, "--withdraw"]) == 1
    assert "no current desk call" in capsys.readouterr().err
    # the command only records the alerts (the desk's role writes no delivery marks): the deliverer sends them
    assert rows(clean_db, "select count(*), count(delivered_at) from results.alerts") == [(2, 0)]
    assert main(["deliver", "--once"]) == 0
    # the webhook is unset: the alerts went to the log, recorded as delivered
    assert rows(clean_db, "select count(*) from results.alerts where delivered_at is null") == [(0,)]


def test_calls_reach_the_event_log_and_the_views_hold(clean_db):
    (last,) = rows(clean_db, "select coalesce(max(event_id), 0) from pipeline.event")[0]  # the log outlives resets
    make_call(clean_db, BLYTH, "CON", by="ann")
    withdraw_call(clean_db, BLYTH, by="ann")
    events = rows(
        clean_db,
        "select kind, payload->>'party', payload->>'withdrawn_at' is null from pipeline.event "
        "where event_id > :last and kind = 'call' order by event_id",
        last=last,
    )
    assert events == [("call", "CON", True), ("call", "CON", False)]  # the call, then its withdrawal
    make_call(clean_db, BLYTH, "CON", by="ann")
    for view in load_views():
        for invariant in view.invariants:
            query, params = invariant_query(invariant)
            with clean_db.connect() as conn:
                assert conn.execute(text(query), params).fetchmany(3) == [], f"{view.name}: {invariant.name}"


def test_the_as_of_functions_count_a_call_in_force(clean_db):
    """Migration 0007: a call in force at t, no rush or result stored by t, is 'called' (tests/test_as_of_calls.py)."""
    make_call(clean_db, BLYTH, "CON", by="ann")
    status = rows(
        clean_db, "select status, winner_party from pipeline.seat_status_as_of(now()) where gss_code = :g", g=BLYTH
    )
    assert status == [("called", "CON")]
    tally = dict(rows(clean_db, "select party, seats from pipeline.party_tally_as_of(now()) where party = 'CON'"))
    assert tally == {"CON": 1}


def test_two_desks_calling_one_seat_at_once_record_one_call(clean_db):
    """The seat's row is locked for the call: the second desk waits, then sees the first call and is refused."""
    from concurrent.futures import ThreadPoolExecutor

    def attempt(party: str) -> str:
        try:
            make_call(clean_db, BLYTH, party, by=party.lower())
        except CallRefused:
            return "refused"
        return "recorded"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(attempt, ["CON", "LD"]))
    assert outcomes == ["recorded", "refused"]
    assert rows(clean_db, "select count(*) from results.calls where withdrawn_at is null") == [(1,)]
    assert len(alerts(clean_db)) == 1
