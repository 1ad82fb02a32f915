"""Unit tests for the great-expectations gate (pipeline/validation/).

Pure unit tests: declarations are built inline with the dataclasses, no
database. Every failure test asserts the plain-words rule, the offending
candidate or figure, and the GX expectation type, so a vaguer reason fails.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.exceptions import ConfigurationError, UnpairedRule
from pipeline.model import KINDS, Candidate, Declaration
from pipeline.validation import validate
from pipeline.validation.registry import check_coverage, registered, writes

COUNTED = "parl.2019-12-12"
REPO = Path(__file__).resolve().parent.parent
SUITES = REPO / "expectations"
ENV_EXPECTATIONS_DIR = "RESULTSNIGHT_EXPECTATIONS_DIR"


def cand(position: int, name: str, party: str, votes: str | None, elected: bool = False) -> Candidate:
    """A candidate as parsing and resolution leave it: votes parsed only if whole."""
    parsed = int(votes) if votes is not None and votes.strip().lstrip("-").isdigit() else None
    return Candidate(
        position=position,
        name=name,
        party_label=party,
        votes_raw=votes,
        votes=parsed,
        elected=elected,
        party_code=party.upper(),
    )


def good_candidates() -> list[Candidate]:
    return [
        cand(1, "Ann Example", "Con", "27980", elected=True),
        cand(2, "Ben Example", "Lab", "11282"),
        cand(3, "Cat Example", "LD", "6920"),
        cand(4, "Dan Example", "Grn", "1750"),
    ]


def _aldershot(kind: str, overrides: dict, **fields) -> Declaration:
    """Aldershot's declaration of this kind as the agency's XML gives it: its own fields, then the test's."""
    common = dict(
        kind=kind,
        source_format="agency_xml",
        revision=1,
        constituency_name="Aldershot",
        gss_code_given=None,
        election_id=COUNTED,
        gss_code="E14000530",
    )
    return Declaration(**{**common, **fields, **overrides})


def result(**overrides) -> Declaration:
    return _aldershot(
        "result",
        overrides,
        gss_code_given="E14000530",
        election_name="General Election 2019",
        election_date="2019-12-12",
        election_type="G",
        declared_at=datetime(2019, 12, 13, 2, 14, tzinfo=UTC),
        electorate=None,
        turnout=None,
        candidates=good_candidates(),
        registered_electorate=72617,
    )


def rush(**overrides) -> Declaration:
    return _aldershot(
        "rush",
        overrides,
        declared_at=datetime(2019, 12, 13, 2, 10, tzinfo=UTC),
        winning_party_label="Con",
        winning_party_code="CON",
    )


def recount(**overrides) -> Declaration:
    return _aldershot("recount", overrides)


def reasons_of(declaration: Declaration, counted: str = COUNTED) -> list[str]:
    [reasons] = validate([declaration], counted)
    return reasons


def only_reason(declaration: Declaration, counted: str = COUNTED) -> str:
    reasons = reasons_of(declaration, counted)
    assert len(reasons) == 1, reasons
    return reasons[0]


# --------------------------------------------------------------------------- passing


@pytest.mark.unit
def test_good_result_passes() -> None:
    assert validate([result()], COUNTED) == [[]]


@pytest.mark.unit
def test_good_rush_and_recount_pass() -> None:
    assert validate([rush(), recount()], COUNTED) == [[], []]


@pytest.mark.unit
def test_no_declarations_gives_no_reasons() -> None:
    assert validate([], COUNTED) == []


@pytest.mark.unit
def test_tie_decided_by_lot_passes() -> None:
    tied = [
        cand(1, "Ann Example", "Con", "20000"),
        cand(2, "Ben Example", "Lab", "20000", elected=True),
        cand(3, "Cat Example", "LD", "3000"),
    ]
    assert reasons_of(result(candidates=tied)) == []


