"""The agency XML writer (pipeline.rehearsal.agency_xml) against the parser and the spec.

What one writes, the other reads back.

Nominations and state-of-the-parties files are read twice: with a small
reader of the spec's shape (feed-formats.md section 1), and by pipeline.parse.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import defusedxml.ElementTree as SafeET
import pytest

from pipeline.model import MessageKind, SourceFormat
from pipeline.parse import parse_file
from pipeline.rehearsal.agency_xml import (
    AGENCY_PARTY,
    LIVE,
    TEST,
    Declared,
    file_name,
    nominations_xml,
    recount_xml,
    result_xml,
    rush_xml,
    slug,
    sop_file_name,
    state_of_parties_xml,
)
from pipeline.rehearsal.seats import Seat, load_seats, ranked
from pipeline.rehearsal.stories import candidate_names

AT = datetime(2019, 12, 13, 3, 4, 5, tzinfo=UTC)
PCT = re.compile(r"\d+\.\d\d")  # two decimals, unsigned
SIGNED = re.compile(r"[+-]\d+\.\d\d")  # two decimals, always signed


@pytest.fixture(scope="module")
def seats() -> list[Seat]:
    return load_seats()


def seat_named(seats: list[Seat], name: str) -> Seat:
    return next(s for s in seats if s.name == name)


def read_back(kind: str, seat: Seat, revision: int, body: bytes, feed=LIVE):
    (decl,) = parse_file(file_name(kind, seat.name, revision, feed), body)
    assert (decl.source_format, decl.revision) == (SourceFormat.AGENCY_XML, revision)
    assert (decl.constituency_name, decl.gss_code_given) == (seat.name, None)  # real files carry no gssCode
    assert (decl.election_name, decl.election_date, decl.election_type) == (feed.name, feed.date, "G")
    assert decl.agency["number"] == str(seat.number)
    assert "file_name_kind" not in decl.agency  # the file name and the root element agree
    return decl


def party_of(label: str) -> str:
    return {abbr: code for code, (abbr, _, _) in AGENCY_PARTY.items()}[label]


@pytest.mark.unit
def test_every_seats_result_reads_back_as_written(seats):
    for seat in seats:
        names = candidate_names(seat, 2019)
        votes = dict(seat.votes)
        decl = read_back("result", seat, 3, result_xml(seat, votes, revision=3, declared_at=AT, names=names))
        assert decl.kind == MessageKind.RESULT and decl.declared_at == AT
        assert (decl.electorate, decl.turnout, decl.valid_votes) == (
            seat.electorate,
            sum(votes.values()),
            sum(votes.values()),
        )
        assert [
            (c.position, c.name, c.party_label, c.party_name, c.votes, c.votes_raw, c.elected, c.sitting_member)
            for c in decl.candidates
        ] == [
            (
                i,
                " ".join(names[p]),
                AGENCY_PARTY[p][0],
                AGENCY_PARTY[p][1],
                votes[p],
                str(votes[p]),
                p == seat.winner,
                p == seat.sitting,
            )
            for i, p in enumerate(ranked(votes), start=1)
        ], seat.name
        # The 2017 baseline rides along, never counted.
        (previous,) = decl.agency["previous"]
        assert (previous["block"], previous["name"], previous["date"]) == (
            "PreviousElection",
            "General Election",
            "2017-06-08",
        )
        assert {party_of(c["party"]["abbreviation"]): int(c["party"]["votes"]) for c in previous["candidates"]} == dict(
            seat.votes_2017
        ), seat.name


@pytest.mark.unit
def test_a_result_carries_the_agencys_attributes_in_its_order_with_two_decimals_and_signs(seats):
    seat = seat_named(seats, "Norwich North")
    root = SafeET.fromstring(result_xml(seat, seat.votes, revision=1, declared_at=AT, names=candidate_names(seat, 1)))
    assert root.tag == "FirstPastThePostResult" and list(root.attrib) == ["revision", "declarationTime"]
    assert root.get("declarationTime") == "2019-12-13T03:04:05+00:00"
    con = root.find("Election/Constituency")
    assert list(con.attrib) == [
        "number",
        "name",
        "electorate",
        "turnout",
        "percentageTurnout",
        "percentageChangeTurnout",
        "winningParty",
        "gainOrHold",
        "sittingParty",
        "majority",
        "percentageMajority",
        "percentageChangeMajority",
        "swing",
        "swingTo",
        "swingFrom",
    ]
    assert (con.get("winningParty"), con.get("gainOrHold"), con.get("sittingParty"), con.get("majority")) == (
        "C",
        "hold",
        "C",
        "4738",
    )
    for attr in ("percentageTurnout", "percentageMajority", "swing"):
        assert PCT.fullmatch(con.get(attr)), attr
    for attr in ("percentageChangeTurnout", "percentageChangeMajority"):
        assert SIGNED.fullmatch(con.get(attr)), attr
    winner = con.find("Candidate")
    assert list(winner.attrib) == ["elected", "previousSittingMember", "paId", "sex", "firstName", "surname"]
    party = winner.find("Party")
    assert list(party.attrib) == ["paId", "name", "abbreviation", "votes", "percentageShare", "percentageShareChange"]
    assert PCT.fullmatch(party.get("percentageShare")) and SIGNED.fullmatch(party.get("percentageShareChange"))
    previous = root.find("PreviousElection/Constituency")
    assert list(previous.attrib) == [
        "number",
        "name",
        "turnout",
        "percentageTurnout",
        "winningParty",
        "majority",
        "percentageMajority",
    ]
    assert previous.get("majority") == "507"  # Norwich North, 2017
    assert "gssCode" not in SafeET.tostring(root, encoding="unicode")


@pytest.mark.unit
def test_a_party_new_since_2017_has_no_change_figure_rather_than_a_zero(seats):
    seat = seat_named(seats, "Caithness, Sutherland and Easter Ross")  # the Brexit Party did not stand in 2017
    root = SafeET.fromstring(result_xml(seat, seat.votes, revision=1, declared_at=AT, names=candidate_names(seat, 1)))
    brexit = next(p for p in root.iter("Party") if p.get("abbreviation") == "Brexit")
    assert "percentageShareChange" not in brexit.attrib


@pytest.mark.unit
def test_a_mistyped_result_reads_back_with_its_typo(seats):
    seat = seat_named(seats, "Norwich North")
    wrong = dict(seat.votes, CON=seat.votes["CON"] + 540)
    decl = read_back(
        "result", seat, 1, result_xml(seat, wrong, revision=1, declared_at=AT, names=candidate_names(seat, 7))
    )
    assert {c.party_label: c.votes for c in decl.candidates}["C"] == wrong["CON"]


@pytest.mark.unit
def test_every_seats_rush_and_recount_read_back_as_written(seats):
    for seat in seats:
        names = candidate_names(seat, 2019)
        rush = read_back("rush", seat, 1, rush_xml(seat, winner=seat.winner, names=names))
        assert (rush.kind, rush.declared_at, rush.winning_party_label) == (
            MessageKind.RUSH,
            None,
            AGENCY_PARTY[seat.winner][0],
        )  # no declarationTime: the file's time is its time
        assert sorted((c.name, c.party_label, c.votes, c.elected, c.sitting_member) for c in rush.candidates) == sorted(
            (" ".join(names[p]), AGENCY_PARTY[p][0], None, p == seat.winner, p == seat.sitting) for p in seat.votes
        ), seat.name
        recount = read_back("recount", seat, 1, recount_xml(seat))
        assert (recount.kind, recount.declared_at, recount.candidates, recount.agency["recount"]) == (
            MessageKind.RECOUNT,
            None,
            [],
            "1",
        )


@pytest.mark.unit
def test_a_rush_names_the_winner_and_the_sitting_party_as_the_agency_does(seats):
    seat = seat_named(seats, "Blyth Valley")
    root = SafeET.fromstring(rush_xml(seat, winner="CON", names=candidate_names(seat, 1)))
    assert list(root.attrib) == ["revision"]
    con = root.find("Election/Constituency")
    assert dict(con.attrib) == {
        "number": str(seat.number),
        "name": "Blyth Valley",
        "electorate": str(seat.electorate),
        "gainOrHold": "gain",
        "winningPartyAbbreviation": "C",
        "winningPartyName": "Conservative",
        "sittingPartyAbbreviation": "Lab",
        "sittingPartyName": "Labour",
        "change": "true",
        "paStyleMessageText": "Conservative gain Blyth Valley from Labour",
    }
    winner = next(c for c in con.findall("Candidate") if c.get("elected"))
    assert list(winner.attrib)[0] == "elected" and winner.find("Party").get("abbreviation") == "C"
    ids = [int(c.get("paId")) for c in con.findall("Candidate")]
    assert ids == sorted(ids)  # listed by paId, as the agency does
    assert [p.attrib.keys() for p in con.iter("Party")] and all("votes" not in p.attrib for p in con.iter("Party"))
    corrected = SafeET.fromstring(
        rush_xml(seat, winner="LAB", names=candidate_names(seat, 1), revision=2, correction=True)
    ).find("Election/Constituency")
    assert (corrected.get("change"), corrected.get("paStyleMessageText")) == (
        "false",
        "Correction: Labour hold Blyth Valley",
    )


@pytest.mark.unit
def test_the_agency_compares_with_the_sitting_party_and_the_parser_keeps_it_as_agency_figures(seats):
    brecon = seat_named(seats, "Brecon and Radnorshire")
    decl = read_back(
        "result",
        brecon,
        1,
        result_xml(brecon, brecon.votes, revision=1, declared_at=AT, names=candidate_names(brecon, 1)),
    )
    assert (decl.agency["sittingParty"], decl.agency["gainOrHold"], decl.agency["winningParty"]) == ("LD", "gain", "C")
    assert [c.party_label for c in decl.candidates if c.sitting_member] == ["LD"]
    chorley = seat_named(seats, "Chorley")
    decl = read_back(
        "result",
        chorley,
        1,
        result_xml(chorley, chorley.votes, revision=1, declared_at=AT, names=candidate_names(chorley, 1)),
    )
    assert (decl.agency["sittingParty"], decl.agency["gainOrHold"]) == ("Speaker", "hold")


@pytest.mark.unit
def test_the_test_feed_reads_back_with_its_name_date_and_test_surnames(seats):
    seat = seat_named(seats, "Norwich North")
    names = candidate_names(seat, 1)
    decl = read_back(
        "result", seat, 1, result_xml(seat, seat.votes, revision=1, declared_at=AT, names=names, feed=TEST), feed=TEST
    )
    assert decl.election_name == "Test General Election" and decl.election_date != LIVE.date
    assert all(c.name.endswith(" Test") for c in decl.candidates)
    live = SafeET.fromstring(result_xml(seat, seat.votes, revision=1, declared_at=AT, names=names))
    test = SafeET.fromstring(result_xml(seat, seat.votes, revision=1, declared_at=AT, names=names, feed=TEST))
    assert {c.get("paId") for c in live.iter("Candidate")}.isdisjoint(c.get("paId") for c in test.iter("Candidate"))
    assert file_name("rush", seat.name, 2, TEST) == "Test_General_Election_rush_Norwich_North_2.xml"


@pytest.mark.unit
def test_file_names_as_the_agency_writes_them():
    assert file_name("result", "Norwich North", 1) == "General_Election_result_Norwich_North_1.xml"
    assert slug("Caithness, Sutherland and Easter Ross") == "Caithness,_Sutherland_and_Easter_Ross"
    assert slug("Weston-super-Mare") == "Weston-super-Mare"
    assert slug("Ynys Môn") == "Ynys_Mon"
    assert slug("Barnet & Camden") == "Barnet_and_Camden"
    assert sop_file_name(102) == "General_Election_SOP_102.xml"


# --- nominations and the state of the parties: read by the spec's shape -----------------------


def read_nominations(body: bytes) -> dict:
    """The spec's FirstPastThePostNominations: revision, seat, candidates with their parties, previous blocks."""
    root = SafeET.fromstring(body)
    assert root.tag == "FirstPastThePostNominations" and list(root.attrib) == ["revision"]
    (con,) = root.findall("Election/Constituency")
    assert set(con.attrib) == {"number", "name", "electorate"}
    candidates = []
    for c in con.findall("Candidate"):
        assert set(c.attrib) <= {"paId", "previousSittingMember", "sex", "firstName", "surname"}
        (party,) = c.findall("Party")
        assert set(party.attrib) == {"paId", "name", "abbreviation"}  # no votes before the night
        candidates.append(
            (c.get("firstName"), c.get("surname"), party.get("abbreviation"), c.get("previousSittingMember") == "*")
        )
    return {
        "revision": int(root.get("revision")),
        "election": dict(root.find("Election").attrib),
        "name": con.get("name"),
        "number": int(con.get("number")),
        "electorate": int(con.get("electorate")),
        "candidates": candidates,
        "previous": [b.tag for b in root if b.tag.startswith("Previous")],
    }


