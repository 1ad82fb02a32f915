"""One results-database role per component (sql/migrations/0012_roles.sql, `resultsnight db roles`), on a real Postgres.

Each role logs in for real (the session's embedded server trusts its unix
socket, so LOGIN is what `db roles` must give) and is tried against every
relation of both schemas, listed from the catalogue: a table added later is
covered without editing this file.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from pipeline.calls import make_call
from pipeline.config import LOGIN_PASSWORD_VARIABLES, login_passwords
from pipeline.exceptions import ConfigurationError
from pipeline.ingest import ingest_paths
from pipeline.roles import scram_verifier, set_login_passwords
from pipeline.schema import create_views

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).resolve().parent / "corpus"
BLYTH_RESULT = CORPUS / "General_Election_2019_result_Blyth_Valley_1.xml"
NORWICH = "E14000865"
# The pipeline relations the board reads directly: the live stream's event log
# (sql/migrations/0005_events.sql). Everything else of pipeline.* it reaches
# only through the security-definer as-of functions, or not at all.
BOARD_READS_IN_PIPELINE = {"pipeline.event"}


@pytest.fixture(scope="module")
def logins(engine, database_url) -> dict[str, str]:
    """Every component role given LOGIN by `db roles` (the cluster-wide roles: only on the suite's own server)."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("changes cluster-wide roles: only on the suite's own embedded server")
    env = {variable: f"test-only-{role}" for role, variable in LOGIN_PASSWORD_VARIABLES.items()}
    assert set_login_passwords(engine, login_passwords(env)) == sorted(LOGIN_PASSWORD_VARIABLES)
    return {
        role: make_url(database_url).set(username=role).render_as_string(hide_password=False)
        for role in LOGIN_PASSWORD_VARIABLES
    }


@pytest.fixture
def as_role(logins) -> Iterator:
    """`as_role(name)`: an engine that logs in as that role (disposed after the test)."""
    engines: list[Engine] = []

    def connect(role: str) -> Engine:
        engines.append(create_engine(logins[role]))
        return engines[-1]

    yield connect
    for eng in engines:
        eng.dispose()


def relations(engine: Engine, schema: str, kinds: tuple[str, ...] = ("r", "v", "m", "p")) -> list[str]:
    """The relations of a schema of the given pg_class kinds (all tables and views by default), qualified."""
    with engine.connect() as conn:
        return (
            conn.execute(
                text(
                    "select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                    " where n.nspname = :s and c.relkind = any(:kinds) order by 1"
                ),
                {"s": schema, "kinds": list(kinds)},
            )
            .scalars()
            .all()
        )


def tables(engine: Engine, schema: str) -> list[str]:
    """Every ordinary table of a schema, qualified."""
    return relations(engine, schema, ("r",))


def refused(engine: Engine, statement: str) -> bool:
    """Whether the server refuses the statement for want of privilege (or a read-only transaction)."""
    with engine.connect() as conn:
        try:
            conn.execute(text(statement))
        except DBAPIError as exc:
            conn.rollback()
            message = str(exc.orig)
            if re.search(r"permission denied|must be owner|read-only transaction", message):
                return True
            raise
        conn.rollback()
        return False


def allowed(engine: Engine, *statements: str) -> list[str]:
    """Those of the statements the server lets the role run (each rolled back); a role's refusals expect none."""
    return [s for s in statements if not refused(engine, s)]


def test_no_component_role_has_powers_beyond_its_grants(logins, engine):
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "select rolname, rolcanlogin,"
                " rolsuper or rolcreaterole or rolcreatedb or rolbypassrls or rolreplication"
                " from pg_roles where rolname in ('pipeline_writer', 'desk', 'board', 'analyst', 'results_reader')"
                " order by 1"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("analyst", True, False),
        ("board", True, False),
        ("desk", True, False),
        ("pipeline_writer", True, False),
        ("results_reader", False, False),
    ]


def test_board_reads_results_only_and_cannot_write(logins, as_role, engine):
    board = as_role("board")
    for name in relations(engine, "results"):
        assert not refused(board, f"select * from {name} limit 0"), f"the board cannot read {name}"
    for name in relations(engine, "pipeline"):
        assert refused(board, f"select * from {name} limit 0") == (name not in BOARD_READS_IN_PIPELINE), name
    assert not allowed(
        board,
        "insert into pipeline.event (kind, payload) values ('reset', '{}')",
        "delete from pipeline.declaration",
        "update pipeline.seat_state set status = status",
        "create table public.scratch (x int)",
        "create table results.scratch (x int)",
        "create temporary table scratch (x int)",
    )
    with board.connect() as conn:
        assert conn.execute(text("show statement_timeout")).scalar_one() == "5s"
        assert conn.execute(text("show default_transaction_read_only")).scalar_one() == "on"


def test_board_statement_timeout_cuts_a_slow_query(logins, as_role):
    with as_role("board").connect() as conn, pytest.raises(DBAPIError, match="statement timeout"):
        conn.execute(text("select pg_sleep(6)"))


