"""The DAGs: they load cleanly, dag.test() ingests a small night, and real Airflow runs it unattended.

Airflow reads its configuration when first imported, so every Airflow import
here happens inside a fixture, after the environment points it at a
metadata database of its own on the test Postgres server.
"""

from __future__ import annotations

import importlib.util
import os
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from pipeline.arrival import Signature, may_be_message
from pipeline.config import PROJECT_ROOT, load_settings
from pipeline.ingest import ingest_paths
from pipeline.rehearsal.pacing import play
from pipeline.rehearsal.processes import free_port, group_alive
from pipeline.rehearsal.stack import COMPONENTS, LocalStack
from pipeline.rehearsal.stories import plan_feed, plan_night
from pipeline.schema import reset_night
from tests.db_helpers import rows
from tests.feed_servers import wait_for

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


def alerts(engine) -> Counter:
    return Counter(rows(engine, "select kind, gss_code, from_party, to_party from results.alerts"))


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
        port=free_port(),
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
    assert set(bag.dag_ids) == {
        "resultsnight_ingest",
        "resultsnight_sweep",
        "resultsnight_report",
        "resultsnight_fetch",
    }
    for dag in bag.dags.values():
        assert "resultsnight" in dag.tags, dag.dag_id
        for t in dag.tasks:
            assert t.retries and t.retries > 0, f"{dag.dag_id}.{t.task_id} has no retries"


@pytest.mark.parametrize(
    ("env", "paused"),
    [
        ({}, True),
        ({"RESULTSNIGHT_FETCH_ENABLED": "false"}, True),
        # docker-compose.yml: the connection is the workers' alone; the dag-processor is told it is there
        ({"RESULTSNIGHT_FETCH_ENABLED": "true"}, False),
        ({"AIRFLOW_CONN_RESULTSNIGHT_FEED": "ftp://feed:pw-1@127.0.0.1:2121/live"}, False),
    ],
)
def test_the_fetch_dag_starts_unpaused_only_where_the_feed_is_configured(airflow_env, monkeypatch, env, paused):
    monkeypatch.delenv("AIRFLOW_CONN_RESULTSNIGHT_FEED", raising=False)
    monkeypatch.delenv("RESULTSNIGHT_FETCH_ENABLED", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert _load_dag_module("resultsnight_fetch").fetch_dag.is_paused_upon_creation is paused


# What a DAG file may cost the DAG processor beyond Airflow itself: the settings, nothing heavier.
# (SQLAlchemy, psycopg and rich are not listed: Airflow loads them itself, with its metadata
# database on Postgres, so no DAG file can add them. A DAG file that imported pipeline.db or
# pipeline.ingest still fails, on LIGHT_PIPELINE.)
HEAVY = ("pandas", "numpy", "great_expectations", "defusedxml")
# pipeline.arrival is the inbox watcher's rule for a complete file (standard library only).
LIGHT_PIPELINE = {"pipeline", "pipeline.config", "pipeline.exceptions", "pipeline.model", "pipeline.arrival"}


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
        "spec = importlib.util.spec_from_file_location("
        f"'dag_under_test', {str(PROJECT_ROOT / 'dags' / dag_file)!r} + '.py')\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], env=airflow_env.env(), capture_output=True, text=True, timeout=120
    )
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
        "import sys, pipeline.cli, pipeline.ingest, pipeline.tasks, pipeline.rehearsal.stack, pipeline.rehearsal.demo,"
        " pipeline.fetch.run, pipeline.fetch.ftp, pipeline.fetch.sftp;"
        "print([m for m in sys.modules if m == 'airflow' or m.startswith('airflow.')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_ingest_dag_test_run_over_a_small_night(airflow_env, engine, tmp_path, plan_alerts):
    reset_night(engine)
    inbox = Path(os.environ["RESULTSNIGHT_INBOX"])
    play(plan_night(only=SEATS), inbox, speed=0, progress=False)
    # Broken for good (a cut-off file would wait in the inbox for the rest of it).
    (inbox / "General_Election_2019_result_Nowhere_1.xml").write_bytes(b"<FirstPastThePostResult></Recount>")
    files = len([p for p in inbox.iterdir() if p.name != ".timestamp"])  # the replay's .timestamp is no message
    module = _load_dag_module("resultsnight_ingest")
    run = module.ingest_dag.test()
    assert str(run.state).endswith("success")
    assert rows(engine, "select count(*) from pipeline.receipt") == [(files,)]
    assert rows(engine, "select count(*) from results.seat_status where status = 'declared'") == [(len(SEATS),)]
    assert rows(engine, "select file_name from results.quarantine") == [("General_Election_2019_result_Nowhere_1.xml",)]
    assert [p.name for p in inbox.iterdir()] == [".timestamp"]  # every message archived after its commit
    archive = Path(os.environ["RESULTSNIGHT_ARCHIVE"])
    assert (archive / "quarantine" / "General_Election_2019_result_Nowhere_1.xml").exists()
    kinds = Counter(k for k, *_ in alerts(engine).elements())
    assert (
        kinds == plan_alerts(only=SEATS)["counts"]
    )  # each real gain, each false flip and its retraction, each recount
    assert kinds["retraction"] and kinds["recount"]  # the small night still has its stories
    # The ingest only records the alerts; the sweep's delivery task sends them (to the log here).
    raised = sum(kinds.values())
    assert rows(engine, "select count(*) from pipeline.alert where delivered_at is null") == [(raised,)]
    from pipeline.tasks import deliver_alerts

    assert deliver_alerts(run_seconds=1.0) == {"delivered": raised, "failed": 0}
    assert rows(engine, "select count(*) from pipeline.alert where delivered_at is null") == [(0,)]