@pytest.mark.unit
def test_every_seats_nominations_are_shaped_as_the_spec_says(seats):
    for seat in seats:
        names = candidate_names(seat, 2019)
        body = nominations_xml(seat, names=names, revision=2)
        read = read_nominations(body)
        assert (read["revision"], read["name"], read["number"], read["electorate"]) == (
            2,
            seat.name,
            seat.number,
            seat.electorate,
        )
        assert read["election"] == {"name": "General Election", "date": "2019-12-12", "type": "G"}
        assert sorted(read["candidates"]) == sorted(
            (*names[p], AGENCY_PARTY[p][0], p == seat.sitting) for p in seat.votes
        ), seat.name
        assert read["previous"] == ["PreviousElection"]
        (parsed,) = parse_file(file_name("nominations", seat.name, 2), body)
        assert (parsed.revision, parsed.constituency_name, parsed.gss_code_given, parsed.electorate) == (
            2,
            seat.name,
            None,
            seat.electorate,
        )
        assert sorted((c.name, c.party_label, c.votes, c.sitting_member) for c in parsed.candidates) == sorted(
            (" ".join(names[p]), AGENCY_PARTY[p][0], None, p == seat.sitting) for p in seat.votes
        ), seat.name


def read_state_of_parties(body: bytes) -> dict:
    """The spec's FirstPastThePostStateOfParties: N, the parties' totals (absent = 0), the seats included."""
    root = SafeET.fromstring(body)
    assert root.tag == "FirstPastThePostStateOfParties" and "revision" not in root.attrib
    parties = {}
    for p in root.findall("Parties/Party"):
        for attr in ("totalSeats", "gains", "losses"):
            assert p.get(attr) != "0"  # absent, never "0"
        assert PCT.fullmatch(p.get("percentageShare")) and SIGNED.fullmatch(p.get("percentageChange"))
        parties[p.get("abbreviation")] = (
            int(p.get("totalSeats", 0)),
            int(p.get("gains", 0)),
            int(p.get("losses", 0)),
            int(p.get("totalVotes")),
            p.get("paId"),
        )
    return {
        "n": int(root.get("numberOfResults")),
        "of": int(root.get("totalNumberOfConstituencies")),
        "votes": int(root.get("totalVotes")),
        "election": dict(root.find("Election").attrib),
        "parties": parties,
        "included": [
            (int(c.get("number")), c.get("name")) for c in root.findall("ConstituenciesIncluded/Constituency")
        ],
    }


