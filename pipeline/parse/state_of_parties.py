"""A FirstPastThePostStateOfParties message into StateOfParties: the agency's running totals per party."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pipeline.exceptions import InvalidDeclaration, MalformedFile
from pipeline.model import PartyTotal, StateOfParties
from pipeline.parse.common import text, whole_number

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

ROOT = "FirstPastThePostStateOfParties"
_NAME_SOP = re.compile(r"_SOP_(\d+)\.xml$", re.IGNORECASE)
_DECIMAL = re.compile(r"[+-]?\d+(\.\d+)?")


def _count(el: Element, attr: str, what: str) -> int:
    """A non-negative whole-number attribute; absent means 0 (the agency leaves out what has nothing to say)."""
    raw = el.get(attr)
    if raw is None or not raw.strip():
        return 0
    value = whole_number(raw)
    if value is None or value < 0:
        raise InvalidDeclaration(f"{what}: {attr} {raw!r} is not a whole number of at least 0")
    return value


def _decimal(el: Element, attr: str, what: str) -> float | None:
    raw = el.get(attr)
    if raw is None or not raw.strip():
        return None
    if not _DECIMAL.fullmatch(raw.strip()):
        raise InvalidDeclaration(f"{what}: {attr} {raw!r} is not a number")
    return float(raw)


def parse_state_of_parties(file_name: str, root: Element) -> StateOfParties:
    """A FirstPastThePostStateOfParties message: the agency's running totals after numberOfResults results."""
    n_raw = root.get("numberOfResults")
    if n_raw is None:
        found = _NAME_SOP.search(file_name)
        n_raw = found.group(1) if found else None
    n = whole_number(n_raw)
    if n is None or n < 0:
        raise InvalidDeclaration(
            f"numberOfResults {n_raw!r} is not a whole number of at least 0 (root attribute or _SOP_N file name)"
        )
    election = root.find("Election")
    if election is None:
        raise MalformedFile("the message has no <Election> element")
    sop = StateOfParties(
        number_of_results=n,
        election_name=text(election, "name"),
        election_date=text(election, "date"),
        election_type=text(election, "type"),
        agency={k: v for k, v in root.attrib.items()},
    )
    sop.total_constituencies = whole_number(root.get("totalNumberOfConstituencies"))
    sop.total_votes = whole_number(root.get("totalVotes"))
    parties = root.find("Parties")
    for position, party in enumerate(parties.findall("Party") if parties is not None else [], start=1):
        label = text(party, "abbreviation") or text(party, "name")
        what = f"party {position} ({label or 'no name'})"
        if label is None:
            raise InvalidDeclaration(f"{what} has neither an abbreviation nor a name")
        sop.parties.append(
            PartyTotal(
                position=position,
                label=label,
                name=text(party, "name"),
                seats=_count(party, "totalSeats", what),
                gains=_count(party, "gains", what),
                losses=_count(party, "losses", what),
                votes=_count(party, "totalVotes", what),
                share_pct=_decimal(party, "percentageShare", what),
                share_change_pct=_decimal(party, "percentageChange", what),
            )
        )
    if not sop.parties:
        raise InvalidDeclaration("the state of the parties lists no <Parties>/<Party>")
    included = root.find("ConstituenciesIncluded")
    for con in included.findall("Constituency") if included is not None else []:
        name = text(con, "name")
        if name is None:
            raise InvalidDeclaration(f"a constituency included (number {con.get('number')!r}) has no name")
        sop.constituency_names.append(name)
    if len(set(sop.constituency_names)) != len(sop.constituency_names):
        raise InvalidDeclaration("the state of the parties lists a constituency twice")
    seats = sum(p.seats for p in sop.parties)
    if seats > len(sop.constituency_names):
        raise InvalidDeclaration(
            f"the parties hold {seats} seats but only {len(sop.constituency_names)} constituencies are included"
        )
    return sop
