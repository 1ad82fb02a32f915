"""docker-compose.yml, Dockerfile and deploy/, checked without Docker.

Nothing here starts a container: the file must parse, every command must be a
real `airflow` (3.3, from this venv's CLI parser) or `resultsnight` command,
every file it points at must exist, every setting the pipeline reads must be
set, the two databases must be separate, every service must be health-checked
and waited for, nothing may be published beyond 127.0.0.1 and no password may
be written down. Each service holds only what deploy/allowed-environment.yml
lets it (least privilege), starts through deploy/refuse-example-secrets.sh
(run here for real with sh), and Redis needs its password.
"""

from __future__ import annotations

import ast
import base64
import importlib.metadata
import importlib.util
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from functools import cache
from pathlib import Path, PurePosixPath

import pytest
import yaml

from pipeline.rehearsal.environment import SECRET_VARIABLE, allowed_environment, read_env_file

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / "deploy" / ".env.example"
SECRETS_CHECK = ROOT / "deploy" / "refuse-example-secrets.sh"
IMAGE_SECRETS_CHECK = "/opt/resultsnight/deploy/refuse-example-secrets.sh"

IMAGE_PROJECT_ROOT = PurePosixPath("/opt/resultsnight")
SERVICES = {
    "postgres",
    "results-db",
    "redis",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
    "flower",
    "board",
    "desk",
}
# The services that may publish a port (always on 127.0.0.1); flower only under its profile.
PUBLISHERS = {"airflow-apiserver", "results-db", "flower", "board"}
# Services that touch the inbox and archive.
DATA_USERS = ("airflow-scheduler", "airflow-triggerer", "airflow-worker")


@cache
def celery_options() -> set[tuple[str, str]]:
    """(section, option) of every setting apache-airflow-providers-celery declares (installed from the lock)."""
    # Loaded from its file, not imported: importing anything under `airflow`
    # here would configure Airflow in this process before the DAG tests
    # point it at their own AIRFLOW_HOME.
    spec = importlib.util.find_spec("airflow")
    path = Path(spec.submodule_search_locations[0]) / "providers" / "celery" / "get_provider_info.py"
    loader = importlib.util.spec_from_file_location("_celery_provider_info", path)
    module = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(module)
    get_provider_info = module.get_provider_info
    return {
        (section, option)
        for section, body in get_provider_info()["config"].items()
        for option in body.get("options") or {}
    }


SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|_KEY$|TOKEN")
REQUIRED_REF = re.compile(r"^\$\{[A-Za-z_][A-Za-z0-9_]*:?\?[^}]*\}$")  # ${NAME:?message}: no default


# --------------------------------------------------------------------------- helpers

_REF = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)


def interpolate(value: str) -> str:
    """Compose's variable substitution with nothing set: defaults apply, required values become a placeholder."""

    def sub(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op = match.group("op") or ""
        if "-" in op:
            return match.group("arg")
        if "?" in op:
            return f"required-{name}"
        return ""

    return _REF.sub(sub, value)


@cache
def compose() -> dict:
    """docker-compose.yml as YAML (anchors and merge keys resolved)."""
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def services() -> dict[str, dict]:
    """The services, by name."""
    return compose()["services"]


def as_dict(value: dict | list | None) -> dict[str, str]:
    """A compose mapping that may be written as a dict or a list of KEY=VALUE."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    return dict(item.split("=", 1) if "=" in item else (item, "") for item in value)


def env_files(service: dict) -> list[Path]:
    """The env_file paths of a service, relative to the repository."""
    value = service.get("env_file") or []
    items = [value] if isinstance(value, (str, dict)) else value
    return [ROOT / interpolate(item if isinstance(item, str) else item["path"]) for item in items]


def raw_environment(service: dict) -> dict[str, str]:
    """A service's environment before interpolation: env_file first, `environment` over it."""
    env: dict[str, str] = {}
    for path in env_files(service):
        env.update(read_env_file(path))
    env.update(as_dict(service.get("environment")))
    return env


def environment(service: dict) -> dict[str, str]:
    """A service's environment as the container would see it with only the required values set."""
    return {k: interpolate(v) for k, v in raw_environment(service).items()}


def airflow_services() -> dict[str, dict]:
    """The services running our Airflow image."""
    image = compose()["x-airflow-common"]["image"]
    return {name: svc for name, svc in services().items() if svc.get("image") == image}


def one_shot(name: str) -> bool:
    """Whether another service waits for this one to exit successfully (an init job)."""
    return any(
        isinstance(svc.get("depends_on"), dict)
        and (svc["depends_on"].get(name) or {}).get("condition") == "service_completed_successfully"
        for svc in services().values()
    )


def volume_mounts(service: dict) -> list[tuple[str | None, str, bool]]:
    """(source, target, is_bind) of each volume of a service, interpolated."""
    mounts = []
    for item in service.get("volumes") or []:
        if isinstance(item, dict):
            source = interpolate(item.get("source", "")) or None
            mounts.append((source, item["target"], item.get("type") == "bind"))
            continue
        parts = interpolate(item).split(":")
        if len(parts) == 1:
            mounts.append((None, parts[0], False))  # anonymous volume
        else:
            source = parts[0]
            mounts.append((source, parts[1], source.startswith((".", "/", "~"))))
    return mounts


def dockerfile_lines() -> list[str]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def dockerfile_base_image() -> str:
    """The FROM image, with ARG defaults substituted."""
    args: dict[str, str] = {}
    for line in dockerfile_lines():
        keyword, _, rest = line.partition(" ")
        if keyword.upper() == "ARG" and "=" in rest:
            name, value = rest.split("=", 1)
            args[name.strip()] = value.strip().strip('"')
        if keyword.upper() == "FROM":
            image = rest.split()[0]
            return re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), image)
    raise AssertionError("the Dockerfile has no FROM")


