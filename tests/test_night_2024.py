"""The 2024 night replayed as the agency would have sent it, counted against the notional 2019 results.

The replay (`resultsnight replay --election parl.2024-07-04`) is ingested in
process into a database set to count 2024 (`db init --election`): every
seat must give the Commons Library's result (seeds/results_2024.csv), the
House its published tally, the gains and losses against the notionals the
golden file derived from the Library's "Result" column
(tests/golden/night_2024.json, written by pipeline.rehearsal.derive_ge2024),
and the agency's state of the parties must agree with ours on seats, votes
and (the baseline being shared) gains.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from pipeline.rehearsal.derive_ge2024 import house_against_notionals
from pipeline.rehearsal.stories import plan_feed
from tests.db_helpers import rows
from tests.test_elections import PUBLISHED_2024, _csv

pytestmark = pytest.mark.integration

ELECTION = "parl.2024-07-04"
GOLDEN = json.loads((Path(__file__).resolve().parent / "golden" / "night_2024.json").read_text(encoding="utf-8"))


def library_2024() -> dict[str, dict[str, int]]:
    """gss_code -> party -> votes: the Commons Library's 2024 result as the seeds hold it."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for row in _csv("results_2024.csv"):
        out[row["gss_code"]][row["party_code"]] = int(row["votes"])
    return dict(out)


