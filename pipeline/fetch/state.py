"""What the fetch loop keeps between polls and reports at the end."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:  # pragma: no cover - typing only
    from pipeline.fetch.client import RemoteFile


@dataclass
class FolderState:
    """What the loop knows of one server folder between polls."""

    stamp: bytes | None = None  # the .timestamp's bytes when last listed
    listed_at: float | None = None  # monotonic time of the last listing
    seen: dict[str, RemoteFile] = field(default_factory=dict)  # the last listing, by name
    recheck: bool = False  # a new or changing file waits for the next listing to agree
    refused: set[str] = field(default_factory=set)  # names already logged as refused
    too_large: set[tuple[str, tuple[int, int]]] = field(default_factory=set)
    no_stamp_logged: bool = False


@dataclass
class FetchReport:
    """What a fetcher did: files brought in, listings made, names refused, connection failures."""

    fetched: list[str] = field(default_factory=list)
    listings: int = 0
    polls: int = 0
    stamp_reads: int = 0
    refused: int = 0
    too_large: int = 0
    same_bytes: int = 0
    failures: int = 0

    def as_dict(self) -> dict:
        """A small JSON-able summary (for XCom and --json)."""
        return {
            "fetched": len(self.fetched),
            "listings": self.listings,
            "polls": self.polls,
            "stamp_reads": self.stamp_reads,
            "refused": self.refused,
            "too_large": self.too_large,
            "same_bytes": self.same_bytes,
            "failures": self.failures,
        }


class Hashing:
    """A write-only file that also feeds a sha256."""

    def __init__(self, out: BinaryIO, digest: hashlib._Hash) -> None:
        self.out, self.digest = out, digest

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.out.write(data)
