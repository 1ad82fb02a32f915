"""benchmarks.projection_variants measures what it says: the shipped model as shipped, each variant as described."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import projection_variants as pv
from pipeline import backtest as bt
from pipeline import projection as pj
from pipeline.projection_band import marginal_seats
from pipeline.projection_base import IDX, NI

pytestmark = pytest.mark.unit

ELECTION = "parl.2019-12-12"


@pytest.fixture(scope="module")
def replayed() -> bt.Replayed:
    return bt.load_election(ELECTION)


def test_the_shipped_variant_counts_as_the_projection_does(replayed):
    r = replayed
    for order in bt.orders(r.base, "clock", 2, bt.BACKTEST_SEED, ELECTION):
        for mark in (25, 100, 400):
            mask = np.zeros(len(r.base.gss_codes), dtype=bool)
            mask[order[:mark]] = True
            shipped = pj.seat_counts(r.base, pj.declared_rows(r.base, mask, r.final)).projected
            assert pv.counts(r.base, mask, r.final, pv.VARIANTS[0].counter).tolist() == shipped.tolist()


def test_extra_columns_are_centred_on_great_britain_with_their_penalties(replayed):
    base = pv.with_columns(replayed.base, pv.contests(1.0))
    added = base.design.shape[1] - replayed.base.design.shape[1]
    assert added == 5
    assert base.penalty[-added:].tolist() == [1.0] * added
    gb = base.nation != NI
    assert np.allclose(base.design[gb][:, -added:].mean(axis=0), 0.0)
    # The Conservative-held, Liberal Democrat-second column picks out exactly those seats.
    ranked = np.argsort(-base.shares, axis=1, kind="stable")
    con_ld = (ranked[:, 0] == IDX["CON"]) & (ranked[:, 1] == IDX["LD"])
    first = base.design[:, -added]
    assert set(np.unique(first[con_ld]).round(9)) == {round(1 - con_ld[gb].mean(), 9)}


def test_more_in_the_running_matters_only_where_a_third_party_is_close():
    two = np.zeros((1, pj.P))
    two[0, [IDX["CON"], IDX["LAB"]]] = 0.52, 0.48
    assert np.allclose(pv.multiparty(two), pj._expected_seats(two), atol=0.02)
    three = np.zeros((1, pj.P))
    three[0, [IDX["CON"], IDX["LAB"], IDX["REF"]]] = 0.34, 0.331, 0.329
    seats = pv.multiparty(three)
    assert seats.sum() == pytest.approx(1.0)
    assert seats[IDX["REF"]] > 0.25  # the top-two count gives Reform nothing here
    assert pj._expected_seats(three)[IDX["REF"]] == 0.0


def test_the_floor_is_small_on_2019_and_the_variants_table_scores_every_mark(replayed):
    floor = pv.floor(ELECTION)
    assert all(abs(v) <= 10 for v in floor.values()), floor
    scored = pv.score(ELECTION, pv.VARIANTS[0], count=2, marks=(100,))
    assert set(scored) == {(k, 100) for k in bt.ORDER_KINDS}
    assert all(0 <= cell["mean"] < 20 for cell in scored.values())


def test_the_region_band_doubts_at_least_as_many_seats_as_the_nation_band(replayed):
    r = replayed
    order = bt.orders(r.base, "clock", 1, bt.BACKTEST_SEED, ELECTION)[0]
    wider = 0
    for mark in (10, 50, 200):
        mask = np.zeros(len(r.base.gss_codes), dtype=bool)
        mask[order[:mark]] = True
        shares = pj.project_shares(r.base, pj.declared_rows(r.base, mask, r.final))
        by_nation = marginal_seats(r.base, mask, shares)
        by_region = pv.region_marginal(r.base, mask, shares, 1.0)
        assert (by_region >= by_nation).all()
        wider += int(by_region.sum() > by_nation.sum())
    assert wider  # early in the clock order most English regions have declared nothing
