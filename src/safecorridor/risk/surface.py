"""The threat surface: severity x time decay x distance kernel, summed on H3 cells.

Incidents are aggregated to their surface cell (``np.bincount``), then spread to every cell
within the kernel's reach through a neighbour index built once per set of source cells
(``KernelGrid``): pairs (source cell, target cell, centre distance). No Python loop runs per
incident or per incident x cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import h3
import numpy as np
from h3.api import basic_int as h3i

from safecorridor.geo import EARTH_RADIUS_KM
from safecorridor.risk.data import DateLike, IncidentArrays, latlng_to_cells, to_day
from safecorridor.risk.policy import Policy, band

LN2 = math.log(2.0)


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Great-circle distance in km, broadcasting over numpy arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def severity(incidents: IncidentArrays, policy: Policy) -> np.ndarray:
    """Severity of each incident: event type x fatalities x foreign / corridor targeting."""
    sev = policy.severity
    table: dict[str, float] = {str(k): float(v) for k, v in sev["event_types"].items()}
    default = float(sev.get("default", 1.0))
    kinds, inverse = np.unique(incidents.event_type.astype(str), return_inverse=True)
    base = np.array([table.get(str(k), default) for k in kinds], dtype=np.float64)[inverse]
    base = base.reshape(-1)
    fat = np.maximum(incidents.fatalities, 0.0)
    out = base * (1.0 + float(sev.get("fatality_weight", 0.0)) * np.log1p(fat))
    out = np.where(incidents.foreign_target, out * float(sev.get("foreign_target", 1.0)), out)
    out = np.where(incidents.corridor_target, out * float(sev.get("corridor_target", 1.0)), out)
    return np.asarray(out, dtype=np.float64)


def decay(dates: np.ndarray, as_of: DateLike, components: list[tuple[float, float]]) -> np.ndarray:
    """Sum of weight x 0.5 ** (age / half_life) over the components; ages in days."""
    age = (to_day(as_of) - dates.astype("datetime64[D]")).astype(np.float64)
    age = np.maximum(age, 0.0)
    out = np.zeros_like(age)
    for half_life, weight in components:
        out += weight * np.exp(-LN2 * age / half_life)
    return out


def kernel(dist_km: np.ndarray, bandwidth_km: float, truncate: float) -> np.ndarray:
    """Gaussian kernel exp(-d² / 2h²), 1 at distance 0, 0 beyond truncate x h."""
    d = np.asarray(dist_km, dtype=np.float64)
    k = np.exp(-0.5 * (d / bandwidth_km) ** 2)
    return np.asarray(np.where(d <= truncate * bandwidth_km, k, 0.0), dtype=np.float64)


def rings_for(radius_km: float, resolution: int) -> int:
    """Grid rings enough to hold every cell whose centre lies within ``radius_km``."""
    spacing = h3.average_hexagon_edge_length(resolution, unit="km") * math.sqrt(3)
    return max(1, math.ceil(float(radius_km) / (0.65 * float(spacing))))


def cell_centres(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ll = np.array([h3i.cell_to_latlng(int(c)) for c in cells.tolist()], dtype=np.float64)
    if ll.size == 0:
        return np.zeros(0), np.zeros(0)
    return ll[:, 0].copy(), ll[:, 1].copy()


@dataclass
class KernelGrid:
    """Pairs (source cell, target cell) within ``radius_km``, with their centre distance."""

    resolution: int
    radius_km: float
    src_cells: np.ndarray  # sorted unique int64
    src_lat: np.ndarray
    src_lon: np.ndarray
    tgt_cells: np.ndarray  # sorted unique int64
    pair_src: np.ndarray  # int64 index into src_cells
    pair_tgt: np.ndarray  # int64 index into tgt_cells
    pair_dist: np.ndarray  # float64 km

    @classmethod
    def build(cls, src_cells: np.ndarray, resolution: int, radius_km: float) -> KernelGrid:
        src = np.unique(np.asarray(src_cells, dtype=np.int64))
        k = rings_for(radius_km, resolution)
        disk = h3i.grid_disk
        disks = [disk(int(c), k) for c in src.tolist()]
        lengths = np.fromiter((len(d) for d in disks), dtype=np.int64, count=len(disks))
        flat = np.fromiter((c for d in disks for c in d), dtype=np.int64, count=int(lengths.sum()))
        pair_src = np.repeat(np.arange(len(src), dtype=np.int64), lengths)
        tgt, pair_tgt = np.unique(flat, return_inverse=True)
        src_lat, src_lon = cell_centres(src)
        tgt_lat, tgt_lon = cell_centres(tgt)
        dist = haversine_km(
            src_lat[pair_src], src_lon[pair_src], tgt_lat[pair_tgt], tgt_lon[pair_tgt]
        )
        keep = dist <= radius_km
        return cls(
            resolution=resolution,
            radius_km=radius_km,
            src_cells=src,
            src_lat=src_lat,
            src_lon=src_lon,
            tgt_cells=tgt,
            pair_src=pair_src[keep],
            pair_tgt=pair_tgt.reshape(-1)[keep],
            pair_dist=dist[keep],
        )

    def source_index(self, cells: np.ndarray) -> np.ndarray:
        """Index of each cell in ``src_cells`` (every cell must be a source)."""
        idx = np.searchsorted(self.src_cells, cells)
        if len(cells) and (
            idx.max(initial=0) >= len(self.src_cells) or np.any(self.src_cells[idx] != cells)
        ):
            raise ValueError("a cell is not a source cell of this grid")
        return idx

    def spread(self, src_weight: np.ndarray, bandwidth_km: float, truncate: float) -> np.ndarray:
        """Kernel-weighted sum over sources, for every target cell."""
        kern = kernel(self.pair_dist, bandwidth_km, truncate)
        out = np.bincount(
            self.pair_tgt, weights=src_weight[self.pair_src] * kern, minlength=len(self.tgt_cells)
        )
        return np.asarray(out, dtype=np.float64)


@dataclass
class ThreatSurface:
    """Threat per H3 cell at ``as_of``, with what is needed to explain any cell's value."""

    policy: Policy
    as_of: np.datetime64
    resolution: int
    cells: np.ndarray  # sorted int64, cells with threat > 0
    values: np.ndarray
    incidents: IncidentArrays  # the incidents known at as_of
    severity: np.ndarray
    decay: np.ndarray
    grid: KernelGrid
    inc_src: np.ndarray  # index of each incident's cell in grid.src_cells
    _order: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, np.int64))
    _offsets: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(1, np.int64))
    _weights: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        self._order = np.argsort(self.inc_src, kind="stable")
        counts = np.bincount(self.inc_src, minlength=len(self.grid.src_cells))
        self._offsets = np.concatenate([[0], np.cumsum(counts)])
        self._weights = np.asarray(self.severity * self.decay, dtype=np.float64)

    @property
    def policy_hash(self) -> str:
        return self.policy.sha256

    @property
    def weights(self) -> np.ndarray:
        """severity x decay of each incident (the kernel's factor comes per cell)."""
        return self._weights

    def values_at_cells(self, cells: np.ndarray) -> np.ndarray:
        cells = np.asarray(cells, dtype=np.int64)
        if len(self.cells) == 0:
            return np.zeros(len(cells))
        idx = np.clip(np.searchsorted(self.cells, cells), 0, len(self.cells) - 1)
        return np.where(self.cells[idx] == cells, self.values[idx], 0.0)

    def value_at_cell(self, cell: int) -> float:
        return float(self.values_at_cells(np.array([cell], dtype=np.int64))[0])

    def cell_of(self, lat: float, lon: float) -> int:
        return int(h3i.latlng_to_cell(lat, lon, self.resolution))

    def value_at(self, lat: float, lon: float) -> float:
        return self.value_at_cell(self.cell_of(lat, lon))

    def contributions(self, cell: int) -> tuple[np.ndarray, np.ndarray]:
        """(incident positions, contribution) of every incident adding to ``cell``."""
        lat, lon = h3i.cell_to_latlng(int(cell))
        g = self.grid
        if len(g.src_cells) == 0:
            return np.zeros(0, np.int64), np.zeros(0)
        dist = haversine_km(lat, lon, g.src_lat, g.src_lon)
        kern = kernel(dist, self.policy.bandwidth_km, float(self.policy.data["kernel"]["truncate"]))
        near = np.flatnonzero(kern > 0)
        if near.size == 0:
            return np.zeros(0, np.int64), np.zeros(0)
        starts, ends = self._offsets[near], self._offsets[near + 1]
        lengths = ends - starts
        pos = np.repeat(starts - np.cumsum(np.concatenate([[0], lengths[:-1]])), lengths)
        pos = pos + np.arange(int(lengths.sum()))
        idx = self._order[pos]
        contrib = self.weights[idx] * np.repeat(kern[near], lengths)
        return idx, contrib

    def level_of(self, value: float) -> str:
        return str(band(value, self.policy.route["thresholds"]))

    def to_geojson(self, min_value: float = 0.0) -> dict[str, Any]:
        """The cells as a GeoJSON FeatureCollection (threat and the route-scale level)."""
        features = []
        for cell, value in zip(self.cells.tolist(), self.values.tolist(), strict=True):
            if value < min_value:
                continue
            ring = [[lng, lat] for lat, lng in h3i.cell_to_boundary(cell)]
            ring.append(ring[0])
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                    "properties": {
                        "h3": h3.int_to_str(cell),
                        "threat": round(value, 6),
                        "level": self.level_of(value),
                    },
                }
            )
        return {
            "type": "FeatureCollection",
            "features": features,
            "properties": {
                "as_of": str(self.as_of),
                "resolution": self.resolution,
                "policy_version": self.policy.version,
                "policy_sha256": self.policy_hash,
                "incidents": len(self.incidents),
            },
        }


