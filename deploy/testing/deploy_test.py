"""`make deploy-test`: docker-compose.yml built, started with two Celery workers and tested under faults.

Run with the project's venv python (the Makefile does); it is not a pytest
module and `make test` never collects it. Steps, each printed as it goes:

 1. images: on a machine without a registry (this one), the stand-ins of
    deploy/testing/ (a debootstrapped bookworm base, then Airflow, Postgres,
    Redis and the test's helper); then `docker compose build`;
 2. `docker compose up -d --wait --scale airflow-worker=2` (and the compose
    file's two schedulers) with a fresh env file made from deploy/.env.example
    (new secrets, free loopback ports, the stand-in images,
    RESULTSNIGHT_ALERT_WEBHOOK at the test's receiver); every container's
    environment held to deploy/allowed-environment.yml, and the stack
    refusing to start with the example's secrets or an empty one;
 3. a slice of the 2019 night (the busiest twenty minutes, which hold the
    Caithness false flip and its correction, plus Kensington's recount and
    three bad files) published on the agency's FTP server (a real one, the
    feed-ftp container of compose.test.yml) at five times real pace, quiet
    gaps cut to 10 s; the workers' resultsnight_fetch DAG pulls it into the
    inbox over FTP with a read-only account. Mid-replay (night.py) the FTP
    server is killed (down 20 s), then one worker (the one running an ingest
    task; its task must be retried elsewhere), then the alert receiver (down
    60 s, in the background), then one of the two schedulers (left down 30 s:
    the other carries on alone; the next file must be stored within 5 s, and
    nothing run twice), then the results database restarted;
 4. checks: the results equal an in-process ingest of the same files, every
    file fetched once and stored or quarantined once, each alert raised and
    delivered once,
    nothing left in the inbox, tasks on both workers, the analyst's access,
    the UI, nothing published beyond 127.0.0.1;
 5. `docker compose down -v`, also on failure (--keep leaves it up).

Exit 0 only if every check held. Figures go to .data/deploy-test/last-run.json,
with where each file's time went (timeline.py: the Celery tail's evidence).

The story (build, start, play, check) is told here in order; night.py plays
the night and its faults, harness.py, verify.py (the checks), measures.py,
environment_checks.py, timeline.py and reference.py hold the parts that stand alone.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import environment_checks  # noqa: E402
import measures  # noqa: E402
import timeline  # noqa: E402
import verify  # noqa: E402
from harness import ROOT, Compose, Feeder, MemorySampler, base_image, build_standins, log  # noqa: E402
from night import FAULTS, MAX_GAP, SCHEDULER_DOWN_S, SPEED, Night, schedule  # noqa: E402
from reference import differences, reference_ingest, snapshot  # noqa: E402

from pipeline.rehearsal.bad_files import with_bad_files  # noqa: E402
from pipeline.rehearsal.seats import load_seats  # noqa: E402
from pipeline.rehearsal.stories import plan_night  # noqa: E402

PROJECT = "resultsnight-deploytest"
WINDOW = (datetime(2019, 12, 13, 2, 33, tzinfo=UTC), datetime(2019, 12, 13, 2, 53, tzinfo=UTC))
SCHEDULER_STALL_LIMIT_S = 5.0  # issue 18: the next file stored within 5 s of one scheduler's death
OUTCOMES = {"stored", "superseded", "duplicate", "quarantined"}


def the_slice() -> list:
    """The busiest twenty minutes of the replayed night, Kensington's recount, and three bad files."""
    night = plan_night()
    kensington = {s.gss_code for s in load_seats() if s.name == "Kensington"}
    chosen = [m for m in night if WINDOW[0] <= m.at < WINDOW[1] or m.gss_code in kensington]
    return with_bad_files(chosen)


def quiesce(compose: Compose, feeder: Feeder, names: set[str], timeout: float = 900) -> dict[str, int]:
    """Wait until every file has a receipt, the inbox is empty and every alert is delivered."""
    deadline = time.monotonic() + timeout
    while True:
        seen = {
            row[0]
            for row in compose.psql("results-db", "resultsnight", "resultsnight", "select file_name from results.files")
        }
        inbox = [f for f in feeder.listing("inbox") if not f.startswith(".")]
        undelivered = int(
            compose.psql(
                "results-db",
                "resultsnight",
                "resultsnight",
                "select count(*) from results.alerts where delivered_at is null",
            )[0][0]
        )
        state = {"missing": len(names - seen), "inbox": len(inbox), "undelivered": undelivered}
        if not any(state.values()) or time.monotonic() > deadline:
            return state
        log(f"  waiting for the stack: {state}")
        time.sleep(5)


