"""Backtest: fit on incidents before a cut-off, score every unit, compare with what happened.

Units are H3 cells of the study region or districts (``adm_2``). Metrics, for the model and
for the baselines (counts in the previous period, counts over all earlier history, uniform):

* hit rate at a fraction of the area: share of test incidents in the top-scored units
  covering that fraction (ties are split pro rata, i.e. the expectation under random
  tie-breaking, so a constant score gets exactly the area fraction);
* PAI = hit rate / area fraction;
* AUC = area under the hit-rate curve over the area fraction (0.5 for uniform).

Parameters (half-lives, bandwidth, fatality weight, district smoothing) are chosen by a small
grid search on a validation period just before the test period, never on the test period.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import h3
import numpy as np

from safecorridor.risk.data import DateLike, IncidentArrays, latlng_to_cells, to_day
from safecorridor.risk.policy import Policy
from safecorridor.risk.surface import (
    KernelGrid,
    compute_surface,
    decay,
    haversine_km,
    kernel,
    severity,
)

FRACTIONS = (0.01, 0.05, 0.10)
BASELINES = ("all-history counts", "previous-period counts", "uniform")

# The validation grid (kept small on purpose).
BANDWIDTHS_H3 = (3.0, 6.0, 12.0, 24.0)
BANDWIDTHS_DISTRICT = (15.0, 30.0, 60.0)
SMOOTHING_DISTRICT = (0.0, 0.3, 0.6)
SHORT_HALF_LIVES = (90.0, 180.0, 365.0)
LONG_HALF_LIVES = (1825.0, 3650.0, 36500.0)
SHORT_SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)  # share of the decayed mass from the short component
FATALITY_WEIGHTS = (0.0, 0.5)


# --- metrics ---------------------------------------------------------------------------------
def hit_curve(
    scores: np.ndarray, hits: np.ndarray, area: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative (area fraction, hit fraction) at the end of each group of tied scores."""
    scores = np.asarray(scores, dtype=np.float64)
    hits = np.asarray(hits, dtype=np.float64)
    area = np.ones_like(scores) if area is None else np.asarray(area, dtype=np.float64)
    levels, inverse = np.unique(-scores, return_inverse=True)  # descending scores
    g_area = np.bincount(inverse, weights=area, minlength=len(levels))
    g_hits = np.bincount(inverse, weights=hits, minlength=len(levels))
    a = np.concatenate([[0.0], np.cumsum(g_area)]) / max(area.sum(), 1e-300)
    h = np.concatenate([[0.0], np.cumsum(g_hits)]) / max(hits.sum(), 1e-300)
    return a, h


def hit_rate_at(
    scores: np.ndarray, hits: np.ndarray, fraction: float, area: np.ndarray | None = None
) -> float:
    a, h = hit_curve(scores, hits, area)
    return float(np.interp(fraction, a, h))


def auc(scores: np.ndarray, hits: np.ndarray, area: np.ndarray | None = None) -> float:
    a, h = hit_curve(scores, hits, area)
    return float(np.sum((a[1:] - a[:-1]) * (h[1:] + h[:-1]) / 2.0))


@dataclass
class Metrics:
    method: str
    hit: dict[float, float]
    pai: dict[float, float]
    auc: float
    params: str = ""


def evaluate(method: str, scores: np.ndarray, hits: np.ndarray, params: str = "") -> Metrics:
    a, h = hit_curve(scores, hits)
    hit = {f: float(np.interp(f, a, h)) for f in FRACTIONS}
    area_under = float(np.sum((a[1:] - a[:-1]) * (h[1:] + h[:-1]) / 2.0))
    return Metrics(method, hit, {f: hit[f] / f for f in FRACTIONS}, area_under, params)


def objective(m: Metrics) -> float:
    """What the validation search maximises: AUC plus PAI@5% scaled to [0, 1]."""
    return m.auc + m.pai[0.05] * 0.05


# --- study units -----------------------------------------------------------------------------
def convex_hull(lat: np.ndarray, lon: np.ndarray) -> list[tuple[float, float]]:
    """Convex hull (monotone chain) of the points, as (lat, lon) counter-clockwise."""
    pts = sorted(set(zip(lon.tolist(), lat.tolist(), strict=True)))
    if len(pts) < 3:
        return [(y, x) for x, y in pts]

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return [(y, x) for x, y in lower[:-1] + upper[:-1]]


def study_cells(incidents: IncidentArrays, resolution: int) -> np.ndarray:
    """The study region: every cell of the convex hull of all the incidents, plus their cells."""
    hull = convex_hull(incidents.lat, incidents.lon)
    inside = h3.polygon_to_cells(h3.LatLngPoly(hull), resolution) if len(hull) >= 3 else []
    cells = np.array([h3.str_to_int(c) for c in inside], dtype=np.int64)
    return np.unique(
        np.concatenate([cells, latlng_to_cells(incidents.lat, incidents.lon, resolution)])
    )