@pytest.mark.unit
def test_electorate_check_skipped_when_no_electorate_is_known() -> None:
    huge = [cand(1, "Ann Example", "Con", "500000", elected=True)]
    assert reasons_of(result(candidates=huge, electorate=None, registered_electorate=None)) == []


@pytest.mark.unit
def test_file_electorate_takes_precedence_over_registered() -> None:
    votes = [cand(1, "Ann Example", "Con", "70000", elected=True)]
    # the registered electorate alone would fail; the file's own figure is used
    assert reasons_of(result(candidates=votes, electorate=80000, registered_electorate=67172)) == []


@pytest.mark.unit
def test_zero_votes_are_allowed() -> None:
    zero = good_candidates() + [cand(5, "Eve Example", "Ind", "0")]
    assert reasons_of(result(candidates=zero)) == []


# --------------------------------------------------------------------------- votes


@pytest.mark.unit
def test_negative_votes_name_the_candidate() -> None:
    bad = good_candidates()
    bad[1] = cand(2, "Ben Example", "Lab", "-5")
    reason = only_reason(result(candidates=bad))
    assert reason.startswith("votes must not be negative: ")
    assert "candidate 2 'Ben Example' (Lab) has votes '-5'" in reason
    assert reason.endswith("[expect_column_values_to_be_between]")


@pytest.mark.unit
@pytest.mark.parametrize("raw", ["abc", "12.5", "", "1,234"])
def test_non_numeric_votes_name_the_candidate_and_figure(raw: str) -> None:
    bad = good_candidates()
    bad[2] = cand(3, "Cat Example", "LD", raw)
    reason = only_reason(result(candidates=bad))
    assert reason.startswith("votes must be whole numbers: ")
    assert f"candidate 3 'Cat Example' (LD) has votes {raw!r}" in reason
    assert "[expect_column_values_to_match_regex]" in reason


@pytest.mark.unit
def test_missing_votes_figure_is_caught() -> None:
    bad = good_candidates()
    bad[3] = cand(4, "Dan Example", "Grn", None)
    reason = only_reason(result(candidates=bad))
    assert "every candidate must have a votes figure" in reason
    assert "candidate 4 'Dan Example' (Grn)" in reason
    assert "[expect_column_values_to_not_be_null]" in reason


@pytest.mark.unit
def test_several_bad_candidates_in_one_result_are_all_named() -> None:
    bad = good_candidates()
    bad[1] = cand(2, "Ben Example", "Lab", "x1")
    bad[2] = cand(3, "Cat Example", "LD", "2.0")
    reason = only_reason(result(candidates=bad))
    assert "candidate 2 'Ben Example' (Lab) has votes 'x1'" in reason
    assert "candidate 3 'Cat Example' (LD) has votes '2.0'" in reason


# --------------------------------------------------------------------------- elected


@pytest.mark.unit
def test_two_elected_names_both() -> None:
    two = good_candidates()
    two[1] = cand(2, "Ben Example", "Lab", "11282", elected=True)
    reason = only_reason(result(candidates=two))
    assert reason == (
        "exactly one candidate must be elected: 2 are marked elected (Ann Example, Ben Example) "
        "[expect_column_values_to_be_between]"
    )


@pytest.mark.unit
def test_none_elected_is_caught() -> None:
    none = [cand(c.position, c.name, c.party_label, c.votes_raw) for c in good_candidates()]
    reason = only_reason(result(candidates=none))
    assert reason.startswith("exactly one candidate must be elected: none of the 4 candidates")
    assert "[expect_column_values_to_be_between]" in reason


@pytest.mark.unit
def test_elected_with_fewer_votes_than_another_names_both() -> None:
    wrong = good_candidates()
    wrong[0] = cand(1, "Ann Example", "Con", "27980")
    wrong[2] = cand(3, "Cat Example", "LD", "6920", elected=True)
    reason = only_reason(result(candidates=wrong))
    assert reason.startswith("the elected candidate must have the most votes")
    assert "Cat Example (LD) is elected with 6,920 votes but Ann Example (Con) has 27,980" in reason
    assert "[expect_column_pair_values_a_to_be_greater_than_b]" in reason


