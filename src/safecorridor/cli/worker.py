"""`safecorridor worker`: the periodic checks and deliveries of alerts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import typer

from safecorridor.alerts.worker import STEPS, Worker, WorkerContext, run_once
from safecorridor.cli.common import console, fail
from safecorridor.db.session import get_engine
from safecorridor.ops.backup import BackupError, BackupSchedule
from safecorridor.ops.running import WORKER, in_use
from safecorridor.settings import get_settings


def backup_schedule(
    every: float | None, folder: Path | None, keep: int | None
) -> BackupSchedule | None:
    """The worker's backup schedule from the options, else the settings; None: off."""
    settings = get_settings()
    every = every if every is not None else settings.backup_every_hours
    folder = folder if folder is not None else settings.backup_dir
    keep = keep if keep is not None else settings.backup_keep
    if every is None and folder is None:
        return None
    if every is None or folder is None:
        raise fail(
            "scheduled backups need both --backup-every HOURS and --backup-dir DIR "
            "(or SAFECORRIDOR_BACKUP_EVERY_HOURS and SAFECORRIDOR_BACKUP_DIR)"
        )
    if not 0 < every <= 24 * 366:
        raise fail(f"--backup-every {every:g}: give hours between 0 and {24 * 366}")
    try:
        return BackupSchedule(folder=folder, every=timedelta(hours=every), keep=keep)
    except BackupError as exc:
        raise fail(str(exc)) from None


def worker_command(
    once: bool = typer.Option(False, "--once", help="Run each step once and exit."),
    interval: float = typer.Option(30.0, "--interval", help="Seconds between rounds."),
    risk_every: float = typer.Option(
        900.0, "--risk-every", help="Seconds between risk-level recomputations."
    ),
    poll: float = typer.Option(
        1.0,
        "--poll",
        help="Seconds between checks, between rounds, for new incidents to evaluate and "
        "deliveries due (0: only at each round).",
    ),
    step: list[str] = typer.Option(
        [], "--step", help="With --once: only this step (repeat). Default: every step."
    ),
    backup_every: float | None = typer.Option(
        None,
        "--backup-every",
        help="Take a backup every this many hours (the `backup` step; default "
        "SAFECORRIDOR_BACKUP_EVERY_HOURS, unset: none). Enable it on one worker.",
    ),
    backup_dir: Path | None = typer.Option(
        None,
        "--backup-dir",
        help="Folder of the scheduled backups (default SAFECORRIDOR_BACKUP_DIR).",
    ),
    backup_keep: int | None = typer.Option(
        None,
        "--backup-keep",
        help="Scheduled backups kept; older ones are deleted (default "
        "SAFECORRIDOR_BACKUP_KEEP, 14).",
    ),
) -> None:
    """Run the worker: overdue movements, new incidents near sites and routes, risk-level
    rises, the review backlog, and e-mail/webhook deliveries with retries; with
    --backup-every and --backup-dir, scheduled backups with retention. Safe to run in
    several processes at once; SIGTERM stops it after the current step."""
    if interval <= 0 or not 0 <= poll <= 3600:
        raise fail(f"--interval must be > 0 and --poll between 0 and 3600 (got {interval}, {poll})")
    unknown = [s for s in step if s not in STEPS]
    if unknown:
        raise fail(f"unknown step {unknown[0]!r}; one of {', '.join(STEPS)}")
    schedule = backup_schedule(backup_every, backup_dir, backup_keep)
    # the database's in-use lock, held until the worker stops: `safecorridor restore` refuses
    # meanwhile, and a worker that starts during a restore waits for its end
    with in_use(get_engine(), WORKER):
        _work(schedule, once=once, step=step, interval=interval, risk_every=risk_every, poll=poll)


def _work(
    schedule: BackupSchedule | None,
    *,
    once: bool,
    step: list[str],
    interval: float,
    risk_every: float,
    poll: float,
) -> None:
    ctx = WorkerContext(engine=get_engine(), backup=schedule)
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
    worker = Worker(ctx, interval=interval, risk_every=risk_every, poll=poll)
    worker.install_signal_handlers()
    polling = f", new incidents and deliveries every {poll:g} s" if 0 < poll < interval else ""
    backups = (
        f"; a backup every {schedule.every.total_seconds() / 3600:g} h into {schedule.folder}, "
        f"{schedule.keep} kept"
        if schedule
        else ""
    )
    console.print(
        f"worker {ctx.name}: every {interval:g} s{polling}{backups}; SIGTERM to stop",
        highlight=False,
    )
    worker.run()
