"""Backtest windows as units of work: one (level, test window) each, fitted on the history
before its own start, as ``risk backtest`` runs them.

Several windows (``risk backtest --yearly``: one per test year) are independent: a runner
runs them side by side, each on one worker (``backtest_window``). A single window instead
sends its own finer units (the validation grid's periods, the probability fits) to the
runner. Either way every unit is deterministic and the results come back in the units'
order, so the tables are the same on every runner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from safecorridor.risk.backtest import (
    DistrictBacktest,
    WindowResult,
    run_window,
    score_surface,
)
from safecorridor.risk.calibrate import calibrate
from safecorridor.risk.data import IncidentArrays
from safecorridor.risk.policy import Policy
from safecorridor.risk.surface import compute_surface
from safecorridor.runner import LocalRunner, Runner

LEVELS = ("h3", "district")
#: the most test windows one backtest runs (fifty years of yearly windows)
MAX_WINDOWS = 50

#: (level, train_until, test_until), dates as YYYY-MM-DD
WindowUnit = tuple[str, str, str]


@dataclass(frozen=True)
class BacktestContext:
    """What every window of one backtest shares (sent once to each worker)."""

    incidents: IncidentArrays
    policy: Policy
    validate: bool
    area: str
    dataset: str
    source: str


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def yearly_windows(train_until: date, test_until: date) -> list[tuple[date, date]]:
    """One test window per year from ``train_until``, the last one ending at ``test_until``."""
    if test_until <= train_until:
        raise ValueError("the test period must end after it starts")
    out: list[tuple[date, date]] = []
    start = train_until
    while start < test_until:
        end = min(_next_year(start), test_until)
        out.append((start, end))
        if len(out) > MAX_WINDOWS:
            raise ValueError(f"at most {MAX_WINDOWS} yearly windows; narrow the test period")
        start = end
    return out


def backtest_window(
    unit: WindowUnit, context: BacktestContext, runner: Runner | None = None
) -> WindowResult:
    """One level's backtest on one window: ``h3`` calibrated on the history before the
    window (unless ``validate`` is off) and scored on it; ``district``: the district model
    chosen on its validation periods. ``runner`` runs the window's own units (default: here).
    Raises ``CalibrationError`` when the history before the window is too thin."""
    level, train_until, test_until = unit
    if level not in LEVELS:
        raise ValueError(f"level is h3 or district, not {level!r}")
    t0, t1 = date.fromisoformat(train_until), date.fromisoformat(test_until)
    ctx = context
    inc = ctx.incidents
    if level == "h3":
        label = "policy as given"
        chosen = ctx.policy
        if ctx.validate:
            cal = calibrate(
                inc,
                base=ctx.policy,
                train_until=t0,
                dataset=ctx.dataset,
                source=ctx.source,
                command="risk backtest",
                runner=runner,
            )
            chosen, label = cal.policy, cal.selection.label
        surf = compute_surface(inc, as_of=t0, policy=chosen)
        r = score_surface(surf, inc, test_until=t1, area=ctx.area, label=label)
        r.chosen = label
        r.metrics[0].params = label
        return r
    window = inc.select(inc.date < np.datetime64(t1, "D"))
    bt = DistrictBacktest(window, ctx.policy)
    return run_window(bt, train_until=t0, test_until=t1, validate=ctx.validate, runner=runner)


def backtest_windows(
    units: list[WindowUnit], context: BacktestContext, runner: Runner | None = None
) -> list[WindowResult]:
    """Every unit's result, in the units' order: one window (of one or both levels) one level
    after the other, each with its own finer units on ``runner``; several windows side by
    side on ``runner``, each computed whole on one worker."""
    run = runner or LocalRunner()
    if len({(a, b) for _, a, b in units}) <= 1:
        return [backtest_window(unit, context, run) for unit in units]
    return run.map(_whole_window, units, context)


def _whole_window(unit: WindowUnit, context: BacktestContext) -> Any:
    return backtest_window(unit, context)
