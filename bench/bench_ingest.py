"""End-to-end ingest throughput into SQLite: JSON Lines → documents, dedup, extraction,
candidates (and, with --auto-accept, incidents), one transaction per document.

    .venv/bin/python bench/bench_ingest.py [--docs 500] [--workers 1]

The corpus joins two reports of the development gold set with varied places, groups and
numbers, so that documents are distinct (few near-duplicates) yet realistic.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_extraction import corpus
from common import machine, sqlite_db


def write_corpus(path: Path, n: int, seed: int = 11) -> int:
    rng = random.Random(seed)
    base = corpus(n * 2, seed=seed)
    words = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            (a, pub), (b, _) = base[2 * i], base[rng.randrange(len(base))]
            text = f"{a}\n{b} Officials said {rng.randint(2, 90)} suspects were questioned."
            words += len(text.split())
            record = {"text": text, "published": pub.isoformat() if pub else None}
            record["url"] = f"https://bench.example/{i}"
            fh.write(json.dumps(record) + "\n")
    return words


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--auto-accept", type=float, default=None)
    args = ap.parse_args()
    from safecorridor.extraction import extract
    from safecorridor.sources.dedup import NearDuplicateIndex
    from safecorridor.sources.ingest import IngestOptions, ingest

    t0 = time.perf_counter()
    extract("Gunmen attacked a checkpost in Turbat on Monday.")
    NearDuplicateIndex()  # its library is imported on first use: a start-up cost, not ingestion
    load = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "corpus.jsonl"
        words = write_corpus(path, args.docs)
        with sqlite_db(Path(tmp)) as engine:
            opts = IngestOptions(workers=args.workers, auto_accept=args.auto_accept)
            t0 = time.perf_counter()
            report = ingest(engine=engine, sources=[str(path)], options=opts)
            took = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = ingest(engine=engine, sources=[str(path)], options=opts)
            rerun = time.perf_counter() - t0
    print(f"machine: {machine()}; extractor and near-duplicate resources loaded in {load:.1f}s")
    print(f"corpus: {args.docs} docs, {words} words; workers: {args.workers}")
    print(f"ingest : {report.summary()}")
    print(f"         {took:.1f}s  {args.docs / took:8.1f} docs/s  {words / took:9.0f} words/s")
    print(f"re-run : {again.summary()}")
    print(f"         {rerun:.1f}s  {args.docs / rerun:8.1f} docs/s (all duplicates)")


if __name__ == "__main__":
    main()
