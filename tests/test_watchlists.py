"""Watch lists (seeds/watch_lists.csv): the Anglia marginals as data, in the article's order, titled by the baseline."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.exceptions import ConfigurationError
from pipeline.watchlists import COLUMNS, WatchList, load_watch_lists

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# The brief's list: Eastern, Northamptonshire and Milton Keynes seats held in
# 2017 by under 2,000 votes, by the swing needed (percent, not votes).
ANGLIA_IN_ORDER = [
    "Thurrock",
    "Norwich North",
    "Peterborough",
    "Bedford",
    "Ipswich",
    "Northampton North",
    "Milton Keynes South",
    "Northampton South",
    "Milton Keynes North",
]


def _write(tmp_path: Path, *rows: str, header: str = ",".join(COLUMNS)) -> Path:
    (tmp_path / "watch_lists.csv").write_text("\n".join([header, *rows]) + "\n")
    return tmp_path


@pytest.mark.unit
def test_the_shipped_list_is_the_anglia_marginals() -> None:
    (anglia,) = load_watch_lists(SEEDS, "parl.2019-12-12")
    assert anglia == WatchList(
        "anglia_marginals",
        "Anglia marginals",
        ("Eastern",),
        ("Northamptonshire",),
        ("Milton Keynes",),
        (),
        2000,
        ("parl.2015-05-07", "parl.2017-06-08", "parl.2019-12-12"),
    )
    assert anglia.heading("2017") == (
        "Anglia marginals (Eastern, Northamptonshire, Milton Keynes: 2017 majority under 2,000)"
    )
    assert anglia.heading("2019").endswith(": 2019 majority under 2,000)")


@pytest.mark.unit
def test_each_list_is_for_the_elections_it_names(tmp_path: Path) -> None:
    """The 2010-boundaries Anglia list is not shown on a 2024-boundaries night; a list naming none is on every night."""
    assert [w.list_id for w in load_watch_lists(SEEDS, "parl.2024-07-04")] == ["east_marginals"]
    assert [w.list_id for w in load_watch_lists(SEEDS, "parl.next")] == ["east_marginals"]
    assert [w.list_id for w in load_watch_lists(SEEDS)] == ["anglia_marginals", "east_marginals"]
    folder = _write(tmp_path, "every,Every night,Wales,,,,,", "later,Later,Wales,,,,,parl.2024-07-04;parl.next")
    assert [w.list_id for w in load_watch_lists(folder, "parl.2019-12-12")] == ["every"]
    assert [w.list_id for w in load_watch_lists(folder, "parl.next")] == ["every", "later"]


@pytest.mark.unit
def test_a_list_of_named_seats_needs_no_rule(tmp_path: Path) -> None:
    (seats,) = load_watch_lists(_write(tmp_path, "bellwethers,Bellwethers,,,,e14000995;E14000863,"))
    assert seats.gss_codes == ("E14000995", "E14000863") and seats.max_baseline_majority is None
    assert seats.heading("2017") == "Bellwethers (2 listed seats)"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["a,A,Eastern,,,,two thousand"], "not a whole number"),
        (["a,A,,,,,2000"], "names no seats or places"),
        (["a,A,Eastern,,,,", "a,B,Wales,,,,"], "used twice"),
        ([",A,Eastern,,,,"], "needs a list_id and a title"),
    ],
)
def test_a_malformed_list_is_refused(tmp_path: Path, rows: list[str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_watch_lists(_write(tmp_path, *rows))


@pytest.mark.unit
def test_wrong_columns_are_refused_and_no_file_means_no_lists(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="must have the columns"):
        load_watch_lists(_write(tmp_path, "a,A,Eastern", header="list_id,title,region"))
    assert load_watch_lists(tmp_path / "nowhere") == []


@pytest.mark.integration
def test_anglia_seats_come_in_the_articles_order(clean_db) -> None:
    from pipeline.db import sql

    (anglia,) = load_watch_lists(SEEDS, "parl.2019-12-12")
    with clean_db.connect() as conn:
        seats = anglia.seats(conn)
        example = conn.execute(sql("examples/anglia_marginals")).all()
    assert [s[0] for s in seats] == ANGLIA_IN_ORDER
    assert (seats[0][1], seats[0][2], float(seats[0][3])) == ("CON", 345, 0.34)
    needed = [float(s[3]) for s in seats]
    assert needed == sorted(needed)  # by swing needed in percent ...
    by_name = {s[0]: s for s in seats}  # ... not by votes: the second of each pair has the smaller majority
    assert by_name["Ipswich"][2] > by_name["Northampton North"][2]  # 831 votes (0.81%) before 807 (1.00%)
    assert by_name["Milton Keynes South"][2] > by_name["Northampton South"][2]  # 1,665 (1.29%) before 1,159
    assert all(s[2] < 2000 for s in seats) and all(s[4] is None for s in seats)  # nothing declared yet
    assert [tuple(s) for s in seats] == [tuple(e) for e in example]  # the analysts' example says the same


@pytest.mark.integration
def test_titles_name_the_baseline_of_the_count_setting(clean_db, settings, tmp_path, capsys) -> None:
    from pipeline.summary import night_figures, print_night_summary
    from pipeline.written_report import write_report

    engine = clean_db
    from pipeline.schema import init_db

    night = night_figures(engine, seeds_dir=SEEDS)
    assert night.baseline_label == "2017"
    assert [w.heading for w in night.watch_lists] == [
        "Anglia marginals (Eastern, Northamptonshire, Milton Keynes: 2017 majority under 2,000)"
    ]
    try:  # count 2017 against 2019: every title follows, none says 2017 for the baseline
        init_db(engine, settings, counting_election_id="parl.2017-06-08", baseline_election_id="parl.2019-12-12")
        flipped = night_figures(engine, seeds_dir=SEEDS)
        assert flipped.baseline_label == "2019"
        assert flipped.watch_lists[0].heading.endswith("2019 majority under 2,000)")
        write_report(engine, tmp_path, seeds_dir=SEEDS)
        report = next(tmp_path.glob("night-*.md")).read_text()
        assert "| share % | 2019 |" in report and "against 2019" in report and "2017" not in report
        board = (tmp_path / "board.html").read_text()
        assert "gained against 2019" in board and "2019 majority under 2,000)</h2>" in board
        print_night_summary(engine)
        summary = " ".join(capsys.readouterr().out.split())  # rich wraps a title to its table's width
        assert "change against 2019" in summary and flipped.watch_lists[0].heading in summary
    finally:
        init_db(engine, settings, counting_election_id="parl.2019-12-12", baseline_election_id="parl.2017-06-08")
    assert night_figures(engine, seeds_dir=SEEDS).baseline_label == "2017"