def test_fetch_dag_test_run_pulls_a_real_ftp_feed_into_the_inbox(airflow_env, engine, tmp_path, monkeypatch):
    from tests.feed_servers import ServerProcess

    reset_night(engine)
    inbox = Path(os.environ["RESULTSNIGHT_INBOX"])
    for p in inbox.glob("*"):
        p.unlink()
    root = tmp_path / "server"
    names = {
        "nominations": "General_Election_nominations_Chorley_1.xml",
        "results": "General_Election_result_Chorley_1.xml",
    }
    for folder, name in names.items():
        (root / "live" / folder).mkdir(parents=True)
        (root / "live" / folder / name).write_bytes(b"<FirstPastThePostResult/>\n")
        (root / "live" / folder / ".timestamp").write_text(f"{time.time():.5f}")
    server = ServerProcess("ftp", root, free_port(), ["--user", "pa", "--password", "pw-1"], tmp_path / "ftp.log")
    server.start()
    try:
        monkeypatch.setenv("AIRFLOW_CONN_RESULTSNIGHT_FEED", f"ftp://pa:pw-1@127.0.0.1:{server.port}/live")
        monkeypatch.setenv("RESULTSNIGHT_FETCH_POLL_SECONDS", "0.3")
        run = _load_dag_module("resultsnight_fetch").fetch_dag.test(run_conf={"seconds": 4})
    finally:
        server.kill()
    assert str(run.state).endswith("success")
    assert sorted(p.name for p in inbox.iterdir()) == sorted(names.values())
    assert rows(engine, "select folder, file_name from pipeline.fetched_file order by folder") == sorted(names.items())


@contextmanager
def running(stack: LocalStack) -> Iterator[LocalStack]:
    """The stack migrated, started and ready; stopped after, every component's process group gone."""
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


@pytest.fixture(scope="module")
def live_stack(settings, engine, tmp_path_factory):
    """The real scheduler, triggerer, dag-processor and api-server, on 127.0.0.1."""
    with running(_make_stack(settings, tmp_path_factory.mktemp("live"), "airflow_live")) as stack:
        yield stack


