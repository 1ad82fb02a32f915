"""One chunk of files read, looked up, parsed, resolved and validated: each file's fate, nothing written yet."""

from __future__ import annotations

import errno
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from pipeline.arrival import Signature, signature
from pipeline.exceptions import IncompleteFile, InvalidDeclaration, ParserFailure, RejectedFile
from pipeline.ingest.listing import SYMLINK_REASON, display_name
from pipeline.ingest.receipts import known_receipts, read_received
from pipeline.ingest.summary import FileReport
from pipeline.model import Declaration, Message, Nominations, Outcome, StateOfParties
from pipeline.parse import parse_file, stamp_published
from pipeline.resolve import Reference, admit, resolve_message
from pipeline.store import Received

log = logging.getLogger("resultsnight.ingest")


@dataclass
class Pending:
    """One file read and judged, waiting to be stored: its receipt and what became of its messages."""

    path: Path
    received: Received
    rejection: RejectedFile | None = None
    duplicate_of: str | None = None
    already: bool = False
    declarations: list[Message] = field(
        default_factory=list
    )  # declarations, or one nominations / state-of-parties message
    taken_as: Signature | None = None  # the file as it was when read: it is archived only if still so
    waiting: str | None = None  # why it is left in place for a later run


def published_at(path: Path, taken_as: Signature | None = None) -> datetime | None:
    """The file's modification time (as it was taken), as a UTC date-time; None if it has gone."""
    sig = taken_as or signature(path)
    return datetime.fromtimestamp(sig.mtime_ns / 1e9, tz=UTC) if sig else None


def _quiet_for(p: Pending) -> float:
    """Seconds since the file last changed (from the signature it was taken at)."""
    sig = p.taken_as or signature(p.path)
    return max(0.0, time.time() - sig.mtime_ns / 1e9) if sig else 0.0


def prepare(
    engine: Engine,
    paths: Sequence[Path | tuple[Path, Signature]],
    ref: Reference,
    unreadable: list[FileReport] | None = None,
    incomplete_after: float = 0.0,
) -> list[Pending]:
    """Read, look up, parse, resolve and validate a chunk of files; nothing is written yet.

    A file that cannot be read (permissions, an I/O error) cannot be stored
    with its bytes: it is reported in `unreadable` and left where it is, so a
    later run takes it once someone has fixed it. A file whose message ends
    early is left in place (`waiting`) until it has not changed for
    `incomplete_after` seconds: a writer we cannot see may still be adding
    to it.
    """
    pending: list[Pending] = []
    for item in paths:
        path, taken_as = item if isinstance(item, tuple) else (item, None)
        try:
            rec, too_large = read_received(path)
        except FileNotFoundError:
            continue  # moved away by a concurrent run after listing
        except OSError as exc:
            log.error("cannot read %s: %s", path, exc)
            reason = (
                SYMLINK_REASON
                if exc.errno == errno.ELOOP
                else f"could not read the file ({exc.strerror or exc}); left in place, fix it and ingest again"
            )
            if unreadable is not None:
                unreadable.append(FileReport(display_name(path), Outcome.UNREADABLE, reason))
            continue
        pending.append(Pending(path, rec, rejection=too_large, taken_as=taken_as))

    for p, (already, duplicate_of) in zip(pending, known_receipts(engine, [p.received for p in pending]), strict=True):
        p.already, p.duplicate_of = already, duplicate_of

    to_validate: list[tuple[Pending, Declaration | Nominations]] = []
    for p in pending:
        if p.already or p.duplicate_of or p.rejection or p.waiting:
            continue
        _parse_and_resolve(p, ref, incomplete_after)
        if p.rejection is None and p.waiting is None:
            # The state of the parties is checked as it is parsed and resolved (no suite of its own).
            to_validate.extend((p, d) for d in p.declarations if not isinstance(d, StateOfParties))
    if to_validate:
        _validate(pending, to_validate, ref)
    return pending


def _parse_and_resolve(p: Pending, ref: Reference, incomplete_after: float) -> None:
    """Parse and resolve one file's messages into `p.declarations`, or set why it is refused or left waiting."""
    try:
        decls = stamp_published(
            parse_file(p.received.file_name, p.received.body or b""), published_at(p.path, p.taken_as)
        )
        p.received.message_kind = decls[0].file_kind if decls else None
        p.declarations = [resolve_message(admit(d, ref), ref) for d in decls]
    except IncompleteFile as exc:
        if _quiet_for(p) < incomplete_after:
            p.waiting = f"{exc.reason}; waiting up to {incomplete_after:g} s for the rest of it"
        else:
            p.rejection = IncompleteFile(
                f"the file never completed: still cut off after {incomplete_after:g} s without a change "
                f"({p.received.size_bytes:,} bytes); {exc.reason}"
            )
    except RejectedFile as exc:
        p.rejection = exc
    except Exception as exc:  # a parser bug must not stop the night: quarantine and say so
        log.exception("unexpected error parsing %s", p.received.file_name)
        p.rejection = ParserFailure(f"unexpected error while reading the file (please report): {exc!r}")


def _validate(
    pending: list[Pending], to_validate: list[tuple[Pending, Declaration | Nominations]], ref: Reference
) -> None:
    """The great-expectations gate over the chunk's messages: a file with any failing message is refused whole."""
    from pipeline.validation import validate  # imports great_expectations: only when needed

    failures = validate([d for _, d in to_validate], ref.counting_election_id)
    bad: dict[int, list[str]] = {}
    for (p, d), reasons in zip(to_validate, failures, strict=True):
        if reasons:
            where = f"{d.constituency_name or d.gss_code} {d.kind} r{d.revision}: " if len(p.declarations) > 1 else ""
            bad.setdefault(id(p), []).extend(where + r for r in reasons)
    for p in pending:
        if id(p) in bad:
            p.rejection = InvalidDeclaration("; ".join(bad[id(p)]))
