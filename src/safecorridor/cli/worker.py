"""`safecorridor worker`: the periodic checks and deliveries of alerts."""

from __future__ import annotations

import typer

from safecorridor.alerts.worker import STEPS, Worker, WorkerContext, run_once
from safecorridor.cli.common import console, fail
from safecorridor.db.session import get_engine


def worker_command(
    once: bool = typer.Option(False, "--once", help="Run each step once and exit."),
    interval: float = typer.Option(30.0, "--interval", help="Seconds between rounds."),
    risk_every: float = typer.Option(
        900.0, "--risk-every", help="Seconds between risk-level recomputations."
    ),
    step: list[str] = typer.Option(
        [], "--step", help="With --once: only this step (repeat). Default: every step."
    ),
) -> None:
    """Run the worker: overdue movements, new incidents near sites and routes, risk-level
    rises, the review backlog, and e-mail/webhook deliveries with retries. Safe to run in
    several processes at once; SIGTERM stops it after the current step."""
    unknown = [s for s in step if s not in STEPS]
    if unknown:
        raise fail(f"unknown step {unknown[0]!r}; one of {', '.join(STEPS)}")
    ctx = WorkerContext(engine=get_engine())
    if once:
        runs = run_once(ctx, steps=step or None)
        for name, run in runs.items():
            console.print(
                f"{name:<18} {run.status:<6} found {run.found}"
                + (f"  {(run.error or '').strip().splitlines()[-1]}" if run.error else ""),
                highlight=False,
            )
        if any(r.status != "ok" for r in runs.values()):
            raise typer.Exit(1)
        return
    worker = Worker(ctx, interval=interval, risk_every=risk_every)
    worker.install_signal_handlers()
    console.print(f"worker {ctx.name}: every {interval:g} s; SIGTERM to stop", highlight=False)
    worker.run()
