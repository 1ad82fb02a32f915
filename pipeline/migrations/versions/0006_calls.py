"""Desk calls: pipeline.call, seat status 'called', alerts with source 'desk'.

Revision ID: 0006_calls
Revises: 0005_events
"""

from pipeline.migrations import run_sql_file

revision = "0006_calls"
down_revision = "0005_events"


def upgrade() -> None:
    run_sql_file("0006_calls")
