"""Experiments on the per-year reliability and the 2015 PAI (bench/RESULTS-risk.md, "Per-year
reliability and 2015"): one change at a time in the calibration done before each test year,
each test year scored as ``bench_backtest.py`` section 1 scores it (same study area, labels and
bands). Nothing here changes the served model: the variants patch the calibration's settings
for this process only.

Run: .venv/bin/python bench/exp_reliability.py prob VARIANT [YEAR ...]
     .venv/bin/python bench/exp_reliability.py rank VARIANT [YEAR ...]
     .venv/bin/python bench/exp_reliability.py noise served [YEAR ...]
     .venv/bin/python bench/exp_reliability.py ranknoise served [YEAR ...]

prob variants: served, iso2, iso8, national, all-history, shipped, fixedYYYY (fitted once
    before YYYY-01-01 and served unchanged after)
rank variants: served, recent-3y, long-3y, recency365, recency730, fixedYYYY
"""

from __future__ import annotations

import copy
import sys
import time
from typing import Any

import numpy as np

from safecorridor import datasets
from safecorridor.risk import backtest as bk
from safecorridor.risk import calibrate as cal
from safecorridor.risk import probability as pr
from safecorridor.risk.backtest import H3Backtest, OutcomeLabels, calibration_metrics
from safecorridor.risk.data import IncidentArrays, read_ucdp_csv
from safecorridor.risk.policy import Policy, load_policy, policy_from_dict
from safecorridor.risk.surface import compute_surface

YEARS = list(range(2010, 2017))
OUTCOMES = ("fatal_90", "any_90", "fatal_30", "any_30")


def with_windows(policy: Policy, windows: list[int]) -> Policy:
    data = copy.deepcopy(policy.data)
    data["probability"]["windows_days"] = windows
    for model in data["probability"]["models"].values():
        model["coef"] = [0.0] * len(windows)  # refitted before use
    return policy_from_dict(data)


def national_rows(
    inc: IncidentArrays, origin: np.datetime64, windows: list[int]
) -> dict[str, float]:
    """One feature per event: ln((national count in the last 90 days + 1) / (the last year's
    rate over 90 days + 1)), stored as expm1 so that the features' log1p gives it back."""
    age = (origin - inc.date).astype(np.int64)
    known = inc.date < origin
    out: dict[str, float] = {}
    for event in ("any", "fatal"):
        sel = known & ((inc.fatalities > 0) if event == "fatal" else True)
        n90 = np.count_nonzero(sel & (age <= 90))
        n365 = np.count_nonzero(sel & (age <= 365))
        out[event] = np.expm1(np.log((n90 + 1) / (n365 * 90 / 365 + 1)))
    return out


def add_national(
    counts: dict[str, np.ndarray], nat: dict[str, float], n: int
) -> dict[str, np.ndarray]:
    return {e: np.vstack([v, np.full((1, n), nat[e])]) for e, v in counts.items()}


def signed_features(counts: np.ndarray) -> np.ndarray:  # the national row may be negative
    c = np.asarray(counts, dtype=float)
    return np.asarray(np.sign(c) * np.log1p(np.abs(c)), dtype=float).T


