"""The agency's messages as it really writes them (hand-written fixtures in tests/fixtures/real_feed): parse only."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.exceptions import InvalidDeclaration, NotThisElection
from pipeline.model import MessageKind, ReasonCode
from pipeline.parse import parse_file

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real_feed"

pytestmark = pytest.mark.unit


def parse(name: str, body: bytes | None = None):
    (decl,) = parse_file(name, body if body is not None else (REAL / name).read_bytes())
    return decl


def test_a_result_counts_only_its_own_contest_and_keeps_both_previous_elections():
    decl = parse("General_Election_result_Norwich_North_1.xml")
    assert (decl.kind, decl.revision, decl.constituency_name, decl.gss_code_given) == (
        MessageKind.RESULT,
        1,
        "Norwich North",
        None,
    )
    assert (decl.election_name, decl.election_date, decl.election_type) == ("General Election", "2019-12-12", "G")
    # six candidates of 2019, not the 3 + 2 of the previous election and the by-election
    assert len(decl.candidates) == 6
    assert decl.valid_votes == 46285 == decl.turnout
    assert [b["block"] for b in decl.agency["previous"]] == ["PreviousElection", "PreviousElection"]
    assert [b["date"] for b in decl.agency["previous"]] == ["2017-06-08", "2018-05-03"]
    assert decl.agency["previous"][0]["candidates"][0]["party"]["votes"] == "21900"
    # the agency's own figures are kept as text, signed as written
    assert decl.agency["percentageChangeTurnout"] == "+1.58"
    assert decl.agency["percentageBoundaryChange"] == "0.00"


def test_sitting_member_is_the_star_never_the_plus():
    decl = parse("General_Election_result_Norwich_North_1.xml")
    smith, davis = decl.candidates[:2]
    assert smith.sitting_member and smith.elected
    assert not davis.sitting_member  # previousSittingMember="+": a member sitting for another seat


def test_empty_first_names_and_several_independents_read_without_complaint():
    decl = parse("General_Election_result_Norwich_North_1.xml")
    assert decl.candidates[2].name == "Thomas"  # firstName=""
    independents = [c for c in decl.candidates if c.party_label == "Ind"]
    assert [c.name for c in independents] == ["David Peel", "Ann Other"]
    assert independents[0].party_name == "Independent David Peel"  # the party name holds the candidate's


def test_a_rush_names_its_winner_by_abbreviation_and_lists_every_candidate():
    decl = parse("General_Election_rush_Norwich_North_1.xml")
    assert (decl.kind, decl.winning_party_label, decl.declared_at) == (MessageKind.RUSH, "C", None)
    assert len(decl.candidates) == 5
    assert all(c.votes is None for c in decl.candidates)
    assert [c.elected for c in decl.candidates] == [True, False, False, False, False]


def test_a_rush_in_our_earlier_recordings_form_still_reads():
    body = (
        b'<FirstPastThePostRush revision="1"><Election name="General Election 2019" date="2019-12-12" type="G">'
        b'<Constituency name="Blyth Valley" winningParty="C"/></Election></FirstPastThePostRush>'
    )
    assert parse("General_Election_2019_rush_Blyth_Valley_1.xml", body).winning_party_label == "C"


def test_a_rush_whose_flashed_winner_is_not_its_elected_candidate_is_refused():
    with pytest.raises(InvalidDeclaration, match=r"flashes 'C'.*John Kent \(Lab\) elected"):
        parse("General_Election_rush_Thurrock_1.xml")


def test_a_notional_previous_election_after_a_boundary_change_is_kept_not_counted():
    decl = parse("Test_General_Election_result_Ipswich_1.xml")
    assert len(decl.candidates) == 5 and decl.valid_votes == 49579
    (notional,) = decl.agency["previous"]
    assert notional["block"] == "PreviousNotionalElection"
    assert [p["abbreviation"] for p in notional["parties"]] == ["Lab", "C", "Others"]
    assert decl.election_name == "Test General Election"


def test_a_recount_notice_without_a_time():
    decl = parse("General_Election_recount_Kensington_1.xml")
    assert (decl.kind, decl.constituency_name, decl.agency["recount"], decl.declared_at) == (
        MessageKind.RECOUNT,
        "Kensington",
        "1",
        None,
    )


def test_top_up_messages_are_not_for_a_general_election():
    with pytest.raises(NotThisElection, match="TopUpResult") as caught:
        parse("Welsh_Assembly_Test_TopUpResult_Mid_and_West_Wales_1.xml")
    assert caught.value.code == ReasonCode.NOT_THIS_ELECTION
