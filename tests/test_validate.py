"""Unit tests for the great-expectations gate (pipeline/validate.py).

Pure unit tests: declarations are built inline with the dataclasses, no
database. Every failure test asserts the plain-words rule, the offending
candidate or figure, and the GX expectation type, so a vaguer reason fails.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipeline.exceptions import ConfigurationError
from pipeline.model import Candidate, Declaration
from pipeline.validate import ENV_EXPECTATIONS_DIR, expectations_dir, validate

COUNTED = "parl.2019-12-12"
REPO = Path(__file__).resolve().parent.parent
SUITES = REPO / "expectations"


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


def result(**overrides) -> Declaration:
    fields = dict(
        kind="result",
        source_format="agency_xml",
        revision=1,
        constituency_name="Aldershot",
        gss_code_given="E14000530",
        election_name="General Election 2019",
        election_date="2019-12-12",
        election_type="G",
        election_id=COUNTED,
        declared_at=datetime(2019, 12, 13, 2, 14, tzinfo=timezone.utc),
        electorate=None,
        turnout=None,
        candidates=good_candidates(),
        gss_code="E14000530",
        registered_electorate=72617,
    )
    fields.update(overrides)
    return Declaration(**fields)


def rush(**overrides) -> Declaration:
    fields = dict(
        kind="rush",
        source_format="agency_xml",
        revision=1,
        constituency_name="Aldershot",
        gss_code_given=None,
        election_id=COUNTED,
        declared_at=datetime(2019, 12, 13, 2, 10, tzinfo=timezone.utc),
        winning_party_label="Con",
        gss_code="E14000530",
        winning_party_code="CON",
    )
    fields.update(overrides)
    return Declaration(**fields)


def recount(**overrides) -> Declaration:
    fields = dict(
        kind="recount",
        source_format="agency_xml",
        revision=1,
        constituency_name="Aldershot",
        gss_code_given=None,
        election_id=COUNTED,
        gss_code="E14000530",
    )
    fields.update(overrides)
    return Declaration(**fields)


def reasons_of(declaration: Declaration, counted: str = COUNTED) -> list[str]:
    [reasons] = validate([declaration], counted)
    return reasons


def only_reason(declaration: Declaration, counted: str = COUNTED) -> str:
    reasons = reasons_of(declaration, counted)
    assert len(reasons) == 1, reasons
    return reasons[0]


# --------------------------------------------------------------------------- passing


def test_good_result_passes() -> None:
    assert validate([result()], COUNTED) == [[]]


def test_good_rush_and_recount_pass() -> None:
    assert validate([rush(), recount()], COUNTED) == [[], []]


def test_no_declarations_gives_no_reasons() -> None:
    assert validate([], COUNTED) == []


def test_tie_decided_by_lot_passes() -> None:
    tied = [
        cand(1, "Ann Example", "Con", "20000"),
        cand(2, "Ben Example", "Lab", "20000", elected=True),
        cand(3, "Cat Example", "LD", "3000"),
    ]
    assert reasons_of(result(candidates=tied)) == []


def test_electorate_check_skipped_when_no_electorate_is_known() -> None:
    huge = [cand(1, "Ann Example", "Con", "500000", elected=True)]
    assert reasons_of(result(candidates=huge, electorate=None, registered_electorate=None)) == []


def test_file_electorate_takes_precedence_over_registered() -> None:
    votes = [cand(1, "Ann Example", "Con", "70000", elected=True)]
    # the registered electorate alone would fail; the file's own figure is used
    assert reasons_of(result(candidates=votes, electorate=80000, registered_electorate=67172)) == []


def test_zero_votes_are_allowed() -> None:
    zero = good_candidates() + [cand(5, "Eve Example", "Ind", "0")]
    assert reasons_of(result(candidates=zero)) == []


# --------------------------------------------------------------------------- votes


def test_negative_votes_name_the_candidate() -> None:
    bad = good_candidates()
    bad[1] = cand(2, "Ben Example", "Lab", "-5")
    reason = only_reason(result(candidates=bad))
    assert reason.startswith("votes must not be negative: ")
    assert "candidate 2 'Ben Example' (Lab) has votes '-5'" in reason
    assert reason.endswith("[expect_column_values_to_be_between]")


@pytest.mark.parametrize("raw", ["abc", "12.5", "", "1,234"])
def test_non_numeric_votes_name_the_candidate_and_figure(raw: str) -> None:
    bad = good_candidates()
    bad[2] = cand(3, "Cat Example", "LD", raw)
    reason = only_reason(result(candidates=bad))
    assert reason.startswith("votes must be whole numbers: ")
    assert f"candidate 3 'Cat Example' (LD) has votes {raw!r}" in reason
    assert "[expect_column_values_to_match_regex]" in reason


def test_missing_votes_figure_is_caught() -> None:
    bad = good_candidates()
    bad[3] = cand(4, "Dan Example", "Grn", None)
    reason = only_reason(result(candidates=bad))
    assert "every candidate must have a votes figure" in reason
    assert "candidate 4 'Dan Example' (Grn)" in reason
    assert "[expect_column_values_to_not_be_null]" in reason


def test_several_bad_candidates_in_one_result_are_all_named() -> None:
    bad = good_candidates()
    bad[1] = cand(2, "Ben Example", "Lab", "x1")
    bad[2] = cand(3, "Cat Example", "LD", "2.0")
    reason = only_reason(result(candidates=bad))
    assert "candidate 2 'Ben Example' (Lab) has votes 'x1'" in reason
    assert "candidate 3 'Cat Example' (LD) has votes '2.0'" in reason


# --------------------------------------------------------------------------- elected


def test_two_elected_names_both() -> None:
    two = good_candidates()
    two[1] = cand(2, "Ben Example", "Lab", "11282", elected=True)
    reason = only_reason(result(candidates=two))
    assert reason == (
        "exactly one candidate must be elected: 2 are marked elected (Ann Example, Ben Example) "
        "[expect_column_values_to_be_between]"
    )


def test_none_elected_is_caught() -> None:
    none = [cand(c.position, c.name, c.party_label, c.votes_raw) for c in good_candidates()]
    reason = only_reason(result(candidates=none))
    assert reason.startswith("exactly one candidate must be elected: none of the 4 candidates")
    assert "[expect_column_values_to_be_between]" in reason


def test_elected_with_fewer_votes_than_another_names_both() -> None:
    wrong = good_candidates()
    wrong[0] = cand(1, "Ann Example", "Con", "27980")
    wrong[2] = cand(3, "Cat Example", "LD", "6920", elected=True)
    reason = only_reason(result(candidates=wrong))
    assert reason.startswith("the elected candidate must have the most votes")
    assert "Cat Example (LD) is elected with 6,920 votes but Ann Example (Con) has 27,980" in reason
    assert "[expect_column_pair_values_a_to_be_greater_than_b]" in reason


# --------------------------------------------------------------------------- electorate and turnout


def test_votes_over_registered_electorate_give_the_figures() -> None:
    over = [cand(1, "Ann Example", "Con", "61230", elected=True), cand(2, "Ben Example", "Lab", "30000")]
    reasons = reasons_of(result(candidates=over, registered_electorate=67172))
    assert any(
        "valid votes 91,230 exceed the electorate 67,172 (registered electorate from reference data)" in r
        and "[expect_column_pair_values_a_to_be_greater_than_b]" in r
        for r in reasons
    ), reasons
    assert any("turnout must be between 0 and 100%" in r and "is 135.8%" in r for r in reasons), reasons


def test_votes_over_file_electorate_say_where_the_electorate_came_from() -> None:
    over = [cand(1, "Ann Example", "Con", "5001", elected=True)]
    reasons = reasons_of(result(candidates=over, electorate=5000, registered_electorate=70000))
    assert any("valid votes 5,001 exceed the electorate 5,000 (as given in the file)" in r for r in reasons), reasons


def test_agency_turnout_over_electorate_is_caught() -> None:
    reason = only_reason(result(turnout=80000, registered_electorate=72617))
    assert reason.startswith("the agency's turnout must be between 0 and 100% of the electorate")
    assert "turnout 80,000 / electorate 72,617" in reason
    assert "[expect_column_values_to_be_between]" in reason


# --------------------------------------------------------------------------- election


def test_wrong_election_is_caught() -> None:
    reason = only_reason(result(election_id="parl.2017-06-08"))
    assert reason == (
        "the declaration must be for the election being counted: 'Aldershot' is for "
        "parl.2017-06-08, but parl.2019-12-12 is being counted [expect_column_values_to_be_in_set]"
    )


def test_counted_election_is_a_run_time_parameter() -> None:
    declaration = result(election_id="parl.2017-06-08")
    assert reasons_of(declaration, counted="parl.2017-06-08") == []
    assert "is being counted" in only_reason(declaration, counted="parl.2019-12-12")
    # and the same cached suites flip back: the parameter is not baked in on first use
    assert reasons_of(declaration, counted="parl.2017-06-08") == []


def test_suites_do_not_hard_code_an_election() -> None:
    for kind in ("result", "rush", "recount"):
        text = (SUITES / f"{kind}.json").read_text()
        assert "parl." not in text
        assert '"$PARAMETER": "counted_election_ids"' in text


def test_missing_election_is_caught() -> None:
    reason = only_reason(result(election_id=None))
    assert reason.startswith("the file must name its election: 'Aldershot' names no election")
    assert "[expect_column_values_to_not_be_null]" in reason


# --------------------------------------------------------------------------- structure


def test_duplicate_candidate_is_named_with_both_positions() -> None:
    dup = good_candidates() + [cand(5, "ann  EXAMPLE", "Con", "12")]
    reason = only_reason(result(candidates=dup))
    assert reason.startswith("candidates must be unique within a declaration: ")
    assert "'Ann Example' (Con) is listed 2 times (candidates 1 and 5)" in reason
    assert "[expect_compound_columns_to_be_unique]" in reason


def test_same_name_for_different_parties_is_not_a_duplicate() -> None:
    namesakes = good_candidates() + [cand(5, "Ann Example", "Ind", "12")]
    assert reasons_of(result(candidates=namesakes)) == []


def test_same_candidate_in_two_results_of_one_batch_is_not_a_duplicate() -> None:
    assert validate([result(), result(gss_code="E14000531", constituency_name="Aldridge")], COUNTED) == [[], []]


def test_missing_gss_is_caught() -> None:
    reason = only_reason(result(gss_code=None, gss_code_given="E99999999"))
    assert reason.startswith("the constituency must be known (GSS code): 'Aldershot' matched no seat")
    assert "'E99999999'" in reason
    assert "[expect_column_values_to_not_be_null]" in reason


def test_missing_fields_are_each_reported_in_suite_order() -> None:
    bad = result(gss_code=None, constituency_name="  ", revision=0, declared_at=None, election_id="parl.2017-06-08")
    reasons = reasons_of(bad)
    rules = [r.split(":")[0] for r in reasons]
    assert rules == [
        "the constituency must be known (GSS code)",
        "the constituency name must be present",
        "the revision must be 1 or more",
        "the declaration time must be given",
        "the declaration must be for the election being counted",
    ]


def test_result_without_candidates_is_caught_once() -> None:
    reason = only_reason(result(candidates=[]))
    assert reason == (
        "a result must list at least one candidate: 'Aldershot' lists no candidates "
        "[expect_column_values_to_be_between]"
    )


# --------------------------------------------------------------------------- rush and recount


def test_rush_with_unrecognised_winner_names_the_label() -> None:
    reason = only_reason(rush(winning_party_label="Monster Raving Loony", winning_party_code=None))
    assert reason == (
        "the winning party must be a known party: 'Aldershot' flashes 'Monster Raving Loony' as "
        "winner, which is not a known party [expect_column_values_to_not_be_null]"
    )


def test_rush_without_winner() -> None:
    reason = only_reason(rush(winning_party_label=None, winning_party_code=None))
    assert "the winning party must be a known party: 'Aldershot' names no winning party" in reason


def test_rush_required_fields() -> None:
    reasons = reasons_of(rush(gss_code=None, declared_at=None, revision=0, election_id="parl.2017-06-08"))
    assert [r.split(":")[0] for r in reasons] == [
        "the constituency must be known (GSS code)",
        "the declaration time must be given",
        "the revision must be 1 or more",
        "the declaration must be for the election being counted",
    ]


def test_recount_ok_needs_no_declared_at_or_candidates() -> None:
    assert reasons_of(recount(declared_at=None)) == []


def test_recount_checks_its_fields() -> None:
    reasons = reasons_of(recount(constituency_name=None, revision=0, election_id=None))
    assert [r.split(":")[0] for r in reasons] == [
        "the constituency name must be present",
        "the revision must be 1 or more",
        "the file must name its election",
    ]
    assert "the declaration for E14000530 names no constituency" in reasons[0]


def test_unknown_kind_is_reported_not_raised() -> None:
    odd = recount(kind="exit_poll")
    assert validate([odd], COUNTED) == [["the message kind must be one of result, rush, recount: it is 'exit_poll'"]]


# --------------------------------------------------------------------------- batches


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


def test_large_batch_maps_failures_back_to_the_right_rows() -> None:
    batch = []
    for i in range(650):
        cands = [
            cand(j + 1, f"Candidate {i}-{j}", party, str(30000 - 4000 * j), elected=(j == 0))
            for j, party in enumerate(["Con", "Lab", "LD", "Grn", "BXP", "Ind"])
        ]
        batch.append(result(gss_code=f"E14{i:06d}", constituency_name=f"Seat {i}", candidates=cands,
                            registered_electorate=200000))
    batch[400].candidates[4] = cand(5, "Candidate 400-4", "BXP", "-7")
    batch[17].election_id = "parl.2017-06-08"
    reasons = validate(batch, COUNTED)
    flagged = {i: r for i, r in enumerate(reasons) if r}
    assert sorted(flagged) == [17, 400]
    assert "candidate 5 'Candidate 400-4' (BXP) has votes '-7'" in flagged[400][0]
    assert "'Seat 17' is for parl.2017-06-08" in flagged[17][0]


# --------------------------------------------------------------------------- suites and setup


def test_every_suite_entry_is_explained_for_review() -> None:
    for kind in ("result", "rush", "recount"):
        document = json.loads((SUITES / f"{kind}.json").read_text())
        checks = set()
        for entry in document["expectations"]:
            assert entry["type"].startswith("expect_")
            assert entry.get("description"), entry
            assert entry.get("notes"), entry
            assert entry["meta"]["check"] not in checks
            checks.add(entry["meta"]["check"])


def test_suites_are_read_from_the_overriding_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for kind in ("result", "rush", "recount"):
        shutil.copy(SUITES / f"{kind}.json", tmp_path / f"{kind}.json")
    document = json.loads((tmp_path / "recount.json").read_text())
    for entry in document["expectations"]:
        if entry["meta"]["check"] == "revision_at_least_one":
            entry["kwargs"]["min_value"] = 2
            entry["description"] = "the revision must be 2 or more"
    (tmp_path / "recount.json").write_text(json.dumps(document))
    monkeypatch.setenv(ENV_EXPECTATIONS_DIR, str(tmp_path))
    assert expectations_dir() == tmp_path.resolve()
    assert reasons_of(recount(revision=1))[0].startswith("the revision must be 2 or more")
    monkeypatch.delenv(ENV_EXPECTATIONS_DIR)
    assert reasons_of(recount(revision=1)) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"type": "expect_column_values_to_be_frobnicated"}, "entry 1"),
        ({"kwargs": {"column": "no_such_column"}}, "no_such_column"),
        ({"kwargs": {"column": "election_id", "value_set": {"$PARAMETER": "other"}}}, "'other'"),
        ({"meta": {"table": "declarations"}}, "meta.check"),
    ],
)
def test_broken_suite_fails_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: dict, message: str
) -> None:
    for kind in ("result", "rush", "recount"):
        shutil.copy(SUITES / f"{kind}.json", tmp_path / f"{kind}.json")
    document = json.loads((tmp_path / "rush.json").read_text())
    document["expectations"][0].update(change)
    (tmp_path / "rush.json").write_text(json.dumps(document))
    monkeypatch.setenv(ENV_EXPECTATIONS_DIR, str(tmp_path))
    with pytest.raises(ConfigurationError, match=message):
        validate([rush()], COUNTED)


def test_counted_election_must_be_given() -> None:
    with pytest.raises(ConfigurationError):
        validate([result()], "")


def test_importing_the_module_does_not_import_great_expectations() -> None:
    code = "import sys, pipeline.validate; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_validation_is_quiet(capfd: pytest.CaptureFixture[str]) -> None:
    validate([result(), rush(), recount()], COUNTED)
    captured = capfd.readouterr()
    assert "Calculating Metrics" not in captured.err
    assert captured.out == ""


def test_dc_csv_win_by_lot_counts_as_elected():
    """`tied_vote_winner` marks a win by lot: that candidate is the winner even if `elected` was left False."""
    from pipeline.parse import parse_file

    header = ("election_id,ballot_paper_id,gss,post_label,person_id,person_name,party_id,party_name,"
              "votes_cast,elected,tied_vote_winner,turnout_reported,spoilt_ballots,total_electorate")
    body = "\n".join([
        header,
        "parl.2019-12-12,parl.thurrock.2019-12-12,E14000995,Thurrock,1,Ann Example,PP52,Conservative and Unionist Party,"
        "20000,False,True,40000,100,78000",
        "parl.2019-12-12,parl.thurrock.2019-12-12,E14000995,Thurrock,2,Bob Example,PP53,Labour Party,"
        "20000,False,False,40000,100,78000",
    ]).encode()
    (decl,) = parse_file("DemocracyClub_results_tie.csv", body)
    assert [(c.name, c.elected) for c in decl.candidates] == [("Ann Example", True), ("Bob Example", False)]
