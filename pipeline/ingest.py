"""Ingest files: read, parse, resolve, validate (great-expectations), store, archive, alert.

`ingest_paths` is the one entry point: the CLI, the Airflow tasks and the tests
all call it. Every file ends stored, superseded, duplicate or quarantined;
only a failure of the pipeline itself (database down) raises.

Why one module of about 400 lines: it is the one story of a file's passage
(listed, settled, read, looked up, parsed, validated, stored, archived,
reported) and each step hands the next its state in `_Pending`; the rules
themselves live elsewhere (arrival, parse, resolve, validation, store).
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DataError, DBAPIError, OperationalError

from pipeline import agency_check
from pipeline.arrival import TIMESTAMP, Signature, may_be_message, settle, signature
from pipeline.config import MAX_FILE_BYTES, Settings, load_settings
from pipeline.db import sql
from pipeline.exceptions import (
    ArchiveMoveFailed,
    DatabaseUnavailable,
    FileTooLarge,
    IncompleteFile,
    InvalidDeclaration,
    ParserFailure,
    RejectedFile,
    UnstorableValue,
)
from pipeline.model import Declaration, Message, Nominations, Outcome, StateOfParties
from pipeline.parse import parse_file, stamp_published
from pipeline.projection_store import refresh_projection
from pipeline.resolve import Reference, admit, load_reference, resolve_message
from pipeline.store import (
    AlreadyReceived,
    Received,
    StoreResult,
    store_declarations,
    store_duplicate,
    store_nominations,
    store_rejected,
    store_state_of_parties,
)

log = logging.getLogger("resultsnight.ingest")

# Files this large are not read into memory at all; their bytes stay on disk
# (moved to the quarantine folder) and the database records where.
KEEP_IN_DATABASE_BYTES = 64 * 1024 * 1024
CHUNK = 1000  # files parsed and validated together (one GX run per kind per chunk)


@dataclass
class FileReport:
    """What happened to one file."""

    file_name: str
    outcome: Outcome
    reason: str | None = None
    declarations: int = 0
    alerts: list[str] = field(default_factory=list)
    unknown_parties: list[str] = field(default_factory=list)
    archive_error: str | None = None  # stored, but the move out of the inbox failed: retried by a later run


@dataclass
class IngestSummary:
    """The result of one ingest run."""

    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0
    delivered_alerts: int = 0  # by `resultsnight ingest`'s one delivery pass after storing; ingest_paths sends none

    @property
    def counts(self) -> dict[str, int]:
        """Files per outcome."""
        c = Counter(f.outcome for f in self.files)
        return {str(k): c.get(k, 0) for k in Outcome}

    @property
    def complete(self) -> bool:
        """True when every file ended stored or quarantined (none left unread)."""
        return not any(f.outcome == Outcome.UNREADABLE for f in self.files)

    @property
    def alerts(self) -> list[str]:
        """Every alert message raised by this run, in order."""
        return [a for f in self.files for a in f.alerts]

    def as_dict(self) -> dict:
        """A JSON-ready form for `ingest --json`."""
        return {
            "counts": self.counts,
            "files_per_second": round(len(self.files) / self.seconds, 1) if self.seconds else None,
            "seconds": round(self.seconds, 3),
            "alerts": self.alerts,
            "delivered_alerts": self.delivered_alerts,
            "files": [asdict(f) for f in self.files],
        }


SYMLINK_REASON = (
    "refused: a symbolic link is never followed (it could point at any file on the machine); "
    "left in place and not read: put the file itself in the inbox"
)


def refused_links(paths: Iterable[Path]) -> list[Path]:
    """Symbolic links among the given paths and in the given folders (hidden ones skipped): never read."""
    links = []
    for p in paths:
        if p.is_symlink():
            links.append(p)
        elif p.is_dir():
            links += sorted(c for c in p.iterdir() if c.is_symlink() and not c.name.startswith("."))
    return links


def list_files(paths: Iterable[Path]) -> list[Path]:
    """Regular files under the given paths, oldest first; hidden (in-flight) files, `.timestamp` and links skipped."""
    found: dict[Path, Path] = {}
    for p in paths:
        if p.is_symlink():
            continue  # reported by refused_links
        if p.is_dir():
            for child in p.iterdir():
                if not child.is_symlink() and child.is_file() and may_be_message(child.name):
                    found[child.resolve()] = child
        elif p.is_file() and p.name == TIMESTAMP:
            log.info("skipping %s: the agency's .timestamp is not a message", p)
        elif p.is_file():
            found[p.resolve()] = p
        else:
            log.warning("skipping %s: not a file or folder", p)

    def order(path: Path) -> tuple[int, str]:
        try:
            return (path.stat().st_mtime_ns, path.name)
        except FileNotFoundError:
            return (0, path.name)

    return sorted(found.values(), key=order)


def display_name(path: Path) -> str:
    """The file's name as text the database can hold: bytes that are not UTF-8 become U+FFFD."""
    return os.fsencode(path.name).decode("utf-8", "replace")


