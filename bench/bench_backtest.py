"""Backtest of what is served, on UCDP GED Pakistan 1989-2016 (the shipped data set).

Run: .venv/bin/python bench/bench_backtest.py [--quick]

1. The served surface, year by year (test years 2010-2016): the shipped data set is imported
   into a fresh SQLite store; for each year Y the policy is calibrated on the store's
   incidents before Y-01-01 (`risk calibrate --source ucdp --train-until Y-01-01 --activate`:
   nothing from Y on is read) and the surface `risk surface --as-of Y-01-01` serves with it
   is scored against the events of Y (`risk backtest --surface-as-served`: same functions).
   H3 res 6; the study area is every cell that ever held an event plus two rings. Ranking
   against the all-history and last-3-years counts; the probabilities against what happened
   in the 30 / 90 days after Y-01-01 (Brier score against the base rate, reliability).
   The shipped default, as served with no calibration by hand (`recalibrate: {every:
   quarter}`: ``risk.calibrate.served_policy``), is checked to serve the very same surface.
2. The surfaces served on the first day of each quarter of Y (more outcomes, less noise in
   the reliability table; each quarter served recalibrated on the history before it).
3. The shipped default frozen (fitted on 1989-2016 and not recalibrated: in-sample for these
   years; for reference).
4. The corridor layer: does mixing it into the surface cost skill on violence in general?
5. The district backtest (unchanged model family; --quick leaves it out).
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

from safecorridor import datasets
from safecorridor.cli.risk import served_surface
from safecorridor.db.engine import make_engine, migrate
from safecorridor.db.session import reset_engine, session_scope
from safecorridor.risk.backtest import (
    DistrictBacktest,
    H3Backtest,
    OutcomeLabels,
    WindowResult,
    beats,
    calibration_metrics,
    evaluate,
    event_area,
    pooled_calibration,
    reliability_table,
    run_window,
    score_surface,
    summary_table,
)
from safecorridor.risk.calibrate import calibrate
from safecorridor.risk.data import IncidentArrays, read_store
from safecorridor.risk.policies import activate_policy, active_policy
from safecorridor.risk.policy import Policy, load_policy
from safecorridor.risk.surface import compute_surface
from safecorridor.sources.importers.registry import import_file

YEARS = range(2010, 2017)


def calibration_rows(results: list[WindowResult], outcome: str) -> str:
    rows = [
        "| from | cells | observed | base rate | Brier | Brier of base rate | skill |"
        " worst gap, level bands >= 30 cells |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        c = next(x for x in r.calibration if x.outcome == outcome)
        rows.append(
            f"| {r.train_until} | {c.n} | {c.observed_rate:.3f} | {c.base_rate:.3f}"
            f" | {c.brier:.4f} | {c.brier_base:.4f} | {c.skill:.3f}"
            f" | {100 * c.worst_gap():.2f} pts |"
        )
    return "\n".join(rows)


def pooled(results: list[WindowResult], policy: Policy, title: str) -> None:
    bands = policy.levels["bands"]
    print(f"\n### {title}\n")
    print("| outcome | places | Brier | Brier of base rate | skill | worst gap (levels) |")
    print("|---|---:|---:|---:|---:|---:|")
    for outcome in ("fatal_90", "any_90", "fatal_30", "any_30"):
        pc = pooled_calibration(results, outcome, bands)
        assert pc is not None
        print(
            f"| {outcome} | {pc.n} | {pc.brier:.4f} | {pc.brier_base:.4f} | {pc.skill:.3f}"
            f" | {100 * pc.worst_gap():.2f} pts |"
        )
    pc = pooled_calibration(results, policy.level_outcome, bands)
    assert pc is not None
    print(f"\nReliability of {policy.level_outcome} by level band:\n")
    print(reliability_table(pc.by_level))
    print(f"\nReliability of {policy.level_outcome} by tenths:\n")
    print(reliability_table(pc.by_tenth))


def past_area_calibration(
    results: list[WindowResult], incidents: IncidentArrays, units: np.ndarray, policy: Policy
) -> None:
    """The pooled reliability of the level's outcome on the cells within two rings of an
    event before each date: a study area that does not know which cells hold events later
    (the full area includes every cell of a later event, and so places with no history
    nearby that are about to see one)."""
    cells = incidents.cells(policy.resolution)
    p, y = [], []
    for r in results:
        c = next(x for x in r.calibration if x.outcome == policy.level_outcome)
        assert c.samples is not None
        past = np.isin(units, event_area(cells[incidents.date < np.datetime64(r.train_until)]))
        p.append(c.samples[0][past])
        y.append(c.samples[1][past])
    cm = calibration_metrics(
        policy.level_outcome,
        np.concatenate(p),
        np.concatenate(y),
        base_rate=0.0,
        bands=policy.levels["bands"],
    )
    print(
        f"\nThe same on the cells within two rings of an event before each date"
        f" ({cm.n} places; Brier {cm.brier:.4f}):\n"
    )
    print(reliability_table(cm.by_level))


def corridor_cost(
    incidents: IncidentArrays, policies: dict[int, Policy], labels: str, flags: np.ndarray
) -> str:
    """AUC / PAI@5% of the served surface, and of the surface with the corridor layer mixed
    in, when ``flags`` mark the incidents that targeted foreign nationals (x2)."""
    flagged = incidents.select(np.ones(len(incidents), dtype=bool))
    flagged.foreign_target = flags
    bt = H3Backtest(incidents, load_policy(), area="events")
    out = []
    for year, pol in policies.items():
        t0, t1 = np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01")
        hits = bt.counts(incidents.between(t0, t1))
        surf = compute_surface(flagged, as_of=t0, policy=pol, with_probabilities=False)
        base = evaluate("base", surf.values_at_cells(bt.units), hits)
        mixed_scores = surf.values_at_cells(bt.units) + surf.corridor_at_cells(bt.units)
        mixed = evaluate("mixed", mixed_scores, hits)
        out.append((base.auc, mixed.auc, base.pai[0.05], mixed.pai[0.05]))
    a = np.array(out)
    return (
        f"| {labels} | {int(flags.sum())} | {a[:, 0].mean():.4f} | {a[:, 1].mean():.4f}"
        f" | {a[:, 2].mean():.2f} | {a[:, 3].mean():.2f} |"
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="sc-bench-backtest-") as tmp:
        run(Path(tmp), quick="--quick" in sys.argv)


def run(tmp: Path, *, quick: bool) -> None:
    started = time.perf_counter()
    shipped = load_policy()
    engine = make_engine(f"sqlite:///{tmp / 'bench.db'}")
    migrate(engine)
    reset_engine(engine)
    report = import_file("ucdp", datasets.path("ucdp-pakistan"))
    print(f"imported the shipped UCDP data set: {report.new} events into a temporary SQLite store")
    with session_scope() as session:
        incidents = read_store(session, source_dataset="ucdp")
    units = H3Backtest(incidents, shipped, area="events").units
    print(
        f"{len(incidents):,} events {incidents.date.min()}..{incidents.date.max()};"
        f" study area: {len(units):,} res-6 cells (every cell with an event + 2 rings)"
    )
    labels = OutcomeLabels(incidents, units, shipped.resolution, shipped.probability_radius_km)

    served: list[WindowResult] = []
    quarterly: list[WindowResult] = []
    fitted: dict[int, Policy] = {}
    for year in YEARS:
        t0 = date(year, 1, 1)
        with session_scope() as session:
            before = read_store(session, source_dataset="ucdp", as_of=t0)
        cal = calibrate(
            before,
            base=shipped,
            train_until=t0,
            dataset="ucdp",
            source="store",
            command=f"safecorridor risk calibrate --source ucdp --train-until {t0} --activate",
        )
        with session_scope() as session:
            activate_policy(session, cal.policy, note=f"bench {year}")
        with session_scope() as session:
            pol = active_policy(session)
            assert pol.sha256 == cal.policy.sha256
            surf = served_surface(session, as_of=t0, policy=pol, source="ucdp")
            fitted[year] = pol
            r = score_surface(surf, incidents, test_until=f"{year + 1}-01-01", labels=labels)
            r.metrics[0].params = cal.selection.label
            served.append(r)
            # what the shipped default serves with no calibration by hand: recalibrated for
            # the quarter on the store's incidents (risk.calibrate.served_policy), the same
            auto = served_surface(session, as_of=t0, policy=shipped, source="ucdp")
            same = (
                auto.policy.data["decay"] == pol.data["decay"]
                and auto.policy.probability == pol.probability
                and np.array_equal(auto.values, surf.values)
                and all(np.array_equal(auto.prob[k], surf.prob[k]) for k in surf.prob)
            )
            print(f"{year}: the shipped default as served ({auto.policy.version}) is this: {same}")
            for month in (4, 7, 10):
                day = date(year, month, 1)
                qs = served_surface(session, as_of=day, policy=pol, source="ucdp")
                quarterly.append(
                    score_surface(qs, incidents, test_until=f"{year + 1}-01-01", labels=labels)
                )
        quarterly.append(r)
        m = r.by_method()
        print(
            f"{year}: {cal.selection.label}; beats both: "
            f"{beats(m['model'], [m['all-history counts'], m['last-3-years counts']])}",
            flush=True,
        )

    print("\n## 1. The served surface, calibrated before each test year\n")
    print(summary_table(served))
    print(f"\n### Probabilities from Y-01-01: {shipped.level_outcome}\n")
    print(calibration_rows(served, shipped.level_outcome))
    print("\nThe other outcomes, per year:\n")
    for outcome in ("any_90", "fatal_30", "any_30"):
        print(f"{outcome}:\n")
        print(calibration_rows(served, outcome))
        print()
    pooled(served, shipped, "Pooled over the 7 test years (as of Y-01-01)")
    past_area_calibration(served, incidents, units, shipped)
    pooled(quarterly, shipped, "Pooled over 28 dates (the first day of each quarter of Y)")
    past_area_calibration(quarterly, incidents, units, shipped)

    print("\n## 3. The shipped default frozen (fitted on 1989-2016: in-sample, for reference)\n")
    reference = []
    for year in YEARS:
        surf = compute_surface(incidents, as_of=f"{year}-01-01", policy=shipped)
        reference.append(
            score_surface(surf, incidents, test_until=f"{year + 1}-01-01", labels=labels)
        )
    print(summary_table(reference))
    pooled(reference, shipped, "The shipped default, pooled (in-sample)")

    print("\n## 4. The corridor layer mixed into the surface: cost on violence in general\n")
    print(
        "| incidents flagged as targeting foreign nationals (x2) | flagged | AUC served"
        " | AUC mixed | PAI@5% served | PAI@5% mixed |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    print(
        corridor_cost(
            incidents,
            fitted,
            "none (UCDP codes no target nationality)",
            np.zeros(len(incidents), dtype=bool),
        )
    )
    rng = np.random.default_rng(13)
    for share in (0.02, 0.10):
        print(
            corridor_cost(
                incidents, fitted, f"a random {share:.0%}", rng.random(len(incidents)) < share
            )
        )
    worst = np.argsort(-incidents.fatalities)[: len(incidents) // 20]
    flags = np.zeros(len(incidents), dtype=bool)
    flags[worst] = True
    print(corridor_cost(incidents, fitted, "the deadliest 5%", flags))

    if not quick:
        print("\n## 5. Districts (adm_2)\n")
        bt = DistrictBacktest(incidents, shipped)
        results = [
            run_window(bt, train_until=f"{y}-01-01", test_until=f"{y + 1}-01-01") for y in YEARS
        ]
        print(summary_table(results))
    reset_engine(None)
    engine.dispose()
    print(f"\n(total {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
