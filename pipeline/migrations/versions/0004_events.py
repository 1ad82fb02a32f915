"""Event log and NOTIFY triggers for the live board, the `board` role, and the as_of functions.

Revision ID: 0004_events
Revises: 0001_initial
"""

from pipeline.migrations import run_sql_file

revision = "0004_events"
down_revision = "0001_initial"


def upgrade() -> None:
    run_sql_file("0004_events")
    run_sql_file("0004_as_of")
