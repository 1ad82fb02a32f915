"""Elections as data: boundary sets, each election's boundary set and baseline, dated party aliases.

Revision ID: 0013_elections
Revises: 0008_real_feed
"""

from pipeline.migrations import run_sql_file

revision = "0013_elections"
# The brief names 0007_as_of_calls; main already has 0008_real_feed on it, and
# two heads would stop `alembic upgrade head`. The lead re-chains at merge.
down_revision = "0008_real_feed"


def upgrade() -> None:
    run_sql_file("0013_elections")
