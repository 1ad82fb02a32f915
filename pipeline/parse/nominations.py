"""A FirstPastThePostNominations message into Nominations: one constituency's candidates, before the count."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.exceptions import InvalidDeclaration
from pipeline.model import Nominations
from pipeline.parse.common import agency_attributes, candidate, contest, electorate, revision, text

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

ROOT = "FirstPastThePostNominations"


def parse_nominations(file_name: str, root: Element) -> Nominations:
    """A FirstPastThePostNominations message: one constituency's candidates, no votes."""
    election, con = contest(root)
    nominations = Nominations(
        revision=revision(file_name, root),
        constituency_name=text(con, "name"),
        gss_code_given=text(con, "gssCode"),
        election_name=text(election, "name"),
        election_date=text(election, "date"),
        election_type=text(election, "type"),
        agency=agency_attributes(root, con),
    )
    nominations.electorate_raw, nominations.electorate = electorate(con)
    nominations.candidates = [candidate(c, i) for i, c in enumerate(con.findall("Candidate"), start=1)]
    for c in nominations.candidates:
        if c.votes_raw is not None or c.elected:
            raise InvalidDeclaration(
                f"the nominations list candidate {c.position} {c.name!r} with votes or elected: a nominations "
                "message comes before the count"
            )
    return nominations
