"""The deploy test's yardstick: the same files ingested in-process, and the stack's tables beside it.

`reference_ingest` plays the slice into a throwaway embedded Postgres on the
host, one file at a time in landing order, with the same code the DAG calls
(pipeline.ingest.ingest_paths); `snapshot` reads what the comparison needs
from any results database (the stack's, over the analyst login, or that one).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from pipeline.config import load_settings
from pipeline.db import embedded_url, get_engine, stop_embedded
from pipeline.ingest import ingest_paths
from pipeline.schema import init_db

# What is compared: every column of these views except those that record when
# this run did something (ids and processing times differ by construction).
QUERIES = {
    "party_tally": "select * from results.party_tally",
    "seat_status": "select * from results.seat_status",
    "alerts": "select kind, gss_code, constituency, from_party, to_party, source, message, declared_at"
    " from results.alerts",
    "quarantine": "select file_name, reason from results.quarantine",
    "files": "select file_name, outcome, reason from results.files",
}


@dataclass
class Reference:
    """The in-process ingest's tables and its per-file times."""

    tables: dict[str, Counter]
    per_file_seconds: list[float] = field(default_factory=list)


def snapshot(conninfo: str) -> dict[str, Counter]:
    """Each compared view as a multiset of rows (psycopg conninfo string)."""
    with psycopg.connect(conninfo) as conn:
        return {name: Counter(tuple(row) for row in conn.execute(query).fetchall()) for name, query in QUERIES.items()}


def published(message) -> int:  # noqa: ANN001 - a pipeline.rehearsal Message
    """When the agency published a message, in whole seconds (what a tar header holds), for its file's mtime."""
    return int(message.at.timestamp())


def reference_ingest(messages: list, workdir: Path) -> Reference:
    """Ingest the files one by one, in landing order, into a fresh embedded Postgres; return its tables."""
    logging.getLogger("resultsnight.alerts").setLevel(logging.ERROR)  # the log sink: one line per alert
    # No settle wait (each file is written whole before it is ingested), and
    # each file dated when the agency published it, as the stack's feeder
    # dates it: a rush takes that as its time; and, long past, the cut-off
    # resend has lain unchanged past RESULTSNIGHT_INCOMPLETE_AFTER_SECONDS and
    # is quarantined with the same reason in both.
    settings = dataclasses.replace(load_settings({"RESULTSNIGHT_DATA_DIR": str(workdir / "data")}), settle_seconds=0.0)
    try:
        engine = get_engine(settings)
        init_db(engine, settings)
        inbox, archive = workdir / "inbox", workdir / "archive"
        inbox.mkdir(parents=True)
        times = []
        for message in messages:
            path = inbox / message.file_name
            path.write_bytes(message.body)
            os.utime(path, (published(message), published(message)))
            started = time.perf_counter()
            ingest_paths(engine, [path], settings=settings, archive=archive)
            times.append(time.perf_counter() - started)
        url = embedded_url(settings)  # postgresql+psycopg://postgres@/resultsnight?host=/socket/dir
        database, _, host = url.split("@/", 1)[1].partition("?host=")
        tables = snapshot(f"host={host} dbname={database} user=postgres")
        engine.dispose()
        return Reference(tables, times)
    finally:
        stop_embedded(settings)


def differences(expected: dict[str, Counter], actual: dict[str, Counter]) -> dict[str, str]:
    """Per table, what differs between two snapshots (empty when they are equal)."""
    out = {}
    for name in QUERIES:
        missing, extra = expected[name] - actual[name], actual[name] - expected[name]
        if missing or extra:
            out[name] = (
                f"{sum(missing.values())} rows only in-process (e.g. {next(iter(missing), None)}), "
                f"{sum(extra.values())} only in the stack (e.g. {next(iter(extra), None)})"
            )
    return out