def dockerfile_copies() -> list[tuple[list[str], str]]:
    """(sources, destination) of each COPY/ADD, flags dropped."""
    copies = []
    for line in dockerfile_lines():
        keyword, _, rest = line.partition(" ")
        if keyword.upper() in {"COPY", "ADD"}:
            words = [w for w in shlex.split(rest) if not w.startswith("--")]
            copies.append((words[:-1], words[-1]))
    return copies


def locked_version(package: str) -> str:
    """The version requirements.lock pins for a package."""
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        name, sep, version = line.strip().partition("==")
        if sep and name.lower() == package.lower():
            return version
    raise AssertionError(f"requirements.lock does not pin {package}")


def pipeline_env_names() -> set[str]:
    """Every environment variable the pipeline reads: DATABASE_URL and RESULTSNIGHT_* names in pipeline/."""
    names = set()
    for path in (ROOT / "pipeline").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.fullmatch(r"DATABASE_URL|RESULTSNIGHT_[A-Z0-9_]+", node.value)
            ):
                names.add(node.value)
    return names


def split_shell(line: str) -> list[list[str]]:
    """The simple commands of one shell line, leading VAR=value and /entrypoint or exec dropped."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands, current = [], []
    for token in lexer:
        if token and set(token) <= set(";&|"):
            commands.append(current)
            current = []
        else:
            current.append(token)
    commands.append(current)
    cleaned = []
    for words in commands:
        while words and (re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]) or words[0] in {"/entrypoint", "exec"}):
            words = words[1:]
        if words:
            cleaned.append(words)
    return cleaned


def commands_in(service: dict) -> list[list[str]]:
    """Every airflow/resultsnight invocation in a service's command, entrypoint script and healthcheck."""
    found = []
    command = service.get("command")
    entrypoint = service.get("entrypoint")
    if command is not None and entrypoint is None and service.get("image") == compose()["x-airflow-common"]["image"]:
        # the image's entrypoint runs `airflow <command>`
        words = shlex.split(command) if isinstance(command, str) else [str(w) for w in command]
        found.append(words if words[0] == "airflow" else ["airflow", *words])
    elif command is not None and isinstance(entrypoint, list) and entrypoint[-1] == "resultsnight":
        # [refuse-example-secrets.sh, resultsnight] + the command as its arguments
        found.append(["resultsnight", *(shlex.split(command) if isinstance(command, str) else map(str, command))])
    elif command is not None and entrypoint is not None:
        script = command if isinstance(command, str) else "\n".join(str(w) for w in command if w not in {"-c"})
        for line in interpolate(script).splitlines():
            for words in split_shell(line):
                if words[0] in {"airflow", "resultsnight"}:
                    found.append(words)
    test = (service.get("healthcheck") or {}).get("test")
    if isinstance(test, list) and test and test[0] == "CMD-SHELL":
        for words in split_shell(interpolate(" ".join(test[1:]))):
            if words[0] in {"airflow", "resultsnight"}:
                found.append(words)
    elif isinstance(test, list) and len(test) > 1 and test[0] == "CMD" and test[1] in {"airflow", "resultsnight"}:
        found.append(test[1:])
    return found


