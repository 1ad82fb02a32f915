"""Parse agency XML and Democracy Club CSV bytes into Declarations.

Everything here is pure: bytes in, declarations out, or a RejectedFile whose
reason a person can act on. XML goes through defusedxml only.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from pipeline.exceptions import (
    IncompleteFile,
    InvalidDeclaration,
    MalformedFile,
    NotThisElection,
    UnsafeXML,
    UnsupportedMessage,
)
from pipeline.model import (
    Candidate,
    Declaration,
    Message,
    MessageKind,
    Nominations,
    PartyTotal,
    SourceFormat,
    StateOfParties,
)

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

ROOTS = {
    "FirstPastThePostResult": MessageKind.RESULT,
    "FirstPastThePostRush": MessageKind.RUSH,
    "Recount": MessageKind.RECOUNT,
}
NOMINATIONS_ROOT = "FirstPastThePostNominations"
STATE_OF_PARTIES_ROOT = "FirstPastThePostStateOfParties"
_WHOLE = re.compile(r"[+-]?\d+")
_NAME_REVISION = re.compile(r"_(\d+)\.xml$", re.IGNORECASE)
_NAME_KIND = re.compile(r"_(result|rush|recount|nominations)_", re.IGNORECASE)
_NAME_SOP = re.compile(r"_SOP_(\d+)\.xml$", re.IGNORECASE)
_DECIMAL = re.compile(r"[+-]?\d+(\.\d+)?")
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


def parse_file(file_name: str, body: bytes) -> list[Message]:
    """Parse one received file (agency XML message or Democracy Club CSV) into its messages."""
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


def _safe_root(body: bytes):
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


def _text(el: Element, attr: str) -> str | None:
    """An attribute's text, stripped; None when absent or blank."""
    raw = el.get(attr) if el is not None else None
    return raw.strip() or None if raw is not None else None


