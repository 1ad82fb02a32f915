"""The projection model on hand-made seats, and the backtest's band coverage on a fixed set of orders."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from pipeline import backtest as bt
from pipeline import backtest_calibrate as cal
from pipeline import backtest_report as rep
from pipeline import projection as pj
from pipeline import projection_fit as pf
from pipeline.config import PROJECT_ROOT

pytestmark = pytest.mark.unit

# Eight seats: four in one English region, one in another, two Scottish, one in Northern Ireland.
SEATS = [
    ("E1", "North East", "England"),
    ("E2", "North East", "England"),
    ("E3", "North East", "England"),
    ("E4", "North East", "England"),
    ("E5", "London", "England"),
    ("S1", "Scotland", "Scotland"),
    ("S2", "Scotland", "Scotland"),
    ("N1", "Northern Ireland", "Northern Ireland"),
]
BASE = {
    "E1": {"CON": 500, "LAB": 400, "LD": 100},
    "E2": {"CON": 480, "LAB": 440, "LD": 80},
    "E3": {"CON": 600, "LAB": 300, "LD": 100},
    "E4": {"CON": 300, "LAB": 600, "LD": 100},
    "E5": {"CON": 420, "LAB": 380, "LD": 200},
    "S1": {"SNP": 400, "LAB": 380, "CON": 220},
    "S2": {"SNP": 600, "LAB": 200, "CON": 200},
    "N1": {"DUP": 550, "SF": 450},
}
NO_BAND = pj.Band(np.array([0, 8]), np.array([0.0, 0.0]))


def counts(lines):
    return {x.party: (x.declared_seats, x.projected_seats) for x in lines}


def night(base, results):
    return pj.declared_from(base, results)


@pytest.fixture
def base():
    return pj.make_baseline(SEATS, BASE)


def test_uniform_change_by_nation_moves_every_undeclared_seat_by_the_declared_mean(base):
    # E1 declares with CON -5 and LAB +5 points.
    d = night(base, {"E1": {"CON": 450, "LAB": 450, "LD": 100}})
    shares = pj.project_shares(base, d, pj.UNIFORM)
    e2 = shares[base.index["E2"]]
    assert e2[pj.PARTIES.index("CON")] == pytest.approx(0.43)
    assert e2[pj.PARTIES.index("LAB")] == pytest.approx(0.49)
    # Scotland has nothing declared: it takes Great Britain's change; Northern Ireland none.
    s1 = shares[base.index["S1"]]
    assert s1[pj.PARTIES.index("LAB")] == pytest.approx(0.43)
    assert s1[pj.PARTIES.index("SNP")] == pytest.approx(0.40)
    assert shares[base.index["N1"]][pj.PARTIES.index("DUP")] == pytest.approx(0.55)
    # E1 declared a 450-450 tie, which goes to CON (first in PARTIES). Projected:
    # E3 CON; E2 (.43/.49), E4, E5 (.37/.43) and S1 (LAB .43, SNP .40) LAB; S2 SNP; N1 DUP.
    c = counts(pj.project(base, d, NO_BAND, pj.UNIFORM))
    assert c == {"CON": (1, 2), "LAB": (0, 4), "SNP": (0, 1), "DUP": (0, 1)}


def test_declared_seats_count_as_they_fell(base):
    # An LD win in E3 (CON -30, LD +30): E3 counts for LD as declared, and the
    # same change, applied, gives LD E5 too (LD .50, LAB .38, CON .12).
    d = night(base, {"E3": {"CON": 300, "LAB": 300, "LD": 400}})
    c = counts(pj.project(base, d, NO_BAND, pj.UNIFORM))
    assert c["LD"] == (1, 2)
    assert pj.project_shares(base, d, pj.UNIFORM)[base.index["E3"]][pj.PARTIES.index("LD")] == pytest.approx(0.4)
    assert sum(p for _, p in c.values()) == len(SEATS)


def test_a_party_absent_at_the_baseline_gets_its_declared_share_zeros_included(base):
    d = night(base, {"E1": {"CON": 400, "LAB": 400, "LD": 100, "BRX": 100}, "E2": dict(BASE["E2"])})
    shares = pj.project_shares(base, d, pj.UNIFORM)
    assert shares[base.index["E3"]][pj.PARTIES.index("BRX")] == pytest.approx(0.05)
    reg = pj.project_shares(base, d, pj.REGRESSION)
    assert reg[base.index["E3"]][pj.PARTIES.index("BRX")] > 0


def test_regression_reproduces_a_truly_uniform_change(base):
    # Every GB seat but two moves CON -4, LAB +4: the unpenalised intercept explains it exactly.
    results = {}
    for g in ("E1", "E3", "E4", "S2"):
        v = BASE[g]
        total = sum(v.values())
        results[g] = {p: n - 40 if p == "CON" else n + 40 if p == "LAB" else n for p, n in v.items()}
        assert sum(results[g].values()) == total
    d = night(base, results)
    shares = pj.project_shares(base, d, pj.REGRESSION)
    assert shares[base.index["E5"]][pj.PARTIES.index("CON")] == pytest.approx(0.38)
    assert shares[base.index["E5"]][pj.PARTIES.index("LAB")] == pytest.approx(0.42)


def test_the_speakers_seat_is_left_out_of_the_measurement(base):
    speaker = pj.make_baseline(SEATS, {**BASE, "E4": {"SPK": 700, "GRN": 300}})
    d = night(speaker, {"E4": {"SPK": 500, "GRN": 500}})
    assert np.allclose(pj.project_shares(speaker, d, pj.REGRESSION)[~d.mask], speaker.shares[~d.mask])


def test_running_sums_add_and_take_back_one_seat_at_a_time(base):
    first = {"E1": {"CON": 450, "LAB": 450, "LD": 100}, "S1": {"SNP": 500, "LAB": 300, "CON": 200}}
    corrected = {**first, "E1": {"CON": 460, "LAB": 440, "LD": 100}}
    stats = pj.empty_stats(base)
    for g, votes in first.items():
        s = pj.shares_of(votes)
        pj.add_seat(base, stats, base.index[g], s, int(np.argmax(s)))
    old = pj.shares_of(first["E1"])
    new = pj.shares_of(corrected["E1"])
    pj.add_seat(base, stats, base.index["E1"], old, int(np.argmax(old)), sign=-1)
    pj.add_seat(base, stats, base.index["E1"], new, int(np.argmax(new)))
    whole = pj.stats_of(base, night(base, corrected))
    assert np.array_equal(stats.mask, whole.mask) and np.array_equal(stats.declared, whole.declared)
    assert np.allclose(stats.xtx, whole.xtx) and np.allclose(stats.xty, whole.xty)
    assert np.allclose(stats.yty, whole.yty)
    band = pj.Band(np.array([0, 8]), np.array([1.0, 1.0]))
    assert pj.project_stats(base, stats, band) == pj.project(base, night(base, corrected), band)


# Forty Conservative seats in one region, LD and LAB a point apart behind, second in turn, at two levels.
CHALLENGED = [(f"C{i:02d}", "South East", "England") for i in range(40)]
_KINDS = (
    {"CON": 500, "LD": 260, "LAB": 250},
    {"CON": 500, "LD": 160, "LAB": 150, "OTH": 100},
    {"CON": 500, "LAB": 260, "LD": 250},
    {"CON": 500, "LAB": 160, "LD": 150, "OTH": 100},
)
CHALLENGED_BASE = {g: dict(_KINDS[i % 4]) for i, (g, _, _) in enumerate(CHALLENGED)}


def _swung(votes: dict[str, int], points: int, noise: int = 0) -> dict[str, int]:
    """Move `points` tenths of a point from CON to whoever was second, plus some noise between LAB and LD."""
    second = sorted(votes, key=votes.get)[-2]
    out = {**votes, "CON": votes["CON"] - points, second: votes[second] + points}
    out["LAB"] += noise
    out["LD"] -= noise
    return out


def test_the_challenger_gains_where_it_came_second():
    # Tactical voting: the Conservatives lose ten points to whoever was second. Baseline shares
    # hardly tell the two kinds of seat apart (a point between LD and LAB either way); who came second can.
    base = pj.make_baseline(CHALLENGED, CHALLENGED_BASE)
    declared = {g: _swung(v, 100) for g, v in list(CHALLENGED_BASE.items())[:30]}
    shares = pj.project_shares(base, night(base, declared), pj.REGRESSION)
    ld_second, lab_second = base.index["C33"], base.index["C34"]
    ld, lab = pj.PARTIES.index("LD"), pj.PARTIES.index("LAB")
    assert shares[ld_second, ld] - base.shares[ld_second, ld] > 0.07
    assert shares[ld_second, lab] - base.shares[ld_second, lab] < 0.03
    assert shares[lab_second, lab] - base.shares[lab_second, lab] > 0.07


def test_the_band_widens_on_a_night_whose_seats_scatter_about_the_fit():
    base = pj.make_baseline(CHALLENGED, CHALLENGED_BASE)
    seats = list(CHALLENGED_BASE.items())[:30]
    calm = night(base, {g: _swung(v, 100) for g, v in seats})
    signs = np.random.default_rng(7).choice([-1, 1], len(seats))  # ±6 points between LAB and LD, seat by seat
    wild = night(base, {g: _swung(v, 100, 60 * int(sign)) for (g, v), sign in zip(seats, signs, strict=True)})
    # The running sums give the spread a direct fit gives: residuals of the ridge fit, over its degrees of freedom.
    stats = pj.stats_of(base, wild)
    fit = wild.mask
    x, y = base.design[fit], (wild.shares - base.shares)[fit]
    a = x.T @ x + np.diag(base.penalty)
    beta = np.linalg.solve(a, x.T @ y)
    df = np.trace(np.linalg.solve(a, x.T @ x))
    per_share = ((y - x @ beta) ** 2).sum() / (2 * (fit.sum() - df))
    k, prior = pf.NOISE_PRIOR_SEATS, pf.NOISE_PRIOR
    expected = np.sqrt((k * prior**2 + fit.sum() * per_share) / (k + fit.sum())) / prior
    assert pf.regression_fit(base, stats)[1] == pytest.approx(expected)
    spread_calm, spread_wild = (pj.seat_counts(base, d).spread for d in (calm, wild))
    assert spread_calm < 1.0 < spread_wild
    band = pj.Band(np.array([0, 40]), np.array([1.0, 1.0]))

    def width(d):
        return sum(x.high - x.low for x in pj.project(base, d, band))

    assert width(wild) > width(calm)


def test_the_band_holds_the_projection_and_closes_when_all_are_declared(base):
    band = pj.Band(np.array([0, 8]), np.array([2.0, 2.0]))
    lines = pj.project(base, night(base, {"E1": BASE["E1"]}), band)
    assert all(x.declared_seats <= x.low <= x.projected_seats <= x.high <= x.declared_seats + 7 for x in lines)
    assert any(x.low < x.high for x in lines)
    everything = night(base, {g: BASE[g] for g, _, _ in SEATS})
    final = pj.project(base, everything, band)
    assert all(x.declared_seats == x.projected_seats == x.low == x.high for x in final)
    assert {x.party: x.declared_seats for x in final} == {"CON": 4, "LAB": 1, "SNP": 2, "DUP": 1}


def test_rounding_keeps_the_house_whole():
    assert pj._round_to(5, np.array([1.4, 1.4, 1.2, 1.0])).tolist() == [2, 1, 1, 1]
    assert pj._round_to(3, np.array([0.5, 0.5, 2.0])).sum() == 3


# --- the backtest on a small fixed set of orders -----------------------------


ON_2010_BOUNDARIES = ["parl.2015-05-07", "parl.2017-06-08", "parl.2019-12-12"]


@pytest.fixture(scope="module")
def fixed_points():
    # Two clock-model and two random orders of each election, seeds fixed: always the same cases.
    return bt.run(ON_2010_BOUNDARIES, 2, methods=[pj.REGRESSION])


@pytest.fixture(scope="module")
def fixed_points_2024():
    # The same for 2024 against the notional 2019 results (clock orders from the 2024 declaration times).
    return bt.run(["parl.2024-07-04"], 2, methods=[pj.REGRESSION])


def test_the_backtest_covers_2024_against_its_notionals():
    assert list(bt.ELECTIONS) == [*ON_2010_BOUNDARIES, "parl.2024-07-04"]
    assert bt.ELECTIONS["parl.2024-07-04"].baseline_file == "results_2019_notional_2024.csv"
    r = bt.load_election("parl.2024-07-04")
    assert len(r.base.gss_codes) == 650 and int(r.final_seats[pj.PARTIES.index("REF")]) == 5


def test_band_coverage_on_a_fixed_set_of_orders(fixed_points):
    held = rep.coverage(fixed_points)
    # 240 cases (3 elections x 4 orders x 5 marks x 4 parties); calibrated for 80% (each election's band on
    # the three others, 2024 among them: the band's spread factor keeps 2024's volatility from widening it
    # for the calmer nights, ~84% here; it was ~95% before that factor).
    assert len(fixed_points) == 240
    assert 0.72 <= held <= 0.92, held
    # The coverage measure can fail: without a band almost nothing is held.
    bare = bt.run(ON_2010_BOUNDARIES, 2, methods=[pj.REGRESSION], band_for=lambda e, m: NO_BAND)
    assert rep.coverage(bare) < 0.35


def test_the_2024_backtest_on_the_fixed_orders(fixed_points_2024):
    """2019 -> 2024 on a night the projection never saw: what it gets right, and how far its band falls short."""
    assert len(fixed_points_2024) == 80  # 4 orders x 5 marks x 4 parties
    at = {(p.kind, p.party, p.declared): [] for p in fixed_points_2024}
    for p in fixed_points_2024:
        at[(p.kind, p.party, p.declared)].append(p)
    err = {k: rep.median_abs_error(v) for k, v in at.items()}
    # After 100 declarations in clock orders (on these two orders: CON 22.5). Without the challenger
    # terms the Conservatives were overstated by ~30 here (who came second decided where their vote
    # went); over 20 orders CON is 26 off, short of the goal of 15. (Before four 2024
    # declaration times were corrected, the orders differed and CON read 16.5.)
    assert err[("clock", "LAB", 100)] <= 15
    assert err[("clock", "CON", 100)] <= 25
    assert err[("clock", "SNP", 100)] <= 5
    assert all(err[(kind, party, 400)] <= 15 for kind in bt.ORDER_KINDS for party in bt.REPORTED)
    # The band, fitted on 2015, 2017 and 2019 only and widened by the night's own spread, holds the
    # final figure 55% of the time here (52% over 20 clock orders, 73% random): short of 80%, but
    # not the 10-50% it held before the spread factor.
    held = rep.coverage(fixed_points_2024)
    assert 0.5 <= held <= 0.9, held
    bare = bt.run(["parl.2024-07-04"], 2, methods=[pj.REGRESSION], band_for=lambda e, m: NO_BAND)
    assert rep.coverage(bare) < held


def test_the_2024_projection_beside_the_exit_poll():
    poll = bt.read_exit_poll("parl.2024-07-04")
    assert {p: poll[p] for p in ("LAB", "CON", "LD", "REF", "SNP")} == {
        "LAB": 410,
        "CON": 131,
        "LD": 61,
        "REF": 13,
        "SNP": 10,
    }
    fine = bt.run(["parl.2024-07-04"], 2, rep.FINE_MARKS, methods=[pj.REGRESSION], parties=list(poll), kinds=["clock"])
    rows = {r.party: r for r in rep.exit_poll_comparison(fine, poll)}
    assert {p: rows[p].exit_poll_error for p in ("LAB", "CON", "LD", "REF", "SNP")} == {
        "LAB": 1,
        "CON": 10,
        "LD": 11,
        "REF": 8,
        "SNP": 1,
    }
    assert rows["REF"].beats_after is not None and rows["REF"].beats_after <= 50  # Reform's 5 seats come early
    assert rows["LD"].beats_after is not None and rows["LD"].beats_after <= 400
    assert rows["CON"].beats_after is not None and rows["CON"].beats_after <= 450  # 350 over 20 orders
    assert rows["PC"].beats_after is None  # the poll had Plaid exactly: nothing beats it
    for r in rows.values():  # once beaten, beaten for good
        if r.beats_after is not None:
            assert all(e < r.exit_poll_error for m, e in r.median_error.items() if m >= r.beats_after)


def test_the_2019_goal_on_the_fixed_orders(fixed_points):
    at_100 = [p for p in fixed_points if p.election == "parl.2019-12-12" and p.kind == "clock" and p.declared == 100]
    assert rep.median_abs_error(p for p in at_100 if p.party == "CON") <= 10
    assert rep.median_abs_error(p for p in at_100 if p.party == "LAB") <= 10


def test_committed_calibration_is_what_the_script_derives(tmp_path):
    path = tmp_path / "band.csv"
    cal.write_calibration(cal.calibrate(), path)
    assert path.read_text() == pj.CALIBRATION_CSV.read_text()


def test_backtest_command_prints_both_methods_and_writes_the_plot(tmp_path):
    png = tmp_path / "plot.png"
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "backtest",
            "--election",
            "parl.2019-12-12",
            "--orders",
            "1",
            "--plot",
            str(png),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "160"},
    ).stdout
    assert "uniform-nation→regression" in out and "band held" in out and "N=400" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