# --------------------------------------------------------------------------- electorate and turnout


@pytest.mark.unit
def test_votes_over_registered_electorate_give_the_figures() -> None:
    over = [cand(1, "Ann Example", "Con", "61230", elected=True), cand(2, "Ben Example", "Lab", "30000")]
    reasons = reasons_of(result(candidates=over, registered_electorate=67172))
    assert any(
        "valid votes 91,230 exceed the electorate 67,172 (registered electorate from reference data)" in r
        and "[expect_column_pair_values_a_to_be_greater_than_b]" in r
        for r in reasons
    ), reasons
    assert any("turnout must be between 0 and 100%" in r and "is 135.8%" in r for r in reasons), reasons


@pytest.mark.unit
def test_votes_over_file_electorate_say_where_the_electorate_came_from() -> None:
    over = [cand(1, "Ann Example", "Con", "5001", elected=True)]
    reasons = reasons_of(result(candidates=over, electorate=5000, registered_electorate=70000))
    assert any("valid votes 5,001 exceed the electorate 5,000 (as given in the file)" in r for r in reasons), reasons


@pytest.mark.unit
def test_agency_turnout_over_electorate_is_caught() -> None:
    reason = only_reason(result(turnout=80000, registered_electorate=72617))
    assert reason.startswith("the agency's turnout must be between 0 and 100% of the electorate")
    assert "turnout 80,000 / electorate 72,617" in reason
    assert "[expect_column_values_to_be_between]" in reason


# --------------------------------------------------------------------------- election


@pytest.mark.unit
def test_wrong_election_is_caught() -> None:
    reason = only_reason(result(election_id="parl.2017-06-08"))
    assert reason == (
        "the declaration must be for the election being counted: 'Aldershot' is for "
        "parl.2017-06-08, but parl.2019-12-12 is being counted [expect_column_values_to_be_in_set]"
    )


@pytest.mark.unit
def test_counted_election_is_a_run_time_parameter() -> None:
    declaration = result(election_id="parl.2017-06-08")
    assert reasons_of(declaration, counted="parl.2017-06-08") == []
    assert "is being counted" in only_reason(declaration, counted="parl.2019-12-12")
    # and the same cached suites flip back: the parameter is not baked in on first use
    assert reasons_of(declaration, counted="parl.2017-06-08") == []


@pytest.mark.unit
def test_suites_do_not_hard_code_an_election() -> None:
    for kind in KINDS:
        text = (SUITES / f"{kind}.json").read_text()
        assert "parl." not in text
        assert '"$PARAMETER": "counted_election_ids"' in text


@pytest.mark.unit
def test_missing_election_is_caught() -> None:
    reason = only_reason(result(election_id=None))
    assert reason.startswith("the file must name its election: 'Aldershot' names no election")
    assert "[expect_column_values_to_not_be_null]" in reason


# --------------------------------------------------------------------------- structure


@pytest.mark.unit
def test_duplicate_candidate_is_named_with_both_positions() -> None:
    dup = good_candidates() + [cand(5, "ann  EXAMPLE", "Con", "12")]
    reason = only_reason(result(candidates=dup))
    assert reason.startswith("candidates must be unique within a declaration: ")
    assert "'Ann Example' (Con) is listed 2 times (candidates 1 and 5)" in reason
    assert "[expect_compound_columns_to_be_unique]" in reason


@pytest.mark.unit
def test_same_name_for_different_parties_is_not_a_duplicate() -> None:
    namesakes = good_candidates() + [cand(5, "Ann Example", "Ind", "12")]
    assert reasons_of(result(candidates=namesakes)) == []


@pytest.mark.unit
def test_same_candidate_in_two_results_of_one_batch_is_not_a_duplicate() -> None:
    assert validate([result(), result(gss_code="E14000531", constituency_name="Aldridge")], COUNTED) == [[], []]


