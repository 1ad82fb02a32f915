"""The agency's real feed: rush candidates without votes, and the feed's own reason codes.

Revision ID: 0008_real_feed
Revises: 0007_as_of_calls
"""

from pipeline.migrations import run_sql_file

revision = "0008_real_feed"
down_revision = "0007_as_of_calls"


def upgrade() -> None:
    run_sql_file("0008_real_feed")
