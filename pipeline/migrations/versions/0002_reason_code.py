"""Receipts keep why a file was not stored as new as a code (pipeline.receipt.reason_code).

Revision ID: 0002_reason_code
Revises: 0001_initial
"""

from pipeline.migrations import run_sql_file

revision = "0002_reason_code"
down_revision = "0001_initial"


def upgrade() -> None:
    run_sql_file("0002_reason_code")
