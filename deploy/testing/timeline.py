"""Where each file's time went under Celery, and what each fault cost: the deploy test's evidence (issue 18, item 4).

Every time here is a host-clock epoch: the feeder's publication, the
fetcher's record (pipeline.fetched_file.fetched_at: the file is in the inbox),
the watcher's asset event, the run's creation, the task try's queued and
start times (Airflow's metadata database), the receipt (pipeline.receipt).
A file is "warm" if a task already running took it (a lingering run), "cold"
if it waited for a task to start after it reached the inbox.
"""

from __future__ import annotations

import json
import os
import statistics

from harness import Compose
from measures import spread

TRIES = (
    "select extract(epoch from t.queued_dttm), extract(epoch from t.start_date),"
    " coalesce(extract(epoch from t.end_date), 1e12), t.run_id, t.hostname, extract(epoch from d.queued_at)"
    " from ({tries}) t join dag_run d on d.dag_id = t.dag_id and d.run_id = t.run_id"
    " where t.start_date is not null"
)
ALL_TRIES = (
    "select dag_id, run_id, queued_dttm, start_date, end_date, hostname from task_instance"
    " where dag_id = 'resultsnight_ingest' union all select dag_id, run_id, queued_dttm, start_date, end_date,"
    " hostname from task_instance_history where dag_id = 'resultsnight_ingest'"
)
EVENTS = (
    "select extract(epoch from e.timestamp), e.extra from asset_event e join asset a on a.id = e.asset_id"
    " where a.name = 'resultsnight_inbox' order by e.timestamp"
)
# The fetcher's record: distinct files fetched, and files fetched more than once (the same name and version).
FETCHED_TWICE = (
    "select count(distinct file_name), count(*) - count(distinct (folder, file_name, size, modified_at))"
    " from pipeline.fetched_file"
)
FETCHED = "select file_name, min(extract(epoch from fetched_at)) from pipeline.fetched_file group by file_name"
STAGES = ("fetch", "watcher_event", "run_created", "task_queued", "task_started", "ingest")


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def _event_times(compose: Compose) -> dict[str, float]:
    """File name -> the first asset event that named it."""
    first: dict[str, float] = {}
    for at, extra in compose.psql("postgres", "airflow", "airflow", EVENTS):
        try:
            body = json.loads(extra)
        except ValueError:
            body = {}
        # The watcher's TriggerEvent payload, as Airflow stores it in the event's extra.
        names = (body.get("payload") or body).get("files") or [] if isinstance(body, dict) else []
        for name in names:
            first.setdefault(os.path.basename(str(name)), float(at))
    return first


def breakdown(compose: Compose, dropped: dict[str, float], receipts: list[tuple[float, str]]) -> dict:
    """Per file: the stages from publication to receipt; their medians for warm and cold files, and the slowest."""
    fetched = {n: float(t) for n, t in compose.psql("results-db", "resultsnight", "resultsnight", FETCHED)}
    events = _event_times(compose)
    tries = [
        [float(x) if x else None for x in row[:3]] + [row[3], row[4], float(row[5])]
        for row in compose.psql("postgres", "airflow", "airflow", TRIES.format(tries=ALL_TRIES))
    ]
    files = []
    for stored, name in receipts:
        if name not in dropped or name not in fetched:
            continue
        inbox = fetched[name]
        took = [t for t in tries if t[1] <= stored <= t[2]]
        row = {"file": name, "to_stored": round(stored - dropped[name], 3), "fetch": round(inbox - dropped[name], 3)}
        if not took:
            row["path"] = "unknown"
        elif min(t[1] for t in took) <= inbox:
            row.update(path="warm", inbox_to_stored=round(stored - inbox, 3))
        else:
            queued, started, _, run_id, host, created = min(took, key=lambda t: t[1])
            event = events.get(name)
            row.update(
                path="cold",
                run=run_id,
                worker=host,
                watcher_event=round(event - inbox, 3) if event else None,
                run_created=round(created - event, 3) if event else None,
                task_queued=round(queued - created, 3) if queued else None,
                task_started=round(started - queued, 3) if queued else None,
                ingest=round(stored - started, 3),
                inbox_to_stored=round(stored - inbox, 3),
            )
        files.append(row)
    out: dict = {}
    for path in ("warm", "cold", "unknown"):
        chosen = [f for f in files if f["path"] == path]
        out[path] = {
            "n": len(chosen),
            "to_stored": spread([f["to_stored"] for f in chosen]),
            "inbox_to_stored": spread([f["inbox_to_stored"] for f in chosen if "inbox_to_stored" in f]),
            "median_stage_s": {
                s: _median([f[s] for f in chosen if f.get(s) is not None])
                for s in STAGES
                if any(s in f for f in chosen)
            },
        }
    out["inbox_to_stored_all"] = spread([f["inbox_to_stored"] for f in files if "inbox_to_stored" in f])
    out["fetch_all"] = spread([f["fetch"] for f in files])
    out["slowest"] = sorted(files, key=lambda f: -f["to_stored"])[:12]
    return out


