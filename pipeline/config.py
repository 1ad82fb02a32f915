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
    # Which of the agency's feeds this night takes: "live" (the default) or "test" (a rehearsal on the TEST feed).
    feed_mode: str = "live"
    # The most one POST of an alert to the webhook may take (connect, send, answer).
    alert_timeout_seconds: float = 5.0
    # A refused alert waits this long before its next attempt, doubling each time up to five minutes.
    alert_retry_seconds: float = 2.0
    # Event streams the board holds open at once; the next client gets 503 with Retry-After.
    board_max_streams: int = 200
    # The longest any statement of the board's may run.
    board_statement_timeout_ms: int = 5000
    # RESULTSNIGHT_ELECTION: the election to count (a Democracy Club id from seeds/elections.csv);
    # None: keep the database's setting, or seeds/count_setting.csv's on a new database.
    election: str | None = None
    # A state of the parties whose seats' results have not all arrived after this long is checked with what we hold.
    agency_check_grace_seconds: float = 120.0
    # The feed fetcher (pipeline.fetch): how often it reads results/.timestamp.
    fetch_poll_seconds: float = 1.0
    # An event's ingest run stays for more files until none has settled for this long, at most
    # ingest_run_seconds in all (pipeline.tasks); longer under Celery, where a new task costs seconds.
    ingest_linger_seconds: float = 2.0
    ingest_run_seconds: float = 10.0
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
        feed_mode=_feed_mode(env),
        alert_timeout_seconds=_seconds(env, "RESULTSNIGHT_ALERT_TIMEOUT_SECONDS", 5.0) or 5.0,
        alert_retry_seconds=_seconds(env, "RESULTSNIGHT_ALERT_RETRY_SECONDS", 2.0),
        board_max_streams=_count(env, "RESULTSNIGHT_BOARD_MAX_STREAMS", 200),
        board_statement_timeout_ms=_count(env, "RESULTSNIGHT_BOARD_STATEMENT_TIMEOUT_MS", 5000),
        election=(env.get("RESULTSNIGHT_ELECTION") or "").strip() or None,
        agency_check_grace_seconds=_seconds(env, "RESULTSNIGHT_AGENCY_CHECK_GRACE_SECONDS", 120.0),
        fetch_poll_seconds=_seconds(env, "RESULTSNIGHT_FETCH_POLL_SECONDS", 1.0),
        ingest_linger_seconds=_seconds(env, "RESULTSNIGHT_INGEST_LINGER_SECONDS", 2.0),
        ingest_run_seconds=_seconds(env, "RESULTSNIGHT_INGEST_RUN_SECONDS", 10.0),
        feed_url=env.get("RESULTSNIGHT_FEED_URL") or None,
        feed_key_file=_path(env, "RESULTSNIGHT_FEED_KEY_FILE"),
        feed_known_hosts=_path(env, "RESULTSNIGHT_FEED_KNOWN_HOSTS"),
        feed_host_key=env.get("RESULTSNIGHT_FEED_HOST_KEYS") or None,
    )


def _path(env: dict[str, str], name: str) -> Path | None:
    raw = env.get(name)
    return Path(raw).expanduser() if raw and raw.strip() else None


FEED_MODES = ("live", "test")


def _feed_mode(env: dict[str, str]) -> str:
    raw = (env.get("RESULTSNIGHT_FEED_MODE") or "live").strip().lower()
    if raw not in FEED_MODES:
        raise ConfigurationError(f"RESULTSNIGHT_FEED_MODE must be one of {', '.join(FEED_MODES)}; got {raw!r}")
    return raw


# The results database's login roles (sql/migrations/0012_roles.sql) and the
# variable each one's password comes from (`resultsnight db roles`).
LOGIN_PASSWORD_VARIABLES = {
    "pipeline_writer": "RESULTSNIGHT_PIPELINE_DB_PASSWORD",
    "desk": "RESULTSNIGHT_DESK_DB_PASSWORD",
    "board": "RESULTSNIGHT_BOARD_DB_PASSWORD",
    "analyst": "RESULTSNIGHT_ANALYST_DB_PASSWORD",
}


def login_passwords(env: dict[str, str] | None = None) -> dict[str, str]:
    """The password of each login role that the environment (or a given mapping) sets, by role."""
    env = dict(os.environ if env is None else env)
    return {role: env[name] for role, name in LOGIN_PASSWORD_VARIABLES.items() if env.get(name)}


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


def _count(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    if not (raw.strip().isascii() and raw.strip().isdigit()) or int(raw) < 1:
        raise ConfigurationError(f"{name} must be a whole number above 0; got {raw!r}")
    return int(raw)
