"""Restore refuses while a server or worker uses the database, naming them; ``--force``
restores anyway; a process killed outright leaves nothing that blocks a restore; a server that
starts during a restore waits for it. Real processes hold the real locks: a ``flock`` beside
the SQLite file, a PostgreSQL advisory lock."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import httpx
import psutil
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, text
from typer.testing import CliRunner

from safecorridor.app import create_app
from safecorridor.cli.app import get_app
from safecorridor.ops.backup import BackupError, backup, restore
from safecorridor.ops.running import (
    PG_KEY,
    SERVER,
    WORKER,
    Holder,
    Usage,
    exclusive_use,
    holders_folder,
    in_use,
    sqlite_file,
    usage_of,
)
from tests.alerts.conftest import free_port
from tests.ops.aside import drop_schemas_set_aside

#: bounds, not expectations: a process to start (imports, migration) or to be seen gone
STARTUP_SECONDS = 120
GONE_SECONDS = 60

#: a process holding the lock as ``sys.argv[2]``, on the database ``sys.argv[1]``, until its
#: standard input closes
HOLDER = """
import sys
from safecorridor.db.engine import make_engine
from safecorridor.ops.running import in_use
with in_use(make_engine(sys.argv[1]), sys.argv[2]) as hold:
    print(f"held waited={hold.waited}", flush=True)
    sys.stdin.read()