def prob(variant: str, years: list[int]) -> None:
    inc = read_ucdp_csv(datasets.path("ucdp-pakistan"))
    policy = load_policy()
    if variant == "iso2":
        cal.ISOTONIC_ORIGINS = 2
    elif variant == "iso8":
        cal.ISOTONIC_ORIGINS = 8
    elif variant == "all-history":
        policy = with_windows(policy, [36500, *policy.probability["windows_days"]])
    elif variant == "national":
        plain = cal.ProbabilityData.counts

        def national_counts(self: Any, origin: np.datetime64) -> dict[str, np.ndarray]:
            nat = national_rows(self.incidents, origin, self.windows)
            return add_national(plain(self, origin), nat, len(self.universe))

        cal.ProbabilityData.counts = national_counts  # type: ignore[method-assign]
        cal.features = signed_features  # type: ignore[attr-defined]
        pr.features = signed_features
    elif variant not in ("served", "shipped") and not variant.startswith("fixed"):
        raise SystemExit(f"unknown prob variant {variant}")
    fixed = None
    if variant.startswith("fixed"):  # fitted once, served unchanged in the years after
        t_fit = np.datetime64(f"{int(variant.removeprefix('fixed'))}-01-01")
        fixed = cal.fit_probability(inc.select(inc.date < t_fit), policy, train_until=t_fit)[0]
    units = H3Backtest(inc, policy, area="events").units
    labels = OutcomeLabels(inc, units, policy.resolution, policy.probability_radius_km)
    bands = policy.levels["bands"]
    pooled_p, pooled_y = [], []
    for year in years:
        t0 = np.datetime64(f"{year}-01-01")
        before = inc.select(inc.date < t0)
        if variant == "shipped":
            models = policy.probability["models"]
        elif fixed is not None:
            models = fixed
        else:
            models = cal.fit_probability(before, policy, train_until=t0)[0]
        counts = compute_surface(before, as_of=t0, policy=policy).counts_at_cells(units)
        if variant == "national":
            windows = [int(w) for w in policy.probability["windows_days"]]
            counts = add_national(counts, national_rows(before, t0, windows), len(units))
        cells = []
        for key in OUTCOMES:
            event, horizon = key.split("_")
            p = pr.predict(models[key], counts[event])
            y = labels(t0, int(horizon), fatal=event == "fatal")
            base = labels.base_rate(t0, int(horizon), fatal=event == "fatal")
            cm = calibration_metrics(key, p, y, base_rate=base, bands=bands)
            cells.append(
                f"{key} Brier {cm.brier:.4f} / base {cm.brier_base:.4f}, gap "
                f"{100 * cm.worst_gap():.1f} pts"
            )
            if key == policy.level_outcome:
                pooled_p.append(p)
                pooled_y.append(y)
        print(year, " | ".join(cells), flush=True)
    cm = calibration_metrics(
        policy.level_outcome,
        np.concatenate(pooled_p),
        np.concatenate(pooled_y),
        base_rate=0.0,
        bands=bands,
    )
    print(
        f"pooled {policy.level_outcome}: Brier {cm.brier:.4f}, gap {100 * cm.worst_gap():.2f} pts"
    )


def recency_select(
    bt: Any, *, train_until: np.datetime64, span: np.timedelta64, half_life: float
) -> bk.Selection:
    """``backtest.select`` with the validation periods weighted by 0.5 ** (age / half_life)."""
    inc = bt.incidents
    starts = bk.validation_starts(bt, train_until, span)
    windows = [(v0, bt.counts(inc.between(v0, min(v0 + span, train_until)))) for v0 in starts]
    windows = [(v0, hits) for v0, hits in windows if hits.sum() > 0]
    base = [
        [bk.evaluate(str(i), s, hits) for i, s in enumerate(bt.objective_baselines(v0, span))]
        for v0, hits in windows
    ]
    age = np.array([float((train_until - v0 - span).astype(int)) for v0, _ in windows])
    weight = 0.5 ** (age / half_life)
    candidates = bt.candidates()
    chosen, label = candidates[0]
    best = -np.inf
    for cand, desc in candidates:
        values = [
            bt.objective(bk.evaluate("m", bt.score(cand, v0), hits), b)
            for (v0, hits), b in zip(windows, base, strict=True)
        ]
        value = float(np.average(values, weights=weight))
        if value > best + 1e-12:
            best, chosen, label = value, cand, desc
    return bk.Selection(chosen, label, "", best)