@pytest.mark.unit
def test_missing_fields_are_each_reported_in_suite_order() -> None:
    bad = result(constituency_name="  ", declared_at=None, election_id="parl.2017-06-08")
    reasons = reasons_of(bad)
    rules = [r.split(":")[0] for r in reasons]
    assert rules == [
        "the constituency name must be present",
        "the declaration time must be given",
        "the declaration must be for the election being counted",
    ]


@pytest.mark.unit
def test_result_without_candidates_is_caught_once() -> None:
    reason = only_reason(result(candidates=[]))
    assert reason == (
        "a result must list at least one candidate: 'Aldershot' lists no candidates "
        "[expect_column_values_to_be_between]"
    )


# --------------------------------------------------------------------------- rush and recount


@pytest.mark.unit
def test_rush_with_unrecognised_winner_names_the_label() -> None:
    reason = only_reason(rush(winning_party_label="Monster Raving Loony", winning_party_code=None))
    assert reason == (
        "the winning party must be a known party: 'Aldershot' flashes 'Monster Raving Loony' as "
        "winner, which is not a known party [expect_column_values_to_not_be_null]"
    )


@pytest.mark.unit
def test_rush_without_winner() -> None:
    reason = only_reason(rush(winning_party_label=None, winning_party_code=None))
    assert "the winning party must be a known party: 'Aldershot' names no winning party" in reason


@pytest.mark.unit
def test_rush_required_fields() -> None:
    reasons = reasons_of(rush(constituency_name=None, declared_at=None, election_id="parl.2017-06-08"))
    assert [r.split(":")[0] for r in reasons] == [
        "the constituency name must be present",
        "the declaration time must be given",
        "the declaration must be for the election being counted",
    ]


@pytest.mark.unit
def test_recount_ok_needs_no_declared_at_or_candidates() -> None:
    assert reasons_of(recount(declared_at=None)) == []


@pytest.mark.unit
def test_recount_checks_its_fields() -> None:
    reasons = reasons_of(recount(constituency_name=None, election_id=None))
    assert [r.split(":")[0] for r in reasons] == [
        "the constituency name must be present",
        "the file must name its election",
    ]
    assert "the declaration for E14000530 names no constituency" in reasons[0]


@pytest.mark.unit
def test_unknown_kind_is_reported_not_raised() -> None:
    odd = recount(kind="exit_poll")
    assert validate([odd], COUNTED) == [
        ["the message kind must be one of result, rush, recount, nominations: it is 'exit_poll'"]
    ]


# --------------------------------------------------------------------------- batches


@pytest.mark.unit
def test_mixed_batch_reports_only_the_bad_ones_in_order() -> None:
    negative = good_candidates()
    negative[1] = cand(2, "Ben Example", "Lab", "-5")
    two = good_candidates()
    two[3] = cand(4, "Dan Example", "Grn", "1750", elected=True)
    batch = [
        result(),
        result(candidates=negative),
        rush(),
        recount(),
        rush(winning_party_code=None, winning_party_label="Loony"),
        result(gss_code="E14000531", constituency_name="Aldridge"),
        result(candidates=two),
        recount(election_id="parl.2017-06-08"),
    ]
    reasons = validate(batch, COUNTED)
    assert len(reasons) == len(batch)
    assert [bool(r) for r in reasons] == [False, True, False, False, True, False, True, True]
    assert "candidate 2 'Ben Example' (Lab) has votes '-5'" in reasons[1][0]
    assert "'Loony' as winner" in reasons[4][0]
    assert "2 are marked elected (Ann Example, Dan Example)" in reasons[6][0]
    assert "is for parl.2017-06-08" in reasons[7][0]
    assert all(len(r) <= 1 for r in reasons)


