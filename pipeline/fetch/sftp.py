"""The feed over SFTP, with asyncssh, the server's host key always checked.

Why asyncssh rather than paramiko or Airflow's sftp provider: pipeline/ never
imports airflow; asyncssh needs nothing beyond `cryptography` (already
locked), where paramiko adds bcrypt and PyNaCl; and the same package gives the
tests a real SFTP server on 127.0.0.1. Its API is asyncio, so this client
keeps a private event loop and runs each request to completion: the loop
above is synchronous, one request at a time.

The host key: pinned public keys, one a line (RESULTSNIGHT_FEED_HOST_KEYS, or extra
`host_key` in the Airflow connection), else a known_hosts file
(RESULTSNIGHT_FEED_KNOWN_HOSTS / extra `known_hosts`), else ~/.ssh/known_hosts
as ssh does. A key that matches none is refused (FeedRefused), never learnt.
"""

from __future__ import annotations

import asyncio
import contextlib
import stat
from collections.abc import Awaitable
from pathlib import Path
from typing import BinaryIO, TypeVar

import asyncssh

from pipeline.exceptions import FeedLoginRefused, FeedRefused, FeedUnavailable
from pipeline.fetch.address import FeedAddress
from pipeline.fetch.client import RemoteFile, SessionClient

_CHUNK = 64 * 1024
T = TypeVar("T")


def _encode(path: str) -> bytes:
    return path.encode("utf-8", "surrogateescape")


class SFTPFeedClient(SessionClient):
    """A FeedClient over SFTP (one SSH connection, one SFTP session)."""

    def __init__(self, address: FeedAddress, timeout: float) -> None:
        if not address.user:
            raise FeedRefused("an SFTP feed needs a user name (sftp://user@host/path)")
        self.address = address
        self.timeout = timeout
        self._loop = asyncio.new_event_loop()
        self._conn: asyncssh.SSHClientConnection | None = None
        self._live: asyncssh.SFTPClient | None = None

    def _known_hosts(self):  # -> asyncssh's KnownHostsArg
        a = self.address
        if a.host_key:
            try:
                keys = [asyncssh.import_public_key(line) for line in a.host_key.splitlines() if line.strip()]
                return (keys, [], [])
            except (asyncssh.KeyImportError, ValueError) as exc:
                raise FeedRefused(f"a pinned SFTP host key cannot be read: {exc}") from None
        path = a.known_hosts or Path("~/.ssh/known_hosts").expanduser()
        if not path.is_file():
            raise FeedRefused(
                f"no host key to check the SFTP server {a.host}:{a.port} against: set "
                "RESULTSNIGHT_FEED_HOST_KEYS (or extra 'host_key') to its public key, or "
                f"RESULTSNIGHT_FEED_KNOWN_HOSTS (or extra 'known_hosts') to a known_hosts file; {path} does not exist"
            )
        return str(path)

    def _run(self, coro: Awaitable[T]) -> T:
        try:
            return self._loop.run_until_complete(asyncio.wait_for(coro, self.timeout))
        except asyncssh.HostKeyNotVerifiable as exc:
            self.close()
            raise FeedRefused(
                f"the SFTP server {self.address.host}:{self.address.port} offered a host key that is not "
                f"the one configured ({exc.reason}): refusing to connect. If the agency changed its key, "
                "check the new one with them and update RESULTSNIGHT_FEED_HOST_KEYS or the known_hosts file"
            ) from None
        except asyncssh.PermissionDenied as exc:
            self.close()
            raise FeedLoginRefused(f"{self.address.label}: login refused: {exc.reason}") from None
        except (TimeoutError, asyncssh.Error, OSError, EOFError) as exc:
            if isinstance(exc, (asyncssh.SFTPNoSuchFile, asyncssh.SFTPPermissionDenied)):
                raise  # about one file, not the connection: the caller skips it
            self.close()
            reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
            raise FeedUnavailable(f"{self.address.label}: {reason}") from None

    def connect(self) -> None:
        """Connect, check the host key, log in and start SFTP."""
        self.close()
        known_hosts = self._known_hosts()
        a = self.address

        async def _open():
            conn = await asyncssh.connect(
                a.host,
                a.port,
                username=a.user,
                password=a.password,
                client_keys=[str(a.key_file)] if a.key_file else None,
                known_hosts=known_hosts,
                agent_path=None,  # only the key and password configured, never an agent's
                config=None,  # nor ~/.ssh/config
                connect_timeout=self.timeout,
                keepalive_interval=10,
            )
            try:
                return conn, await conn.start_sftp_client()
            except BaseException:
                conn.close()
                raise

        self._conn, self._live = self._run(_open())

    def close(self) -> None:
        """Drop the connection."""
        conn, self._conn, self._live = self._conn, None, None
        if conn is not None:
            conn.close()
            # Closing a dead connection fails: nothing more to do.
            with contextlib.suppress(TimeoutError, asyncssh.Error, OSError):
                self._loop.run_until_complete(asyncio.wait_for(conn.wait_closed(), 2))

    def read_small(self, path: str, limit: int) -> bytes | None:
        """The whole of a small file in three requests (open, one read, close), or None when it does not exist."""
        sftp = self._session()

        async def _read() -> bytes:
            # block_size 0: one READ of limit + 1 bytes, not a read-ahead and a second READ for the end of file
            async with sftp.open(_encode(path), "rb", block_size=0) as f:
                try:
                    return (await f.read(limit + 1))[:limit]
                except asyncssh.SFTPEOFError:
                    return b""  # an empty file

        try:
            return self._run(_read())
        except (asyncssh.SFTPNoSuchFile, asyncssh.SFTPPermissionDenied):
            return None

    def list_folder(self, path: str) -> list[RemoteFile]:
        """Regular files in the folder (names decoded as UTF-8; undecodable bytes kept as surrogates, then refused)."""
        sftp = self._session()
        try:
            entries = self._run(sftp.readdir(_encode(path)))
        except (asyncssh.SFTPNoSuchFile, asyncssh.SFTPPermissionDenied):
            return []
        files = []
        for e in entries:
            attrs = e.attrs
            regular = attrs.permissions is not None and stat.S_ISREG(attrs.permissions)
            if regular and attrs.size is not None and attrs.mtime is not None:
                mtime = attrs.mtime + (attrs.mtime_ns % 1_000_000_000) / 1e9 if attrs.mtime_ns else attrs.mtime
                files.append(RemoteFile(e.filename.decode("utf-8", "surrogateescape"), attrs.size, float(mtime)))
        return files

    def download(self, path: str, out: BinaryIO, limit: int) -> int | None:
        """Copy the file into out, stopping after limit bytes; its length, or None when it is gone."""
        sftp = self._session()

        async def _copy() -> int:
            length = 0
            async with sftp.open(_encode(path), "rb") as f:
                while chunk := await f.read(_CHUNK):
                    out.write(chunk[: limit + 1 - length])
                    length += len(chunk)
                    if length > limit:
                        break
            return length

        try:
            return self._run(_copy())
        except (asyncssh.SFTPNoSuchFile, asyncssh.SFTPPermissionDenied):
            return None  # gone, or not readable by this account: skipped like a vanished file
