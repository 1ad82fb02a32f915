"""What the fetch loop needs of a feed server, whatever the protocol."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any, BinaryIO, Protocol

from pipeline.fetch.address import FeedAddress

# How long one request may take before the connection is taken for dead.
TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class RemoteFile:
    """One entry of a folder listing: a regular file's name as the server gives it, size and modification time."""

    name: str
    size: int
    mtime: float  # seconds since the epoch (UTC), as the server reports it

    @property
    def version(self) -> tuple[int, int]:
        """What makes two listings of the same name the same file: size and modification time (in µs, as stored)."""
        return (self.size, round(self.mtime * 1_000_000))


class FeedClient(Protocol):
    """One connection to the feed server: reads only (nothing here can write, rename or delete there).

    Every method raises pipeline.exceptions.FeedUnavailable when the server
    cannot be reached, drops the connection or refuses the login, and
    FeedRefused when it is not the server configured (SFTP host key).
    """

    def connect(self) -> None:
        """Connect and log in (again, after a failure)."""

    def close(self) -> None:
        """Drop the connection; never raises."""

    def read_small(self, path: str, limit: int) -> bytes | None:
        """The whole of a small file (at most limit bytes), or None when it does not exist."""

    def list_folder(self, path: str) -> list[RemoteFile]:
        """The regular files in a folder (names exactly as the server gives them); [] when it does not exist."""

    def download(self, path: str, out: BinaryIO, limit: int) -> int | None:
        """Copy a file into out, stopping after limit bytes; its length (limit + 1 when longer), None when gone."""


class SessionClient:
    """What the FTP and SFTP clients share: a session opened on first use, and small reads through download."""

    _live: Any = None  # the logged-in session (ftplib.FTP, asyncssh.SFTPClient); None when closed

    def connect(self) -> None:
        """Connect and log in (each protocol's own)."""
        raise NotImplementedError

    def download(self, path: str, out: BinaryIO, limit: int) -> int | None:
        """Copy a file into out (each protocol's own)."""
        raise NotImplementedError

    def _session(self) -> Any:
        if self._live is None:
            self.connect()
        assert self._live is not None  # noqa: S101 - for the type checker: connect() set it or raised
        return self._live

    def read_small(self, path: str, limit: int) -> bytes | None:
        """The whole of a small file (at most limit bytes), or None when it does not exist."""
        buf = BytesIO()
        length = self.download(path, buf, limit)
        return None if length is None else buf.getvalue()[:limit]


def open_client(address: FeedAddress, timeout: float = TIMEOUT_SECONDS) -> FeedClient:
    """A client for the address's protocol (not yet connected)."""
    if address.scheme == "sftp":
        from pipeline.fetch.sftp import SFTPFeedClient

        return SFTPFeedClient(address, timeout=timeout)
    from pipeline.fetch.ftp import FTPFeedClient

    return FTPFeedClient(address, timeout=timeout)
