"""What every agency message is read with: the safe XML parser, attributes, candidates, the contest, revisions."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from pipeline.exceptions import IncompleteFile, InvalidDeclaration, MalformedFile, UnsafeXML
from pipeline.model import Candidate

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_WHOLE = re.compile(r"[+-]?\d+")
_NAME_REVISION = re.compile(r"_(\d+)\.xml$", re.IGNORECASE)
# Expat's errors for a document that stops early: "no element found" (the
# root never closed), "unclosed token", "partial character", "unclosed CDATA
# section". A file cut off in transfer, or still being written, fails so.
_XML_ENDS_EARLY = {3, 5, 6, 20}


def whole_number(raw: str | None) -> int | None:
    """The int in raw if it is a whole number (sign allowed), else None."""
    if raw is None:
        return None
    s = raw.strip()
    return int(s) if _WHOLE.fullmatch(s) else None


def iso_time(raw: str | None, what: str) -> datetime | None:
    """An ISO 8601 date-time attribute; None when absent or blank."""
    if raw is None or not raw.strip():
        return None
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise InvalidDeclaration(f"{what} {raw!r} is not an ISO 8601 date-time") from exc


def safe_root(body: bytes) -> Element:
    """The document's root element, through defusedxml only; a RejectedFile for anything unsafe or broken."""
    try:
        return SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden as exc:
        raise UnsafeXML(
            "the XML declares a DTD (<!DOCTYPE>), which agency messages never do; refused unread "
            f"as a possible entity-expansion or external-entity attack ({exc})"
        ) from exc
    except (EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise UnsafeXML(f"the XML declares entities or external references; refused unread ({exc})") from exc
    except DefusedXmlException as exc:
        raise UnsafeXML(f"the XML was refused by the safe parser ({exc})") from exc
    except SafeET.ParseError as exc:
        if getattr(exc, "code", None) in _XML_ENDS_EARLY:
            raise IncompleteFile(f"the XML ends before the message does: truncated? ({exc})") from exc
        raise MalformedFile(f"the XML is not well-formed, truncated or corrupted? ({exc})") from exc


def text(el: Element, attr: str) -> str | None:
    """An attribute's text, stripped; None when absent or blank."""
    raw = el.get(attr) if el is not None else None
    return raw.strip() or None if raw is not None else None


def candidate(cand: Element, position: int) -> Candidate:
    """One <Candidate> with its <Party>: votes where the message has them (a result), else None."""
    party = cand.find("Party")
    label = (text(party, "abbreviation") or text(party, "name") or "") if party is not None else ""
    votes_raw = party.get("votes") if party is not None else None
    name = " ".join(p for p in (text(cand, "firstName"), text(cand, "surname")) if p) or f"candidate {position}"
    return Candidate(
        position=position,
        name=name,
        party_label=label,
        party_name=text(party, "name"),
        votes_raw=votes_raw,
        votes=whole_number(votes_raw),
        elected=(cand.get("elected") or "").strip().lower() in ("*", "true", "yes", "y", "1"),
        # "*" is this seat's sitting member; "+" a member of the body sitting for another seat
        sitting_member=(cand.get("previousSittingMember") or "").strip() == "*",
    )


def _previous_block(block: Element) -> dict[str, Any]:
    """A PreviousElection / PreviousNotionalElection block as plain data: kept with the message, never counted."""
    con = block.find("Constituency")
    out: dict[str, Any] = {"block": block.tag, **{k: v for k, v in block.attrib.items()}}
    if con is None:
        return out
    out["constituency"] = dict(con.attrib)
    # A notional block lists <Party> straight under <Constituency> (no candidates, an Others party).
    out["candidates"] = [
        {**dict(c.attrib), "party": dict(c.find("Party").attrib) if c.find("Party") is not None else {}}
        for c in con.findall("Candidate")
    ]
    parties = [dict(p.attrib) for p in con.findall("Party")]
    if parties:
        out["parties"] = parties
    return out


def agency_attributes(root: Element, con: Element, **extra: str) -> dict[str, Any]:
    """What the message says beyond what we count: root and constituency attributes, the Previous* blocks."""
    agency: dict[str, Any] = {f"root.{k}": v for k, v in root.attrib.items()}
    agency.update(extra)
    agency.update({k: v for k, v in con.attrib.items() if k not in ("name", "gssCode")})
    previous = [_previous_block(b) for b in root if b.tag in ("PreviousElection", "PreviousNotionalElection")]
    if previous:
        agency["previous"] = previous
    return agency


def electorate(con: Element) -> tuple[str | None, int | None]:
    """The constituency's electorate, as given and as a number; InvalidDeclaration if given but not whole."""
    raw = con.get("electorate")
    value = whole_number(raw)
    if raw is not None and value is None:
        raise InvalidDeclaration(f"electorate {raw!r} is not a whole number")
    return raw, value


def revision(file_name: str, root: Element) -> int:
    """The message's revision: the root attribute, else the file name's suffix (the root wins when they disagree)."""
    rev_raw = root.get("revision")
    name_rev = _NAME_REVISION.search(file_name)
    if rev_raw is None and name_rev:
        rev_raw = name_rev.group(1)
    rev = whole_number(rev_raw)
    if rev is None or rev < 1:
        raise InvalidDeclaration(
            f"revision {rev_raw!r} is not a whole number of at least 1 (root attribute or file name suffix)"
        )
    return rev


def contest(root: Element) -> tuple[Element, Element]:
    """(<Election>, its one <Constituency>): only Election/Constituency is the contest; Previous* are the past."""
    election = root.find("Election")
    if election is None:
        raise MalformedFile("the message has no <Election> element")
    constituencies = election.findall("Constituency")
    if len(constituencies) != 1:
        raise MalformedFile(f"expected exactly one <Election>/<Constituency> element, found {len(constituencies)}")
    return election, constituencies[0]
