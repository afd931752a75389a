"""Calibrate a risk policy on the history before a cut-off, as the backtest validates it.

``calibrate`` reads only incidents strictly before ``train_until`` (it drops the others
first) and fits, in two steps:

1. **The surface** (the ranking of places): the search of ``backtest.select`` over the grid
   of ``RankCandidate`` (long memory, recent memory, their bandwidths, fatality weight) on
   twelve one-year validation periods with rolling origins a quarter apart, the last ending
   at the cut-off, on the study area of every cell that held an incident plus two rings.
   A candidate is worth the share of periods in which it beats both count baselines (all
   history, last three years) on AUC and PAI@5%; ties go to the simpler candidate.
2. **The probabilities** (``risk.probability``): for each outcome (any / fatal incident within
   the radius in 30 / 90 days), a logistic regression on ln(1 + incidents within the radius)
   in each window, then an isotonic map of its output, fitted on the cells of the region the
   data cover (the convex hull of the incidents, plus the study area) at eight origins a
   quarter apart whose outcome periods end by the cut-off; the isotonic map only on the
   latest four (a year), so that the levels follow the latest frequencies. Before the final
   fit, the models are fitted on the older origins and scored on the latest (Brier score
   against the base rate, worst reliability gap): the validation scores in the policy.

**Served policies** (``served_policy``): a policy with ``recalibrate: {every: quarter}`` is
not served frozen. The figures at a date use the policy calibrated, as above, on the incidents
the reader may read before the first day of that date's quarter (when there are at least
``min_incidents`` of them), so the parameters and the probability map follow the history as
it grows, the way the backtest validates them year by year, instead of ageing from the day
they were fitted. Each fit is kept in the process by (policy, quarter, content hash) and,
given a ``FitStore``, in the database (``risk.policies``), so that a fit made by one process
(the worker warms them: ``alerts.worker.step_risk_fits``) is read by the others.

The result is a new policy document: the base policy with the fitted values, a new version,
and a ``calibration`` section describing the data (dataset, source, date range, count, SHA-256
of the content), the command line, the chosen parameters and the validation scores.
scikit-learn is used here only; serving a policy needs numpy alone.
"""

from __future__ import annotations

import copy
import hashlib
import logging
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Protocol

import numpy as np
from threadpoolctl import threadpool_limits

from safecorridor.risk.backtest import (
    ALL_HISTORY,
    LAST_3_YEARS,
    H3Backtest,
    OutcomeLabels,
    RankCandidate,
    Selection,
    calibration_metrics,
    event_area,
    rank_candidates,
    select,
    study_cells,
)
from safecorridor.risk.cache import SurfaceCache
from safecorridor.risk.data import DateLike, IncidentArrays, latlng_to_cells, to_day
from safecorridor.risk.policy import OUTCOMES, Policy, outcome_key, policy_from_dict
from safecorridor.risk.probability import EVENTS, features, predict, window_counts
from safecorridor.risk.surface import KernelGrid
from safecorridor.runner import LocalRunner, Runner

#: validation periods of the surface search: one year each, origins a quarter apart
RANK_SPAN_DAYS = 365
#: origins of the probability fit (a quarter apart, the last period ending at the cut-off):
#: the logistic regression learns from all of them, the isotonic map from the latest
#: ``ISOTONIC_ORIGINS`` (a year), so that the levels follow the latest frequencies
PROBABILITY_ORIGINS = 8
ISOTONIC_ORIGINS = 4
ORIGIN_STEP_DAYS = 91
#: the fewest incidents before the cut-off worth calibrating on
MIN_INCIDENTS = 30


class CalibrationError(ValueError):
    """Not enough data before the cut-off to fit the policy."""


