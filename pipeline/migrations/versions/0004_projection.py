"""The seat projection's history (issue 12).

Revision ID: 0004_projection
Revises: 0003_formulas
"""

from pipeline.migrations import run_sql_file

revision = "0004_projection"
down_revision = "0003_formulas"


def upgrade() -> None:
    run_sql_file("0004_projection")
