"""The console's progress bar over a run's files (rich, only when a person watches)."""

from __future__ import annotations

from typing import Any


class ProgressBar:
    """A transient bar: files done of the run's total, the current file's name beside it."""

    def __init__(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self._progress: Any = Progress(
            TextColumn("ingesting"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.description}"),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("", total=total)

    def advance(self, files: int = 1, name: str | None = None) -> None:
        """Count files done, naming the one under way."""
        if name is None:
            self._progress.update(self._task, advance=files)
        else:
            self._progress.update(self._task, advance=files, description=name[:48])

    def stop(self) -> None:
        """Take the bar off the screen."""
        self._progress.stop()
