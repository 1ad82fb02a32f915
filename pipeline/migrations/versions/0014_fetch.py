"""The feed fetcher's record of what it brought in: pipeline.fetched_file.

Revision ID: 0014_fetch
Revises: 0007_as_of_calls
"""

from pipeline.migrations import run_sql_file

revision = "0014_fetch"
down_revision = "0007_as_of_calls"  # the lead re-chains this after the branches merged before it


def upgrade() -> None:
    run_sql_file("0014_fetch")
