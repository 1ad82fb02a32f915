"""Alerts through an outbox (pipeline.alert_delivery, next_attempt_at), archive failures, no notes on events.

Revision ID: 0011_outbox
Revises: 0010_agency_messages
"""

from pipeline.migrations import run_sql_file

revision = "0011_outbox"
# The brief said 0007_as_of_calls; main already has 0008_real_feed on it, and
# two heads stop `alembic upgrade head`. The lead re-chains at merge.
down_revision = "0010_agency_messages"


def upgrade() -> None:
    run_sql_file("0011_outbox")
