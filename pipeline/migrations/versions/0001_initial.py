"""Initial schema: elections, seats, parties, seeds, raw files, declarations, alerts.

Revision ID: 0001_initial
Revises:
"""

from pipeline.migrations import run_sql_file

revision = "0001_initial"
down_revision = None


def upgrade() -> None:
    run_sql_file("0001_initial")