@pytest.mark.unit
def test_large_batch_maps_failures_back_to_the_right_rows() -> None:
    batch = []
    for i in range(650):
        cands = [
            cand(j + 1, f"Candidate {i}-{j}", party, str(30000 - 4000 * j), elected=(j == 0))
            for j, party in enumerate(["Con", "Lab", "LD", "Grn", "BXP", "Ind"])
        ]
        batch.append(
            result(
                gss_code=f"E14{i:06d}", constituency_name=f"Seat {i}", candidates=cands, registered_electorate=200000
            )
        )
    batch[400].candidates[4] = cand(5, "Candidate 400-4", "BXP", "-7")
    batch[17].election_id = "parl.2017-06-08"
    reasons = validate(batch, COUNTED)
    flagged = {i: r for i, r in enumerate(reasons) if r}
    assert sorted(flagged) == [17, 400]
    assert "candidate 5 'Candidate 400-4' (BXP) has votes '-7'" in flagged[400][0]
    assert "'Seat 17' is for parl.2017-06-08" in flagged[17][0]


# --------------------------------------------------------------------------- suites and setup


@pytest.mark.unit
def test_every_suite_entry_is_explained_for_review() -> None:
    for kind in KINDS:
        document = json.loads((SUITES / f"{kind}.json").read_text())
        checks = set()
        for entry in document["expectations"]:
            assert entry["type"].startswith("expect_")
            assert entry.get("description"), entry
            assert entry.get("notes"), entry
            assert entry["meta"]["rule"] not in checks
            checks.add(entry["meta"]["rule"])


@pytest.mark.unit
def test_suites_are_read_from_the_overriding_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for kind in KINDS:
        shutil.copy(SUITES / f"{kind}.json", tmp_path / f"{kind}.json")
    document = json.loads((tmp_path / "result.json").read_text())
    for entry in document["expectations"]:
        if entry["meta"]["rule"] == "electorate_positive":
            entry["kwargs"]["min_value"] = 100000
            entry["description"] = "the electorate must be 100,000 or more"
    (tmp_path / "result.json").write_text(json.dumps(document))
    monkeypatch.setenv(ENV_EXPECTATIONS_DIR, str(tmp_path))
    assert load_settings().expectations_dir == tmp_path  # read through Settings, nowhere else
    assert only_reason(result()).startswith("the electorate must be 100,000 or more: the electorate is 72,617")
    monkeypatch.delenv(ENV_EXPECTATIONS_DIR)
    assert reasons_of(result()) == []


@pytest.mark.unit
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "expect_column_values_to_be_frobnicated"}, "entry 1"),
        ({"kwargs": {"column": "no_such_column"}}, "no_such_column"),
        ({"kwargs": {"column": "election_id", "value_set": {"$PARAMETER": "other"}}}, "'other'"),
        ({"meta": {"table": "declarations"}}, "meta.rule"),
    ],
)
def test_broken_suite_fails_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: dict, message: str) -> None:
    for kind in KINDS:
        shutil.copy(SUITES / f"{kind}.json", tmp_path / f"{kind}.json")
    document = json.loads((tmp_path / "rush.json").read_text())
    document["expectations"][0].update(change)
    (tmp_path / "rush.json").write_text(json.dumps(document))
    monkeypatch.setenv(ENV_EXPECTATIONS_DIR, str(tmp_path))
    with pytest.raises(ConfigurationError, match=message):
        validate([rush()], COUNTED)


def _suites_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for kind in KINDS:
        shutil.copy(SUITES / f"{kind}.json", tmp_path / f"{kind}.json")
    monkeypatch.setenv(ENV_EXPECTATIONS_DIR, str(tmp_path))
    return tmp_path


@pytest.mark.unit
def test_a_rule_without_a_reason_writer_stops_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _suites_copy(tmp_path, monkeypatch)
    document = json.loads((folder / "rush.json").read_text())
    document["expectations"].append(
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "electorate"},
            "description": "a rush must give the electorate",
            "notes": "n/a",
            "meta": {"rule": "rush_electorate_present", "table": "declarations"},
        }
    )
    (folder / "rush.json").write_text(json.dumps(document))
    with pytest.raises(
        UnpairedRule, match=r"rule 'rush_electorate_present' \(.*rush.json entry 6\) has no reason writer"
    ):
        validate([rush()], COUNTED)


