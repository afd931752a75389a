"""Levels that mean a probability: the chance of at least one incident (any, or fatal) within
a radius of a place in the next 30 or 90 days.

The inputs are counts of the incidents (and of the fatal incidents) within ``radius_km`` of
the place in a few windows before the as-of date (``probability.windows_days``: by default
the last three years, year and 90 days). Distances are between H3 cell centres at the
surface's resolution (a res-6 centre is at most ~4 km from any point of its cell). Each
outcome has its own fitted model in the policy: a logistic regression on ``log(1 + count)``
followed by an isotonic map of its output (``risk.calibrate`` fits both on validation
periods before the cut-off; here they are only evaluated, with numpy).

A place that no counted incident reaches gets the probability of zero counts: the base rate
of quiet places in the data the model was fitted on, not zero.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from safecorridor.risk.policy import EVENT_WORDS, OUTCOMES, Policy, outcome_key

#: the event each count feeds: every incident, or only those with at least one death
EVENTS = ("any", "fatal")


def logistic(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -500, 500))), dtype=np.float64)


def features(counts: np.ndarray) -> np.ndarray:
    """The model inputs of counts shaped (windows, places): log(1 + count), (places, windows)."""
    return np.asarray(np.log1p(np.maximum(counts, 0.0)).T, dtype=np.float64)


def predict(model: dict[str, Any], counts: np.ndarray) -> np.ndarray:
    """The probability of one outcome from counts shaped (windows, places)."""
    x = features(np.atleast_2d(counts))
    z = float(model["intercept"]) + x @ np.asarray(model["coef"], dtype=np.float64)
    raw = logistic(z)
    xs = np.asarray(model["iso_x"], dtype=np.float64)
    ys = np.asarray(model["iso_y"], dtype=np.float64)
    return np.asarray(np.clip(np.interp(raw, xs, ys), 0.0, 1.0), dtype=np.float64)


def predict_all(policy: Policy, counts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every outcome's probability (``any_30`` ... ``fatal_90``) from the counts per event,
    made coherent: each outcome is fitted apart, but a fatal incident is an incident and 30
    days lie within 90, so no fatal chance exceeds the chance of any incident over the same
    days, and no 30-day chance exceeds the 90-day one (the fitted figures crossed at sites
    with few incidents: fatal 4.8% beside any 3.8%)."""
    models = policy.probability["models"]
    p = {outcome_key(e, h): predict(models[outcome_key(e, h)], counts[e]) for e, h in OUTCOMES}
    horizons = sorted({h for _e, h in OUTCOMES})
    for h in horizons:  # a fatal incident is an incident
        p[outcome_key("fatal", h)] = np.minimum(
            p[outcome_key("fatal", h)], p[outcome_key("any", h)]
        )
    for e in ("any", "fatal"):  # a shorter window is within a longer one
        for short, long in pairwise(horizons):
            p[outcome_key(e, short)] = np.minimum(p[outcome_key(e, short)], p[outcome_key(e, long)])
    return p


def percent(p: float) -> str:
    """A probability as people read it: 62%, <1%, >99%. Whole percents are cut, not rounded,
    so that a figure never crosses a level's band (bands start at whole percents): 4.8% is
    "4%" beside LOW (under 5%), never "5%"."""
    if p < 0.01:
        return "<1%"
    if p >= 0.995:
        return ">99%"
    return f"{math.floor(100 * p + 1e-9)}%"


def sentence(policy: Policy, level: str, p: float, *, where: str = "") -> str:
    """``severe: 62% chance of a fatal incident within 25 km in 90 days``."""
    lv = policy.levels
    radius = policy.probability_radius_km
    event = EVENT_WORDS[str(lv["event"])]
    place = f"within {radius:g} km{where}"
    return f"{level}: {percent(p)} chance of {event} {place} in {int(lv['horizon_days'])} days"


@dataclass
class Probabilities:
    """The chances at one place (a cell, a site, a route's riskiest stretch) and its level."""

    radius_km: float
    any_30: float
    any_90: float
    fatal_30: float
    fatal_90: float
    level: str
    outcome: str  # the probability the level bands (e.g. fatal_90)
    sentence: str
    #: incidents within radius_km in each window before as_of: {"any": {"365": n}, ...}
    counts: dict[str, dict[str, float]] = field(default_factory=dict)

    def value(self, outcome: str | None = None) -> float:
        return float(getattr(self, outcome or self.outcome))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def probabilities_of(
    policy: Policy,
    p: dict[str, float],
    counts: dict[str, dict[str, float]] | None = None,
    *,
    where: str = "",
) -> Probabilities:
    """The :class:`Probabilities` of one place from its probabilities per outcome."""
    outcome = policy.level_outcome
    level = str(policy.level_for(p[outcome]))
    return Probabilities(
        radius_km=policy.probability_radius_km,
        any_30=float(p["any_30"]),
        any_90=float(p["any_90"]),
        fatal_30=float(p["fatal_30"]),
        fatal_90=float(p["fatal_90"]),
        level=level,
        outcome=outcome,
        sentence=sentence(policy, level, p[outcome], where=where),
        counts=counts or {},
    )


def window_counts(
    *,
    pair_src: np.ndarray,
    pair_tgt: np.ndarray,
    n_targets: int,
    inc_src: np.ndarray,
    n_sources: int,
    ages: np.ndarray,
    fatal: np.ndarray,
    windows: list[int],
) -> dict[str, np.ndarray]:
    """Incidents (and fatal ones) within reach of each target in each window.

    ``pair_src``/``pair_tgt`` are the (source cell, target cell) pairs within the radius;
    ``inc_src`` each incident's source cell; ``ages`` each incident's age in days at as-of
    (>= 1 for incidents before it). Returns {"any": (windows, targets), "fatal": ...}.
    """
    out: dict[str, np.ndarray] = {}
    for event in EVENTS:
        rows = []
        for w in windows:
            sel = ages <= w
            if event == "fatal":
                sel = sel & fatal
            per_src = np.bincount(inc_src[sel], minlength=n_sources).astype(np.float64)
            rows.append(np.bincount(pair_tgt, weights=per_src[pair_src], minlength=n_targets))
        out[event] = np.asarray(rows, dtype=np.float64).reshape(len(windows), n_targets)
    return out
