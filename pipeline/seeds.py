"""Load the reference CSVs in seeds/ into the database, idempotently."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from pipeline.db import sql
from pipeline.exceptions import ConfigurationError
from pipeline.names import fold


@dataclass(frozen=True)
class SeedReport:
    """How many rows each seed file holds after loading."""

    elections: int
    constituencies: int
    parties: int
    aliases: int
    past_results: dict[str, int]


def _rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError as exc:
        raise ConfigurationError(f"seed file missing: {path}") from exc


def load_results_csv(conn: Connection, path: Path) -> tuple[str, int]:
    """Load one past-results CSV (election_id,gss_code,party_code,votes), replacing that election's rows."""
    rows = _rows(path)
    elections = {r["election_id"] for r in rows}
    if len(elections) != 1:
        raise ConfigurationError(f"{path} must hold exactly one election_id, found {sorted(elections)}")
    election_id = elections.pop()
    params = [
        {"election_id": election_id, "gss_code": r["gss_code"], "party_code": r["party_code"], "votes": int(r["votes"])}
        for r in rows
    ]
    conn.execute(sql("queries/seed_upsert_past_result"), params)
    keys = [f"{r['gss_code']}|{r['party_code']}" for r in rows]
    conn.execute(sql("queries/seed_prune_past_result"), {"election_id": election_id, "keys": keys})
    return election_id, len(rows)


def load_seeds(conn: Connection, seeds_dir: Path, baseline_csv: Path | None = None) -> SeedReport:
    """Upsert every seed file; rows already equal are left untouched."""
    elections = _rows(seeds_dir / "elections.csv")
    conn.execute(sql("queries/seed_upsert_election"), elections)
    year_to_election = {e["election_date"][:4]: e["election_id"] for e in elections}

    constituencies = _rows(seeds_dir / "constituencies.csv")
    conn.execute(
        sql("queries/seed_upsert_constituency"),
        [
            {
                "gss_code": c["gss_code"],
                "name": c["name"],
                "name_key": fold(c["name"]),
                "region": c["region"],
                "county": c["county"] or None,
                "country": c["country"],
            }
            for c in constituencies
        ],
    )
    contests = []
    for c in constituencies:
        for column, value in c.items():
            if column.startswith("electorate_") and value:
                election_id = year_to_election.get(column.removeprefix("electorate_"))
                if election_id is None:
                    raise ConfigurationError(f"constituencies.csv column {column} names no election in elections.csv")
                contests.append({"election_id": election_id, "gss_code": c["gss_code"], "electorate": int(value)})
    conn.execute(sql("queries/seed_upsert_contest"), contests)

    parties = _rows(seeds_dir / "parties.csv")
    conn.execute(sql("queries/seed_upsert_party"), parties)
    aliases: dict[str, dict[str, str]] = {}
    for a in _rows(seeds_dir / "party_aliases.csv"):
        key = fold(a["alias"])
        if key in aliases and aliases[key]["party_code"] != a["party_code"]:
            raise ConfigurationError(f"party alias {a['alias']!r} is given to two parties")
        aliases[key] = {"alias_key": key, "alias": a["alias"], "party_code": a["party_code"]}
    conn.execute(sql("queries/seed_upsert_party_alias"), list(aliases.values()))

    past: dict[str, int] = {}
    # Only the elections elections.csv names: results_2010/2015.csv are there
    # for the projection backtest, which reads them from the files.
    result_files = [
        p for p in sorted(seeds_dir.glob("results_*.csv")) if p.stem.removeprefix("results_") in year_to_election
    ]
    if baseline_csv is not None:
        result_files.append(baseline_csv)  # loaded last: it wins for its election
    for path in result_files:
        election_id, n = load_results_csv(conn, path)
        past[election_id] = n
    return SeedReport(len(elections), len(constituencies), len(parties), len(aliases), past)


def default_count_setting(seeds_dir: Path) -> tuple[str, str]:
    """The (counting, baseline) election ids from seeds/count_setting.csv."""
    row = _rows(seeds_dir / "count_setting.csv")[0]
    return row["counting_election_id"], row["baseline_election_id"]
