"""The replayed night (pipeline.rehearsal): seats, stories, bad files and pacing. No database."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from pipeline.exceptions import IncompleteFile
from pipeline.parse import parse_file
from pipeline.rehearsal.agency_xml import AGENCY_PARTY, REHEARSAL_DATE, slug
from pipeline.rehearsal.bad_files import with_bad_files
from pipeline.rehearsal.pacing import play
from pipeline.rehearsal.seats import Seat, load_seats, winners_2019
from pipeline.rehearsal.stories import Message, choose_stories, plan_feed, plan_night

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
# The replay reads which results and baseline a night has from the elections rows.
ELECTION_ROWS = ("elections.csv", "boundary_sets.csv")
ROOTS = {"result": "FirstPastThePostResult", "rush": "FirstPastThePostRush", "recount": "Recount"}


@pytest.fixture(scope="module")
def night() -> list[Message]:
    return plan_night()


@pytest.fixture(scope="module")
def feed() -> list[Message]:
    return plan_feed()


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
    return SafeET.fromstring(message.body).find("Election/Constituency")


def votes_of(message: Message) -> dict[str, int]:
    """Candidate votes keyed by canonical party code, read back from the XML."""
    code = {abbr: party for party, (abbr, *_) in AGENCY_PARTY.items()}
    return {
        code[c.find("Party").get("abbreviation")]: int(c.find("Party").get("votes"))
        for c in constituency(message).findall("Candidate")
    }


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2019, 12, day, hour, minute, tzinfo=UTC)


def elected(message: Message) -> str:
    code = {abbr: party for party, (abbr, *_) in AGENCY_PARTY.items()}
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
        assert dict(message.votes) == seeds_2019[gss] and message.winner == winners_2019()[gss]
        assert constituency(message).get("gssCode") is None  # the agency's files have none: seats by name


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
        root = SafeET.fromstring(m.body)
        assert root.tag == ROOTS[m.kind]
        assert int(root.get("revision")) == m.revision
        name_slug = slug(constituency(m).get("name"))
        assert m.file_name == f"General_Election_{m.kind}_{name_slug}_{m.revision}.xml"
        assert m.file_name.isascii() and " " not in m.file_name and "&" not in m.file_name
        election = root.find("Election")
        assert (election.get("name"), election.get("date"), election.get("type")) == (
            "General Election",
            "2019-12-12",
            "G",
        )
        assert m.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<')
        assert b"Candidate names are invented" in m.body
        assert b"gssCode" not in m.body
        if m.kind == "result":
            declared = datetime.fromisoformat(root.get("declarationTime"))
            assert declared.utcoffset() == timedelta(0)
            assert root.get("declarationTime").endswith("+00:00")
            assert [b.tag for b in root][1:] == ["PreviousElection"]
        else:  # rushes and recount notices carry no time: the file's is theirs
            assert root.get("declarationTime") is None


@pytest.mark.unit
def test_file_names_unique_and_ascii_folded(night):
    names = [m.file_name for m in night]
    assert len(names) == len(set(names))
    assert "General_Election_result_Ynys_Mon_1.xml" in names
    assert "General_Election_result_Birmingham,_Edgbaston_1.xml" in names


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
    chains = set(choose_stories(list(seats.values())).chains)
    assert 0.75 * 650 < len(rushes) < 0.95 * 650
    for gss, ms in rushes.items():
        first_rush = min(ms, key=lambda m: m.revision)
        first = min(results[gss], key=lambda m: m.revision)
        gap = first.at - first_rush.at
        assert timedelta(0) < gap < timedelta(minutes=6), gss
        assert first_rush.revision == 1 and len(ms) == (2 if gss in chains else 1)
        con = constituency(first_rush)
        flashed = con.get("winningPartyAbbreviation")
        assert flashed == AGENCY_PARTY[first_rush.winner][0] == AGENCY_PARTY[elected(first_rush)][0]
        if gss not in chains:
            assert first_rush.winner == seats[gss].winner
        # every candidate listed, without votes
        assert {c.find("Party").get("abbreviation") for c in con.findall("Candidate")} == {
            AGENCY_PARTY[p][0] for p in seats[gss].votes
        }
        assert all(p.get("votes") is None for p in con.iter("Party"))
        assert con.get("paStyleMessageText").startswith(AGENCY_PARTY[first_rush.winner][1])


@pytest.mark.unit
def test_recounts_precede_results_and_include_kensington(night, seats):
    recounts = by_seat(night, "recount")
    assert len(recounts) == 4
    assert "Kensington" in {seats[g].name for g in recounts}
    results = by_seat(night, "result")
    for gss, (notice,) in recounts.items():
        gap = min(m.at for m in results[gss]) - notice.at
        assert timedelta(minutes=19) < gap < timedelta(minutes=61), gss
        assert constituency(notice).get("name") == seats[gss].name
        assert constituency(notice).get("recount") == "1"


@pytest.mark.unit
def test_votes_only_corrections_fix_one_figure_and_keep_the_winner(night, seats):
    stories = choose_stories(list(seats.values()))
    results = by_seat(night, "result")
    corrected = {g: sorted(ms, key=lambda m: m.revision) for g, ms in results.items() if len(ms) > 1}
    assert set(corrected) == set(stories.typos) | set(stories.chains)
    assert len(stories.typos) == 4
    for gss in stories.typos:
        first, second = corrected[gss]
        assert (first.revision, second.revision) == (1, 2)
        assert timedelta(minutes=5) <= second.at - first.at <= timedelta(minutes=31)
        before, after = votes_of(first), votes_of(second)
        assert before != after and elected(first) == elected(second)
        assert sum(before[p] != after[p] for p in after) == 1, gss
        # The correction keeps the declaration's own time, and comes with no new rush.
        assert SafeET.fromstring(first.body).get("declarationTime") == SafeET.fromstring(second.body).get(
            "declarationTime"
        )
        assert all(m.revision == 1 for m in by_seat(night, "rush").get(gss, []))


@pytest.mark.unit
def test_correction_chains_have_the_agencys_shape_rush_result_corrected_rush_result(night, seats):
    stories = choose_stories(list(seats.values()))
    assert len(stories.chains) == 3 and set(stories.false_flips) < set(stories.chains)
    for gss in stories.chains:
        seat = seats[gss]
        chain = [m for m in night if m.gss_code == gss and m.kind in ("rush", "result")]
        assert [(m.kind, m.revision) for m in chain] == [("rush", 1), ("result", 1), ("rush", 2), ("result", 3)]
        rush_1, result_1, rush_2, result_3 = chain
        assert rush_1.winner == result_1.winner == elected(result_1) != seat.winner  # the wrong winner, twice
        assert rush_2.winner == result_3.winner == elected(result_3) == seat.winner  # then the right one
        assert votes_of(result_3) == dict(seat.votes)
        assert sorted(votes_of(result_1).values()) == sorted(votes_of(result_3).values())  # top two swapped
        text = constituency(rush_2).get("paStyleMessageText")
        assert text.startswith("Correction: ") and AGENCY_PARTY[seat.winner][1] in text
        assert not constituency(rush_1).get("paStyleMessageText").startswith("Correction")
        assert timedelta(0) < result_3.at - rush_2.at < timedelta(minutes=5)


@pytest.mark.unit
def test_a_chain_whose_corrected_rush_reverses_a_false_flip(night, seats):
    stories = choose_stories(list(seats.values()))
    (gss,) = stories.false_flips
    seat = seats[gss]
    rush_1, result_1, rush_2, result_3 = [m for m in night if m.gss_code == gss and m.kind in ("rush", "result")]
    assert seat.winner == seat.winner_2017 == seat.sitting
    assert rush_1.winner != seat.winner_2017  # a gain against 2017 that never happened
    assert (constituency(rush_1).get("gainOrHold"), constituency(rush_1).get("change")) == ("gain", "true")
    assert constituency(result_1).get("gainOrHold") == "gain"
    assert (constituency(rush_2).get("gainOrHold"), constituency(rush_2).get("change")) == ("hold", "false")
    assert constituency(result_3).get("gainOrHold") == "hold"
    # The other chains: real gains first flashed as holds.
    for other in set(stories.chains) - {gss}:
        first, *_ = [m for m in night if m.gss_code == other and m.kind == "rush"]
        assert first.winner == seats[other].winner_2017 != seats[other].winner


@pytest.mark.unit
def test_agency_compares_with_the_sitting_party_not_2017(night, seats):
    finals = {seats[g].name: constituency(m) for g, m in final_results(night).items()}
    brecon = finals["Brecon and Radnorshire"]
    assert (brecon.get("sittingParty"), brecon.get("gainOrHold"), brecon.get("winningParty")) == ("LD", "gain", "C")
    chorley = finals["Chorley"]
    assert (chorley.get("sittingParty"), chorley.get("gainOrHold")) == ("Speaker", "hold")
    assert finals["Buckingham"].get("gainOrHold") == "gain" and finals["Buckingham"].get("sittingParty") == "Speaker"
    assert finals["Norwich North"].get("gainOrHold") == "hold"
    assert finals["Bassetlaw"].get("swingTo") == "C" and finals["Bassetlaw"].get("swingFrom") == "Lab"
    texts = {seats[g].name: constituency(ms[0]).get("paStyleMessageText") for g, ms in by_seat(night, "rush").items()}
    assert texts["Blyth Valley"] == "Conservative gain Blyth Valley from Labour"
    if "Brecon and Radnorshire" in texts:
        assert texts["Brecon and Radnorshire"] == "Conservative gain Brecon and Radnorshire from Liberal Democrat"


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
        plan_night(chains=1, false_flips=2)


@pytest.mark.unit
def test_seeds_dir_can_point_elsewhere(tmp_path, seats):
    for name in ("constituencies.csv", "contests.csv", "results_2019.csv", "results_2017.csv", *ELECTION_ROWS):
        (tmp_path / name).write_bytes((SEEDS / name).read_bytes())
    assert plan_night(tmp_path, only=["E14000768"]) == plan_night(only=["E14000768"])


@pytest.mark.unit
def test_the_seeds_folder_comes_from_the_settings(tmp_path, monkeypatch):
    """RESULTSNIGHT_SEEDS_DIR (read in pipeline.config) is where the replay reads its seats."""
    for name in ("constituencies.csv", "contests.csv", "results_2019.csv", "results_2017.csv", *ELECTION_ROWS):
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
    assert files == sorted([".timestamp", *(m.file_name for m in messages)])  # no temp files left behind
    for m in messages:
        assert (inbox / m.file_name).read_bytes() == m.body
        # published at its time on the night: a rush or recount notice has no other
        assert (inbox / m.file_name).stat().st_mtime_ns == round(m.at.timestamp() * 1e9)
    # the agency's .timestamp: rewritten as each file landed, so it holds the last one's time
    assert float((inbox / ".timestamp").read_text()) == pytest.approx(messages[-1].at.timestamp())


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
    assert truncated.body.startswith(b"<?xml") and len(truncated.body) < len(night[0].body) * 2
    with pytest.raises(IncompleteFile):  # a message that stops early, not a broken one
        parse_file(truncated.file_name, truncated.body)
    assert b"Atlantis North" in unknown.body and b"E14099999" in unknown.body
    root = SafeET.fromstring(inflated.body)
    seat = root.find("Election/Constituency")
    votes = sum(int(p.get("votes")) for p in seat.iter("Party"))
    assert votes > int(seat.get("electorate"))


# --- the whole feed: nominations, the state of the parties, the TEST feed, the agency's folders -------------


@pytest.mark.unit
def test_the_feed_is_the_night_with_nominations_first_and_the_state_of_the_parties_among_it(feed, night):
    assert [m for m in feed if m.kind in ("rush", "result", "recount")] == night
    nominations = [m for m in feed if m.kind == "nominations"]
    first_result = min(m.at for m in night if m.kind == "result")
    assert all(m.at < first_result and m.folder == "nominations" for m in nominations)
    assert all(m.folder == "results" for m in feed if m.kind != "nominations")
    firsts = {m.gss_code for m in nominations if m.revision == 1}
    assert len(firsts) == 650 == len([m for m in nominations if m.revision == 1])
    seconds = [m for m in nominations if m.revision == 2]
    assert 3 <= len(seconds) <= 10
    for m in seconds:
        (first,) = [n for n in nominations if n.gss_code == m.gss_code and n.revision == 1]
        assert first.at < m.at and first.body != m.body
        assert m.file_name == first.file_name.replace("_1.xml", "_2.xml")
        assert m.file_name.startswith("General_Election_nominations_")
    assert [m.at for m in feed] == sorted(m.at for m in feed)
    assert len({m.file_name for m in feed}) == len(feed)


@pytest.mark.unit
def test_nominations_name_the_candidates_who_then_stand(feed, seats):
    last = {}
    for m in feed:
        if m.kind == "nominations":
            last[m.gss_code] = m  # the highest revision lands last
    for gss, m in last.items():
        root = SafeET.fromstring(m.body)
        assert root.tag == "FirstPastThePostNominations"
        named = {(c.get("firstName"), c.get("surname")) for c in root.findall("Election/Constituency/Candidate")}
        result = next(r for r in feed if r.kind == "result" and r.gss_code == gss)
        standing = {(c.get("firstName"), c.get("surname")) for c in constituency(result).findall("Candidate")}
        assert named == standing, seats[gss].name


@pytest.mark.unit
def test_the_state_of_the_parties_counts_exactly_the_seats_declared_when_it_is_issued(feed, seats):
    sops = [m for m in feed if m.kind == "sop"]
    numbers = [m.revision for m in sops]
    assert numbers == sorted(numbers) and numbers[-1] == 650
    assert set(range(1, 21)) <= set(numbers)  # the first twenty results land one at a time
    assert all(n <= 20 or n % 5 == 0 for n in numbers)
    # Not every fifth N is issued: where two results land in the same second the count steps over it.
    assert 20 + (650 - 20) // 5 - 10 <= len(numbers) <= 20 + (650 - 20) // 5
    code = {abbr: party for party, (abbr, *_) in AGENCY_PARTY.items()}
    for sop in sops:
        landed = [m for m in feed if m.at <= sop.at and m.kind in ("result", "rush")]
        latest: dict[str, Message] = {}
        for m in landed:
            if m.kind == "result" and m.revision >= getattr(latest.get(m.gss_code), "revision", 0):
                latest[m.gss_code] = m
        # A seat a corrected rush has reopened is left out until its result of that revision lands.
        for m in landed:
            if m.kind == "rush" and m.gss_code in latest and m.revision > latest[m.gss_code].revision:
                del latest[m.gss_code]
        root = SafeET.fromstring(sop.body)
        assert sop.file_name == f"General_Election_SOP_{sop.revision}.xml"
        assert int(root.get("numberOfResults")) == sop.revision == len(latest)
        included = {c.get("name") for c in root.findall("ConstituenciesIncluded/Constituency")}
        assert included == {seats[g].name for g in latest}
        votes: dict[str, int] = defaultdict(int)
        for m in latest.values():
            for party, n in m.votes:
                votes["Others" if party == "OTH" else party] += n
        stated = {p.get("abbreviation"): p for p in root.findall("Parties/Party")}
        assert {("Others" if a == "Others" else code[a]): int(p.get("totalVotes")) for a, p in stated.items()} == votes
        assert int(root.get("totalVotes")) == sum(votes.values())
        assert sum(int(p.get("totalSeats", 0)) for p in stated.values()) == sop.revision
    final = SafeET.fromstring(sops[-1].body)
    seats_won = {
        code[p.get("abbreviation")]: int(p.get("totalSeats"))
        for p in final.findall("Parties/Party")
        if p.get("totalSeats")
    }
    assert (seats_won["CON"], seats_won["LAB"], seats_won["SNP"], seats_won["LD"]) == (365, 202, 48, 11)


@pytest.mark.unit
def test_the_test_feed_is_the_same_night_on_the_rehearsal_date(night):
    test = plan_night(test_feed=True)
    assert len(test) == len(night)
    shift = night[0].at - test[0].at
    assert shift == timedelta(days=14)
    for live, rehearsal in zip(night, test, strict=True):
        assert rehearsal.file_name == "Test_" + live.file_name
        assert rehearsal.at + shift == live.at and (rehearsal.kind, rehearsal.winner) == (live.kind, live.winner)
        election = SafeET.fromstring(rehearsal.body).find("Election")
        assert (election.get("name"), election.get("date")) == ("Test General Election", REHEARSAL_DATE)
        assert all(c.get("surname").endswith(" Test") for c in constituency(rehearsal).findall("Candidate"))
    sops = [m for m in plan_feed(test_feed=True, only=SMALL) if m.kind in ("sop", "nominations")]
    assert all(m.file_name.startswith("Test_General_Election_") for m in sops)


@pytest.mark.unit
def test_play_in_the_agencys_layout_writes_both_folders_each_with_its_timestamp(tmp_path):
    messages = with_bad_files(plan_feed(only=SMALL))
    assert play(messages, tmp_path, speed=0, progress=False, layout="agency") == len(messages)
    results = sorted(p.name for p in (tmp_path / "results").iterdir())
    nominations = sorted(p.name for p in (tmp_path / "nominations").iterdir())
    assert nominations == sorted([".timestamp", *(m.file_name for m in messages if m.folder == "nominations")])
    assert results == sorted([".timestamp", *(m.file_name for m in messages if m.folder == "results")])
    last_nomination = max(m.at for m in messages if m.folder == "nominations")
    assert float((tmp_path / "nominations" / ".timestamp").read_text()) == pytest.approx(last_nomination.timestamp())
    # A broken file keeps the time it was written: a resend cut off looks like a download under way.
    bad = next(m for m in messages if m.kind == "bad" and m.file_name.endswith("_resend.xml"))
    assert (tmp_path / "results" / bad.file_name).stat().st_mtime > datetime.now(UTC).timestamp() - 60
    with pytest.raises(ValueError):
        play(messages, tmp_path, layout="ftp")
