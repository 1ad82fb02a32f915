"""The as_of functions count desk calls: a call in force at t, with no rush or result stored by then, is 'called'.

Revision ID: 0007_as_of_calls
Revises: 0006_calls
"""

from pipeline.migrations import run_sql_file

revision = "0007_as_of_calls"
down_revision = "0006_calls"


def upgrade() -> None:
    run_sql_file("0007_as_of_calls")
