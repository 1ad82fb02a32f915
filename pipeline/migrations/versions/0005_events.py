"""Event log and NOTIFY triggers for the live board, the `board` role, and the as_of functions.

Revision ID: 0005_events
Revises: 0004_projection
"""

from pipeline.migrations import run_sql_file

revision = "0005_events"
down_revision = "0004_projection"


def upgrade() -> None:
    run_sql_file("0005_events")
    run_sql_file("0005_as_of")
