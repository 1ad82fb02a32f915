"""The deployment's environment files: reading them, and which compose service may hold which variable.

deploy/allowed-environment.yml names, per service, the variables it may be
given and the .env credentials its values may carry; `make deploy-test` and
tests/test_compose.py check the compose file against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import PROJECT_ROOT


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of an env file, comments and blanks skipped."""
    env = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip()
    return env


ALLOWED_ENVIRONMENT = PROJECT_ROOT / "deploy" / "allowed-environment.yml"
# The .env variables that are credentials: their values may reach only the
# services deploy/allowed-environment.yml names.
SECRET_VARIABLE = re.compile(r"PASSWORD|SECRET|FERNET_KEY|^RESULTSNIGHT_ALERT_WEBHOOK$|^AIRFLOW_CONN_")


@dataclass(frozen=True)
class Allowance:
    """What one compose service may hold: variable names, and the .env secrets its values may carry."""

    environment: frozenset[str]
    secrets: frozenset[str]


def allowed_environment(path: Path = ALLOWED_ENVIRONMENT) -> dict[str, Allowance]:
    """deploy/allowed-environment.yml by service, its groups expanded."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    groups = data.get("groups") or {}
    out = {}
    for service, body in data["services"].items():
        names: set[str] = set()
        for item in body.get("environment") or []:
            names.update(groups.get(item, [item]))
        out[service] = Allowance(frozenset(names), frozenset(body.get("secrets") or []))
    return out
