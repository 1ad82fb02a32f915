"""Resolution against an inline reference: seat by GSS code or tolerant name, parties by alias. No database."""

from __future__ import annotations

import pytest

from pipeline.exceptions import UnknownConstituency
from pipeline.model import Candidate, Declaration, MessageKind, ReasonCode, SourceFormat
from pipeline.names import fold
from pipeline.resolve import Baseline, Reference, resolve

SEATS = {"E14000575": "Blyth Valley", "W07000041": "Ynys Môn", "E14000754": "Houghton and Sunderland South"}
ALIASES = {"C": "CON", "Conservative": "CON", "Lab": "LAB", "Labour": "LAB", "Lab Co-op": "LAB", "LD": "LD"}


@pytest.fixture
def ref() -> Reference:
    return Reference(
        counting_election_id="parl.2019-12-12",
        baseline_election_id="parl.2017-06-08",
        names=dict(SEATS),
        by_key={fold(name): gss for gss, name in SEATS.items()},
        electorate={"E14000575": 64429, "W07000041": 51925, "E14000754": 68835},
        aliases={fold(alias): code for alias, code in ALIASES.items()},
        baseline={"E14000575": Baseline("LAB", "CON", 18.6, "2017")},
    )


def result(*candidates: tuple[str, str | None, int, bool], gss: str | None = None, name: str | None = None):
    return Declaration(
        kind=MessageKind.RESULT,
        source_format=SourceFormat.AGENCY_XML,
        revision=1,
        constituency_name=name,
        gss_code_given=gss,
        candidates=[
            Candidate(i, f"candidate {i}", label, str(votes), votes, elected, party_name=long)
            for i, (label, long, votes, elected) in enumerate(candidates, start=1)
        ],
    )


@pytest.mark.unit
def test_the_gss_code_wins_and_fills_the_registered_electorate(ref):
    decl = resolve(result(("C", None, 17440, True), ("Lab", None, 16728, False), gss="e14000575", name="Wrong"), ref)
    assert (decl.gss_code, decl.registered_electorate) == ("E14000575", 64429)
    assert [c.party_code for c in decl.candidates] == ["CON", "LAB"]
    assert (decl.winning_party_code, decl.unknown_parties) == ("CON", [])


@pytest.mark.unit
@pytest.mark.parametrize("given", ["YNYS MON", "Ynys  Mon", "ynys môn"])
def test_a_seat_without_a_code_is_found_by_its_folded_name(ref, given):
    rush = Declaration(
        kind=MessageKind.RUSH,
        source_format=SourceFormat.AGENCY_XML,
        revision=1,
        constituency_name=given,
        gss_code_given=None,
        winning_party_label="C",
    )
    decl = resolve(rush, ref)
    assert (decl.gss_code, decl.winning_party_code) == ("W07000041", "CON")


@pytest.mark.unit
def test_houghton_with_an_ampersand(ref):
    assert resolve(result(("Lab", None, 1, True), name="Houghton & Sunderland South"), ref).gss_code == "E14000754"


@pytest.mark.unit
def test_an_unknown_party_counts_as_oth_and_is_reported(ref):
    decl = resolve(
        result(("Lab", None, 100, True), ("MRLP", None, 5, False), ("", "Labour", 3, False), gss="E14000575"), ref
    )
    # the long party name is tried when the label is unknown
    assert [c.party_code for c in decl.candidates] == ["LAB", "OTH", "LAB"]
    assert decl.unknown_parties == ["MRLP"]


@pytest.mark.unit
def test_a_result_with_two_elected_has_no_winner_for_validation_to_reject(ref):
    decl = resolve(result(("C", None, 10, True), ("Lab", None, 9, True), gss="E14000575"), ref)
    assert decl.winning_party_code is None


@pytest.mark.unit
def test_no_matching_seat_is_rejected_with_its_code(ref):
    with pytest.raises(UnknownConstituency) as raised:
        resolve(result(("C", None, 1, True), gss="E14099999", name="Atlantis North"), ref)
    assert raised.value.code == ReasonCode.UNKNOWN_CONSTITUENCY
    assert "E14099999" in raised.value.reason and "Atlantis North" in raised.value.reason


def _parsed(body: bytes):
    from pipeline.parse import parse_file

    (message,) = parse_file("message.xml", body)
    return message


@pytest.mark.unit
def test_nominations_resolve_their_seat_by_name_and_parties_by_alias(ref):
    from pipeline.resolve import resolve_message
    from tests import agency_feed as feed

    nom = resolve_message(
        _parsed(feed.nominations("BLYTH VALLEY", 1, [("A", "B", "C", "*"), ("C", "D", "Flat Earth", None)])), ref
    )
    assert (nom.gss_code, nom.registered_electorate) == ("E14000575", 64429)
    assert [c.party_code for c in nom.candidates] == ["CON", "OTH"] and nom.unknown_parties == ["Flat Earth"]
    with pytest.raises(UnknownConstituency, match="Atlantis") as raised:
        resolve_message(_parsed(feed.nominations("Atlantis", 1, [("A", "B", "C", None)])), ref)
    assert raised.value.code == ReasonCode.UNKNOWN_CONSTITUENCY


@pytest.mark.unit
def test_state_of_the_parties_resolves_every_constituency_and_maps_others_and_unknown_parties_to_oth(ref):
    from pipeline.resolve import resolve_message
    from tests import agency_feed as feed

    parties = [
        {"abbreviation": "C", "totalSeats": 1, "votes": 9},
        {"abbreviation": "Res London", "votes": 3},
        {"abbreviation": "Others", "votes": 2},
    ]
    sop = resolve_message(_parsed(feed.state_of_parties(2, parties, ["Ynys Mon", "Blyth Valley"])), ref)
    assert sop.gss_codes == ["W07000041", "E14000575"]  # names as the feed spells them, accents or not
    assert [p.party_code for p in sop.parties] == ["CON", "OTH", "OTH"] and sop.unknown_parties == ["Res London"]
    with pytest.raises(UnknownConstituency, match="'Atlantis'"):
        resolve_message(_parsed(feed.state_of_parties(2, parties, ["Blyth Valley", "Atlantis"])), ref)


@pytest.mark.parametrize(
    ("polling_day", "name", "date", "kind", "counts"),
    [
        ("2019-12-12", "General Election", "2019-12-12", "G", True),
        ("2019-12-12", "General Election", "2017-06-08", "G", False),  # a live message of another election
        # The next general election, its date not yet known: any live general election is it ...
        (None, "General Election", "2029-05-03", "G", True),
        (None, "Snap General Election", "2027-10-14", "G", True),
        # ... but not another kind of election, and never the TEST feed on a live night.
        (None, "Scottish Parliament", "2026-05-07", "S", False),
        (None, "Test General Election", "2029-04-20", "G", False),
    ],
)
@pytest.mark.unit
def test_live_messages_are_checked_against_the_counted_elections_own_date(ref, polling_day, name, date, kind, counts):
    from dataclasses import replace

    from pipeline.exceptions import OtherElection, TestMessage
    from pipeline.resolve import check_election

    counting = "parl.next" if polling_day is None else ref.counting_election_id
    counted = replace(ref, counting_election_id=counting, election_date=polling_day)
    if counts:
        assert check_election(name, date, kind, counted) == counted.counting_election_id
    else:
        with pytest.raises((OtherElection, TestMessage)):
            check_election(name, date, kind, counted)