@dataclass
class DataDescription:
    """What a calibration saw."""

    dataset: str  # e.g. ucdp, or the shipped data set's name
    source: str  # "store" or the file read
    first_date: str
    last_date: str
    incidents: int
    fatal_incidents: int
    sha256: str  # of the content used (see ``content_sha256``)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def content_sha256(incidents: IncidentArrays) -> str:
    """SHA-256 of what the calibration uses of each incident (date, position to 1e-5°,
    event type, fatalities), in a canonical order: the same events read from a file or from
    the store give the same hash."""
    rows = sorted(
        f"{d}|{la:.5f}|{lo:.5f}|{t}|{f:g}"
        for d, la, lo, t, f in zip(
            incidents.date.astype(str).tolist(),
            incidents.lat.tolist(),
            incidents.lon.tolist(),
            incidents.event_type.astype(str).tolist(),
            incidents.fatalities.tolist(),
            strict=True,
        )
    )
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()


def describe_data(incidents: IncidentArrays, *, dataset: str, source: str) -> DataDescription:
    return DataDescription(
        dataset=dataset,
        source=source,
        first_date=str(incidents.date.min()) if len(incidents) else "",
        last_date=str(incidents.date.max()) if len(incidents) else "",
        incidents=len(incidents),
        fatal_incidents=int(np.count_nonzero(incidents.fatalities > 0)),
        sha256=content_sha256(incidents),
    )


@dataclass
class CalibrationResult:
    policy: Policy
    selection: Selection
    probability_report: dict[str, Any]
    data: DataDescription


def _round_list(values: np.ndarray, digits: int) -> list[float]:
    return [round(float(v), digits) for v in values]


#: the isotonic map is fitted on bins of this many neighbouring samples, so that no step
#: rests on a handful of places while the hottest places still get a bin of their own
ISOTONIC_MIN_BIN = 200