@pytest.mark.unit
def test_a_state_of_the_parties_counts_exactly_the_seats_it_lists(seats):
    chosen = [seat_named(seats, n) for n in ("Brecon and Radnorshire", "Blyth Valley", "Norwich North", "Chorley")]
    declared = [Declared(s, s.votes, s.winner) for s in chosen]
    body = state_of_parties_xml(declared)
    read = read_state_of_parties(body)
    assert (read["n"], read["of"]) == (4, 650)
    assert read["election"] == {"name": "General Election", "date": "2019-12-12", "type": "G"}
    assert sorted(read["included"]) == sorted((s.number, s.name) for s in chosen)
    assert read["votes"] == sum(sum(s.votes.values()) for s in chosen) == sum(p[3] for p in read["parties"].values())
    assert read["parties"]["C"][:3] == (3, 2, 0)  # the agency's gains: Brecon from LD, Blyth Valley from Lab
    assert read["parties"]["Lab"][:3] == (0, 0, 1) and read["parties"]["LD"][:3] == (0, 0, 1)
    assert read["parties"]["Speaker"][0] == 1
    assert read["parties"]["Others"][4] == "-9999"  # the pseudo-party: minor candidates
    assert sum(p[0] for p in read["parties"].values()) == 4
    (parsed,) = parse_file(sop_file_name(4), body)
    assert (parsed.number_of_results, parsed.total_constituencies, parsed.total_votes) == (4, 650, read["votes"])
    assert sorted(parsed.constituency_names) == sorted(s.name for s in chosen)
    assert {p.label: (p.seats, p.gains, p.losses, p.votes) for p in parsed.parties} == {
        label: figures[:4] for label, figures in read["parties"].items()
    }
