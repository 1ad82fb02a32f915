"""The agency XML writer (pipeline.rehearsal.agency_xml) against the parser: what one writes, the other reads back."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pipeline.model import MessageKind, SourceFormat
from pipeline.parse import parse_file
from pipeline.rehearsal.agency_xml import AGENCY_PARTY, file_name, recount_xml, result_xml, rush_xml
from pipeline.rehearsal.seats import Seat, load_seats
from pipeline.rehearsal.stories import candidate_names

AT = datetime(2019, 12, 13, 3, 4, 5, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def seats() -> list[Seat]:
    return load_seats()


def read_back(kind: str, seat: Seat, revision: int, body: bytes):
    (decl,) = parse_file(file_name(kind, seat.name, revision), body)
    assert (decl.source_format, decl.revision) == (SourceFormat.AGENCY_XML, revision)
    assert (decl.constituency_name, decl.gss_code_given) == (seat.name, seat.gss_code)
    assert (decl.election_id, decl.election_name, decl.election_type) == ("parl.2019-12-12", "General Election 2019", "G")
    assert "file_name_kind" not in decl.agency  # the file name and the root element agree
    return decl


@pytest.mark.unit
def test_every_seats_result_reads_back_as_written(seats):
    for seat in seats:
        names = candidate_names(seat, 2019)
        votes = dict(seat.votes)
        decl = read_back("result", seat, 3, result_xml(seat, votes, revision=3, declared_at=AT, names=names))
        assert decl.kind == MessageKind.RESULT and decl.declared_at == AT
        assert (decl.electorate, decl.turnout, decl.valid_votes) == (seat.electorate, sum(votes.values()),
                                                                     sum(votes.values()))
        written = sorted(votes, key=lambda p: (-votes[p], p))
        assert [(c.position, c.name, c.party_label, c.party_name, c.votes, c.votes_raw, c.elected)
                for c in decl.candidates] == [
            (i, " ".join(names[p]), AGENCY_PARTY[p][0], AGENCY_PARTY[p][1], votes[p], str(votes[p]), p == seat.winner)
            for i, p in enumerate(written, start=1)
        ], seat.name


@pytest.mark.unit
def test_a_mistyped_result_reads_back_with_its_typo(seats):
    seat = next(s for s in seats if s.name == "Norwich North")
    wrong = dict(seat.votes, CON=seat.votes["CON"] + 540)
    decl = read_back("result", seat, 1, result_xml(seat, wrong, revision=1, declared_at=AT,
                                                    names=candidate_names(seat, 7)))
    assert {c.party_label: c.votes for c in decl.candidates}["C"] == wrong["CON"]


@pytest.mark.unit
def test_every_seats_rush_and_recount_read_back_as_written(seats):
    for seat in seats:
        rush = read_back("rush", seat, 1, rush_xml(seat, winner=seat.winner, flashed_at=AT))
        assert (rush.kind, rush.declared_at, rush.winning_party_label, rush.candidates) == (
            MessageKind.RUSH, AT, AGENCY_PARTY[seat.winner][0], [])
        called = AT - timedelta(minutes=30)
        recount = read_back("recount", seat, 1, recount_xml(seat, called_at=called))
        assert (recount.kind, recount.declared_at, recount.candidates) == (MessageKind.RECOUNT, called, [])


@pytest.mark.unit
def test_the_agency_compares_with_the_sitting_party_and_the_parser_keeps_it_as_agency_figures(seats):
    brecon = next(s for s in seats if s.name == "Brecon and Radnorshire")
    decl = read_back("result", brecon, 1, result_xml(brecon, brecon.votes, revision=1, declared_at=AT,
                                                      names=candidate_names(brecon, 1)))
    assert (decl.agency["sittingParty"], decl.agency["gainOrHold"], decl.agency["paStyleMessageText"]) == (
        "LD", "gain", "C GAIN FROM LD")
