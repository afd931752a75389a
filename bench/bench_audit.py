"""The audit chain's append throughput with concurrent writers on PostgreSQL.

Every write and every read of AMBER appends to one hash chain, serialised by a
transaction-level advisory lock: the chain's single append point is the ceiling of a
multi-node deployment's audited traffic. Here 1, 4 and 8 writer processes (each its own
engine, as separate server workers or nodes would be) append for ``--seconds`` each, started
together, in three ways:

- ``write``: ``append_event`` in the writer's own transaction (what a create or update does
  with ``audit_write``): one event per transaction;
- ``read, 1 request``: the process's ``AuditWriter`` (the read path) with one request thread
  waiting for each event: one event per transaction;
- ``read, 8 requests``: the same writer with eight request threads submitting at once: the
  writer's group commit chains whatever is queued in one transaction.

It prints events/s per configuration and checks the chain afterwards.

    .venv/bin/python bench/bench_audit.py [--seconds 5] [--pg URL]

PostgreSQL comes from ``--pg``, SC_BENCH_PG or SAFECORRIDOR_TEST_PG_URL; when it is
unreachable the bench says so and measures nothing (exit 0).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from bench_load import postgres_schema
from common import PG_URL, machine
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from safecorridor.db.base import utcnow
from safecorridor.db.engine import make_engine, migrate
from safecorridor.settings import get_settings
from safecorridor.sharing.audit import (
    AuditWriter,
    EventData,
    append_event,
    sha256_json,
    verify_logs,
)
from safecorridor.sharing.audit.key import signing_key
from safecorridor.sharing.policy import Viewer

MODES = ("write", "read, 1 request", "read, 8 requests")
WRITERS = (1, 4, 8)
VIEWER = Viewer(user_id=None, organisation_id=None, role="analyst", email="bench@example.org")


def _event(n: int) -> EventData:
    details = {"record_ids": [n, n + 1, n + 2]}
    return EventData(
        occurred_at=utcnow(),
        user_id=None,
        actor="bench@example.org",
        action="list",
        record_type="incident",
        record_id=None,
        state_hash=sha256_json(details),
        details=details,
    )


def writer_process(
    url: str, mode: str, seconds: float, ready: Any, start: MpEvent, out: Any
) -> None:
    """One writer: append in ``mode`` for ``seconds`` once ``start`` is set; put the count."""
    engine = make_engine(url, pool_size=10)
    done = 0
    with engine.connect() as conn:  # a warm connection before the clock starts
        conn.execute(text("SELECT 1"))
    ready.put(os.getpid())
    start.wait()
    until = time.perf_counter() + seconds
    if mode == "write":
        sessions = sessionmaker(bind=engine)
        while time.perf_counter() < until:
            with sessions() as s, s.begin():
                append_event(session=s, viewer=VIEWER, action="update", record_type="incident")
            done += 1
    else:
        writer = AuditWriter()
        threads = 8 if mode.endswith("8 requests") else 1
        counts = [0] * threads

        def request(k: int) -> None:
            while time.perf_counter() < until:
                writer.submit(engine, _event(k)).result(timeout=120)
                counts[k] += 1

        workers = [threading.Thread(target=request, args=(k,)) for k in range(threads)]
        for t in workers:
            t.start()
        for t in workers:
            t.join()
        writer.stop()
        done = sum(counts)
    engine.dispose()
    out.put(done)


def run(url: str, mode: str, writers: int, seconds: float) -> float:
    ctx = mp.get_context("fork")  # imports done once; each child makes its own engine
    ready, out = ctx.Queue(), ctx.Queue()
    start = ctx.Event()
    procs = [
        ctx.Process(target=writer_process, args=(url, mode, seconds, ready, start, out))
        for _ in range(writers)
    ]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=120)
    t0 = time.perf_counter()
    start.set()
    total: float = sum(out.get(timeout=seconds + 180) for _ in procs)
    elapsed = max(time.perf_counter() - t0, seconds)
    for p in procs:
        p.join(timeout=60)
    return total / elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--pg", default=os.environ.get("SC_BENCH_PG") or PG_URL)
    args = ap.parse_args()
    if args.pg == "1":
        args.pg = PG_URL
    if not 1 <= args.seconds <= 600:
        ap.error("--seconds must be between 1 and 600")
    print(f"Audit append throughput on PostgreSQL; machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp_s:
        os.environ["SAFECORRIDOR_AUDIT_KEY_FILE"] = str(Path(tmp_s) / "bench-audit.key")
        get_settings.cache_clear()
        signing_key()  # the key file, made before the writers start
        with postgres_schema(args.pg) as url:
            if url is None:
                return
            engine = make_engine(url)
            migrate(engine)
            print(
                f"writer processes started together, {args.seconds:g} s each; events/s "
                "appended to the one chain\n"
            )
            print("| mode | " + " | ".join(f"{w} writer{'s' * (w > 1)}" for w in WRITERS) + " |")
            print("|---|" + "---|" * len(WRITERS))
            for mode in MODES:
                rates = [run(url, mode, w, args.seconds) for w in WRITERS]
                print(f"| {mode} | " + " | ".join(f"{r:,.0f}" for r in rates) + " |")
            print()
            for name, chain in verify_logs(engine):
                state = "intact" if chain.is_intact else f"BROKEN at {chain.broken_id}"
                print(f"{name} after the run: {chain.checked:,} events, chain {state}")
            engine.dispose()


if __name__ == "__main__":
    main()
