"""Small geographic helpers shared by the record, the importers and the risk engine."""

from __future__ import annotations

import json
import math
from importlib.resources import files
from itertools import pairwise
from typing import Any

import h3
import numpy as np

EARTH_RADIUS_KM = 6371.0088


def cell_of(lat: float, lon: float, resolution: int = 7) -> int:
    """The H3 cell containing a point, as a (signed-64-bit safe) integer."""
    return int(h3.str_to_int(h3.latlng_to_cell(lat, lon, resolution)))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def cells_within(lat: float, lon: float, km: float, resolution: int = 7) -> list[int] | None:
    """Every H3 cell that may hold a point within ``km`` of (lat, lon).

    Returns None when the disk would be too large to be a useful index filter; callers then
    fall back to a bounding box.
    """
    spacing = h3.average_hexagon_edge_length(resolution, unit="km") * math.sqrt(3)
    k = math.ceil(km / spacing) + 1
    if k > 25:
        return None
    origin = h3.latlng_to_cell(lat, lon, resolution)
    return [int(h3.str_to_int(c)) for c in h3.grid_disk(origin, k)]


def bounding_box(lat: float, lon: float, km: float) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) of a box containing the circle of radius ``km``."""
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    dlon = math.degrees(km / (EARTH_RADIUS_KM * max(math.cos(math.radians(lat)), 1e-6)))
    return lat - dlat, lon - dlon, lat + dlat, lon + dlon


def check_coordinates(lat: float, lon: float) -> None:
    if not (-90.0 <= lat <= 90.0) or not (-180.0 <= lon <= 180.0):
        raise ValueError(f"coordinates out of range: latitude {lat}, longitude {lon}")
    if lat == 0.0 and lon == 0.0:
        raise ValueError("coordinates are 0,0 (a missing location written as zeros)")


#: a route shorter than this (50 m) has no length: its points are one place
MIN_ROUTE_KM = 0.05


def polyline_length_km(points: list[list[float]]) -> float:
    return sum(haversine_km(a[0], a[1], b[0], b[1]) for a, b in pairwise(points))


def base_map() -> list[tuple[str, list[Any]]]:
    """(kind, outer rings as (lon, lat) arrays) of each feature of the offline base map the
    web map and the PNG maps draw: Pakistan's provinces and its neighbours."""
    text = files("safecorridor.web").joinpath("static/geo/pakistan.geojson").read_text("utf-8")
    out: list[tuple[str, list[Any]]] = []
    for feature in json.loads(text)["features"]:
        geom = feature["geometry"]
        polygons = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        rings = [np.asarray(poly[0], dtype=float) for poly in polygons]
        out.append((str(feature["properties"].get("kind", "")), rings))
    return out
