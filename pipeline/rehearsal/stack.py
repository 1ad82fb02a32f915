"""A local Airflow stack (api-server, scheduler, dag-processor, triggerer) on 127.0.0.1.

Used by `make demo`, the end-to-end tests and `make bench`. It runs the
`airflow` command in subprocesses; nothing here imports Airflow. Airflow's
metadata lives in its own database on the same Postgres server as the
results, and every component listens on 127.0.0.1 only (the log servers are
skipped: `airflow standalone`'s listen on every interface).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline.config import PROJECT_ROOT, Settings
from pipeline.exceptions import PipelineError
from pipeline.rehearsal.environment import read_env_file
from pipeline.rehearsal.processes import kill_tasks, wait_gone

COMPONENTS = {
    "api-server": ["api-server", "--host", "127.0.0.1", "--port", "{port}"],
    "scheduler": ["scheduler", "--skip-serve-logs"],
    "dag-processor": ["dag-processor"],
    "triggerer": ["triggerer", "--skip-serve-logs"],
}
LATENCY_ENV = PROJECT_ROOT / "deploy" / "airflow-latency.env"


def ensure_database(admin_sqlalchemy_url: str, name: str) -> None:
    """Create database `name` on the server of the given URL if it does not exist."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(admin_sqlalchemy_url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            conn.execute(psycopg.sql.SQL("create database {}").format(psycopg.sql.Identifier(name)))


