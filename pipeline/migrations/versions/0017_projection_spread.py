"""The projection's running sums keep each party's summed squared share change (the night's spread).

Revision ID: 0017_projection_spread
Revises: 0016_agency_check_waits
"""

from pipeline.migrations import run_sql_file

revision = "0017_projection_spread"
down_revision = "0016_agency_check_waits"


def upgrade() -> None:
    run_sql_file("0017_projection_spread")
