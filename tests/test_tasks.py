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
from pipeline.ingest import linger
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
    with linger.claimed(engine, files[:1]) as mine:
        assert mine == files[:1]
        with linger.claimed(engine, files) as theirs:  # another connection: another run
            pass
        assert theirs == files[1:]
        out = tasks.ingest_inbox(None, [_event(*(p.name for p in files))], linger=0)
        assert out["taken"] == len(files) - 1
        assert files[0].exists()  # not read by the other run
    with linger.claimed(engine, files[:1]) as again:  # released when the first run's block ended
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


def _signed_event(inbox: Path, *names: str) -> dict:
    """An event as the watcher now sends it: each file with the signature it settled at."""
    from pipeline.arrival import signature

    event = _event(*names)
    event["payload"]["signatures"] = {n: signature(inbox / n).text() for n in names}
    return event


def test_a_file_announced_with_its_signature_is_taken_as_announced_and_not_settled_again(inbox_env, engine):
    # Its time is in the future (a copy that kept the agency's clock): only the
    # watcher, which saw it unchanged for the interval, can say it is complete.
    # The run takes it on the watcher's word, without waiting an interval more.
    inbox, archive = inbox_env
    msg = plan_night(only=[NORWICH])[0]
    path = inbox / msg.file_name
    path.write_bytes(msg.body)
    os.utime(path, (time.time() + 3600, time.time() + 3600))
    out = tasks.ingest_inbox(None, [_signed_event(inbox, msg.file_name)], linger=0)
    assert out["taken"] == 1 and out["counts"]["stored"] == 1
    assert (archive / msg.file_name).exists()


def test_a_file_changed_since_it_was_announced_waits_for_its_next_announcement(inbox_env, engine):
    inbox, _ = inbox_env
    msg = plan_night(only=[NORWICH])[0]
    path = inbox / msg.file_name
    path.write_bytes(msg.body[: len(msg.body) // 2])
    _old(path)
    event = _signed_event(inbox, msg.file_name)
    path.write_bytes(msg.body)  # the writer went on after the watcher looked: new bytes, just now
    out = tasks.ingest_inbox(None, [event], linger=0)
    assert out["taken"] == 0 and path.exists()
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from pipeline.receipt")).scalar() == 0


def test_ingest_settled_takes_the_pairs_it_is_given_without_settling_them(clean_db, settings, tmp_path):
    from dataclasses import replace

    from pipeline.arrival import signature
    from pipeline.ingest import ingest_settled, load_run_reference

    inbox, archive = tmp_path / "inbox", tmp_path / "archive"
    inbox.mkdir()
    msg = plan_night(only=[NORWICH])[0]
    path = inbox / msg.file_name
    path.write_bytes(msg.body)  # just written: an hour's settle interval is far from over
    slow = replace(settings, settle_seconds=3600.0)
    started = time.monotonic()
    summary = ingest_settled(
        clean_db, [(path, signature(path))], ref=load_run_reference(clean_db, slow), settings=slow, archive=archive
    )
    assert time.monotonic() - started < 60  # decided complete by the caller: no interval waited here
    assert [(f.file_name, f.outcome) for f in summary.files] == [(msg.file_name, "stored")]
    assert not path.exists() and (archive / msg.file_name).exists()


def test_ingest_settled_takes_its_pairs_oldest_first_whatever_order_they_come_in(clean_db, settings, tmp_path):
    # A scan lists a folder in no particular order; a correction must still
    # be stored after what it corrects, as a run over the folder would.
    from pipeline.arrival import signature
    from pipeline.ingest import ingest_settled, load_run_reference

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    result = next(m for m in plan_night(only=[NORWICH]) if m.kind == "result")
    first = inbox / result.file_name
    first.write_bytes(result.body)
    corrected = inbox / result.file_name.replace("_1.xml", "_2.xml")
    corrected.write_bytes(result.body.replace(b'revision="1"', b'revision="2"'))
    assert corrected.read_bytes() != result.body
    os.utime(first, (time.time() - 120, time.time() - 120))
    os.utime(corrected, (time.time() - 60, time.time() - 60))
    pairs = [(corrected, signature(corrected)), (first, signature(first))]  # newest first
    summary = ingest_settled(clean_db, pairs, ref=load_run_reference(clean_db, settings), settings=settings)
    assert [(f.file_name, f.outcome) for f in summary.files] == [(first.name, "stored"), (corrected.name, "stored")]
