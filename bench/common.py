"""Shared bits of the benchmarks: machine description, temporary databases."""

from __future__ import annotations

import os
import platform
import socket
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
from sqlalchemy import Engine, text

from safecorridor.db.engine import make_engine, migrate

PG_URL = os.environ.get(
    "SAFECORRIDOR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


@contextmanager
def sqlite_db(tmp: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp / 'bench.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@contextmanager
def postgres_db() -> Iterator[Engine | None]:
    """A fresh schema in the benchmark PostgreSQL, dropped afterwards (None if unreachable)."""
    schema = f"sc_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # no server: say so, and go on with the other figures
        print(f"PostgreSQL not reachable at {PG_URL}: {exc.__class__.__name__}")
        yield None
        return
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_serving(pid: int, port: int, workers: int, timeout: float = 120.0) -> None:
    """Wait until ``workers`` processes listen on ``port`` and it answers /healthz.

    Every worker must be listening before the clients connect: one that starts late is
    handed no connection by the kernel and its core idles through the run.
    """
    parent = psutil.Process(pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        procs = [parent, *parent.children()]
        listening = 0
        for proc in procs:
            try:
                conns = proc.net_connections(kind="tcp")
            except psutil.Error:
                continue
            listening += any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in conns)
        if listening >= workers:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                return
            except OSError:
                pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not start {workers} workers on port {port}")
