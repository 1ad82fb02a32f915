"""Elections as data: boundary sets, each election's boundary set and baseline, dated party aliases.

Revision ID: 0013_elections
Revises: 0012_roles
"""

from pipeline.migrations import run_sql_file

revision = "0013_elections"
# After main's latest (0010_agency_messages, merged into this branch): two
# heads would stop `alembic upgrade head`.
down_revision = "0012_roles"


def upgrade() -> None:
    run_sql_file("0013_elections")
