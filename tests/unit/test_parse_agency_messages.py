"""Parsing the agency's nominations and state-of-the-parties messages (real format, hand-written). No database."""

from __future__ import annotations

import pytest

from pipeline.exceptions import InvalidDeclaration, MalformedFile
from pipeline.model import FileKind, Nominations, StateOfParties
from pipeline.parse import parse_file
from tests import agency_feed as feed

NOMINATED = [
    ("Ann", "Example", "C", "*"),
    ("Ben", "Example", "Lab", "+"),
    ("Dev", "Brown", "Ind", None),
    ("Eve", "Green", "Ind", None),
]


@pytest.mark.unit
def test_nominations_read_every_candidate_and_only_star_is_the_sitting_member():
    (nom,) = parse_file(
        "General_Election_nominations_Norwich_North_2.xml", feed.nominations("Norwich North", 2, NOMINATED)
    )
    assert isinstance(nom, Nominations) and nom.file_kind == FileKind.NOMINATIONS
    assert (nom.revision, nom.constituency_name, nom.gss_code_given, nom.electorate) == (
        2,
        "Norwich North",
        None,
        67172,
    )
    assert (nom.election_name, nom.election_date, nom.election_type) == ("General Election", "2019-12-12", "G")
    assert [
        (c.position, c.name, c.party_label, c.party_name, c.sitting_member, c.votes, c.elected) for c in nom.candidates
    ] == [
        (1, "Ann Example", "C", "Conservative", True, None, False),
        (2, "Ben Example", "Lab", "Labour", False, None, False),  # "+" sits for another seat
        (3, "Dev Brown", "Ind", "Independent", False, None, False),
        (4, "Eve Green", "Ind", "Independent", False, None, False),
    ]
    # the PreviousElection block is kept with the message, never read as candidates
    (previous,) = nom.agency["previous"]
    assert previous["block"] == "PreviousElection" and previous["candidates"][0]["surname"] == "Past"


@pytest.mark.unit
def test_nominations_revision_comes_from_the_root_else_the_file_name():
    body = feed.nominations("Norwich North", 4, NOMINATED)
    assert parse_file("General_Election_nominations_Norwich_North_1.xml", body)[0].revision == 4
    without = body.replace(b' revision="4"', b"")
    assert parse_file("General_Election_nominations_Norwich_North_7.xml", without)[0].revision == 7
    with pytest.raises(InvalidDeclaration, match="revision"):
        parse_file("nominations.xml", without)


@pytest.mark.unit
def test_nominations_with_votes_or_a_winner_are_refused():
    body = feed.nominations("Norwich North", 1, NOMINATED).replace(
        b'abbreviation="C" />', b'abbreviation="C" votes="5" />', 1
    )
    with pytest.raises(InvalidDeclaration, match="before the count"):
        parse_file("General_Election_nominations_Norwich_North_1.xml", body)


@pytest.mark.unit
def test_nominations_need_exactly_one_election_constituency():
    body = (
        feed.nominations("Norwich North", 1, NOMINATED)
        .replace(b"<Election ", b"<Elections ", 1)
        .replace(b"</Election>", b"</Elections>", 1)
    )
    with pytest.raises(MalformedFile, match="no <Election>"):
        parse_file("General_Election_nominations_Norwich_North_1.xml", body)


PARTIES = [
    {"abbreviation": "C", "totalSeats": 2, "gains": 1, "votes": 40837},
    {"abbreviation": "Lab", "losses": 1, "votes": 35387},  # no totalSeats, no gains: 0
    {"abbreviation": "Ind", "votes": 300},
    {"abbreviation": "Others", "votes": 4472},
]


@pytest.mark.unit
def test_state_of_the_parties_reads_totals_absent_as_zero_and_the_constituencies():
    (sop,) = parse_file(
        "General_Election_SOP_2.xml", feed.state_of_parties(2, PARTIES, ["Norwich North", "Alyn & Deeside"])
    )
    assert isinstance(sop, StateOfParties) and sop.file_kind == FileKind.STATE_OF_PARTIES
    assert (sop.number_of_results, sop.total_constituencies, sop.total_votes) == (2, 650, 80996)
    assert (sop.election_name, sop.election_date, sop.election_type) == ("General Election", "2019-12-12", "G")
    assert sop.agency["forecastWinningParty"] == "No overall majority"
    assert [(p.position, p.label, p.name, p.seats, p.gains, p.losses, p.votes) for p in sop.parties] == [
        (1, "C", "Conservative", 2, 1, 0, 40837),
        (2, "Lab", "Labour", 0, 0, 1, 35387),
        (3, "Ind", "Independent", 0, 0, 0, 300),
        (4, "Others", "Others", 0, 0, 0, 4472),
    ]
    assert sop.parties[0].share_pct == 50.42 and sop.parties[0].share_change_pct == 1.9  # signed "+1.90"
    assert sop.constituency_names == ["Norwich North", "Alyn & Deeside"]


@pytest.mark.unit
def test_state_of_the_parties_n_comes_from_the_root_else_the_file_name():
    body = feed.state_of_parties(2, PARTIES, ["Norwich North", "Blyth Valley"]).replace(b' numberOfResults="2"', b"")
    assert parse_file("General_Election_SOP_12.xml", body)[0].number_of_results == 12
    with pytest.raises(InvalidDeclaration, match="numberOfResults"):
        parse_file("state.xml", body)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("change", "match"),
    [
        ((b'totalSeats="2"', b'totalSeats="two"'), "totalSeats"),
        ((b'totalVotes="40837"', b'totalVotes="-5"'), "totalVotes"),
        ((b'percentageChange="+1.90"', b'percentageChange="lots"'), "percentageChange"),
        ((b'totalSeats="2"', b'totalSeats="9"'), "9 seats but only 2 constituencies"),
        (
            (b'<Constituency number="2" name="Blyth Valley" />', b'<Constituency number="2" name="Norwich North" />'),
            "twice",
        ),
    ],
)
def test_state_of_the_parties_with_impossible_figures_is_refused(change, match):
    body = feed.state_of_parties(2, PARTIES, ["Norwich North", "Blyth Valley"]).replace(*change)
    with pytest.raises(InvalidDeclaration, match=match):
        parse_file("General_Election_SOP_2.xml", body)


@pytest.mark.unit
def test_the_kind_of_every_other_message():
    assert parse_file("r.xml", feed.result("Norwich North", 1, {"C": 5, "Lab": 3}))[0].file_kind == FileKind.RESULT
    assert parse_file("r.xml", feed.rush("Norwich North", 1, "C"))[0].file_kind == FileKind.RUSH
    assert parse_file("r.xml", feed.recount("Norwich North"))[0].file_kind == FileKind.RECOUNT
    csv = (
        b"election_id,ballot_paper_id,gss,post_label,person_name,party_name,votes_cast,elected\n"
        b"parl.2019-12-12,parl.x.2019-12-12,E14000863,Norwich North,Ann Example,Labour,5,True\n"
    )
    assert parse_file("r.csv", csv)[0].file_kind == FileKind.DC_CSV
