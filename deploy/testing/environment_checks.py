"""The deploy test's environment: the .env it writes (fresh secrets, free ports), and the checks that each
container holds only what deploy/allowed-environment.yml lets it and that the stack refuses published secrets.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

from harness import ROOT, Compose, inspect, run

from pipeline.rehearsal.environment import SECRET_VARIABLE, allowed_environment, read_env_file
from pipeline.rehearsal.processes import free_port

# A test-only secret -> the deployment's secret that carries it (the FTP password is inside the connection URI).
CARRIED_IN = {"TESTING_FEED_FTP_PASSWORD": "AIRFLOW_CONN_RESULTSNIGHT_FEED"}
# The .env's credentials, made fresh for each run.
SECRETS = (
    "AIRFLOW_DB_PASSWORD",
    "RESULTS_DB_PASSWORD",
    "ANALYST_PASSWORD",
    "BOARD_DB_PASSWORD",
    "AIRFLOW_JWT_SECRET",
    "AIRFLOW_API_SECRET_KEY",
    "AIRFLOW_ADMIN_PASSWORD",
    "PIPELINE_DB_PASSWORD",
    "DESK_DB_PASSWORD",
    "REDIS_PASSWORD",
)


def write_env(path: Path, images: dict[str, str]) -> dict[str, str]:
    """The test's .env: deploy/.env.example with fresh secrets, free ports, the stand-ins and the receiver."""
    values = read_env_file(ROOT / "deploy" / ".env.example")
    values.update({name: secrets.token_hex(16) for name in SECRETS})
    values["AIRFLOW_FERNET_KEY"] = base64.urlsafe_b64encode(os.urandom(32)).decode()
    values.update(
        AIRFLOW_API_PORT=str(free_port()),
        RESULTS_DB_PORT=str(free_port()),
        FLOWER_PORT=str(free_port()),
        BOARD_PORT=str(free_port()),
        RESULTSNIGHT_IMAGE="resultsnight-testing/resultsnight-airflow:3.3.2",
        AIRFLOW_IMAGE=images["airflow"],
        POSTGRES_IMAGE=images["postgres"],
        REDIS_IMAGE=images["redis"],
        TESTING_HELPER_IMAGE=images["helper"],
        RESULTSNIGHT_ALERT_WEBHOOK="http://alert-receiver:8000/alert",
        # The agency's server (compose.test.yml's feed-ftp): its read-only account's password, and
        # the workers' connection to it, which the fetch DAG reads.
        TESTING_FEED_FTP_PASSWORD=(ftp_password := secrets.token_hex(16)),
        AIRFLOW_CONN_RESULTSNIGHT_FEED=f"ftp://feed:{ftp_password}@feed-ftp:2121/",
        RESULTSNIGHT_FETCH_ENABLED="true",
    )
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    path.chmod(0o600)
    return values


def environments(compose: Compose, env: dict[str, str], checks) -> dict[str, list[str]]:
    """Each container holds only what deploy/allowed-environment.yml lets its service, and no other service's secret."""
    allowed = allowed_environment()
    secret_values = {k: v for k, v in env.items() if SECRET_VARIABLE.search(k) and v}
    held_by: dict[str, list[str]] = {}
    bad = []
    for row in compose.ps():
        service = row["Service"]
        if service not in allowed:
            continue  # the test's own helpers (compose.test.yml)
        info = inspect(row["ID"])
        image = json.loads(run(["docker", "image", "inspect", info["Image"]]).stdout)[0]
        base = dict(item.split("=", 1) for item in image["Config"].get("Env") or [])
        held = dict(item.split("=", 1) for item in info["Config"].get("Env") or [])
        # What compose gave it: every variable the image does not set to the same value.
        own = sorted(k for k, v in held.items() if base.get(k) != v)
        extra = set(own) - allowed[service].environment
        leaked = sorted(
            k
            for k, v in secret_values.items()
            if k not in allowed[service].secrets
            and CARRIED_IN.get(k) not in allowed[service].secrets
            and any(v in value for value in held.values())
        )
        if extra or leaked:
            bad.append(f"{service}: not allowed {sorted(extra)}, others' secrets {leaked}")
        held_by[service] = own
    board = held_by.get("board")
    checks.check(
        "each container's environment within deploy/allowed-environment.yml",
        bool(held_by) and not bad,
        "; ".join(bad) or f"{len(held_by)} services; the board holds {board}",
    )
    return held_by


def refuses_example_and_empty_secrets(compose: Compose, env: dict[str, str], workdir, checks) -> None:
    """With deploy/.env.example's secrets the services refuse to start (exit 78); an empty one stops compose itself."""
    example = read_env_file(ROOT / "deploy" / ".env.example")
    values = {**env, **{k: v for k, v in example.items() if SECRET_VARIABLE.search(k)}}
    env_file = workdir / "example.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    other = Compose(f"{compose.project}-refusal", env_file, [ROOT / "docker-compose.yml"])
    results = {}
    try:
        # one of each way in: our image's own entrypoint, an entrypoint naming the
        # check (board), the check mounted into an image not ours (redis, results-db)
        for service in ("airflow-triggerer", "board", "redis", "results-db"):
            proc = other("run", "--rm", "--no-deps", "-T", service, check=False, timeout=180)
            said = proc.stderr.decode(errors="replace")
            results[service] = (
                proc.returncode if "published example value" in said else f"{proc.returncode} (no reason given)"
            )
    finally:
        other("down", "-v", "--remove-orphans", check=False, timeout=120)
    checks.check(
        "services refuse deploy/.env.example's secrets",
        all(code == 78 for code in results.values()),
        f"exit codes {results}",
    )
    env_file.write_text(
        "".join(f"{k}={'' if k == 'REDIS_PASSWORD' else v}\n" for k, v in env.items()), encoding="utf-8"
    )
    empty = Compose(f"{compose.project}-refusal", env_file, [ROOT / "docker-compose.yml"])("config", "-q", check=False)
    said = empty.stderr.decode(errors="replace")
    checks.check(
        "docker compose refuses an empty secret",
        empty.returncode != 0 and "REDIS_PASSWORD" in said,
        f"exit {empty.returncode}: {said.strip()[:120]}",
    )
    env_file.unlink()
