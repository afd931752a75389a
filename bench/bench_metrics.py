"""A /metrics scrape's database part (``ops.metrics.render``) over many import and ingest
runs, on SQLite and PostgreSQL: the import and ingest counters and histograms are sums over
``import_runs`` and ``ingest_runs``, read at each scrape (median of 5 scrapes)."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import machine, postgres_db, sqlite_db
from sqlalchemy import Engine, insert

from safecorridor.ops.metrics import _FOLDED, render
from safecorridor.sources.models import ImportRun, IngestRun

SIZES = (0, 10_000, 100_000)  # runs of each kind (a web-fed deployment: one per report)
KINDS = ("acled", "gtd", "ucdp", "csv", "jsonl")


def fill(engine: Engine, n: int, offset: int) -> None:
    start = datetime(2026, 1, 1)
    for lo in range(offset, offset + n, 10_000):
        hi = min(lo + 10_000, offset + n)
        with engine.begin() as conn:
            conn.execute(
                insert(ImportRun),
                [
                    {
                        "kind": KINDS[i % len(KINDS)],
                        "path": f"data-{i}.csv",
                        "status": "finished",
                        "started_at": start + timedelta(minutes=i),
                        "finished_at": start + timedelta(minutes=i, seconds=i % 900),
                        "rows_total": 100,
                        "rows_new": i % 100,
                        "rows_updated": 0,
                        "rows_unchanged": 100 - i % 100,
                        "rows_rejected": 0,
                        "errors": [],
                    }
                    for i in range(lo, hi)
                ],
            )
            conn.execute(
                insert(IngestRun),
                [
                    {
                        "sources": ["report.txt"],
                        "options": {},
                        "status": "succeeded",
                        "started_at": start + timedelta(minutes=i),
                        "finished_at": start + timedelta(minutes=i, seconds=1 + i % 7),
                        "documents_new": 1,
                        "candidates": i % 4,
                        "errors": [],
                    }
                    for i in range(lo, hi)
                ],
            )


def scrape_ms(engine: Engine) -> tuple[float, float]:
    """The first scrape (a new process sums the whole tables) and the median of 5 more (each
    sums only the runs added since and the running ones)."""
    times = []
    for _ in range(6):
        t0 = time.perf_counter()
        render(engine)
        times.append((time.perf_counter() - t0) * 1000)
    return times[0], statistics.median(times[1:])


def run(name: str, engine: Engine) -> None:
    done = 0
    for size in SIZES:
        fill(engine, size - done, done)
        done = size
        _FOLDED.clear()  # as a process that starts now
        first, then = scrape_ms(engine)
        print(
            f"{name:<10} {size:>8,} import + {size:>8,} ingest runs: "
            f"first scrape {first:7.1f} ms, then {then:6.1f} ms"
        )


def main() -> None:
    print(f"/metrics scrape over import and ingest runs ({machine()})")
    with tempfile.TemporaryDirectory() as tmp, sqlite_db(Path(tmp)) as engine:
        run("SQLite", engine)
    with postgres_db() as pg:
        if pg is not None:
            run("PostgreSQL", pg)


if __name__ == "__main__":
    main()
