"""The maths of the risk engine on small hand-made cases."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

from safecorridor.risk.backtest import auc, evaluate, hit_rate_at
from safecorridor.risk.corridor import route_risk, sample_polyline
from safecorridor.risk.data import from_columns
from safecorridor.risk.policy import Policy, PolicyError, band, load_policy, policy_from_dict
from safecorridor.risk.scoring import site_risk
from safecorridor.risk.surface import compute_surface, decay, haversine_km, kernel

DASU = (35.29, 73.29)


def one_component(bandwidth_km: float = 6.0, **over: object) -> Policy:
    """The shipped policy with one memory (half-life 100 days) spread over ``bandwidth_km``."""
    return load_policy().with_overrides(decay_half_lives=[(100.0, 1.0, bandwidth_km)], **over)


def test_decay_halves_at_the_half_life() -> None:
    dates = np.array(["2020-01-01", "2019-09-23", "2019-06-15"], dtype="datetime64[D]")
    d = decay(dates, "2020-01-01", [(100.0, 1.0)])
    assert d[0] == pytest.approx(1.0)
    assert d[1] == pytest.approx(0.5)
    assert d[2] == pytest.approx(0.25)


def test_the_kernel_falls_with_distance_and_stops_at_the_truncation() -> None:
    k = kernel(np.array([0.0, 5.0, 10.0, 20.0, 31.0]), 10.0, 3.0)
    assert k[0] == 1.0
    assert np.all(np.diff(k) < 0)
    assert k[-1] == 0.0


def test_a_cell_gets_less_threat_further_from_an_incident() -> None:
    pol = one_component(bandwidth_km=6.0)
    inc = from_columns(lat=[DASU[0]], lon=[DASU[1]], date=["2020-01-01"])
    surf = compute_surface(inc, as_of="2020-02-01", policy=pol)
    near = surf.value_at(*DASU)
    east = [surf.value_at(DASU[0], DASU[1] + dx) for dx in (0.05, 0.1, 0.2)]
    assert near > east[0] > east[1] > east[2] >= 0.0
    assert surf.value_at(DASU[0], DASU[1] + 2.0) == 0.0


def test_the_surface_is_the_sum_of_the_explained_contributions() -> None:
    rng = np.random.default_rng(1)
    n = 300
    inc = from_columns(
        lat=DASU[0] + rng.normal(0, 0.2, n),
        lon=DASU[1] + rng.normal(0, 0.2, n),
        date=np.datetime64("2019-01-01") + rng.integers(0, 700, n).astype("timedelta64[D]"),
        fatalities=rng.integers(0, 20, n),
    )
    two = load_policy().with_overrides(decay_half_lives=[(3650.0, 0.6, 2.0), (90.0, 0.4, 6.0)])
    surf = compute_surface(inc, as_of="2021-01-01", policy=two)
    assert len(surf.cells) > 50
    for cell in surf.cells[:: max(1, len(surf.cells) // 20)]:
        _, contrib = surf.contributions(int(cell))
        assert contrib.sum() == pytest.approx(surf.value_at_cell(int(cell)))


def test_severity_counts_fatalities_with_a_fatality_weight() -> None:
    pol = load_policy().with_overrides(**{"severity.fatality_weight": 0.5})
    base = dict(lat=[DASU[0]], lon=[DASU[1]], date=["2020-01-01"])
    plain = compute_surface(from_columns(**base), as_of="2020-01-02", policy=pol)
    deadly = compute_surface(from_columns(**base, fatalities=[10]), as_of="2020-01-02", policy=pol)
    assert deadly.value_at(*DASU) > plain.value_at(*DASU)


def test_targeting_the_corridor_feeds_its_own_layer_not_the_surface() -> None:
    pol = load_policy()
    base = dict(lat=[DASU[0]], lon=[DASU[1]], date=["2020-01-01"])
    plain = compute_surface(from_columns(**base), as_of="2020-01-02", policy=pol)
    foreign = compute_surface(
        from_columns(**base, foreign_target=[True]), as_of="2020-01-02", policy=pol
    )
    both = compute_surface(
        from_columns(**base, foreign_target=[True], corridor_target=[True]),
        as_of="2020-01-02",
        policy=pol,
    )
    cell = np.array([plain.cell_of(*DASU)], dtype=np.int64)
    # the general surface is the same: the weighting lives in the corridor layer
    assert foreign.value_at(*DASU) == pytest.approx(plain.value_at(*DASU))
    assert plain.corridor_at_cells(cell)[0] == 0.0
    # foreign_target 2.0: the layer adds (2 - 1) x the incident's weight; both: (2 x 2 - 1)
    assert foreign.corridor_at_cells(cell)[0] == pytest.approx(plain.value_at(*DASU))
    assert both.corridor_at_cells(cell)[0] == pytest.approx(3 * plain.value_at(*DASU))
    _, contrib = both.contributions(int(cell[0]), layer="corridor")
    assert contrib.sum() == pytest.approx(both.corridor_at_cells(cell)[0])


def test_as_of_excludes_later_incidents() -> None:
    pol = load_policy()
    inc = from_columns(
        lat=[DASU[0], DASU[0]], lon=[DASU[1], DASU[1]], date=["2020-01-01", "2020-06-01"]
    )
    before = compute_surface(inc, as_of="2020-06-01", policy=pol)  # the second is not before
    after = compute_surface(inc, as_of="2020-06-02", policy=pol)
    assert len(before.incidents) == 1
    assert len(after.incidents) == 2
    assert after.value_at(*DASU) > before.value_at(*DASU)


def test_as_of_excludes_incidents_recorded_later() -> None:
    inc = from_columns(
        lat=[DASU[0]],
        lon=[DASU[1]],
        date=["2020-01-01"],
        created=np.array(["2020-03-01T10:00:00"], dtype="datetime64[s]"),
    )
    assert inc.known_at("2020-02-01")[0]
    assert not inc.known_at("2020-02-01", as_recorded=True)[0]
    assert inc.known_at("2020-03-01", as_recorded=True)[0]


def test_a_site_with_more_people_scores_higher() -> None:
    inc = from_columns(lat=[DASU[0]], lon=[DASU[1]], date=["2020-01-01"])
    surf = compute_surface(inc, as_of="2020-02-01", policy=load_policy())
    few = site_risk(surf, name="a", lat=DASU[0], lon=DASU[1], personnel_local=10)
    many = site_risk(surf, name="b", lat=DASU[0], lon=DASU[1], personnel_local=1000)
    foreign = site_risk(surf, name="c", lat=DASU[0], lon=DASU[1], personnel_foreign=1000)
    assert few.score < many.score < foreign.score
    assert many.threat == few.threat
    assert many.top_incidents[0].share == pytest.approx(1.0)
    assert many.policy_sha256 == surf.policy.sha256


def test_a_hardened_site_scores_lower() -> None:
    inc = from_columns(lat=[DASU[0]], lon=[DASU[1]], date=["2020-01-01"])
    surf = compute_surface(inc, as_of="2020-02-01", policy=load_policy())
    soft = site_risk(surf, name="a", lat=DASU[0], lon=DASU[1], personnel_local=100)
    hard = site_risk(
        surf,
        name="b",
        lat=DASU[0],
        lon=DASU[1],
        personnel_local=100,
        perimeter="hardened",
        guard_force="hardened",
        hardening="hardened",
    )
    assert hard.score < soft.score
    assert "top contributing incidents" in soft.explain()


def test_a_route_through_a_hot_cell_is_riskier_than_one_around_it() -> None:
    hot = (34.0, 72.0)
    inc = from_columns(lat=[hot[0]] * 20, lon=[hot[1]] * 20, date=["2020-01-01"] * 20)
    surf = compute_surface(inc, as_of="2020-02-01", policy=one_component(6.0))
    through = [[34.0, 71.5], [34.0, 72.5]]
    around = [[34.0, 71.5], [34.6, 71.5], [34.6, 72.5], [34.0, 72.5]]
    r1 = route_risk(surf, name="through", points=through)
    r2 = route_risk(surf, name="around", points=around)
    assert r1.max_threat > r2.max_threat
    assert r1.mean_threat > r2.mean_threat
    assert r1.segments and r1.segments[0].start_km <= 46 <= r1.segments[0].end_km + 1
    assert r1.measures["escort_vehicles"] >= r2.measures["escort_vehicles"]


def test_polyline_sampling_keeps_the_length() -> None:
    pts = [[34.0, 71.5], [34.6, 71.5], [34.6, 72.5]]
    _, _, length, km = sample_polyline(pts, 1.0)
    true = haversine_km(34.0, 71.5, 34.6, 71.5) + haversine_km(34.6, 71.5, 34.6, 72.5)
    assert length.sum() == pytest.approx(float(true))
    assert np.all(np.diff(km) > 0)


def test_banding_uses_the_policy_thresholds() -> None:
    th = {"low": 0, "moderate": 1, "high": 2, "severe": 3, "critical": 4}
    assert [band(x, th) for x in (0.5, 1.0, 2.5, 3.9, 10)] == [
        "low",
        "moderate",
        "high",
        "severe",
        "critical",
    ]


def test_a_policy_file_can_be_copied_and_edited(tmp_path: Path) -> None:
    from safecorridor.risk.policy import default_policy_text

    default = load_policy()
    path = tmp_path / "mine.yaml"
    text = default_policy_text()
    assert "radius_km: 25.0" in text and "critical: 0.8" in text
    path.write_text(text.replace("radius_km: 25.0", "radius_km: 30.0"))
    mine = load_policy(path)
    assert mine.probability_radius_km == 30.0
    assert mine.sha256 != default.sha256
    path.write_text(text.replace("critical: 0.8", "critical: 0.1"))
    with pytest.raises(PolicyError, match=r"levels\.bands must rise"):
        load_policy(path)
    path.write_text(text.replace("windows_days: [1096, 365, 90]", "windows_days: [365]"))
    with pytest.raises(PolicyError, match="coef needs 1 numbers"):
        load_policy(path)


def test_a_toml_policy_loads(tmp_path: Path) -> None:
    # the policy without its calibration record (nested lists of tables, beyond this emitter)
    data = {k: v for k, v in load_policy().data.items() if k != "calibration"}
    lines = []

    def emit(prefix: str, node: dict[str, object]) -> None:
        scalars = {k: v for k, v in node.items() if not isinstance(v, dict)}
        if prefix:
            lines.append(f"[{prefix}]")
        for k, v in scalars.items():
            if isinstance(v, list) and v and isinstance(v[0], dict):
                items = ", ".join(
                    "{" + ", ".join(f"{a} = {b}" for a, b in x.items()) + "}" for x in v
                )
                lines.append(f'"{k}" = [{items}]')
            elif isinstance(v, list):
                lines.append(f'"{k}" = [{", ".join(repr(x) for x in v)}]')
            elif isinstance(v, bool):
                lines.append(f'"{k}" = {"true" if v else "false"}')
            elif isinstance(v, str):
                lines.append(f'"{k}" = "{v}"')
            else:
                lines.append(f'"{k}" = {v}')
        for k, v in node.items():
            if isinstance(v, dict):
                emit(f'{prefix}."{k}"' if prefix else f'"{k}"', v)

    emit("", data)
    path = tmp_path / "p.toml"
    path.write_text("\n".join(lines))
    assert load_policy(path).sha256 == policy_from_dict(copy.deepcopy(data)).sha256


def test_metrics_give_uniform_its_expected_values() -> None:
    hits = np.array([5, 0, 0, 1, 0, 0, 0, 0, 0, 4], dtype=float)
    flat = np.ones(10)
    assert hit_rate_at(flat, hits, 0.1) == pytest.approx(0.1)
    assert auc(flat, hits) == pytest.approx(0.5)
    perfect = hits.copy()
    m = evaluate("perfect", perfect, hits)
    assert m.hit[0.1] == pytest.approx(0.5)
    assert m.pai[0.1] == pytest.approx(5.0)
    assert m.auc == pytest.approx(0.89)
