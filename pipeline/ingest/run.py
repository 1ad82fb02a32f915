"""An ingest run over complete files: prepared a chunk at a time, each stored in its own transaction, then archived.

Two entry points, one rule for when a file is complete (pipeline.arrival),
decided once per file: `ingest_paths` lists and settles what it is given (the
CLI, the sweep, a manual run); `ingest_settled` takes `(path, signature)`
pairs a caller has already found complete (the ingest task's claim-and-linger
loop, pipeline.ingest.linger) and neither lists nor settles them again.
Every file ends stored, superseded, duplicate or quarantined; only a failure
of the pipeline itself (database down) raises.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from pipeline import agency_check
from pipeline.arrival import Signature, settle
from pipeline.config import Settings, load_settings
from pipeline.exceptions import DatabaseUnavailable
from pipeline.ingest.archive import archive_stored
from pipeline.ingest.listing import SYMLINK_REASON, display_name, list_files, refused_links
from pipeline.ingest.prepare import Pending, prepare
from pipeline.ingest.progress import ProgressBar
from pipeline.ingest.storing import store_one
from pipeline.ingest.summary import FileReport, IngestSummary
from pipeline.model import Outcome
from pipeline.resolve import Reference, load_reference
from pipeline.store import StoreResult

log = logging.getLogger("resultsnight.ingest")

CHUNK = 1000  # files parsed and validated together (one GX run per kind per chunk)


def load_run_reference(engine: Engine, settings: Settings) -> Reference:
    """The counted election's seats, parties and baseline: read once per run and passed to every batch."""
    with _database_errors(), engine.connect() as conn:
        return load_reference(conn, settings.feed_mode)


def ingest_paths(
    engine: Engine,
    paths: Sequence[Path],
    *,
    settings: Settings | None = None,
    archive: Path | None = None,
    progress: bool = False,
    recheck: Sequence[Path] = (),
    ref: Reference | None = None,
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
    with _database_errors():
        ref = ref or load_run_reference(engine, settings)
        recheck = [d for d in recheck if d.is_dir()]
        again = {p.resolve() for p in list_files(recheck)}
        for link in refused_links([*paths, *recheck]):
            log.error("refused %s: a symbolic link, not followed", link)
            summary.files.append(FileReport(display_name(link), Outcome.UNREADABLE, SYMLINK_REASON))
        ready, waiting = settle(list_files([*paths, *recheck]), settings.settle_seconds)
        summary.files.extend(FileReport(display_name(w.path), Outcome.WAITING, w.reason) for w in waiting)
        _ingest(engine, ready, settings, ref, summary, archive=archive, progress=progress, skip=again.__contains__)
    summary.seconds = time.perf_counter() - started
    return summary


def ingest_settled(
    engine: Engine,
    files: Sequence[tuple[Path, Signature]],
    *,
    ref: Reference,
    settings: Settings,
    archive: Path | None = None,
) -> IngestSummary:
    """Ingest files already found complete, each with the signature it was found at; no listing, no settling.

    Taken oldest first by the time each was found at, as `ingest_paths` takes
    a folder: a correction after what it corrects, whatever order they came in.
    """
    started = time.perf_counter()
    summary = IngestSummary()
    ready = sorted(files, key=lambda pair: (pair[1].mtime_ns, pair[0].name))
    with _database_errors():
        _ingest(engine, ready, settings, ref, summary, archive=archive)
    summary.seconds = time.perf_counter() - started
    return summary


@contextmanager
def _database_errors() -> Iterator[None]:
    """A lost database connection as DatabaseUnavailable: the pipeline's failure, not the file's."""
    try:
        yield
    except (OperationalError, DBAPIError) as exc:
        if isinstance(exc, OperationalError) or getattr(exc, "connection_invalidated", False):
            raise DatabaseUnavailable(f"the results database went away: {exc.orig or exc}") from exc
        raise


def _ingest(
    engine: Engine,
    ready: list[tuple[Path, Signature]],
    settings: Settings,
    ref: Reference,
    summary: IngestSummary,
    *,
    archive: Path | None,
    progress: bool = False,
    skip: Callable[[Path], bool] = lambda _: False,
) -> None:
    """Prepare, store and archive complete files a chunk at a time, adding a report per file to `summary`."""
    with engine.begin() as conn:  # a state of the parties that waited too long for its seats' results
        for alert in agency_check.check_overdue(conn, settings.agency_check_grace_seconds):
            log.warning("state of the parties checked after its grace: %s", alert.message)
    if not ready:
        return
    bar = ProgressBar(len(ready)) if progress else None
    with engine.connect() as store_conn:
        for i in range(0, len(ready), CHUNK):
            unreadable: list[FileReport] = []
            prepared = prepare(engine, ready[i : i + CHUNK], ref, unreadable, settings.incomplete_after_seconds)
            summary.files.extend(unreadable)
            if bar is not None and unreadable:
                bar.advance(len(unreadable))
            for p in prepared:
                if bar is not None:
                    bar.advance(1, p.received.file_name)
                if p.already and skip(p.path.resolve()):
                    continue  # a quarantined file whose bytes have not changed
                if p.waiting:
                    summary.files.append(FileReport(p.received.file_name, Outcome.WAITING, p.waiting))
                    continue
                summary.files.append(_take(store_conn, p, ref, archive))
    if bar is not None:
        bar.stop()


def _take(conn: Connection, p: Pending, ref: Reference, archive: Path | None) -> FileReport:
    """Store one prepared file (unless already received), archive it after its commit, and report it."""
    if p.received.body is None and archive is not None:
        p.received.stored_path = str(archive / "quarantine" / p.path.name)
    result = StoreResult(Outcome.ALREADY, "already received") if p.already else store_one(conn, p, ref)
    archive_error = None
    if archive is not None:
        archive_error = archive_stored(conn, p.path, archive, result.outcome, p.received, p.taken_as, p.already)
    return FileReport(
        p.received.file_name,
        result.outcome,
        result.reason,
        len(result.declaration_ids),
        [a.message for a in result.alerts],
        sorted(set(result.unknown_parties)),
        archive_error,
    )
