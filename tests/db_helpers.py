"""Queries the tests read the database with: SQL text and bound parameters, on a fresh connection each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Row, text


def rows(engine: Engine, query: str, **params: Any) -> list[Row]:
    """The query's rows: each equal to the tuple of its values, and naming its columns (row.gss_code)."""
    with engine.connect() as conn:
        return conn.execute(text(query), params).all()


def records(engine: Engine, query: str, **params: Any) -> list[dict[str, Any]]:
    """The query's rows as dicts keyed by column name (as the board's API returns them)."""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(text(query), params).mappings()]


def scalar(engine: Engine, query: str, **params: Any) -> Any:
    """The one value the query returns (an error if it returns no row or several)."""
    with engine.connect() as conn:
        return conn.execute(text(query), params).scalar_one()


def last_event(engine: Engine) -> int:
    """The newest event id (0 before any): every write to the night (a store, an alert, a call, a reset) moves it."""
    return scalar(engine, "select coalesce(max(event_id), 0) from pipeline.event")
