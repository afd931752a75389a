"""Backtest: fit on incidents before a cut-off, score every unit, compare with what happened.

Units are H3 cells of the study region or districts (``adm_2``). Metrics, for the model and
for the baselines (counts in the previous period, counts over all earlier history, uniform):

* hit rate at a fraction of the area: share of test incidents in the top-scored units
  covering that fraction (ties are split pro rata, i.e. the expectation under random
  tie-breaking, so a constant score gets exactly the area fraction);
* PAI = hit rate / area fraction;
* AUC = area under the hit-rate curve over the area fraction (0.5 for uniform).

Parameters are chosen by a grid search on validation periods that end by the start of the test
period, never on the test period: for H3 (half-lives, bandwidth, fatality weight) on the three
periods before it; for districts (``DistrictModel``: recent window, long memory, neighbours,
weighting, linear or rank mixture) on nine periods with rolling origins a quarter apart, with
the target itself (the smaller margin over the two count baselines) as the objective.
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
    LN2,
    KernelGrid,
    compute_surface,
    decay,
    haversine_km,
    severity,
)

FRACTIONS = (0.01, 0.05, 0.10)
BASELINES = ("all-history counts", "previous-period counts", "uniform")

# The validation grid (kept small on purpose).
BANDWIDTHS_H3 = (3.0, 6.0, 12.0, 24.0)
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
    """What the H3 validation search maximises: AUC plus PAI@5% scaled to [0, 1]."""
    return m.auc + m.pai[0.05] * 0.05


# Scale of the two margins in ``margin_objective``: 0.02 AUC weighs as much as 1 PAI@5%.
AUC_MARGIN_SCALE = 0.02
PAI_MARGIN_SCALE = 1.0


def margin_objective(m: Metrics, baselines: list[Metrics]) -> float:
    """What the district validation search maximises: the target itself, i.e. the smaller of
    the two margins (PAI@5% and AUC) over the best count baseline, each on its scale."""
    pai = m.pai[0.05] - max(b.pai[0.05] for b in baselines)
    area = m.auc - max(b.auc for b in baselines)
    return min(pai / PAI_MARGIN_SCALE, area / AUC_MARGIN_SCALE)


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
    validation_windows = 3
    validation_step_days: int | None = None  # back-to-back periods

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


# --- districts -------------------------------------------------------------------------------
# Components of the district model: a recent window, a long memory, neighbours' recent activity.
# "box<d>" = sum over the last d days (box<span> is the previous-period count exactly when
# severity is a plain count); "hl<h>" = exponential decay with half-life h days; "all" = every
# earlier incident (the all-history count); "policy" = the policy's own decay components.
RECENT_DISTRICT = ("boxspan", "box182", "hl30", "hl60", "hl120", "hl240")
LONG_DISTRICT = ("all", "hl1825")
LONG_SHARES_DISTRICT = (0.0, 0.02, 0.1, 0.25, 0.5)
SPATIAL_SHARES_DISTRICT = (0.0, 0.05, 0.15, 0.3)
BANDWIDTHS_DISTRICT = (30.0, 60.0)
FATALITY_WEIGHTS_DISTRICT: tuple[float | None, ...] = (None, 0.5)  # None: plain counts
COMBINE_DISTRICT = ("linear", "rank")


def average_rank(x: np.ndarray) -> np.ndarray:
    """Ranks in [0, 1] (0 = lowest), ties sharing their average rank."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) < 2:
        return np.zeros_like(x)
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    mean_rank = starts + (counts - 1) / 2.0
    return np.asarray(mean_rank[inverse.reshape(-1)] / (len(x) - 1), dtype=np.float64)


@dataclass(frozen=True)
class DistrictModel:
    """score = (1 - l - s) T(recent) + l T(long) + s T(K recent), T = share of total or rank.

    ``K`` spreads each district's recent activity to the other districts with a Gaussian of
    the distance between district centres (its diagonal is zero). With ``l = s = 0`` and
    ``recent = "boxspan"`` on plain counts this is the previous-period count; with
    ``recent = "all"`` the all-history count: the family holds both baselines.
    """

    recent: str = "boxspan"
    long: str = "all"
    long_share: float = 0.0
    spatial_share: float = 0.0
    bandwidth_km: float = 30.0
    fatality_weight: float | None = None
    combine: str = "linear"

    def describe(self, span_days: int) -> str:
        recent = f"box{span_days}" if self.recent == "boxspan" else self.recent
        parts = [f"{self.combine} {1 - self.long_share - self.spatial_share:.2f}×{recent}"]
        if self.long_share:
            parts.append(f"{self.long_share:.2f}×{self.long}")
        if self.spatial_share:
            parts.append(f"{self.spatial_share:.2f}×neighbours({self.bandwidth_km:.0f} km)")
        sev = "counts" if self.fatality_weight is None else f"fatality w {self.fatality_weight}"
        return " + ".join(parts) + f", {sev}"