def read_received(path: Path) -> tuple[Received, RejectedFile | None]:
    """Hash and (within bounds) read one file; an oversized file is flagged, not parsed."""
    name = display_name(path)
    if path.is_symlink():  # never read through a link (refused_links reports those listed; this, one swapped in since)
        raise OSError(errno.ELOOP, "a symbolic link, not followed", str(path))
    size = path.stat().st_size
    if size <= MAX_FILE_BYTES:
        body = path.read_bytes()
        return Received(name, hashlib.sha256(body).hexdigest(), len(body), body), None
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    body = path.read_bytes() if size <= KEEP_IN_DATABASE_BYTES else None
    rec = Received(name, digest.hexdigest(), size, body, None if body is not None else str(path.resolve()))
    return rec, FileTooLarge(
        f"the file is {size:,} bytes; no genuine message exceeds 1 MiB and anything over "
        f"{MAX_FILE_BYTES:,} bytes is quarantined unread"
    )


@dataclass
class _Pending:
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


def _chunks(items: Sequence[Path], size: int) -> Iterator[Sequence[Path]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _prepare(
    engine: Engine,
    paths: Sequence[Path | tuple[Path, Signature]],
    ref: Reference,
    unreadable: list[FileReport] | None = None,
    incomplete_after: float = 0.0,
) -> list[_Pending]:
    """Read, look up, parse, resolve and validate a chunk of files; nothing is written yet.

    A file that cannot be read (permissions, an I/O error) cannot be stored
    with its bytes: it is reported in `unreadable` and left where it is, so a
    later run takes it once someone has fixed it. A file whose message ends
    early is left in place (`waiting`) until it has not changed for
    `incomplete_after` seconds: a writer we cannot see may still be adding
    to it.
    """
    pending: list[_Pending] = []
    for item in paths:
        path, taken_as = item if isinstance(item, tuple) else (item, None)
        try:
            rec, too_large = read_received(path)
        except FileNotFoundError:
            continue  # moved away by a concurrent run after listing
        except OSError as exc:
            log.error("cannot read %s: %s", path, exc)
            reason = f"could not read the file ({exc.strerror or exc}); left in place, fix it and ingest again"
            if unreadable is not None:
                unreadable.append(FileReport(display_name(path), Outcome.UNREADABLE, reason))
            continue
        pending.append(_Pending(path, rec, rejection=too_large, taken_as=taken_as))

    with engine.connect() as conn:
        known = conn.execute(sql("queries/find_receipts"), {"shas": [p.received.sha256 for p in pending]}).all()
    pairs = {(r.file_name, r.sha256) for r in known}
    first_name = {r.sha256: r.first_file_name for r in known}
    seen_here: dict[str, str] = {}
    for p in pending:
        rec = p.received
        if (rec.file_name, rec.sha256) in pairs:
            p.already = True
        elif rec.sha256 in first_name:
            p.duplicate_of = first_name[rec.sha256]
        elif rec.sha256 in seen_here:
            p.duplicate_of = seen_here[rec.sha256]
        else:
            seen_here[rec.sha256] = rec.file_name

    to_validate: list[tuple[_Pending, Declaration | Nominations]] = []
    for p in pending:
        if p.already or p.duplicate_of or p.rejection or p.waiting:
            continue
        try:
            decls = stamp_published(parse_file(p.received.file_name, p.received.body or b""), _published_at(p))
            p.received.message_kind = decls[0].file_kind if decls else None
            p.declarations = [resolve_message(admit(d, ref), ref) for d in decls]
        except IncompleteFile as exc:
            quiet = _quiet_for(p)
            if quiet < incomplete_after:
                p.waiting = f"{exc.reason}; waiting up to {incomplete_after:g} s for the rest of it"
            else:
                p.rejection = IncompleteFile(
                    f"the file never completed: still cut off after {incomplete_after:g} s without a change "
                    f"({p.received.size_bytes:,} bytes); {exc.reason}"
                )
            continue
        except RejectedFile as exc:
            p.rejection = exc
            continue
        except Exception as exc:  # a parser bug must not stop the night: quarantine and say so
            log.exception("unexpected error parsing %s", p.received.file_name)
            p.rejection = ParserFailure(f"unexpected error while reading the file (please report): {exc!r}")
            continue
        # The state of the parties is checked as it is parsed and resolved (no suite of its own).
        to_validate.extend((p, d) for d in p.declarations if not isinstance(d, StateOfParties))

    if to_validate:
        from pipeline.validation import validate  # imports great_expectations: only when needed

        failures = validate([d for _, d in to_validate], ref.counting_election_id)
        bad: dict[int, list[str]] = {}
        for (p, d), reasons in zip(to_validate, failures, strict=True):
            if reasons:
                where = (
                    f"{d.constituency_name or d.gss_code} {d.kind} r{d.revision}: " if len(p.declarations) > 1 else ""
                )
                bad.setdefault(id(p), []).extend(where + r for r in reasons)
        for p in pending:
            if id(p) in bad:
                p.rejection = InvalidDeclaration("; ".join(bad[id(p)]))
    return pending


def published_at(path: Path, taken_as: Signature | None = None) -> datetime | None:
    """The file's modification time (as it was taken), as a UTC date-time; None if it has gone."""
    sig = taken_as or signature(path)
    return datetime.fromtimestamp(sig.mtime_ns / 1e9, tz=UTC) if sig else None


def _published_at(p: _Pending) -> datetime | None:
    return published_at(p.path, p.taken_as)


def _quiet_for(p: _Pending) -> float:
    """Seconds since the file last changed (from the signature it was taken at)."""
    sig = p.taken_as or signature(p.path)
    return max(0.0, time.time() - sig.mtime_ns / 1e9) if sig else 0.0


def _store_one(conn: Connection, p: _Pending, ref: Reference) -> StoreResult:
    """Store one prepared file in its own transaction on `conn` (kept open across files: no pool check-out each)."""
    try:
        with conn.begin():
            if p.duplicate_of:
                return store_duplicate(conn, p.received, p.duplicate_of)
            if p.rejection is not None:
                return store_rejected(conn, p.received, p.rejection)
            first = p.declarations[0] if p.declarations else None
            if isinstance(first, Nominations):
                return store_nominations(conn, p.received, first)
            if isinstance(first, StateOfParties):
                return store_state_of_parties(conn, p.received, first)
            result = store_declarations(conn, p.received, p.declarations, ref)
            if result.results or result.reopened:
                # After the receipt row (so two runs of one file cannot deadlock), in the same transaction.
                refresh_projection(conn, stored=result.results, reopened=result.reopened)
            return result
    except AlreadyReceived:
        return StoreResult(Outcome.ALREADY, "recorded by another run")
    except DataError as exc:
        # A value the database cannot hold (an integer beyond 32 bits, a NUL in
        # text): the file is bad, not the night. Its transaction rolled back;
        # quarantine it in a fresh one.
        if p.rejection is not None or p.duplicate_of:
            raise
        diag = getattr(exc.orig, "diag", None)
        detail = (getattr(diag, "message_primary", None) or str(exc.orig)).strip()
        try:
            with conn.begin():
                rejection = UnstorableValue(f"the database cannot store a value in this file: {detail}")
                return store_rejected(conn, p.received, rejection)
        except AlreadyReceived:
            return StoreResult(Outcome.ALREADY, "recorded by another run")


def _archive(path: Path, archive: Path, outcome: Outcome, sha256: str, taken_as: Signature | None = None) -> bool:
    """Move a processed file out of the inbox (after its transaction committed); False if left in place.

    A file that changed after it was read holds bytes nobody has looked at:
    it stays where it is and the next run takes it as a new receipt. A move
    that fails (permission, disk full, another filesystem) raises
    ArchiveMoveFailed: the file is stored, stays in the inbox, and a later
    run finds it already received and tries the move again.
    """
    if taken_as is not None and (now := signature(path)) != taken_as:
        if now is None:
            return True  # a concurrent run that read the same bytes archived it first
        log.warning("%s changed after it was read; left in place for the next run", path)
        return False
    target_dir = archive / "quarantine" if outcome == Outcome.QUARANTINED else archive
    target = target_dir / path.name
    if target == path:
        return True  # a quarantined file looked at again and quarantined again
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() != sha256:
            target = target_dir / f"{path.stem}.{sha256[:12]}{path.suffix}"
        os.replace(path, target)
    except FileNotFoundError:
        if path.exists():
            raise ArchiveMoveFailed(str(target), "the archive folder vanished during the move") from None
        # else a concurrent run archived it first
    except OSError as exc:
        raise ArchiveMoveFailed(str(target), f"{type(exc).__name__}: {exc.strerror or exc}") from exc
    return True


def _record_archive(conn: Connection, rec: Received, failure: ArchiveMoveFailed | None, retried: bool) -> None:
    """Remember a failed move (results.files.archive_error), or forget an earlier one once a retry moved the file."""
    if failure is not None:
        with conn.begin():
            conn.execute(
                sql("queries/record_archive_failure"),
                {
                    "file_name": rec.file_name,
                    "sha256": rec.sha256,
                    "target": failure.target,
                    "error": failure.reason[:500],
                },
            )
    elif retried:
        with conn.begin():
            conn.execute(sql("queries/clear_archive_failure"), {"file_name": rec.file_name, "sha256": rec.sha256})


def ingest_paths(
    engine: Engine,
    paths: Sequence[Path],
    *,
    settings: Settings | None = None,
    archive: Path | None = None,
    progress: bool = False,
    recheck: Sequence[Path] = (),
) -> IngestSummary:
    """Ingest files and folders; every complete file ends stored, superseded, duplicate or quarantined.

    A file still being written is left where it is (`waiting`, see
    pipeline.arrival) for a later run. `recheck` names folders of files
    already received (the quarantine folder): one whose bytes changed since
    is a new receipt and is ingested; the rest are passed over silently.
    """
    settings = settings or load_settings()
    started = time.perf_counter()
    summary = IngestSummary()
    stack = ExitStack()
    try:
        with engine.connect() as conn:
            ref = load_reference(conn, settings.feed_mode)
        with engine.begin() as conn:  # a state of the parties that waited too long for its seats' results
            for alert in agency_check.check_overdue(conn, settings.agency_check_grace_seconds):
                log.warning("state of the parties checked after its grace: %s", alert.message)
        recheck = [d for d in recheck if d.is_dir()]
        again = {p.resolve() for p in list_files(recheck)}
        for link in refused_links([*paths, *recheck]):
            log.error("refused %s: a symbolic link, not followed", link)
            summary.files.append(FileReport(display_name(link), Outcome.UNREADABLE, SYMLINK_REASON))
        ready, waiting = settle(list_files([*paths, *recheck]), settings.settle_seconds)
        summary.files.extend(FileReport(display_name(w.path), Outcome.WAITING, w.reason) for w in waiting)
        bar = _progress(len(ready)) if progress and ready else None
        store_conn = stack.enter_context(engine.connect()) if ready else None
        for chunk in _chunks(ready, CHUNK):
            unreadable: list[FileReport] = []
            prepared = _prepare(engine, chunk, ref, unreadable, settings.incomplete_after_seconds)
            summary.files.extend(unreadable)
            if bar is not None and unreadable:
                bar[0].update(bar[1], advance=len(unreadable))
            for p in prepared:
                if bar is not None:
                    bar[0].update(bar[1], advance=1, description=p.received.file_name[:48])
                if p.already and p.path.resolve() in again:
                    continue  # a quarantined file whose bytes have not changed
                if p.waiting:
                    summary.files.append(FileReport(p.received.file_name, Outcome.WAITING, p.waiting))
                    continue
                if p.received.body is None and archive is not None:
                    p.received.stored_path = str(archive / "quarantine" / p.path.name)
                if p.already:
                    result = StoreResult(Outcome.ALREADY, "already received")
                else:
                    result = _store_one(store_conn, p, ref)
                archive_error = None
                if archive is not None:
                    try:
                        failure = None
                        _archive(p.path, archive, result.outcome, p.received.sha256, p.taken_as)
                    except ArchiveMoveFailed as exc:
                        # Stored is stored: the file is left aside, every other file goes on.
                        failure, archive_error = exc, exc.reason
                        log.error(
                            "%s is stored but could not be moved to %s: %s; left in the inbox, a later run moves it",
                            p.path,
                            exc.target,
                            exc.reason,
                        )
                    _record_archive(store_conn, p.received, failure, retried=p.already)
                summary.files.append(
                    FileReport(
                        p.received.file_name,
                        result.outcome,
                        result.reason,
                        len(result.declaration_ids),
                        [a.message for a in result.alerts],
                        sorted(set(result.unknown_parties)),
                        archive_error,
                    )
                )
        if bar is not None:
            bar[0].stop()
    except (OperationalError, DBAPIError) as exc:
        if isinstance(exc, OperationalError) or getattr(exc, "connection_invalidated", False):
            raise DatabaseUnavailable(f"the results database went away: {exc.orig or exc}") from exc
        raise
    finally:
        stack.close()
    summary.seconds = time.perf_counter() - started
    return summary


def _progress(total: int):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    prog = Progress(
        TextColumn("ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        transient=True,
    )
    prog.start()
    return prog, prog.add_task("", total=total)
