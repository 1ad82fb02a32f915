"""Nominations and the state of the parties, ingested end to end against a real Postgres (issue 16 items 3 and 4).

Fixtures are written inline by tests/agency_feed.py in the agency's real format.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from pipeline.config import Settings
from pipeline.ingest import IngestSummary, ingest_paths
from pipeline.model import Outcome, ReasonCode
from tests import agency_feed as feed
from tests.db_helpers import records

pytestmark = pytest.mark.integration

NORWICH_NORTH, BLYTH_VALLEY, KENSINGTON = "E14000863", "E14000575", "E14000768"
_clock = iter(range(10**6))


def drop(folder: Path, name: str, body: bytes) -> Path:
    """Write one file into folder, its modification time in the past and later than the one before (ingest order)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(body)
    moment = (1_576_195_200 + next(_clock)) * 10**9  # from 2019-12-13T00:00:00Z, a second apart
    os.utime(path, ns=(moment, moment))
    return path


def ingest(engine: Engine, settings: Settings, *paths: Path) -> IngestSummary:
    return ingest_paths(engine, list(paths), settings=settings)


def one(summary: IngestSummary, name: str):
    (found,) = [f for f in summary.files if f.file_name == name]
    return found


CANDIDATES_1 = [
    ("Ann", "Example", "C", "*"),  # the sitting member
    ("Ben", "Example", "Lab", "+"),  # a member sitting for another seat: not this seat's incumbent
    ("Cara", "Example", "LD", None),
]
CANDIDATES_3 = [
    ("Ann", "Example", "C", "*"),
    ("Ben", "Example", "Lab", "+"),
    ("Cara", "Example", "LD", None),
    ("Dev", "Brown", "Ind", None),
    ("Eve", "Green", "Ind", None),  # two independents, one label, different names
]


def test_nominations_then_a_higher_revision_replaces_the_list_and_a_lower_one_changes_nothing(
    clean_db, settings, tmp_path
):
    engine = clean_db
    first = drop(
        tmp_path / "a",
        "General_Election_nominations_Norwich_North_1.xml",
        feed.nominations("Norwich North", 1, CANDIDATES_1),
    )
    report = one(ingest(engine, settings, first), first.name)
    assert report.outcome == Outcome.STORED, report.reason
    listed = records(engine, "select * from results.nominations where gss_code = :g order by position", g=NORWICH_NORTH)
    assert [(r["candidate"], r["party"], r["party_label"], r["sitting_member"], r["revision"]) for r in listed] == [
        ("Ann Example", "CON", "C", True, 1),
        ("Ben Example", "LAB", "Lab", False, 1),
        ("Cara Example", "LD", "LD", False, 1),
    ]
    assert all(r["constituency"] == "Norwich North" and r["received_at"] for r in listed)
    status = records(
        engine, "select status, candidates_nominated from results.seat_status where gss_code = :g", g=NORWICH_NORTH
    )
    assert status == [{"status": "awaiting", "candidates_nominated": 3}]
    # a seat with no nominations has none counted
    assert records(
        engine, "select candidates_nominated from results.seat_status where gss_code = :g", g=BLYTH_VALLEY
    ) == [{"candidates_nominated": None}]

    third = drop(
        tmp_path / "b",
        "General_Election_nominations_Norwich_North_3.xml",
        feed.nominations("Norwich North", 3, CANDIDATES_3),
    )
    assert one(ingest(engine, settings, third), third.name).outcome == Outcome.STORED
    listed = records(
        engine,
        "select candidate, party, revision from results.nominations where gss_code = :g order by position",
        g=NORWICH_NORTH,
    )
    assert [(r["candidate"], r["party"]) for r in listed] == [
        ("Ann Example", "CON"),
        ("Ben Example", "LAB"),
        ("Cara Example", "LD"),
        ("Dev Brown", "IND"),
        ("Eve Green", "IND"),
    ]
    assert {r["revision"] for r in listed} == {3}
    assert records(
        engine, "select candidates_nominated from results.seat_status where gss_code = :g", g=NORWICH_NORTH
    ) == [{"candidates_nominated": 5}]

    before = records(engine, "select * from results.nominations order by gss_code, position")
    second = drop(
        tmp_path / "c",
        "General_Election_nominations_Norwich_North_2.xml",
        feed.nominations("Norwich North", 2, CANDIDATES_1[:2]),
    )
    late = one(ingest(engine, settings, second), second.name)
    assert (late.outcome, "revision 3" in (late.reason or "")) == (Outcome.SUPERSEDED, True)
    assert records(engine, "select * from results.nominations order by gss_code, position") == before
    assert records(engine, "select revision from pipeline.nomination order by revision") == [
        {"revision": 1},
        {"revision": 2},
        {"revision": 3},
    ]  # every revision kept
    files = records(
        engine, "select file_name, outcome, reason_code, message_kind from results.files order by receipt_id"
    )
    assert [(f["outcome"], f["reason_code"], f["message_kind"]) for f in files] == [
        ("stored", None, "nominations"),
        ("stored", None, "nominations"),
        ("superseded", ReasonCode.STALE_REVISION, "nominations"),
    ]


