"""Docker plumbing for deploy/testing/deploy_test.py: images, compose, the feed, memory.

ONLY FOR MACHINES WITHOUT A CONTAINER REGISTRY the stand-in images matter;
the rest (compose, feeding the inbox, docker stats) is what any run of the
deploy test needs. Nothing here imports the pipeline.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
STANDINS = ("postgres", "redis", "helper", "airflow")
DATA = "/opt/resultsnight/data"
FEED = "/srv/feed"  # the FTP server's root in the feeder (compose.test.yml)


def log(message: str) -> None:
    """One progress line, timestamped."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(
    cmd: list[str],
    *,
    check: bool = True,
    capture: bool = True,
    timeout: float | None = 900,
    input: bytes | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run a command; on failure raise with its output."""
    proc = subprocess.run(cmd, capture_output=capture, timeout=timeout, input=input, env=env, cwd=ROOT)
    if check and proc.returncode != 0:
        out = (proc.stdout or b"").decode(errors="replace")[-3000:] + (proc.stderr or b"").decode(errors="replace")[
            -3000:
        ]
        raise RuntimeError(f"{' '.join(cmd[:6])} ... exited {proc.returncode}\n{out}")
    return proc


def base_image() -> str:
    """The debootstrapped bookworm base (built once per input hash by base-image.sh)."""
    proc = subprocess.run(["bash", str(HERE / "base-image.sh")], stdout=subprocess.PIPE, cwd=ROOT, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError("deploy/testing/base-image.sh failed (its output is above)")
    return proc.stdout.decode().strip().splitlines()[-1]


def locked_version(package: str) -> str:
    """The version requirements.lock pins for a package."""
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        name, _, version = line.partition("==")
        if name.strip().lower() == package:
            return version.strip()
    raise KeyError(package)


def _build_standin(name: str, base: str, airflow_version: str) -> str:
    with tempfile.TemporaryDirectory(prefix=f"standin-{name}-") as tmp:
        ctx = Path(tmp)
        for item in sorted((HERE / name).iterdir()):
            shutil.copy2(item, ctx / item.name)
        if name == "airflow":
            shutil.copy2(ROOT / "requirements.lock", ctx / "requirements.lock")
        digest = hashlib.sha256(f"{base}\n{airflow_version}\n".encode())
        for item in sorted(ctx.iterdir()):
            digest.update(item.name.encode() + b"\0" + item.read_bytes())
        tag = f"resultsnight-testing/{name}:{digest.hexdigest()[:12]}"
        started = time.monotonic()
        # Always built: the layer cache makes an unchanged image quick, and
        # nothing depends on an earlier run having left it behind.
        run(
            [
                "docker",
                "build",
                "-q",
                "--build-arg",
                f"BASE_IMAGE={base}",
                "--build-arg",
                f"AIRFLOW_VERSION={airflow_version}",
                "-t",
                tag,
                str(ctx),
            ],
            timeout=1800,
        )
        log(f"  stand-in {name}: {tag} ({time.monotonic() - started:.0f} s)")
        return tag


def build_standins(base: str) -> dict[str, str]:
    """Build the stand-in images from deploy/testing/<name>, side by side; each tagged by a hash of its inputs."""
    airflow_version = locked_version("apache-airflow")
    with ThreadPoolExecutor(max_workers=len(STANDINS)) as pool:
        futures = {name: pool.submit(_build_standin, name, base, airflow_version) for name in STANDINS}
        return {name: future.result() for name, future in futures.items()}


@dataclass
class Compose:
    """`docker compose` for the test's project, env file and compose files."""

    project: str
    env_file: Path
    files: list[Path]
    _ids: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def cmd(self, *args: str) -> list[str]:
        """The full docker compose command line."""
        out = ["docker", "compose", "-p", self.project, "--env-file", str(self.env_file)]
        for f in self.files:
            out += ["-f", str(f)]
        return [*out, *args]

    def __call__(self, *args: str, **kw) -> subprocess.CompletedProcess:
        """Run a docker compose subcommand."""
        return run(self.cmd(*args), **kw)

    def ps(self) -> list[dict]:
        """Every container of the project (running or not) as compose reports it."""
        out = self("ps", "-a", "--format", "json").stdout.decode().strip()
        if not out:
            return []
        if out.startswith("["):
            return json.loads(out)
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def ids(self, service: str) -> list[str]:
        """Container ids of a service (a kill and a start keep a container's id, so they are remembered)."""
        if not self._ids.get(service):
            self._ids[service] = self("ps", "-q", service).stdout.decode().split()
        return self._ids[service]

    def psql(self, service: str, user: str, db: str, query: str) -> list[list[str]]:
        """Rows of a query run with psql inside a database container (tab-separated, unaligned)."""
        # docker exec on the container: much lighter than a `docker compose exec` per query
        out = run(
            [
                "docker",
                "exec",
                self.ids(service)[0],
                "psql",
                "--no-psqlrc",
                "-v",
                "ON_ERROR_STOP=1",
                "-At",
                "-F",
                "\t",
                "-U",
                user,
                "-d",
                db,
                "-c",
                query,
            ]
        ).stdout.decode()
        return [line.split("\t") for line in out.splitlines() if line]


