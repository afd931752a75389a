"""Extraction time on long texts built to be hard: one phrase repeated with no full stop, the
largest text one report may be (200,000 characters). An analyst can submit such a text, so
its cost must grow with its length, not with the square of it.

    .venv/bin/python bench/bench_long_texts.py [--sizes 50000,199000]

Prints seconds per text and the ratio of the largest to the smallest size's time per
character (1.0: linear).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine

from safecorridor.extraction import extract

#: phrases whose repetition made some stage quadratic before it was bounded
PHRASES = (
    "killed wounded attacked Quetta ",
    "a man identified as Ali Khan and a boy were killed in Quetta, ",
    "Two soldiers, a policeman, and a civilian were shot dead and ",
    "BLA claimed the attack in Turbat on Monday and ",
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="50000,199000")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    print(machine())
    for phrase in PHRASES:
        times = []
        for n in sizes:
            text = (phrase * (n // len(phrase) + 1))[:n]
            t0 = time.perf_counter()
            extract(text, published=date(2024, 1, 1))
            times.append(time.perf_counter() - t0)
        per_char = [t / n for t, n in zip(times, sizes, strict=True)]
        cells = "  ".join(f"{n:,} chars {t:6.2f} s" for n, t in zip(sizes, times, strict=True))
        print(f"{phrase.strip()[:40]:40s}  {cells}  ratio {per_char[-1] / per_char[0]:.1f}")


if __name__ == "__main__":
    main()
