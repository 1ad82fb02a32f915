"""The as_of functions (time travel) count desk calls as the live views do (migration 0007).

A night of calls, withdrawals, recount notices, a rush and a result, with the
live results.seat_status and results.party_tally read after each step; then
pipeline.seat_status_as_of / party_tally_as_of at each of those moments must
give exactly what the live views gave then.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.calls import make_call, withdraw_call
from pipeline.ingest import ingest_paths
from tests.db_helpers import rows

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).resolve().parent / "corpus"
BLYTH, KENSINGTON, YNYS_MON = "E14000575", "E14000768", "W07000041"
SEAT_COLUMNS = "gss_code, status, winner_party, outcome, revision, declared_at"


def now(engine):
    return rows(engine, "select clock_timestamp()")[0][0]


def live(engine) -> tuple[list[tuple], list[tuple]]:
    seats = rows(engine, f"select {SEAT_COLUMNS} from results.seat_status order by gss_code")
    tally = rows(engine, "select party, seats, gains, losses, net from results.party_tally order by party")
    return seats, tally


def as_of(engine, t) -> tuple[list[tuple], list[tuple]]:
    seats = rows(engine, f"select {SEAT_COLUMNS} from pipeline.seat_status_as_of(:t) order by gss_code", t=t)
    tally = rows(
        engine, "select party, seats, gains, losses, net from pipeline.party_tally_as_of(:t) order by party", t=t
    )
    return seats, tally


def ingest(engine, settings, inbox: Path, *files: Path) -> None:
    for f in files:
        folder = inbox / f"in_{f.stem}"
        folder.mkdir()
        shutil.copy(f, folder / f.name)
        assert ingest_paths(engine, [folder], settings=settings).complete


def status(seats: list[tuple], gss: str) -> tuple:
    return next(s[1:4] for s in seats if s[0] == gss)


def test_as_of_replays_calls_withdrawals_and_recounts_as_the_live_views_showed_them(clean_db, settings, tmp_path):
    engine = clean_db
    recount_2 = tmp_path / "General_Election_2019_recount_Kensington_2.xml"
    recount_2.write_text(
        (CORPUS / "General_Election_2019_recount_Kensington_1.xml").read_text().replace('revision="1"', 'revision="2"'),
        encoding="utf-8",
    )
    moments: list[tuple[str, object, tuple]] = []

    def mark(label: str) -> None:
        moments.append((label, now(engine), live(engine)))

    mark("before anything")
    make_call(engine, "Blyth Valley", "CON", by="test")  # a gain call (LAB held it in 2017)
    mark("Blyth called")
    make_call(engine, YNYS_MON, "CON", by="test")
    mark("Ynys Mon called")
    withdraw_call(engine, YNYS_MON, by="test")
    mark("Ynys Mon withdrawn")
    ingest(engine, settings, tmp_path, CORPUS / "General_Election_2019_recount_Kensington_1.xml")
    mark("Kensington recount")
    make_call(engine, "Kensington", "CON", by="test")  # after the recount notice: called
    mark("Kensington called after its recount")
    ingest(engine, settings, tmp_path, recount_2)  # a later notice: recount, the call's party still known
    mark("Kensington recount again")
    ingest(engine, settings, tmp_path, CORPUS / "General_Election_2019_rush_Blyth_Valley_1.xml")
    mark("Blyth rush")
    ingest(engine, settings, tmp_path, CORPUS / "General_Election_2019_result_Blyth_Valley_1.xml")
    mark("Blyth result")

    # The live views moved as the contract says (so the comparison below is not of two empty nights).
    by_label = {label: snap for label, _, snap in moments}
    assert status(by_label["Blyth called"][0], BLYTH) == ("called", "CON", "gain")
    assert status(by_label["Ynys Mon called"][0], YNYS_MON)[:2] == ("called", "CON")
    assert status(by_label["Ynys Mon withdrawn"][0], YNYS_MON) == ("awaiting", None, None)
    assert status(by_label["Kensington recount"][0], KENSINGTON) == ("recount", None, None)
    assert status(by_label["Kensington called after its recount"][0], KENSINGTON)[:2] == ("called", "CON")
    assert status(by_label["Kensington recount again"][0], KENSINGTON)[:2] == ("recount", "CON")
    assert status(by_label["Blyth rush"][0], BLYTH) == ("rush", "CON", "gain")
    assert status(by_label["Blyth result"][0], BLYTH) == ("declared", "CON", "gain")
    assert dict(t[:2] for t in by_label["Blyth called"][1])["CON"] == 1

    for label, t, snapshot in moments:
        assert as_of(engine, t) == snapshot, label


def test_a_call_made_after_t_or_withdrawn_before_it_does_not_count(clean_db):
    engine = clean_db
    before = now(engine)
    make_call(engine, "Blyth Valley", "CON", by="test")
    during = now(engine)
    withdraw_call(engine, "Blyth Valley", by="test")
    after = now(engine)
    assert status(as_of(engine, before)[0], BLYTH) == ("awaiting", None, None)
    assert status(as_of(engine, during)[0], BLYTH) == ("called", "CON", "gain")
    assert status(as_of(engine, after)[0], BLYTH) == ("awaiting", None, None)