def _decay_grid() -> list[list[tuple[float, float]]]:
    """Two-component decays; a component's weight is its share of mass / its half-life."""
    out: list[list[tuple[float, float]]] = []
    for short, long_, share in itertools.product(SHORT_HALF_LIVES, LONG_HALF_LIVES, SHORT_SHARES):
        comps = ([(long_, (1.0 - share) / long_)] if share < 1 else []) + (
            [(short, share / short)] if share > 0 else []
        )
        total = sum(w for _, w in comps)
        comps = [(h, w / total) for h, w in comps]
        if comps not in out:
            out.append(comps)
    return out


def _describe(comps: list[tuple[float, float]], extra: dict[str, Any]) -> str:
    total = sum(w * h for h, w in comps)
    dec = " + ".join(f"{w * h / total:.2f}×hl{h:.0f}d" for h, w in comps)
    return dec + "".join(f", {k} {v}" for k, v in extra.items())


class H3Backtest:
    """Backtests on the H3 surface of ``policy.resolution`` over the study region."""

    level = "h3"

    def __init__(self, incidents: IncidentArrays, policy: Policy) -> None:
        self.incidents = incidents
        self.policy = policy
        res = policy.resolution
        self.units = study_cells(incidents, res)
        self.inc_cells = latlng_to_cells(incidents.lat, incidents.lon, res)
        self.inc_unit = np.searchsorted(self.units, self.inc_cells)
        radius = max(max(BANDWIDTHS_H3), policy.bandwidth_km) * float(
            policy.data["kernel"]["truncate"]
        )
        self.grid = KernelGrid.build(self.inc_cells, res, radius)

    def counts(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.inc_unit[mask], minlength=len(self.units)).astype(np.float64)

    def model_scores(self, policy: Policy, as_of: np.datetime64) -> np.ndarray:
        surf = compute_surface(
            self.incidents, as_of=as_of, policy=policy, grid=self.grid, src_cells=self.inc_cells
        )
        return surf.values_at_cells(self.units)

    def candidates(self) -> list[tuple[Policy, str]]:
        out = []
        for comps, bw, fw in itertools.product(_decay_grid(), BANDWIDTHS_H3, FATALITY_WEIGHTS):
            pol = self.policy.with_overrides(
                decay_half_lives=comps,
                **{"kernel.bandwidth_km": bw, "severity.fatality_weight": fw},
            )
            out.append((pol, _describe(comps, {"bandwidth km": bw, "fatality w": fw})))
        return out

    def score(self, candidate: Policy, as_of: np.datetime64) -> np.ndarray:
        return self.model_scores(candidate, as_of)


@dataclass
class _DistrictModel:
    policy: Policy
    alpha: float


class DistrictBacktest:
    """Backtests per district (``adm_2``); every district in the data is one unit of area.

    A district's model score is sum_i w_i [(1 - a) 1(i in district) + a K_h(d(x_i, centre))],
    w_i = severity x decay; the centre is the mean location of the district's incidents in
    the file (geography, not outcomes: the data carry no district polygons).
    """

    level = "district"

    def __init__(self, incidents: IncidentArrays, policy: Policy) -> None:
        self.incidents = incidents
        self.policy = policy
        named = incidents.adm2 != ""
        self.units, inverse = np.unique(incidents.adm2[named].astype(str), return_inverse=True)
        self.inc_unit = np.full(len(incidents), -1, dtype=np.int64)
        self.inc_unit[named] = inverse.reshape(-1)
        n_units = len(self.units)
        cnt = np.bincount(inverse, minlength=n_units)
        self.c_lat = np.bincount(inverse, weights=incidents.lat[named], minlength=n_units) / cnt
        self.c_lon = np.bincount(inverse, weights=incidents.lon[named], minlength=n_units) / cnt
        self.dist = haversine_km(
            incidents.lat[:, None], incidents.lon[:, None], self.c_lat[None, :], self.c_lon[None, :]
        )
        self.onehot = np.zeros((len(incidents), n_units))
        self.onehot[np.flatnonzero(named), inverse] = 1.0

    def counts(self, mask: np.ndarray) -> np.ndarray:
        sel = mask & (self.inc_unit >= 0)
        return np.bincount(self.inc_unit[sel], minlength=len(self.units)).astype(np.float64)

    def candidates(self) -> list[tuple[_DistrictModel, str]]:
        out = []
        for comps, bw, alpha, fw in itertools.product(
            _decay_grid(), BANDWIDTHS_DISTRICT, SMOOTHING_DISTRICT, FATALITY_WEIGHTS
        ):
            if alpha == 0.0 and bw != BANDWIDTHS_DISTRICT[0]:
                continue
            pol = self.policy.with_overrides(
                decay_half_lives=comps,
                **{"kernel.bandwidth_km": bw, "severity.fatality_weight": fw},
            )
            extra = {"smoothing": alpha, "bandwidth km": bw, "fatality w": fw}
            out.append((_DistrictModel(pol, alpha), _describe(comps, extra)))
        return out

    def score(self, candidate: _DistrictModel, as_of: np.datetime64) -> np.ndarray:
        pol = candidate.policy
        known = self.incidents.known_at(as_of)
        inc = self.incidents.select(known)
        comps = [(c.half_life_days, c.weight) for c in pol.decay_components]
        w = severity(inc, pol) * decay(inc.date, as_of, comps)
        own = w @ self.onehot[known]
        if candidate.alpha == 0.0:
            return np.asarray(own)
        k = kernel(self.dist[known], pol.bandwidth_km, float(pol.data["kernel"]["truncate"]))
        return np.asarray((1 - candidate.alpha) * own + candidate.alpha * (w @ k))