def district_candidates() -> list[DistrictModel]:
    """The validation grid, simplest first (a later candidate must do strictly better)."""
    out: list[DistrictModel] = []
    for combine, fw, recent, long_share, long_, spatial, bw in itertools.product(
        COMBINE_DISTRICT,
        FATALITY_WEIGHTS_DISTRICT,
        RECENT_DISTRICT,
        LONG_SHARES_DISTRICT,
        LONG_DISTRICT,
        SPATIAL_SHARES_DISTRICT,
        BANDWIDTHS_DISTRICT,
    ):
        if long_share == 0.0 and long_ != LONG_DISTRICT[0]:
            continue
        if spatial == 0.0 and bw != BANDWIDTHS_DISTRICT[0]:
            continue
        out.append(DistrictModel(recent, long_, long_share, spatial, bw, fw, combine))
    return out


class DistrictBacktest:
    """Backtests per district (``adm_2``); every district in the data is one unit of area.

    The model (``DistrictModel``) mixes a recent window, a long memory and the neighbours'
    recent activity; the centre of a district is the mean location of its incidents in the
    file (geography, not outcomes: the data carry no district polygons).
    """

    level = "district"
    validation_windows = 9
    validation_step_days: int | None = 91  # rolling origins, one a quarter

    def __init__(self, incidents: IncidentArrays, policy: Policy) -> None:
        self.incidents = incidents
        self.policy = policy
        named = incidents.adm2 != ""
        self.units, inverse = np.unique(incidents.adm2[named].astype(str), return_inverse=True)
        self.inc_unit = np.full(len(incidents), -1, dtype=np.int64)
        self.inc_unit[named] = inverse.reshape(-1)
        n_units = len(self.units)
        cnt = np.bincount(inverse.reshape(-1), minlength=n_units)
        self.c_lat = np.bincount(inverse, weights=incidents.lat[named], minlength=n_units) / cnt
        self.c_lon = np.bincount(inverse, weights=incidents.lon[named], minlength=n_units) / cnt
        self.centre_dist = haversine_km(
            self.c_lat[:, None], self.c_lon[:, None], self.c_lat[None, :], self.c_lon[None, :]
        )
        self.span_days = 365
        self._cache: dict[tuple[Any, ...], np.ndarray] = {}

    def counts(self, mask: np.ndarray) -> np.ndarray:
        sel = mask & (self.inc_unit >= 0)
        return np.bincount(self.inc_unit[sel], minlength=len(self.units)).astype(np.float64)

    def set_span(self, span_days: int) -> None:
        self.span_days = int(span_days)

    def default_candidate(self) -> tuple[DistrictModel, str]:
        fw = float(self.policy.severity.get("fatality_weight", 0.0))
        model = DistrictModel("policy", spatial_share=0.3, bandwidth_km=30.0, fatality_weight=fw)
        return model, "policy as given: " + model.describe(self.span_days)

    def candidates(self) -> list[tuple[DistrictModel, str]]:
        return [(c, c.describe(self.span_days)) for c in district_candidates()]

    def _weights(self, as_of: np.datetime64, fatality_weight: float | None) -> np.ndarray:
        key = ("w", as_of, fatality_weight)
        if key not in self._cache:
            known = self.incidents.known_at(as_of) & (self.inc_unit >= 0)
            if fatality_weight is None:
                w = known.astype(np.float64)
            else:
                pol = self.policy.with_overrides(**{"severity.fatality_weight": fatality_weight})
                w = severity(self.incidents, pol) * known
            self._cache[key] = w
        return self._cache[key]

    def component(
        self, spec: str, as_of: np.datetime64, fatality_weight: float | None
    ) -> np.ndarray:
        """Per-district sum of severity x time weight of the incidents before ``as_of``."""
        spec = f"box{self.span_days}" if spec == "boxspan" else spec
        key = (spec, as_of, fatality_weight)
        if key not in self._cache:
            w = self._weights(as_of, fatality_weight)
            age = (as_of - self.incidents.date).astype(np.float64)  # >= 1 for known incidents
            if spec == "all":
                tw = np.ones_like(age)
            elif spec == "policy":
                comps = [(c.half_life_days, c.weight) for c in self.policy.decay_components]
                tw = decay(self.incidents.date, as_of, comps)
            elif spec.startswith("box"):
                tw = (age <= float(spec[3:])).astype(np.float64)
            else:
                tw = np.exp(-LN2 * np.maximum(age, 0.0) / float(spec[2:]))
            sel = self.inc_unit >= 0
            self._cache[key] = np.bincount(
                self.inc_unit[sel], weights=(w * tw)[sel], minlength=len(self.units)
            )
        return self._cache[key]

    def neighbours(self, values: np.ndarray, bandwidth_km: float) -> np.ndarray:
        """Gaussian-weighted sum of the other districts' values (by distance of centres)."""
        key = ("k", bandwidth_km)
        if key not in self._cache:
            k = np.exp(-0.5 * (self.centre_dist / bandwidth_km) ** 2)
            np.fill_diagonal(k, 0.0)
            self._cache[key] = k
        return np.asarray(self._cache[key] @ values)

    def score(self, candidate: DistrictModel, as_of: np.datetime64) -> np.ndarray:
        c = candidate
        recent = self.component(c.recent, as_of, c.fatality_weight)
        parts = [(1.0 - c.long_share - c.spatial_share, recent)]
        if c.long_share:
            parts.append((c.long_share, self.component(c.long, as_of, c.fatality_weight)))
        if c.spatial_share:
            parts.append((c.spatial_share, self.neighbours(recent, c.bandwidth_km)))
        out = np.zeros(len(self.units))
        for weight, values in parts:
            if c.combine == "rank":
                out += weight * average_rank(values)
            else:
                out += weight * values / max(float(values.sum()), 1e-300)
        return out


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


