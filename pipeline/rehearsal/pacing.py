"""Playing messages into an inbox, one file each, at a chosen pace (what `resultsnight replay` does)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from pipeline.arrival import TIMESTAMP
from pipeline.rehearsal.message import Message

LAYOUTS = ("flat", "agency")


def write_atomically(inbox: Path, name: str, body: bytes, published: datetime | None = None) -> Path:
    """Write one file into `inbox` via a hidden temp file and a rename, so no one sees half of it.

    With `published`, the file's modification time is set to it before the
    rename: a rush or recount notice carries no time of its own, and the
    ingest takes the file's (as it does from the agency's server).
    """
    target = inbox / name
    tmp = inbox / f".tmp-{os.getpid()}-{name}"
    try:
        with tmp.open("wb") as fh:
            fh.write(body)
        if published is not None:
            ns = round(published.timestamp() * 1e9)
            os.utime(tmp, ns=(ns, ns))
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def touch_timestamp(folder: Path, published: datetime) -> Path:
    """Rewrite the folder's `.timestamp` as the agency does when a file lands: epoch seconds with a fraction."""
    return write_atomically(folder, TIMESTAMP, f"{published.timestamp():.5f}".encode("ascii"), published)


def play(
    messages: Sequence[Message],
    inbox: Path,
    *,
    speed: float = 0.0,
    duration: float | None = None,
    progress: bool = True,
    sleep: Callable[[float], object] = time.sleep,
    layout: str = "flat",
    dated: bool = True,
) -> int:
    """Write messages into inbox in landing order at a pace (speed or duration) and return the number written.

    layout "flat" writes every file straight into the inbox (what the ingest
    reads; the fetcher mirrors the agency's folders into one inbox too);
    "agency" writes `results/` and `nominations/` under it, as the agency's
    server holds them. Each folder's `.timestamp` is rewritten as a file lands.
    `dated` sets each file's modification time to its publication time (a
    rush's time); without it a file keeps the moment it landed, which a
    latency benchmark measures from.
    """
    # speed=1 is real time, 60 sixty times faster, 0 as fast as possible;
    # duration=N compresses the whole night (first to last message) into about N seconds.
    if speed < 0:
        raise ValueError("speed must be 0 (no pacing) or positive")
    if duration is not None and duration <= 0:
        raise ValueError("duration must be positive")
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    if not messages:
        return 0
    start = messages[0].at
    span = (messages[-1].at - start).total_seconds()
    # Real seconds per replayed second; 0 means do not wait at all.
    scale = (duration / span if span > 0 else 0.0) if duration is not None else (1.0 / speed if speed > 0 else 0.0)

    bar = _Progress(len(messages), start) if progress else None
    t0 = time.monotonic()
    waited = 0.0  # what we have asked `sleep` for; with a fake sleep, the only clock that moves
    written = 0
    try:
        for message in messages:
            due = (message.at - start).total_seconds() * scale
            remaining = due - max(time.monotonic() - t0, waited)
            while remaining > 0:
                # Sleep in short slices while the bar is up, so its clock keeps ticking.
                step = min(remaining, 1.0) if bar else remaining
                sleep(step)
                waited += step
                remaining -= step
                if bar:
                    bar.clock(start + timedelta(seconds=(due - remaining) / scale))
            folder = inbox / message.folder if layout == "agency" else inbox
            folder.mkdir(exist_ok=True)
            # A broken file keeps the time it is written: a resend cut off in
            # transfer looks, as on the night, like a download still under way.
            published = None if message.kind == "bad" or not dated else message.at
            write_atomically(folder, message.file_name, message.body, published)
            touch_timestamp(folder, message.at)
            written += 1
            if bar:
                bar.advance(message.at)
    finally:
        if bar:
            bar.stop()
    return written


class _Progress:
    """A rich progress bar that shows the replayed clock; rich is imported only here."""

    def __init__(self, total: int, start: datetime) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files"),
            TimeElapsedColumn(),
        )
        self._task = self._progress.add_task(self._label(start), total=total)
        self._progress.start()

    @staticmethod
    def _label(moment: datetime) -> str:
        return f"replaying {moment:%a %d %b %H:%M:%S} UTC"

    def clock(self, moment: datetime) -> None:
        self._progress.update(self._task, description=self._label(moment))

    def advance(self, moment: datetime) -> None:
        self._progress.update(self._task, advance=1, description=self._label(moment))

    def stop(self) -> None:
        self._progress.stop()