"""


def _url(engine: Engine) -> str:
    """The engine's database for another process (on PostgreSQL: this test session's schema)."""
    url = engine.url
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


class Proc:
    """A child process whose output lines (stdout and stderr) are read as they come."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            argv,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_for(self, text: str, timeout: float = STARTUP_SECONDS) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                assert self.proc.poll() is None, f"exited {self.proc.returncode}: {self.seen}"
                continue
            self.seen.append(line)
            if text in line:
                return line
        raise AssertionError(f"no {text!r} within {timeout} s: {self.seen}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(GONE_SECONDS)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for p in started:
        for child in _children(p.pid):
            child.kill()
        p.stop(signal.SIGKILL)


def _children(pid: int) -> list[psutil.Process]:
    try:
        return cast(list[psutil.Process], psutil.Process(pid).children(recursive=True))
    except psutil.NoSuchProcess:
        return []


def _holder(procs: list[Proc], engine: Engine, role: str) -> Proc:
    proc = Proc([sys.executable, "-c", HOLDER, _url(engine), role])
    procs.append(proc)
    return proc


def _gone(engine: Engine) -> bool:
    """Whether nothing holds the lock, within GONE_SECONDS (PostgreSQL ends the session of a
    killed process once it reads the closed socket)."""
    deadline = time.monotonic() + GONE_SECONDS
    while time.monotonic() < deadline:
        if not usage_of(engine):
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def db(engine: Engine) -> Iterator[Engine]:
    """The migrated database of each backend; on PostgreSQL the schemas a restore set aside
    are dropped at the end."""
    yield engine
    drop_schemas_set_aside(engine)


def _aside(engine: Engine) -> list[str]:
    """What restores set aside: SQLite files, PostgreSQL schemas."""
    db = sqlite_file(engine)
    if db is not None:
        return sorted(p.name for p in db.parent.glob("*before-restore*"))
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        return sorted(
            conn.execute(
                text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"),
                {"p": f"{schema}_before_restore_%"},
            ).scalars()
        )


def test_the_app_holds_the_database_while_it_runs_and_restore_refuses_meanwhile(
    db: Engine, tmp_path: Path
) -> None:
    backup(db, tmp_path / "bk")
    assert not usage_of(db)
    with TestClient(create_app()):
        assert [(h.role, h.pid) for h in usage_of(db).holders] == [(SERVER, os.getpid())]
        with pytest.raises(BackupError) as refused:
            restore(db, tmp_path / "bk")
        message = str(refused.value)
        assert f"a SafeCorridor server (pid {os.getpid()} on " in message
        assert "systemctl stop safecorridor-serve" in message and "--force" in message
        assert "\n" not in message
        assert _aside(db) == []  # nothing was replaced
    # the app stopped: its lock is gone, and this process's restore goes through
    assert not usage_of(db)
    assert restore(db, tmp_path / "bk")
    assert len(_aside(db)) == 1


def test_restore_refuses_while_a_worker_runs_and_goes_once_it_was_killed(
    db: Engine, tmp_path: Path, procs: list[Proc]
) -> None:
    backup(db, tmp_path / "bk")
    worker = Proc(
        [sys.executable, "-m", "safecorridor", "worker", "--interval", "3600", "--poll", "0"],
        env={"SAFECORRIDOR_DATABASE_URL": _url(db)},
    )
    procs.append(worker)
    worker.wait_for("SIGTERM to stop")  # printed once the lock is held
    runner, app = CliRunner(), get_app()

    # refused before the question is asked, naming the worker and how to stop it
    refused = runner.invoke(app, ["restore", str(tmp_path / "bk")])
    assert refused.exit_code == 1, refused.output
    line = " ".join(refused.output.split())
    assert line.startswith("error: restore refused: a SafeCorridor worker (pid ")
    assert f"(pid {worker.pid} on {socket.gethostname()}" in line
    if db.dialect.name == "sqlite":  # its command line too (PostgreSQL: its session's name)
        assert f"{socket.gethostname()}: safecorridor worker --interval 3600 --poll 0)" in line
    assert "systemctl stop safecorridor-worker" in line and "--force" in line
    assert "Replace the database" not in line
    assert _aside(db) == []

    # killed outright: the kernel (SQLite) or PostgreSQL drops its lock; nothing is left
    worker.stop(signal.SIGKILL)
    assert _gone(db)
    done = runner.invoke(app, ["restore", str(tmp_path / "bk"), "--yes"])
    assert done.exit_code == 0, done.output
    assert "restored" in done.output and len(_aside(db)) == 1
    sqlite = sqlite_file(db)
    if sqlite is not None:  # the dead worker's line was swept by the restore
        assert list(holders_folder(sqlite).iterdir()) == []


def test_force_restores_under_a_running_holder_and_says_to_restart_it(
    db: Engine, tmp_path: Path, procs: list[Proc]
) -> None:
    backup(db, tmp_path / "bk")
    holder = _holder(procs, db, WORKER)
    holder.wait_for("held")
    forced = CliRunner().invoke(get_app(), ["restore", str(tmp_path / "bk"), "--yes", "--force"])
    assert forced.exit_code == 0, forced.output
    out = " ".join(forced.output.split())
    assert f"warning: --force: a SafeCorridor worker (pid {holder.pid} on " in out
    assert "keeps reading and writing the database set aside" in out
    assert "restart it as soon as the restore is done" in out
    assert "restored" in out and len(_aside(db)) == 1
    assert usage_of(db).holders[0].pid == holder.pid  # it still runs, as warned


def test_a_process_that_starts_during_a_restore_waits_for_its_end(
    db: Engine, procs: list[Proc]
) -> None:
    with exclusive_use(db) as usage:
        assert not usage  # the lock is this test's, as a restore's
        # another restore meanwhile is told about this one
        assert [(h.role, h.pid) for h in usage_of(db).holders] == [("restore", os.getpid())]
        starting = _holder(procs, db, SERVER)
        starting.wait_for("being restored: waiting for the restore to end")
        # it waits on the lock this block holds: it cannot have taken it
        assert starting.proc.poll() is None and not any("held" in s for s in starting.seen)
    assert starting.wait_for("held") == "held waited=True\n"
    assert [h.pid for h in usage_of(db).holders] == [starting.pid]


def test_serve_with_two_workers_is_named_with_every_process_and_its_command(
    sqlite_engine: Engine, tmp_path: Path, procs: list[Proc]
) -> None:
    backup(sqlite_engine, tmp_path / "bk")
    port = free_port()
    server = Proc(
        [sys.executable, "-m", "safecorridor", "serve", "--port", str(port), "--workers", "2"],
        env={"SAFECORRIDOR_DATABASE_URL": _url(sqlite_engine)},
    )
    procs.append(server)
    server.wait_for("SafeCorridor on http://")
    deadline = time.monotonic() + STARTUP_SECONDS
    while len(usage_of(sqlite_engine).holders) < 3:  # the supervisor and its two workers
        assert time.monotonic() < deadline and server.proc.poll() is None, server.seen
        time.sleep(0.1)
    assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30).status_code == 200
    pids = {server.pid} | {c.pid for c in _children(server.pid)}
    refused = CliRunner().invoke(get_app(), ["restore", str(tmp_path / "bk"), "--yes"])
    assert refused.exit_code == 1
    line = " ".join(refused.output.split())
    held = sorted(h.pid for h in usage_of(sqlite_engine).holders if h.pid is not None)
    assert server.pid in held and set(held) <= pids and len(held) == 3
    assert line.startswith(
        f"error: restore refused: a SafeCorridor server (pids {', '.join(map(str, held))} on "
        f"{socket.gethostname()}: safecorridor serve --port {port} --workers 2) are using "
    )
    assert "systemctl stop safecorridor-serve" in line
    assert _aside(sqlite_engine) == []
    assert server.stop() == 0  # SIGTERM: every process lets go of the lock as it stops
    assert not usage_of(sqlite_engine)
    done = CliRunner().invoke(get_app(), ["restore", str(tmp_path / "bk"), "--yes"])
    assert done.exit_code == 0, done.output