def _isotonic_table(raw: np.ndarray, y: np.ndarray) -> tuple[list[float], list[float]]:
    """An isotonic map of the logistic output to the observed frequency, fitted on bins of
    neighbouring outputs (``ISOTONIC_MIN_BIN``) weighted by their size."""
    order = np.argsort(raw, kind="stable")
    n = len(raw)
    size = ISOTONIC_MIN_BIN
    n_bins = max(1, n // size)
    bins = np.minimum(np.arange(n) // size, n_bins - 1)  # the remainder joins the last bin
    counts = np.bincount(bins, minlength=n_bins).astype(np.float64)
    x_bin = np.bincount(bins, weights=raw[order], minlength=n_bins) / counts
    y_bin = np.bincount(bins, weights=y[order].astype(np.float64), minlength=n_bins) / counts
    from sklearn.isotonic import IsotonicRegression  # lazy: fitting only (0.8 s of imports)

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(x_bin, y_bin, sample_weight=counts)
    xs = np.asarray(iso.X_thresholds_, dtype=np.float64)
    ys = np.asarray(iso.y_thresholds_, dtype=np.float64)
    x_out, y_out = _round_list(xs, 6), _round_list(ys, 5)
    # rounding may make neighbours equal; keep the table non-decreasing for np.interp
    for i in range(1, len(x_out)):
        x_out[i] = max(x_out[i], x_out[i - 1])
        y_out[i] = max(y_out[i], y_out[i - 1])
    return x_out, y_out


def fit_model(
    x: np.ndarray, y: np.ndarray, *, recent: tuple[np.ndarray, np.ndarray] | None = None
) -> dict[str, Any]:
    """Logistic regression on the features, then an isotonic map of its output to the
    observed frequency, fitted on ``recent`` samples (features, outcomes) when given."""
    y = np.asarray(y, dtype=bool)
    if y.all() or not y.any():  # one class only: a constant probability
        rate = float(y.mean()) if len(y) else 0.0
        return {
            "intercept": 0.0,
            "coef": [0.0] * x.shape[1],
            "iso_x": [0.0, 1.0],
            "iso_y": [rate, rate],
        }
    from sklearn.linear_model import LogisticRegression  # lazy: fitting only

    lr = LogisticRegression(C=1000.0, max_iter=5000).fit(x, y)
    model: dict[str, Any] = {
        "intercept": round(float(lr.intercept_[0]), 6),
        "coef": _round_list(lr.coef_[0], 6),
        "iso_x": [0.0, 1.0],
        "iso_y": [0.0, 1.0],
    }
    x_iso, y_iso = recent if recent is not None else (x, y)
    raw = 1.0 / (1.0 + np.exp(-(model["intercept"] + x_iso @ np.asarray(model["coef"]))))
    model["iso_x"], model["iso_y"] = _isotonic_table(raw, np.asarray(y_iso, dtype=bool))
    return model


class ProbabilityData:
    """Counts (inputs) and outcomes (labels) of the universe's cells at any origin."""

    def __init__(self, incidents: IncidentArrays, policy: Policy, universe: np.ndarray) -> None:
        res = policy.resolution
        self.incidents = incidents
        self.universe = universe
        self.windows = [int(w) for w in policy.probability["windows_days"]]
        cells = latlng_to_cells(incidents.lat, incidents.lon, res)
        radius = policy.probability_radius_km
        self.grid = KernelGrid.build(cells, res, radius)
        self.inc_src = self.grid.source_index(cells)
        idx = np.clip(
            np.searchsorted(self.grid.tgt_cells, universe), 0, len(self.grid.tgt_cells) - 1
        )
        self.unit_tgt = np.where(self.grid.tgt_cells[idx] == universe, idx, -1)
        self.labels = OutcomeLabels(incidents, universe, res, radius)

    def counts(self, origin: np.datetime64) -> dict[str, np.ndarray]:
        """(windows, universe) counts of incidents / fatal incidents before ``origin``."""
        inc = self.incidents
        known = inc.date < origin
        ages = np.where(known, (origin - inc.date).astype(np.int64), np.iinfo(np.int64).max)
        per_tgt = window_counts(
            pair_src=self.grid.pair_src,
            pair_tgt=self.grid.pair_tgt,
            n_targets=len(self.grid.tgt_cells),
            inc_src=self.inc_src,
            n_sources=len(self.grid.src_cells),
            ages=ages,
            fatal=inc.fatalities > 0,
            windows=self.windows,
        )
        found = self.unit_tgt >= 0
        pos = np.maximum(self.unit_tgt, 0)
        return {e: np.where(found[None, :], v[:, pos], 0.0) for e, v in per_tgt.items()}


#: one fit of the probability model: features, outcomes, and the recent (features, outcomes)
FitJob = tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray]]


def fit_job(job: FitJob, context: None) -> dict[str, Any]:
    """``fit_model`` as a runner's unit of work, with one BLAS thread: a worker of a Dask
    cluster runs one thread, and the same thread count gives the same bits everywhere."""
    x, y, recent = job
    with threadpool_limits(limits=1, user_api="blas"):
        return fit_model(x, y, recent=recent)


