"""Calibration: fitted on the past only, described, reproducible, and calibrated on a process
whose law does not change."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from safecorridor.risk.backtest import (
    H3Backtest,
    OutcomeLabels,
    RankCandidate,
    calibration_metrics,
    rank_candidates,
)
from safecorridor.risk.calibrate import (
    CalibrationError,
    CalibrationResult,
    calibrate,
    content_sha256,
    describe_data,
)
from safecorridor.risk.data import IncidentArrays, read_ucdp_csv
from safecorridor.risk.policy import dump_policy, load_policy, parse_policy_text
from safecorridor.risk.surface import compute_surface
from tests.conftest import UCDP_CSV
from tests.risk.synthetic import hotspots

CUT = date(2015, 1, 1)


@pytest.fixture(scope="module")
def history() -> IncidentArrays:
    return hotspots()


@pytest.fixture(scope="module")
def fitted(history: IncidentArrays) -> CalibrationResult:
    return calibrate(
        history,
        base=load_policy(),
        train_until=CUT,
        dataset="synthetic",
        source="tests",
        command="safecorridor risk calibrate --source synthetic --train-until 2015-01-01",
    )


def test_the_policy_records_the_data_and_the_command(
    history: IncidentArrays, fitted: CalibrationResult
) -> None:
    inc = history
    pol = fitted.policy
    before = inc.select(inc.date < np.datetime64(CUT))
    cal = pol.data["calibration"]
    assert pol.version == "calibrated-synthetic-2015-01-01"
    assert cal["train_until"] == "2015-01-01"
    assert cal["command"].startswith("safecorridor risk calibrate")
    assert cal["data"]["incidents"] == len(before) < len(inc)
    assert cal["data"]["last_date"] < "2015-01-01"
    assert cal["data"]["sha256"] == content_sha256(before)
    # every validation period ends by the cut-off
    periods = cal["surface"]["periods"]
    assert len(periods) == 12 and all(p["until"] <= "2015-01-01" for p in periods)
    assert cal["surface"]["chosen"] in [c.to_dict() for c in rank_candidates()]
    # the written file reads back to the same policy
    assert parse_policy_text(dump_policy(pol.data)).sha256 == pol.sha256


def test_incidents_from_the_cut_off_on_are_never_read(
    history: IncidentArrays, fitted: CalibrationResult
) -> None:
    inc = history
    later = inc.date >= np.datetime64(CUT)
    moved = inc.select(np.ones(len(inc), dtype=bool))
    moved.lat = np.where(later, moved.lat + 0.7, moved.lat)  # elsewhere, and deadlier
    moved.fatalities = np.where(later, 50.0, moved.fatalities)
    again = calibrate(
        moved,
        base=load_policy(),
        train_until=CUT,
        dataset="synthetic",
        source="tests",
        command=fitted.policy.data["calibration"]["command"],
    )
    assert again.policy.sha256 == fitted.policy.sha256


def test_probabilities_hold_on_the_next_period_of_a_steady_process(
    history: IncidentArrays, fitted: CalibrationResult
) -> None:
    inc = history
    pol = fitted.policy
    bt = H3Backtest(inc, pol, area="hull")
    labels = OutcomeLabels(inc, bt.units, pol.resolution, pol.probability_radius_km)
    p, y = [], []
    for start in ("2015-01-01", "2015-04-01", "2015-07-01", "2015-10-01"):
        surf = compute_surface(inc, as_of=start, policy=pol)
        p.append(surf.probabilities_at_cells(bt.units)["fatal_90"])
        y.append(labels(start, 90, fatal=True))
    cm = calibration_metrics(
        "fatal_90",
        np.concatenate(p),
        np.concatenate(y),
        base_rate=float(np.concatenate(y).mean()),
        bands=pol.levels["bands"],
    )
    assert cm.brier < 0.75 * cm.brier_base  # far better than the (even hindsight) base rate
    assert cm.worst_gap(min_n=200) < 0.10  # the shipped UCDP models here: 0.41


def test_the_fast_scorer_ranks_as_the_served_surface(history: IncidentArrays) -> None:
    inc = history
    pol = load_policy()
    bt = H3Backtest(inc, pol)
    cand = RankCandidate(0.5, 3650.0, 2.0, 2.0, 90.0, 3.0)
    day = np.datetime64("2014-06-01")
    fast = bt.score(cand, day)
    served = compute_surface(inc, as_of=day, policy=cand.apply(pol)).values_at_cells(bt.units)
    assert fast == pytest.approx(served * (1 + cand.recent_ratio), rel=1e-9, abs=1e-12)


def test_too_little_history_is_refused(history: IncidentArrays) -> None:
    with pytest.raises(CalibrationError, match="calibration needs"):
        calibrate(
            history,
            base=load_policy(),
            train_until=date(2008, 1, 10),
            dataset="synthetic",
            source="tests",
            command="x",
        )


def test_the_shipped_default_was_fitted_on_ucdp_1989_2016_only() -> None:
    pol = load_policy()
    cal = pol.data["calibration"]
    incidents = read_ucdp_csv(UCDP_CSV)
    assert cal["train_until"] == "2017-01-01"
    assert cal["command"] == (
        "safecorridor risk calibrate --data ucdp-pakistan --train-until 2017-01-01"
        " --policy default_policy.yaml --version default-2026.12"
    )
    described = describe_data(incidents, dataset="ucdp-pakistan", source="")
    assert cal["data"]["sha256"] == described.sha256  # the whole shipped file: 1989-2016
    assert cal["data"]["incidents"] == len(incidents) == 5730
    assert "2016" <= cal["data"]["last_date"] < "2017"


@pytest.mark.slow
def test_calibrating_the_shipped_data_again_gives_the_shipped_default() -> None:
    pol = load_policy()
    again = calibrate(
        read_ucdp_csv(UCDP_CSV),
        base=pol,
        train_until=date(2017, 1, 1),
        dataset="ucdp-pakistan",
        source=pol.data["calibration"]["data"]["source"],
        command=pol.data["calibration"]["command"],
        version=pol.version,
    ).policy
    assert again.data["decay"] == pol.data["decay"]
    assert again.data["severity"] == pol.data["severity"]
    for name, model in pol.probability["models"].items():
        mine = again.probability["models"][name]
        assert mine["coef"] == pytest.approx(model["coef"], abs=1e-3)
        assert mine["iso_y"] == pytest.approx(model["iso_y"], abs=1e-3)
