"""Raising alerts: a declaration's or a desk call's planned alerts written to the outbox, each at most once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection

from pipeline.alerts import PlannedAlert
from pipeline.db import sql


def insert_alerts(
    conn: Connection,
    seat: Mapping[str, str],
    planned: Sequence[PlannedAlert],
    declared_at: datetime | None,
    *,
    declaration_id: int | None = None,
    call_id: int | None = None,
) -> list[PlannedAlert]:
    """Insert the planned alerts of one declaration or one call (give one id); those a retry had not raised yet."""
    raised = []
    for alert in planned:
        row = conn.execute(
            sql("queries/store/insert_alert"),
            {
                **seat,
                "kind": alert.kind,
                "from_party": alert.from_party,
                "to_party": alert.to_party,
                "source": alert.source,
                "declaration_id": declaration_id,
                "call_id": call_id,
                "message": alert.message,
                "declared_at": declared_at,
            },
        ).first()
        if row is not None:
            raised.append(alert)
    return raised
