"""What an ingest run reports: one FileReport per file, summed up in an IngestSummary."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from pipeline.model import Outcome


@dataclass
class FileReport:
    """What happened to one file."""

    file_name: str
    outcome: Outcome
    reason: str | None = None
    declarations: int = 0
    alerts: list[str] = field(default_factory=list)
    unknown_parties: list[str] = field(default_factory=list)
    archive_error: str | None = None  # stored, but the move out of the inbox failed: retried by a later run


@dataclass
class IngestSummary:
    """The result of one ingest run."""

    files: list[FileReport] = field(default_factory=list)
    seconds: float = 0.0
    delivered_alerts: int = 0  # by `resultsnight ingest`'s one delivery pass after storing; ingest_paths sends none

    @property
    def counts(self) -> dict[str, int]:
        """Files per outcome."""
        c = Counter(f.outcome for f in self.files)
        return {str(k): c.get(k, 0) for k in Outcome}

    @property
    def complete(self) -> bool:
        """True when every file ended stored or quarantined (none left unread)."""
        return not any(f.outcome == Outcome.UNREADABLE for f in self.files)

    @property
    def alerts(self) -> list[str]:
        """Every alert message raised by this run, in order."""
        return [a for f in self.files for a in f.alerts]

    def as_dict(self) -> dict:
        """A JSON-ready form for `ingest --json`."""
        return {
            "counts": self.counts,
            "files_per_second": round(len(self.files) / self.seconds, 1) if self.seconds else None,
            "seconds": round(self.seconds, 3),
            "alerts": self.alerts,
            "delivered_alerts": self.delivered_alerts,
            "files": [asdict(f) for f in self.files],
        }
