"""Alembic migrations; each revision runs sql/migrations/<revision>.sql."""

from alembic import op

from pipeline.db import sql_text


def run_sql_file(revision: str) -> None:
    """Execute sql/migrations/<revision>.sql on the migration's connection."""
    # exec_driver_sql: the DDL has no parameters, and must not be scanned for
    # SQLAlchemy's :name binds (it contains '::' casts and $$ bodies).
    op.get_bind().exec_driver_sql(sql_text(f"migrations/{revision}"))
