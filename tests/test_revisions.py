"""Revisions across rush and result, as the agency corrects a seat, against a real Postgres.

Norwich North: CON held it in 2017 (the baseline), LAB second. The agency's
correction chain (feed-formats.md, "Revisions and corrections"):
rush_1 (LAB wins: a flip) -> result_1 (LAB) -> rush_2 ("Correction: ...", CON
wins: the flip reversed) -> result_3 (CON). Fixtures are written here in the
agency's real format (no gssCode, PreviousElection block, rushes with every
candidate and winningPartyAbbreviation).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from pipeline.ingest import ingest_paths
from tests.board_helpers import BoardServer
from tests.db_helpers import rows

pytestmark = pytest.mark.integration

NORWICH_NORTH = "E14000863"
BASELINE = "CON"  # the 2017 winner
PARTIES = {  # agency abbreviation -> (party name, candidate first name, surname, our code)
    "C": ("Conservative", "Ann", "Example", "CON"),
    "Lab": ("Labour", "Ben", "Example", "LAB"),
    "LD": ("Liberal Democrats", "Cat", "Example", "LD"),
}
ELECTION = '<Election name="General Election" date="2019-12-12" type="G">'
PREVIOUS = """  <PreviousElection name="General Election" date="2017-06-08" type="G">
    <Constituency number="464" name="Norwich North" turnout="45286" percentageTurnout="67.32"
        winningParty="C" majority="507" percentageMajority="1.12">
      <Candidate paId="90" firstName="" surname="Example" sex="F">
        <Party paId="10" name="Conservative" abbreviation="C" votes="21900" percentageShare="47.28" />
      </Candidate>
      <Candidate paId="91" firstName="Dan" surname="Example" sex="M">
        <Party paId="11" name="Labour" abbreviation="Lab" votes="21393" percentageShare="46.19" />
      </Candidate>
    </Constituency>
  </PreviousElection>
