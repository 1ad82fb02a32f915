"""Derive the 2024-boundary seeds from the sources committed in seeds/sources/ge2024/.

Called by pipeline.rehearsal.derive_seeds (`make seeds`); nothing here reads
outside the repository. The sources and their credits (README, "Seeds"):

- HoC-GE2024-results-by-candidate.csv, HoC-GE2024-results-by-constituency.csv:
  the House of Commons Library's 2024 results (CBP-10009). Contains
  Parliamentary information licensed under the Open Parliament Licence v3.0.
- candidate-level-results-notional-general-election-12-12-2019.csv: the 2019
  election re-cast on the 2024 boundaries by Colin Rallings and Michael
  Thrasher, as UK Parliament's election results site exports it (Open
  Parliament Licence v3.0).
- uk-constituencies-2024.hexjson: Open Innovations' hex layout of the 2024
  constituencies, version 1.2 (credit Open Innovations).
- declaration-times.csv: approximate declaration times (tomwhite/ge-2024; UK
  local time; twelve rows carry unquoted commas in the name): 649 seats, all
  but Inverness, Skye and West Ross-shire (declared on 6 July after a recount).
- exit_poll_2024_seats.csv: the broadcasters' 22:00 exit poll, national seats.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from pipeline.names import fold

SOURCES = Path(__file__).resolve().parent.parent.parent / "seeds" / "sources" / "ge2024"

ELECTION_2024 = "parl.2024-07-04"
# The notional 2019 results on the 2024 boundaries. Not an election Democracy
# Club has an id for (its ids name real polls); this id is the real poll's id
# plus what it was re-cast onto, so it sorts beside parl.2019-12-12, can never
# collide with a real id (uk_election_ids.validate refuses it) and says what it is.
NOTIONAL_2019 = "parl.2019-12-12.notional-2024"
# The next general election on the 2024 boundaries: its date is not known yet,
# and a Democracy Club id needs one. The row's date is empty (null in
# pipeline.election) until it is called; then the row takes its real id.
NEXT_ELECTION = "parl.next"

# The Library's (and the notionals') party abbreviations -> canonical code.
# Any other abbreviation is a minor party: OTH.
SOURCE_ABBREVIATION = {
    "Con": "CON",
    "Lab": "LAB",
    "LD": "LD",
    "SNP": "SNP",
    "PC": "PC",
    "Green": "GRN",
    "RUK": "REF",
    "BRX": "BRX",
    "UKIP": "UKIP",
    "DUP": "DUP",
    "SF": "SF",
    "SDLP": "SDLP",
    "UUP": "UUP",
    "APNI": "ALL",
    "TUV": "TUV",
    "Spk": "SPK",
    "Ind": "IND",
}

# The 2024 layout's English regions are ONS codes; the Library's names are kept in constituencies.csv.
_BST = timezone(timedelta(hours=1))


def _read(name: str) -> list[dict[str, str]]:
    with (SOURCES / name).open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def constituencies() -> list[dict[str, str]]:
    """The 2024 constituencies: gss_code, boundary_set, name, region, county, country (sorted by code)."""
    rows = _read("HoC-GE2024-results-by-constituency.csv")
    return sorted(
        (
            {
                "gss_code": r["ONS ID"],
                "boundary_set": "2024",
                "name": r["Constituency name"],
                "region": r["Region name"],
                "county": r["County name"],
                "country": r["Country name"],
            }
            for r in rows
        ),
        key=lambda c: c["gss_code"],
    )


def electorates_2024() -> dict[str, int]:
    """gss_code -> registered electorate in 2024."""
    return {r["ONS ID"]: int(r["Electorate"]) for r in _read("HoC-GE2024-results-by-constituency.csv")}


def _fold_candidates(candidates: list[tuple[str, str, int]]) -> dict[tuple[str, str], int]:
    """(gss_code, party code) -> votes from (gss_code, code, votes) per candidate.

    A seat's past result holds one row per party code, so where several
    independents stood, only the seat's leading independent is IND and the
    others count as OTH with the minor parties: summed, two independents
    would "win" seats (Leicester South, Birmingham Perry Barr 2024) that
    neither did.
    """
    leading_ind: dict[str, int] = {}
    for gss, code, votes in candidates:
        if code == "IND":
            leading_ind[gss] = max(leading_ind.get(gss, -1), votes)
    out: dict[tuple[str, str], int] = defaultdict(int)
    taken: set[str] = set()
    for gss, code, votes in candidates:
        if code == "IND":
            if votes == leading_ind[gss] and gss not in taken:
                taken.add(gss)
            else:
                code = "OTH"
        out[(gss, code)] += votes
    return dict(out)


def results_2024() -> dict[tuple[str, str], int]:
    """(gss_code, party code) -> votes in 2024 (see _fold_candidates for independents)."""
    return _fold_candidates(
        [
            (r["ONS ID"], SOURCE_ABBREVIATION.get(r["Party abbreviation"], "OTH"), int(r["Votes"]))
            for r in _read("HoC-GE2024-results-by-candidate.csv")
        ]
    )


def notional_2019() -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """((gss_code, party code) -> notional 2019 votes, gss_code -> notional 2019 electorate)."""
    candidates = []
    electorate: dict[str, int] = {}
    for r in _read("candidate-level-results-notional-general-election-12-12-2019.csv"):
        gss = r["Constituency geographic code"]
        if r["Candidate is standing as Commons Speaker"] == "true":
            code = "SPK"
        elif r["Candidate is standing as independent"] == "true":
            code = "IND"
        else:
            code = SOURCE_ABBREVIATION.get(r["Main party abbreviation"], "OTH")
        candidates.append((gss, code, int(r["Candidate vote count"])))
        electorate[gss] = int(r["Electorate"])
    return _fold_candidates(candidates), electorate


def hexes() -> list[tuple[str, int, int]]:
    """(gss_code, q, r) of the 2024 layout."""
    from pipeline.board.hexmap import hexes_from_hexjson

    return hexes_from_hexjson(json.loads((SOURCES / "uk-constituencies-2024.hexjson").read_text(encoding="utf-8")))


# The times file's short names for the three Hull seats.
_TIMES_NAMES = {
    "Hull East": "Kingston upon Hull East",
    "Hull North & Cottingham": "Kingston upon Hull North and Cottingham",
    "Hull West & Haltemprice": "Kingston upon Hull West and Haltemprice",
}


def _name_key(name: str) -> str:
    return fold(_TIMES_NAMES.get(name, name).replace("&", "and"))


def declaration_times(names: dict[str, str]) -> dict[str, str]:
    """gss_code -> declared_at (UTC, ISO 8601) from the approximate times; names maps gss -> 2024 name."""
    by_key = {_name_key(n): g for g, n in names.items()}
    out = {}
    with (SOURCES / "declaration-times.csv").open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for row in reader:
            # Names with commas are unquoted in twelve rows: read the five
            # columns after the name from the right (a trailing empty one).
            fields = row[:-1] if row and row[-1] == "" else row
            name = ",".join(fields[:-5])
            hhmm = fields[-1]
            gss = by_key.get(_name_key(name))
            if gss is None or not hhmm:
                continue
            hour, minute = (int(x) for x in hhmm.split(":"))
            # Polls closed at 22:00 on 4 July: any earlier hour is 5 July, the
            # afternoon ones (17:10 South Basildon) after recounts that ran all day.
            day = 4 if hour >= 22 else 5
            local = datetime(2024, 7, day, hour, minute, tzinfo=_BST)
            out[gss] = local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def exit_poll() -> list[tuple[str, int]]:
    """(party code, seats) of the 2024 exit poll; its 'Others' row (NI, the Speaker) is left out."""
    out = []
    for r in _read("exit_poll_2024_seats.csv"):
        code = SOURCE_ABBREVIATION.get(r["party"])
        if code is not None:
            out.append((code, int(r["exit_poll_seats"])))
    return out


def house_against_notionals() -> dict[str, dict[str, int]]:
    """party code -> seats, gains and losses in 2024 against the notional 2019 winners, as the Library has them."""
    # From its "Result" column ("Lab gain from Con", "SNP hold"): the golden file of the replayed 2024 night.
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"seats": 0, "gains": 0, "losses": 0})
    for row in _read("HoC-GE2024-results-by-constituency.csv"):
        to, _, held_by = row["Result"].partition(" gain from ")
        winner = SOURCE_ABBREVIATION[to.removesuffix(" hold")]
        out[winner]["seats"] += 1
        if held_by:
            out[winner]["gains"] += 1
            out[SOURCE_ABBREVIATION[held_by]]["losses"] += 1
    return {party: out[party] for party in sorted(out)}


def write_golden(path: Path) -> None:
    """Write house_against_notionals() as the replayed 2024 night's golden file (tests/golden/night_2024.json)."""
    path.write_text(json.dumps(house_against_notionals(), indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    import sys

    write_golden(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("tests/golden/night_2024.json"))