def test_analyst_reads_results_only(logins, as_role, engine):
    analyst = as_role("analyst")
    for name in relations(engine, "results"):
        assert not refused(analyst, f"select * from {name} limit 0"), f"the analyst cannot read {name}"
    for name in relations(engine, "pipeline"):
        assert refused(analyst, f"select * from {name} limit 0"), f"the analyst reads {name}"
    assert not allowed(
        analyst,
        "delete from pipeline.alert",
        "create table results.scratch (x int)",
        "create table public.scratch (x int)",
        "create temporary table scratch (x int)",
    )


def test_pipeline_role_ingests_a_file_end_to_end(logins, as_role, clean_db, settings, tmp_path):
    writer = as_role("pipeline_writer")
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    shutil.copy(BLYTH_RESULT, inbox / BLYTH_RESULT.name)
    summary = ingest_paths(writer, [inbox], settings=settings, archive=archive)
    assert summary.complete
    assert [r.outcome for r in summary.files] == ["stored"]
    with writer.connect() as conn:
        status = conn.execute(
            text("select status, winner_party from results.seat_status where gss_code = 'E14000575'")
        ).one()
        projection = conn.execute(text("select count(*) from pipeline.projection_history")).scalar_one()
    assert tuple(status) == ("declared", "CON") and projection >= 1
    assert (archive / BLYTH_RESULT.name).is_file()
    # It writes rows; it cannot change or empty the schema.
    assert not allowed(
        writer,
        "truncate pipeline.alert",
        "drop table pipeline.alert",
        "alter table pipeline.alert add column x int",
        "create table pipeline.scratch (x int)",
        "create table results.scratch (x int)",
        "create temporary table scratch (x int)",
        "refresh materialized view pipeline.past_seat",
    )


def test_desk_records_a_call_and_writes_nothing_else(logins, as_role, clean_db):
    desk = as_role("desk")
    result = make_call(desk, NORWICH, "LAB", by="test desk")
    assert result.changed and result.call_id is not None
    with clean_db.connect() as conn:
        assert (
            conn.execute(text("select party from results.calls where gss_code = :g"), {"g": NORWICH}).scalar_one()
            == "LAB"
        )
    assert not allowed(
        desk,
        "delete from pipeline.call",
        "update pipeline.call set party = 'CON'",
        "insert into pipeline.raw_file default values",
        "delete from pipeline.declaration",
        "update pipeline.alert set message = 'x'",
        "truncate pipeline.event",
    )


def test_grants_survive_recreated_views_and_later_tables(logins, as_role, engine):
    """sql/views are dropped and created again when they change; a later migration adds tables."""
    with engine.begin() as conn:
        conn.exec_driver_sql("comment on schema results is 'changed'")  # as if sql/views had changed
        assert create_views(conn)
        conn.exec_driver_sql("create table pipeline.later_table (x int)")
    try:
        analyst, writer = as_role("analyst"), as_role("pipeline_writer")
        for name in relations(engine, "results"):
            assert not refused(analyst, f"select * from {name} limit 0"), f"{name} lost its grant"
        for name in relations(engine, "pipeline"):
            assert not refused(writer, f"select * from {name} limit 0"), f"{name}: no grant to pipeline_writer"
        assert not refused(writer, "insert into pipeline.later_table values (1)")
        assert refused(analyst, "select * from pipeline.later_table")
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql("drop table pipeline.later_table")


def test_db_roles_sends_the_servers_own_scram_verifier(logins, engine):
    """The verifier built here is the one the server stores for the same password and salt."""
    with engine.begin() as conn:
        conn.exec_driver_sql("set local password_encryption = 'scram-sha-256'")
        conn.exec_driver_sql("alter role desk password 'server-side-secret'")
        stored = conn.execute(text("select rolpassword from pg_authid where rolname = 'desk'")).scalar_one()
        conn.rollback()
    match = re.fullmatch(r"SCRAM-SHA-256\$(\d+):([^$]+)\$.*", stored)
    import base64

    assert scram_verifier("server-side-secret", base64.b64decode(match[2]), int(match[1])) == stored


def test_db_roles_refuses_unknown_roles_and_bad_passwords(engine):
    with pytest.raises(ConfigurationError, match="not a resultsnight login role"):
        set_login_passwords(engine, {"postgres": "x"})
    with pytest.raises(ConfigurationError, match="printable ASCII"):
        set_login_passwords(engine, {"desk": "two words"})
    assert login_passwords({"RESULTSNIGHT_DESK_DB_PASSWORD": ""}) == {}


def test_db_roles_command_sets_what_the_environment_gives(logins, engine, database_url, monkeypatch, capsys):
    from pipeline.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    for variable in LOGIN_PASSWORD_VARIABLES.values():
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("RESULTSNIGHT_DESK_DB_PASSWORD", "test-only-desk-again")
    with engine.connect() as conn:
        before = conn.execute(text("select rolpassword from pg_authid where rolname = 'board'")).scalar_one()
    assert main(["db", "roles"]) == 0
    out = capsys.readouterr().out
    assert "role desk: login, password set" in out and "role board: unchanged" in out
    with engine.connect() as conn:
        assert conn.execute(text("select rolpassword from pg_authid where rolname = 'board'")).scalar_one() == before
        desk = conn.execute(text("select rolpassword from pg_authid where rolname = 'desk'")).scalar_one()
    assert desk.startswith("SCRAM-SHA-256$4096:") and "test-only" not in desk
