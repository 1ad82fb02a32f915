"""What each Airflow task does, as plain functions (no Airflow here).

Every function reads its settings from the environment, is idempotent and
returns a small JSON-able dict for XCom and the task log.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import load_settings
from pipeline.db import get_engine

if TYPE_CHECKING:  # pragma: no cover - typing only
    from sqlalchemy.engine import Engine

    from pipeline.arrival import Signature
    from pipeline.config import Settings
    from pipeline.ingest import FileReport


def announced_files(events: Iterable[Mapping], inbox: Path, quarantine: Path) -> list[Path]:
    """The files the inbox watcher's asset events name, as paths (inbox first, then changed quarantined files)."""
    paths: dict[Path, None] = {}
    for extra in events:
        payload = (extra or {}).get("payload") or {}
        paths.update((inbox / Path(name).name, None) for name in payload.get("files", []))
        paths.update((quarantine / Path(name).name, None) for name in payload.get("quarantine", []))
    return list(paths)


def settled_inbox_files(inbox: Path, settle_seconds: float, now: float | None = None) -> list[Path]:
    """Visible inbox files unchanged for the settle interval (the watcher has announced or will announce them)."""
    from pipeline.arrival import scan, settled

    now = time.time() if now is None else now
    return [inbox / name for name, sig in scan(inbox).items() if settled(sig, now, now, settle_seconds)]


@contextmanager
def claimed(engine: Engine, paths: Sequence[Path]) -> Iterator[list[Path]]:
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


# A run started by an event stays for more files: a forked task process costs
# about a second of the two cores (several under Celery), a file ingested in a
# warm one 0.15 s. How long: RESULTSNIGHT_INGEST_LINGER_SECONDS (default 2 s,
# since no new file has settled) and RESULTSNIGHT_INGEST_RUN_SECONDS (default
# 10 s in all, so a stopping LocalExecutor scheduler waits no longer for it).
POLL_SECONDS = 0.1  # as often as the watcher looks


def _announced_run(
    engine: Engine, settings: Settings, named: list[Path], linger: float, run_seconds: float
) -> tuple[list[FileReport], float]:
    """Ingest the named files and every unclaimed settled inbox file, then keep taking new ones while they come."""
    from pipeline.arrival import signature
    from pipeline.ingest import ingest_paths

    started = last = time.monotonic()
    tried: dict[Path, Signature | None] = {}  # path -> the signature it was taken at: not taken again unless it changes
    reports: list[FileReport] = []
    seconds = 0.0
    first = True
    while True:
        candidates = dict.fromkeys([p for p in named if p.exists()] if first else [])
        candidates.update(dict.fromkeys(settled_inbox_files(settings.inbox, settings.settle_seconds)))
        fresh = [p for p in candidates if tried.get(p) != signature(p)]
        if fresh:
            with claimed(engine, fresh) as mine:
                if mine:
                    tried.update((p, signature(p)) for p in mine)
                    summary = ingest_paths(engine, mine, settings=settings, archive=settings.archive)
                    reports += summary.files
                    seconds += summary.seconds
                    last = time.monotonic()
        first = False
        now = time.monotonic()
        if now - last >= linger or now - started >= run_seconds:
            return reports, seconds
        time.sleep(POLL_SECONDS)


