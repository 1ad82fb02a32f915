"""Alembic environment: run migrations on the connection resultsnight hands us."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, version_table_schema="pipeline", transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
