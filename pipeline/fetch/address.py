"""Where the agency's feed is and how to log in, from a URL or an Airflow connection's plain values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipeline.exceptions import FeedRefused

DEFAULT_PORTS = {"ftp": 21, "sftp": 22}


@dataclass(frozen=True)
class FeedAddress:
    """One feed account: protocol, server, login and the folder holding results/ and nominations/."""

    scheme: str  # 'ftp' or 'sftp'
    host: str
    port: int
    user: str
    password: str | None = field(default=None, repr=False)
    # The folder holding results/ and nominations/, relative to the login folder
    # unless it starts with '/' ('' = the login folder itself).
    path: str = ""
    # SFTP only: the client's private key, and the server's key as a known_hosts
    # file or pinned public keys, one a line ('ssh-ed25519 AAAA…').
    key_file: Path | None = None
    known_hosts: Path | None = None
    host_key: str | None = None

    @property
    def label(self) -> str:
        """The address without secrets: what logs and pipeline.fetched_file.feed show."""
        return f"{self.scheme}://{self.user}@{self.host}:{self.port}/{self.path}"

    def folder(self, name: str) -> str:
        """The server path of one of the feed's folders ('results', 'nominations')."""
        return f"{self.path.rstrip('/')}/{name}" if self.path else name

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        key_file: Path | None = None,
        known_hosts: Path | None = None,
        host_key: str | None = None,
    ) -> FeedAddress:
        """Parse ftp://user:pass@host:port/path or sftp://user@host:port/path (RESULTSNIGHT_FEED_URL)."""
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            raise FeedRefused("RESULTSNIGHT_FEED_URL has a port that is not a number") from None
        return cls.from_parts(
            parts.scheme,
            parts.hostname or "",
            port,
            unquote(parts.username) if parts.username else None,
            unquote(parts.password) if parts.password is not None else None,
            # '/live' in a URL is 'live' under the login folder; '//srv/feed' is absolute
            unquote(parts.path)[1:] if parts.path.startswith("/") else unquote(parts.path),
            {"key_file": key_file, "known_hosts": known_hosts, "host_key": host_key},
        )

    @classmethod
    def from_parts(
        cls,
        scheme: str,
        host: str,
        port: int | None,
        user: str | None,
        password: str | None,
        path: str | None,
        extra: Mapping[str, object] | None = None,
    ) -> FeedAddress:
        """The address from an Airflow connection's values (type, host, port, login, password, schema, extra)."""
        scheme = (scheme or "").lower()
        if scheme not in DEFAULT_PORTS:
            raise FeedRefused(f"the feed must be ftp or sftp; got {scheme or 'no scheme'!r}")
        if not host:
            raise FeedRefused("the feed address names no host")
        extra = dict(extra or {})

        def _path(key: str) -> Path | None:
            value = extra.get(key)
            return Path(str(value)).expanduser() if value else None

        return cls(
            scheme=scheme,
            host=host,
            port=int(port) if port else DEFAULT_PORTS[scheme],
            user=user or ("anonymous" if scheme == "ftp" else ""),
            password=password or None,
            path=(path or "").rstrip("/") if (path or "").strip("/") else "",
            key_file=_path("key_file"),
            known_hosts=_path("known_hosts"),
            host_key=str(extra["host_key"]).strip() if extra.get("host_key") else None,
        )
