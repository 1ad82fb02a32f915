"""What each Airflow task does, as plain functions (no Airflow here).

Every function reads its settings from the environment, is idempotent and
returns a small JSON-able dict for XCom and the task log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


def ingest_inbox(extra_files: list[str] | None = None, events: list[Mapping] | None = None) -> dict:
    """Ingest the files the triggering events announced, or sweep the whole inbox; archive each after commit.

    A run started by the watcher takes exactly the files its events named, so
    runs may overlap without reading each other's files; the minute's sweep
    (no events) takes everything in the inbox and any quarantined file whose
    bytes have changed, so nothing waits longer than a minute if an event is
    ever lost.
    """
    from pipeline.ingest import ingest_paths
    from pipeline.model import Outcome

    settings = load_settings()
    settings.inbox.mkdir(parents=True, exist_ok=True)
    quarantine = settings.archive / "quarantine"
    named = announced_files(events or [], settings.inbox, quarantine)
    if named:
        paths, recheck = [p for p in named if p.exists()], []
    else:
        paths, recheck = [settings.inbox], [quarantine]
    # Files named in a manual run's conf, if they are elsewhere than the inbox.
    paths += [Path(f) for f in (extra_files or []) if Path(f).is_absolute() and Path(f).exists()]
    summary = ingest_paths(get_engine(settings), paths, settings=settings, archive=settings.archive, recheck=recheck)
    return {
        "mode": "announced" if named else "sweep",
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