def fault_costs(
    compose: Compose, faults: dict, back: dict, receipts: list[tuple[float, str]], received: list[dict]
) -> dict:
    """After each part came back: seconds to the next file stored; for the receiver, how late its alerts came."""
    times = sorted(t for t, _ in receipts)
    out: dict = {}
    for name, at in back.items():
        nxt = min((t for t in times if t >= at), default=None)
        out[name] = {
            "down_s": round(at - faults[name], 1),
            "back_to_next_stored_s": round(nxt - at, 2) if nxt else None,
        }
    receiver = "kill the alert receiver"
    if receiver in faults and receiver in back:
        down, up = faults[receiver], back[receiver]
        first: dict[int, float] = {}
        for r in received:
            first.setdefault(int(r["alert"].get("alert_id")), r["received_at"])
        raised = compose.psql(
            "results-db",
            "resultsnight",
            "resultsnight",
            "select alert_id, extract(epoch from raised_at) from results.alerts",
        )
        # Alerts raised while it was down, or raised before and not yet delivered when it went.
        missed = [int(a) for a, t in raised if float(t) < up and first.get(int(a), float("inf")) >= down]
        out[receiver]["alerts_waiting"] = len(missed)
        out[receiver]["delivered_after_back_s"] = spread([first[a] - up for a in missed if a in first])
    return out


def killed_try(compose: Compose, task: list[str] | None, kill_at: float | None) -> dict:
    """The killed worker's task: seconds from the kill to its try failed, the retry queued, and the retry started."""
    if not task or kill_at is None:
        return {}
    _, task_id, run_id, tried = task
    where = f"dag_id = 'resultsnight_ingest' and task_id = '{task_id}' and run_id = '{run_id}'"  # Airflow's own ids
    failed = compose.psql(
        "postgres",
        "airflow",
        "airflow",
        f"select extract(epoch from end_date) from task_instance_history where {where} and try_number = {int(tried)}",
    )
    # The first retry: in the history if it was tried again after it, else the task instance itself.
    retry = compose.psql(
        "postgres",
        "airflow",
        "airflow",
        "select extract(epoch from queued_dttm), extract(epoch from start_date) from ("
        f"select try_number, queued_dttm, start_date from task_instance_history where {where}"
        f" union all select try_number, queued_dttm, start_date from task_instance where {where}"
        f") t where try_number = {int(tried) + 1}",
    )
    out = {"failed_after_s": round(float(failed[0][0]) - kill_at, 1) if failed and failed[0][0] else None}
    if retry:
        queued, started = retry[0]
        out["retry_queued_after_s"] = round(float(queued) - kill_at, 1) if queued else None
        out["retry_started_after_s"] = round(float(started) - kill_at, 1) if started else None
    return out