@dataclass
class LocalStack:
    """The four Airflow components for one AIRFLOW_HOME, started and stopped together."""

    settings: Settings
    results_url: str  # SQLAlchemy URL of the results database
    home: Path  # AIRFLOW_HOME
    metadata_db: str = "airflow"
    port: int = 8080
    extra_env: dict[str, str] = field(default_factory=dict)
    started_at: dict[str, datetime] = field(default_factory=dict, repr=False)  # component -> when started

    @property
    def metadata_url(self) -> str:
        """SQLAlchemy URL of Airflow's own database (same server, its own database)."""
        from sqlalchemy.engine import make_url

        return make_url(self.results_url).set(database=self.metadata_db).render_as_string(hide_password=False)

    def _secrets(self) -> dict[str, str]:
        # Generated once per AIRFLOW_HOME and kept there: never in code or the repo.
        path = self.home / "secrets.env"
        if not path.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            path.write_text(
                f"AIRFLOW__API__SECRET_KEY={secrets.token_hex(32)}\n"
                f"AIRFLOW__API_AUTH__JWT_SECRET={secrets.token_hex(32)}\n"
            )
            path.chmod(0o600)
        return read_env_file(path)

    def env(self) -> dict[str, str]:
        """The environment every component (and each task it runs) sees."""
        meta = self.metadata_url
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
        env.update(
            {
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta,
                # without this Airflow derives an asyncpg URL, and asyncpg is not installed
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": meta.replace(
                    "postgresql+psycopg://", "postgresql+psycopg_async://"
                ),
                "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
                "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
                "AIRFLOW__CORE__AUTH_MANAGER": (
                    "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
                ),
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",  # a laptop rehearsal: no login
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(self.port),
                "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{self.port}",
                "DATABASE_URL": self.results_url,
                "RESULTSNIGHT_DATA_DIR": str(self.settings.data_dir),
                "RESULTSNIGHT_INBOX": str(self.settings.inbox),
                "RESULTSNIGHT_ARCHIVE": str(self.settings.archive),
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            }
        )
        # Components talk to each other over 127.0.0.1; a proxy set for the
        # outside world must not sit in between.
        no_proxy = ",".join(
            filter(None, [os.environ.get("NO_PROXY") or os.environ.get("no_proxy"), "127.0.0.1,localhost"])
        )
        env["NO_PROXY"] = env["no_proxy"] = no_proxy
        env.update(read_env_file(LATENCY_ENV))
        env.update(self._secrets())
        env.update(self.extra_env)
        return env

    @property
    def run_dir(self) -> Path:
        """Where pid files and component logs go."""
        return self.home / "run"

    def airflow(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        """Run one `airflow` CLI command with the stack's environment."""
        exe = str(Path(sys.executable).parent / "airflow")
        return subprocess.run(
            [exe, *args], env=self.env(), capture_output=True, text=True, check=check, timeout=timeout
        )

    def migrate(self) -> None:
        """Create Airflow's metadata database and migrate it (idempotent)."""
        ensure_database(self.results_url, self.metadata_db)
        self.settings.inbox.mkdir(parents=True, exist_ok=True)
        self.settings.archive.mkdir(parents=True, exist_ok=True)
        proc = self.airflow("db", "migrate", check=False)
        if proc.returncode != 0:
            raise PipelineError(f"airflow db migrate failed:\n{proc.stderr[-3000:]}")

    def start(self, names: tuple[str, ...] = tuple(COMPONENTS)) -> None:
        """Start components, each in its own process group, logs under run/."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        exe = str(Path(sys.executable).parent / "airflow")
        env = self.env()
        for name in names:
            if self.pid(name):
                continue
            args = [a.format(port=self.port) for a in COMPONENTS[name]]
            self.started_at[name] = datetime.now(UTC)
            log = open(self.run_dir / f"{name}.log", "ab")  # noqa: SIM115 - handed to the child
            proc = subprocess.Popen(
                [exe, *args],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            log.close()
            (self.run_dir / f"{name}.pid").write_text(str(proc.pid))

    def pid(self, name: str) -> int | None:
        """The pid of a running component, or None."""
        path = self.run_dir / f"{name}.pid"
        if not path.exists():
            return None
        pid = int(path.read_text())
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
            return None
        return pid

    def stop(self, names: tuple[str, ...] = tuple(COMPONENTS), timeout: float = 30, hard: bool = False) -> list[str]:
        """SIGTERM (or SIGKILL with hard=True) each component's process group; wait; kill leftovers.

        Returns the components that had to be SIGKILLed after `timeout`.
        Returns once every process of every group is gone (or 10 s after
        the SIGKILL, which only an unkillable process outlasts).
        """
        groups = {n: p for n in names if (p := self.pid(n))}
        whole = set(names) >= set(COMPONENTS)
        tasks = self._running_task_ids() if whole else set()
        for pid in groups.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL if hard else signal.SIGTERM)
        groups = wait_gone(groups, timeout)
        for pid in groups.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        wait_gone(groups, 10)
        for name in names:
            (self.run_dir / f"{name}.pid").unlink(missing_ok=True)
        if whole:
            # Task processes have process groups of their own, so a lingering ingest or
            # delivery task outlives its scheduler: when the whole stack stops, so do they.
            kill_tasks(tasks)
        return sorted(groups)

    def _running_task_ids(self) -> set[str]:
        """The ids of this stack's task instances that are not finished (their processes are named by them)."""
        try:
            rows = self.query_metadata("select id::text from task_instance where state in ('running', 'queued')")
        except Exception:  # noqa: BLE001 - a stack whose metadata database is gone has no tasks to find
            return set()
        return {r[0] for r in rows}

    def query_metadata(self, query: str, params: tuple = ()) -> list[tuple]:
        """Rows of one read-only query on Airflow's metadata database (for readiness checks and tests)."""
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(self.metadata_url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url) as conn:
            return conn.execute(query, params).fetchall()

    def active_runs(self, dag_id: str = "resultsnight_ingest") -> int:
        """How many runs of a DAG are queued or running."""
        rows = self.query_metadata(
            "select count(*) from dag_run where dag_id = %s and state in ('queued', 'running')", (dag_id,)
        )
        return rows[0][0]

    def wait_ready(self, timeout: float = 180) -> None:
        """Wait until the ingest DAG is parsed and its inbox watcher has scanned the inbox.

        A trigger row with a triggerer is not enough: the watcher's first scan
        comes seconds later (it first reads its state through the api-server),
        and files dropped in between are only picked up by the minute's sweep.
        The watcher saves its state after its first scan, so a state row newer
        than the triggerer's start means it is watching.
        """
        import psycopg

        since = self.started_at.get("triggerer", datetime.fromtimestamp(0, UTC))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name in COMPONENTS:
                if self.pid(name) is None and (self.run_dir / f"{name}.log").exists():
                    tail = (self.run_dir / f"{name}.log").read_text(errors="replace")[-2000:]
                    raise PipelineError(f"airflow {name} exited; its log ends:\n{tail}")
            try:
                rows = self.query_metadata(
                    "select count(*) from asset_state_store where key = %s and updated_at >= %s",
                    ("announced_files", since),
                )
                if rows[0][0] > 0:
                    return
            except psycopg.Error:
                pass  # tables not there yet
            time.sleep(0.5)
        raise PipelineError(f"Airflow was not ready after {timeout:.0f} s; logs in {self.run_dir}")
