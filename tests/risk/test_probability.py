"""Levels that mean a probability: the models, the counts near a place, the sentence, and
what sites and routes carry."""

from __future__ import annotations

import numpy as np
import pytest

from safecorridor.risk.calibrate import fit_model
from safecorridor.risk.corridor import route_risk
from safecorridor.risk.data import from_columns
from safecorridor.risk.policy import load_policy
from safecorridor.risk.probability import (
    features,
    percent,
    predict,
    predict_all,
    probabilities_of,
    sentence,
)
from safecorridor.risk.scoring import site_risk
from safecorridor.risk.surface import compute_surface, haversine_km

PESHAWAR = (34.01, 71.58)


def test_a_fitted_model_recovers_a_known_law() -> None:
    # outcomes drawn with P = logistic(-3 + 1.2 x1 + 0.5 x2): the fit must give those back
    rng = np.random.default_rng(4)
    counts = rng.poisson(rng.uniform(0, 20, (2, 60_000)))
    x = features(counts.astype(float))
    truth = 1 / (1 + np.exp(-(-3.0 + x @ np.array([1.2, 0.5]))))
    y = rng.random(len(truth)) < truth
    model = fit_model(x, y)
    assert model["coef"] == pytest.approx([1.2, 0.5], abs=0.1)
    grid = np.array([[0, 1, 3, 10, 30], [0, 0, 2, 5, 20]], dtype=float)
    want = 1 / (1 + np.exp(-(-3.0 + features(grid) @ np.array([1.2, 0.5]))))
    assert predict(model, grid) == pytest.approx(want, abs=0.03)


def test_a_model_fitted_on_one_class_gives_its_frequency() -> None:
    x = features(np.zeros((2, 50)))
    model = fit_model(x, np.zeros(50, dtype=bool))
    assert predict(model, np.zeros((2, 3))) == pytest.approx([0.0, 0.0, 0.0])


def test_the_shipped_models_rise_with_the_incidents_nearby() -> None:
    models = load_policy().probability["models"]
    windows = load_policy().probability["windows_days"]
    assert windows == [1096, 365, 90]  # the last three years, year and 90 days
    few = np.array([[1.0], [0.0], [0.0]])
    many = np.array([[200.0], [60.0], [15.0]])
    for name, model in models.items():
        quiet = float(predict(model, np.zeros((3, 1)))[0])
        assert 0.0 <= quiet < float(predict(model, few)[0]) < float(predict(model, many)[0]) <= 1
        assert quiet < 0.05, name  # a place no incident ever reached
    # 90 days is at least as likely as 30, any incident at least as likely as a fatal one
    p = {k: float(predict(m, many)[0]) for k, m in models.items()}
    assert p["any_90"] >= p["any_30"] and p["fatal_90"] >= p["fatal_30"]
    assert p["any_90"] >= p["fatal_90"] - 0.02


def test_levels_are_bands_of_the_probability() -> None:
    pol = load_policy()
    assert pol.level_outcome == "fatal_90"
    assert [str(pol.level_for(p)) for p in (0.0, 0.049, 0.05, 0.2, 0.499, 0.5, 0.8, 1.0)] == [
        "low",
        "low",
        "moderate",
        "high",
        "high",
        "severe",
        "critical",
        "critical",
    ]


def test_the_sentence_says_the_level_and_its_probability() -> None:
    pol = load_policy()
    assert sentence(pol, "severe", 0.62) == (
        "severe: 62% chance of a fatal incident within 25 km in 90 days"
    )
    assert percent(0.001) == "<1%" and percent(0.999) == ">99%" and percent(0.5) == "50%"
    p = probabilities_of(pol, {"any_30": 0.3, "any_90": 0.7, "fatal_30": 0.2, "fatal_90": 0.62})
    assert p.level == "severe" and p.sentence.startswith("severe: 62% chance")


def test_a_figure_shown_beside_a_level_never_lies_in_another_levels_band() -> None:
    """4.8% beside LOW (under 5%) is "4%", not "5%" (which the README calls moderate)."""
    pol = load_policy()
    bands = sorted(float(b) for b in pol.levels["bands"].values() if float(b) > 0)
    for band in bands:
        for p in (band - 0.0049, band - 0.0001, band, band + 0.0049):
            shown = percent(p)
            if shown[0] in "<>":
                continue
            whole = int(shown.rstrip("%"))
            assert (whole < round(100 * band)) == (p < band), (band, p, shown)
        assert (
            probabilities_of(
                pol,
                {"any_30": 0.9, "any_90": 0.95, "fatal_30": band - 0.002, "fatal_90": band - 0.002},
            )
            .sentence.split(":")[1]
            .strip()
            .startswith(f"{round(100 * band) - 1}%")
        )


def _burst(n: int, lat: float, lon: float, start: str = "2019-06-01") -> dict[str, object]:
    days = np.datetime64(start) + np.arange(n).astype("timedelta64[D]") * 7
    return dict(lat=[lat] * n, lon=[lon] * n, date=days, fatalities=[2] * n)