def compute_surface(
    incidents: IncidentArrays,
    *,
    as_of: DateLike,
    policy: Policy,
    grid: KernelGrid | None = None,
    src_cells: np.ndarray | None = None,
    as_recorded: bool = False,
) -> ThreatSurface:
    """The threat surface at ``as_of`` from the incidents known then.

    ``src_cells`` (each incident's surface cell) and ``grid`` may be passed to reuse work
    across many surfaces (backtests); the grid must cover those cells with a radius at least
    the policy's kernel radius. ``as_recorded`` also drops incidents recorded after
    ``as_of`` (see ``IncidentArrays.known_at``).
    """
    day = to_day(as_of)
    known = incidents.known_at(day, as_recorded=as_recorded)
    inc = incidents.select(known)
    res = policy.resolution
    cells = latlng_to_cells(inc.lat, inc.lon, res) if src_cells is None else src_cells[known]
    radius = policy.kernel_radius_km
    if grid is None or grid.resolution != res or grid.radius_km < radius:
        grid = KernelGrid.build(cells, res, radius)
    inc_src = grid.source_index(cells)
    sev = severity(inc, policy)
    dec = decay(inc.date, day, [(c.half_life_days, c.weight) for c in policy.decay_components])
    src_weight = np.bincount(inc_src, weights=sev * dec, minlength=len(grid.src_cells))
    values = grid.spread(src_weight, policy.bandwidth_km, float(policy.data["kernel"]["truncate"]))
    nz = values > 0
    return ThreatSurface(
        policy=policy,
        as_of=day,
        resolution=res,
        cells=grid.tgt_cells[nz],
        values=values[nz],
        incidents=inc,
        severity=sev,
        decay=dec,
        grid=grid,
        inc_src=inc_src,
    )
