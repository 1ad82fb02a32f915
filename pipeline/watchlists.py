"""Regional watch lists: named sets of seats a newsroom follows, as data in seeds/watch_lists.csv.

One row per list. A seat is on a list when it is in any of the list's
`regions` or `counties`, its name starts with any of `name_prefixes`, or its
GSS code is among `gss_codes` (each a `;`-separated list, any may be empty),
and, when `max_baseline_majority` is set, its baseline majority is under
that many votes. A list is for the elections its `election_ids` names
(`;`-separated; empty: every election), since places and seats are those of
one boundary set (the 2010 set's "Eastern" region is the 2024 set's "East
of England"). The summary, the report and the live board show every list,
seats ordered by the swing needed (percent, not votes).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from pipeline.db import sql
from pipeline.exceptions import ConfigurationError

FILE_NAME = "watch_lists.csv"
SEAT_COLUMNS = ("constituency", "party", "majority", "swing_needed_pct", "winner_party", "outcome")
COLUMNS = (
    "list_id",
    "title",
    "regions",
    "counties",
    "name_prefixes",
    "gss_codes",
    "max_baseline_majority",
    "election_ids",
)


@dataclass(frozen=True)
class WatchList:
    """One named list of seats: the places it covers and an optional baseline-majority cap."""

    list_id: str
    title: str
    regions: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    name_prefixes: tuple[str, ...] = ()
    gss_codes: tuple[str, ...] = ()
    max_baseline_majority: int | None = None
    election_ids: tuple[str, ...] = ()  # the elections it is for; empty: every one

    def is_for(self, election_id: str) -> bool:
        """Whether the list is shown when this election is counted."""
        return not self.election_ids or election_id in self.election_ids

    def heading(self, baseline_label: str) -> str:
        """The list's title with what it covers, e.g. 'Anglia marginals (Eastern, ...: 2017 majority under 2,000)'."""
        places = [*self.regions, *self.counties, *self.name_prefixes]
        if self.gss_codes:
            places.append(f"{len(self.gss_codes)} listed seat{'s' if len(self.gss_codes) != 1 else ''}")
        rule = f"{baseline_label} majority under {self.max_baseline_majority:,}" if self.max_baseline_majority else ""
        detail = ", ".join(places) + (f": {rule}" if rule else "")
        return f"{self.title} ({detail})" if detail else self.title

    def rows(self, conn: Connection) -> list[dict]:
        """Every seat on the list as a dict: the columns of seats(), then gss_code and status."""
        return [
            dict(r)
            for r in conn.execute(
                sql("queries/watchlists/seats"),
                {
                    "regions": list(self.regions),
                    "counties": list(self.counties),
                    "name_prefixes": list(self.name_prefixes),
                    "gss_codes": list(self.gss_codes),
                    "max_majority": self.max_baseline_majority,
                },
            ).mappings()
        ]

    def seats(self, conn: Connection) -> list[tuple]:
        """(constituency, baseline party, majority, swing needed %, winner now, outcome) of every seat on the list."""
        return [tuple(r[k] for k in SEAT_COLUMNS) for r in self.rows(conn)]


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(";") if part.strip())


def load_watch_lists(seeds_dir: Path, election_id: str | None = None) -> list[WatchList]:
    """The watch lists in seeds_dir/watch_lists.csv for an election (default: all), in file order (none if no file)."""
    path = seeds_dir / FILE_NAME
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ConfigurationError(f"{path} must have the columns {','.join(COLUMNS)}")
        lists: list[WatchList] = []
        for number, row in enumerate(reader, start=2):
            cap = (row["max_baseline_majority"] or "").strip()
            if cap and not cap.isdigit():
                raise ConfigurationError(f"{path} line {number}: max_baseline_majority {cap!r} is not a whole number")
            watch = WatchList(
                list_id=row["list_id"].strip(),
                title=row["title"].strip(),
                regions=_split(row["regions"]),
                counties=_split(row["counties"]),
                name_prefixes=_split(row["name_prefixes"]),
                gss_codes=tuple(code.upper() for code in _split(row["gss_codes"])),
                max_baseline_majority=int(cap) if cap else None,
                election_ids=_split(row["election_ids"]),
            )
            if not watch.list_id or not watch.title:
                raise ConfigurationError(f"{path} line {number}: a list needs a list_id and a title")
            if not (watch.regions or watch.counties or watch.name_prefixes or watch.gss_codes):
                raise ConfigurationError(f"{path} line {number}: list {watch.list_id!r} names no seats or places")
            if watch.list_id in {w.list_id for w in lists}:
                raise ConfigurationError(f"{path} line {number}: list_id {watch.list_id!r} is used twice")
            lists.append(watch)
    return [w for w in lists if election_id is None or w.is_for(election_id)]
