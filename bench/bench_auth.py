"""What checking a bearer token costs a hot read request (the incident list), per backend:

- ``cached``: the token's viewer from the process's cache, trusted after one primary-key read
  of the auth epoch (what every request pays now, so a revocation on any node counts at once);
- ``lookup``: the token, its user and organisation read again (what a request pays after a
  revocation anywhere, and what every request would pay without the cache);
- ``dict only``: the cache without the epoch read (the 5-second cache of before, which let a
  revoked token through on other nodes for up to 5 s), for scale.

In-process, one thread, on a store with 1,000 users and tokens. PostgreSQL too when
``SAFECORRIDOR_TEST_PG_URL`` is set (a schema of its own, dropped at the end).

    .venv/bin/python bench/bench_auth.py [--calls 3000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import machine
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation
from safecorridor.accounts.security import token_digest
from safecorridor.accounts.service import create_token, create_user, token_cache
from safecorridor.api.deps import _token_viewer
from safecorridor.db.base import utcnow
from safecorridor.db.engine import make_engine, migrate
from safecorridor.db.session import reset_engine

USERS = 1000


def seed(engine: Engine) -> list[str]:
    migrate(engine)
    with Session(engine) as s:
        org = Organisation(name="Bench Agency", short_name="bench")
        s.add(org)
        s.flush()
        tokens = []
        for n in range(USERS):
            user = create_user(
                session=s, email=f"user{n}@bench.example", organisation_id=org.id, role="analyst"
            )
            tokens.append(create_token(session=s, user=user).token)
        s.commit()
    return tokens


def per_call(fn: Callable[[], object], calls: int) -> tuple[float, float]:
    """Median and 99th percentile, microseconds."""
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e6)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


def run(name: str, engine: Engine, calls: int) -> None:
    reset_engine(engine)
    tokens = seed(engine)
    token = tokens[len(tokens) // 2]
    now: datetime = utcnow()
    key = (id(engine), token_digest(token))
    token_cache.clear()
    _token_viewer(token, now, None)  # fills the cache
    hit = token_cache.get(key)
    assert hit is not None
    figures = {
        "cached (epoch read)": per_call(lambda: _token_viewer(token, now, hit), calls),
        "lookup (token, user)": per_call(lambda: _token_viewer(token, now, None), calls),
        "dict only (before)": per_call(lambda: token_cache.get(key), calls),
    }
    for label, (median, p99) in figures.items():
        print(f"{name:<10} {label:<22} median {median:8.1f} us   p99 {p99:8.1f} us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'auth.db'}")
        run("sqlite", engine, args.calls)
        engine.dispose()
    url = os.environ.get("SAFECORRIDOR_TEST_PG_URL")
    if url:
        schema = f"sc_bench_auth_{uuid.uuid4().hex[:8]}"
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            run("postgresql", engine, args.calls)
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