COMPOSE_FILES = (ROOT / "docker-compose.yml", ROOT / "deploy" / "testing" / "compose.test.yml")


def long_running_services() -> list[str]:
    """The services `up` starts and keeps running: no profile, not one-shot (restart "no")."""
    import yaml

    services: dict = {}
    for path in COMPOSE_FILES:
        services.update(yaml.safe_load(path.read_text(encoding="utf-8"))["services"])
    return [name for name, svc in services.items() if not svc.get("profiles") and svc.get("restart") != "no"]


def inspect(container: str) -> dict:
    """docker inspect of one container."""
    return json.loads(run(["docker", "inspect", container]).stdout)[0]


class Feeder:
    """Publishes files on the agency's FTP server through the feeder container: written beside, renamed in."""

    def __init__(self, container: str) -> None:
        self.container = container
        self.dropped: dict[str, float] = {}  # file name -> when its publication began (host clock)

    def drop(self, files: list[tuple[str, str, bytes, int]]) -> None:
        """Publish (folder, name, body, mtime) files: each a rename into its folder, then the folder's .timestamp."""
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            for folder, name, body, mtime in files:
                info = tarfile.TarInfo(f"{folder}/{name}")
                # The agency's publication time, as the server lists it and the fetcher keeps it: a
                # rush takes it as its time, and the pipeline ingests oldest first.
                info.size, info.mode, info.mtime = len(body), 0o664, mtime
                tar.addfile(info, io.BytesIO(body))
        began = time.time()
        # As the agency does: the file complete under its name, then the folder's .timestamp rewritten.
        script = (
            f'set -e; d=$(mktemp -d {FEED}/.feed.XXXXXX); tar -x -C "$d" -f -; '
            f'for dir in "$d"/*; do f=$(basename "$dir"); chmod a+r "$dir"/*; mv -- "$dir"/* {FEED}/$f/; '
            f"date +%s.%N > {FEED}/$f/.ts.tmp; chmod a+r {FEED}/$f/.ts.tmp; mv {FEED}/$f/.ts.tmp {FEED}/$f/.timestamp; "
            'rmdir "$dir"; done; rmdir "$d"'
        )
        run(["docker", "exec", "-i", self.container, "sh", "-c", script], input=buf.getvalue(), timeout=60)
        for _, name, _, _ in files:
            self.dropped[name] = began

    def listing(self, folder: str) -> list[str]:
        """File names in a folder of the data volume."""
        out = run(["docker", "exec", self.container, "ls", "-A", f"{DATA}/{folder}"]).stdout.decode()
        return out.split()


_UNITS = {"b": 1, "kib": 1024, "mib": 1024**2, "gib": 1024**3, "kb": 1000, "mb": 1000**2, "gb": 1000**3}


def _bytes(text: str) -> float:
    match = re.match(r"([\d.]+)\s*([a-zA-Z]+)", text.strip())
    return float(match[1]) * _UNITS.get(match[2].lower(), 1) if match else 0.0


@dataclass
class MemorySampler:
    """Samples `docker stats` for the project's containers in a thread; keeps the peak total."""

    project: str
    peak_total: float = 0.0
    peak_by_service: dict[str, float] = field(default_factory=dict)
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin sampling."""
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            proc = subprocess.run(
                ["docker", "stats", "--no-stream", "--format", "{{.Name}}\t{{.MemUsage}}"],
                capture_output=True,
                timeout=60,
            )
            total = 0.0
            for line in proc.stdout.decode().splitlines():
                name, _, usage = line.partition("\t")
                if not name.startswith(f"{self.project}-"):
                    continue
                used = _bytes(usage.split("/")[0])
                total += used
                service = re.sub(r"-\d+$", "", name.removeprefix(f"{self.project}-"))
                self.peak_by_service[service] = max(self.peak_by_service.get(service, 0.0), used)
            self.peak_total = max(self.peak_total, total)
            self.samples += 1
            self._stop.wait(1.0)