def test_the_refusal_groups_processes_and_says_how_to_stop_each_role() -> None:
    usage = Usage(
        where="/var/lib/safecorridor/safecorridor.db",
        holders=[
            Holder(SERVER, 12, "web-1", "safecorridor serve --workers 2"),
            Holder(SERVER, 11, "web-1", "safecorridor serve --workers 2"),
            Holder(SERVER, 12, "web-1", "safecorridor serve --workers 2"),
            Holder(WORKER, 40, "web-2", "safecorridor worker"),
        ],
    )
    assert usage.describe() == (
        "a SafeCorridor server (pids 11, 12 on web-1: safecorridor serve --workers 2) and a "
        "SafeCorridor worker (pid 40 on web-2: safecorridor worker) are using "
        "/var/lib/safecorridor/safecorridor.db; stop them first (SIGTERM, or `systemctl stop "
        "safecorridor-serve safecorridor-worker` under systemd)"
    )
    one = Usage(where="x.db", holders=[Holder("process")])
    assert one.describe() == "a SafeCorridor process is using x.db; stop it first (SIGTERM)"
    assert not Usage(where="x.db")


@pytest.mark.postgres
def test_a_lost_postgresql_lock_is_taken_again(pg_engine: Engine) -> None:
    """PostgreSQL's lock lives in a session, which the database may end (a restart); SQLite's
    lives in this process's open file."""
    engine = pg_engine
    with in_use(engine, WORKER) as hold:
        assert [h.pid for h in usage_of(engine).holders] == [os.getpid()]
        assert not hold.check()  # alive: nothing to do
        with engine.connect() as conn:  # the database ends the lock's session (a restart)
            ended = conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid, 30000) FROM pg_stat_activity"
                    " WHERE application_name = :name"
                ),
                {"name": f"safecorridor worker pid {os.getpid()} on {socket.gethostname()}"},
            ).scalars()
            assert list(ended) == [True]
        assert not usage_of(engine)
        assert hold.check()  # the heartbeat's check: a new session takes the lock again
        assert [h.pid for h in usage_of(engine).holders] == [os.getpid()]
    assert not usage_of(engine)


def _advisory_locks(conn: Connection, keys: dict[str, int]) -> int:
    """The in-use locks held on the keys' schema, by any session."""
    return int(
        conn.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND objsubid = 2 AND classid::bigint = :k1 AND objid::bigint = :k2"
            ),
            keys,
        ).scalar_one()
    )


@pytest.mark.postgres
def test_a_postgresql_lock_is_gone_when_its_holder_lets_go(pg_engine: Engine) -> None:
    """A session's locks outlive the client's close() until its backend has exited: a look
    at the usage, or a server's stop, followed at once by a restore found the lock still held.
    Each lets go of it before closing (a loop, since without that the window is short)."""
    engine = pg_engine
    with engine.connect() as conn:  # open already: it looks the moment the holder lets go
        conn.execution_options(isolation_level="AUTOCOMMIT")
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        keys = {"k1": PG_KEY, "k2": zlib.crc32(str(schema).encode("utf-8")) & 0x7FFFFFFF}
        for _ in range(20):
            with exclusive_use(engine) as usage:
                assert not usage
                assert _advisory_locks(conn, keys) == 1  # (the count sees a held lock)
            assert _advisory_locks(conn, keys) == 0
            with in_use(engine, SERVER):
                assert _advisory_locks(conn, keys) == 1
            assert _advisory_locks(conn, keys) == 0