@dataclass
class WindowResult:
    """Metrics of every method on one test window."""

    level: str
    train_until: str
    test_until: str
    validation: str
    n_test: int
    n_units: int
    chosen: str
    metrics: list[Metrics] = field(default_factory=list)

    def by_method(self) -> dict[str, Metrics]:
        return {m.method: m for m in self.metrics}


def _days(a: np.datetime64, b: np.datetime64) -> np.timedelta64:
    return np.timedelta64(int((b - a).astype(int)), "D")


def run_window(
    bt: H3Backtest | DistrictBacktest,
    *,
    train_until: DateLike,
    test_until: DateLike,
    validate: bool = True,
    validation_windows: int = 3,
) -> WindowResult:
    """One backtest window: tune on the periods before ``train_until``, test after it.

    The validation uses ``validation_windows`` periods of the test's length just before
    ``train_until``, each scored from the incidents before it; the mean objective decides.
    """
    inc = bt.incidents
    t0, t1 = to_day(train_until), to_day(test_until)
    span = _days(t0, t1)
    test_mask = inc.between(t0, t1)
    test_hits = bt.counts(test_mask)
    candidates: list[Any] = bt.candidates()
    chosen: Any = candidates[0][0]
    label: str = candidates[0][1]
    validation = ""
    if validate and len(candidates) > 1:
        starts = [t0 - span * (i + 1) for i in range(validation_windows)]
        windows = [(v0, bt.counts(inc.between(v0, v0 + span))) for v0 in starts]
        windows = [(v0, hits) for v0, hits in windows if hits.sum() > 0]
        if windows:
            validation = f"{windows[-1][0]}..{t0 - np.timedelta64(1, 'D')}"
            best = -np.inf
            for cand, desc in candidates:
                value = float(
                    np.mean([objective(evaluate("m", bt.score(cand, v0), h)) for v0, h in windows])
                )
                if value > best:
                    best, chosen, label = value, cand, desc
    if not validate:
        chosen, label = (
            (bt.policy, "policy as given")
            if isinstance(bt, H3Backtest)
            else (_DistrictModel(bt.policy, 0.3), "policy as given, smoothing 0.3")
        )
    result = WindowResult(
        level=bt.level,
        train_until=str(t0),
        test_until=str(t1),
        validation=validation,
        n_test=int(test_hits.sum()),
        n_units=len(test_hits),
        chosen=label,
    )
    result.metrics.append(evaluate("model", bt.score(chosen, t0), test_hits, label))
    result.metrics.append(evaluate("all-history counts", bt.counts(inc.date < t0), test_hits))
    result.metrics.append(
        evaluate("previous-period counts", bt.counts(inc.between(t0 - span, t0)), test_hits)
    )
    result.metrics.append(evaluate("uniform", np.ones(len(test_hits)), test_hits))
    return result


def markdown_table(results: list[WindowResult]) -> str:
    """One row per (window, method)."""
    head = (
        "| level | test period | method | n test | hit@1% | hit@5% | hit@10% | PAI@1% | PAI@5% "
        "| PAI@10% | AUC |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    rows = [head]
    for r in results:
        for m in r.metrics:
            rows.append(
                f"| {r.level} | {r.train_until}..{r.test_until} | {m.method} | {r.n_test} | "
                + " | ".join(f"{m.hit[f]:.3f}" for f in FRACTIONS)
                + " | "
                + " | ".join(f"{m.pai[f]:.2f}" for f in FRACTIONS)
                + f" | {m.auc:.3f} |"
            )
    return "\n".join(rows)


def summary_table(results: list[WindowResult]) -> str:
    """Model vs the two count baselines on PAI@5% and AUC, and whether the model beats both."""
    rows = [
        "| level | test period | PAI@5% model | all-hist | prev | AUC model | all-hist | prev "
        "| beats both | chosen on validation |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        m = r.by_method()
        mod, allh, prev = m["model"], m["all-history counts"], m["previous-period counts"]
        beats = mod.pai[0.05] > max(allh.pai[0.05], prev.pai[0.05]) and mod.auc > max(
            allh.auc, prev.auc
        )
        y0, y1 = int(r.train_until[:4]), int(r.test_until[:4]) - 1
        period = str(y0) if y0 == y1 else f"{y0}-{y1}"
        rows.append(
            f"| {r.level} | {period} | {mod.pai[0.05]:.2f} | {allh.pai[0.05]:.2f}"
            f" | {prev.pai[0.05]:.2f} | {mod.auc:.3f} | {allh.auc:.3f} | {prev.auc:.3f}"
            f" | {'yes' if beats else 'NO'} | {mod.params} |"
        )
    return "\n".join(rows)
