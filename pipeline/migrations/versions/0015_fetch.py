"""The feed fetcher's record of what it brought in: pipeline.fetched_file.

Revision ID: 0015_fetch
Revises: 0014_revisions
"""

from pipeline.migrations import run_sql_file

revision = "0015_fetch"
down_revision = "0014_revisions"


def upgrade() -> None:
    run_sql_file("0015_fetch")