def test_nominations_for_an_unknown_seat_or_from_the_test_feed_are_quarantined_with_their_codes(
    clean_db, settings, tmp_path
):
    engine = clean_db
    unknown = drop(
        tmp_path, "General_Election_nominations_Atlantis_1.xml", feed.nominations("Atlantis", 1, CANDIDATES_1)
    )
    test_feed = drop(
        tmp_path,
        "Test_General_Election_nominations_Norwich_North_1.xml",
        feed.nominations("Norwich North", 1, CANDIDATES_1, election=feed.TEST_ELECTION),
    )
    empty = drop(tmp_path, "General_Election_nominations_Blyth_Valley_1.xml", feed.nominations("Blyth Valley", 1, []))
    ingest(engine, settings, tmp_path)
    got = {
        r["file_name"]: r
        for r in records(
            engine,
            "select file_name, reason_code, reason, message_kind from results.files where outcome = 'quarantined'",
        )
    }
    assert (
        got[unknown.name]["reason_code"] == ReasonCode.UNKNOWN_CONSTITUENCY
        and "Atlantis" in got[unknown.name]["reason"]
    )
    assert got[test_feed.name]["reason_code"] == ReasonCode.TEST_MESSAGE
    assert got[empty.name]["reason_code"] == ReasonCode.INVALID  # the great-expectations suite: no candidates
    assert "lists no candidates" in got[empty.name]["reason"]
    assert {r["message_kind"] for r in got.values()} == {"nominations"}
    assert records(engine, "select count(*) as n from pipeline.nomination") == [{"n": 0}]


RESULTS = {  # seat -> votes by agency abbreviation
    "Norwich North": {"C": 23397, "Lab": 18659, "LD": 2663, "Green": 1078},
    "Blyth Valley": {"C": 17440, "Lab": 16728, "Brexit": 3394, "LD": 2151},
    "Kensington": {"C": 16768, "Lab": 16618, "LD": 9312},
}


def _sum(abbr: str, seats) -> int:
    return sum(RESULTS[s].get(abbr, 0) for s in seats)


def agreeing(seats: list[str]) -> list[dict]:
    """What the agency says when it agrees with us: C holds every seat; Green and Brexit under Others."""
    return [
        {"abbreviation": "C", "totalSeats": len(seats), "gains": 1, "votes": _sum("C", seats)},
        {"abbreviation": "Lab", "losses": 1, "votes": _sum("Lab", seats)},
        {"abbreviation": "LD", "votes": _sum("LD", seats)},
        {"abbreviation": "Others", "votes": _sum("Green", seats) + _sum("Brexit", seats)},
    ]


