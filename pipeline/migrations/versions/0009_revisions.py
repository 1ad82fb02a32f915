"""Revisions across message kinds, and one definition of a seat's state (pipeline.seat_state_at).

Revision ID: 0009_revisions
Revises: 0013_elections (numbered 0009 as planned; main reached 0013 first)
"""

from pipeline.migrations import run_sql_file

revision = "0009_revisions"
down_revision = "0013_elections"


def upgrade() -> None:
    run_sql_file("0009_revisions")
