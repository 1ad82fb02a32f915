"""The seat projection's history (issue 12).

Revision ID: 0002_projection
Revises: 0001_initial
"""

from pipeline.migrations import run_sql_file

revision = "0002_projection"
down_revision = "0001_initial"


def upgrade() -> None:
    run_sql_file("0002_projection")