def test_counts_and_probabilities_come_from_incidents_within_the_radius() -> None:
    pol = load_policy()
    near = (PESHAWAR[0] + 0.1, PESHAWAR[1])  # ~11 km north
    far = (PESHAWAR[0] + 0.5, PESHAWAR[1])  # ~55 km north
    a, b = _burst(20, *near), _burst(20, *far)
    inc = from_columns(**{k: np.concatenate([a[k], b[k]]) for k in a})
    surf = compute_surface(inc, as_of="2020-01-01", policy=pol)
    cell = surf.cell_of(*PESHAWAR)
    assert float(haversine_km(*PESHAWAR, *near)) < 25 < float(haversine_km(*PESHAWAR, *far))
    pr = surf.probabilities(cell)
    windows = [str(w) for w in pol.probability["windows_days"]]
    assert pr.counts["any"][windows[0]] == 20  # the near burst only
    assert pr.counts["fatal"]["365"] == 20
    recent = np.asarray(a["date"]) >= np.datetime64("2019-10-03")  # the last 90 days
    assert pr.counts["any"]["90"] == int(recent.sum()) == 2
    quiet = surf.probabilities(surf.cell_of(28.0, 64.0))  # nowhere near
    assert quiet.fatal_90 == pytest.approx(surf.p_zero["fatal_90"])
    assert pr.fatal_90 > quiet.fatal_90
    assert pr.level == str(pol.level_for(pr.fatal_90))
    cells = np.array([cell, surf.cell_of(28.0, 64.0)], dtype=np.int64)
    assert list(surf.level_of_cells(cells)) == [pr.level, quiet.level]


def test_a_site_level_is_its_probability_band_and_posture_moves_only_the_score() -> None:
    pol = load_policy()
    inc = from_columns(**_burst(30, *PESHAWAR, start="2019-03-01"))
    surf = compute_surface(inc, as_of="2020-01-01", policy=pol)
    soft = site_risk(surf, name="a", lat=PESHAWAR[0], lon=PESHAWAR[1], personnel_local=100)
    hard = site_risk(
        surf,
        name="b",
        lat=PESHAWAR[0],
        lon=PESHAWAR[1],
        personnel_local=100,
        perimeter="hardened",
        guard_force="hardened",
        hardening="hardened",
    )
    assert hard.score < soft.score
    assert hard.level == soft.level == soft.probabilities.level
    assert soft.probabilities.fatal_90 == surf.probabilities(surf.cell_of(*PESHAWAR)).fatal_90
    d = soft.to_dict()
    assert d["sentence"] == soft.probabilities.sentence
    assert d["probabilities"]["fatal_90"] == soft.probabilities.fatal_90
    text = soft.explain()
    assert soft.probabilities.sentence in text and "chance of a fatal incident" in text


def test_a_route_is_banded_by_its_riskiest_stretch_and_reports_the_whole_route() -> None:
    pol = load_policy()
    inc = from_columns(**_burst(30, *PESHAWAR, start="2019-03-01"))
    surf = compute_surface(inc, as_of="2020-01-01", policy=pol)
    through = [[PESHAWAR[0], 70.8], [PESHAWAR[0], 72.8]]  # passes the burst
    away = [[31.0, 70.8], [31.0, 72.8]]  # 330 km south
    r1 = route_risk(surf, name="through", points=through)
    r2 = route_risk(surf, name="away", points=away)
    hot = surf.probabilities(surf.cell_of(*PESHAWAR))
    assert r1.probabilities.fatal_90 == pytest.approx(hot.fatal_90, abs=1e-9)
    assert r1.level == hot.level and r1.measures == pol.measures(r1.level)
    assert 55 < r1.worst_km < 130  # the burst is ~73 km from the start
    assert r1.route_probabilities["fatal_90"] >= r1.probabilities.fatal_90
    assert r2.probabilities.fatal_90 == pytest.approx(surf.p_zero["fatal_90"])
    assert r2.route_probabilities["fatal_90"] > r2.probabilities.fatal_90  # many quiet stretches
    assert "riskiest stretch" in r1.sentence and r1.to_dict()["sentence"] == r1.sentence
    assert r1.segments[0].probability == pytest.approx(hot.fatal_90)
    assert "anywhere along the route" in r1.explain()


def test_the_geojson_carries_level_and_probabilities_of_each_cell() -> None:
    pol = load_policy()
    inc = from_columns(**_burst(10, *PESHAWAR))
    surf = compute_surface(inc, as_of="2020-01-01", policy=pol)
    geo = surf.to_geojson()
    props = geo["features"][0]["properties"]
    for key in ("threat", "corridor", "level", "any_30", "any_90", "fatal_30", "fatal_90"):
        assert key in props
    assert props["level"] == str(pol.level_for(props["fatal_90"]))
    summary = geo["properties"]
    assert summary["policy_sha256"] == pol.sha256
    assert "chance of a fatal incident within 25 km in 90 days" in summary["highest"]["sentence"]
    assert sum(summary["levels"]["cells_within_reach"].values()) == len(surf.prob_cells)


def test_the_chances_are_coherent_a_fatal_one_never_above_any_nor_30_days_above_90() -> None:
    policy = load_policy()
    rng = np.random.default_rng(7)
    n_windows = len(policy.probability["models"]["any_30"]["coef"])
    # a few incidents, many, none, and many incidents none of them fatal
    any_counts = rng.poisson(rng.uniform(0, 8, (n_windows, 400))).astype(float)
    fatal_counts = np.minimum(any_counts, rng.poisson(1.0, (n_windows, 400)))
    fatal_counts[:, :50] = 0
    p = predict_all(policy, {"any": any_counts, "fatal": fatal_counts})
    for h in (30, 90):
        assert np.all(p[f"fatal_{h}"] <= p[f"any_{h}"])
    for e in ("any", "fatal"):
        assert np.all(p[f"{e}_30"] <= p[f"{e}_90"])
