"""The election arithmetic as SQL functions, written once: pct, majority, butler_swing, swing_needed.

Revision ID: 0003_formulas
Revises: 0002_reason_code
"""

from pipeline.migrations import run_sql_file

revision = "0003_formulas"
down_revision = "0002_reason_code"


def upgrade() -> None:
    run_sql_file("0003_formulas")