def rank(variant: str, years: list[int]) -> None:
    half_life = 0.0
    if variant == "recent-3y":
        bk.RECENT_HALF_LIVES = (90.0, 365.0, 1096.0)  # type: ignore[assignment]
    elif variant == "long-3y":
        bk.LONG_HALF_LIVES = (1096.0, 3650.0, 36500.0)  # type: ignore[assignment]
    elif variant.startswith("recency"):
        half_life = float(variant.removeprefix("recency"))
    elif variant != "served" and not variant.startswith("fixed"):
        raise SystemExit(f"unknown rank variant {variant}")
    inc = read_ucdp_csv(datasets.path("ucdp-pakistan"))
    policy = load_policy()
    full = H3Backtest(inc, policy, area="events")
    span = np.timedelta64(365, "D")
    print(f"{len(bk.rank_candidates())} candidates")
    fixed = None
    if variant.startswith("fixed"):  # chosen once, served unchanged in the years after
        t_fit = np.datetime64(f"{int(variant.removeprefix('fixed'))}-01-01")
        bt = H3Backtest(inc.select(inc.date < t_fit), policy, area="events")
        fixed = bk.select(bt, train_until=t_fit, span=span)
    for year in years:
        t0, t1 = np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01")
        before = inc.select(inc.date < t0)
        bt = H3Backtest(before, policy, area="events")
        if fixed is not None:
            sel = fixed
        elif half_life:
            sel = recency_select(bt, train_until=t0, span=span, half_life=half_life)
        else:
            sel = bk.select(bt, train_until=t0, span=span)
        surface = compute_surface(
            before, as_of=t0, policy=sel.chosen.apply(policy), with_probabilities=False
        )
        hits = full.counts(inc.between(t0, t1))
        m = bk.evaluate("model", surface.values_at_cells(full.units), hits)
        base = {n: bk.evaluate(n, c, hits) for n, c in bk.count_baselines(full, t0, span)}
        a, l3 = base[bk.ALL_HISTORY], base[bk.LAST_3_YEARS]
        print(
            f"{year}: PAI@5% {m.pai[0.05]:.2f} / {a.pai[0.05]:.2f} / {l3.pai[0.05]:.2f},"
            f" AUC {m.auc:.3f} / {a.auc:.3f} / {l3.auc:.3f}, beats both {bk.beats(m, [a, l3])};"
            f" {sel.label}",
            flush=True,
        )


def noise(variant: str, years: list[int]) -> None:
    """How far a calibrated forecaster's band would miss by chance at one date: for the served
    probabilities of each test year (fatal, 25 km, 90 days, from Y-01-01), each level band's gap
    beside the spread of its mean residual (observed - predicted) when the study area's res-3
    blocks (~12,000 km², wider than the 25-km outcome disks, so neighbouring cells' shared
    outcomes stay together) are drawn again with replacement (1,000 draws); and the worst gap
    of independent Bernoulli(p) outcomes (the optimistic floor: no spatial correlation)."""
    from h3.api import basic_int as h3i

    if variant != "served":
        raise SystemExit("noise runs on the served probabilities only")
    inc = read_ucdp_csv(datasets.path("ucdp-pakistan"))
    policy = load_policy()
    units = H3Backtest(inc, policy, area="events").units
    labels = OutcomeLabels(inc, units, policy.resolution, policy.probability_radius_km)
    bands = policy.levels["bands"]
    names = list(bands)
    edges = np.array([float(bands[n]) for n in names] + [1.0 + 1e-9])
    _, block = np.unique([h3i.cell_to_parent(int(c), 3) for c in units], return_inverse=True)
    n_blocks = int(block.max()) + 1
    rng = np.random.default_rng(5)
    print(f"{len(units)} cells in {n_blocks} res-3 blocks")
    for year in years:
        t0 = np.datetime64(f"{year}-01-01")
        before = inc.select(inc.date < t0)
        models = cal.fit_probability(before, policy, train_until=t0)[0]
        counts = compute_surface(before, as_of=t0, policy=policy).counts_at_cells(units)
        p = pr.predict(models[policy.level_outcome], counts["fatal"])
        y = labels(t0, 90, fatal=True).astype(float)
        band = np.searchsorted(edges, p, side="right") - 1
        parts, floor = [], []
        for b, name in enumerate(names):
            inb = band == b
            if inb.sum() < 30:
                continue
            gap = abs(y[inb].mean() - p[inb].mean())
            res_sum = np.bincount(block[inb], weights=(y - p)[inb], minlength=n_blocks)
            n_in = np.bincount(block[inb], minlength=n_blocks).astype(float)
            draws = rng.integers(0, n_blocks, (1000, n_blocks))
            boot = res_sum[draws].sum(axis=1) / np.maximum(n_in[draws].sum(axis=1), 1)
            sims = rng.random((1000, int(inb.sum()))) < p[inb]
            floor.append(np.abs(sims.mean(axis=1) - p[inb].mean()))
            parts.append(
                f"{name} n={int(inb.sum())} gap {100 * gap:.1f} ± {100 * boot.std():.1f}"
                f" (z {gap / max(boot.std(), 1e-9):.1f})"
            )
        worst = 100 * np.max(np.vstack(floor), axis=0)
        print(
            f"{year}: " + "; ".join(parts) + " | independent outcomes: worst gap median"
            f" {np.median(worst):.1f}, 95th pct {np.quantile(worst, 0.95):.1f}",
            flush=True,
        )


