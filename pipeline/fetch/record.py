"""What the fetcher has brought in, kept in the results database (pipeline.fetched_file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from pipeline.db import sql

if TYPE_CHECKING:  # pragma: no cover - typing only
    from sqlalchemy.engine import Engine

    from pipeline.fetch.client import RemoteFile


@dataclass
class Fetched:
    """The versions of each (folder, file name) already fetched, and the sha256 of the latest."""

    versions: dict[tuple[str, str], set[tuple[int, int]]] = field(default_factory=dict)
    latest_sha256: dict[tuple[str, str], str] = field(default_factory=dict)

    def has(self, folder: str, f: RemoteFile) -> bool:
        """Whether this version (name, size, modification time) was fetched before."""
        return f.version in self.versions.get((folder, f.name), ())

    def add(self, folder: str, f: RemoteFile, sha256: str) -> None:
        """Remember a version as fetched (in memory)."""
        self.versions.setdefault((folder, f.name), set()).add(f.version)
        self.latest_sha256[(folder, f.name)] = sha256


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _microseconds(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


def load_fetched(engine: Engine, feed: str) -> Fetched:
    """Every version fetched from this feed so far (what a restarted fetcher skips)."""
    fetched = Fetched()
    with engine.connect() as conn:
        rows = conn.execute(sql("queries/fetch/fetched_files"), {"feed": feed}).all()
    for folder, name, size, modified_at, sha256 in sorted(rows, key=lambda r: r.modified_at):
        fetched.versions.setdefault((folder, name), set()).add((size, _microseconds(modified_at)))
        fetched.latest_sha256[(folder, name)] = sha256
    return fetched


def record_fetched(engine: Engine, feed: str, folder: str, f: RemoteFile, sha256: str) -> None:
    """Record one version as fetched; recording it again changes nothing."""
    with engine.begin() as conn:
        conn.execute(
            sql("queries/fetch/insert_fetched_file"),
            {
                "feed": feed,
                "folder": folder,
                "file_name": f.name,
                "size": f.size,
                # microseconds survive timestamptz; the loop compares versions at that precision
                "modified_at": _EPOCH + timedelta(microseconds=f.version[1]),
                "sha256": sha256,
            },
        )
