"""GeoJSON (RFC 7946) helpers: longitude before latitude, bounding boxes as query strings."""

from __future__ import annotations

import math
from typing import Any

from safecorridor.api.problems import ProblemError

BBOX_HELP = "Bounding box minLon,minLat,maxLon,maxLat (WGS 84), e.g. 66,24,68.5,26"


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """(min_lon, min_lat, max_lon, max_lat) from ``"minLon,minLat,maxLon,maxLat"``."""
    if value is None or not value.strip():
        return None
    try:
        parts = [float(p) for p in value.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
        raise ProblemError(422, f"bbox must be four numbers minLon,minLat,maxLon,maxLat: {value!r}")
    w, s, e, n = parts
    if not (-180 <= w <= 180 and -180 <= e <= 180 and -90 <= s <= 90 and -90 <= n <= 90):
        raise ProblemError(422, f"bbox is outside longitude -180..180 / latitude -90..90: {value}")
    if w > e or s > n:
        raise ProblemError(
            422, f"bbox must have minLon <= maxLon and minLat <= maxLat (got {value})"
        )
    return w, s, e, n


def point(lat: float, lon: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [lon, lat]}


def line(points: list[list[float]] | list[tuple[float, float]]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [[p[1], p[0]] for p in points]}


def feature(fid: int | str, geometry: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "id": fid, "geometry": geometry, "properties": properties}


def collection(features: list[dict[str, Any]], **properties: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if properties:
        out["properties"] = properties
    return out
