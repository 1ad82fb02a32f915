"""Elections as data: the 2024 seeds against the published figures, and switching the counted election in one database.

Reads only the committed seeds (seeds/, seeds/sources/ge2024/) and its own
fixture (tests/corpus/ge2024/), never the shared data folder.
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from pipeline.exceptions import ConfigurationError
from pipeline.seeds import default_count_setting, read_elections
from tests.db_helpers import rows

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CLACTON_2024 = Path(__file__).resolve().parent / "corpus" / "ge2024" / "General_Election_2024_result_Clacton_1.xml"
BLYTH_2019 = Path(__file__).resolve().parent / "corpus" / "General_Election_2019_result_Blyth_Valley_1.xml"

# The Commons Library's published 2024 result, and the Rallings & Thrasher notional 2019 result on the same seats.
PUBLISHED_2024 = {
    "LAB": 411,
    "CON": 121,
    "LD": 72,
    "SNP": 9,
    "SF": 7,
    "IND": 6,
    "REF": 5,
    "DUP": 5,
    "GRN": 4,
    "PC": 4,
    "SDLP": 2,
    "ALL": 1,
    "UUP": 1,
    "TUV": 1,
    "SPK": 1,
}
NOTIONAL_2019 = {
    "CON": 372,
    "LAB": 200,
    "SNP": 48,
    "LD": 8,
    "DUP": 8,
    "SF": 7,
    "PC": 2,
    "SDLP": 2,
    "GRN": 1,
    "ALL": 1,
    "SPK": 1,
}


def _csv(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _winners(name: str) -> dict[str, str]:
    votes: dict[str, dict[str, int]] = defaultdict(dict)
    for r in _csv(name):
        votes[r["gss_code"]][r["party_code"]] = int(r["votes"])
    return {g: max(v, key=v.get) for g, v in votes.items()}


def _seats_of(boundary_set: str) -> set[str]:
    return {c["gss_code"] for c in _csv("constituencies.csv") if c["boundary_set"] == boundary_set}


@pytest.mark.unit
def test_the_2024_results_in_the_seeds_give_the_published_house() -> None:
    winners = _winners("results_2024.csv")
    assert set(winners) == _seats_of("2024") and len(winners) == 650
    assert Counter(winners.values()) == PUBLISHED_2024
    assert winners["E14001174"] == "REF"  # Clacton


@pytest.mark.unit
def test_the_notionals_give_the_published_notional_house() -> None:
    winners = _winners("results_2019_notional_2024.csv")
    assert set(winners) == _seats_of("2024")
    assert Counter(winners.values()) == NOTIONAL_2019


@pytest.mark.unit
def test_gains_and_holds_against_the_notionals_are_the_published_ones() -> None:
    """Every seat's 2024 winner against its notional 2019 winner, as the Library publishes it ("RUK gain from Con")."""
    from pipeline.rehearsal.derive_ge2024 import SOURCE_ABBREVIATION, SOURCES

    won, notional = _winners("results_2024.csv"), _winners("results_2019_notional_2024.csv")
    gains: Counter = Counter()
    with (SOURCES / "HoC-GE2024-results-by-constituency.csv").open(newline="", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            to, _, held_by = row["Result"].partition(" gain from ")
            published = (
                SOURCE_ABBREVIATION[to.removesuffix(" hold")],
                SOURCE_ABBREVIATION[held_by or to.removesuffix(" hold")],
            )
            assert (won[row["ONS ID"]], notional[row["ONS ID"]]) == published, row["Constituency name"]
            gains[published[0]] += published[0] != published[1]
    assert sum(gains.values()) == 303 and (gains["LAB"], gains["LD"], gains["REF"], gains["IND"]) == (218, 64, 5, 6)


@pytest.mark.unit
def test_every_2024_seat_has_one_hex_of_its_own() -> None:
    from pipeline.board.hexmap import load_hexmaps

    hexmaps = load_hexmaps(SEEDS)
    assert set(hexmaps) == {"2010", "2024"}
    for boundary_set, layout in hexmaps.items():
        assert set(layout) == _seats_of(boundary_set), boundary_set
        assert len({tuple(qr) for qr in layout.values()}) == len(layout) == 650, boundary_set


@pytest.mark.unit
def test_elections_are_rows_with_their_boundaries_and_baselines() -> None:
    elections = read_elections(SEEDS)
    assert default_count_setting(SEEDS) == ("parl.2019-12-12", "parl.2017-06-08")  # the default night is unchanged
    assert default_count_setting(SEEDS, "parl.2024-07-04") == ("parl.2024-07-04", "parl.2019-12-12.notional-2024")
    assert default_count_setting(SEEDS, "parl.next") == ("parl.next", "parl.2024-07-04")
    assert elections["parl.next"].election_date is None  # not called yet
    assert elections["parl.2019-12-12.notional-2024"].is_notional
    assert {e.boundary_set for e in elections.values() if e.election_id >= "parl.2019-12-12."} == {"2024"}
    contests = Counter(c["election_id"] for c in _csv("contests.csv"))
    assert set(contests.values()) == {650} and set(contests) == set(elections)
    with pytest.raises(ConfigurationError, match="no election"):
        default_count_setting(SEEDS, "parl.2029-05-03")
    with pytest.raises(ConfigurationError, match="no baseline"):
        default_count_setting(SEEDS, "parl.2010-05-06")


def _copy_seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder, ignore=shutil.ignore_patterns("sources"))
    return folder


