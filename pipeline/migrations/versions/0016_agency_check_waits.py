"""A state of the parties is checked once we hold a result for every seat it lists, or once it has waited too long.

Revision ID: 0016_agency_check_waits
Revises: 0015_fetch
"""

from pipeline.migrations import run_sql_file

revision = "0016_agency_check_waits"
down_revision = "0015_fetch"


def upgrade() -> None:
    run_sql_file("0016_agency_check_waits")
