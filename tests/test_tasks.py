"""The ingest task's choice of files: what its events named, what they missed, and what another run holds.

Against the real test Postgres (the claims are advisory locks there); no
Airflow: pipeline.tasks is plain functions.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline import tasks
from pipeline.rehearsal.pacing import play
from pipeline.rehearsal.stories import plan_night

pytestmark = pytest.mark.integration

BLYTH = "E14000575"  # Blyth Valley: a rush, then the result (a flip)
NORWICH = "E14000863"  # Norwich North: a hold


@pytest.fixture
def inbox_env(clean_db, settings, tmp_path, monkeypatch):
    """The task's settings (read from the environment) pointed at a scratch inbox on the test database."""
    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    for key, value in {
        "DATABASE_URL": settings.database_url,
        "RESULTSNIGHT_DATA_DIR": str(tmp_path / "data"),
        "RESULTSNIGHT_INBOX": str(inbox),
        "RESULTSNIGHT_ARCHIVE": str(archive),
        "RESULTSNIGHT_SETTLE_SECONDS": "0.05",
    }.items():
        monkeypatch.setenv(key, value)
    return inbox, archive


def _event(*names: str) -> dict:
    return {"from_trigger": True, "payload": {"files": list(names), "quarantine": [], "count": len(names)}}


def _old(path: Path) -> None:
    """Make a file look as if it landed (and settled) a minute ago."""
    st = path.stat()
    os.utime(path, (st.st_atime - 60, st.st_mtime - 60))


def test_a_run_also_takes_settled_files_its_events_did_not_name(inbox_env, engine):
    # Airflow consumes only the events up to its queue row's time: an event
    # registered while the run was being created reaches no run. Its file is
    # settled in the inbox, and the run that exists takes it.
    inbox, archive = inbox_env
    msgs = plan_night(only=[BLYTH, NORWICH])
    play(msgs, inbox, speed=0, progress=False)
    for p in inbox.iterdir():
        _old(p)
    named = msgs[0].file_name
    out = tasks.ingest_inbox(None, [_event(named)], linger=0)
    assert out["mode"] == "announced" and out["named"] == 1 and out["taken"] == len(msgs)
    assert sorted(p.name for p in archive.iterdir() if p.is_file()) == sorted(m.file_name for m in msgs)
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from pipeline.receipt")).scalar() == len(msgs)
        flips = conn.execute(text("select count(*) from results.alerts where kind = 'flip'")).scalar()
    assert flips == 1


def test_a_run_leaves_a_file_still_settling_to_its_own_event(inbox_env, engine):
    inbox, _ = inbox_env
    msgs = plan_night(only=[NORWICH])
    play(msgs, inbox, speed=0, progress=False)
    named = inbox / msgs[0].file_name
    _old(named)
    young = [p for p in inbox.iterdir() if p != named and p.name != ".timestamp"]
    for p in young:  # landed just now, in the future even: not settled, not an extra
        os.utime(p, (time.time() + 3600, time.time() + 3600))
    out = tasks.ingest_inbox(None, [_event(named.name)], linger=0)
    assert out["taken"] == 1 and out["counts"].get("stored") == 1
    assert sorted(p for p in inbox.iterdir() if p.name != ".timestamp") == sorted(young)


def test_a_file_another_run_has_claimed_is_left_to_that_run(inbox_env, engine):
    inbox, _ = inbox_env
    msgs = plan_night(only=[BLYTH])
    play(msgs, inbox, speed=0, progress=False)
    files = sorted(inbox.iterdir())
    for p in files:
        _old(p)
    with tasks.claimed(engine, files[:1]) as mine:
        assert mine == files[:1]
        with tasks.claimed(engine, files) as theirs:  # another connection: another run
            pass
        assert theirs == files[1:]
        out = tasks.ingest_inbox(None, [_event(*(p.name for p in files))], linger=0)
        assert out["taken"] == len(files) - 1
        assert files[0].exists()  # not read by the other run
    with tasks.claimed(engine, files[:1]) as again:  # released when the first run's block ended
        assert again == files[:1]


def test_a_run_stays_for_files_that_land_while_it_lingers_and_then_ends(inbox_env, engine):
    inbox, _ = inbox_env
    msgs = [m for m in plan_night(only=[BLYTH]) if m.kind in ("rush", "result")]
    first, later = msgs[0], msgs[1:]
    (inbox / first.file_name).write_bytes(first.body)
    _old(inbox / first.file_name)
    out: dict = {}
    run = threading.Thread(target=lambda: out.update(tasks.ingest_inbox(None, [_event(first.file_name)], linger=3)))
    run.start()
    time.sleep(0.5)
    assert run.is_alive()  # done with its file, waiting for more
    play(later, inbox, speed=0, progress=False)  # no event names these: the lingering run takes them
    run.join(timeout=60)
    assert not run.is_alive()
    assert out["taken"] == len(msgs) and out["counts"]["stored"] == len(msgs)
    # every message taken; the agency's .timestamp (which the replay rewrites) is no message and stays
    assert out["alerts"] and [p.name for p in inbox.iterdir()] == [".timestamp"]


def test_how_long_a_run_lingers_comes_from_the_environment(inbox_env, engine, monkeypatch):
    # docker-compose.yml lets runs linger longer under Celery, where a new task costs seconds.
    inbox, _ = inbox_env
    msgs = [m for m in plan_night(only=[BLYTH]) if m.kind in ("rush", "result")]
    first, later = msgs[0], msgs[1:]
    (inbox / first.file_name).write_bytes(first.body)
    _old(inbox / first.file_name)
    monkeypatch.setenv("RESULTSNIGHT_INGEST_LINGER_SECONDS", "4")
    monkeypatch.setenv("RESULTSNIGHT_INGEST_RUN_SECONDS", "30")
    out: dict = {}
    run = threading.Thread(target=lambda: out.update(tasks.ingest_inbox(None, [_event(first.file_name)])))
    run.start()
    time.sleep(2.5)  # past the default 2 s linger
    assert run.is_alive()
    play(later, inbox, speed=0, progress=False)
    run.join(timeout=60)
    assert not run.is_alive() and out["taken"] == len(msgs)


def test_a_run_does_not_take_again_a_file_it_left_waiting(inbox_env, engine):
    # A cut-off message is left in the inbox for the rest of it; a lingering
    # run must not read it again on every poll, only once it changes.
    inbox, _ = inbox_env
    cut = inbox / "General_Election_2019_result_Nowhere_1.xml"
    cut.write_bytes(b"<FirstPastThePostResult><Election>")
    time.sleep(0.1)  # settled (0.05 s here), far from incomplete (30 s)
    out = tasks.ingest_inbox(None, [_event(cut.name)], linger=1)
    assert out["taken"] == 1 and out["counts"]["waiting"] == 1
    assert cut.exists()