"""


def _candidate(abbr: str, position: int, elected: bool, votes: int | None = None) -> str:
    name, first, surname = PARTIES[abbr][:3]
    mark = ' elected="*"' if elected else ""
    sitting = ' previousSittingMember="*"' if abbr == "C" else ""
    votes_attr = f' votes="{votes}"' if votes is not None else ""
    return (
        f'      <Candidate paId="{position}" sex="F" firstName="{first}" surname="{surname}"{mark}{sitting}>\n'
        f'        <Party paId="{10 + position}" name="{name}" abbreviation="{abbr}"{votes_attr} />\n'
        "      </Candidate>\n"
    )


def rush_xml(revision: int, winner: str, message: str) -> str:
    """A rush as the agency writes it: the winner flashed, every candidate, no votes, no declarationTime."""
    name = PARTIES[winner][0]
    gain = "hold" if winner == "C" else "gain"
    cands = "".join(_candidate(a, i, a == winner) for i, a in enumerate(PARTIES, start=1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<FirstPastThePostRush revision="{revision}">\n  {ELECTION}\n'
        f'    <Constituency number="464" name="Norwich North" electorate="67172" gainOrHold="{gain}"\n'
        f'        winningPartyAbbreviation="{winner}" winningPartyName="{name}" sittingPartyAbbreviation="C"\n'
        f'        sittingPartyName="Conservative" change="{"false" if winner == "C" else "true"}"\n'
        f'        paStyleMessageText="{message}">\n{cands}    </Constituency>\n  </Election>\n'
        "</FirstPastThePostRush>\n"
    )


def result_xml(revision: int, votes: dict[str, int], declared: str) -> str:
    """A result as the agency writes it: Election/Constituency with votes, then the PreviousElection block."""
    winner = max(votes, key=votes.__getitem__)
    total = sum(votes.values())
    cands = "".join(_candidate(a, i, a == winner, votes[a]) for i, a in enumerate(votes, start=1))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<FirstPastThePostResult revision="{revision}" declarationTime="2019-12-13T{declared}:00+00:00">\n'
        f"  {ELECTION}\n"
        f'    <Constituency number="464" name="Norwich North" electorate="67172" turnout="{total}"\n'
        f'        percentageTurnout="{100 * total / 67172:.2f}" percentageChangeTurnout="+1.58"'
        f' winningParty="{winner}"\n'
        f'        gainOrHold="{"hold" if winner == "C" else "gain"}" sittingParty="C">\n'
        f"{cands}    </Constituency>\n  </Election>\n{PREVIOUS}</FirstPastThePostResult>\n"
    )


@dataclass(frozen=True)
class Message:
    """One file of a chain: its name, bytes, and what it says (for the expectations)."""

    key: str
    kind: str
    revision: int
    winner: str  # our party code
    body: str
    majority: int | None = None  # a result's majority

    @property
    def file_name(self) -> str:
        return f"General_Election_{self.kind}_Norwich_North_{self.revision}.xml"


def rush(key: str, revision: int, winner: str, message: str) -> Message:
    return Message(key, "rush", revision, PARTIES[winner][3], rush_xml(revision, winner, message))


def result(key: str, revision: int, votes: dict[str, int], declared: str) -> Message:
    ordered = sorted(votes.values(), reverse=True)
    winner = max(votes, key=votes.__getitem__)
    return Message(
        key, "result", revision, PARTIES[winner][3], result_xml(revision, votes, declared), ordered[0] - ordered[1]
    )


RUSH_1 = rush("rush_1", 1, "Lab", "Labour gain Norwich North from Conservative")
RESULT_1 = result("result_1", 1, {"Lab": 20100, "C": 19600, "LD": 3000}, "01:14")
RUSH_2 = rush("rush_2", 2, "C", "Correction: Conservative hold Norwich North")
RESULT_3 = result("result_3", 3, {"C": 20400, "Lab": 19700, "LD": 3000}, "02:40")
CHAIN = (RUSH_1, RESULT_1, RUSH_2, RESULT_3)

SEAT = (
    "select status, winner_party, outcome, majority, majority_pct, turnout_pct, swing_pct, revision "
    "from {source} where gss_code = :g"
)
TALLY = "select party, seats, gains, losses, net, votes from {source} where seats > 0 or votes > 0 order by party"


def seat(engine) -> tuple:
    return rows(engine, SEAT.format(source="results.seat_status"), g=NORWICH_NORTH)[0]


def alerts(engine) -> list[tuple]:
    return rows(
        engine,
        "select kind, from_party, to_party, source from results.alerts where gss_code = :g order by alert_id",
        g=NORWICH_NORTH,
    )


def receipt(engine, name: str) -> tuple:
    return rows(
        engine,
        "select outcome, reason_code from pipeline.receipt where file_name = :n order by received_at desc limit 1",
        n=name,
    )[0]


def projection(engine) -> tuple:
    """(declared count, LAB's and CON's declared seats) of results.projection; (0, 0, 0) when there is none."""
    found = rows(engine, "select declared_count, party, declared_seats from results.projection")
    if not found:
        return (0, 0, 0)
    seats = {party: n for _, party, n in found}
    return (found[0][0], seats.get("LAB", 0), seats.get("CON", 0))


def ingest(engine, settings, tmp_path: Path, message: Message, tag: str = "") -> None:
    """Drop one file into a fresh inbox and ingest it, as the watcher would."""
    inbox = tmp_path / f"in_{message.key}{tag}"
    inbox.mkdir()
    (inbox / message.file_name).write_text(message.body, encoding="utf-8")
    summary = ingest_paths(engine, [inbox], settings=settings)
    assert summary.complete


def snapshot(engine) -> dict:
    """What the live views show now, and the moment (for the as-of functions)."""
    at = rows(engine, "select clock_timestamp()")[0][0]
    return {"at": at, "seat": seat(engine), "tally": rows(engine, TALLY.format(source="results.party_tally"))}


def assert_as_of_matches(engine, snapshots: list[dict]) -> None:
    """The as-of functions at each moment give what the live views showed then (the board's time slider)."""
    for snap in snapshots:
        assert rows(engine, SEAT.format(source="pipeline.seat_status_as_of(:t)"), g=NORWICH_NORTH, t=snap["at"]) == [
            snap["seat"]
        ]
        assert rows(engine, TALLY.format(source="pipeline.party_tally_as_of(:t)"), t=snap["at"]) == snap["tally"]


# --------------------------------------------------------------------------- in the agency's order


def test_the_correction_chain_in_order(clean_db, settings, tmp_path):
    engine = clean_db
    snaps = [snapshot(engine)]

    ingest(engine, settings, tmp_path, RUSH_1)
    assert seat(engine) == ("rush", "LAB", "gain", None, None, None, None, 1)
    assert alerts(engine) == [("flip", "CON", "LAB", "rush")]
    assert receipt(engine, RUSH_1.file_name) == ("stored", None)
    assert projection(engine) == (0, 0, 0)  # a rush has no votes: nothing projected
    snaps.append(snapshot(engine))

    ingest(engine, settings, tmp_path, RESULT_1)
    status, winner, outcome, majority, majority_pct, turnout_pct, swing_pct, revision = seat(engine)
    assert (status, winner, outcome, majority, revision) == ("declared", "LAB", "gain", 500, 1)
    assert None not in (majority_pct, turnout_pct, swing_pct)
    assert alerts(engine) == [("flip", "CON", "LAB", "rush")]  # the result confirms the rush: nothing new
    assert projection(engine) == (1, 1, 0)
    assert rows(engine, "select votes from results.party_tally where party = 'LAB'") == [(20100,)]
    snaps.append(snapshot(engine))

    # The correction reopens the seat: the rush's winner, figures pending, the flip retracted.
    ingest(engine, settings, tmp_path, RUSH_2)
    assert seat(engine) == ("rush", "CON", "hold", None, None, None, None, 2)
    assert alerts(engine) == [("flip", "CON", "LAB", "rush"), ("retraction", "CON", "LAB", "rush")]
    assert receipt(engine, RUSH_2.file_name) == ("stored", None)
    assert rows(engine, "select count(*) from results.candidates where gss_code = :g", g=NORWICH_NORTH) == [(0,)]
    assert rows(engine, "select coalesce(sum(votes), 0) from results.party_tally") == [(0,)]
    assert rows(engine, "select count(*) from results.flips") == [(0,)]
    assert projection(engine) == (0, 0, 0)  # result_1 no longer counts
    snaps.append(snapshot(engine))

    ingest(engine, settings, tmp_path, RESULT_3)
    status, winner, outcome, majority, majority_pct, turnout_pct, swing_pct, revision = seat(engine)
    assert (status, winner, outcome, majority, revision) == ("declared", "CON", "hold", 700, 3)
    assert None not in (majority_pct, turnout_pct, swing_pct)
    assert len(alerts(engine)) == 2
    assert projection(engine) == (1, 0, 1)
    assert rows(engine, "select votes from results.party_tally where party = 'CON'") == [(20400,)]
    snaps.append(snapshot(engine))

    assert_as_of_matches(engine, snaps)
    # every revision is kept as history
    assert rows(
        engine,
        "select kind, revision from results.declarations where gss_code = :g order by declaration_id",
        g=NORWICH_NORTH,
    ) == [("rush", 1), ("result", 1), ("rush", 2), ("result", 3)]


# --------------------------------------------------------------------------- every arrival order


def expected_after(arrived: list[Message]) -> Message:
    """The seat's word, read from the spec: the highest revision, a result before a rush of the same revision."""
    return max(arrived, key=lambda m: (m.revision, m.kind == "result"))


def expected_alerts(old: str | None, new: str, source: str) -> list[tuple]:
    """The alerts a change of known winner raises against the baseline winner CON."""
    if old == new:
        return []
    raised = []
    if old is not None and old != BASELINE:
        raised.append(("retraction", BASELINE, old, source))
    if new != BASELINE:
        raised.append(("flip", BASELINE, new, source))
    return raised


ORDERS = list(itertools.permutations(CHAIN))


@pytest.mark.parametrize("order", ORDERS, ids=["-".join(m.key for m in o) for o in ORDERS])
def test_every_arrival_order_ends_the_same_and_alerts_once_per_change(clean_db, settings, tmp_path, order):
    engine = clean_db
    arrived: list[Message] = []
    want_alerts: list[tuple] = []
    known: str | None = None
    snaps = []
    for message in order:
        before = (seat(engine), alerts(engine), projection(engine))
        ingest(engine, settings, tmp_path, message)
        word_before = expected_after(arrived) if arrived else None
        arrived.append(message)
        word = expected_after(arrived)
        if word is not message:
            # stale: kept as history, changes nothing
            assert receipt(engine, message.file_name) == ("superseded", "stale_revision"), message.key
            assert (seat(engine), alerts(engine), projection(engine)) == before, message.key
            assert word is word_before
            continue
        assert receipt(engine, message.file_name) == ("stored", None), message.key
        want_alerts += expected_alerts(known, word.winner, message.kind)
        known = word.winner
        status, winner, outcome, majority, majority_pct, *_, revision = seat(engine)
        assert (winner, outcome, revision) == (
            word.winner,
            "hold" if word.winner == BASELINE else "gain",
            word.revision,
        ), message.key
        if word.kind == "result":
            assert (status, majority) == ("declared", word.majority), message.key
            assert majority_pct is not None
            assert projection(engine)[0] == 1
        else:
            assert (status, majority, majority_pct) == ("rush", None, None), message.key
            assert projection(engine) == (0, 0, 0)
        assert alerts(engine) == want_alerts, message.key
        snaps.append(snapshot(engine))
    # the same end whatever the order
    assert seat(engine)[:4] == ("declared", "CON", "hold", 700)
    assert projection(engine) == (1, 0, 1)
    assert rows(engine, "select count(*) from results.declarations where gss_code = :g", g=NORWICH_NORTH) == [(4,)]
    assert_as_of_matches(engine, snaps)


# --------------------------------------------------------------------------- the other shapes


def test_a_votes_only_correction_keeps_the_winner_and_raises_nothing(clean_db, settings, tmp_path):
    engine = clean_db
    result_2 = result("result_2", 2, {"Lab": 20300, "C": 19600, "LD": 3000}, "01:50")
    for message in (RUSH_1, RESULT_1, result_2):
        ingest(engine, settings, tmp_path, message)
    assert seat(engine)[:4] == ("declared", "LAB", "gain", 700)
    assert seat(engine)[-1] == 2
    assert receipt(engine, result_2.file_name) == ("stored", None)
    assert alerts(engine) == [("flip", "CON", "LAB", "rush")]
    assert rows(engine, "select votes from results.party_tally where party = 'LAB'") == [(20300,)]
    assert projection(engine) == (1, 1, 0)


def test_a_correction_naming_a_third_party_retracts_and_flips_from_the_rush(clean_db, settings, tmp_path):
    engine = clean_db
    rush_2 = rush("rush_2_ld", 2, "LD", "Correction: Liberal Democrat gain Norwich North from Conservative")
    result_3 = result("result_3_ld", 3, {"LD": 20400, "Lab": 19700, "C": 3000}, "02:40")
    for message in (RUSH_1, RESULT_1, rush_2):
        ingest(engine, settings, tmp_path, message)
    assert seat(engine) == ("rush", "LD", "gain", None, None, None, None, 2)
    assert alerts(engine) == [
        ("flip", "CON", "LAB", "rush"),
        ("retraction", "CON", "LAB", "rush"),
        ("flip", "CON", "LD", "rush"),
    ]
    ingest(engine, settings, tmp_path, result_3)
    assert seat(engine)[:4] == ("declared", "LD", "gain", 700)
    assert len(alerts(engine)) == 3
    assert rows(engine, "select gss_code, winner_party from results.flips") == [(NORWICH_NORTH, "LD")]


def test_re_ingesting_the_chain_raises_nothing_and_changes_nothing(clean_db, settings, tmp_path):
    engine = clean_db
    for message in CHAIN:
        ingest(engine, settings, tmp_path, message)
    before = (
        seat(engine),
        alerts(engine),
        projection(engine),
        rows(engine, "select count(*) from pipeline.declaration"),
    )
    for message in CHAIN:  # the same files again, then the same bytes under other names
        ingest(engine, settings, tmp_path, message, tag="_again")
    inbox = tmp_path / "renamed"
    inbox.mkdir()
    for message in CHAIN:
        (inbox / f"copy_{message.file_name}").write_text(message.body, encoding="utf-8")
    assert ingest_paths(engine, [inbox], settings=settings).complete
    assert (
        seat(engine),
        alerts(engine),
        projection(engine),
        rows(engine, "select count(*) from pipeline.declaration"),
    ) == before
    assert rows(engine, "select count(*) from pipeline.receipt where outcome = 'duplicate'") == [(4,)]


def test_a_recount_notice_stands_outside_the_revision_sequence(clean_db, settings, tmp_path):
    """A recount's revision counts recounts: it neither makes result_1 stale nor undeclares a declared seat."""
    engine = clean_db
    recount = Message(
        "recount_1",
        "recount",
        1,
        "",
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Recount revision="1">\n'
            f'  {ELECTION}\n    <Constituency number="464" name="Norwich North" recount="1" />\n'
            "  </Election>\n</Recount>\n"
        ),
    )
    ingest(engine, settings, tmp_path, RUSH_1)
    ingest(engine, settings, tmp_path, recount)
    assert seat(engine)[:2] == ("recount", "LAB")
    ingest(engine, settings, tmp_path, RESULT_1)
    assert receipt(engine, RESULT_1.file_name) == ("stored", None)
    assert seat(engine)[:4] == ("declared", "LAB", "gain", 500)
    ingest(engine, settings, tmp_path, RUSH_2)  # the correction reopens the seat, the recount is older than it
    assert seat(engine)[:2] == ("rush", "CON")
    assert [a[0] for a in alerts(engine)] == ["flip", "recount", "retraction"]