def fit_probability(
    incidents: IncidentArrays,
    policy: Policy,
    *,
    train_until: np.datetime64,
    runner: Runner | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The probability models of every outcome, and their validation report. The eight fits
    (each outcome: on the older origins to validate, on all of them to keep) run on
    ``runner`` (default: here)."""
    t0 = to_day(train_until)
    inc = incidents.select(incidents.date < t0)
    res = policy.resolution
    cells = latlng_to_cells(inc.lat, inc.lon, res)
    universe = np.union1d(study_cells(inc, res), event_area(cells))
    data = ProbabilityData(inc, policy, universe)
    models: dict[str, Any] = {}
    report: dict[str, Any] = {
        "cells": len(universe),
        "region": "the convex hull of the incidents before train_until, plus the study area",
        "origins": PROBABILITY_ORIGINS,
        "isotonic_origins": ISOTONIC_ORIGINS,
        "origin_step_days": ORIGIN_STEP_DAYS,
        "validation": {},
    }
    cache: dict[str, dict[str, np.ndarray]] = {}
    k = ISOTONIC_ORIGINS
    samples: dict[str, tuple[list[np.ndarray], list[np.ndarray], list[str]]] = {}
    jobs: list[FitJob] = []
    for event, horizon in OUTCOMES:
        key = outcome_key(event, horizon)
        xs, ys, origins = [], [], []
        for q in range(PROBABILITY_ORIGINS):
            o = t0 - np.timedelta64(horizon + ORIGIN_STEP_DAYS * q, "D")
            if str(o) not in cache:
                cache[str(o)] = data.counts(o)
            xs.append(features(cache[str(o)][event]))
            ys.append(data.labels(o, horizon, fatal=event == "fatal"))
            origins.append(str(o))
        samples[key] = (xs, ys, origins)
        # forward validation: fit on the older origins (to score the latest), then on all
        jobs.append(
            (
                np.vstack(xs[1:]),
                np.concatenate(ys[1:]),
                (np.vstack(xs[1 : k + 1]), np.concatenate(ys[1 : k + 1])),
            )
        )
        jobs.append(
            (np.vstack(xs), np.concatenate(ys), (np.vstack(xs[:k]), np.concatenate(ys[:k])))
        )
    fitted = (runner or LocalRunner()).map(fit_job, jobs, None)
    for n, (event, horizon) in enumerate(OUTCOMES):
        key = outcome_key(event, horizon)
        xs, ys, origins = samples[key]
        held = fitted[2 * n]
        p = predict(held, cache[origins[0]][event])
        base = float(np.concatenate(ys[1:]).mean())
        cm = calibration_metrics(key, p, ys[0], base_rate=base, bands=policy.levels["bands"])
        report["validation"][key] = {
            "fitted_on": f"{origins[-1]}..{origins[1]} (origins)",
            "scored_on": origins[0],
            "cells": cm.n,
            "observed_rate": round(cm.observed_rate, 4),
            "base_rate": round(cm.base_rate, 4),
            "brier": round(cm.brier, 5),
            "brier_base_rate": round(cm.brier_base, 5),
            "worst_level_gap": round(cm.worst_gap(), 4),
        }
        models[key] = fitted[2 * n + 1]
    assert set(EVENTS) == {e for e, _ in OUTCOMES}
    return models, report


def default_version(dataset: str, train_until: date) -> str:
    return f"calibrated-{dataset}-{train_until.isoformat()}"


def calibrate(
    incidents: IncidentArrays,
    *,
    base: Policy,
    train_until: date,
    dataset: str,
    source: str,
    command: str,
    version: str | None = None,
    runner: Runner | None = None,
) -> CalibrationResult:
    """Fit ``base``'s surface and probability parameters on the incidents before
    ``train_until`` (see the module docstring); the others are never read."""
    t0 = to_day(train_until)
    inc = incidents.select(incidents.date < t0)
    if len(inc) < MIN_INCIDENTS:
        raise CalibrationError(
            f"{len(inc)} incidents before {train_until}; calibration needs {MIN_INCIDENTS}"
        )
    bt = H3Backtest(inc, base, area="events")
    sel = select(bt, train_until=t0, span=np.timedelta64(RANK_SPAN_DAYS, "D"), runner=runner)
    if not sel.validation:
        raise CalibrationError(
            f"no validation period before {train_until} holds an incident"
            f" (the search needs incidents in the {RANK_SPAN_DAYS + 11 * 91} days before it)"
        )
    chosen: RankCandidate = sel.chosen
    ranked = chosen.apply(base)
    models, prob_report = fit_probability(inc, ranked, train_until=t0, runner=runner)
    described = describe_data(inc, dataset=dataset, source=source)
    data = copy.deepcopy(ranked.data)
    data["version"] = version or default_version(dataset, train_until)
    data["probability"]["models"] = models
    data["calibration"] = {
        "command": command,
        "train_until": train_until.isoformat(),
        "data": described.to_dict(),
        "surface": {
            "chosen": chosen.to_dict(),
            "described": sel.label,
            "candidates": len(rank_candidates()),
            "study_area": "cells holding an incident before train_until, plus two rings",
            "validation": sel.validation,
            "objective": (
                "share of periods beating both count baselines"
                f" ({ALL_HISTORY}, {LAST_3_YEARS}) on AUC and PAI@5%,"
                " + 0.01 x (AUC + PAI@5%/20)"
            ),
            "value": round(sel.value, 4),
            "periods": sel.periods,
        },
        "probability": prob_report,
    }
    policy = policy_from_dict(data)
    return CalibrationResult(policy, sel, prob_report, described)


# --- served policies: recalibrated each quarter on the reader's own history -----------------

log = logging.getLogger(__name__)

#: each fit by (policy, quarter, content hash), built once however many readers ask
_served: SurfaceCache[Policy] = SurfaceCache(max_entries=32)


def quarter_start(day: DateLike) -> date:
    """The first day of the calendar quarter holding ``day``."""
    d = to_day(day).astype(date)
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


@dataclass(frozen=True)
class FitKey:
    """What a served fit is: ``policy`` (its content hash) calibrated on incidents before
    ``quarter`` whose content hashes to ``data``. Equal keys, equal fits."""

    policy: str
    quarter: date
    data: str


class FitStore(Protocol):
    """Where served fits outlive the process (``risk.policies.DatabaseFits``)."""

    def load(self, key: FitKey) -> Policy | None: ...

    def save(self, key: FitKey, policy: Policy, *, incidents: int) -> bool:
        """Keep ``policy`` as the fit of ``key`` unless one is kept already (or the store
        only reads); whether it was written."""
        ...


def served_policy(
    incidents: IncidentArrays,
    policy: Policy,
    *,
    as_of: DateLike,
    source: str = "served",
    store: FitStore | None = None,
) -> Policy:
    """The policy that serves figures at ``as_of`` from ``incidents`` (all those the reader
    may read; later ones are ignored): ``policy`` calibrated on the incidents before the first
    day of ``as_of``'s quarter, when it asks for it (``recalibrate.every: quarter``) and they
    number at least ``recalibrate.min_incidents``; ``policy`` itself otherwise, or when that
    history cannot be calibrated (no validation period holds an incident), or when ``policy``
    was already calibrated on exactly that history (``risk calibrate --train-until``).
    ``store``: the fit is read from it when it holds one for that very history, and a fit
    made here is written to it."""
    if policy.recalibrate_every != "quarter":
        return policy
    t0 = quarter_start(as_of)
    before = incidents.select(incidents.date < np.datetime64(t0, "D"))
    if len(before) < max(MIN_INCIDENTS, policy.recalibrate_min_incidents):
        return policy
    digest = content_sha256(before)
    done = policy.data.get("calibration") or {}
    if (
        done.get("train_until") == t0.isoformat()
        and (done.get("data") or {}).get("sha256") == digest
    ):
        return policy
    key = FitKey(policy.sha256, t0, digest)

    def build() -> Policy:
        kept = store.load(key) if store is not None else None
        if kept is not None:
            return kept
        try:
            fitted = calibrate(
                before,
                base=policy,
                train_until=t0,
                dataset=source,
                source=f"the {len(before)} incidents readable before {t0}",
                command=f"served: {policy.version} recalibrated every quarter",
                version=f"{policy.version}@{t0.isoformat()}",
            ).policy
        except CalibrationError as exc:
            log.info("serving %s as it is at %s: %s", policy.version, t0, exc)
            return policy
        return fitted

    served = _served.get((key.policy, key.quarter.isoformat(), key.data), None, build)
    if store is not None and served is not policy:  # kept too when this process fitted it before
        store.save(key, served, incidents=len(before))
    return served
