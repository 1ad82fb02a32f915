"""The deploy test's measures: quantiles, and where each file's time went (stored, alerted, after each fault).

Pure functions of what verify.py and timeline.py read off the running stack,
except `latencies`, which reads the receipts and alerts it measures.
"""

from __future__ import annotations

import statistics

from harness import Compose


def pct(values: list[float], p: float) -> float | None:
    """The p-th quantile (nearest rank), or None for no values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))] if ordered else None


def spread(values: list[float]) -> dict:
    """n, median, p95, min, max of a list of seconds."""
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "median": round(statistics.median(values), 3),
        "p95": round(pct(values, 0.95), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def latencies(compose: Compose, dropped: dict[str, float], received: list[dict]) -> dict[str, list]:
    """Per file: drop -> receipt, drop -> first alert raised, drop -> first alert at the webhook (seconds)."""
    rows = compose.psql(
        "results-db",
        "resultsnight",
        "resultsnight",
        "select r.file_name, extract(epoch from r.received_at),"
        " (select min(extract(epoch from a.raised_at)) from pipeline.alert a"
        "   where a.declaration_id = any(r.declaration_ids)),"
        " (select array_to_string(array_agg(a.alert_id), ',') from pipeline.alert a"
        "   where a.declaration_id = any(r.declaration_ids))"
        " from pipeline.receipt r",
    )
    delivered = {}
    for r in received:
        delivered.setdefault(r["alert"].get("alert_id"), r["received_at"])
    out: dict[str, list] = {"stored": [], "alert": [], "webhook": [], "receipts": []}
    for name, stored, alerted, alert_ids in rows:
        if name not in dropped:
            continue
        out["receipts"].append((float(stored), name))
        out["stored"].append(float(stored) - dropped[name])
        if alerted:
            out["alert"].append(float(alerted) - dropped[name])
            at = [delivered[int(a)] for a in alert_ids.split(",") if int(a) in delivered]
            if at:
                out["webhook"].append(min(at) - dropped[name])
    return out


def stalls(faults: dict[str, float], receipts: list[tuple[float, str]]) -> dict[str, float | None]:
    """For each fault, seconds from it to the next file stored."""
    times = sorted(t for t, _ in receipts)
    return {name: round(min((t for t in times if t > at), default=float("nan")) - at, 1) for name, at in faults.items()}


def scheduler_stall(kill: float, back: float, dropped: dict[str, float], receipts: list[tuple[float, str]]) -> dict:
    """After one of two schedulers is killed: seconds to the next file stored, and files dropped while it was down."""
    stored_at = {name: t for t, name in receipts}
    pending = [n for n, d in dropped.items() if d < kill and stored_at.get(n, float("inf")) > kill]
    # Waiting for a file that is not there yet is not a stall: count from the
    # kill if files were waiting then, else from the next file's arrival.
    start = kill if pending else min((d for d in dropped.values() if d >= kill), default=None)
    following = [t for t, _ in receipts if start is not None and t >= start and t > kill]
    during = [stored_at[n] - d for n, d in dropped.items() if kill <= d < back and n in stored_at]
    return {
        "files_waiting_at_kill": len(pending),
        "next_stored_s": round(min(following) - start, 2) if following else None,
        "dropped_while_down": len(during),
        "while_down_file_to_stored_s": spread(during),
    }