def measure_and_check(
    compose: Compose,
    env: dict,
    feeder: Feeder,
    night: Night,
    names: set[str],
    checks: verify.Checks,
    figures: dict,
    workdir: Path,
) -> None:
    """Everything checked once the stack has gone quiet after the replay."""
    if "kill a worker" in night.faults:
        checks.check(
            "the killed worker's task retried on the other worker",
            night.retried is not None,
            night.retried or f"killed while running {night.killed_task}",
        )
    fetched = compose.psql("results-db", "resultsnight", "resultsnight", timeline.FETCHED_TWICE)
    checks.check(
        "the fetcher brought each published file once, across the FTP server's death",
        int(fetched[0][0]) == len(names) and int(fetched[0][1]) == 0,
        f"{fetched[0][0]} files fetched of {len(names)} published; fetched twice: {fetched[0][1]}",
    )
    verify.files_and_inbox(compose, feeder, names, checks)
    received = verify.alerts_once(compose, night.faults.get("kill a worker"), checks)
    figures["tasks_by_worker"] = verify.both_workers(compose, checks)
    conninfo = verify.analyst_access(env["RESULTS_DB_PORT"], env["ANALYST_PASSWORD"], checks)
    verify.airflow_ui(env["AIRFLOW_API_PORT"], checks)
    verify.board_api(env["BOARD_PORT"], conninfo, checks)
    verify.admin_login(env["AIRFLOW_API_PORT"], env["AIRFLOW_ADMIN_USERNAME"], env["AIRFLOW_ADMIN_PASSWORD"], checks)
    # The worker: the one long-running service that reaches the results database (as pipeline_writer).
    summary = compose("exec", "-T", "airflow-worker", "resultsnight", "summary", check=False)
    checks.check(
        "resultsnight summary inside the stack",
        summary.returncode == 0 and len(summary.stdout) > 200,
        f"exit {summary.returncode}, {len(summary.stdout)} bytes",
    )
    verify.loopback_only(compose, checks)
    stack = snapshot(conninfo)
    log(f"in-process ingest of the same {len(night.messages)} files into a throwaway embedded Postgres")
    ref = reference_ingest(night.messages, workdir / "reference")
    diff = differences(ref.tables, stack)
    for table in ("party_tally", "seat_status", "alerts", "quarantine", "files"):
        checks.check(
            f"results.{table} equals the in-process ingest",
            table not in diff and bool(stack[table]),
            diff.get(table, f"{sum(stack[table].values())} rows"),
        )
    lat = measures.latencies(compose, feeder.dropped, received)
    # Files stored before the first fault: the stack's steady pace; "all" includes files held up behind the faults.
    first_fault = min(night.faults.values(), default=float("inf"))
    calm_names = {n for t, n in lat["receipts"] if t < first_fault}
    calm = measures.latencies(compose, {n: t for n, t in feeder.dropped.items() if n in calm_names}, received)
    figures["stored_before_faults"] = {k: measures.spread(calm[k]) for k in ("stored", "alert", "webhook")}
    figures["raw"] = {
        "dropped": feeder.dropped,
        "faults": night.faults,
        "receipts": lat["receipts"],
        "file_to_alert_s": lat["alert"],
    }
    figures["file_to_stored_s"] = measures.spread(lat["stored"])
    figures["file_to_alert_s"] = measures.spread(lat["alert"])
    figures["file_to_webhook_s"] = measures.spread(lat["webhook"])
    figures["in_process_per_file_s"] = measures.spread(ref.per_file_seconds)
    figures["stall_to_next_stored_s"] = measures.stalls(night.faults, lat["receipts"])
    figures["after_back"] = timeline.fault_costs(compose, night.faults, night.back, lat["receipts"], received)
    figures["worker_task_retried_after_s"] = night.retried_after_s
    figures["killed_try"] = timeline.killed_try(compose, night.killed_task, night.faults.get("kill a worker"))
    try:  # evidence, not a check: a failed query is reported in the figures and the log, the checks go on
        figures["where_the_time_goes"] = timeline.breakdown(compose, feeder.dropped, lat["receipts"])
    except RuntimeError as exc:
        figures["where_the_time_goes"] = {"error": str(exc)[:2000]}
        log(f"where the time goes: not measured: {str(exc)[:400]}")
    kill = night.faults.get("kill one of two schedulers")
    if kill is not None:
        figures["scheduler_kill"] = measures.scheduler_stall(
            kill, kill + SCHEDULER_DOWN_S, feeder.dropped, lat["receipts"]
        )
        stall = figures["scheduler_kill"]["next_stored_s"]
        checks.check(
            f"one scheduler of two killed: next file stored within {SCHEDULER_STALL_LIMIT_S:g} s",
            stall is not None and stall <= SCHEDULER_STALL_LIMIT_S,
            json.dumps(figures["scheduler_kill"]),
        )
    verify.nothing_run_twice(compose, night.killed_task, checks)


