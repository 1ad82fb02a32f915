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
    conn.execute(sql("queries/seeds/upsert_past_result"), params)
    keys = [f"{r['gss_code']}|{r['party_code']}" for r in rows]
    conn.execute(sql("queries/seeds/prune_past_result"), {"election_id": election_id, "keys": keys})
    return election_id, len(rows)


@dataclass(frozen=True)
class Election:
    """One row of seeds/elections.csv: an election, actual, notional or still to come."""

    election_id: str
    name: str
    election_date: str | None  # ISO date; None while the date is not known
    election_type: str
    boundary_set: str
    baseline_election_id: str | None
    is_notional: bool
    results_file: str | None


def read_elections(seeds_dir: Path) -> dict[str, Election]:
    """election_id -> Election from seeds/elections.csv, checked (ids, baselines, boundary sets)."""
    sets = {b["boundary_set"] for b in _rows(seeds_dir / "boundary_sets.csv")}
    out: dict[str, Election] = {}
    for e in _rows(seeds_dir / "elections.csv"):
        election = Election(
            e["election_id"],
            e["name"],
            e["election_date"] or None,
            e["election_type"],
            e["boundary_set"],
            e["baseline_election_id"] or None,
            e["is_notional"].strip().lower() == "true",
            e["results_file"] or None,
        )
        check_election_id(election)
        if election.boundary_set not in sets:
            raise ConfigurationError(
                f"elections.csv: {election.election_id} names boundary set "
                f"{election.boundary_set!r}, not in boundary_sets.csv"
            )
        if election.baseline_election_id is not None:
            baseline = out.get(election.baseline_election_id)
            if baseline is None:
                raise ConfigurationError(
                    f"elections.csv: the baseline of {election.election_id}, "
                    f"{election.baseline_election_id}, must be a row above it"
                )
            if baseline.boundary_set != election.boundary_set:
                raise ConfigurationError(
                    f"elections.csv: {election.election_id} (boundary set {election.boundary_set}) "
                    f"cannot be counted against {baseline.election_id} (boundary set "
                    f"{baseline.boundary_set}); use notional results on its boundaries"
                )
        out[election.election_id] = election
    return out


_NOTIONAL_SUFFIX = ".notional-"
_UNDATED_SUFFIX = ".next"


def check_election_id(election: Election) -> None:
    """Raise ConfigurationError unless the id is Democracy Club's for the election (or our notional/next form)."""
    from uk_election_ids.election_ids import validate

    eid = election.election_id
    if election.is_notional:
        # Notional results are no poll, so Democracy Club has no id for them:
        # the id of the poll re-cast, then ".notional-<boundary set>".
        real, _, onto = eid.partition(_NOTIONAL_SUFFIX)
        if not validate(real) or onto != election.boundary_set:
            raise ConfigurationError(
                f"elections.csv: notional {eid!r} must be a Democracy Club id followed by "
                f"'{_NOTIONAL_SUFFIX}{election.boundary_set}'"
            )
    elif election.election_date is None:
        # A Democracy Club id needs the poll's date; until it is called the
        # row is '<type>.next' and takes its real id once the date is known.
        if not eid.endswith(_UNDATED_SUFFIX) or eid.count(".") != 1:
            raise ConfigurationError(f"elections.csv: {eid!r} has no date, so its id must be '<type>{_UNDATED_SUFFIX}'")
    elif not validate(eid) or not eid.endswith(election.election_date):
        raise ConfigurationError(
            f"elections.csv: {eid!r} is not the Democracy Club id of an election on {election.election_date}"
        )