def ingest_inbox(
    extra_files: list[str] | None = None,
    events: list[Mapping] | None = None,
    linger: float | None = None,
    run_seconds: float | None = None,
) -> dict:
    """Ingest the files the triggering events announced and any other settled file, or sweep; archive after commit.

    A run started by the watcher takes the files its events named plus every
    settled file in the inbox that no other run has claimed, and then stays,
    taking each new file as it settles, until none has come for `linger`
    seconds (at most `run_seconds` in all). The extra files matter: Airflow
    3.3 queues one asset-triggered run per DAG at a time (one
    `asset_dag_run_queue` row, kept from the first event) and the run
    consumes only the events up to that row's time, so an event registered
    while the run was waiting to be created is consumed by no run until the
    next event. Its files were settled before that run existed, so the run
    finds them in the inbox. Claims (advisory locks on the paths) keep
    overlapping runs from reading the same files twice. The minute's sweep
    (no events) takes everything in the inbox and any quarantined file whose
    bytes have changed, claimed or not, once.
    """
    from pipeline.ingest import ingest_paths
    from pipeline.model import Outcome

    settings = load_settings()
    linger = settings.ingest_linger_seconds if linger is None else linger
    run_seconds = settings.ingest_run_seconds if run_seconds is None else run_seconds
    settings.inbox.mkdir(parents=True, exist_ok=True)
    quarantine = settings.archive / "quarantine"
    engine = get_engine(settings)
    named = announced_files(events or [], settings.inbox, quarantine)
    files: list[FileReport]
    # Files named in a manual run's conf: only inside the inbox, never through a link.
    outside = [p for p in conf_files(extra_files or [], settings.inbox) if p.exists()]
    if named:
        files, seconds = _announced_run(
            engine, settings, [p for p in named if p.parent == settings.inbox], linger, run_seconds
        )
        elsewhere = [p for p in named if p.parent != settings.inbox and p.exists()] + outside
        if elsewhere:  # changed quarantined files the event named
            with claimed(engine, elsewhere) as mine:
                summary = ingest_paths(engine, mine, settings=settings, archive=settings.archive)
            files, seconds = files + summary.files, seconds + summary.seconds
    else:
        summary = ingest_paths(
            engine, [settings.inbox, *outside], settings=settings, archive=settings.archive, recheck=[quarantine]
        )
        files, seconds = summary.files, summary.seconds
    counts = {str(k): sum(1 for f in files if f.outcome == k) for k in Outcome}
    return {
        "mode": "announced" if named else "sweep",
        "named": len(named),
        "taken": len(files),
        "counts": counts,
        "alerts": [a for f in files for a in f.alerts],
        "quarantined": {f.file_name: f.reason for f in files if f.outcome == Outcome.QUARANTINED},
        # Logged and left in the inbox; not a task failure, which would hold
        # up every file behind it while Airflow retried.
        "unreadable": {f.file_name: f.reason for f in files if f.outcome == Outcome.UNREADABLE},
        "waiting": {f.file_name: f.reason for f in files if f.outcome == Outcome.WAITING},
        "seconds": round(seconds, 3),
    }


def conf_files(names: Sequence[str], inbox: Path) -> list[Path]:
    """The files a manual run's conf names, each checked to lie in the inbox; RefusedPath names any other."""
    from pipeline.exceptions import RefusedPath

    inbox = inbox.resolve()
    taken, refused = [], []
    for name in names:
        path = Path(name) if Path(name).is_absolute() else inbox / name
        # Resolved, so `..` and links cannot lead out; a link itself is refused even if it points inside.
        if path.is_symlink():
            refused.append(f"{name} (a symbolic link)")
        elif path.resolve().parent != inbox:
            refused.append(f"{name} (not in the inbox {inbox})")
        else:
            taken.append(path.resolve())
    if refused:
        raise RefusedPath("the run's conf `files` may name only files in the inbox; refused: " + "; ".join(refused))
    return taken


# The sweep's delivery task stays this long delivering (the minute's next run takes over), so an
# alert reaches the receiver within about a second of its commit without a service of its own.
DELIVER_SECONDS = 55.0


def deliver_alerts(run_seconds: float = DELIVER_SECONDS) -> dict:
    """Deliver alerts as they are raised for `run_seconds`, each refused one retried on its own backoff."""
    from pipeline.delivery import Backoff, receiver_for, run_deliverer

    settings = load_settings()
    report = run_deliverer(
        get_engine(settings),
        receiver_for(settings),
        backoff=Backoff(first=settings.alert_retry_seconds),
        poll_seconds=0.5,
        run_seconds=run_seconds,
    )
    return report.as_dict()


def night_report(out_dir: str | None = None) -> dict:
    """Write the night's report (Markdown and an HTML board) and return its figures."""
    from pipeline.board import write_report

    settings = load_settings()
    folder = Path(out_dir) if out_dir else settings.data_dir / "reports"
    return write_report(get_engine(settings), folder)
