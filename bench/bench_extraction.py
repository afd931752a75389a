# ruff: noqa: E501
"""Throughput of the rule extractor against a plain spaCy tokenizer pass, in one run.

    .venv/bin/python bench/bench_extraction.py [--docs 2000]

Builds a corpus from the development gold set with varied places, groups and numbers, then
prints words/s (single process, i.e. per core) and docs/s for both, and their ratio (CPU time of this process, best of
``--repeat`` interleaved passes). The target for the rule pipeline is >= 50,000 words/s per
core; the spaCy tokenizer pass is only a yardstick (the extractor does not run spaCy, which is
installed with the ``bench`` extra: ``pip install -e '.[bench]'``, done by ``make bench``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import time
from datetime import date
from pathlib import Path
from typing import Any

try:
    import spacy
except ImportError:  # the yardstick lives in the bench extra, not in the runtime dependencies
    raise SystemExit("spaCy is missing: pip install -e '.[bench]' (or run make bench)") from None

from safecorridor.extraction import extract

GOLD = Path(__file__).resolve().parents[1] / "tests" / "extraction" / "gold" / "dev.jsonl"
PLACES = [
    "Turbat",
    "Gwadar",
    "Quetta",
    "Karachi",
    "Hub",
    "Panjgur",
    "Khuzdar",
    "Mastung",
    "Bannu",
    "Peshawar",
    "Dera Ismail Khan",
    "Sibi",
    "Pasni",
    "Kalat",
    "Zhob",
    "Chaman",
    "Hyderabad",
]
GROUPS = [
    "Baloch Liberation Army",
    "Balochistan Liberation Front",
    "Tehrik-i-Taliban Pakistan",
    "BLA",
    "BLF",
    "TTP",
    "Sindhudesh Revolutionary Army",
    "Majeed Brigade",
]
NUMS = ["two", "three", "four", "five", "six", "seven", "11", "14", "at least 9", "23"]
_PLACE_RX = re.compile(r"\b(?:" + "|".join(map(re.escape, PLACES)) + r")\b")
_GROUP_RX = re.compile(
    r"\b(?:" + "|".join(map(re.escape, sorted(GROUPS, key=len, reverse=True))) + r")\b"
)
_NUM_RX = re.compile(
    r"\b(?:two|three|four|five|six|seven|\d+)\b(?= (?:people|soldiers|Chinese|attackers|others|labourers|passengers))"
)


def corpus(n: int, seed: int = 7) -> list[tuple[str, date | None]]:
    rng = random.Random(seed)
    base = [json.loads(line) for line in GOLD.read_text("utf-8").splitlines() if line.strip()]
    out: list[tuple[str, date | None]] = []
    for i in range(n):
        rec = base[i % len(base)]
        text = _PLACE_RX.sub(lambda _m: rng.choice(PLACES), rec["text"])
        text = _GROUP_RX.sub(lambda _m: rng.choice(GROUPS), text)
        text = _NUM_RX.sub(lambda _m: rng.choice(NUMS), text)
        out.append((text, date.fromisoformat(rec["published"])))
    return out


#: real articles, when the development data sits beside the repository (never in it)
SHARED = Path(os.environ.get("SHARED", Path(__file__).resolve().parents[2] / "shared"))


def real_articles() -> list[tuple[str, date | None]] | None:
    """news-dev's articles with their publication dates, or None when they are absent."""
    root = SHARED / "data" / "news-dev"
    if not (root / "index.jsonl").is_file():
        return None
    out = []
    for line in (root / "index.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            text = (root / "texts" / f"{rec['id']}.txt").read_text("utf-8")
            out.append((text, date.fromisoformat(rec["published"]) if rec["published"] else None))
    return out


def timed(docs: list[tuple[str, date | None]], nlp: Any, repeat: int) -> tuple[float, float, int]:
    """Best-of-``repeat`` CPU seconds of the rule pipeline and of a plain tokenizer pass over
    ``docs`` (interleaved, so both see the same machine load), and the events found."""
    for text, _ in docs:  # warm-up: both passes then see the same, already-interned vocabulary
        nlp.tokenizer(text)
    rules = tok = float("inf")
    n_events = 0
    for _ in range(max(1, repeat)):
        t0 = time.process_time()
        n_events = 0
        for text, pub in docs:
            n_events += len(extract(text, published=pub))
        rules = min(rules, time.process_time() - t0)
        t0 = time.process_time()
        for text, _ in docs:
            nlp.tokenizer(text)
        tok = min(tok, time.process_time() - t0)
    return rules, tok, n_events


def report(label: str, words: int, n_docs: int, rules: float, tok: float) -> None:
    print(
        f"{label} rule pipeline : {words / rules:10.0f} words/s per core  {n_docs / rules:8.1f} docs/s"
    )
    print(
        f"{label} spaCy tokenizer: {words / tok:10.0f} words/s per core  {n_docs / tok:8.1f} docs/s"
    )
    print(
        f"{label} ratio pipeline/tokenizer speed: {tok / rules:.3f} (pipeline is {rules / tok:.1f}x slower)"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument(
        "--repeat", type=int, default=3, help="best of N timed passes (shared machines are noisy)"
    )
    args = ap.parse_args()
    t0 = time.process_time()
    nlp = spacy.blank("en")  # a plain tokenizer, the yardstick
    extract("Gunmen attacked a checkpost in Turbat on Monday.", published=date(2024, 1, 1))
    load = time.process_time() - t0
    docs = corpus(args.docs)
    words = sum(len(t.split()) for t, _ in docs)
    rules, tok, n_events = timed(docs, nlp, args.repeat)
    print(
        f"corpus: {len(docs)} docs, {words} words, {n_events} events; resources loaded in {load:.1f}s"
    )
    report("short reports:", words, len(docs), rules, tok)
    real = real_articles()
    if real is None:
        print(f"real articles: {SHARED}/data/news-dev is absent (set SHARED=...); not timed")
    else:
        words = sum(len(t.split()) for t, _ in real)
        rules, tok, n_events = timed(real, nlp, args.repeat)
        print(f"real articles: news-dev, {len(real)} articles, {words} words, {n_events} events")
        report("real articles:", words, len(real), rules, tok)
    print("target >= 50,000 words/s per core")


if __name__ == "__main__":
    main()
