"""The DAGs: they load cleanly, dag.test() ingests a small night, and real Airflow runs it unattended.

Airflow reads its configuration when first imported, so every Airflow import
here happens inside a fixture, after the environment points it at a
metadata database of its own on the test Postgres server.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from pipeline.config import PROJECT_ROOT, load_settings
from pipeline.ingest import ingest_paths
from pipeline.rehearsal.pacing import play
from pipeline.rehearsal.stack import COMPONENTS, LocalStack, group_alive
from pipeline.rehearsal.stories import plan_night
from pipeline.schema import reset_night

pytestmark = [pytest.mark.integration, pytest.mark.airflow]

# A small night: a rush-then-result flip, holds, the false flip and its
# correction (Caithness), a recount (Kensington), a Speaker seat.
SEATS = [
    "E14000575",  # Blyth Valley
    "E14000863",  # Norwich North
    "S14000009",  # Caithness, Sutherland and Easter Ross
    "E14000768",  # Kensington
    "E14000637",  # Chorley
    "E14000995",  # Thurrock
    "E14000878",  # Peterborough
    "W07000068",  # Brecon and Radnorshire
    "E14000761",  # Ipswich
    "E14000546",  # Bassetlaw
]


def q(engine, query: str, **params):
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(query), params)]


def alerts(engine) -> Counter:
    return Counter(q(engine, "select kind, gss_code, from_party, to_party from results.alerts"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _make_stack(settings, tmp: Path, name: str) -> LocalStack:
    folder = tmp / name
    stack_settings = load_settings(
        {
            "DATABASE_URL": settings.database_url,
            "RESULTSNIGHT_DATA_DIR": str(folder),
            "RESULTSNIGHT_INBOX": str(folder / "inbox"),
        }
    )
    db = make_url(settings.database_url).database
    return LocalStack(
        settings=stack_settings,
        results_url=settings.database_url,
        home=folder / "airflow",
        metadata_db=f"{db}_{name}",
        port=_free_port(),
    )


@pytest.fixture(scope="module")
def airflow_env(settings, engine, tmp_path_factory):
    """This process configured for Airflow (metadata DB migrated); restores os.environ after."""
    stack = _make_stack(settings, tmp_path_factory.mktemp("af"), "airflow_dagtest")
    stack.migrate()
    saved = dict(os.environ)
    os.environ.update(stack.env())
    yield stack
    # Close Airflow's pooled connections now: the test server stops before
    # Airflow's own atexit hook would, and that hook then fails noisily.
    from airflow import settings as airflow_settings

    airflow_settings.dispose_orm()
    os.environ.clear()
    os.environ.update(saved)


def _load_dag_module(name: str):
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "dags" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_dag_imports_with_retries_and_tags(airflow_env):
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == {"resultsnight_ingest", "resultsnight_report"}
    for dag in bag.dags.values():
        assert "resultsnight" in dag.tags, dag.dag_id
        for t in dag.tasks:
            assert t.retries and t.retries > 0, f"{dag.dag_id}.{t.task_id} has no retries"


# What a DAG file may cost the DAG processor beyond Airflow itself: the settings, nothing heavier.
# (SQLAlchemy, psycopg and rich are not listed: Airflow loads them itself, with its metadata
# database on Postgres, so no DAG file can add them. A DAG file that imported pipeline.db or
# pipeline.ingest still fails, on LIGHT_PIPELINE.)
HEAVY = ("pandas", "numpy", "great_expectations", "defusedxml")
LIGHT_PIPELINE = {"pipeline", "pipeline.config", "pipeline.exceptions", "pipeline.model"}


@pytest.mark.parametrize("dag_file", sorted(p.stem for p in (PROJECT_ROOT / "dags").glob("*.py")))
def test_dag_files_stay_thin(airflow_env, dag_file):
    """Loading a DAG file imports nothing heavy: the processor parses it every few seconds.

    Measured, not grepped: a fresh interpreter imports what Airflow's DAG API
    needs, then the DAG file, and reports which modules the file added.
    """
    import json
    import subprocess
    import sys

    code = (
        "import importlib.util, json, sys\n"
        f"sys.path.insert(0, {str(PROJECT_ROOT / 'plugins')!r})\n"
        "import airflow.sdk, airflow.triggers.base, pendulum\n"
        "before = set(sys.modules)\n"
        f"print(json.dumps(sorted(m for m in before if m.split('.', 1)[0] in {HEAVY!r})))\n"
        f"spec = importlib.util.spec_from_file_location('dag_under_test', {str(PROJECT_ROOT / 'dags' / dag_file)!r} + '.py')\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], env=airflow_env.env(), capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    with_airflow, added = (json.loads(line) for line in run.stdout.strip().splitlines()[-2:])
    assert with_airflow == [], "Airflow itself loads these now, so this test can no longer see a DAG file add them"
    added = set(added)
    assert added, "the DAG file imported nothing at all: the measurement is broken"
    assert sorted(m for m in added if m.split(".", 1)[0] in HEAVY) == []
    assert {m for m in added if m.split(".", 1)[0] == "pipeline"} <= LIGHT_PIPELINE


def test_pipeline_never_imports_airflow():
    import subprocess
    import sys

    code = (
        "import sys, pipeline.cli, pipeline.ingest, pipeline.tasks, pipeline.rehearsal.stack, pipeline.rehearsal.demo;"
        "print([m for m in sys.modules if m == 'airflow' or m.startswith('airflow.')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_ingest_dag_test_run_over_a_small_night(airflow_env, engine, tmp_path, plan_alerts):
    reset_night(engine)
    inbox = Path(os.environ["RESULTSNIGHT_INBOX"])
    play(plan_night(only=SEATS), inbox, speed=0, progress=False)
    (inbox / "General_Election_2019_result_Nowhere_1.xml").write_bytes(b"<FirstPastThePostResult")
    files = len(list(inbox.iterdir()))
    module = _load_dag_module("resultsnight_ingest")
    run = module.ingest_dag.test()
    assert str(run.state).endswith("success")
    assert q(engine, "select count(*) from pipeline.receipt") == [(files,)]
    assert q(engine, "select count(*) from results.seat_status where status = 'declared'") == [(len(SEATS),)]
    assert q(engine, "select file_name from results.quarantine") == [("General_Election_2019_result_Nowhere_1.xml",)]
    assert list(inbox.iterdir()) == []  # everything archived after its commit
    archive = Path(os.environ["RESULTSNIGHT_ARCHIVE"])
    assert (archive / "quarantine" / "General_Election_2019_result_Nowhere_1.xml").exists()
    kinds = Counter(k for k, *_ in alerts(engine).elements())
    assert kinds == plan_alerts(only=SEATS)["counts"]  # each real gain, each false flip and its retraction, each recount
    assert kinds["retraction"] and kinds["recount"]  # the small night still has its stories
    assert q(engine, "select count(*) from pipeline.alert where delivered_at is null") == [(0,)]


@pytest.fixture(scope="module")
def live_stack(settings, engine, tmp_path_factory):
    """The real scheduler, triggerer, dag-processor and api-server, on 127.0.0.1."""
    stack = _make_stack(settings, tmp_path_factory.mktemp("live"), "airflow_live")
    stack.migrate()
    stack.start()
    try:
        stack.wait_ready(timeout=240)
        yield stack
    finally:
        groups = {name: pid for name in COMPONENTS if (pid := stack.pid(name))}
        killed = stack.stop(timeout=20)
        left = {name: pid for name, pid in groups.items() if group_alive(pid)}
        assert left == {}, f"still running after stop(): {left}; SIGKILLed after 20 s: {killed}"


def _wait_processed(engine, stack: LocalStack, files: int, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = q(engine, "select count(*) from pipeline.receipt")[0][0]
        if done >= files and not any(stack.settings.inbox.iterdir()):
            return
        time.sleep(0.5)
    raise AssertionError(f"only {done} of {files} files processed; logs in {stack.run_dir}")


def _wait_until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.5)
    raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")


@pytest.mark.slow
def test_real_airflow_ingests_dropped_files_without_a_manual_trigger(live_stack, engine):
    reset_night(engine)
    # Drop the files into an idle Airflow, away from the minute's sweep, so
    # the watcher (polling every 0.2 s) sees them before any run can take them.
    _wait_until(lambda: live_stack.active_runs() == 0 and 5 <= time.gmtime().tm_sec <= 45, 120, "an idle moment")
    msgs = [m for m in plan_night(only=["E14000575"]) if m.kind in ("rush", "result")]  # Blyth Valley
    play(msgs, live_stack.settings.inbox, speed=0, progress=False)
    _wait_processed(engine, live_stack, len(msgs), timeout=120)
    assert alerts(engine) == Counter({("flip", "E14000575", "LAB", "CON"): 1})

    # The inbox watcher, not a person, announced these very files as an asset
    # event, and that event started a run.
    def announced() -> set[str]:
        rows = live_stack.query_metadata(
            "select e.extra from asset_event e join asset a on a.id = e.asset_id where a.name = %s",
            ("resultsnight_inbox",),
        )
        return {f for (extra,) in rows if extra.get("from_trigger") for f in extra["payload"]["files"]}

    names = {m.file_name for m in msgs}
    _wait_until(lambda: names <= announced(), 30, "the watcher to announce the dropped files")

    def asset_runs() -> int:
        return live_stack.query_metadata(
            "select count(*) from dag_run where dag_id = 'resultsnight_ingest'"
            " and run_type = 'asset_triggered' and state = 'success'"
        )[0][0]

    _wait_until(asset_runs, 90, "an asset-triggered run to succeed")


@pytest.mark.slow
def test_killing_the_scheduler_mid_night_loses_and_repeats_nothing(live_stack, engine, settings, tmp_path):
    reset_night(engine)
    msgs = plan_night(only=SEATS)
    half = len(msgs) // 2
    play(msgs[:half], live_stack.settings.inbox, duration=4, progress=False)
    deadline = time.monotonic() + 60
    while live_stack.active_runs() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)  # kill it in the middle of a run
    live_stack.stop(("scheduler",), hard=True)  # SIGKILL: tasks in flight die with it
    play(msgs[half:], live_stack.settings.inbox, duration=4, progress=False)
    # Restarted within seconds, as a supervisor would: the dead scheduler's
    # run is still "running" and must be recovered (deploy/airflow-latency.env)
    # before anything else is ingested.
    live_stack.start(("scheduler",))
    _wait_processed(engine, live_stack, len(msgs))
    after_airflow = alerts(engine)
    tally = q(engine, "select party, seats, net from results.party_tally where seats > 0 order by party")
    assert q(engine, "select count(*) from pipeline.receipt where outcome = 'quarantined'") == [(0,)]
    assert q(engine, "select count(*) from pipeline.receipt") == [(len(msgs),)]

    # The same files ingested once, in-process, with nothing killed: the same alerts and tally.
    reset_night(engine)
    ref = tmp_path / "ref"
    play(msgs, ref, speed=0, progress=False)
    ingest_paths(engine, [ref], settings=settings)
    assert after_airflow == alerts(engine)
    assert max(after_airflow.values()) == 1
    assert tally == q(engine, "select party, seats, net from results.party_tally where seats > 0 order by party")


def test_report_dag_writes_the_board(airflow_env, engine, tmp_path):
    module = _load_dag_module("resultsnight_report")
    run = module.report_dag.test(run_conf={"out_dir": str(tmp_path)})
    assert str(run.state).endswith("success")
    board = (tmp_path / "board.html").read_text()
    assert board.count("<rect ") == 650
    report = next(tmp_path.glob("night-*.md")).read_text()
    assert "seats declared" in report and "| party | seats | net |" in report
