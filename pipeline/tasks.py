"""What each Airflow task does, as plain functions (no Airflow here).

Every function reads its settings from the environment, is idempotent and
returns a small JSON-able dict for XCom and the task log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import load_settings
from pipeline.db import get_engine

if TYPE_CHECKING:  # pragma: no cover - typing only
    from pipeline.arrival import Signature
    from pipeline.ingest import FileReport


def announced_files(events: Iterable[Mapping], inbox: Path, quarantine: Path) -> dict[Path, Signature | None]:
    """The files the inbox watcher's asset events name, each with the signature it was announced at (if given)."""
    from pipeline.arrival import Signature

    paths: dict[Path, Signature | None] = {}
    for extra in events:
        payload = (extra or {}).get("payload") or {}
        for folder, key in ((inbox, "files"), (quarantine, "quarantine")):
            signatures = payload.get("signatures" if key == "files" else "quarantine_signatures") or {}
            for name in payload.get(key, []):
                paths[folder / Path(name).name] = Signature.parse(signatures.get(name))
    return paths


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
    seconds (at most `run_seconds` in all; by default RESULTSNIGHT_INGEST_LINGER_SECONDS and
    RESULTSNIGHT_INGEST_RUN_SECONDS). The extra files matter: Airflow
    3.3 queues one asset-triggered run per DAG at a time (one
    `asset_dag_run_queue` row, kept from the first event) and the run
    consumes only the events up to that row's time, so an event registered
    while the run was waiting to be created is consumed by no run until the
    next event. Its files were settled before that run existed, so the run
    finds them in the inbox. Claims (advisory locks on the paths) keep
    overlapping runs from reading the same files twice. Whether a file is
    complete is decided once, by the watcher or the loop
    (pipeline.ingest.linger), and the ingest takes it as it was found then;
    the reference data is read once for the whole run. The minute's sweep
    (no events) takes everything in the inbox and any quarantined file whose
    bytes have changed, claimed or not, once.
    """
    from pipeline.arrival import signature
    from pipeline.ingest import ingest_paths, ingest_settled, load_run_reference
    from pipeline.ingest.linger import announced_run, claimed
    from pipeline.model import Outcome

    settings = load_settings()
    linger = settings.ingest_linger_seconds if linger is None else linger
    run_seconds = settings.ingest_run_seconds if run_seconds is None else run_seconds
    settings.inbox.mkdir(parents=True, exist_ok=True)
    quarantine = settings.archive / "quarantine"
    engine = get_engine(settings)
    ref = load_run_reference(engine, settings)  # once per run, whatever number of batches it claims
    named = announced_files(events or [], settings.inbox, quarantine)
    files: list[FileReport]
    # Files named in a manual run's conf: only inside the inbox, never through a link.
    outside = [p for p in conf_files(extra_files or [], settings.inbox) if p.exists()]
    if named:
        in_inbox = {p: sig for p, sig in named.items() if p.parent == settings.inbox}
        files, seconds = announced_run(
            engine,
            settings,
            in_inbox,
            ref,
            linger,
            run_seconds,
        )
        # Changed quarantined files the event named, at the signature the watcher saw settle; any the
        # event gave no signature for, and files a manual run's conf names, are settled by the ingest.
        elsewhere = {p: sig for p, sig in named.items() if p.parent != settings.inbox}
        settled = [(p, sig) for p, sig in elsewhere.items() if sig is not None and sig == signature(p)]
        unsigned = [p for p, sig in elsewhere.items() if sig is None and p.exists()] + outside
        if settled:
            with claimed(engine, [p for p, _ in settled]) as mine:
                taken = [(p, sig) for p, sig in settled if p in mine]
                summary = ingest_settled(engine, taken, ref=ref, settings=settings, archive=settings.archive)
            files, seconds = files + summary.files, seconds + summary.seconds
        if unsigned:
            with claimed(engine, unsigned) as mine:
                summary = ingest_paths(engine, mine, settings=settings, archive=settings.archive, ref=ref)
            files, seconds = files + summary.files, seconds + summary.seconds
    else:
        summary = ingest_paths(
            engine,
            [settings.inbox, *outside],
            settings=settings,
            archive=settings.archive,
            recheck=[quarantine],
            ref=ref,
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
    from pipeline.written_report import write_report

    settings = load_settings()
    folder = Path(out_dir) if out_dir else settings.data_dir / "reports"
    return write_report(get_engine(settings), folder)
