"""The fetch DAG under real Airflow: files put on a real FTP server are fetched, stored and alert once.

A stack of its own (scheduler, triggerer, dag-processor, api-server on
127.0.0.1) whose environment holds the connection resultsnight_feed, so the
fetch DAG starts unpaused and runs the fetcher as its long-running task
beside the ingest DAGs, as on the night.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from pipeline.rehearsal.pacing import play
from pipeline.rehearsal.processes import free_port
from pipeline.rehearsal.stories import plan_night
from pipeline.schema import reset_night
from tests.db_helpers import rows
from tests.feed_servers import ServerProcess
from tests.test_dags import SEATS, _make_stack, _wait_processed, alerts

pytestmark = [pytest.mark.integration, pytest.mark.airflow, pytest.mark.slow]


def test_real_airflow_fetches_an_ftp_feed_and_each_file_is_stored_and_alerts_once(
    settings, engine, tmp_path_factory, plan_alerts
):
    reset_night(engine)
    tmp = tmp_path_factory.mktemp("fetch_live")
    root = tmp / "server"
    for folder in ("results", "nominations"):
        (root / "live" / folder).mkdir(parents=True)
        (root / "live" / folder / ".timestamp").write_text(f"{time.time():.5f}")
    server = ServerProcess("ftp", root, free_port(), ["--user", "pa", "--password", "pw-live-2"], tmp / "ftp.log")
    server.start()
    stack = _make_stack(settings, tmp, "airflow_fetch")
    stack.extra_env.update(
        {
            "AIRFLOW_CONN_RESULTSNIGHT_FEED": f"ftp://pa:pw-live-2@127.0.0.1:{server.port}/live",
            "RESULTSNIGHT_FETCH_POLL_SECONDS": "1",
        }
    )
    stack.migrate()
    stack.start()
    try:
        stack.wait_ready(timeout=240)
        seats = SEATS[:4]  # a flip, a hold, the false flip and its correction, a recount
        night = tmp / "night"
        written = play(plan_night(only=seats), night, speed=0, progress=False)
        for p in sorted(night.iterdir(), key=lambda p: p.stat().st_mtime_ns):  # as the agency's feeder does
            (root / "live" / "results" / p.name).write_bytes(p.read_bytes())
            (root / "live" / "results" / ".timestamp").write_text(f"{time.time():.5f}")
            time.sleep(0.2)
        _wait_processed(engine, stack, written, timeout=300)
        time.sleep(5)  # and nothing arrives twice
        assert rows(engine, "select count(*) from pipeline.receipt") == [(written,)]
        assert rows(engine, "select count(*) from pipeline.fetched_file") == [(written,)]
        kinds = Counter(k for k, *_ in alerts(engine).elements())
        assert kinds == plan_alerts(only=seats)["counts"]  # what an in-process ingest of the night raises
        assert max(alerts(engine).values()) == 1
    finally:
        stack.stop(timeout=20)
        server.kill()
