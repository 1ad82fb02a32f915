"""The board's database side: the read-only `board` role and the named queries it runs."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

from pipeline.config import Settings
from pipeline.db import database_url, sql

BOARD_ROLE = "board"
# How the board's connections name themselves in pg_stat_activity.
API_APPLICATION = "resultsnight-board-api"
LISTENER_APPLICATION = "resultsnight-board-listener"


def board_url(settings: Settings) -> str:
    """The board's SQLAlchemy URL: RESULTSNIGHT_BOARD_DATABASE_URL, else the results database as role `board`."""
    if settings.board_database_url:
        url = settings.board_database_url
        return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    # Same server and database, logging in as the read-only role (the embedded
    # server trusts its unix socket; a deployment sets the URL with a password).
    return (
        make_url(database_url(settings)).set(username=BOARD_ROLE, password=None).render_as_string(hide_password=False)
    )


def libpq_conninfo(url: str) -> str:
    """A SQLAlchemy URL as the plain libpq URI psycopg connects with."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def session_options(statement_timeout_ms: int) -> str:
    """The libpq `options` every board connection opens with: no statement of the board's runs longer than this."""
    return f"-c statement_timeout={int(statement_timeout_ms)}"


def board_engine(url: str, statement_timeout_ms: int = 5000) -> Engine:
    """A small pool for the API: many browsers share these few connections, none runs a statement for long."""
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=4,
        max_overflow=2,
        pool_timeout=10,
        connect_args={"application_name": API_APPLICATION, "options": session_options(statement_timeout_ms)},
    )


def rows(engine: Engine, name: str, **params: Any) -> list[dict[str, Any]]:
    """Run sql/queries/<name>.sql read-only and return its rows as dicts keyed by column name."""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sql(f"queries/{name}"), params).mappings()]


def scalar(engine: Engine, name: str, **params: Any) -> Any:
    """Run sql/queries/<name>.sql and return its single value."""
    with engine.connect() as conn:
        return conn.execute(sql(f"queries/{name}"), params).scalar()


def _default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def dumps(data: Any) -> bytes:
    """JSON bytes (UTF-8) for an API body: numerics as numbers, times as ISO 8601."""
    return json.dumps(data, default=_default, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
