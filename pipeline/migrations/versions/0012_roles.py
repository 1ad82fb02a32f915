"""One results-database role per component: pipeline_writer, desk, and the readers' limits.

Revision ID: 0012_roles
Revises: 0011_outbox
"""

from pipeline.migrations import run_sql_file

revision = "0012_roles"
# The head on main when this branch was cut (the lead re-chains at merge).
down_revision = "0011_outbox"


def upgrade() -> None:
    run_sql_file("0012_roles")