def test_on_a_shared_baseline_the_agencys_gains_are_checked_and_a_difference_is_a_disagreement(
    clean_db, settings, tmp_path
):
    """Clacton declared, and a state of the parties that calls Reform's gain a hold: seats agree, gains do not."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from pipeline.ingest import ingest_paths
    from pipeline.rehearsal.agency_xml import Declared, result_xml, state_of_parties_xml
    from pipeline.rehearsal.nights import NIGHT_2024
    from pipeline.rehearsal.seats import load_seats
    from pipeline.rehearsal.stories import candidate_names
    from pipeline.schema import init_db

    clacton = next(s for s in load_seats(None, ELECTION) if s.name == "Clacton")
    names = candidate_names(clacton, 1)
    at = datetime(2024, 7, 5, 1, 0, tzinfo=UTC)
    (tmp_path / "General_Election_result_Clacton_1.xml").write_bytes(
        result_xml(clacton, clacton.votes, revision=1, declared_at=at, names=names, feed=NIGHT_2024.live)
    )
    held = Declared(replace(clacton, sitting="REF"), clacton.votes, "REF")  # the agency's hold: no gain, no loss
    (tmp_path / "General_Election_SOP_1.xml").write_bytes(state_of_parties_xml([held], feed=NIGHT_2024.live))
    try:
        init_db(clean_db, settings, election_id=ELECTION)
        ingest_paths(clean_db, [tmp_path], settings=settings)
        check = {
            r[0]: r[1:]
            for r in rows(
                clean_db,
                "select party, agency_gains, our_gains, agency_losses, our_losses, agrees from results.agency_check",
            )
        }
        assert check["REF"] == (0, 1, 0, 0, False) and check["CON"] == (0, 0, 0, 1, False)
        (message,) = [m for (m,) in rows(clean_db, "select message from results.alerts where kind = 'disagreement'")]
        assert "gains and losses against the notional results" in message and "REF agency +0/-0, ours +1/-0" in message
        assert "seats" not in message.split(":", 1)[1]  # the seats agree
    finally:
        init_db(clean_db, settings, election_id="parl.2019-12-12")


@pytest.fixture(scope="module")
def feed_2024():
    return plan_feed(election_id=ELECTION)


@pytest.fixture(scope="module")
def night_2024(engine, settings, feed_2024, tmp_path_factory):
    """The whole 2024 feed played into an inbox and ingested once, into a database counting 2024."""
    from pipeline.ingest import ingest_paths
    from pipeline.rehearsal.pacing import play
    from pipeline.schema import init_db, reset_night

    inbox = tmp_path_factory.mktemp("night_2024")
    play(feed_2024, inbox, speed=0, progress=False)
    try:
        init_db(engine, settings, election_id=ELECTION)
        reset_night(engine)
        started = time.monotonic()
        summary = ingest_paths(engine, [inbox], settings=settings)
        print(f"\n2024 night: {len(feed_2024)} files ingested in {time.monotonic() - started:.1f} s")
        yield engine, summary
    finally:
        reset_night(engine)
        init_db(engine, settings, election_id="parl.2019-12-12")


def test_the_2024_feed_carries_the_notionals_as_the_agency_does_after_a_boundary_change(feed_2024):
    kinds = Counter(m.kind for m in feed_2024)
    assert kinds["nominations"] >= 650 and kinds["result"] >= 650 and kinds["rush"] > 500 and kinds["sop"] > 100
    clacton = next(
        m for m in feed_2024 if m.kind == "result" and m.file_name == "General_Election_result_Clacton_1.xml"
    )
    root = SafeET.fromstring(clacton.body)
    assert root.find("Election").attrib == {"name": "General Election", "date": "2024-07-04", "type": "G"}
    con = root.find("Election/Constituency")
    assert (con.get("winningParty"), con.get("gainOrHold"), con.get("sittingParty")) == ("Reform", "gain", "C")
    assert root.find("PreviousElection") is None
    notional = root.find("PreviousNotionalElection")
    assert notional.attrib == {"name": "General Election", "date": "2019-12-12", "type": "G"}
    # Parties straight under the constituency, no candidates.
    assert notional.find("Constituency/Candidate") is None
    assert notional.find("Constituency").get("winningParty") == "C"
    assert {p.get("abbreviation") for p in notional.findall("Constituency/Party")} >= {"C", "Lab", "LD", "Others"}
    # Clacton's real declaration time (02:xx BST on 5 July), not the clock model's.
    assert root.get("declarationTime").startswith("2024-07-05T0")
    rush = next(m for m in feed_2024 if m.kind == "rush" and m.gss_code == clacton.gss_code)
    assert b'paStyleMessageText="Reform UK gain Clacton from Conservative"' in rush.body
    tuv = [m for m in feed_2024 if m.kind == "result" and b'abbreviation="TUV"' in m.body]
    assert tuv, "the TUV stood in 2024"


def test_every_seat_declares_at_its_real_time_where_the_seeds_have_one(feed_2024):
    real = {r["gss_code"]: r["declared_at"].replace("Z", "+00:00") for r in _csv("declaration_times.csv")}
    declared: dict[str, str] = {}
    for m in feed_2024:
        if m.kind == "result" and m.revision == 1:
            declared[m.gss_code] = SafeET.fromstring(m.body).get("declarationTime")
    assert len(declared) == 650 and len(real) == 649
    assert {g: t for g, t in declared.items() if g in real} == real
    # The one seat without a time (Inverness, Skye and West Ross-shire) is placed by the clock model, after a recount.
    (clocked,) = set(declared) - set(real)
    assert any(m.kind == "recount" and m.gss_code == clocked for m in feed_2024)
    first_result = min(m.at for m in feed_2024 if m.kind == "result")
    assert max(m.at for m in feed_2024 if m.kind == "nominations") < first_result
    assert first_result.isoformat().startswith("2024-07-04T22:")  # Houghton and Sunderland South, 23:15 BST


def test_the_2024_night_gives_the_librarys_result_for_every_seat(night_2024):
    engine, summary = night_2024
    assert summary.counts["quarantined"] == 0
    assert rows(engine, "select status, count(*) from results.seat_status group by 1") == [("declared", 650)]
    ours: dict[str, dict[str, int]] = defaultdict(dict)
    for gss, party, votes in rows(
        engine,
        "select st.gss_code, c.party_code, c.votes from pipeline.seat_state st "
        "join pipeline.candidate c on c.declaration_id = st.result_declaration_id "
        "where st.election_id = :e",
        e=ELECTION,
    ):
        ours[gss][party] = votes
    assert dict(ours) == library_2024()
    tally = dict(rows(engine, "select party, seats from results.party_tally where seats > 0"))
    assert tally == PUBLISHED_2024


def test_gains_and_losses_against_the_notionals_are_the_golden_ones(night_2024):
    engine, _ = night_2024
    tally = rows(engine, "select party, seats, gains, losses from results.party_tally where seats + gains + losses > 0")
    assert {p: {"seats": s, "gains": g, "losses": lo} for p, s, g, lo in tally} == GOLDEN
    assert rows(engine, "select count(*) from results.flips") == [(sum(v["gains"] for v in GOLDEN.values()),)]


def test_the_agencys_state_of_the_parties_agrees_with_ours_on_gains_too(night_2024):
    engine, _ = night_2024
    assert rows(engine, "select message from results.alerts where kind = 'disagreement'") == []
    check = rows(
        engine,
        "select number_of_results, party, agency_gains, our_gains, agency_losses, our_losses, agrees, baseline_shared "
        "from results.agency_check order by party",
    )
    assert {r[0] for r in check} == {650}
    assert all(r[6] and r[7] for r in check), check
    gains = {r[1]: (r[2], r[4]) for r in check if r[2] or r[4]}
    assert gains == {p: (v["gains"], v["losses"]) for p, v in GOLDEN.items() if v["gains"] or v["losses"]}


@pytest.mark.unit
def test_the_golden_file_is_what_the_derivation_gives_from_the_sources():
    assert house_against_notionals() == GOLDEN
    assert {p: v["seats"] for p, v in GOLDEN.items()} == PUBLISHED_2024