def ranknoise(variant: str, years: list[int]) -> None:
    """How sure is "beats both count baselines" in one year? For the served surface of each
    test year (chosen before Y-01-01, as section 1), the study area's res-3 blocks are drawn
    again with replacement (1,000 draws; each block keeps its cells' scores and events): the
    spread of PAI@5% and AUC of the model minus each baseline, and the share of draws in which
    the model beats both on both. The product of those shares over the years is the chance
    that a forecaster this good passes "every year" on data like these."""
    from h3.api import basic_int as h3i

    if variant != "served":
        raise SystemExit("ranknoise runs on the served surface only")
    inc = read_ucdp_csv(datasets.path("ucdp-pakistan"))
    policy = load_policy()
    full = H3Backtest(inc, policy, area="events")
    units = full.units
    _, block = np.unique([h3i.cell_to_parent(int(c), 3) for c in units], return_inverse=True)
    n_blocks = int(block.max()) + 1
    members = [np.flatnonzero(block == b) for b in range(n_blocks)]
    rng = np.random.default_rng(9)
    span = np.timedelta64(365, "D")
    every = 1.0
    print(f"{len(units)} cells in {n_blocks} res-3 blocks; 1,000 draws")
    for year in years:
        t0, t1 = np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01")
        before = inc.select(inc.date < t0)
        sel = bk.select(H3Backtest(before, policy, area="events"), train_until=t0, span=span)
        surface = compute_surface(
            before, as_of=t0, policy=sel.chosen.apply(policy), with_probabilities=False
        )
        hits = full.counts(inc.between(t0, t1))
        scores = {"model": surface.values_at_cells(units)}
        scores.update(dict(bk.count_baselines(full, t0, span)))
        names = ["model", bk.ALL_HISTORY, bk.LAST_3_YEARS]
        dpai, dauc, wins = [], [], 0
        for _ in range(1000):
            idx = np.concatenate([members[b] for b in rng.integers(0, n_blocks, n_blocks)])
            m = {n: bk.evaluate(n, scores[n][idx], hits[idx]) for n in names}
            base = [m[bk.ALL_HISTORY], m[bk.LAST_3_YEARS]]
            dpai.append(m["model"].pai[0.05] - max(b.pai[0.05] for b in base))
            dauc.append(m["model"].auc - max(b.auc for b in base))
            wins += bk.beats(m["model"], base)
        share = wins / 1000
        every *= share
        print(
            f"{year}: PAI@5% model - best baseline {np.mean(dpai):+.2f} ± {np.std(dpai):.2f},"
            f" AUC {np.mean(dauc):+.3f} ± {np.std(dauc):.3f}; beats both in {100 * share:.0f}%"
            f" of draws",
            flush=True,
        )
    print(f"chance of beating both in every one of these years: {100 * every:.1f}%")


def main() -> None:
    if len(sys.argv) < 3 or sys.argv[1] not in ("prob", "rank", "noise", "ranknoise"):
        raise SystemExit(__doc__)
    years = [int(y) for y in sys.argv[3:]] or YEARS
    started = time.perf_counter()
    run = {"prob": prob, "rank": rank, "noise": noise, "ranknoise": ranknoise}
    run[sys.argv[1]](sys.argv[2], years)
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
