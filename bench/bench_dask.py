"""The risk calibration's grids here and on a Dask LocalCluster (`--dask`), on the shipped UCDP
GED Pakistan data set (5,730 events 1989-2016).

Run: .venv/bin/python bench/bench_dask.py [--workers N]

Four computations, each in this process (the ``LocalRunner``) and on a LocalCluster of N
worker processes with one thread each (default 2, as `dask worker --nworkers 2 --nthreads 1`
in docs/deploy.md), through the same ``Runner`` the CLI's ``--dask ADDRESS`` uses:

1. the H3 validation grid of ``risk calibrate`` (136 surface candidates x 12 one-year
   periods; units of work: period x fatality weight);
2. the district validation grid of ``risk backtest --level district`` (1,512 candidates x 9
   periods; same units);
3. the whole ``risk calibrate --data ucdp-pakistan --train-until 2016-01-01`` (the H3 grid,
   then the eight probability fits, one unit each);
4. ``risk backtest --level h3 --yearly`` over 2013-2016: four test windows, each calibrated
   before its own start, side by side (one whole window per unit).

The cluster's workers run with glibc's default malloc settings, as
``deploy/dask/safecorridor.yaml`` configures them (Dask's default MALLOC_TRIM_THRESHOLD_
costs the grids CPU in page faults; ``--dask-defaults`` keeps it, to compare). Each figure is the
best of two runs, the local and the cluster's runs alternated (the machine's load changes
under both alike); the cluster's start and its workers' first imports are timed apart. Every
result on the cluster is checked to equal the local one (the chosen candidate, its value to
the bit, the policy's SHA-256).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import dask
import numpy as np
from distributed import LocalCluster

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine

from safecorridor import datasets
from safecorridor.risk.backtest import DistrictBacktest, H3Backtest, select
from safecorridor.risk.calibrate import RANK_SPAN_DAYS, calibrate
from safecorridor.risk.data import read_ucdp_csv
from safecorridor.risk.policy import load_policy
from safecorridor.risk.windows import BacktestContext, backtest_windows
from safecorridor.runner import DaskRunner, LocalRunner, Runner

CUT = date(2016, 1, 1)
REPEAT = 2


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def computations(runner: Runner) -> dict[str, Callable[[], Any]]:
    inc = read_ucdp_csv(datasets.path("ucdp-pakistan"))
    pol = load_policy()
    before = inc.select(inc.date < np.datetime64(CUT))
    h3 = H3Backtest(before, pol, area="events")
    test = inc.select(inc.date < np.datetime64("2017-01-01"))
    district = DistrictBacktest(test, pol)

    def h3_grid() -> Any:
        h3._cache.clear()  # every run computes its spreads afresh, as on the cluster
        sel = select(h3, train_until=CUT, span=np.timedelta64(RANK_SPAN_DAYS, "D"), runner=runner)
        return sel.label, sel.value, sel.periods

    def district_grid() -> Any:
        district._cache.clear()
        sel = select(district, train_until=CUT, span=np.timedelta64(365, "D"), runner=runner)
        return sel.label, sel.value, sel.periods

    def whole() -> Any:
        cal = calibrate(
            inc,
            base=pol,
            train_until=CUT,
            dataset="ucdp",
            source="bench",
            command="bench",
            runner=runner,
        )
        return cal.policy.sha256

    def yearly() -> Any:
        units = [("h3", f"{y}-01-01", f"{y + 1}-01-01") for y in range(2013, 2017)]
        context = BacktestContext(inc, pol, True, "events", "ucdp", "bench")
        results = backtest_windows(units, context, runner)
        return [(r.chosen, [(m.method, m.auc, m.pai) for m in r.metrics]) for r in results]

    return {
        "H3 validation grid (136 candidates x 12 periods, 24 units)": h3_grid,
        "district validation grid (1,512 candidates x 9 periods, 18 units)": district_grid,
        "risk calibrate, whole (H3 grid + 8 probability fits)": whole,
        "risk backtest --level h3 --yearly, 2013-2016 (4 windows, 4 units)": yearly,
    }


def main() -> None:
    workers = int(sys.argv[sys.argv.index("--workers") + 1]) if "--workers" in sys.argv else 2
    print(f"machine: {machine()}; nproc {os.cpu_count()}")
    print(f"date: {subprocess.run(['date', '-u'], capture_output=True, text=True).stdout.strip()}")
    keep = "--dask-defaults" in sys.argv
    if not keep:  # as deploy/dask/safecorridor.yaml
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None})
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    t = time.perf_counter()
    here: dict[str, list[tuple[float, Any]]] = {}
    there: dict[str, list[tuple[float, Any]]] = {}
    with LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        started = time.perf_counter() - t
        with DaskRunner(cluster.scheduler_address) as on_cluster:
            t = time.perf_counter()
            on_cluster.map(_warm, list(range(workers * 4)), None)  # the workers import the package
            warm = time.perf_counter() - t
            local, remote = computations(LocalRunner()), computations(on_cluster)
            for name in local:  # alternated, so that a change of load hits both alike
                for _ in range(REPEAT):
                    here.setdefault(name, []).append(timed(local[name]))
                    there.setdefault(name, []).append(timed(remote[name]))
    print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    malloc = "Dask's default MALLOC_TRIM_THRESHOLD_" if keep else "glibc's default malloc"
    print(
        f"\nLocalCluster ({malloc}): {workers} worker processes x 1 thread,"
        f" started in {started:.1f} s;"
        f" first import of safecorridor.risk on the workers {warm:.1f} s\n"
    )
    print(f"| computation | here | LocalCluster ({workers} processes) | speed-up | same result |")
    print("|---|---:|---:|---:|---|")
    for name in here:
        t_here, t_there = min(t for t, _ in here[name]), min(t for t, _ in there[name])
        outs = [out for _, out in here[name] + there[name]]
        same = "yes" if all(out == outs[0] for out in outs) else "NO"
        print(f"| {name} | {t_here:.2f} s | {t_there:.2f} s | {t_here / t_there:.2f}x | {same} |")
        if same != "yes":
            raise SystemExit(f"{name}: the cluster's result differs from the local one")


def _warm(item: int, context: None) -> int:
    return len(H3Backtest.__name__) + item


if __name__ == "__main__":
    main()
