"""`make bench` keeps working: its in-process parts run once, quickly, against the test server.

Figures are not checked (tests never assert on time); only that every part
runs and reports. The Airflow part is left to `make bench` itself: its
live-stack mechanics are covered by tests/test_dags.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from pipeline.config import PROJECT_ROOT
from pipeline.rehearsal.stories import plan_feed, plan_night

pytestmark = pytest.mark.integration


def bench(settings, tmp_path, only: str, timeout: float) -> tuple[subprocess.CompletedProcess, dict]:
    """Run `python -m benchmarks.bench --runs 1 --only <only>` on the test database: its run and its figures."""
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench", "--runs", "1", "--only", only, "--out", str(out)],
        env={**os.environ, "DATABASE_URL": settings.database_url},
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done, json.loads(out.read_text())


def test_bench_runs_its_in_process_parts(settings, tmp_path):
    done, figures = bench(settings, tmp_path, "ingest,feed,command,recompute", timeout=300)
    # every message of the replayed night (its same bytes under two names count once in the bench's folder)
    assert figures["ingest"]["files"] == len({m.file_name for m in plan_night()})
    assert figures["feed"]["files"] == len(
        {m.file_name for m in plan_feed()}
    )  # nominations and states of the parties too
    assert set(figures["recompute"]["store_ms"]) == {"1", "325", "650"}
    assert "| ratio at 650 / at 1 |" in done.stdout


def test_the_projection_benchmark_runs(settings, tmp_path):
    """`make bench --only projection` keeps working (its figures are not checked: tests never assert on time)."""
    done, figures = bench(settings, tmp_path, "projection", timeout=600)
    projection = figures["projection"]
    assert set(projection["model"]["ms"]) == set(projection["refresh"]["ms"]) == {"1", "325", "650"}
    assert "refresh_projection in the storing transaction, 650 declared" in done.stdout


@pytest.mark.slow
def test_bench_fetch_measures_latency_idle_load_and_a_reconnect(clean_db):
    from benchmarks.fetch import bench_fetch

    out = bench_fetch(clean_db, runs=1, files=2, idle=2, poll=0.3, protocols=("ftp", "sftp"), backlog=3, down=1)
    assert [r["protocol"] for r in out["runs"]] == ["ftp", "sftp"]
    for r in out["runs"]:
        assert len(r["latencies"]) == 2 and r["median_s"] > 0
        assert r["idle_listings"] == 0 and 0.5 <= r["idle_timestamp_reads_per_poll"] <= 1.5
    assert len(out["backlog"]) == 1 and out["backlog"][0]["seconds"] > 0
    assert len(out["rows"]) == 3 and all(row.startswith("| ") for row in out["rows"])