def test_state_of_the_parties_that_agrees_then_one_that_disagrees_raises_one_alert(clean_db, settings, tmp_path):
    engine = clean_db
    inbox = tmp_path / "inbox"
    for seat, votes in RESULTS.items():
        drop(inbox, f"General_Election_result_{seat.replace(' ', '_')}_1.xml", feed.result(seat, 1, votes))
    two = ["Norwich North", "Blyth Valley"]
    drop(inbox, "General_Election_SOP_2.xml", feed.state_of_parties(2, agreeing(two), two))
    summary = ingest(engine, settings, inbox)
    assert one(summary, "General_Election_SOP_2.xml").outcome == Outcome.STORED
    assert records(engine, "select count(*) as n from results.alerts where kind = 'disagreement'") == [{"n": 0}]
    check = records(engine, "select * from results.agency_check order by party")
    assert [
        (
            r["number_of_results"],
            r["party"],
            r["agency_seats"],
            r["our_seats"],
            r["agency_votes"],
            r["our_votes"],
            r["agrees"],
        )
        for r in check
    ] == [
        (2, "CON", 2, 2, 40837, 40837, True),
        (2, "LAB", 0, 0, 35387, 35387, True),
        (2, "LD", 0, 0, 4814, 4814, True),
        (2, "OTH", 0, 0, 4472, 4472, True),
    ]
    tally = records(engine, "select * from results.agency_tally order by party")
    assert [(r["party"], r["party_label"], r["seats"], r["gains"], r["losses"], r["votes"]) for r in tally] == [
        ("CON", "C", 2, 1, 0, 40837),
        ("LAB", "Lab", 0, 0, 1, 35387),
        ("LD", "LD", 0, 0, 0, 4814),
        ("OTH", "Others", 0, 0, 0, 4472),
    ]
    assert all(r["number_of_results"] == 2 and r["received_at"] and r["vote_share_pct"] is not None for r in tally)

    # The agency gives Kensington to Labour: it disagrees with our result on seats.
    three = [*two, "Kensington"]
    says = agreeing(three)
    says[0]["totalSeats"], says[1]["totalSeats"] = 2, 1
    later = tmp_path / "later"
    sop3 = drop(later, "General_Election_SOP_3.xml", feed.state_of_parties(3, says, three))
    report = one(ingest(engine, settings, later), sop3.name)
    assert report.outcome == Outcome.STORED
    (alert,) = records(engine, "select * from results.alerts where kind = 'disagreement'")
    assert (alert["source"], alert["gss_code"], alert["number_of_results"]) == ("state_of_parties", None, 3)
    assert "CON agency 2, ours 3" in alert["message"] and "LAB agency 1, ours 0" in alert["message"]
    assert "LD" not in alert["message"].split("seats", 1)[1]  # only the parties that disagree are named
    assert report.alerts == [alert["message"]]
    check = {r["party"]: r for r in records(engine, "select * from results.agency_check")}
    assert (check["CON"]["agrees"], check["LAB"]["agrees"], check["LD"]["agrees"]) == (False, False, True)
    assert {r["number_of_results"] for r in check.values()} == {3}
    assert {r["number_of_results"] for r in records(engine, "select number_of_results from results.agency_tally")} == {
        3
    }

    # Re-ingesting raises nothing: the same folders, the same bytes under a new name, another file with the same N.
    again = ingest(engine, settings, inbox, later)
    assert {f.outcome for f in again.files} == {Outcome.ALREADY} and not again.alerts
    copy = drop(tmp_path / "copy", "General_Election_SOP_3 (1).xml", sop3.read_bytes())
    other = drop(
        tmp_path / "copy", "General_Election_SOP_3_resent.xml", feed.state_of_parties(3, agreeing(three), three)
    )
    third = ingest(engine, settings, tmp_path / "copy")
    assert (one(third, copy.name).outcome, one(third, other.name).outcome) == (Outcome.DUPLICATE, Outcome.SUPERSEDED)
    assert not third.alerts
    assert records(engine, "select count(*) as n from results.alerts where kind = 'disagreement'") == [{"n": 1}]
    kinds = {
        r["file_name"]: r["message_kind"] for r in records(engine, "select file_name, message_kind from results.files")
    }
    assert kinds[copy.name] == kinds[other.name] == kinds[sop3.name] == "state_of_parties"


