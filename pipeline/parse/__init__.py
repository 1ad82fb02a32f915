"""Parse agency XML and Democracy Club CSV bytes into messages, one module per kind of message.

Everything here is pure: bytes in, messages out, or a RejectedFile whose
reason a person can act on. XML goes through defusedxml only
(`common.safe_root`). `results`: results, rushes and recount notices;
`nominations`; `state_of_parties`; `dc_csv`: Democracy Club results.
"""

from __future__ import annotations

from datetime import datetime

from pipeline.exceptions import IncompleteFile, MalformedFile, NotThisElection, UnsupportedMessage
from pipeline.model import Declaration, Message, MessageKind
from pipeline.parse import nominations, state_of_parties
from pipeline.parse.common import safe_root, whole_number
from pipeline.parse.dc_csv import DC_REQUIRED, parse_dc_csv
from pipeline.parse.results import ROOTS, parse_declaration

__all__ = ["DC_REQUIRED", "ROOTS", "parse_agency_xml", "parse_dc_csv", "parse_file", "stamp_published", "whole_number"]


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


def parse_agency_xml(file_name: str, body: bytes) -> Message:
    """Parse one agency message: a result, rush or recount notice, a seat's nominations, or the state of the parties."""
    root = safe_root(body)
    tag = root.tag.rsplit("}", 1)[-1]
    if tag == nominations.ROOT:
        return nominations.parse_nominations(file_name, root)
    if tag == state_of_parties.ROOT:
        return state_of_parties.parse_state_of_parties(file_name, root)
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
    return parse_declaration(file_name, root, kind)


def stamp_published(decls: list[Message], published_at: datetime | None) -> list[Message]:
    """Give rushes and recount notices, which carry no declarationTime, the time their file was published."""
    # The agency's time for them is when it put the file on its server, which
    # the fetcher (like `lftp mirror`) keeps as the file's modification time.
    for d in decls:
        if isinstance(d, Declaration) and d.declared_at is None and d.kind != MessageKind.RESULT:
            d.declared_at = published_at
    return decls
