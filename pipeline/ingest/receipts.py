"""Hashing a file into its receipt, and which receipts the database (or this batch) already holds."""

from __future__ import annotations

import errno
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine

from pipeline.config import MAX_FILE_BYTES
from pipeline.db import sql
from pipeline.exceptions import FileTooLarge, RejectedFile
from pipeline.ingest.listing import display_name
from pipeline.store import Received

# Files this large are not read into memory at all; their bytes stay on disk
# (moved to the quarantine folder) and the database records where.
KEEP_IN_DATABASE_BYTES = 64 * 1024 * 1024


def read_received(path: Path) -> tuple[Received, RejectedFile | None]:
    """Hash and (within bounds) read one file; an oversized file is flagged, not parsed.

    Opened without following a link (refused_links reports those listed; this
    refuses one swapped in since, with ELOOP) and measured on the open file,
    so the bytes hashed are the bytes of the file whose size was read.
    """
    name = display_name(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "a symbolic link, not followed", str(path)) from None
        raise
    with os.fdopen(fd, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size <= MAX_FILE_BYTES:
            body = fh.read()
            return Received(name, hashlib.sha256(body).hexdigest(), len(body), body), None
        digest = hashlib.sha256()
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
        body = None
        if size <= KEEP_IN_DATABASE_BYTES:
            fh.seek(0)
            body = fh.read()
    rec = Received(name, digest.hexdigest(), size, body, None if body is not None else str(path.resolve()))
    return rec, FileTooLarge(
        f"the file is {size:,} bytes; no genuine message exceeds 1 MiB and anything over "
        f"{MAX_FILE_BYTES:,} bytes is quarantined unread"
    )


def known_receipts(engine: Engine, received: Sequence[Received]) -> list[tuple[bool, str | None]]:
    """For each receipt: (already received under this name, the first file name its bytes came under if a copy)."""
    with engine.connect() as conn:
        known = conn.execute(sql("queries/ingest/find_receipts"), {"shas": [r.sha256 for r in received]}).all()
    pairs = {(r.file_name, r.sha256) for r in known}
    first_name = {r.sha256: r.first_file_name for r in known}
    seen_here: dict[str, str] = {}
    out: list[tuple[bool, str | None]] = []
    for rec in received:
        if (rec.file_name, rec.sha256) in pairs:
            out.append((True, None))
        elif rec.sha256 in first_name:
            out.append((False, first_name[rec.sha256]))
        elif rec.sha256 in seen_here:
            out.append((False, seen_here[rec.sha256]))
        else:
            seen_here[rec.sha256] = rec.file_name
            out.append((False, None))
    return out
