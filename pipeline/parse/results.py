"""A result, a rush or a recount notice (FirstPastThePostResult, FirstPastThePostRush, Recount) into a Declaration."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pipeline.exceptions import InvalidDeclaration
from pipeline.model import Declaration, MessageKind, SourceFormat
from pipeline.parse.common import (
    agency_attributes,
    candidate,
    contest,
    electorate,
    iso_time,
    revision,
    text,
    whole_number,
)

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

ROOTS = {
    "FirstPastThePostResult": MessageKind.RESULT,
    "FirstPastThePostRush": MessageKind.RUSH,
    "Recount": MessageKind.RECOUNT,
}
_NAME_KIND = re.compile(r"_(result|rush|recount|nominations)_", re.IGNORECASE)


def parse_declaration(file_name: str, root: Element, kind: MessageKind) -> Declaration:
    """One seat's result, rush or recount notice: the contest, its candidates and (for a rush) the flashed winner."""
    name_kind = _NAME_KIND.search(file_name)
    extra: dict[str, Any] = {}
    if name_kind and name_kind.group(1).lower() != kind:
        extra["file_name_kind"] = name_kind.group(1).lower()
    rev = revision(file_name, root)
    election, con = contest(root)
    decl = Declaration(
        kind=kind,
        source_format=SourceFormat.AGENCY_XML,
        revision=rev,
        constituency_name=text(con, "name"),
        gss_code_given=text(con, "gssCode"),
        election_name=text(election, "name"),
        election_date=text(election, "date"),
        election_type=text(election, "type"),
        declared_at=iso_time(root.get("declarationTime"), "declarationTime"),
        agency=agency_attributes(root, con, **extra),
    )
    if decl.election_date:
        decl.election_id = f"parl.{decl.election_date}"
    decl.electorate_raw, decl.electorate = electorate(con)
    if kind == MessageKind.RECOUNT:
        return decl
    decl.candidates = [candidate(c, i) for i, c in enumerate(con.findall("Candidate"), start=1)]
    if kind == MessageKind.RUSH:
        _rush_winner(decl, con)
    else:
        decl.turnout = whole_number(con.get("turnout"))
    return decl


def _rush_winner(decl: Declaration, con: Element) -> None:
    """A rush's flashed winner, checked against the elected candidate.

    winningPartyAbbreviation; our earlier recordings have winningParty.
    """
    decl.winning_party_label = text(con, "winningPartyAbbreviation") or text(con, "winningParty")
    elected = [c for c in decl.candidates if c.elected]
    if len(elected) > 1:
        raise InvalidDeclaration(
            f"the rush marks {len(elected)} candidates elected ({', '.join(c.name for c in elected)}); "
            "a seat has one winner"
        )
    if decl.winning_party_label is None and elected:
        decl.winning_party_label = elected[0].party_label
    if elected and decl.winning_party_label not in (elected[0].party_label, elected[0].party_name):
        raise InvalidDeclaration(
            f"the rush flashes {decl.winning_party_label!r} as the winner (winningPartyAbbreviation) but marks "
            f"{elected[0].name} ({elected[0].party_label}) elected: which is it? Wait for the agency's correction"
        )
