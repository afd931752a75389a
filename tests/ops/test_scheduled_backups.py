"""The worker's scheduled backups with retention, and the pruning of its run records, driven
by an injected clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safecorridor.alerts.models import WorkerRun
from safecorridor.alerts.worker import Worker, WorkerContext, run_once, run_step, step_prune_runs
from safecorridor.cli.app import get_app
from safecorridor.demo.loader import load_demo
from safecorridor.ops.backup import (
    MANIFEST,
    BackupError,
    BackupSchedule,
    check_backup,
    scheduled_backups,
)

T0 = datetime(2026, 12, 2, 1, 0, 0)


def _ctx(engine: Engine, schedule: BackupSchedule | None) -> WorkerContext:
    return WorkerContext(engine=engine, name="test-worker", backup=schedule)


def _names(folder: Path) -> list[str]:
    return [path.name for _stamp, path, _done in scheduled_backups(folder)]


def test_the_backup_step_backs_up_when_due_and_keeps_the_newest(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    with Session(sqlite_engine) as s:
        load_demo(s)
        s.commit()
    folder = tmp_path / "backups"
    ctx = _ctx(sqlite_engine, BackupSchedule(folder=folder, every=timedelta(hours=6), keep=2))
    taken = []
    for hours in (0, 1, 5, 6, 7, 12, 18):
        run = run_step(ctx, "backup", now=T0 + timedelta(hours=hours))
        assert run.status == "ok", run.error
        taken.append(run.found)
    assert taken == [1, 0, 0, 1, 0, 1, 1]
    # the two newest of the four taken are kept, each complete, its chains verified
    assert _names(folder) == ["safecorridor-20261202T130000Z", "safecorridor-20261202T190000Z"]
    for _stamp, path, done in scheduled_backups(folder):
        assert done
        manifest = check_backup(path)
        assert manifest.created_at.startswith("2026-12-02T")
        assert manifest.audit and all(head.count > 0 for head in manifest.audit)


def test_retention_drops_stale_unfinished_folders_and_leaves_other_files(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    killed = folder / "safecorridor-20261201T000000Z"  # a backup whose process was killed
    killed.mkdir()
    (killed / "safecorridor.db").write_bytes(b"half")
    mine = folder / "notes.txt"
    mine.write_text("the operator's own file", encoding="utf-8")
    ctx = _ctx(sqlite_engine, BackupSchedule(folder=folder, every=timedelta(hours=24), keep=1))
    # the killed one is not complete, so the backup is due at once, and then the killed one goes
    assert run_step(ctx, "backup", now=T0).found == 1
    assert _names(folder) == ["safecorridor-20261202T010000Z"]
    assert mine.read_text(encoding="utf-8") == "the operator's own file"
    assert (folder / "safecorridor-20261202T010000Z" / MANIFEST).is_file()


def test_a_round_runs_the_backup_step_only_when_enabled(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    off = Worker(_ctx(sqlite_engine, None)).tick(now=T0)
    assert "backup" not in off and "prune_runs" in off
    assert "backup" not in run_once(_ctx(sqlite_engine, None), now=T0)
    # asked for by name without a schedule: a clear error, recorded
    named = run_once(_ctx(sqlite_engine, None), now=T0, steps=["backup"])["backup"]
    assert named.status == "error" and "--backup-every" in (named.error or "")
    folder = tmp_path / "b"
    on = Worker(_ctx(sqlite_engine, BackupSchedule(folder, timedelta(hours=1), 3))).tick(now=T0)
    assert on["backup"].status == "ok" and on["backup"].found == 1
    assert len(_names(folder)) == 1


@pytest.mark.parametrize(
    ("every", "keep"), [(timedelta(0), 3), (timedelta(hours=-1), 3), (timedelta(hours=1), 0)]
)
def test_a_schedule_refuses_nonsense(every: timedelta, keep: int, tmp_path: Path) -> None:
    with pytest.raises(BackupError):
        BackupSchedule(folder=tmp_path, every=every, keep=keep)


def test_old_worker_runs_are_pruned(engine: Engine) -> None:
    ctx = WorkerContext(engine=engine, name="test-worker", runs_keep_days=30)
    with Session(engine) as s:
        for days, step in (
            (45, "deliveries"),
            (31, "new_incidents"),
            (29, "deliveries"),
            (1, "backup"),
        ):
            s.add(
                WorkerRun(step=step, worker="w", started_at=T0 - timedelta(days=days), status="ok")
            )
        s.commit()
    assert step_prune_runs(ctx, T0) == 2
    with Session(engine) as s:
        left = sorted(s.scalars(select(WorkerRun.started_at)))
    assert left == [T0 - timedelta(days=29), T0 - timedelta(days=1)]
    assert step_prune_runs(ctx, T0) == 0


def test_the_cli_takes_a_scheduled_backup_and_refuses_half_a_schedule(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    app = get_app()
    assert runner.invoke(app, ["demo"]).exit_code == 0
    folder = tmp_path / "scheduled"
    done = runner.invoke(
        app,
        [
            "worker",
            "--once",
            "--step",
            "backup",
            "--backup-every",
            "24",
            "--backup-dir",
            str(folder),
        ],
    )
    assert done.exit_code == 0, done.output
    assert "backup" in done.output and "found 1" in done.output
    [(_stamp, path, complete)] = scheduled_backups(folder)
    assert complete and check_backup(path).backend == "sqlite"
    half = runner.invoke(app, ["worker", "--once", "--backup-every", "24"])
    assert half.exit_code == 1
    assert "--backup-dir" in half.output
    bad = runner.invoke(
        app,
        [
            "worker",
            "--once",
            "--backup-every",
            "24",
            "--backup-dir",
            str(folder),
            "--backup-keep",
            "0",
        ],
    )
    assert bad.exit_code == 1 and "keep 0" in bad.output