def _edit_elections(folder: Path, row_id: str, changes: dict[str, str]) -> None:
    with (folder / "elections.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["election_id"] == row_id:
            row.update(changes)
    with (folder / "elections.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("election_id", "changes", "message"),
    [
        ("parl.2024-07-04", {"baseline_election_id": "parl.2019-12-12"}, "use notional results"),
        ("parl.2024-07-04", {"election_id": "parl.2024-7-4"}, "not the Democracy Club id"),
        ("parl.2024-07-04", {"election_date": "2024-07-05"}, "not the Democracy Club id"),
        ("parl.2019-12-12.notional-2024", {"election_id": "parl.2019-12-12.notional-2010"}, "must be a Democracy"),
        ("parl.next", {"election_id": "parl.2029"}, "its id must be"),
        ("parl.2024-07-04", {"boundary_set": "2030"}, "not in boundary_sets.csv"),
    ],
)
def test_a_wrong_election_row_is_refused(tmp_path: Path, election_id: str, changes: dict, message: str) -> None:
    folder = _copy_seeds(tmp_path)
    _edit_elections(folder, election_id, changes)
    with pytest.raises(ConfigurationError, match=message):
        read_elections(folder)


@pytest.mark.unit
def test_a_dated_alias_means_the_party_of_its_time(tmp_path: Path) -> None:
    rows = [r for r in _csv("party_aliases.csv") if r["alias"] == "PP7931"]
    assert {(r["party_code"], r["valid_from"]) for r in rows} == {("BRX", ""), ("REF", "2021-01-06")}
    reform = {r["alias"] for r in _csv("party_aliases.csv") if r["party_code"] == "REF"}
    assert {"RUK", "Reform", "Reform UK", "REF"} <= reform
    assert "TUV" in {r["alias"] for r in _csv("party_aliases.csv") if r["party_code"] == "TUV"}


# ---------------------------------------------------------------- in the database


@pytest.mark.integration
def test_switching_elections_in_one_database_mixes_nothing(clean_db, settings, tmp_path: Path) -> None:
    """2019, then 2024, then 2019 again: each night sees its own seats, baseline, files and aliases only."""
    from pipeline.ingest import ingest_paths
    from pipeline.resolve import load_reference
    from pipeline.schema import init_db

    engine = clean_db
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    try:
        report = init_db(engine, settings, election_id="parl.2019-12-12")
        assert (report.counting_election_id, report.baseline_election_id) == ("parl.2019-12-12", "parl.2017-06-08")
        shutil.copy(BLYTH_2019, inbox / BLYTH_2019.name)
        assert ingest_paths(engine, [inbox], settings=settings).counts["stored"] == 1
        night_2019 = rows(
            engine, "select gss_code, status, winner_party, outcome from results.seat_status where status <> 'awaiting'"
        )
        assert night_2019 == [("E14000575", "declared", "CON", "gain")]

        before = rows(engine, "select coalesce(max(event_id), 0) from pipeline.event")[0][0]
        report = init_db(engine, settings, election_id="parl.2024-07-04")
        assert report.baseline_election_id == "parl.2019-12-12.notional-2024"
        # The board hears of it: one 'election' event (its caches are keyed to the last event).
        assert rows(
            engine, "select kind, payload->>'counting_election_id' from pipeline.event where event_id > :b", b=before
        ) == [("election", "parl.2024-07-04")]
        assert rows(engine, "select boundary_set, baseline_is_notional from results.count_setting") == [("2024", True)]
        seats = {g for (g,) in rows(engine, "select gss_code from results.seat_status")}
        assert seats == _seats_of("2024")
        assert rows(engine, "select count(*) from results.seat_status where status <> 'awaiting'") == [(0,)]
        assert rows(engine, "select count(*) from results.flips") == [(0,)]
        assert rows(engine, "select count(*) from results.alerts") == [(0,)]
        assert dict(rows(engine, "select party, count(*) from results.baseline_seats group by party")) == NOTIONAL_2019
        assert {g for (g,) in rows(engine, "select gss_code from results.targets")} <= seats
        with engine.connect() as conn:
            ref = load_reference(conn)
        assert ref.by_key["aldershot"] == "E14001063"  # the 2024 Aldershot, not the 2010 one (E14000530)
        assert ref.party("PP7931") == "REF" and ref.party("Reform UK") == "REF" and ref.party("TUV") == "TUV"

        shutil.copy(CLACTON_2024, inbox / CLACTON_2024.name)
        assert ingest_paths(engine, [inbox], settings=settings).counts["stored"] == 1
        assert rows(
            engine,
            "select gss_code, winner_party, baseline_party, outcome from results.seat_status "
            "where status <> 'awaiting'",
        ) == [("E14001174", "REF", "CON", "gain")]
        assert rows(engine, "select party, seats, gains from results.party_tally where seats > 0") == [("REF", 1, 1)]
        parties_2024 = {p for (p,) in rows(engine, "select party from results.party_tally")}
        assert {"REF", "TUV", "BRX"} <= parties_2024  # TUV stood in 2024, the Brexit Party in the notionals

        init_db(engine, settings, election_id="parl.2019-12-12")
        assert (
            rows(
                engine,
                "select gss_code, status, winner_party, outcome from results.seat_status where status <> 'awaiting'",
            )
            == night_2019
        )
        assert rows(engine, "select count(*) from results.seat_status") == [(650,)]
        assert rows(engine, "select count(*) from results.flips where gss_code = 'E14001174'") == [(0,)]
        parties_2019 = {p for (p,) in rows(engine, "select party from results.party_tally")}
        assert "REF" not in parties_2019 and "TUV" not in parties_2019 and "UKIP" in parties_2019
        with engine.connect() as conn:
            ref = load_reference(conn)
        assert ref.by_key["aldershot"] == "E14000530" and ref.party("PP7931") == "BRX"
        # Without --election, a rerun keeps the database's choice.
        assert init_db(engine, settings).counting_election_id == "parl.2019-12-12"
    finally:
        init_db(engine, settings, election_id="parl.2019-12-12")


@pytest.mark.integration
def test_resultsnight_election_sets_the_count(clean_db, settings) -> None:
    """RESULTSNIGHT_ELECTION does what `db init --election` does."""
    from dataclasses import replace

    from pipeline.schema import init_db

    try:
        report = init_db(clean_db, replace(settings, election="parl.next"))
        assert (report.counting_election_id, report.baseline_election_id) == ("parl.next", "parl.2024-07-04")
        assert rows(clean_db, "select election_date, boundary_set from results.count_setting") == [(None, "2024")]
        assert rows(clean_db, "select count(*), count(party) from results.baseline_seats") == [(650, 650)]
    finally:
        init_db(clean_db, settings, election_id="parl.2019-12-12")


@pytest.mark.integration
def test_the_board_follows_the_counted_election(clean_db, settings) -> None:
    """The running board serves the counted election's hex layout and watch lists, switching without a restart."""
    import httpx

    from pipeline.schema import init_db
    from tests.board_helpers import BoardServer

    board = BoardServer(settings)
    try:
        layout = httpx.get(board.base + "/board/hexmap.json", timeout=30).json()
        assert set(layout["hexes"]) == _seats_of("2010") and layout["baseline_label"] == "2017"
        init_db(clean_db, settings, election_id="parl.2024-07-04")
        layout = httpx.get(board.base + "/board/hexmap.json", timeout=30).json()
        assert (layout["boundary_set"], layout["baseline_label"]) == ("2024", "2019 notional")
        hexes = layout["hexes"]
        clacton = next(r for r in _csv("hexmap_2024.csv") if r["gss_code"] == "E14001174")
        assert set(hexes) == _seats_of("2024") and hexes["E14001174"] == [int(clacton["q"]), int(clacton["r"])]
        watch = httpx.get(board.base + "/board/watch.json", timeout=30).json()
        assert [w["list_id"] for w in watch] == ["east_marginals"] and watch[0]["seats"]
        assert len(httpx.get(board.base + "/api/v1/seats", timeout=30).json()) == 650
    finally:
        board.stop()
        init_db(clean_db, settings, election_id="parl.2019-12-12")