def main(argv: list[str] | None = None) -> int:
    """Build, start, replay, break, check, take down; exit 0 only if every check held."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the stack running at the end (debugging)")
    parser.add_argument(
        "--no-faults",
        action="store_true",
        help="play the night without its faults: a measurement of the Celery path alone, not the deploy test "
        "(the checks that need a fault are not made)",
    )
    args = parser.parse_args(argv)
    plan_faults = () if args.no_faults else FAULTS
    checks, figures = verify.Checks(), {"started": datetime.now(UTC).isoformat(timespec="seconds")}
    figures["faults"] = [f for f, _ in plan_faults]
    workdir = Path(tempfile.mkdtemp(prefix="resultsnight-deploy-test-"))
    compose = Compose(
        PROJECT, workdir / ".env", [ROOT / "docker-compose.yml", ROOT / "deploy/testing/compose.test.yml"]
    )
    sampler = MemorySampler(PROJECT)
    try:
        log("== 1. images")
        t0 = time.monotonic()
        base = base_image()
        figures["base_image_s"] = round(time.monotonic() - t0, 1)
        images = build_standins(base)
        figures["standins_s"] = round(time.monotonic() - t0 - figures["base_image_s"], 1)
        env = environment_checks.write_env(compose.env_file, images)
        t1 = time.monotonic()
        compose("build", capture=False, timeout=1800)
        figures["compose_build_s"] = round(time.monotonic() - t1, 1)
        figures["build_total_s"] = round(time.monotonic() - t0, 1)
        log(
            f"images built in {figures['build_total_s']} s (base {figures['base_image_s']} s, stand-ins "
            f"{figures['standins_s']} s, docker compose build {figures['compose_build_s']} s)"
        )

        log("== 2. docker compose up -d --wait --scale airflow-worker=2")
        compose("down", "-v", "--remove-orphans", timeout=300)  # a clean start even after an interrupted run
        sampler.start()
        t2 = time.monotonic()
        up = compose("up", "-d", "--wait", "--scale", "airflow-worker=2", check=False, capture=False, timeout=1200)
        figures["up_wait_s"] = round(time.monotonic() - t2, 1)
        checks.check("docker compose up --wait", up.returncode == 0, f"{figures['up_wait_s']} s")
        verify.services_healthy(compose, checks)
        verify.init_done(compose, checks)
        environment_checks.environments(compose, env, checks)
        environment_checks.refuses_example_and_empty_secrets(compose, env, workdir, checks)
        if not checks.passed:
            raise RuntimeError("the stack did not come up healthy")

        messages = the_slice()
        names = {m.file_name for m in messages}
        kinds = {k: sum(1 for m in messages if m.kind == k) for k in ("rush", "result", "recount", "bad")}
        plan = schedule(messages)
        log(
            f"== 3. replay {len(messages)} files {kinds} over about {plan[-1][0]:.0f} s "
            f"({SPEED:g}x real pace, gaps capped at {MAX_GAP:g} s), with faults at {[f for f, _ in plan_faults]}"
        )
        feeder = Feeder(compose.ids("feeder")[0])
        night = Night(compose, feeder, messages, plan_faults)
        t3 = time.monotonic()
        night.play()
        figures["replay_s"] = round(time.monotonic() - t3, 1)
        state = quiesce(compose, feeder, names)
        figures["quiet_after_last_drop_s"] = round(time.monotonic() - t3 - figures["replay_s"], 1)
        checks.check(
            "stack quiet after the replay",
            not any(state.values()),
            f"{state}, {figures['quiet_after_last_drop_s']} s after the last file",
        )

        log("== 4. checks")
        measure_and_check(compose, env, feeder, night, names, checks, figures, workdir)
    except Exception as exc:  # noqa: BLE001 - reported as a failed check, then the stack comes down
        checks.check("deploy test ran to the end", False, f"{type(exc).__name__}: {exc}"[:400])
        print(str(exc)[-4000:], file=sys.stderr)
        logs = compose("logs", "--no-color", "--tail", "40", check=False).stdout.decode(errors="replace")
        print(logs[-20000:], file=sys.stderr)
    finally:
        sampler.stop()
        figures["peak_memory_mib"] = round(sampler.peak_total / 2**20)
        figures["peak_memory_by_service_mib"] = {
            k: round(v / 2**20) for k, v in sorted(sampler.peak_by_service.items())
        }
        if args.keep:
            log(f"--keep: the stack stays up; take it down with: {' '.join(compose.cmd('down', '-v'))}")
        else:
            log("== 5. docker compose down -v")
            down = compose("down", "-v", "--remove-orphans", check=False, timeout=300)
            checks.check("docker compose down -v", down.returncode == 0, "")
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    out = ROOT / ".data" / "deploy-test"
    out.mkdir(parents=True, exist_ok=True)
    (out / "last-run.json").write_text(json.dumps({"figures": figures, "checks": checks.rows}, indent=2))
    print("\n" + checks.table() + "\n")
    print("figures:", json.dumps({k: v for k, v in figures.items() if k != "raw"}, indent=2))
    print(f"\nmake deploy-test: {'every check held' if checks.passed else 'FAILED'} ({out / 'last-run.json'})")
    return 0 if checks.passed else 1


if __name__ == "__main__":
    sys.exit(main())
