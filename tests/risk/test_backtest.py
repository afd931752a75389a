"""The backtest: metrics, the district model family, validation before the test, real data."""

from __future__ import annotations

import numpy as np
import pytest

from safecorridor.risk.backtest import (
    DistrictBacktest,
    DistrictModel,
    Metrics,
    average_rank,
    evaluate,
    margin_objective,
    run_window,
    validation_starts,
)
from safecorridor.risk.data import IncidentArrays, from_columns, read_ucdp_csv, to_day
from safecorridor.risk.policy import load_policy
from tests.conftest import UCDP_CSV

DISTRICTS = {
    "A": (34.0, 71.5),
    "B": (34.1, 71.8),
    "C": (33.0, 73.0),
    "D": (25.0, 67.0),
    "E": (30.0, 70.0),
}


def synthetic(seed: int = 1) -> IncidentArrays:
    """Five districts over 2010-2016: A cools, B heats up, D flares up in 2015, E only in 2010."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[str, str, float]] = []
    for year in range(2010, 2017):
        rates = {"A": 30 - 4 * (year - 2010), "B": 4 * (year - 2010), "C": 3, "D": 0, "E": 0}
        if year == 2010:
            rates["E"] = 10
        if year >= 2015:
            rates["D"] = 20
        for name, rate in rates.items():
            for _ in range(int(rng.poisson(max(rate, 0)))):
                day = np.datetime64(f"{year}-01-01") + np.timedelta64(int(rng.integers(365)), "D")
                rows.append((name, str(day), float(rng.integers(0, 5))))
    names = [r[0] for r in rows]
    return from_columns(
        lat=[DISTRICTS[n][0] + rng.normal(0, 0.05) for n in names],
        lon=[DISTRICTS[n][1] + rng.normal(0, 0.05) for n in names],
        date=np.array([r[1] for r in rows], dtype="datetime64[D]"),
        adm2=names,
        fatalities=[r[2] for r in rows],
    )


def test_the_district_family_holds_both_count_baselines() -> None:
    inc = synthetic()
    bt = DistrictBacktest(inc, load_policy())
    t0 = to_day("2014-01-01")
    bt.set_span(365)
    prev = bt.counts(inc.between(t0 - np.timedelta64(365, "D"), t0))
    allh = bt.counts(inc.date < t0)
    assert prev.sum() > 0 and not np.allclose(prev / prev.sum(), allh / allh.sum())
    np.testing.assert_allclose(bt.score(DistrictModel("boxspan"), t0), prev / prev.sum())
    np.testing.assert_allclose(bt.score(DistrictModel("all"), t0), allh / allh.sum())
    # The simplest candidate (first in the grid, chosen on ties) is the previous-period count.
    first, _ = bt.candidates()[0]
    np.testing.assert_allclose(bt.score(first, t0), prev / prev.sum())


def test_a_mixture_breaks_the_ties_of_the_recent_window_with_history() -> None:
    inc = synthetic()
    bt = DistrictBacktest(inc, load_policy())
    bt.set_span(365)
    t0 = to_day("2015-01-01")
    recent = bt.score(DistrictModel("boxspan"), t0)
    mixed = bt.score(DistrictModel("boxspan", long_share=0.02, combine="rank"), t0)
    units = list(bt.units)
    d, e = units.index("D"), units.index("E")
    # Neither D nor E had an incident in 2014; only E has a history (2010).
    assert recent[d] == recent[e] == 0.0
    assert mixed[e] > mixed[d]
    assert np.argmax(mixed) == np.argmax(recent)


def test_average_rank_shares_ties() -> None:
    np.testing.assert_allclose(
        average_rank(np.array([5.0, 1.0, 5.0, 0.0])), [5 / 6, 1 / 3, 5 / 6, 0]
    )


def test_ties_are_split_pro_rata_for_every_method() -> None:
    hits = np.array([9.0, 0.0, 1.0, 0.0] * 25)  # 250 hits over 100 units
    tied = evaluate("tied", np.ones(100), hits)
    assert tied.pai[0.05] == pytest.approx(1.0) and tied.auc == pytest.approx(0.5)
    # Units 0 (9 hits) and 1 (0 hits) tied at the top: the 1% cut (one unit) gets half of 9.
    scores = np.zeros(100)
    scores[[0, 1]] = 1.0
    for s, h in ((scores, hits), (scores[::-1], hits[::-1])):
        assert evaluate("m", s, h).hit[0.01] == pytest.approx(4.5 / 250)


def test_the_margin_objective_needs_both_margins() -> None:
    def m(pai: float, area: float) -> Metrics:
        return Metrics("m", {}, {0.05: pai}, area)

    base = [m(10.0, 0.90), m(8.0, 0.92)]
    assert margin_objective(m(11.0, 0.93), base) > 0
    assert margin_objective(m(11.0, 0.91), base) < 0  # AUC below the best baseline
    assert margin_objective(m(9.0, 0.99), base) < 0  # PAI below the best baseline


def test_validation_periods_end_before_the_test_period() -> None:
    bt = DistrictBacktest(synthetic(), load_policy())
    t0 = to_day("2015-01-01")
    for span in (np.timedelta64(365, "D"), np.timedelta64(730, "D")):
        starts = validation_starts(bt, t0, span)
        assert len(starts) == 9
        assert max(starts) + span <= t0


def test_the_choice_ignores_the_test_period() -> None:
    inc = synthetic()
    bt = DistrictBacktest(inc, load_policy())
    a = run_window(bt, train_until="2015-01-01", test_until="2016-01-01")
    # Move every 2015 incident to district C: the test result changes, the choice must not.
    moved = inc.select(np.ones(len(inc), dtype=bool))
    in_test = moved.between("2015-01-01", "2016-01-01")
    moved.adm2 = np.where(in_test, "C", moved.adm2).astype(object)
    b = run_window(
        DistrictBacktest(moved, load_policy()), train_until="2015-01-01", test_until="2016-01-01"
    )
    assert a.chosen == b.chosen
    assert a.by_method()["model"].auc != b.by_method()["model"].auc


def test_without_validation_the_district_model_follows_the_policy() -> None:
    bt = DistrictBacktest(synthetic(), load_policy())
    r = run_window(bt, train_until="2015-01-01", test_until="2016-01-01", validate=False)
    assert r.chosen.startswith("policy as given")
    assert r.validation == ""
    assert r.by_method()["model"].auc > 0.5


@pytest.mark.slow
def test_district_backtest_on_ucdp_2010_2016() -> None:
    """What the district model achieves on the real data (see bench/RESULTS-risk.md)."""
    bt = DistrictBacktest(read_ucdp_csv(UCDP_CSV), load_policy())
    wins = []
    for year in range(2010, 2017):
        r = run_window(bt, train_until=f"{year}-01-01", test_until=f"{year + 1}-01-01")
        m = r.by_method()
        model, allh, prev = m["model"], m["all-history counts"], m["previous-period counts"]
        # AUC: better than both count baselines every year.
        assert model.auc > max(allh.auc, prev.auc), (year, r.chosen)
        # PAI@5%: never below all-history; never more than 2.5 below last year's count.
        assert model.pai[0.05] >= allh.pai[0.05], year
        assert model.pai[0.05] > prev.pai[0.05] - 2.5, year
        if model.pai[0.05] > max(allh.pai[0.05], prev.pai[0.05]):
            wins.append(year)
    assert wins == [2010, 2011, 2012, 2013]
