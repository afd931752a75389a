"""Backtest of the risk model on UCDP GED Pakistan 1989-2016 (5,730 events).

Run: .venv/bin/python bench/bench_backtest.py [CSV]
Rolling yearly windows (test year Y; validation before Y only: H3 on the three years before Y,
districts on nine one-year periods with origins a quarter apart from Y-3-01-01 to Y-1-01-01,
each scored from the incidents before it), plus a two-year window (test 2015-2016), on the H3
surface and per district (adm_2). Prints markdown tables.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from safecorridor.risk.backtest import (
    DistrictBacktest,
    H3Backtest,
    WindowResult,
    markdown_table,
    run_window,
    summary_table,
)
from safecorridor.risk.data import read_ucdp_csv
from safecorridor.risk.policy import load_policy

DEFAULT_CSV = (
    Path(__file__).resolve().parents[2]
    / "shared/data/ucdp-ged-pakistan/conflict_data_pak_1989-2016.csv"
)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CSV
    started = time.perf_counter()
    incidents = read_ucdp_csv(path)
    policy = load_policy()
    h3_bt = H3Backtest(incidents, policy)
    district_bt = DistrictBacktest(incidents, policy)
    print(f"{len(incidents):,} events {incidents.date.min()}..{incidents.date.max()}")
    print(f"H3 study region: {len(h3_bt.units):,} res-{policy.resolution} cells")
    print(
        f"districts: {len(district_bt.units)}"
        f" (events without adm_2: {(incidents.adm2 == '').sum()})"
    )
    results: list[WindowResult] = []
    for bt in (h3_bt, district_bt):
        for year in range(2010, 2017):
            results.append(
                run_window(bt, train_until=f"{year}-01-01", test_until=f"{year + 1}-01-01")
            )
        results.append(run_window(bt, train_until="2015-01-01", test_until="2017-01-01"))
    print("\n## Summary: model vs count baselines (PAI@5%, AUC)\n")
    print(summary_table(results))
    print("\n## All metrics\n")
    print(markdown_table(results))
    print(f"\n(total {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