def load_seeds(conn: Connection, seeds_dir: Path, baseline_csv: Path | None = None) -> SeedReport:
    """Upsert every seed file; rows already equal are left untouched."""
    conn.execute(
        sql("queries/seeds/upsert_boundary_set"),
        [
            {k: b[k] for k in ("boundary_set", "name", "first_election_date")}
            for b in _rows(seeds_dir / "boundary_sets.csv")
        ],
    )
    elections = read_elections(seeds_dir)
    conn.execute(
        sql("queries/seeds/upsert_election"),
        [
            {
                "election_id": e.election_id,
                "name": e.name,
                "election_date": e.election_date,
                "election_type": e.election_type,
                "boundary_set": e.boundary_set,
                "baseline_election_id": e.baseline_election_id,
                "is_notional": e.is_notional,
            }
            for e in elections.values()
        ],
    )

    constituencies = _rows(seeds_dir / "constituencies.csv")
    seats = check_constituencies(constituencies)
    conn.execute(
        sql("queries/seeds/upsert_constituency"),
        [
            {
                "gss_code": c["gss_code"],
                "name": c["name"],
                "name_key": fold(c["name"]),
                "region": c["region"],
                "county": c["county"] or None,
                "country": c["country"],
            }
            for c in seats.values()
        ],
    )
    conn.execute(
        sql("queries/seeds/upsert_boundary_set_constituency"),
        [{"boundary_set": c["boundary_set"], "gss_code": c["gss_code"]} for c in constituencies],
    )
    sets_of: dict[str, set[str]] = {}
    for c in constituencies:
        sets_of.setdefault(c["gss_code"], set()).add(c["boundary_set"])
    contests = []
    for c in _rows(seeds_dir / "contests.csv"):
        election = elections.get(c["election_id"])
        if election is None:
            raise ConfigurationError(f"contests.csv names {c['election_id']}, not in elections.csv")
        if election.boundary_set not in sets_of.get(c["gss_code"], set()):
            raise ConfigurationError(
                f"contests.csv: {c['gss_code']} is not a constituency of boundary set "
                f"{election.boundary_set} ({election.election_id})"
            )
        contests.append(
            {
                "election_id": c["election_id"],
                "gss_code": c["gss_code"],
                "electorate": int(c["electorate"]) if c["electorate"] else None,
            }
        )
    conn.execute(sql("queries/seeds/upsert_contest"), contests)

    parties = _rows(seeds_dir / "parties.csv")
    conn.execute(sql("queries/seeds/upsert_party"), parties)
    aliases: dict[tuple[str, str], dict[str, str]] = {}
    for a in _rows(seeds_dir / "party_aliases.csv"):
        valid_from = a.get("valid_from") or "-infinity"
        key = (fold(a["alias"]), valid_from)
        if key in aliases and aliases[key]["party_code"] != a["party_code"]:
            raise ConfigurationError(f"party alias {a['alias']!r} is given to two parties from {valid_from}")
        aliases[key] = {
            "alias_key": key[0],
            "valid_from": valid_from,
            "alias": a["alias"],
            "party_code": a["party_code"],
        }
    conn.execute(sql("queries/seeds/upsert_party_alias"), list(aliases.values()))

    past: dict[str, int] = {}
    result_files = [seeds_dir / e.results_file for e in elections.values() if e.results_file]
    if baseline_csv is not None:
        result_files.append(baseline_csv)  # loaded last: it wins for its election
    for path in result_files:
        election_id, n = load_results_csv(conn, path)
        past[election_id] = n
    return SeedReport(len(elections), len(seats), len(parties), len(aliases), past)


def check_constituencies(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """gss_code -> constituency from constituencies.csv rows (one per seat per boundary set), checked.

    A seat in two sets (unchanged by a review, so it kept its code) must be
    described alike in both; a name (folded) is used once per set.
    """
    seats: dict[str, dict[str, str]] = {}
    names: dict[tuple[str, str], str] = {}
    fields = ("name", "region", "county", "country")
    for c in rows:
        seen = seats.setdefault(c["gss_code"], c)
        if any(seen[f] != c[f] for f in fields):
            raise ConfigurationError(
                f"constituencies.csv describes {c['gss_code']} differently in boundary sets "
                f"{seen['boundary_set']} and {c['boundary_set']}"
            )
        key = (c["boundary_set"], fold(c["name"]))
        if names.setdefault(key, c["gss_code"]) != c["gss_code"]:
            raise ConfigurationError(
                f"constituencies.csv: two seats of boundary set {c['boundary_set']} are named {c['name']!r}"
            )
    return seats


def default_count_setting(seeds_dir: Path, election_id: str | None = None) -> tuple[str, str]:
    """The (counting, baseline) election ids: election_id (default seeds/count_setting.csv) and its seeded baseline."""
    counting = election_id or _rows(seeds_dir / "count_setting.csv")[0]["counting_election_id"]
    elections = read_elections(seeds_dir)
    if counting not in elections:
        raise ConfigurationError(f"no election {counting!r} in seeds/elections.csv (known: {', '.join(elections)})")
    baseline = elections[counting].baseline_election_id
    if baseline is None:
        raise ConfigurationError(f"{counting} has no baseline election in seeds/elections.csv: it cannot be counted")
    return counting, baseline