def _count_baselines(
    bt: H3Backtest | DistrictBacktest, t0: np.datetime64, span: np.timedelta64
) -> list[tuple[str, np.ndarray]]:
    inc = bt.incidents
    return [
        ("all-history counts", bt.counts(inc.date < t0)),
        ("previous-period counts", bt.counts(inc.between(t0 - span, t0))),
    ]


def validation_starts(
    bt: H3Backtest | DistrictBacktest,
    t0: np.datetime64,
    span: np.timedelta64,
    windows: int | None = None,
) -> list[np.datetime64]:
    """Starts of the validation periods (each of the test's length, ending by ``t0``).

    H3: ``windows`` (default 3) back-to-back periods. Districts: rolling origins every
    ``validation_step_days`` (91) over the three spans before ``t0`` (9 periods by default),
    which gives the coarse district ranking more validation signal.
    """
    step = bt.validation_step_days
    n = windows if windows is not None else bt.validation_windows
    if step is None:
        return [t0 - span * (i + 1) for i in range(n)]
    return [t0 - span - np.timedelta64(step * i, "D") for i in range(n)]


def run_window(
    bt: H3Backtest | DistrictBacktest,
    *,
    train_until: DateLike,
    test_until: DateLike,
    validate: bool = True,
    validation_windows: int | None = None,
) -> WindowResult:
    """One backtest window: tune on the periods before ``train_until``, test after it.

    The validation periods (``validation_starts``) all end by ``train_until`` and each is
    scored from the incidents before its start; the mean objective over them decides (H3:
    ``objective``; districts: ``margin_objective`` against the two count baselines of that
    period). Ties go to the earlier (simpler) candidate. The test period is never used.
    """
    inc = bt.incidents
    t0, t1 = to_day(train_until), to_day(test_until)
    span = _days(t0, t1)
    test_mask = inc.between(t0, t1)
    test_hits = bt.counts(test_mask)
    if isinstance(bt, DistrictBacktest):
        bt.set_span(int(span.astype(int)))
    candidates: list[Any] = bt.candidates()
    chosen: Any = candidates[0][0]
    label: str = candidates[0][1]
    validation = ""
    if validate and len(candidates) > 1:
        starts = validation_starts(bt, t0, span, validation_windows)
        windows = [(v0, bt.counts(inc.between(v0, v0 + span))) for v0 in starts]
        windows = [(v0, hits) for v0, hits in windows if hits.sum() > 0]
        if windows:
            first = min(v0 for v0, _ in windows)
            validation = f"{len(windows)} periods in {first}..{t0 - np.timedelta64(1, 'D')}"
            base = [
                [evaluate(name, s, hits) for name, s in _count_baselines(bt, v0, span)]
                for v0, hits in windows
            ]
            best = -np.inf
            for cand, desc in candidates:
                values = []
                for (v0, hits), b in zip(windows, base, strict=True):
                    m = evaluate("m", bt.score(cand, v0), hits)
                    values.append(
                        margin_objective(m, b) if isinstance(bt, DistrictBacktest) else objective(m)
                    )
                value = float(np.mean(values))
                if value > best + 1e-12:
                    best, chosen, label = value, cand, desc
    if not validate:
        chosen, label = (
            (bt.policy, "policy as given") if isinstance(bt, H3Backtest) else bt.default_candidate()
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
    for name, scores in _count_baselines(bt, t0, span):
        result.metrics.append(evaluate(name, scores, test_hits))
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
