"""Configuration, read from the environment in this one place."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.exceptions import ConfigurationError

# The repository (or installed project) root: seeds/, sql/, expectations/ live here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# A genuine message is under 1 MiB; anything over this is quarantined unread.
MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline reads from the environment."""

    database_url: str | None  # None: use the embedded Postgres
    data_dir: Path
    inbox: Path
    archive: Path
    alert_webhook: str | None
    seeds_dir: Path
    sql_dir: Path
    expectations_dir: Path
    # A file is taken once unchanged this long and not open for writing (pipeline.arrival).
    settle_seconds: float = 0.25
    # A file whose message ends early is quarantined only once unchanged this long.
    incomplete_after_seconds: float = 30.0
    # The board's read-only connection (`resultsnight serve`); None: database_url as role `board`.
    board_database_url: str | None = None
    # The feed fetcher (pipeline.fetch): how often it reads each folder's .timestamp.
    fetch_poll_seconds: float = 1.0
    # The agency's server for `resultsnight fetch` (ftp://user:pass@host:port/path or sftp://...);
    # the DAG reads the Airflow connection `resultsnight_feed` instead. Secret: kept out of repr.
    feed_url: str | None = field(default=None, repr=False)
    # SFTP: the client key, and the server's key as a known_hosts file or pinned public keys (one a line).
    feed_key_file: Path | None = None
    feed_known_hosts: Path | None = None
    feed_host_key: str | None = None

    @property
    def pgdata(self) -> Path:
        """Where the embedded Postgres keeps its files."""
        return self.data_dir / "pgdata"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read the settings from the environment (or a given mapping)."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("RESULTSNIGHT_DATA_DIR") or PROJECT_ROOT / ".data").resolve()
    inbox = Path(env.get("RESULTSNIGHT_INBOX") or data_dir / "inbox").resolve()
    archive = Path(env.get("RESULTSNIGHT_ARCHIVE") or inbox.parent / "archive").resolve()
    url = env.get("DATABASE_URL") or None
    if url is not None and not url.startswith(("postgresql://", "postgresql+psycopg://")):
        raise ConfigurationError(
            "DATABASE_URL must be a PostgreSQL URL (postgresql+psycopg://user@host/db); "
            f"got one starting {url.split(':', 1)[0]!r}"
        )
    return Settings(
        database_url=url,
        data_dir=data_dir,
        inbox=inbox,
        archive=archive,
        alert_webhook=env.get("RESULTSNIGHT_ALERT_WEBHOOK") or None,
        seeds_dir=Path(env.get("RESULTSNIGHT_SEEDS_DIR") or PROJECT_ROOT / "seeds"),
        sql_dir=PROJECT_ROOT / "sql",
        expectations_dir=Path(env.get("RESULTSNIGHT_EXPECTATIONS_DIR") or PROJECT_ROOT / "expectations"),
        settle_seconds=_seconds(env, "RESULTSNIGHT_SETTLE_SECONDS", 0.25),
        incomplete_after_seconds=_seconds(env, "RESULTSNIGHT_INCOMPLETE_AFTER_SECONDS", 30.0),
        board_database_url=env.get("RESULTSNIGHT_BOARD_DATABASE_URL") or None,
        fetch_poll_seconds=_seconds(env, "RESULTSNIGHT_FETCH_POLL_SECONDS", 1.0),
        feed_url=env.get("RESULTSNIGHT_FEED_URL") or None,
        feed_key_file=_path(env, "RESULTSNIGHT_FEED_KEY_FILE"),
        feed_known_hosts=_path(env, "RESULTSNIGHT_FEED_KNOWN_HOSTS"),
        feed_host_key=env.get("RESULTSNIGHT_FEED_HOST_KEYS") or None,
    )


def _path(env: dict[str, str], name: str) -> Path | None:
    raw = env.get(name)
    return Path(raw).expanduser() if raw and raw.strip() else None


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds; got {raw!r}") from None
    if value < 0:
        raise ConfigurationError(f"{name} must not be negative; got {raw!r}")
    return value
