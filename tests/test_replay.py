"""The replayed night (pipeline.rehearsal): seats, stories, bad files and pacing. No database."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import defusedxml.ElementTree as ET
import pytest

from pipeline.rehearsal.agency_xml import AGENCY_PARTY, slug
from pipeline.rehearsal.bad_files import with_bad_files
from pipeline.rehearsal.pacing import play
from pipeline.rehearsal.seats import Seat, load_seats, winners_2019
from pipeline.rehearsal.stories import Message, choose_stories, plan_night

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ROOTS = {"result": "FirstPastThePostResult", "rush": "FirstPastThePostRush", "recount": "Recount"}


@pytest.fixture(scope="module")
def night() -> list[Message]:
    return plan_night()


@pytest.fixture(scope="module")
def seeds_2019() -> dict[str, dict[str, int]]:
    votes: dict[str, dict[str, int]] = defaultdict(dict)
    with (SEEDS / "results_2019.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            votes[row["gss_code"]][row["party_code"]] = int(row["votes"])
    return dict(votes)


@pytest.fixture(scope="module")
def seats() -> dict[str, Seat]:
    return {s.gss_code: s for s in load_seats()}


def constituency(message: Message):
    return ET.fromstring(message.body).find("Election/Constituency")


def votes_of(message: Message) -> dict[str, int]:
    """Candidate votes keyed by canonical party code, read back from the XML."""
    code = {abbr: party for party, (abbr, _) in AGENCY_PARTY.items()}
    return {
        code[c.find("Party").get("abbreviation")]: int(c.find("Party").get("votes"))
        for c in constituency(message).findall("Candidate")
    }


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2019, 12, day, hour, minute, tzinfo=timezone.utc)


def elected(message: Message) -> str:
    code = {abbr: party for party, (abbr, _) in AGENCY_PARTY.items()}
    (winner,) = [c for c in constituency(message).findall("Candidate") if c.get("elected") == "*"]
    return code[winner.find("Party").get("abbreviation")]


def by_seat(messages: list[Message], kind: str) -> dict[str, list[Message]]:
    out: dict[str, list[Message]] = defaultdict(list)
    for m in messages:
        if m.kind == kind:
            out[m.gss_code].append(m)
    return out


def final_results(messages: list[Message]) -> dict[str, Message]:
    return {g: max(ms, key=lambda m: m.revision) for g, ms in by_seat(messages, "result").items()}


@pytest.mark.unit
def test_every_seat_gets_one_first_result(night, seeds_2019):
    firsts = [m for m in night if m.kind == "result" and m.revision == 1]
    assert len(firsts) == 650
    assert {m.gss_code for m in firsts} == set(seeds_2019)


@pytest.mark.unit
def test_final_revision_votes_are_the_2019_figures(night, seeds_2019):
    finals = final_results(night)
    assert len(finals) == 650
    for gss, message in finals.items():
        assert votes_of(message) == seeds_2019[gss], gss
        assert constituency(message).get("gssCode") == gss


@pytest.mark.unit
def test_result_figures_are_consistent(night, seats):
    for message in final_results(night).values():
        seat = seats[message.gss_code]
        c = constituency(message)
        votes = votes_of(message)
        ranked = sorted(votes.values(), reverse=True)
        assert int(c.get("turnout")) == sum(votes.values()) <= int(c.get("electorate")) == seat.electorate
        assert int(c.get("majority")) == ranked[0] - ranked[1]
        assert c.get("name") == seat.name and int(c.get("number")) == seat.number
        assert elected(message) == seat.winner
        assert AGENCY_PARTY[seat.winner][0] == c.get("winningParty")


@pytest.mark.unit
def test_every_message_parses_and_matches_its_file_name(night):
    for m in night:
        root = ET.fromstring(m.body)
        assert root.tag == ROOTS[m.kind]
        assert int(root.get("revision")) == m.revision
        name_slug = slug(constituency(m).get("name"))
        assert m.file_name == f"General_Election_2019_{m.kind}_{name_slug}_{m.revision}.xml"
        assert m.file_name.isascii()
        election = root.find("Election")
        assert (election.get("name"), election.get("date"), election.get("type")) == (
            "General Election 2019", "2019-12-12", "G")
        assert m.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        assert b"Candidate names are invented" in m.body
        if m.kind != "recount":
            declared = datetime.fromisoformat(root.get("declarationTime"))
            assert declared.utcoffset() == timedelta(0)
            assert root.get("declarationTime").endswith("+00:00")


@pytest.mark.unit
def test_file_names_unique_and_ascii_folded(night):
    names = [m.file_name for m in night]
    assert len(names) == len(set(names))
    assert "General_Election_2019_result_Ynys_Mon_1.xml" in names
    assert "General_Election_2019_result_Birmingham_Edgbaston_1.xml" in names


@pytest.mark.unit
def test_messages_sorted_by_landing_time_and_utc(night):
    assert all(m.at.tzinfo is not None and m.at.utcoffset() == timedelta(0) for m in night)
    assert [m.at for m in night] == sorted(m.at for m in night)


@pytest.mark.unit
def test_declaration_times_are_plausible(night, seats):
    results = [m for m in night if m.kind == "result" and m.revision == 1]
    first, last = results[0], results[-1]
    assert seats[first.gss_code].name in {"Newcastle upon Tyne Central", "Houghton and Sunderland South"}
    assert first.at.date().isoformat() == "2019-12-12" and first.at.hour == 23
    assert seats[last.gss_code].name == "St Ives"
    assert utc(13, 11) < last.at < utc(13, 12, 30)
    core = [m for m in results if utc(13, 1) <= m.at < utc(13, 5)]
    assert len(core) > 0.75 * len(results)


@pytest.mark.unit
def test_rushes_land_shortly_before_their_result_and_flash_the_winner(night, seats):
    results = by_seat(night, "result")
    rushes = by_seat(night, "rush")
    assert 0.75 * 650 < len(rushes) < 0.95 * 650
    for gss, (rush,) in rushes.items():
        first = min(results[gss], key=lambda m: m.revision)
        gap = first.at - rush.at
        assert timedelta(0) < gap < timedelta(minutes=6), gss
        flashed = constituency(rush).get("winningParty")
        assert flashed == AGENCY_PARTY[seats[gss].winner][0]
        assert rush.revision == 1


@pytest.mark.unit
def test_recounts_precede_results_and_include_kensington(night, seats):
    recounts = by_seat(night, "recount")
    assert len(recounts) == 4
    assert "Kensington" in {seats[g].name for g in recounts}
    results = by_seat(night, "result")
    for gss, (notice,) in recounts.items():
        gap = min(m.at for m in results[gss]) - notice.at
        assert timedelta(minutes=19) < gap < timedelta(minutes=61), gss
        assert constituency(notice).get("gssCode") == gss


@pytest.mark.unit
def test_corrections_fix_one_figure_and_keep_the_winner(night, seats):
    results = by_seat(night, "result")
    corrected = {g: sorted(ms, key=lambda m: m.revision) for g, ms in results.items() if len(ms) > 1}
    assert len(corrected) == 5
    flips = 0
    for gss, (first, second) in corrected.items():
        assert (first.revision, second.revision) == (1, 2)
        assert timedelta(minutes=5) <= second.at - first.at <= timedelta(minutes=31)
        before, after = votes_of(first), votes_of(second)
        assert before != after
        if elected(first) != elected(second):
            flips += 1
            continue
        assert sum(before[p] != after[p] for p in after) == 1, gss
        # The correction keeps the declaration's own time.
        assert ET.fromstring(first.body).get("declarationTime") == ET.fromstring(second.body).get("declarationTime")
    assert flips == 1


@pytest.mark.unit
def test_false_flip_shows_a_false_gain_then_the_true_hold(night, seats):
    _, flips, _ = choose_stories(list(seats.values()))
    (gss,) = flips
    seat = seats[gss]
    first, second = sorted(by_seat(night, "result")[gss], key=lambda m: m.revision)
    assert elected(first) != elected(second)
    assert elected(second) == seat.winner == seat.winner_2017 == seat.sitting
    assert elected(first) != seat.winner_2017  # a gain against 2017 that never happened
    assert constituency(first).get("gainOrHold") == "gain"
    assert constituency(second).get("gainOrHold") == "hold"
    assert sorted(votes_of(first).values()) == sorted(votes_of(second).values())  # top two swapped
    assert gss not in by_seat(night, "rush")  # documented choice: no rush for a false flip


@pytest.mark.unit
def test_agency_compares_with_the_sitting_party_not_2017(night, seats):
    finals = {seats[g].name: constituency(m) for g, m in final_results(night).items()}
    brecon = finals["Brecon and Radnorshire"]
    assert (brecon.get("sittingParty"), brecon.get("paStyleMessageText")) == ("LD", "C GAIN FROM LD")
    chorley = finals["Chorley"]
    assert (chorley.get("sittingParty"), chorley.get("gainOrHold")) == ("Speaker", "hold")
    buckingham = finals["Buckingham"]
    assert buckingham.get("paStyleMessageText") == "C GAIN FROM SPEAKER"
    assert finals["Norwich North"].get("paStyleMessageText") == "C HOLD"
    assert finals["Blyth Valley"].get("paStyleMessageText") == "C GAIN FROM LAB"
    assert finals["Bassetlaw"].get("swingTo") == "C" and finals["Bassetlaw"].get("swingFrom") == "Lab"


@pytest.mark.unit
def test_winners_2019_match_the_seed_totals():
    winners = winners_2019()
    assert len(winners) == 650
    tally: dict[str, int] = defaultdict(int)
    for party in winners.values():
        tally[party] += 1
    assert (tally["CON"], tally["LAB"], tally["SNP"], tally["LD"]) == (365, 202, 48, 11)


@pytest.mark.unit
def test_deterministic_for_a_seed():
    assert plan_night(seed=7) == plan_night(seed=7)
    assert plan_night(seed=7) != plan_night(seed=8)


@pytest.mark.unit
def test_only_gives_the_same_story_as_the_full_night(night, seats):
    chosen = sorted(seats)[:3] + ["E14000768"]  # and Kensington, with its recount
    subset = plan_night(only=chosen)
    assert subset == [m for m in night if m.gss_code in set(chosen)]
    assert {m.gss_code for m in subset} == set(chosen)


@pytest.mark.unit
def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        plan_night(only=["E99999999"])
    with pytest.raises(ValueError):
        plan_night(corrections=1, false_flips=2)


@pytest.mark.unit
def test_seeds_dir_can_point_elsewhere(tmp_path, seats):
    for name in ("constituencies.csv", "contests.csv", "results_2019.csv", "results_2017.csv"):
        (tmp_path / name).write_bytes((SEEDS / name).read_bytes())
    assert plan_night(tmp_path, only=["E14000768"]) == plan_night(only=["E14000768"])


@pytest.mark.unit
def test_the_seeds_folder_comes_from_the_settings(tmp_path, monkeypatch):
    """RESULTSNIGHT_SEEDS_DIR (read in pipeline.config) is where the replay reads its seats."""
    for name in ("constituencies.csv", "contests.csv", "results_2019.csv", "results_2017.csv"):
        (tmp_path / name).write_bytes((SEEDS / name).read_bytes())
    with (tmp_path / "contests.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    kensington = next(r for r in rows if r["gss_code"] == "E14000768" and r["election_id"] == "parl.2019-12-12")
    kensington["electorate"] = str(int(kensington["electorate"]) + 1)
    with (tmp_path / "contests.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    before = {s.gss_code: s.electorate for s in load_seats()}["E14000768"]
    monkeypatch.setenv("RESULTSNIGHT_SEEDS_DIR", str(tmp_path))
    assert {s.gss_code: s.electorate for s in load_seats()}["E14000768"] == before + 1


SMALL = ["E14000768", "E14000575", "W07000041", "E14000964"]  # Kensington, Blyth Valley, Ynys Môn, St Ives


@pytest.mark.unit
def test_play_writes_every_file_atomically(tmp_path):
    messages = plan_night(only=SMALL)
    calls: list[float] = []
    inbox = tmp_path / "new" / "inbox"
    assert play(messages, inbox, speed=0, progress=False, sleep=calls.append) == len(messages)
    assert calls == []
    files = sorted(p.name for p in inbox.iterdir())
    assert files == sorted(m.file_name for m in messages)  # no temp files left behind
    for m in messages:
        assert (inbox / m.file_name).read_bytes() == m.body


@pytest.mark.unit
def test_play_paces_by_the_night_span(tmp_path):
    messages = plan_night(only=SMALL)
    span = (messages[-1].at - messages[0].at).total_seconds()
    slept: list[float] = []
    play(messages, tmp_path / "a", speed=60, progress=False, sleep=slept.append)
    assert sum(slept) == pytest.approx(span / 60, rel=1e-6)
    slept.clear()
    play(messages, tmp_path / "b", duration=10, progress=False, sleep=slept.append)
    assert sum(slept) == pytest.approx(10, rel=1e-6)


@pytest.mark.unit
def test_play_with_progress_bar(tmp_path):
    messages = plan_night(only=SMALL[:2])
    slept: list[float] = []
    assert play(messages, tmp_path, duration=3, progress=True, sleep=slept.append) == len(messages)
    assert sum(slept) == pytest.approx(3, rel=1e-6)
    assert all(s <= 1.0 for s in slept)  # short slices keep the replayed clock ticking


@pytest.mark.unit
def test_play_refuses_bad_pacing(tmp_path):
    with pytest.raises(ValueError):
        play([], tmp_path, speed=-1)
    assert play([], tmp_path, progress=False) == 0


@pytest.mark.unit
def test_bad_files_slot_in_without_taking_a_real_files_name(night):
    mixed = with_bad_files(night)
    bad = [m for m in mixed if m.kind == "bad"]
    assert len(mixed) == len(night) + 3 and len(bad) == 3
    assert len({m.file_name for m in mixed}) == len(mixed)  # none overwrites a real declaration in the inbox
    assert [m for m in mixed if m.kind != "bad"] == list(night)  # the real night, in its own order
    assert [m.at for m in mixed] == sorted(m.at for m in mixed)
    truncated, unknown, inflated = bad
    assert truncated.body.startswith(b"<?xml") and not truncated.body.rstrip().endswith(b">")
    assert b"Atlantis North" in unknown.body and b"E14099999" in unknown.body
    root = ET.fromstring(inflated.body)
    seat = root.find(".//Constituency")
    votes = sum(int(p.get("votes")) for p in root.iter("Party"))
    assert votes > int(seat.get("electorate"))