_DUMP_AIRFLOW_CLI = """
import argparse, json
from airflow.cli.cli_parser import get_parser

def walk(parser):
    node = {"options": sorted(o for a in parser._actions for o in a.option_strings), "commands": {}}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                node["commands"][name] = walk(sub)
    return node

print(json.dumps(walk(get_parser())))
"""


@pytest.fixture(scope="module")
def airflow_cli(tmp_path_factory) -> dict:
    """The `airflow` command tree of this venv's Airflow: subcommands and options."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env["AIRFLOW_HOME"] = str(tmp_path_factory.mktemp("airflow_home"))
    # The `airflow celery` commands are the installed Celery provider's; the
    # CLI lists an executor's commands only when it is the configured one.
    env["AIRFLOW__CORE__EXECUTOR"] = "CeleryExecutor"
    proc = subprocess.run(
        [sys.executable, "-c", _DUMP_AIRFLOW_CLI], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def check_airflow_command(words: list[str], tree: dict) -> None:
    """Fail unless `words` (starting with airflow) names a real command with real options."""
    args = words[1:]
    node, i = tree, 0
    while node["commands"]:
        assert i < len(args), f"`{' '.join(words)}` needs a subcommand of {sorted(node['commands'])}"
        assert args[i] in node["commands"], f"`{' '.join(words)}`: no `{args[i]}` in {sorted(node['commands'])}"
        node, i = node["commands"][args[i]], i + 1
    for word in args[i:]:
        if word.startswith("-"):
            assert word.split("=", 1)[0] in node["options"], f"`{' '.join(words)}`: no option {word}"


def check_resultsnight_command(words: list[str]) -> None:
    """Fail unless `words` (starting with resultsnight) parses with the real CLI parser."""
    from pipeline.cli import build_parser

    try:
        build_parser().parse_args(words[1:])
    except SystemExit as exc:
        if exc.code == 0 and "--help" in words:  # the desk service's default: the call command's help
            return
        pytest.fail(f"`{' '.join(words)}` is not a resultsnight command (exit {exc.code})")


# --------------------------------------------------------------------------- the file itself


def test_compose_parses_with_the_expected_services():
    data = compose()
    assert set(data["services"]) >= SERVICES, f"missing: {SERVICES - set(data['services'])}"
    common = data["x-airflow-common"]
    assert {"image", "environment", "volumes"} <= set(common)
    assert set(airflow_services()) == {name for name in SERVICES if name.startswith("airflow-")} | {
        "flower",
        "board",
        "desk",
    }
    assert data["services"]["flower"].get("profiles"), "flower is optional: it belongs under a profile"
    assert data["services"]["desk"].get("profiles"), "the desk's CLI is run on demand: it belongs under a profile"
    for name, svc in airflow_services().items():
        assert svc.get("build"), f"{name} must run our image (built from ./Dockerfile), not plain apache/airflow"


def test_every_image_or_build_exists():
    for name, svc in services().items():
        assert "image" in svc or "build" in svc, f"{name} has neither image nor build"
        build = svc.get("build")
        if build is not None:
            context = ROOT / interpolate(build if isinstance(build, str) else build.get("context", "."))
            dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
            assert (context / dockerfile).is_file(), f"{name}: no {context / dockerfile}"
        else:
            image = interpolate(svc["image"])
            assert ":" in image and not image.endswith(":latest"), f"{name}: pin the image tag ({image})"


def test_dockerfile_extends_the_official_image_at_the_locked_airflow():
    from packaging.specifiers import SpecifierSet

    image = dockerfile_base_image()
    match = re.fullmatch(r"apache/airflow:(?P<airflow>\d+\.\d+\.\d+)-python(?P<python>\d+\.\d+)", image)
    assert match, f"the Dockerfile should extend an official apache/airflow:<version>-python<x.y> image, not {image}"
    assert match["airflow"] == locked_version("apache-airflow") == importlib.metadata.version("apache-airflow")
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    assert match["python"] in SpecifierSet(requires), f"python{match['python']} does not satisfy {requires}"
    tag = interpolate(compose()["x-airflow-common"]["image"]).rsplit(":", 1)[-1]
    assert match["airflow"] in tag, f"tag the built image with the Airflow version ({tag})"


def test_dockerfile_installs_the_project_where_project_root_expects_it():
    copies = dockerfile_copies()
    for sources, _dest in copies:
        for source in sources:
            assert list(ROOT.glob(source)), f"the Dockerfile copies {source}, which is not in the repository"
    destinations = {PurePosixPath(dest.rstrip("/")) for _sources, dest in copies}
    env = environment(airflow_services()["airflow-scheduler"])
    # PROJECT_ROOT is the parent of the installed `pipeline` package: these must sit beside it.
    needed = {"pipeline", "sql", "seeds", "expectations"}
    needed |= {
        PurePosixPath(env["AIRFLOW__CORE__DAGS_FOLDER"]).name,
        PurePosixPath(env["AIRFLOW__CORE__PLUGINS_FOLDER"]).name,
    }
    for folder in sorted(needed):
        assert (ROOT / folder).is_dir(), f"{folder}/ is not in the repository"
        assert IMAGE_PROJECT_ROOT / folder in destinations, (
            f"the Dockerfile does not copy {folder}/ to {IMAGE_PROJECT_ROOT}"
        )
    text = " ".join(dockerfile_lines())
    assert re.search(r"pip install [^&]*-r \S*requirements\.lock", text), "install the pinned requirements.lock"
    assert re.search(rf"pip install [^&]*--no-deps [^&]*-e {IMAGE_PROJECT_ROOT}\b", text), (
        f"install the project editable (`pip install --no-deps -e {IMAGE_PROJECT_ROOT}`) "
        f"so PROJECT_ROOT is {IMAGE_PROJECT_ROOT}"
    )
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(IMAGE_PROJECT_ROOT / "dags")


def test_every_command_is_a_real_command(airflow_cli):
    seen = []
    for svc in services().values():
        for words in commands_in(svc):
            seen.append(words[:3])
            if words[0] == "airflow":
                check_airflow_command(words, airflow_cli)
            else:
                check_resultsnight_command(words)
    for required in (["airflow", "api-server"], ["airflow", "scheduler"], ["airflow", "dag-processor"],
                     ["airflow", "triggerer"], ["airflow", "celery", "worker"], ["airflow", "db", "migrate"],
                     ["resultsnight", "db", "init"], ["resultsnight", "db", "roles"],
                     ["resultsnight", "serve", "--host"], ["resultsnight", "call", "--help"]):  # fmt: skip
        assert required in seen, f"nothing runs `{' '.join(required)}`"


def test_every_referenced_path_exists():
    declared = set(compose().get("volumes") or {})
    for name, svc in services().items():
        for path in env_files(svc):
            assert path.is_file(), f"{name}: env_file {path} is missing"
        for source, _target, is_bind in volume_mounts(svc):
            if source is None:
                continue
            if is_bind:
                path = (ROOT / source).resolve() if not source.startswith("/") else Path(source)
                assert path.exists(), f"{name}: bind mount source {source} is missing"
                assert ROOT in path.parents or path == ROOT, f"{name}: bind mount {source} is outside the repository"
            else:
                assert source in declared, f"{name}: volume {source} is not declared under top-level volumes"


# Who reaches the results database, as which role (sql/migrations/0012_roles.sql):
# the owner only for airflow-init; the rest their own role, with its own password.
RESULTS_DB_USERS = {
    "airflow-init": ("DATABASE_URL", None, "RESULTS_DB_PASSWORD"),  # None: results-db's POSTGRES_USER
    "airflow-worker": ("DATABASE_URL", "pipeline_writer", "PIPELINE_DB_PASSWORD"),
    "desk": ("DATABASE_URL", "desk", "DESK_DB_PASSWORD"),
    "board": ("RESULTSNIGHT_BOARD_DATABASE_URL", "board", "BOARD_DB_PASSWORD"),
}


def test_the_pipeline_settings_are_set_where_the_pipeline_runs():
    from pipeline.config import load_settings

    # What the tasks cannot do without (the tunables with defaults may stay unset).
    needed = {
        "DATABASE_URL",
        "RESULTSNIGHT_DATA_DIR",
        "RESULTSNIGHT_INBOX",
        "RESULTSNIGHT_ARCHIVE",
        "RESULTSNIGHT_SEEDS_DIR",
        "RESULTSNIGHT_EXPECTATIONS_DIR",
        "RESULTSNIGHT_ALERT_WEBHOOK",
    }
    assert needed <= pipeline_env_names()
    raw = raw_environment(services()["airflow-worker"])
    assert needed <= set(raw), f"airflow-worker does not set {sorted(needed - set(raw))}"
    # optional, passed through from the host: never a value written here
    assert re.fullmatch(r"\$\{RESULTSNIGHT_ALERT_WEBHOOK:?-?\}", raw["RESULTSNIGHT_ALERT_WEBHOOK"])
    for name, svc in airflow_services().items():
        if name in ("board", "desk"):
            continue
        settings = load_settings(environment(svc))  # raises on a malformed DATABASE_URL
        targets = [PurePosixPath(target) for _source, target, _bind in volume_mounts(svc)]
        for folder in (settings.inbox, settings.archive, settings.data_dir):
            assert any(t in PurePosixPath(folder).parents or t == PurePosixPath(folder) for t in targets), (
                f"{name}: {folder} is not on a volume, so it is not shared and does not survive a restart"
            )
        assert PurePosixPath(settings.seeds_dir) == IMAGE_PROJECT_ROOT / "seeds"
        assert PurePosixPath(settings.expectations_dir) == IMAGE_PROJECT_ROOT / "expectations"


def test_each_component_reaches_the_results_db_as_its_own_role():
    from sqlalchemy.engine import make_url

    results_db = environment(services()["results-db"])
    for name, svc in services().items():
        raw = raw_environment(svc)
        holders = [k for k, v in raw.items() if "@results-db:" in v]
        if name not in RESULTS_DB_USERS:
            assert not holders, f"{name} reaches the results database ({holders}); it has no business there"
            continue
        variable, role, password = RESULTS_DB_USERS[name]
        assert holders == [variable], f"{name}: results database URLs in {holders}, expected only {variable}"
        url = make_url(environment(svc)[variable])
        assert url.drivername == "postgresql+psycopg"
        assert (url.host, url.port or 5432, url.database) == ("results-db", 5432, results_db["POSTGRES_DB"])
        assert url.username == (role or results_db["POSTGRES_USER"])
        assert url.password == f"required-{password}", f"{name}: the password of {url.username} comes from {password}"
    # Every login role gets its password from airflow-init's environment (`resultsnight db roles`).
    from pipeline.config import LOGIN_PASSWORD_VARIABLES

    init = raw_environment(services()["airflow-init"])
    for role, variable in LOGIN_PASSWORD_VARIABLES.items():
        assert REQUIRED_REF.match(init.get(variable, "")), f"airflow-init does not pass {variable} (role {role})"
    script = "\n".join(str(w) for w in services()["airflow-init"]["command"])
    assert script.index("resultsnight db init") < script.index("resultsnight db roles"), "db roles runs after db init"


def test_inbox_and_archive_are_shared_by_scheduler_triggerer_and_workers():
    env = environment(services()["airflow-triggerer"])
    inbox, archive = PurePosixPath(env["RESULTSNIGHT_INBOX"]), PurePosixPath(env["RESULTSNIGHT_ARCHIVE"])
    holders = set()
    for name in DATA_USERS:
        svc = services()[name]
        assert (environment(svc)["RESULTSNIGHT_INBOX"], environment(svc)["RESULTSNIGHT_ARCHIVE"]) == (
            str(inbox),
            str(archive),
        )
        mounts = {
            (source, target)
            for source, target, _bind in volume_mounts(svc)
            if source and PurePosixPath(target) in inbox.parents and PurePosixPath(target) in archive.parents
        }
        assert mounts, f"{name} does not mount a volume holding both {inbox} and {archive}"
        holders |= mounts
    assert len(holders) == 1, f"the data services mount different volumes: {holders}"


def test_results_db_is_separate_from_the_airflow_metadata_db():
    from sqlalchemy.engine import make_url

    env = environment(services()["airflow-worker"])
    metadata = make_url(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    results = make_url(env["DATABASE_URL"])
    assert metadata.drivername == "postgresql+psycopg"
    assert metadata.host != results.host, "the results and Airflow metadata databases must be different services"
    assert {metadata.host, results.host} <= set(services())
    meta_env = environment(services()[metadata.host])
    assert (metadata.username, metadata.password, metadata.database) == (
        meta_env["POSTGRES_USER"], meta_env["POSTGRES_PASSWORD"], meta_env["POSTGRES_DB"]
    )  # fmt: skip
    for key in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC", "AIRFLOW__CELERY__RESULT_BACKEND"):
        assert make_url(env[key].removeprefix("db+")).host == metadata.host, f"{key} should use Airflow's own database"
    volumes = {
        host: {source for source, _t, bind in volume_mounts(services()[host]) if source and not bind}
        for host in (metadata.host, results.host)
    }
    assert volumes[metadata.host] and volumes[results.host]
    assert not volumes[metadata.host] & volumes[results.host], "the two databases share a data volume"


def test_every_service_has_a_healthcheck():
    for name, svc in services().items():
        if one_shot(name) or (svc.get("profiles") and svc.get("restart") == "no"):
            # an init job (or a command run on demand) exits; its exit code is what counts
            assert svc.get("restart", "no") == "no", f"{name} runs once: it must not restart"
            continue
        check = svc.get("healthcheck") or {}
        assert not check.get("disable"), f"{name}: healthcheck disabled"
        test = check.get("test")
        assert isinstance(test, list) and test and test[0] in {"CMD", "CMD-SHELL"} and len(test) > 1, (
            f"{name} has no healthcheck"
        )


def test_depends_on_waits_for_health_or_completion():
    allowed = {"service_healthy", "service_completed_successfully"}
    for name, svc in services().items():
        deps = svc.get("depends_on")
        if deps is None:
            continue
        assert isinstance(deps, dict), f"{name}: depends_on needs conditions, not a bare list"
        for dep, spec in deps.items():
            assert dep in services(), f"{name} depends on unknown service {dep}"
            condition = (spec or {}).get("condition")
            assert condition in allowed, f"{name} -> {dep}: condition {condition!r}"
            if condition == "service_healthy":
                assert services()[dep].get("healthcheck"), (
                    f"{name} waits for {dep} to be healthy; it has no healthcheck"
                )
            else:
                assert services()[dep].get("restart", "no") == "no", f"{name} waits for {dep} to exit, but it restarts"
    for name, svc in services().items():
        # every service another one reaches over the network (a host in a URL of its environment) is waited for
        deps = svc.get("depends_on") or {}
        for value in environment(svc).values():
            for host in re.findall(r"://[^@/\s]*@([a-z0-9-]+)[:/]", value):
                if host in services():
                    assert deps.get(host, {}).get("condition") == "service_healthy", f"{name} must wait for {host}"
    for name in airflow_services():
        deps = services()[name]["depends_on"]
        if name not in ("board", "desk"):
            assert deps.get("postgres", {}).get("condition") == "service_healthy", f"{name} must wait for postgres"
        if not one_shot(name):
            assert deps.get("airflow-init", {}).get("condition") == "service_completed_successfully", (
                f"{name} must wait for airflow-init"
            )


def test_ports_are_published_on_localhost_only():
    publishing = set()
    for name, svc in services().items():
        assert svc.get("network_mode") != "host", f"{name} uses the host network"
        for port in svc.get("ports") or []:
            publishing.add(name)
            if isinstance(port, dict):
                assert port.get("host_ip") == "127.0.0.1", f"{name}: {port} is not bound to 127.0.0.1"
            else:
                assert str(port).startswith("127.0.0.1:"), f"{name}: {port} is published beyond 127.0.0.1"
    assert {"airflow-apiserver", "results-db", "board"} <= publishing <= PUBLISHERS, publishing
    for name in publishing - {"airflow-apiserver", "results-db", "board"}:
        assert services()[name].get("profiles"), f"{name} publishes a port without being opt-in"


def test_workers_can_scale():
    for name, svc in services().items():
        assert "container_name" not in svc, f"{name}: container_name prevents --scale and a second copy"
    worker = services()["airflow-worker"]
    assert not worker.get("ports") and not worker.get("hostname")


def test_no_literal_password():
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for match in re.finditer(r"[a-z0-9+]+://[^:/@\s]+:(\$\{[^}]*\}|[^@\s]*)@", text):
        assert REQUIRED_REF.match(match.group(1)), f"password written into a URL: {match.group(0)}"
    for match in _REF.finditer(text):
        name, op = match.group("name"), match.group("op") or ""
        if name and SECRET_NAME.search(name):
            assert "?" in op, f"${{{name}}} must be required (${{{name}:?...}}), never defaulted or optional"
    blocks = [compose()["x-airflow-common"], *services().values()]
    for block in blocks:
        for key, value in as_dict(block.get("environment")).items():
            if SECRET_NAME.search(key):
                assert REQUIRED_REF.match(value), f"{key} must come from the environment, not {value!r}"
    for line in dockerfile_lines():
        assert not re.match(r"(?i)(ENV|ARG)\s+\S*(PASSWORD|SECRET|FERNET)", line), f"secret in the Dockerfile: {line}"


def test_env_example_lists_every_required_variable():
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    required = {m.group("name") for m in _REF.finditer(text) if m.group("name") and "?" in (m.group("op") or "")}
    example = ENV_EXAMPLE.read_text(encoding="utf-8")
    assert "LOCAL DEVELOPMENT" in example, "mark the example's secrets as local-development values"
    values = read_env_file(ENV_EXAMPLE)
    assert required <= set(values), f"deploy/.env.example lacks {sorted(required - set(values))}"
    mentioned = set(re.findall(r"(?m)^#?\s*([A-Z][A-Z0-9_]*)=", example))
    referenced = {m.group("name") or m.group("bare") for m in _REF.finditer(text)} - {None}
    assert mentioned <= referenced, (
        f"deploy/.env.example sets what docker-compose.yml never reads: {mentioned - referenced}"
    )
    # Airflow refuses to start with a malformed Fernet key
    assert len(base64.urlsafe_b64decode(values["AIRFLOW_FERNET_KEY"])) == 32


def test_airflow_settings_are_real_options():
    spec = importlib.util.find_spec("airflow")
    config = yaml.safe_load((Path(spec.submodule_search_locations[0]) / "config_templates" / "config.yml").read_text())
    known = {(section, option) for section, body in config.items() for option in body.get("options") or {}}
    known |= celery_options()
    for name, svc in airflow_services().items():
        for key in raw_environment(svc):
            if key.startswith("AIRFLOW__"):
                parts = key.split("__")
                assert len(parts) == 3, f"{name}: {key} is not AIRFLOW__SECTION__KEY"
                assert (parts[1].lower(), parts[2].lower()) in known, f"{name}: {key} is not an Airflow 3.3 setting"


def test_images_default_to_the_official_ones():
    """AIRFLOW_IMAGE / POSTGRES_IMAGE / REDIS_IMAGE may name others (the deploy test's); unset, nothing changes."""
    official = {"postgres": "postgres:16", "results-db": "postgres:18", "redis": "redis:7.2-bookworm"}
    variables = {"postgres": "POSTGRES_IMAGE", "results-db": "POSTGRES_IMAGE", "redis": "REDIS_IMAGE"}
    for name, image in official.items():
        raw = services()[name]["image"]
        assert raw == f"${{{variables[name]}:-{image}}}", f"{name}: image should be ${{{variables[name]}:-{image}}}"
    build = compose()["x-airflow-common"]["build"]
    arg = build["args"]["AIRFLOW_IMAGE"]
    assert arg == f"${{AIRFLOW_IMAGE:-{dockerfile_base_image()}}}", (
        "the AIRFLOW_IMAGE build arg defaults to the Dockerfile's"
    )


# --------------------------------------------------------------------------- least privilege (issue 18)


def env_references(service: dict) -> set[str]:
    """The .env variables a service's environment values are made from."""
    return {m.group("name") or m.group("bare") for v in raw_environment(service).values() for m in _REF.finditer(v)} - {
        None
    }


def test_each_service_holds_only_what_the_allow_list_names():
    allowed = allowed_environment()
    assert set(allowed) == set(services()), (
        f"deploy/allowed-environment.yml lists {sorted(allowed)}, compose {sorted(services())}"
    )
    example = read_env_file(ENV_EXAMPLE)
    secrets_of_env = {name for name in example if SECRET_VARIABLE.search(name)} | {"RESULTSNIGHT_ALERT_WEBHOOK"}
    for name, svc in services().items():
        held = set(raw_environment(svc))
        extra = held - allowed[name].environment
        assert not extra, f"{name} holds {sorted(extra)}, which deploy/allowed-environment.yml does not allow it"
        carried = env_references(svc) & secrets_of_env
        assert carried == allowed[name].secrets, (
            f"{name} carries the secrets {sorted(carried)}; the allow-list says {sorted(allowed[name].secrets)}"
        )
    # The board: its read-only URL and nothing of Airflow's (no Fernet key, JWT secret, metadata DB, webhook).
    board = raw_environment(services()["board"])
    assert set(board) == {"RESULTSNIGHT_BOARD_DATABASE_URL"} and env_references(services()["board"]) == {
        "BOARD_DB_PASSWORD"
    }
    assert not services()["board"].get("env_file"), "the board reads no env_file (Airflow's settings are not its)"
    for name in ("postgres", "redis", "airflow-apiserver", "airflow-scheduler", "airflow-init"):
        assert name not in (services()["board"].get("depends_on") or {}) or name == "airflow-init", (
            f"board waits for {name}"
        )


def test_every_service_starts_through_the_secrets_check():
    image_entrypoint = [line for line in dockerfile_lines() if line.upper().startswith("ENTRYPOINT")]
    assert image_entrypoint and json.loads(image_entrypoint[-1].split(None, 1)[1]) == [
        "/usr/bin/dumb-init",
        "--",
        IMAGE_SECRETS_CHECK,
        "/entrypoint",
    ], "our image starts every Airflow service through the check, then the official /entrypoint"
    copied = {dest for _src, dest in dockerfile_copies()}
    assert {IMAGE_SECRETS_CHECK, "/opt/resultsnight/deploy/.env.example"} <= copied
    ours = compose()["x-airflow-common"]["image"]
    for name, svc in services().items():
        entrypoint = svc.get("entrypoint")
        if svc.get("image") == ours:
            assert entrypoint is None or entrypoint[0] == IMAGE_SECRETS_CHECK, (
                f"{name} bypasses the check: {entrypoint}"
            )
            continue
        assert entrypoint[:2] == ["sh", "/opt/resultsnight-check/refuse-example-secrets.sh"], f"{name}: {entrypoint}"
        mounts = {target: source for source, target, _bind in volume_mounts(svc)}
        assert (ROOT / mounts["/opt/resultsnight-check/refuse-example-secrets.sh"]).resolve() == SECRETS_CHECK
        assert (ROOT / mounts["/opt/resultsnight-check/.env.example"]).resolve() == ENV_EXAMPLE


def _run_check(tmp_path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The check as a container runs it: the script with .env.example beside it, then `echo started`."""
    import shutil

    folder = tmp_path / "check"
    folder.mkdir(exist_ok=True)
    shutil.copy(SECRETS_CHECK, folder / SECRETS_CHECK.name)
    shutil.copy(ENV_EXAMPLE, folder / ".env.example")
    return subprocess.run(
        ["sh", str(folder / SECRETS_CHECK.name), "echo", "started"],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        timeout=30,
        check=False,
    )


def test_the_check_refuses_every_example_secret_and_empty_ones(tmp_path):
    fresh = {
        "POSTGRES_PASSWORD": "0f3c9a",
        "AIRFLOW__CORE__FERNET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "AIRFLOW__CELERY__BROKER_URL": "redis://:9e8d7c@redis:6379/0",
        "RESULTSNIGHT_ALERT_WEBHOOK": "",
    }
    ok = _run_check(tmp_path, fresh)
    assert (ok.returncode, ok.stdout.strip()) == (0, "started"), ok.stderr
    example = read_env_file(ENV_EXAMPLE)
    published = {k: v for k, v in example.items() if SECRET_VARIABLE.search(k) and v}  # an optional one is empty
    assert len(published) >= 10, published
    for variable, value in published.items():
        # as a whole value and inside a URL, under any name
        for env in ({"SOME_SETTING": value}, {"DATABASE_URL": f"postgresql+psycopg://u:{value}@db:5432/x"}):
            proc = _run_check(tmp_path, {**fresh, **env})
            assert proc.returncode == 78 and "started" not in proc.stdout, f"{variable}'s example value was accepted"
            assert value not in proc.stderr, "the check must not print the secret"
    for env in (
        {"REDIS_PASSWORD": ""},
        {"AIRFLOW__API_AUTH__JWT_SECRET": ""},
        {"AIRFLOW__CELERY__BROKER_URL": "redis://:@redis:6379/0"},
    ):
        proc = _run_check(tmp_path, {**fresh, **env})
        assert proc.returncode == 78, f"{env} was accepted"


def test_redis_needs_its_password():
    redis = services()["redis"]
    command = " ".join(redis["command"])
    assert '--requirepass "$$REDIS_PASSWORD"' in command or '--requirepass "$REDIS_PASSWORD"' in interpolate(command)
    assert "$${REDIS_PASSWORD" not in command and "${REDIS_PASSWORD" not in command, (
        "the password reaches redis-server through the container's shell, not compose's command line"
    )
    assert REQUIRED_REF.match(as_dict(redis["environment"])["REDIS_PASSWORD"])
    assert "REDISCLI_AUTH" in " ".join(redis["healthcheck"]["test"])
    for name, svc in services().items():
        broker = raw_environment(svc).get("AIRFLOW__CELERY__BROKER_URL")
        if broker is not None:
            assert re.fullmatch(r"redis://:\$\{REDIS_PASSWORD:\?[^}]*\}@redis:6379/\d+", broker), f"{name}: {broker}"


def test_two_schedulers_share_the_metadata_postgres_with_row_locking():
    scheduler = services()["airflow-scheduler"]
    assert (scheduler.get("deploy") or {}).get("replicas") == 2, "two schedulers (Airflow's HA scheduler)"
    env = environment(scheduler)
    # Airflow runs more than one scheduler only with SELECT ... FOR UPDATE (airflow/utils/sqlalchemy.py).
    assert env.get("AIRFLOW__SCHEDULER__USE_ROW_LEVEL_LOCKING", "true").lower() == "true"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg://")
    assert "container_name" not in scheduler and not scheduler.get("ports"), "two copies cannot share a name or a port"
