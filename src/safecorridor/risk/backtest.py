"""Backtest: fit on incidents before a cut-off, score every unit, compare with what happened.

Units are H3 cells of a study area or districts (``adm_2``). The H3 study area is, by
default, every cell that holds an incident of the data plus two rings around each
(``event_area``; ``hull``: every cell of the convex hull of the incidents). Metrics, for the
model and for the baselines (counts over all earlier history, in the last three years, in
the previous period of the test's length, uniform):

* hit rate at a fraction of the area: share of test incidents in the top-scored units
  covering that fraction (ties are split pro rata, i.e. the expectation under random
  tie-breaking, so a constant score gets exactly the area fraction);
* PAI = hit rate / area fraction;
* AUC = area under the hit-rate curve over the area fraction (0.5 for uniform);
* calibration of the probabilities (``calibration_metrics``): the Brier score against a
  base-rate forecast, and a reliability table (mean predicted vs observed frequency, by
  level band and by tenths).

Parameters are chosen on validation periods that end by the start of the test period,
never on the test period (``select``). H3 (``H3Backtest``, the surface's parameters, see
``RankCandidate``): twelve one-year periods with rolling origins a quarter apart; a candidate
is worth the share of those periods in which it beats both count baselines (all history,
last three years) on AUC and on PAI@5%, plus a hundredth of AUC + PAI@5%/20 to break ties.
Districts (``DistrictModel``): nine periods with rolling origins a quarter apart, with the
smaller margin over the two count baselines (all history, previous period) as the objective.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from typing import Any

import h3
import numpy as np
from h3.api import basic_int as h3i

from safecorridor.risk.data import DateLike, IncidentArrays, latlng_to_cells, to_day
from safecorridor.risk.policy import LEVELS, OUTCOMES, Policy, outcome_key
from safecorridor.risk.surface import (
    LN2,
    KernelGrid,
    ThreatSurface,
    compute_surface,
    decay,
    haversine_km,
    severity,
)
from safecorridor.runner import LocalRunner, Runner

FRACTIONS = (0.01, 0.05, 0.10)
ALL_HISTORY = "all-history counts"
LAST_3_YEARS = "last-3-years counts"
PREVIOUS_PERIOD = "previous-period counts"
UNIFORM = "uniform"
BASELINES = (ALL_HISTORY, LAST_3_YEARS, PREVIOUS_PERIOD, UNIFORM)
THREE_YEARS = np.timedelta64(1096, "D")

# The H3 validation grid (kept small on purpose): a long memory that stays in its cell
# (bandwidth 1 km: no spread at res 6; 2 km: 0.6% to the neighbours, a tie-breaker) and a
# recent memory weighing `ratio` times as much when fresh, in its cell or spread (3 km: 10%
# to the neighbours).
FATALITY_WEIGHTS = (0.0, 0.5)
LONG_HALF_LIVES = (3650.0, 36500.0)
LONG_BANDWIDTHS = (1.0, 2.0)
RECENT_RATIOS = (0.0, 0.5, 1.0, 2.0, 4.0)
RECENT_HALF_LIVES = (90.0, 365.0)
RECENT_BANDWIDTHS = (1.0, 3.0)


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


def beats(m: Metrics, baselines: list[Metrics]) -> bool:
    """Better than every baseline on both AUC and PAI@5%."""
    return m.auc > max(b.auc for b in baselines) and m.pai[0.05] > max(
        b.pai[0.05] for b in baselines
    )


def wins_objective(m: Metrics, baselines: list[Metrics]) -> float:
    """What the H3 validation search maximises, per period: 1 when the model beats both
    count baselines on AUC and PAI@5%, plus a hundredth of ``objective`` to break ties."""
    return float(beats(m, baselines)) + 0.01 * objective(m)


# --- calibration of probabilities -------------------------------------------------------------
@dataclass
class ReliabilityRow:
    """Places whose predicted probability lies in [low, high): how many, mean predicted,
    observed frequency."""

    band: str
    low: float
    high: float
    n: int
    predicted: float
    observed: float

    @property
    def gap(self) -> float:
        return abs(self.predicted - self.observed) if self.n else 0.0


@dataclass
class CalibrationMetrics:
    """How well probabilities of one outcome matched what happened."""

    outcome: str
    n: int
    brier: float
    base_rate: float
    brier_base: float  # Brier score of forecasting ``base_rate`` everywhere
    observed_rate: float
    by_level: list[ReliabilityRow] = field(default_factory=list)
    by_tenth: list[ReliabilityRow] = field(default_factory=list)
    #: (predicted, observed) per place, to pool windows (``pooled_calibration``)
    samples: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "samples"}
        out["skill"] = self.skill
        return out

    @property
    def skill(self) -> float:
        """Brier skill score: 1 - brier / brier_base (> 0: better than the base rate)."""
        return 1.0 - self.brier / self.brier_base if self.brier_base > 0 else 0.0

    def worst_gap(self, min_n: int = 30, rows: str = "by_level") -> float:
        """The largest |predicted - observed| over the bands holding at least ``min_n``."""
        return max((r.gap for r in getattr(self, rows) if r.n >= min_n), default=0.0)


def brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((np.asarray(p, float) - np.asarray(y, float)) ** 2)) if len(p) else 0.0


def reliability(
    p: np.ndarray, y: np.ndarray, edges: list[float], names: list[str]
) -> list[ReliabilityRow]:
    """Mean predicted vs observed frequency in each band [edges[i], edges[i+1])."""
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    which = np.searchsorted(np.asarray(edges[1:-1]), p, side="right")
    rows = []
    for i, name in enumerate(names):
        sel = which == i
        n = int(sel.sum())
        rows.append(
            ReliabilityRow(
                band=name,
                low=float(edges[i]),
                high=float(edges[i + 1]),
                n=n,
                predicted=float(p[sel].mean()) if n else 0.0,
                observed=float(y[sel].mean()) if n else 0.0,
            )
        )
    return rows


def calibration_metrics(
    outcome: str, p: np.ndarray, y: np.ndarray, *, base_rate: float, bands: dict[str, Any]
) -> CalibrationMetrics:
    """Brier score vs the base rate, and reliability by level band and by tenths."""
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    names = [str(lvl) for lvl in LEVELS]
    edges = [float(bands[n]) for n in names] + [1.0 + 1e-9]
    tenths = [i / 10 for i in range(10)] + [1.0 + 1e-9]
    return CalibrationMetrics(
        outcome=outcome,
        n=len(p),
        brier=brier(p, y),
        base_rate=float(base_rate),
        brier_base=brier(np.full(len(y), base_rate), y),
        observed_rate=float(y.mean()) if len(y) else 0.0,
        by_level=reliability(p, y, edges, names),
        by_tenth=reliability(p, y, tenths, [f"{10 * i}-{10 * i + 10}%" for i in range(10)]),
        samples=(p, y),
    )


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


def event_area(cells: np.ndarray, rings: int = 2) -> np.ndarray:
    """The study area of the issue's check: every cell holding an incident, plus ``rings``
    rings of neighbours around each (sorted, unique)."""
    disk = h3i.grid_disk
    out = {int(x) for c in np.unique(cells).tolist() for x in disk(int(c), rings)}
    return np.array(sorted(out), dtype=np.int64)


@dataclass(frozen=True)
class RankCandidate:
    """The surface's parameters in the H3 search: a long memory (half-life, bandwidth) and a
    recent memory weighing ``recent_ratio`` times as much as the long one for a fresh
    incident (half-life, bandwidth), with a fatality weight. ``recent_ratio = 0``: the long
    memory alone."""

    fatality_weight: float = 0.0
    long_half_life: float = 36500.0
    long_bandwidth: float = 1.0
    recent_ratio: float = 0.0
    recent_half_life: float = 90.0
    recent_bandwidth: float = 1.0

    def components(self) -> list[tuple[float, float, float]]:
        """(half-life, weight, bandwidth) per component, weights summing to 1."""
        total = 1.0 + self.recent_ratio
        out = [(self.long_half_life, 1.0 / total, self.long_bandwidth)]
        if self.recent_ratio > 0:
            out.append((self.recent_half_life, self.recent_ratio / total, self.recent_bandwidth))
        return out

    def apply(self, policy: Policy) -> Policy:
        """``policy`` with these parameters."""
        return policy.with_overrides(
            decay_half_lives=self.components(),
            **{"severity.fatality_weight": self.fatality_weight},
        )

    def describe(self) -> str:
        text = f"long hl {self.long_half_life:.0f} d / bw {self.long_bandwidth:g} km"
        if self.recent_ratio > 0:
            text += (
                f" + {self.recent_ratio:g}× recent hl {self.recent_half_life:.0f} d"
                f" / bw {self.recent_bandwidth:g} km"
            )
        return text + f", fatality w {self.fatality_weight:g}"

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def rank_candidates() -> list[RankCandidate]:
    """The H3 validation grid, simplest first (a later candidate must do strictly better)."""
    out = []
    for ratio, fw, long_hl, long_bw, recent_hl, recent_bw in itertools.product(
        RECENT_RATIOS,
        FATALITY_WEIGHTS,
        LONG_HALF_LIVES[::-1],
        LONG_BANDWIDTHS,
        RECENT_HALF_LIVES,
        RECENT_BANDWIDTHS,
    ):
        if ratio == 0 and (recent_hl, recent_bw) != (RECENT_HALF_LIVES[0], RECENT_BANDWIDTHS[0]):
            continue
        out.append(RankCandidate(fw, long_hl, long_bw, ratio, recent_hl, recent_bw))
    return out


class H3Backtest:
    """Backtests on the H3 surface of ``policy.resolution`` over a study area.

    ``area``: ``"events"`` (every cell holding an incident of ``incidents`` plus two rings,
    ``event_area``) or ``"hull"`` (every cell of their convex hull, ``study_cells``); or the
    cells themselves. Candidates (``RankCandidate``) are scored fast from cached spreads per
    (date, fatality weight, half-life, bandwidth); a ``Policy`` is scored by
    ``compute_surface`` itself.
    """

    level = "h3"
    validation_windows = 12
    validation_step_days: int | None = 91  # rolling origins, one a quarter

    def __init__(
        self, incidents: IncidentArrays, policy: Policy, *, area: str | np.ndarray = "events"
    ) -> None:
        self.incidents = incidents
        self.policy = policy
        res = policy.resolution
        self.inc_cells = latlng_to_cells(incidents.lat, incidents.lon, res)
        if isinstance(area, np.ndarray):
            self.units = np.unique(area.astype(np.int64))
        elif area == "hull":
            self.units = study_cells(incidents, res)
        elif area == "events":
            self.units = event_area(self.inc_cells)
        else:
            raise ValueError("area is 'events', 'hull' or an array of cells")
        self.area = area if isinstance(area, str) else "given cells"
        idx = np.clip(np.searchsorted(self.units, self.inc_cells), 0, max(len(self.units) - 1, 0))
        inside = (self.units[idx] == self.inc_cells) if len(self.units) else idx < 0
        self.inc_unit = np.where(inside, idx, -1)
        widest = max(max(LONG_BANDWIDTHS), max(RECENT_BANDWIDTHS), policy.bandwidth_km)
        radius = max(widest * policy.truncate, policy.kernel_radius_km)
        self.grid = KernelGrid.build(self.inc_cells, res, radius)
        self.inc_src = self.grid.source_index(self.inc_cells)
        t_idx = np.clip(
            np.searchsorted(self.grid.tgt_cells, self.units), 0, len(self.grid.tgt_cells) - 1
        )
        self.unit_tgt = np.where(self.grid.tgt_cells[t_idx] == self.units, t_idx, -1)
        self._cache: dict[tuple[Any, ...], np.ndarray] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_cache": {}}  # sent to a runner's workers without its cache

    def counts(self, mask: np.ndarray) -> np.ndarray:
        sel = mask & (self.inc_unit >= 0)
        return np.bincount(self.inc_unit[sel], minlength=len(self.units)).astype(np.float64)

    def objective_baselines(self, t0: np.datetime64, span: np.timedelta64) -> list[np.ndarray]:
        """The baselines a candidate must beat: all history and the last three years."""
        inc = self.incidents
        return [self.counts(inc.date < t0), self.counts(inc.between(t0 - THREE_YEARS, t0))]

    def objective(self, m: Metrics, baselines: list[Metrics]) -> float:
        return wins_objective(m, baselines)

    def candidates(self) -> list[tuple[RankCandidate, str]]:
        return [(c, c.describe()) for c in rank_candidates()]

    def _spread(self, as_of: np.datetime64, fw: float, half_life: float, bw: float) -> np.ndarray:
        key = (as_of, fw, half_life, bw)
        if key not in self._cache:
            sev_key = ("sev", fw)
            if sev_key not in self._cache:
                pol = self.policy.with_overrides(**{"severity.fatality_weight": fw})
                self._cache[sev_key] = severity(self.incidents, pol)
            age = (as_of - self.incidents.date).astype(np.float64)
            w = self._cache[sev_key] * np.exp(-LN2 * np.maximum(age, 0.0) / half_life)
            w = np.where(age > 0, w, 0.0)
            src = np.bincount(self.inc_src, weights=w, minlength=len(self.grid.src_cells))
            values = self.grid.spread(src, bw, self.policy.truncate)
            self._cache[key] = np.where(self.unit_tgt >= 0, values[self.unit_tgt], 0.0)
        return self._cache[key]

    def score(self, candidate: RankCandidate | Policy, as_of: np.datetime64) -> np.ndarray:
        """The score of every unit at ``as_of`` (incidents before it only)."""
        if isinstance(candidate, Policy):
            surf = compute_surface(
                self.incidents,
                as_of=as_of,
                policy=candidate,
                src_cells=self.inc_cells,
                with_probabilities=False,
            )
            return surf.values_at_cells(self.units)
        c = candidate
        out = self._spread(as_of, c.fatality_weight, c.long_half_life, c.long_bandwidth)
        if c.recent_ratio > 0:
            recent = self._spread(as_of, c.fatality_weight, c.recent_half_life, c.recent_bandwidth)
            out = out + c.recent_ratio * recent
        return out

    def chosen_policy(self, candidate: RankCandidate | Policy) -> Policy:
        return candidate if isinstance(candidate, Policy) else candidate.apply(self.policy)


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

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_cache": {}}  # sent to a runner's workers without its cache

    def counts(self, mask: np.ndarray) -> np.ndarray:
        sel = mask & (self.inc_unit >= 0)
        return np.bincount(self.inc_unit[sel], minlength=len(self.units)).astype(np.float64)

    def objective_baselines(self, t0: np.datetime64, span: np.timedelta64) -> list[np.ndarray]:
        """The baselines of the margin objective: all history and the previous period."""
        inc = self.incidents
        return [self.counts(inc.date < t0), self.counts(inc.between(t0 - span, t0))]

    def objective(self, m: Metrics, baselines: list[Metrics]) -> float:
        return margin_objective(m, baselines)

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
    calibration: list[CalibrationMetrics] = field(default_factory=list)

    def by_method(self) -> dict[str, Metrics]:
        return {m.method: m for m in self.metrics}


@dataclass
class Selection:
    """The candidate chosen on the validation periods, and how each period went."""

    chosen: Any
    label: str
    validation: str  # "12 periods in 2012-01-03..2015-12-31"
    value: float
    periods: list[dict[str, Any]] = field(default_factory=list)


Backtest = H3Backtest | DistrictBacktest


def _days(a: np.datetime64, b: np.datetime64) -> np.timedelta64:
    return np.timedelta64(int((b - a).astype(int)), "D")


def count_baselines(
    bt: Backtest, t0: np.datetime64, span: np.timedelta64
) -> list[tuple[str, np.ndarray]]:
    """The count baselines reported for every window."""
    inc = bt.incidents
    return [
        (ALL_HISTORY, bt.counts(inc.date < t0)),
        (LAST_3_YEARS, bt.counts(inc.between(t0 - THREE_YEARS, t0))),
        (PREVIOUS_PERIOD, bt.counts(inc.between(t0 - span, t0))),
    ]


def validation_starts(
    bt: Backtest,
    t0: np.datetime64,
    span: np.timedelta64,
    windows: int | None = None,
) -> list[np.datetime64]:
    """Starts of the validation periods (each of the test's length, ending by ``t0``):
    ``windows`` rolling origins ``validation_step_days`` apart, the last period ending at
    ``t0`` (H3: 12 a quarter apart; districts: 9 a quarter apart); back-to-back periods
    when the step is None."""
    step = bt.validation_step_days
    n = windows if windows is not None else bt.validation_windows
    if step is None:
        return [t0 - span * (i + 1) for i in range(n)]
    return [t0 - span - np.timedelta64(step * i, "D") for i in range(n)]


SelectContext = tuple[Any, list[Any], list[tuple[np.datetime64, np.ndarray]], np.timedelta64]


def _select_unit(
    unit: tuple[int, list[int]], context: SelectContext
) -> tuple[list[Metrics], list[Metrics]]:
    """One unit of the validation search (a runner's task): the baselines' metrics on one
    validation period, and the metrics of some of the candidates on it."""
    bt, candidates, windows, span = context
    w, indices = unit
    v0, hits = windows[w]
    base = [evaluate(str(i), s, hits) for i, s in enumerate(bt.objective_baselines(v0, span))]
    return base, [evaluate("model", bt.score(candidates[i], v0), hits) for i in indices]


def _share_key(candidate: Any) -> Any:
    """Candidates with the same key share cached spreads: one unit of work holds them."""
    return getattr(candidate, "fatality_weight", None)


def select(
    bt: Backtest,
    *,
    train_until: DateLike,
    span: np.timedelta64,
    validation_windows: int | None = None,
    runner: Runner | None = None,
) -> Selection:
    """Choose a candidate on the validation periods before ``train_until`` (``validation_
    starts``). Each period is scored from the incidents before its start; its hits are the
    incidents in it, all before ``train_until``; the mean of ``bt.objective`` over the periods
    decides, ties going to the earlier (simpler) candidate. Nothing at or after
    ``train_until`` is read.

    The units of work (one validation period × the candidates sharing a fatality weight) run
    on ``runner`` (default: here); their metrics are reduced here in a fixed order (periods,
    then candidates), so every runner chooses the same candidate with the same value."""
    inc = bt.incidents
    t0 = to_day(train_until)
    candidates: list[Any] = bt.candidates()
    chosen, label = candidates[0]
    starts = validation_starts(bt, t0, span, validation_windows)
    windows = [(v0, bt.counts(inc.between(v0, min(v0 + span, t0)))) for v0 in starts]
    windows = [(v0, hits) for v0, hits in windows if hits.sum() > 0]
    if not windows:
        return Selection(chosen, label, "", float("nan"))
    first = min(v0 for v0, _ in windows)
    validation = f"{len(windows)} periods in {first}..{t0 - np.timedelta64(1, 'D')}"
    groups: dict[Any, list[int]] = {}
    for i, (cand, _) in enumerate(candidates):
        groups.setdefault(_share_key(cand), []).append(i)
    units = [(w, indices) for w in range(len(windows)) for indices in groups.values()]
    context: SelectContext = (bt, [c for c, _ in candidates], windows, span)
    done = (runner or LocalRunner()).map(_select_unit, units, context)
    base: list[list[Metrics]] = [[] for _ in windows]
    scored: list[list[Metrics | None]] = [[None] * len(candidates) for _ in windows]
    for (w, indices), (b, metrics) in zip(units, done, strict=True):
        base[w] = b
        for i, m in zip(indices, metrics, strict=True):
            scored[w][i] = m
    best = -np.inf
    best_i = 0
    for i, (cand, desc) in enumerate(candidates):
        values = [bt.objective(_present(scored[w][i]), base[w]) for w in range(len(windows))]
        value = float(np.mean(values))
        if value > best + 1e-12:
            best, chosen, label, best_i = value, cand, desc, i
    periods = []
    for w, (v0, hits) in enumerate(windows):
        m, b = _present(scored[w][best_i]), base[w]
        periods.append(
            {
                "from": str(v0),
                "until": str(min(v0 + span, t0)),
                "incidents": int(hits.sum()),
                "auc": round(m.auc, 4),
                "pai5": round(m.pai[0.05], 3),
                "baseline_auc": [round(x.auc, 4) for x in b],
                "baseline_pai5": [round(x.pai[0.05], 3) for x in b],
                "beats_baselines": beats(m, b),
            }
        )
    return Selection(chosen, label, validation, best, periods)


def _present(m: Metrics | None) -> Metrics:
    if m is None:  # every (period, candidate) is in exactly one unit
        raise RuntimeError("a unit of the validation search returned no metrics")
    return m


def run_window(
    bt: Backtest,
    *,
    train_until: DateLike,
    test_until: DateLike,
    validate: bool = True,
    validation_windows: int | None = None,
    runner: Runner | None = None,
) -> WindowResult:
    """One backtest window: tune on the periods before ``train_until`` (``select``), test
    after it. The test period is never used for the choice."""
    inc = bt.incidents
    t0, t1 = to_day(train_until), to_day(test_until)
    span = _days(t0, t1)
    test_hits = bt.counts(inc.between(t0, t1))
    if isinstance(bt, DistrictBacktest):
        bt.set_span(int(span.astype(int)))
    if validate:
        sel = select(
            bt, train_until=t0, span=span, validation_windows=validation_windows, runner=runner
        )
        chosen: Any = sel.chosen
        label, validation = sel.label, sel.validation
    elif isinstance(bt, H3Backtest):
        chosen, label, validation = bt.policy, "policy as given", ""
    else:
        chosen, label = bt.default_candidate()
        validation = ""
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
    for name, scores in count_baselines(bt, t0, span):
        result.metrics.append(evaluate(name, scores, test_hits))
    result.metrics.append(evaluate(UNIFORM, np.ones(len(test_hits)), test_hits))
    return result


class OutcomeLabels:
    """Whether an incident (or a fatal one) happened within ``radius_km`` of each unit cell in
    a period: distances between H3 cell centres, as the probabilities define them."""

    def __init__(
        self, incidents: IncidentArrays, units: np.ndarray, resolution: int, radius_km: float
    ) -> None:
        self.incidents = incidents
        cells = latlng_to_cells(incidents.lat, incidents.lon, resolution)
        self.grid = KernelGrid.build(cells, resolution, radius_km)
        self.inc_src = self.grid.source_index(cells)
        idx = np.clip(
            np.searchsorted(self.grid.tgt_cells, units), 0, max(len(self.grid.tgt_cells) - 1, 0)
        )
        found = self.grid.tgt_cells[idx] == units if len(self.grid.tgt_cells) else idx < 0
        self.unit_tgt = np.where(found, idx, -1)
        self.fatal = incidents.fatalities > 0

    def __call__(self, start: DateLike, days: int, *, fatal: bool) -> np.ndarray:
        t0 = to_day(start)
        sel = self.incidents.between(t0, t0 + np.timedelta64(int(days), "D"))
        if fatal:
            sel = sel & self.fatal
        g = self.grid
        per_src = np.bincount(self.inc_src[sel], minlength=len(g.src_cells)).astype(np.float64)
        hit = np.bincount(g.pair_tgt, weights=per_src[g.pair_src], minlength=len(g.tgt_cells))
        return np.where(self.unit_tgt >= 0, hit[np.maximum(self.unit_tgt, 0)] > 0, False)

    def base_rate(self, t0: DateLike, days: int, *, fatal: bool, origins: int = 4) -> float:
        """The outcome's frequency over the units at ``origins`` dates a quarter apart whose
        periods end by ``t0``: the base-rate forecast one could make at ``t0``."""
        day = to_day(t0)
        rates = [
            float(self(day - np.timedelta64(days + 91 * q, "D"), days, fatal=fatal).mean())
            for q in range(origins)
        ]
        return float(np.mean(rates)) if rates else 0.0


def score_surface(
    surface: ThreatSurface,
    incidents: IncidentArrays,
    *,
    test_until: DateLike,
    area: str | np.ndarray = "events",
    label: str = "served surface",
    labels: OutcomeLabels | None = None,
) -> WindowResult:
    """Score a computed surface (e.g. exactly what ``risk surface --as-of`` serves) against
    what happened from its date to ``test_until``: ranking (AUC, PAI, hit rates against the
    count baselines) and the calibration of its probabilities (each outcome from its date
    over its horizon). ``incidents``: the whole data set (the test period included: it
    gives the hits and, for ``area="events"``, the study area)."""
    policy = surface.policy
    t0, t1 = surface.as_of, to_day(test_until)
    span = _days(t0, t1)
    bt = H3Backtest(incidents, policy, area=area)
    test_hits = bt.counts(incidents.between(t0, t1))
    result = WindowResult(
        level="h3",
        train_until=str(t0),
        test_until=str(t1),
        validation="",
        n_test=int(test_hits.sum()),
        n_units=len(bt.units),
        chosen=label,
    )
    result.metrics.append(
        evaluate(
            "model", surface.values_at_cells(bt.units), test_hits, f"{label}: {policy.version}"
        )
    )
    for name, counts in count_baselines(bt, t0, span):
        result.metrics.append(evaluate(name, counts, test_hits))
    result.metrics.append(evaluate(UNIFORM, np.ones(len(bt.units)), test_hits))
    if labels is None:
        labels = OutcomeLabels(incidents, bt.units, policy.resolution, policy.probability_radius_km)
    probs = surface.probabilities_at_cells(bt.units)
    bands = policy.levels["bands"]
    for event, horizon in OUTCOMES:
        key = outcome_key(event, horizon)
        y = labels(t0, horizon, fatal=event == "fatal")
        base = labels.base_rate(t0, horizon, fatal=event == "fatal")
        result.calibration.append(
            calibration_metrics(key, probs[key], y, base_rate=base, bands=bands)
        )
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
    """Model vs the count baselines (all history, last three years, previous period) on
    PAI@5% and AUC, and whether the model beats all history and the last three years (the
    H3 target), and all history and the previous period (the district target)."""
    rows = [
        "| level | test period | PAI@5% model | all-hist | last 3 y | prev | AUC model | all-hist"
        " | last 3 y | prev | beats all-hist and last 3 y | beats all-hist and prev"
        " | chosen on validation |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for r in results:
        m = r.by_method()
        mod, allh, l3, prev = m["model"], m[ALL_HISTORY], m[LAST_3_YEARS], m[PREVIOUS_PERIOD]
        y0, y1 = int(r.train_until[:4]), int(r.test_until[:4]) - 1
        period = str(y0) if y0 == y1 else f"{y0}-{y1}"
        rows.append(
            f"| {r.level} | {period} | {mod.pai[0.05]:.2f} | {allh.pai[0.05]:.2f}"
            f" | {l3.pai[0.05]:.2f} | {prev.pai[0.05]:.2f} | {mod.auc:.3f} | {allh.auc:.3f}"
            f" | {l3.auc:.3f} | {prev.auc:.3f} | {'yes' if beats(mod, [allh, l3]) else 'NO'}"
            f" | {'yes' if beats(mod, [allh, prev]) else 'NO'} | {mod.params} |"
        )
    return "\n".join(rows)


def calibration_table(results: list[WindowResult], outcome: str | None = None) -> str:
    """Brier score of the probabilities vs the base rate, per window (one outcome, or all)."""
    rows = [
        "| test from | outcome | cells | observed | base rate | Brier | Brier of base rate"
        " | skill | worst gap (bands >= 30 cells) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for c in r.calibration:
            if outcome is not None and c.outcome != outcome:
                continue
            rows.append(
                f"| {r.train_until} | {c.outcome} | {c.n} | {c.observed_rate:.3f}"
                f" | {c.base_rate:.3f} | {c.brier:.4f} | {c.brier_base:.4f} | {c.skill:.3f}"
                f" | {100 * c.worst_gap():.2f} pts |"
            )
    return "\n".join(rows)


def reliability_table(rows: list[ReliabilityRow]) -> str:
    """Predicted vs observed frequency per band."""
    out = [
        "| band | range | cells | mean predicted | observed | gap |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        hi = min(r.high, 1.0)
        out.append(
            f"| {r.band} | {100 * r.low:.0f}-{100 * hi:.0f}% | {r.n} | {r.predicted:.3f}"
            f" | {r.observed:.3f} | {100 * r.gap:.2f} pts |"
        )
    return "\n".join(out)


def pooled_calibration(
    results: list[WindowResult], outcome: str, bands: dict[str, Any]
) -> CalibrationMetrics | None:
    """The calibration of one outcome over every window together (cells x windows)."""
    p: list[np.ndarray] = []
    y: list[np.ndarray] = []
    base: list[float] = []
    for r in results:
        for c in r.calibration:
            if c.outcome == outcome and c.samples is not None:
                p.append(c.samples[0])
                y.append(c.samples[1])
                base.append(c.base_rate)
    if not p:
        return None
    pp, yy = np.concatenate(p), np.concatenate(y)
    out = calibration_metrics(outcome, pp, yy, base_rate=0.0, bands=bands)
    base_all = np.concatenate([np.full(len(a), b) for a, b in zip(p, base, strict=True)])
    out.base_rate = float(base_all.mean())
    out.brier_base = brier(base_all, yy)
    return out
