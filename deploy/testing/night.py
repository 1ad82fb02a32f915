"""The deploy test's night: the slice published on the FTP server at pace, with the faults injected as it goes.

deploy_test.py builds the stack, plays a Night and checks what it left; this
module is the playing: the schedule, the feeder thread, and each fault
(what is killed, for how long, and when it was back), recorded with host
clock times for the stall figures.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from harness import Compose, Feeder, inspect, log, run
from reference import published

SPEED, MAX_GAP = 5.0, 10.0  # five times real pace; no wait longer than 10 s
FTP_DOWN_S = 20.0  # the agency's server down this long (the feeder goes on writing its folders)
SCHEDULER_DOWN_S = 30.0  # how long the killed scheduler stays down: the other one schedules alone
RECEIVER_DOWN_S = 60.0  # the alert receiver down this long (issue 18), in the background
# (fault, share of the files published when it is injected), in order.
FAULTS = (
    ("kill the FTP server", 0.15),
    ("kill a worker", 0.30),
    ("kill the alert receiver", 0.45),
    ("kill one of two schedulers", 0.55),
    ("restart results-db", 0.75),
)
RUNNING_INGEST_TRIES = (
    "select hostname, task_id, run_id, try_number from task_instance"
    " where state = 'running' and dag_id = 'resultsnight_ingest'"
)


def schedule(messages: list) -> list[tuple[float, list]]:
    """(seconds from the start, messages) at SPEED times real pace, gaps capped at MAX_GAP."""
    out: list[tuple[float, list]] = []
    clock, previous = 0.0, messages[0].at
    for message in messages:
        clock += min((message.at - previous).total_seconds() / SPEED, MAX_GAP)
        previous = message.at
        if out and clock - out[-1][0] < 0.25:
            out[-1][1].append(message)
        else:
            out.append((clock, [message]))
    return out


def container_state(cid: str) -> str:
    """running, exited, ..."""
    return inspect(cid)["State"]["Status"]


class Night:
    """Plays the slice onto the FTP server while injecting the faults; records when everything happened."""

    def __init__(
        self, compose: Compose, feeder: Feeder, messages: list, plan: tuple[tuple[str, float], ...] = FAULTS
    ) -> None:
        self.compose, self.feeder, self.messages = compose, feeder, messages
        self.plan = plan  # the faults to inject: FAULTS, or none (deploy_test.py --no-faults)
        self.faults: dict[str, float] = {}  # fault -> when it was injected (host clock)
        self.back: dict[str, float] = {}  # fault -> when the killed part was started again
        self.killed_worker: str | None = None
        self.killed_task: list[str] | None = None
        self.retried: str | None = None
        self.retried_after_s: float | None = None
        self.error: BaseException | None = None
        self._later: list[threading.Timer] = []
        self._actions: dict[str, Callable[[str], None]] = {
            "kill the FTP server": self._kill_ftp,
            "kill a worker": self._kill_worker,
            "kill the alert receiver": self._kill_receiver,
            "kill one of two schedulers": self._kill_scheduler,
            "restart results-db": self._restart_db,
        }

    def _feed(self) -> None:
        try:
            start = time.monotonic()
            for offset, batch in schedule(self.messages):
                delay = start + offset - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                self.feeder.drop([(m.folder, m.file_name, m.body, published(m)) for m in batch])
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            self.error = exc

    def play(self) -> None:
        """Feed in a thread; inject each fault once that share of the files has been published."""
        thread = threading.Thread(target=self._feed, daemon=True)
        thread.start()
        pending = list(self.plan)
        while thread.is_alive() or pending:
            fed = len(self.feeder.dropped) / len(self.messages)
            if pending and (fed >= pending[0][1] or not thread.is_alive()):
                name, _ = pending.pop(0)
                self._actions[name](name)
            time.sleep(0.2)
        thread.join()
        for timer in self._later:  # a part still down comes back before the checks
            timer.join()
        if self.error:
            raise self.error

    def _start_again(self, name: str, cid: str) -> None:
        # `docker kill` counts as a manual stop, so `restart: always` leaves the
        # container down; start it again as the restart policy would after a crash.
        if container_state(cid) != "running":
            run(["docker", "start", cid])
            self.back[name] = time.time()
            log(f"      {name}: container started again")

    def _kill_for(self, name: str, service: str, seconds: float, background: bool = False) -> None:
        cid = self.compose.ids(service)[0]
        self.faults[name] = time.time()
        run(["docker", "kill", cid])
        log(f"FAULT {name}: docker kill {cid[:12]}, down {seconds:.0f} s{' (in the background)' if background else ''}")
        if background:
            timer = threading.Timer(seconds, self._start_again, (name, cid))
            timer.start()
            self._later.append(timer)
        else:
            time.sleep(seconds)
            self._start_again(name, cid)

    def _kill_ftp(self, name: str) -> None:
        """The agency's server dies; the feeder goes on writing its folders, the fetcher retries its login."""
        self._kill_for(name, "feed-ftp", FTP_DOWN_S)

    def _kill_receiver(self, name: str) -> None:
        """The webhook's receiver is down for a minute: alerts wait in the outbox, the ingest does not."""
        self._kill_for(name, "alert-receiver", RECEIVER_DOWN_S, background=True)

    def _tries(self, task: list[str]) -> list[list[str]]:
        """(hostname, try_number, state) of the task instance a killed try belongs to."""
        _, task_id, run_id, _ = task
        return self.compose.psql(
            "postgres",
            "airflow",
            "airflow",
            "select hostname, try_number, state from task_instance"
            f" where dag_id = 'resultsnight_ingest' and task_id = '{task_id}'"
            f" and run_id = '{run_id}'",
        )  # ids read from Airflow's own table

    def _running_worker(self) -> tuple[str, list[str] | None]:
        """The worker running an ingest task now and that task (waiting up to 20 s for one), else the first."""
        workers = {inspect(cid)["Config"]["Hostname"]: cid for cid in self.compose.ids("airflow-worker")}
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            for row in self.compose.psql("postgres", "airflow", "airflow", RUNNING_INGEST_TRIES):
                if row[0] in workers:
                    return workers[row[0]], row
            time.sleep(0.3)
        return next(iter(workers.values())), None

    def _still_running(self, task: list[str]) -> bool:
        """Whether the task try we aimed at is still `running` (a kill leaves it so until Airflow notices)."""
        tried = int(task[3])
        return any(state == "running" and int(attempt) == tried for _, attempt, state in self._tries(task))

    def _wait_healthy(self, cid: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and inspect(cid)["State"].get("Health", {}).get("Status") != "healthy":
            time.sleep(1)

    def _retried_elsewhere(self, task: list[str], timeout: float = 240) -> str | None:
        """Wait for the killed worker's task to run again on another worker; say where and when."""
        host, task_id, _, tried = task
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for other, attempt, state in self._tries(task):
                if other and other != host and int(attempt) > int(tried) and state in ("running", "success"):
                    self.retried_after_s = round(time.time() - self.faults["kill a worker"], 1)
                    return f"{task_id} try {attempt} on {other}, {self.retried_after_s:.0f} s after the kill"
            time.sleep(0.5)
        return None

    def _kill_worker(self, name: str) -> None:
        for _ in range(3):
            cid, task = self._running_worker()
            self.faults[name] = time.time()
            run(["docker", "kill", cid])
            if task is None or self._still_running(task):
                break
            # A run ends every so often: this one ended between our look and the
            # kill, so nothing was cut off and nothing will be retried. Bring the
            # worker back and aim again.
            log(f"      {name}: {task[1]} try {task[3]} had ended before the kill landed; again")
            run(["docker", "start", cid])
            self._wait_healthy(cid)
        self.killed_worker, self.killed_task = cid, task
        log(
            f"FAULT {name}: docker kill {cid[:12]} (running {task[1] + ' try ' + task[3] if task else 'nothing'});"
            " the other worker carries on alone"
        )
        # Down until the task it was running has been retried on the other
        # worker (Airflow fails it after the heartbeat timeout), at most 4 min.
        self.retried = self._retried_elsewhere(task) if task else None
        log(f"      {name}: {self.retried or 'no retry seen elsewhere'}")
        self._start_again(name, cid)

    def _kill_scheduler(self, name: str) -> None:
        schedulers = self.compose.ids("airflow-scheduler")
        log(f"      {name}: {len(schedulers)} schedulers; the other schedules alone")
        self._kill_for(name, "airflow-scheduler", SCHEDULER_DOWN_S)

    def _restart_db(self, name: str) -> None:
        self.faults[name] = time.time()
        self.compose("restart", "results-db", timeout=120)
        self.back[name] = time.time()
        log(f"FAULT {name}: docker compose restart results-db done")
