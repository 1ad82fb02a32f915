"""Parsing: corpus bytes to Declarations, or a RejectedFile with its code. No database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.exceptions import (
    IncompleteFile,
    InvalidDeclaration,
    MalformedFile,
    RejectedFile,
    UnsafeXML,
    UnsupportedMessage,
)
from pipeline.model import MessageKind, ReasonCode, SourceFormat
from pipeline.parse import parse_file, whole_number

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def parse(name: str):
    return parse_file(name, (CORPUS / name).read_bytes())


@pytest.mark.unit
def test_a_result_reads_every_candidate_in_order():
    (decl,) = parse("General_Election_2019_result_Blyth_Valley_1.xml")
    assert (decl.kind, decl.source_format, decl.revision) == (MessageKind.RESULT, SourceFormat.AGENCY_XML, 1)
    assert (decl.constituency_name, decl.gss_code_given, decl.election_id) == (
        "Blyth Valley",
        "E14000575",
        "parl.2019-12-12",
    )
    assert decl.declared_at == datetime(2019, 12, 13, 0, 5, tzinfo=UTC)
    assert (decl.electorate, decl.turnout) == (64429, 40859)
    assert [(c.position, c.name, c.party_label, c.votes, c.elected) for c in decl.candidates] == [
        (1, "Ian Example", "C", 17440, True),
        (2, "Susan Example", "Lab", 16728, False),
        (3, "Mark Example", "Brexit", 3394, False),
        (4, "Thom Example", "LD", 2151, False),
        (5, "Dawn Example", "Green", 1146, False),
    ]
    assert decl.valid_votes == 40859
    # the agency's own figures are kept, not trusted
    assert (decl.agency["gainOrHold"], decl.agency["swing"], decl.agency["root.revision"]) == ("gain", "10.2", "1")
    assert decl.gss_code is None and decl.winning_party_code is None  # resolution fills these


@pytest.mark.unit
def test_a_rush_flashes_a_winner_and_has_no_candidates():
    (decl,) = parse("General_Election_2019_rush_Ynys_Mon_1.xml")
    assert (decl.kind, decl.constituency_name, decl.gss_code_given) == (MessageKind.RUSH, "Ynys Mon", None)
    assert decl.winning_party_label == "C" and decl.candidates == [] and decl.valid_votes == 0


@pytest.mark.unit
def test_a_recount_notice():
    (decl,) = parse("General_Election_2019_recount_Kensington_1.xml")
    assert (decl.kind, decl.gss_code_given, decl.revision) == (MessageKind.RECOUNT, "E14000768", 1)
    assert decl.declared_at == datetime(2019, 12, 13, 4, 40, tzinfo=UTC)


@pytest.mark.unit
def test_an_entity_in_a_name_is_decoded():
    (decl,) = parse("General_Election_2019_result_Houghton_and_Sunderland_South_1.xml")
    assert decl.constituency_name == "Houghton & Sunderland South" and decl.gss_code_given is None


@pytest.mark.unit
def test_a_democracy_club_csv_gives_one_declaration_per_ballot():
    decls = parse("DemocracyClub_results_parl.2019-12-12_sample.csv")
    assert [(d.kind, d.source_format, d.gss_code_given, d.revision) for d in decls] == [
        (MessageKind.RESULT, SourceFormat.DC_CSV, "E14000537", 1),
        (MessageKind.RESULT, SourceFormat.DC_CSV, "E14001038", 1),
    ]
    ashton = decls[0]
    assert ashton.declared_at is None  # the feed has no declaration time
    assert (ashton.candidates[0].name, ashton.candidates[0].party_label, ashton.candidates[0].votes) == (
        "Angela Example",
        "PP53",
        18544,
    )
    assert [c.elected for c in ashton.candidates].count(True) == 1
    assert ashton.electorate == 67978


@pytest.mark.unit
@pytest.mark.parametrize(
    ("name", "error", "code"),
    [
        ("bad_empty.xml", IncompleteFile, ReasonCode.INCOMPLETE),
        ("bad_truncated.xml", IncompleteFile, ReasonCode.INCOMPLETE),
        ("bad_not_xml.xml", MalformedFile, ReasonCode.MALFORMED),
        ("bad_billion_laughs.xml", UnsafeXML, ReasonCode.UNSAFE_XML),
        ("bad_external_entity.xml", UnsafeXML, ReasonCode.UNSAFE_XML),
        ("bad_wrong_root.xml", UnsupportedMessage, ReasonCode.UNSUPPORTED),
    ],
)
def test_a_bad_file_is_rejected_with_its_code(name: str, error: type[RejectedFile], code: ReasonCode):
    with pytest.raises(error) as raised:
        parse(name)
    assert raised.value.code == code and raised.value.reason


@pytest.mark.unit
def test_figures_that_are_not_whole_numbers_are_kept_for_validation_to_judge():
    (decl,) = parse("bad_non_numeric_votes.xml")
    raw = {c.votes_raw: c.votes for c in decl.candidates}
    assert raw == {"17440": 17440, "16,728": None, "3394": 3394, "2151": 2151, "n/a": None}


@pytest.mark.unit
def test_the_root_revision_wins_over_the_file_name():
    body = (CORPUS / "General_Election_2019_result_Blyth_Valley_1.xml").read_bytes()
    (decl,) = parse_file("General_Election_2019_result_Blyth_Valley_7.xml", body)
    assert decl.revision == 1
    (decl,) = parse_file("General_Election_2019_result_Blyth_Valley_7.xml", body.replace(b' revision="1"', b""))
    assert decl.revision == 7
    with pytest.raises(InvalidDeclaration):
        parse_file("no_revision.xml", body.replace(b' revision="1"', b""))


@pytest.mark.unit
@pytest.mark.parametrize(
    ("raw", "number"),
    [("12", 12), (" +3 ", 3), ("-1078", -1078), ("1.5", None), ("n/a", None), ("", None), (None, None)],
)
def test_whole_number(raw: str | None, number: int | None):
    assert whole_number(raw) == number
