"""Revisions across message kinds, and one definition of a seat's state (pipeline.seat_state_at).

Revision ID: 0014_revisions
Revises: 0013_elections
"""

from pipeline.migrations import run_sql_file

revision = "0014_revisions"
down_revision = "0013_elections"


def upgrade() -> None:
    run_sql_file("0014_revisions")
