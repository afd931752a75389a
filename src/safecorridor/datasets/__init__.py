"""Data sets shipped with the package (facts and figures, with their licence and attribution).

See ``SOURCE.md`` beside this file. :func:`path` gives a data set's file, so the CLI
(``--source ucdp-pakistan``), the demo, the tests and the benchmarks read the same copy.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent

#: name -> file of each shipped data set
SHIPPED = {
    "ucdp-pakistan": HERE / "ucdp_ged_pakistan_1989_2016.csv.gz",
}


def path(name: str) -> Path:
    """The file of the shipped data set ``name`` (KeyError names the known ones)."""
    try:
        return SHIPPED[name]
    except KeyError:
        raise KeyError(f"no shipped data set {name!r}; known: {', '.join(SHIPPED)}") from None
