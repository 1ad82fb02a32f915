"""The agency's nominations and state-of-the-parties messages, receipts' message kind, the disagreement alert.

Revision ID: 0010_agency_messages
Revises: 0008_real_feed
"""

from pipeline.migrations import run_sql_file

revision = "0010_agency_messages"
down_revision = "0008_real_feed"


def upgrade() -> None:
    run_sql_file("0010_agency_messages")