@pytest.mark.unit
def test_a_reason_writer_without_a_rule_stops_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _suites_copy(tmp_path, monkeypatch)
    document = json.loads((folder / "result.json").read_text())
    document["expectations"] = [e for e in document["expectations"] if e["meta"]["rule"] != "votes_present"]
    (folder / "result.json").write_text(json.dumps(document))
    with pytest.raises(UnpairedRule, match="reason writer 'votes_present' has no rule in any expectation suite"):
        validate([result()], COUNTED)


@pytest.mark.unit
def test_a_writer_for_the_other_frame_is_refused() -> None:
    writers = registered()
    with pytest.raises(
        UnpairedRule, match="'votes_whole' .* runs on declarations but its reason writer is for candidates"
    ):
        check_coverage(
            {"votes_whole": ("declarations", "result.json entry 1")}, {"votes_whole": writers["votes_whole"]}
        )
    with pytest.raises(ConfigurationError, match="two reason writers"):
        writes("votes_whole")(lambda d, ctx: "")


@pytest.mark.unit
def test_the_shipped_suites_and_writers_pair_up_exactly() -> None:
    rules = {}
    for kind in KINDS:
        for number, entry in enumerate(json.loads((SUITES / f"{kind}.json").read_text())["expectations"], start=1):
            rules[entry["meta"]["rule"]] = (entry["meta"]["table"], f"{kind}.json entry {number}")
    check_coverage(rules, registered())  # raises if they do not
    assert set(rules) == set(registered())
    # rules that could never fire are gone: resolve raises before a seat is unknown,
    # parse before a revision is missing or under 1
    assert not {"gss_code_present", "revision_present", "revision_at_least_one"} & set(rules)


RUSH_XML = """<?xml version="1.0" encoding="UTF-8"?>
<FirstPastThePostRush declarationTime="2019-12-13T00:02:00+00:00"{revision}>
  <Election name="General Election 2019" date="2019-12-12" type="G">
    <Constituency name="{name}" gssCode="{gss}" winningParty="C"/>
  </Election>
</FirstPastThePostRush>"""


@pytest.mark.unit
@pytest.mark.parametrize("revision", ["", ' revision="0"', ' revision="x"'])
def test_parse_rejects_a_missing_or_low_revision_before_the_gate(revision: str) -> None:
    """Why the suites have no revision rule: parse refuses these first, so the rule could never fire."""
    from pipeline.exceptions import InvalidDeclaration
    from pipeline.parse import parse_file

    body = RUSH_XML.format(revision=revision, name="Blyth Valley", gss="E14000575").encode()
    with pytest.raises(InvalidDeclaration, match="revision .* is not a whole number of at least 1"):
        parse_file("rush.xml", body)


@pytest.mark.unit
def test_resolve_rejects_an_unknown_seat_before_the_gate() -> None:
    """Why the suites have no 'GSS code known' rule: resolve raises first, so it could never fire."""
    from pipeline.exceptions import UnknownConstituency
    from pipeline.parse import parse_file
    from pipeline.resolve import Reference, resolve

    ref = Reference(
        COUNTED,
        "parl.2017-06-08",
        {"E14000575": "Blyth Valley"},
        {"blyth valley": "E14000575"},
        {"E14000575": 80000},
        {"c": "CON"},
    )
    (known,) = parse_file(
        "rush.xml", RUSH_XML.format(revision=' revision="1"', name="Blyth Valley", gss="E14000575").encode()
    )
    assert resolve(known, ref).gss_code == "E14000575" and reasons_of(known) == []
    (unknown,) = parse_file(
        "rush.xml", RUSH_XML.format(revision=' revision="1"', name="Atlantis North", gss="E14099999").encode()
    )
    with pytest.raises(UnknownConstituency, match="E14099999"):
        resolve(unknown, ref)


