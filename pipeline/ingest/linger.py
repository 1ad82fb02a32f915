"""The ingest task's claim-and-linger loop: take the complete inbox files no other run holds, and stay for more.

A run started by the watcher takes the files its events named (each with the
signature the watcher found it settled at) and every other complete file in
the inbox, claims them (advisory locks, so overlapping runs never read one
file twice), hands the `(path, signature)` pairs straight to
`pipeline.ingest.run.ingest_settled`, and keeps looking until none has come
for a while. Whether a file is complete is decided here once, by
pipeline.arrival's rule; the ingest does not look again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from pipeline.arrival import Signature, scan, settled, without_writers
from pipeline.config import Settings
from pipeline.db import sql
from pipeline.ingest.listing import display_name
from pipeline.ingest.run import ingest_settled
from pipeline.ingest.summary import FileReport
from pipeline.model import Outcome
from pipeline.resolve import Reference

# A run started by an event stays for more files: a forked task process costs
# about a second of the two cores (several under Celery), a file ingested in a
# warm one 0.15 s. How long it stays: Settings.ingest_linger_seconds (since no
# new file has settled) and ingest_run_seconds (in all), from the environment.
POLL_SECONDS = 0.1  # as often as the watcher looks


@contextmanager
def claimed(engine: Engine, paths: Sequence[Path]) -> Iterator[list[Path]]:
    """The paths no other run is working on, claimed until the block ends (or the process dies)."""
    if not paths:
        yield []
        return
    by_key = {str(p): p for p in paths}
    with engine.connect() as conn:
        keys = conn.execute(sql("queries/ingest/claim_inbox_files"), {"names": list(by_key)}).scalars().all()
        conn.commit()  # session locks outlive the transaction: do not sit idle in one
        try:
            yield [by_key[k] for k in keys]
        finally:
            try:
                conn.execute(sql("queries/ingest/release_inbox_claims"))
                conn.commit()
            except DBAPIError:
                conn.invalidate()  # the session ends with the connection, and its locks with it


def complete_inbox_files(
    inbox: Path,
    settle_seconds: float,
    named: dict[Path, Signature | None] | None = None,
    skip: dict[Path, Signature] | None = None,
) -> tuple[list[tuple[Path, Signature]], list[FileReport]]:
    """The inbox's complete files with their signatures (one scan), and those left waiting on a writer.

    Complete: quiet for the settle interval, or named by the watcher at the
    signature it still has (the watcher saw it settle); and open for writing
    by no process. A file in `skip` at the signature it has there is passed
    over (taken already by this run).
    """
    now = time.time()
    skip = skip or {}
    found = {inbox / name: sig for name, sig in scan(inbox).items()}
    quiet = {p: sig for p, sig in found.items() if settled(sig, now, now, settle_seconds)}
    for p, announced in (named or {}).items():
        sig = found.get(p)
        if sig is not None and announced in (None, sig):
            quiet[p] = sig
    ready, waiting = without_writers({p: s for p, s in quiet.items() if skip.get(p) != s})
    return ready, [FileReport(display_name(w.path), Outcome.WAITING, w.reason) for w in waiting]


def announced_run(
    engine: Engine,
    settings: Settings,
    named: dict[Path, Signature | None],
    ref: Reference,
    linger: float,
    run_seconds: float,
) -> tuple[list[FileReport], float]:
    """Ingest the named files and every unclaimed complete inbox file, then keep taking new ones while they come."""
    started = last = time.monotonic()
    tried: dict[Path, Signature] = {}  # path -> the signature it was taken at: not taken again unless it changes
    reports: list[FileReport] = []
    seconds = 0.0
    first = True
    while True:
        fresh, busy = complete_inbox_files(settings.inbox, settings.settle_seconds, named if first else None, tried)
        if first:
            reports += busy  # reported once; a later look takes them when their writer is done
        signatures = dict(fresh)
        with claimed(engine, list(signatures)) as mine:
            if mine:
                tried.update((p, signatures[p]) for p in mine)
                summary = ingest_settled(
                    engine, [(p, signatures[p]) for p in mine], ref=ref, settings=settings, archive=settings.archive
                )
                reports += summary.files
                seconds += summary.seconds
                last = time.monotonic()
        first = False
        now = time.monotonic()
        if now - last >= linger or now - started >= run_seconds:
            return reports, seconds
        time.sleep(POLL_SECONDS)
