"""Parse agency XML and Democracy Club CSV bytes into Declarations.

Everything here is pure: bytes in, declarations out, or a RejectedFile whose
reason a person can act on. XML goes through defusedxml only.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from pipeline.exceptions import IncompleteFile, InvalidDeclaration, MalformedFile, UnsafeXML, UnsupportedMessage
from pipeline.model import Candidate, Declaration, MessageKind, SourceFormat

ROOTS = {
    "FirstPastThePostResult": MessageKind.RESULT,
    "FirstPastThePostRush": MessageKind.RUSH,
    "Recount": MessageKind.RECOUNT,
}
_WHOLE = re.compile(r"[+-]?\d+")
_NAME_REVISION = re.compile(r"_(\d+)\.xml$", re.IGNORECASE)
_NAME_KIND = re.compile(r"_(result|rush|recount)_", re.IGNORECASE)
# Expat's errors for a document that stops early: "no element found" (the
# root never closed), "unclosed token", "partial character", "unclosed CDATA
# section". A file cut off in transfer, or still being written, fails so.
_XML_ENDS_EARLY = {3, 5, 6, 20}
DC_REQUIRED = ("election_id", "person_name", "party_name", "votes_cast", "elected")


def whole_number(raw: str | None) -> int | None:
    """The int in raw if it is a whole number (sign allowed), else None."""
    if raw is None:
        return None
    s = raw.strip()
    return int(s) if _WHOLE.fullmatch(s) else None


def _time(raw: str | None, what: str) -> datetime | None:
    if raw is None or not raw.strip():
        return None
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise InvalidDeclaration(f"{what} {raw!r} is not an ISO 8601 date-time") from exc


def _snippet(body: bytes) -> str:
    text = body[:40].decode("utf-8", errors="replace")
    return repr(text + ("…" if len(body) > 40 else ""))


def parse_file(file_name: str, body: bytes) -> list[Declaration]:
    """Parse one received file (agency XML message or Democracy Club CSV) into declarations."""
    if not body.strip():
        raise IncompleteFile(f"the file is empty ({len(body)} bytes)")
    head = body.lstrip()[:200]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith(b"<"):
        return [parse_agency_xml(file_name, body)]
    first_line = head.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    if file_name.lower().endswith(".csv") or "election_id" in first_line:
        return parse_dc_csv(body)
    raise MalformedFile(f"neither XML nor a Democracy Club CSV: the file starts {_snippet(body)}")


def parse_agency_xml(file_name: str, body: bytes) -> Declaration:
    """Parse one agency message: FirstPastThePostResult, FirstPastThePostRush or Recount."""
    try:
        root = SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
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

    tag = root.tag.rsplit("}", 1)[-1]
    kind = ROOTS.get(tag)
    if kind is None:
        raise UnsupportedMessage(
            f"root element <{tag}> is not one of the agency messages "
            "(FirstPastThePostResult, FirstPastThePostRush, Recount)"
        )
    name_kind = _NAME_KIND.search(file_name)
    agency = {f"root.{k}": v for k, v in root.attrib.items()}
    if name_kind and name_kind.group(1).lower() != kind:
        agency["file_name_kind"] = name_kind.group(1).lower()

    # The root attribute wins over the file name's revision when they disagree.
    rev_raw = root.get("revision")
    name_rev = _NAME_REVISION.search(file_name)
    if rev_raw is None and name_rev:
        rev_raw = name_rev.group(1)
    revision = whole_number(rev_raw)
    if revision is None or revision < 1:
        raise InvalidDeclaration(
            f"revision {rev_raw!r} is not a whole number of at least 1 (root attribute or file name suffix)"
        )

    election = root.find("Election")
    constituencies = root.findall(".//Constituency")
    if len(constituencies) != 1:
        raise MalformedFile(f"expected exactly one <Constituency> element, found {len(constituencies)}")
    con = constituencies[0]
    agency.update({k: v for k, v in con.attrib.items() if k not in ("name", "gssCode")})

    decl = Declaration(
        kind=kind,
        source_format=SourceFormat.AGENCY_XML,
        revision=revision,
        constituency_name=(con.get("name") or "").strip() or None,
        gss_code_given=(con.get("gssCode") or "").strip() or None,
        election_name=election.get("name") if election is not None else None,
        election_date=(election.get("date") or "").strip() or None if election is not None else None,
        election_type=election.get("type") if election is not None else None,
        declared_at=_time(root.get("declarationTime"), "declarationTime"),
        agency=agency,
    )
    if decl.election_date:
        decl.election_id = f"parl.{decl.election_date}"
    if kind == MessageKind.RUSH:
        decl.winning_party_label = (con.get("winningParty") or "").strip() or None
    if kind == MessageKind.RESULT:
        decl.electorate_raw = con.get("electorate")
        decl.electorate = whole_number(decl.electorate_raw)
        if decl.electorate_raw is not None and decl.electorate is None:
            raise InvalidDeclaration(f"electorate {decl.electorate_raw!r} is not a whole number")
        decl.turnout = whole_number(con.get("turnout"))
        for position, cand in enumerate(con.findall("Candidate"), start=1):
            party = cand.find("Party")
            label = (party.get("abbreviation") or party.get("name") or "").strip() if party is not None else ""
            votes_raw = party.get("votes") if party is not None else None
            name = " ".join(p for p in (cand.get("firstName"), cand.get("surname")) if p) or f"candidate {position}"
            decl.candidates.append(
                Candidate(
                    position=position,
                    name=name.strip(),
                    party_label=label,
                    party_name=(party.get("name") or "").strip() or None if party is not None else None,
                    votes_raw=votes_raw,
                    votes=whole_number(votes_raw),
                    elected=(cand.get("elected") or "").strip().lower() in ("*", "true", "yes", "y", "1"),
                )
            )
    return decl


def parse_dc_csv(body: bytes) -> list[Declaration]:
    """Parse a Democracy Club results CSV: one row per candidate, many constituencies per file."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedFile(f"the CSV is not UTF-8 ({exc})") from exc
    reader = csv.DictReader(io.StringIO(text))
    columns = set(reader.fieldnames or [])
    missing = [c for c in DC_REQUIRED if c not in columns]
    if missing or not ({"gss", "post_label", "ballot_paper_id"} & columns):
        need = missing or ["gss or post_label or ballot_paper_id"]
        raise MalformedFile(f"not a Democracy Club results CSV: missing column(s) {', '.join(need)}")
    by_ballot: dict[str, Declaration] = {}
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise MalformedFile(f"the CSV cannot be read ({exc})") from exc
    if rows and not text.endswith(("\n", "\r")) and None in rows[-1].values():
        # DictReader fills a short row's missing columns with None: the last
        # line stops mid-row, as a file still being written does.
        raise IncompleteFile(
            f"the CSV's last row has {sum(v is not None for v in rows[-1].values())} of {len(columns)} columns "
            "and no line end: truncated?"
        )
    for row in rows:
        key = row.get("ballot_paper_id") or row.get("gss") or row.get("post_label") or ""
        decl = by_ballot.get(key)
        if decl is None:
            decl = Declaration(
                kind=MessageKind.RESULT,
                source_format=SourceFormat.DC_CSV,
                revision=1,
                constituency_name=(row.get("post_label") or "").strip() or None,
                gss_code_given=(row.get("gss") or "").strip() or None,
                election_id=(row.get("election_id") or "").strip() or None,
                agency={k: v for k, v in row.items() if k in ("ballot_paper_id", "turnout_reported", "spoilt_ballots")},
            )
            if decl.election_id and decl.election_id.startswith("parl."):
                decl.election_date = decl.election_id.removeprefix("parl.")
            decl.electorate_raw = (row.get("total_electorate") or "").strip() or None
            decl.electorate = whole_number(decl.electorate_raw)
            decl.turnout = whole_number(row.get("turnout_reported"))
            by_ballot[key] = decl
        votes_raw = row.get("votes_cast")
        truthy = ("true", "1", "yes", "t")
        # A win by lot is a win, whether or not the exporter also set `elected`.
        elected = any((row.get(col) or "").strip().lower() in truthy for col in ("elected", "tied_vote_winner"))
        decl.candidates.append(
            Candidate(
                position=len(decl.candidates) + 1,
                name=(row.get("person_name") or "").strip(),
                party_label=(row.get("party_id") or "").strip() or (row.get("party_name") or "").strip(),
                party_name=(row.get("party_name") or "").strip() or None,
                votes_raw=votes_raw,
                votes=whole_number(votes_raw),
                elected=elected,
            )
        )
    if not by_ballot:
        raise MalformedFile("the CSV has a header but no candidate rows")
    return list(by_ballot.values())