# --------------------------------------------------------------------------- the board


def _board_seat(board, want_revision: int) -> dict:
    """The board's seat card once it shows that revision (its cache follows the event log, within moments)."""
    deadline = time.monotonic() + 20
    while True:
        card = httpx.get(f"{board.base}/api/v1/seats/{NORWICH_NORTH}", timeout=10).json()
        if card["revision"] == want_revision or time.monotonic() > deadline:
            return card
        time.sleep(0.1)


def test_the_board_follows_the_correction_and_its_time_slider_agrees(clean_db, settings, tmp_path):
    engine = clean_db
    board = BoardServer(settings)
    try:
        moments = []
        for message, (status, winner, has_figures) in zip(
            CHAIN,
            [("rush", "LAB", False), ("declared", "LAB", True), ("rush", "CON", False), ("declared", "CON", True)],
            strict=True,
        ):
            ingest(engine, settings, tmp_path, message)
            card = _board_seat(board, message.revision)
            assert (card["status"], card["winner_party"], card["majority"] is not None) == (status, winner, has_figures)
            assert bool(card["candidates"]) is has_figures  # a reopened seat shows no result's candidates
            moments.append((rows(engine, "select clock_timestamp()")[0][0], status, winner))
        for at, status, winner in moments:
            served = httpx.get(f"{board.base}/api/v1/seats", params={"as_of": at.isoformat()}, timeout=10).json()
            row = next(r for r in served if r["gss_code"] == NORWICH_NORTH)
            assert (row["status"], row["winner_party"]) == (status, winner)
    finally:
        assert board.stop() == 0