@pytest.mark.unit
def test_a_source_without_declaration_times_is_exempt_by_the_suites_condition() -> None:
    dc = result(source_format="dc_csv", declared_at=None)
    assert reasons_of(dc) == []
    agency = only_reason(result(declared_at=None))
    assert agency == (
        "the declaration time must be given: 'Aldershot' gives no declaration time "
        "[expect_column_values_to_not_be_null]"
    )
    # in one batch, each row is judged by its own source
    assert [bool(r) for r in validate([dc, result(declared_at=None), result()], COUNTED)] == [False, True, False]


@pytest.mark.unit
def test_counted_election_must_be_given() -> None:
    with pytest.raises(ConfigurationError):
        validate([result()], "")


@pytest.mark.unit
def test_importing_the_module_does_not_import_great_expectations() -> None:
    code = "import sys, pipeline.validation; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.unit
def test_validation_is_quiet(capfd: pytest.CaptureFixture[str]) -> None:
    validate([result(), rush(), recount()], COUNTED)
    captured = capfd.readouterr()
    assert "Calculating Metrics" not in captured.err
    assert captured.out == ""


@pytest.mark.unit
def test_dc_csv_win_by_lot_counts_as_elected():
    """`tied_vote_winner` marks a win by lot: that candidate is the winner even if `elected` was left False."""
    from pipeline.parse import parse_file

    header = (
        "election_id,ballot_paper_id,gss,post_label,person_id,person_name,party_id,party_name,"
        "votes_cast,elected,tied_vote_winner,turnout_reported,spoilt_ballots,total_electorate"
    )
    body = "\n".join(
        [
            header,
            "parl.2019-12-12,parl.thurrock.2019-12-12,E14000995,Thurrock,1,Ann Example,PP52,"
            "Conservative and Unionist Party,"
            "20000,False,True,40000,100,78000",
            "parl.2019-12-12,parl.thurrock.2019-12-12,E14000995,Thurrock,2,Bob Example,PP53,Labour Party,"
            "20000,False,False,40000,100,78000",
        ]
    ).encode()
    (decl,) = parse_file("DemocracyClub_results_tie.csv", body)
    assert [(c.name, c.elected) for c in decl.candidates] == [("Ann Example", True), ("Bob Example", False)]


# --------------------------------------------------------------------------- nominations


def nominations(**overrides):
    from pipeline.model import Nominations

    fields = dict(
        revision=1,
        constituency_name="Aldershot",
        gss_code_given=None,
        election_id=COUNTED,
        electorate=72617,
        candidates=[
            cand(1, "Ann Example", "Con", None),
            cand(2, "Ben Example", "Lab", None),
            cand(3, "Dev Brown", "Ind", None),
            cand(4, "Eve Green", "Ind", None),
        ],
        gss_code="E14000530",
    )
    fields.update(overrides)
    return Nominations(**fields)


@pytest.mark.unit
def test_good_nominations_pass_with_several_independents() -> None:
    assert reasons_of(nominations()) == []


@pytest.mark.unit
def test_nominations_are_checked_by_their_own_suite() -> None:
    twice = nominations(candidates=[cand(1, "Ann Example", "Con", None), cand(2, "ann  example", "Con", None)])
    assert only_reason(twice).startswith("each candidate must be listed once: 'Ann Example' (Con) is listed 2 times")
    assert only_reason(nominations(candidates=[])).startswith("the nominations must list at least one candidate")
    reasons = reasons_of(nominations(constituency_name=None, election_id="parl.2017-06-08", electorate=0))
    assert [r.split(":")[0] for r in reasons] == [
        "the constituency name must be present",
        "the electorate must be a positive number",
        "the nominations must be for the election being counted",
    ]
