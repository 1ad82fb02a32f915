"""What each Airflow task does, as plain functions (no Airflow here).

Every function reads its settings from the environment, is idempotent and
returns a small JSON-able dict for XCom and the task log.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from pipeline.alerts import deliver_pending, sink_for
from pipeline.config import load_settings
from pipeline.db import get_engine


def announced_files(events: Iterable[Mapping], inbox: Path, quarantine: Path) -> list[Path]:
    """The files the inbox watcher's asset events name, as paths (inbox first, then changed quarantined files)."""
    paths: dict[Path, None] = {}
    for extra in events:
        payload = (extra or {}).get("payload") or {}
        paths.update((inbox / Path(name).name, None) for name in payload.get("files", []))
        paths.update((quarantine / Path(name).name, None) for name in payload.get("quarantine", []))
    return list(paths)


def settled_inbox_files(inbox: Path, settle_seconds: float, now: float | None = None) -> list[Path]:
    """Visible files in the inbox that have not changed for the settle interval (the watcher has or will announce them)."""
    from pipeline.arrival import Signature, settled

    now = time.time() if now is None else now
    found = []
    try:
        entries = list(os.scandir(inbox))
    except FileNotFoundError:
        return []
    for e in entries:
        if e.name.startswith("."):
            continue
        try:
            if e.is_file() and settled(Signature.of(e.stat()), now, now, settle_seconds):
                found.append(Path(e.path))
        except FileNotFoundError:
            continue  # archived while we looked
    return found


@contextmanager
def claimed(engine, paths: Sequence[Path]) -> Iterator[list[Path]]:
    """The paths no other run is working on, claimed until the block ends (or the process dies)."""
    from sqlalchemy.exc import DBAPIError

    from pipeline.db import sql

    if not paths:
        yield []
        return
    by_key = {str(p): p for p in paths}
    with engine.connect() as conn:
        keys = conn.execute(sql("queries/claim_inbox_files"), {"names": list(by_key)}).scalars().all()
        conn.commit()  # session locks outlive the transaction: do not sit idle in one
        try:
            yield [by_key[k] for k in keys]
        finally:
            try:
                conn.execute(sql("queries/release_inbox_claims"))
                conn.commit()
            except DBAPIError:
                conn.invalidate()  # the session ends with the connection, and its locks with it


def ingest_inbox(extra_files: list[str] | None = None, events: list[Mapping] | None = None) -> dict:
    """Ingest the files the triggering events announced and any other settled inbox file, or sweep; archive after commit.

    A run started by the watcher takes the files its events named plus every
    settled file in the inbox that no other run has claimed. The extra files
    matter: Airflow 3.3 queues one asset-triggered run per DAG at a time (one
    `asset_dag_run_queue` row, kept from the first event) and the run
    consumes only the events up to that row's time, so an event registered
    while a run was waiting to be created is consumed by no run until the
    next event. Its files were settled before that run existed, so the run
    finds them in the inbox. Claims (advisory locks on the file names) keep
    overlapping runs from reading the same files twice. The minute's sweep
    (no events) takes everything in the inbox and any quarantined file whose
    bytes have changed, claimed or not.
    """
    from pipeline.ingest import ingest_paths
    from pipeline.model import Outcome

    settings = load_settings()
    settings.inbox.mkdir(parents=True, exist_ok=True)
    quarantine = settings.archive / "quarantine"
    engine = get_engine(settings)
    named = announced_files(events or [], settings.inbox, quarantine)
    with ExitStack() as stack:
        if named:
            candidates = dict.fromkeys([p for p in named if p.exists()])
            candidates.update(dict.fromkeys(settled_inbox_files(settings.inbox, settings.settle_seconds)))
            paths, recheck = stack.enter_context(claimed(engine, list(candidates))), []
        else:
            paths, recheck = [settings.inbox], [quarantine]
        # Files named in a manual run's conf, if they are elsewhere than the inbox.
        paths += [Path(f) for f in (extra_files or []) if Path(f).is_absolute() and Path(f).exists()]
        summary = ingest_paths(engine, paths, settings=settings, archive=settings.archive, recheck=recheck)
    return {
        "mode": "announced" if named else "sweep",
        "named": len(named),
        "taken": len(paths),
        "counts": summary.counts,
        "alerts": summary.alerts,
        "quarantined": {f.file_name: f.reason for f in summary.files if f.outcome == Outcome.QUARANTINED},
        # Logged and left in the inbox; not a task failure, which would hold
        # up every file behind it while Airflow retried.
        "unreadable": {f.file_name: f.reason for f in summary.files if f.outcome == Outcome.UNREADABLE},
        "waiting": {f.file_name: f.reason for f in summary.files if f.outcome == Outcome.WAITING},
        "seconds": round(summary.seconds, 3),
    }


def deliver_alerts() -> dict:
    """Send every alert not yet delivered (the ingest delivers too; this catches a crash in between)."""
    settings = load_settings()
    return {"delivered": deliver_pending(get_engine(settings), sink_for(settings.alert_webhook))}


def night_report(out_dir: str | None = None) -> dict:
    """Write the night's report (Markdown and an HTML board) and return its figures."""
    from pipeline.board import write_report

    settings = load_settings()
    folder = Path(out_dir) if out_dir else settings.data_dir / "reports"
    return write_report(get_engine(settings), folder)
