"""Moving a stored file out of the inbox, and remembering a move that failed until a later run makes it."""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from sqlalchemy import Connection

from pipeline.arrival import Signature, signature
from pipeline.db import sql
from pipeline.exceptions import ArchiveMoveFailed
from pipeline.model import Outcome
from pipeline.store import Received

log = logging.getLogger("resultsnight.ingest")


def archive_file(path: Path, archive: Path, outcome: Outcome, sha256: str, taken_as: Signature | None = None) -> bool:
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


def archive_stored(
    conn: Connection,
    path: Path,
    archive: Path,
    outcome: Outcome,
    rec: Received,
    taken_as: Signature | None,
    retried: bool,
) -> str | None:
    """Archive a stored file and record how the move went; the failure's reason if it stayed in the inbox."""
    try:
        archive_file(path, archive, outcome, rec.sha256, taken_as)
    except ArchiveMoveFailed as exc:
        # Stored is stored: the file is left aside, every other file goes on.
        log.error(
            "%s is stored but could not be moved to %s: %s; left in the inbox, a later run moves it",
            path,
            exc.target,
            exc.reason,
        )
        record_archive(conn, rec, exc, retried)
        return exc.reason
    record_archive(conn, rec, None, retried)
    return None


def record_archive(conn: Connection, rec: Received, failure: ArchiveMoveFailed | None, retried: bool) -> None:
    """Remember a failed move (results.files.archive_error), or forget an earlier one once a retry moved the file."""
    if failure is not None:
        with conn.begin():
            conn.execute(
                sql("queries/ingest/record_archive_failure"),
                {
                    "file_name": rec.file_name,
                    "sha256": rec.sha256,
                    "target": failure.target,
                    "error": failure.reason[:500],
                },
            )
    elif retried:
        with conn.begin():
            conn.execute(
                sql("queries/ingest/clear_archive_failure"), {"file_name": rec.file_name, "sha256": rec.sha256}
            )