def _wait_processed(engine, stack: LocalStack, files: int, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = rows(engine, "select count(*) from pipeline.receipt")[0][0]
        if done >= files and not any(may_be_message(p.name) for p in stack.settings.inbox.iterdir()):
            return
        time.sleep(0.5)
    raise AssertionError(f"only {done} of {files} files processed; logs in {stack.run_dir}")


def _wait_until(check, timeout: float, what: str):
    return wait_for(check, timeout, what, every=0.5)


@pytest.mark.slow
def test_real_airflow_ingests_dropped_files_without_a_manual_trigger(live_stack, engine):
    reset_night(engine)
    # Drop the files into an idle Airflow, away from the minute's sweep, so
    # the watcher (polling every 0.1 s) sees them before any run can take them.
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


# What a night leaves in the analysts' views, with nothing that depends on
# when or by which process a file was taken (ids, receipt and alert times).
RESULTS_SNAPSHOT = {
    "seat_status": "select * from results.seat_status order by gss_code",
    "party_tally": "select * from results.party_tally order by party",
    "alerts": "select kind, gss_code, from_party, to_party, source, message, declared_at, number_of_results"
    " from results.alerts order by gss_code nulls first, kind, message",
    "files": "select file_name, sha256, outcome, reason_code, message_kind, declarations from results.files"
    " order by file_name, sha256",
    "declarations": "select gss_code, kind, revision, declared_at, winner_party, valid_votes, is_current"
    " from results.declarations order by gss_code, kind, revision",
    "candidates": "select * from results.candidates order by gss_code, position",
    "nominations": "select gss_code, candidate, party, party_label, sitting_member, revision from results.nominations"
    " order by gss_code, position",
    "agency_tally": "select number_of_results, party, party_label, seats, gains, losses, votes, vote_share_pct"
    " from results.agency_tally order by party, party_label",
    "agency_check": "select * from results.agency_check order by party",
    "projection": "select party, declared_seats, projected_seats, low, high, declared_count, method"
    " from results.projection order by party",
}


def deliver(night: Path, inbox: Path) -> list[Path]:
    """Move a played night into the inbox as the feed delivers it: in order, each renamed into place, dated."""
    files = sorted((p for p in night.iterdir() if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime_ns)
    for p in files:
        tmp = inbox / f".{p.name}.part"
        tmp.write_bytes(p.read_bytes())
        os.utime(tmp, ns=(p.stat().st_mtime_ns, p.stat().st_mtime_ns))
        tmp.rename(inbox / p.name)
    return files


def results_snapshot(engine) -> dict[str, list[tuple]]:
    return {name: [tuple(r) for r in rows(engine, query)] for name, query in RESULTS_SNAPSHOT.items()}


@pytest.mark.slow
def test_real_airflow_gives_the_real_format_night_the_same_results_as_an_in_process_ingest(
    live_stack, engine, settings, tmp_path
):
    """The replay's real-format feed (nominations, rushes, a correction chain, states of the parties)."""
    reset_night(engine)
    night = tmp_path / "night"
    written = play(plan_feed(only=SEATS), night, speed=0, progress=False)
    files = deliver(night, live_stack.settings.inbox)
    assert {m.split("_")[2] for m in (p.name for p in files)} >= {"nominations", "rush", "result", "SOP"}
    _wait_processed(engine, live_stack, written, timeout=240)
    through_airflow = results_snapshot(engine)
    assert {r[0] for r in through_airflow["alerts"]} >= {"flip", "retraction", "recount"}
    assert through_airflow["nominations"] and through_airflow["agency_check"]

    reset_night(engine)
    ingest_paths(engine, [night], settings=settings)
    in_process = results_snapshot(engine)
    for name in RESULTS_SNAPSHOT:
        assert through_airflow[name] == in_process[name], name


@pytest.mark.slow
def test_killing_the_scheduler_mid_night_loses_and_repeats_nothing(live_stack, engine, settings, tmp_path):
    reset_night(engine)
    msgs = plan_night(only=SEATS)
    half = len(msgs) // 2
    play(msgs[:half], live_stack.settings.inbox, duration=4, progress=False)
    running = "select count(*) from task_instance where dag_id = 'resultsnight_ingest' and state = 'running'"
    _wait_until(lambda: live_stack.query_metadata(running)[0][0] > 0, 60, "an ingest task to be running")
    live_stack.stop(("scheduler",), hard=True)  # SIGKILL: tasks in flight die with it
    # The kill really landed mid-run: a task the dead scheduler had started is still marked running.
    assert live_stack.query_metadata(running)[0][0] > 0
    play(msgs[half:], live_stack.settings.inbox, duration=4, progress=False)
    # Restarted within seconds, as a supervisor would: new files get runs of
    # their own at once (runs overlap); the dead scheduler's task is reset as
    # orphaned once its heartbeat is stale (deploy/airflow-latency.env).
    live_stack.start(("scheduler",))
    _wait_processed(engine, live_stack, len(msgs))
    after_airflow = alerts(engine)
    tally = rows(engine, "select party, seats, net from results.party_tally where seats > 0 order by party")
    assert rows(engine, "select count(*) from pipeline.receipt where outcome = 'quarantined'") == [(0,)]
    assert rows(engine, "select count(*) from pipeline.receipt") == [(len(msgs),)]

    # The same files ingested once, in-process, with nothing killed: the same alerts and tally.
    reset_night(engine)
    ref = tmp_path / "ref"
    play(msgs, ref, speed=0, progress=False)
    ingest_paths(engine, [ref], settings=settings)
    assert after_airflow == alerts(engine)
    assert max(after_airflow.values()) == 1
    assert tally == rows(engine, "select party, seats, net from results.party_tally where seats > 0 order by party")


def test_report_dag_writes_the_board(airflow_env, engine, settings, tmp_path):
    """The board of a small night shows that night: each declared seat in its winner's colour, gains outlined."""
    from defusedxml import ElementTree

    from pipeline.written_report import AWAITING, COLOURS

    reset_night(engine)
    play(plan_night(only=SEATS), tmp_path / "in", speed=0, progress=False)
    ingest_paths(engine, [tmp_path / "in"], settings=settings)
    known = {
        name: (winner, outcome)
        for name, winner, outcome in rows(
            engine, "select constituency, winner_party, outcome from results.seat_status where winner_party is not null"
        )
    }
    assert len(known) == len(SEATS)  # the night is in: the board below has something to show

    module = _load_dag_module("resultsnight_report")
    run = module.report_dag.test(run_conf={"out_dir": str(tmp_path / "out")})
    assert str(run.state).endswith("success")
    board = (tmp_path / "out" / "board.html").read_text()
    svg = ElementTree.fromstring(board[board.index("<svg") : board.index("</svg>") + len("</svg>")])
    rects = svg.iter("{http://www.w3.org/2000/svg}rect")
    squares = {rect.find("{*}title").text.split(":")[0]: rect for rect in rects}  # by constituency
    assert len(squares) == 650
    shown = {name: rect for name, rect in squares.items() if rect.get("fill") != AWAITING}
    assert set(shown) == set(known)  # every declared seat coloured, nothing else
    for name, (winner, outcome) in known.items():
        assert shown[name].get("fill") == COLOURS[winner], name
        assert (shown[name].get("stroke") == "#000") == (outcome == "gain"), name
    assert known["Blyth Valley"] == ("CON", "gain") and known["Thurrock"] == ("CON", "hold")
    assert f"<h1>{len(SEATS)} of 650 seats declared; awaiting {650 - len(SEATS)}</h1>" in board
    gains = sorted(name for name, (_, outcome) in known.items() if outcome == "gain")
    assert f"<h2>{len(gains)} gains</h2>" in board and "<li>Blyth Valley: CON from LAB</li>" in board
    assert "<tr><td>Thurrock</td><td>CON</td><td>345</td><td>0.34</td><td>CON</td><td>hold</td></tr>" in board
    report = next((tmp_path / "out").glob("night-*.md")).read_text()
    seats, net = rows(engine, "select seats, net from results.party_tally where party = 'CON'")[0]
    assert f"{len(SEATS)} of 650 seats declared" in report and f"| CON | {seats} | {net:+d} |" in report


def _write_in_pieces(path: Path, body: bytes, pieces: int, pause: float) -> None:
    """Write a file under its final name in pieces, keeping it open, as a slow FTP download does."""
    step = -(-len(body) // pieces)
    with path.open("wb") as fh:
        for i in range(0, len(body), step):
            fh.write(body[i : i + step])
            fh.flush()
            if i + step < len(body):
                time.sleep(pause)


@pytest.mark.slow
def test_real_airflow_takes_files_written_in_place_only_when_complete(live_stack, engine, settings, tmp_path):
    import threading

    reset_night(engine)
    inbox = live_stack.settings.inbox
    night = plan_night()
    results = [m for m in night if m.kind == "result" and m.revision == 1]
    slow, during, busy = results[0], results[1], results[2:42]
    # Pauses of 0.7 s: several watcher polls (0.1 s) and longer than the settle interval.
    _write_in_pieces(inbox / slow.file_name, slow.body, pieces=3, pause=0.7)
    _wait_processed(engine, live_stack, 1, timeout=60)

    # A slow writer while runs are going: 40 files land, and while Airflow is
    # busy with them another file is written in place in pieces.
    play(busy, inbox, speed=0, progress=False)
    _wait_until(lambda: live_stack.active_runs() > 0, 30, "a run to start")
    writer = threading.Thread(target=_write_in_pieces, args=(inbox / during.file_name, during.body, 4, 0.5))
    writer.start()
    writer.join()
    _wait_processed(engine, live_stack, 2 + len(busy), timeout=120)

    assert rows(engine, "select count(*) from results.quarantine") == [(0,)]
    assert rows(
        engine,
        "select file_name, count(*) from pipeline.receipt where file_name in (:a, :b) group by 1 order by 1",
        a=slow.file_name,
        b=during.file_name,
    ) == sorted([(slow.file_name, 1), (during.file_name, 1)])
    airflow_alerts = alerts(engine)
    assert airflow_alerts and max(airflow_alerts.values()) == 1

    reset_night(engine)  # the same files in-process: the same alerts, each once
    ref = tmp_path / "ref"
    play([slow, during, *busy], ref, speed=0, progress=False)
    ingest_paths(engine, [ref], settings=settings)
    assert alerts(engine) == airflow_alerts


@pytest.mark.slow
def test_real_airflow_stores_a_burst_of_300_files_each_alert_once(live_stack, engine, settings, tmp_path):
    reset_night(engine)
    msgs = [m for m in plan_night() if m.kind in ("rush", "result")][:300]
    staging = live_stack.settings.inbox.parent / "staging"
    play(msgs, staging, speed=0, progress=False)
    for m in msgs:  # the downloader reconnects: 300 files in the same second
        os.replace(staging / m.file_name, live_stack.settings.inbox / m.file_name)
    _wait_processed(engine, live_stack, len(msgs), timeout=180)
    assert rows(engine, "select outcome, count(*) from pipeline.receipt group by 1") == [("stored", 300)]
    airflow_alerts = alerts(engine)
    reset_night(engine)
    ref = tmp_path / "ref"
    play(msgs, ref, speed=0, progress=False)
    ingest_paths(engine, [ref], settings=settings)
    assert airflow_alerts == alerts(engine) and max(airflow_alerts.values()) == 1


@pytest.mark.slow
def test_real_airflow_looks_again_at_a_quarantined_file_whose_bytes_change(live_stack, engine):
    reset_night(engine)
    msg = next(m for m in plan_night(only=["E14000575"]) if m.kind == "result")  # Blyth Valley
    inbox, quarantine = live_stack.settings.inbox, live_stack.settings.archive / "quarantine"
    (inbox / msg.file_name).write_bytes(msg.body.replace(b"</FirstPastThePostResult>", b"</Recount>"))
    _wait_until(
        lambda: rows(engine, "select count(*) from results.quarantine")[0][0], 60, "the broken file to be quarantined"
    )
    assert rows(engine, "select file_name from results.quarantine") == [(msg.file_name,)]
    (quarantine / msg.file_name).write_bytes(msg.body)  # the agency resends it where it now lies
    stored = "select count(*) from pipeline.receipt where outcome = 'stored'"
    _wait_until(lambda: rows(engine, stored)[0][0], 60, "the good bytes to be stored")
    _wait_until(lambda: not (quarantine / msg.file_name).exists(), 30, "the stored file to leave the quarantine folder")
    assert rows(engine, "select outcome from pipeline.receipt order by receipt_id") == [("quarantined",), ("stored",)]
    assert alerts(engine) == Counter({("flip", "E14000575", "LAB", "CON"): 1})


def _announcements(trigger, act, seen=lambda event: event.payload) -> list:
    """What trigger announces while `await act(announced)` runs, each as seen(event); act may check those so far."""
    import asyncio

    async def watch() -> list:
        announced: list = []

        async def consume() -> None:
            async for event in trigger.run():
                announced.append(seen(event))

        task = asyncio.create_task(consume())
        try:
            await act(announced)
        finally:
            task.cancel()
        return announced

    return asyncio.run(watch())


def test_the_inbox_watcher_announces_only_complete_files_and_changed_ones(airflow_env, tmp_path):
    """Drive the trigger directly: what it announces, and when."""
    import asyncio
    import sys

    sys.path.insert(0, str(PROJECT_ROOT / "plugins"))
    from resultsnight_triggers import InboxTrigger

    inbox, quarantine = tmp_path / "inbox", tmp_path / "quarantine"
    inbox.mkdir()
    quarantine.mkdir()
    (quarantine / "old.xml").write_bytes(b"<bad/>")  # already there when the watcher starts: not news
    trigger = InboxTrigger(str(inbox), str(quarantine), poll_interval=0.05, settle_seconds=0.3)

    async def act(events: list[dict]) -> None:
        with (inbox / "a.xml").open("wb") as fh:  # written in place, kept open across a pause
            fh.write(b"<First")
            fh.flush()
            await asyncio.sleep(1.0)
            assert events == []  # open for writing: not announced
            fh.write(b"PastThePostRush/>")
        await asyncio.sleep(1.0)
        assert len(events) == 1  # announced once, then not again
        (inbox / "a.xml").write_bytes(b"<FirstPastThePostRush revision='2'/>")  # re-delivered, new bytes
        await asyncio.sleep(1.0)
        assert len(events) == 2
        (quarantine / "old.xml").write_bytes(b"<FirstPastThePostRush/>")  # a quarantined file rewritten
        await asyncio.sleep(1.0)

    first, again, mended = _announcements(trigger, act)
    assert first["files"] == ["a.xml"] and first["quarantine"] == []
    assert again["files"] == ["a.xml"]
    signatures = {k: mended.pop(k) for k in ("signatures", "quarantine_signatures")}
    assert mended == {"files": [], "quarantine": ["old.xml"], "count": 1, "directory": str(inbox)}
    # Each file with the signature it settled at: the ingest takes it as it was then.
    assert signatures == {
        "signatures": {},
        "quarantine_signatures": {"old.xml": Signature.of((quarantine / "old.xml").stat()).text()},
    }


def test_the_inbox_watcher_announces_a_resend_that_races_the_move_to_quarantine(airflow_env, tmp_path):
    """A quarantined file rewritten before the watcher first saw it there is news; one moved unchanged is not."""
    import asyncio
    import sys

    sys.path.insert(0, str(PROJECT_ROOT / "plugins"))
    from resultsnight_triggers import InboxTrigger

    inbox, quarantine = tmp_path / "inbox", tmp_path / "quarantine"
    inbox.mkdir()
    quarantine.mkdir()
    trigger = InboxTrigger(str(inbox), str(quarantine), poll_interval=0.05, settle_seconds=0.3)

    async def act(events: list[dict]) -> None:
        (inbox / "a.xml").write_bytes(b"<broken")
        (inbox / "b.xml").write_bytes(b"<broken too")
        await asyncio.sleep(1.0)
        assert [sorted(e["files"]) for e in events] == [["a.xml", "b.xml"]]
        # Between two looks of the watcher: the ingest quarantines both, and the
        # agency resends a.xml where it now lies (no await: the watcher cannot look in between).
        os.replace(inbox / "a.xml", quarantine / "a.xml")
        os.replace(inbox / "b.xml", quarantine / "b.xml")
        (quarantine / "a.xml").write_bytes(b"<FirstPastThePostResult/>")
        await asyncio.sleep(1.0)

    events = _announcements(trigger, act)
    assert [(e["files"], e["quarantine"]) for e in events[1:]] == [([], ["a.xml"])]


def test_the_inbox_watcher_never_announces_the_agencys_timestamp(airflow_env, tmp_path):
    """`.timestamp`, rewritten as every file lands, is not a message: the watcher announces only the messages."""
    import asyncio
    import sys

    sys.path.insert(0, str(PROJECT_ROOT / "plugins"))
    from resultsnight_triggers import InboxTrigger

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    trigger = InboxTrigger(str(inbox), None, poll_interval=0.05, settle_seconds=0.3)
    messages = plan_night(only=["E14000575"])  # Blyth Valley: a rush and a result, each rewriting .timestamp

    async def act(_: list[dict]) -> None:
        play(messages, inbox, speed=0, progress=False)
        await asyncio.sleep(1.0)
        (inbox / ".timestamp").write_text("1576200000.12345")  # rewritten again, nothing else new
        await asyncio.sleep(1.0)

    events = _announcements(trigger, act)
    assert (inbox / ".timestamp").exists()
    assert sorted(name for e in events for name in e["files"]) == sorted(m.file_name for m in messages)


def test_the_inbox_watcher_does_not_announce_a_file_finished_while_it_looked(airflow_env, tmp_path, monkeypatch):
    """A writer that adds its last bytes and closes between the scan and the /proc look: announced once, whole."""
    import asyncio
    import sys

    sys.path.insert(0, str(PROJECT_ROOT / "plugins"))
    import resultsnight_triggers
    from resultsnight_triggers import InboxTrigger

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    half = inbox / "a.xml"
    half.write_bytes(b"<First")
    os.utime(half, (time.time() - 10, time.time() - 10))  # quiet long enough to look settled
    real = resultsnight_triggers.open_for_writing
    finished: list[bool] = []

    def writer_finishes_first(folders):
        if not finished:  # the first look: the writer writes the rest and closes just before it
            with half.open("ab") as fh:
                fh.write(b"PastThePostRush/>")
            finished.append(True)
        return real(folders)

    monkeypatch.setattr(resultsnight_triggers, "open_for_writing", writer_finishes_first)
    trigger = InboxTrigger(str(inbox), None, poll_interval=0.05, settle_seconds=0.3)

    # each announcement with the file's size when it was made
    events = _announcements(trigger, lambda _: asyncio.sleep(1.5), seen=lambda e: (e.payload, half.stat().st_size))
    assert finished == [True]
    assert [(e["files"], size) for e, size in events] == [(["a.xml"], len(b"<FirstPastThePostRush/>"))]