def test_a_state_of_the_parties_counting_a_seat_we_do_not_know_is_quarantined(clean_db, settings, tmp_path):
    engine = clean_db
    path = drop(
        tmp_path,
        "General_Election_SOP_1.xml",
        feed.state_of_parties(1, [{"abbreviation": "C", "totalSeats": 1, "votes": 10}], ["Atlantis"]),
    )
    report = one(ingest(engine, settings, path), path.name)
    assert report.outcome == Outcome.QUARANTINED and "Atlantis" in report.reason
    assert records(engine, "select reason_code, message_kind from results.files") == [
        {"reason_code": ReasonCode.UNKNOWN_CONSTITUENCY, "message_kind": "state_of_parties"}
    ]
    assert records(engine, "select count(*) as n from pipeline.party_state") == [{"n": 0}]


def norwich_in_blyth_still_to_come(engine, settings, folder: Path) -> None:
    """Norwich North's result, then a state of the parties listing it and Blyth Valley (not yet in): no alert yet."""
    drop(
        folder, "General_Election_result_Norwich_North_1.xml", feed.result("Norwich North", 1, RESULTS["Norwich North"])
    )
    two = ["Norwich North", "Blyth Valley"]
    drop(folder, "General_Election_SOP_2.xml", feed.state_of_parties(2, agreeing(two), two))
    assert ingest(engine, settings, folder).alerts == []


def test_a_state_of_the_parties_waits_for_the_results_it_lists(clean_db, settings, tmp_path):
    """Its seats' results may reach us after it: no alert for our own lag; checked when the last one is stored."""
    engine = clean_db
    norwich_in_blyth_still_to_come(engine, settings, tmp_path)
    assert records(engine, "select checked_at is null as waiting from pipeline.party_state") == [{"waiting": True}]
    later = tmp_path / "later"
    drop(later, "General_Election_result_Blyth_Valley_1.xml", feed.result("Blyth Valley", 1, RESULTS["Blyth Valley"]))
    # only Blyth Valley's own flip: the message agrees, now that we hold both
    assert [a for a in ingest(engine, settings, later).alerts if "state of the parties" in a] == []
    assert records(engine, "select checked_at is null as waiting from pipeline.party_state") == [{"waiting": False}]


def test_a_seat_the_agency_counts_that_we_have_not_declared_is_a_disagreement_once_it_has_waited(
    clean_db, settings, tmp_path
):
    engine = clean_db
    norwich_in_blyth_still_to_come(engine, settings, tmp_path)
    impatient = dataclasses.replace(settings, agency_check_grace_seconds=0.0)
    ingest_paths(engine, [tmp_path / "nothing-new"], settings=impatient)  # the next run (the minute's sweep)
    (message,) = [
        r["message"] for r in records(engine, "select message from results.alerts where kind = 'disagreement'")
    ]
    assert "CON agency 2, ours 1" in message and "no result for Blyth Valley" in message
    ingest_paths(engine, [tmp_path / "nothing-new"], settings=impatient)
    assert records(engine, "select count(*) as n from results.alerts") == [{"n": 1}]  # once


def test_message_kind_of_every_kind_of_file(clean_db, settings, tmp_path):
    engine = clean_db
    files = {
        "General_Election_result_Norwich_North_1.xml": (
            feed.result("Norwich North", 1, RESULTS["Norwich North"]),
            "result",
        ),
        "General_Election_rush_Blyth_Valley_1.xml": (feed.rush("Blyth Valley", 1, "C"), "rush"),
        "General_Election_recount_Kensington_1.xml": (feed.recount("Kensington"), "recount"),
        "General_Election_nominations_Kensington_1.xml": (
            feed.nominations("Kensington", 1, CANDIDATES_1),
            "nominations",
        ),
        "General_Election_SOP_1.xml": (
            feed.state_of_parties(1, agreeing(["Norwich North"]), ["Norwich North"]),
            "state_of_parties",
        ),
        "results.csv": (
            (Path(__file__).parent / "corpus" / "DemocracyClub_results_parl.2019-12-12_sample.csv").read_bytes(),
            "dc_csv",
        ),
        "not_xml.xml": (b"this is not a message\n", None),
    }
    for name, (body, _) in files.items():
        drop(tmp_path, name, body)
    ingest(engine, settings, tmp_path)
    got = {
        r["file_name"]: r["message_kind"] for r in records(engine, "select file_name, message_kind from results.files")
    }
    assert got == {name: kind for name, (_, kind) in files.items()}


