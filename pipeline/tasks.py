"""What each Airflow task does, as plain functions (no Airflow here).

Every function reads its settings from the environment, is idempotent and
returns a small JSON-able dict for XCom and the task log.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.alerts import deliver_pending, sink_for
from pipeline.config import load_settings
from pipeline.db import get_engine


def ingest_inbox(extra_files: list[str] | None = None) -> dict:
    """Ingest whatever is in the inbox now (the trigger's list is only a hint) and archive it."""
    from pipeline.ingest import ingest_paths
    from pipeline.model import Outcome

    settings = load_settings()
    settings.inbox.mkdir(parents=True, exist_ok=True)
    paths = [settings.inbox]
    # Files named in a manual run's conf, if they are elsewhere than the inbox.
    paths += [Path(f) for f in (extra_files or []) if Path(f).is_absolute() and Path(f).exists()]
    summary = ingest_paths(get_engine(settings), paths, settings=settings, archive=settings.archive)
    return {
        "counts": summary.counts,
        "alerts": summary.alerts,
        "quarantined": {f.file_name: f.reason for f in summary.files if f.outcome == Outcome.QUARANTINED},
        # Logged as errors and left in the inbox; not a task failure, which
        # would hold up every file behind it while Airflow retried.
        "unreadable": {f.file_name: f.reason for f in summary.files if f.outcome == Outcome.UNREADABLE},
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