def _candidate(cand: Element, position: int) -> Candidate:
    """One <Candidate> with its <Party>: votes where the message has them (a result), else None."""
    party = cand.find("Party")
    label = (_text(party, "abbreviation") or _text(party, "name") or "") if party is not None else ""
    votes_raw = party.get("votes") if party is not None else None
    name = " ".join(p for p in (_text(cand, "firstName"), _text(cand, "surname")) if p) or f"candidate {position}"
    return Candidate(
        position=position,
        name=name,
        party_label=label,
        party_name=_text(party, "name"),
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


def stamp_published(decls: list[Message], published_at: datetime | None) -> list[Message]:
    """Give rushes and recount notices, which carry no declarationTime, the time their file was published."""
    # The agency's time for them is when it put the file on its server, which
    # the fetcher (like `lftp mirror`) keeps as the file's modification time.
    for d in decls:
        if isinstance(d, Declaration) and d.declared_at is None and d.kind != MessageKind.RESULT:
            d.declared_at = published_at
    return decls


def parse_agency_xml(file_name: str, body: bytes) -> Message:
    """Parse one agency message: a result, rush or recount notice, a seat's nominations, or the state of the parties."""
    root = _safe_root(body)
    tag = root.tag.rsplit("}", 1)[-1]
    if tag == NOMINATIONS_ROOT:
        return _nominations(file_name, root)
    if tag == STATE_OF_PARTIES_ROOT:
        return _state_of_parties(file_name, root)
    kind = ROOTS.get(tag)
    if kind is None:
        if tag.startswith("TopUp") or "referendum" in tag.lower():
            raise NotThisElection(
                f"<{tag}> is a message a general election never has (regional top-up lists of the devolved "
                "bodies, or a referendum): not for this election"
            )
        raise UnsupportedMessage(
            f"root element <{tag}> is not one of the agency messages "
            "(FirstPastThePostResult, FirstPastThePostRush, Recount, FirstPastThePostNominations, "
            "FirstPastThePostStateOfParties)"
        )
    name_kind = _NAME_KIND.search(file_name)
    agency: dict[str, Any] = {f"root.{k}": v for k, v in root.attrib.items()}
    if name_kind and name_kind.group(1).lower() != kind:
        agency["file_name_kind"] = name_kind.group(1).lower()

    revision = _revision(file_name, root)
    election, con = _contest(root)
    agency.update({k: v for k, v in con.attrib.items() if k not in ("name", "gssCode")})
    previous = [_previous_block(b) for b in root if b.tag in ("PreviousElection", "PreviousNotionalElection")]
    if previous:
        agency["previous"] = previous

    decl = Declaration(
        kind=kind,
        source_format=SourceFormat.AGENCY_XML,
        revision=revision,
        constituency_name=_text(con, "name"),
        gss_code_given=_text(con, "gssCode"),
        election_name=_text(election, "name"),
        election_date=_text(election, "date"),
        election_type=_text(election, "type"),
        declared_at=_time(root.get("declarationTime"), "declarationTime"),
        agency=agency,
    )
    if decl.election_date:
        decl.election_id = f"parl.{decl.election_date}"
    decl.electorate_raw = con.get("electorate")
    decl.electorate = whole_number(decl.electorate_raw)
    if decl.electorate_raw is not None and decl.electorate is None:
        raise InvalidDeclaration(f"electorate {decl.electorate_raw!r} is not a whole number")
    if kind == MessageKind.RECOUNT:
        return decl
    decl.candidates = [_candidate(c, i) for i, c in enumerate(con.findall("Candidate"), start=1)]
    if kind == MessageKind.RUSH:
        _rush_winner(decl, con)
    else:
        decl.turnout = whole_number(con.get("turnout"))
    return decl


def _revision(file_name: str, root: Element) -> int:
    """The message's revision: the root attribute, else the file name's suffix (the root wins when they disagree)."""
    rev_raw = root.get("revision")
    name_rev = _NAME_REVISION.search(file_name)
    if rev_raw is None and name_rev:
        rev_raw = name_rev.group(1)
    revision = whole_number(rev_raw)
    if revision is None or revision < 1:
        raise InvalidDeclaration(
            f"revision {rev_raw!r} is not a whole number of at least 1 (root attribute or file name suffix)"
        )
    return revision


def _contest(root: Element):
    """(<Election>, its one <Constituency>): only Election/Constituency is the contest; Previous* are the past."""
    election = root.find("Election")
    if election is None:
        raise MalformedFile("the message has no <Election> element")
    constituencies = election.findall("Constituency")
    if len(constituencies) != 1:
        raise MalformedFile(f"expected exactly one <Election>/<Constituency> element, found {len(constituencies)}")
    return election, constituencies[0]


def _nominations(file_name: str, root: Element) -> Nominations:
    """A FirstPastThePostNominations message: one constituency's candidates, no votes."""
    election, con = _contest(root)
    agency: dict[str, Any] = {f"root.{k}": v for k, v in root.attrib.items()}
    agency.update({k: v for k, v in con.attrib.items() if k not in ("name", "gssCode")})
    previous = [_previous_block(b) for b in root if b.tag in ("PreviousElection", "PreviousNotionalElection")]
    if previous:
        agency["previous"] = previous
    nominations = Nominations(
        revision=_revision(file_name, root),
        constituency_name=_text(con, "name"),
        gss_code_given=_text(con, "gssCode"),
        election_name=_text(election, "name"),
        election_date=_text(election, "date"),
        election_type=_text(election, "type"),
        agency=agency,
        electorate_raw=con.get("electorate"),
    )
    nominations.electorate = whole_number(nominations.electorate_raw)
    if nominations.electorate_raw is not None and nominations.electorate is None:
        raise InvalidDeclaration(f"electorate {nominations.electorate_raw!r} is not a whole number")
    nominations.candidates = [_candidate(c, i) for i, c in enumerate(con.findall("Candidate"), start=1)]
    for c in nominations.candidates:
        if c.votes_raw is not None or c.elected:
            raise InvalidDeclaration(
                f"the nominations list candidate {c.position} {c.name!r} with votes or elected: a nominations "
                "message comes before the count"
            )
    return nominations


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


def _state_of_parties(file_name: str, root: Element) -> StateOfParties:
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
        election_name=_text(election, "name"),
        election_date=_text(election, "date"),
        election_type=_text(election, "type"),
        agency={k: v for k, v in root.attrib.items()},
    )
    sop.total_constituencies = whole_number(root.get("totalNumberOfConstituencies"))
    sop.total_votes = whole_number(root.get("totalVotes"))
    parties = root.find("Parties")
    for position, party in enumerate(parties.findall("Party") if parties is not None else [], start=1):
        label = _text(party, "abbreviation") or _text(party, "name")
        what = f"party {position} ({label or 'no name'})"
        if label is None:
            raise InvalidDeclaration(f"{what} has neither an abbreviation nor a name")
        sop.parties.append(
            PartyTotal(
                position=position,
                label=label,
                name=_text(party, "name"),
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
        name = _text(con, "name")
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


def _rush_winner(decl: Declaration, con: Element) -> None:
    """A rush's flashed winner, checked against the elected candidate.

    winningPartyAbbreviation; our earlier recordings have winningParty.
    """
    decl.winning_party_label = _text(con, "winningPartyAbbreviation") or _text(con, "winningParty")
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