def test_the_seat_api_carries_the_nominations(clean_db, settings, tmp_path):
    from tests.board_helpers import BoardServer

    engine = clean_db
    drop(
        tmp_path, "General_Election_nominations_Norwich_North_3.xml", feed.nominations("Norwich North", 3, CANDIDATES_3)
    )
    drop(
        tmp_path, "General_Election_SOP_1.xml", feed.state_of_parties(1, agreeing(["Norwich North"]), ["Norwich North"])
    )
    ingest(engine, settings, tmp_path)
    server = BoardServer(settings)
    try:
        card = httpx.get(f"{server.base}/api/v1/seats/{NORWICH_NORTH}", timeout=30).json()
        assert (card["status"], card["candidates_nominated"], card["candidates"]) == ("awaiting", 5, [])
        assert [(n["candidate"], n["party"], n["sitting_member"], n["revision"]) for n in card["nominations"]] == [
            ("Ann Example", "CON", True, 3),
            ("Ben Example", "LAB", False, 3),
            ("Cara Example", "LD", False, 3),
            ("Dev Brown", "IND", False, 3),
            ("Eve Green", "IND", False, 3),
        ]
        other = httpx.get(f"{server.base}/api/v1/seats/{BLYTH_VALLEY}", timeout=30).json()
        assert (other["nominations"], other["candidates_nominated"]) == ([], None)
        check = httpx.get(f"{server.base}/api/v1/agency/check", timeout=30).json()
        # the agency counts Norwich North, which we have not declared: it disagrees on seats
        assert {r["party"]: (r["agency_seats"], r["our_seats"], r["agrees"]) for r in check}["CON"] == (1, 0, False)
        assert httpx.get(f"{server.base}/api/v1/agency/tally", timeout=30).json()[0]["number_of_results"] == 1
        # as it stood: none nominated before the nominations arrived, five since
        now = records(engine, "select clock_timestamp() as t")[0]["t"].isoformat()
        for as_of, count in (("2000-01-01T00:00:00Z", None), (now, 5)):
            seats = httpx.get(f"{server.base}/api/v1/seats", params={"as_of": as_of}, timeout=30).json()
            assert {s["gss_code"]: s["candidates_nominated"] for s in seats}[NORWICH_NORTH] == count, as_of
    finally:
        assert server.stop() == 0


def test_the_dry_run_reads_nominations_and_the_state_of_the_parties_and_stores_nothing(clean_db, settings, tmp_path):
    from pipeline.dry_run import ACCEPTED, REFUSED, dry_run

    drop(
        tmp_path, "General_Election_nominations_Norwich_North_3.xml", feed.nominations("Norwich North", 3, CANDIDATES_3)
    )
    drop(
        tmp_path,
        "General_Election_SOP_2.xml",
        feed.state_of_parties(2, agreeing(["Norwich North", "Blyth Valley"]), ["Norwich North", "Blyth Valley"]),
    )
    drop(
        tmp_path,
        "General_Election_SOP_3.xml",
        feed.state_of_parties(3, [{"abbreviation": "C", "votes": 5}], ["Atlantis"]),
    )
    fates = {f.file_name: f for f in dry_run(clean_db, [tmp_path], settings)}
    nom = fates["General_Election_nominations_Norwich_North_3.xml"]
    assert (nom.fate, nom.kind, nom.seat, nom.gss_code, nom.revision, len(nom.candidates)) == (
        ACCEPTED,
        "nominations",
        "Norwich North",
        NORWICH_NORTH,
        3,
        5,
    )
    sop = fates["General_Election_SOP_2.xml"]
    assert (sop.fate, sop.kind, sop.revision, sop.candidates[0]) == (
        ACCEPTED,
        "state_of_parties",
        2,
        "C 2 seats, 40,837 votes",
    )
    bad = fates["General_Election_SOP_3.xml"]
    assert (bad.fate, bad.reason_code) == (REFUSED, ReasonCode.UNKNOWN_CONSTITUENCY)
    assert records(clean_db, "select count(*) as n from results.files") == [{"n": 0}]
