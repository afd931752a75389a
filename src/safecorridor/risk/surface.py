"""The threat surface: severity x time decay x distance kernel, summed on H3 cells, with the
probability of an incident near every cell.

Incidents are aggregated to their surface cell (``np.bincount``), then spread to every cell
within reach through a neighbour index built once per set of source cells (``KernelGrid``):
pairs (source cell, target cell, centre distance). No Python loop runs per incident or per
incident x cell. One grid, built to the policy's reach (the larger of the kernel's radius and
the probability radius), serves both: the threat uses its pairs within the kernel radius, the
probabilities (``risk.probability``) its pairs within ``probability.radius_km``. The grid's
pairs come source by source in a fixed order, so every sum over a target's sources runs in
the same order however the grid was built; a grid built for a later day's incidents (a
superset of cells) serves an earlier day's surface unchanged (``compute_surface`` keeps the
cells its own incidents reach): a briefing pack's two surfaces share one.

Three things are computed for every cell:

* ``values``: the threat, a ranking of places (what the backtest validates): each decay
  component (a memory: long, recent) spreads its incidents with its own kernel;
* ``corridor``: the layer "threat to the corridor": the extra weight the policy gives to
  incidents that targeted foreign nationals or a corridor project (``layers.corridor``),
  kept apart so that the general surface stays the validated one;
* the probabilities of at least one incident, and one fatal incident, within the radius in
  the next 30 and 90 days, and the level they fall in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import h3
import numpy as np
from h3.api import basic_int as h3i
from h3.api import numpy_int as h3n

from safecorridor.geo import EARTH_RADIUS_KM
from safecorridor.risk.data import DateLike, IncidentArrays, latlng_to_cells, to_day
from safecorridor.risk.policy import OUTCOMES, DecayComponent, Policy, outcome_key
from safecorridor.risk.probability import (
    Probabilities,
    predict_all,
    probabilities_of,
    window_counts,
)

try:  # h3's own Cython layer: grid_disk without a conversion per disk (see _disks)
    from h3 import _cy as _h3cy
except ImportError:  # pragma: no cover - another h3 build: the public API
    _h3cy = None

LN2 = math.log(2.0)


def haversine_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Great-circle distance in km, broadcasting over numpy arrays."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def severity(incidents: IncidentArrays, policy: Policy) -> np.ndarray:
    """Severity of each incident in the general surface: event type x fatalities."""
    sev = policy.severity
    table: dict[str, float] = {str(k): float(v) for k, v in sev["event_types"].items()}
    default = float(sev.get("default", 1.0))
    get = table.get
    base = np.fromiter(
        (get(k, default) for k in incidents.event_type.tolist()),
        dtype=np.float64,
        count=len(incidents),
    )
    fat = np.maximum(incidents.fatalities, 0.0)
    out = base * (1.0 + float(sev.get("fatality_weight", 0.0)) * np.log1p(fat))
    return np.asarray(out, dtype=np.float64)


def corridor_extra(incidents: IncidentArrays, policy: Policy) -> np.ndarray:
    """Each incident's extra factor in the corridor layer: (foreign x corridor multiplier) - 1,
    0 for incidents that targeted neither foreign nationals nor a corridor project."""
    layer = policy.corridor_layer
    mult = np.ones(len(incidents))
    mult = np.where(incidents.foreign_target, mult * float(layer.get("foreign_target", 1.0)), mult)
    mult = np.where(
        incidents.corridor_target, mult * float(layer.get("corridor_target", 1.0)), mult
    )
    return np.asarray(mult - 1.0, dtype=np.float64)


def decay(dates: np.ndarray, as_of: DateLike, components: list[tuple[float, float]]) -> np.ndarray:
    """Sum of weight x 0.5 ** (age / half_life) over the components; ages in days."""
    return np.asarray(decay_parts(dates, as_of, components).sum(axis=0), dtype=np.float64)


def decay_parts(
    dates: np.ndarray, as_of: DateLike, components: list[tuple[float, float]]
) -> np.ndarray:
    """weight x 0.5 ** (age / half_life), one row per component (components, incidents)."""
    age = (to_day(as_of) - dates.astype("datetime64[D]")).astype(np.float64)
    age = np.maximum(age, 0.0)
    out = np.zeros((len(components), len(age)))
    for i, (half_life, weight) in enumerate(components):
        out[i] = weight * np.exp(-LN2 * age / half_life)
    return out


def kernel(dist_km: np.ndarray, bandwidth_km: float, truncate: float) -> np.ndarray:
    """Gaussian kernel exp(-d² / 2h²), 1 at distance 0, 0 beyond truncate x h."""
    d = np.asarray(dist_km, dtype=np.float64)
    k = np.exp(-0.5 * (d / bandwidth_km) ** 2)
    return np.asarray(np.where(d <= truncate * bandwidth_km, k, 0.0), dtype=np.float64)


def local_spacing_km(cells: np.ndarray, sample: int = 64) -> float:
    """The smallest centre distance between a cell and its neighbours, over a sample of
    ``cells`` spread through them (H3 cells vary in size from place to place)."""
    cells = np.asarray(cells, dtype=np.int64)
    if len(cells) == 0:
        return float("nan")
    pick = cells[:: max(1, len(cells) // sample)][:sample]
    best = float("inf")
    for c in pick.tolist():
        lat, lon = h3i.cell_to_latlng(c)
        ring = np.array([h3i.cell_to_latlng(n) for n in h3i.grid_ring(c, 1)])
        best = min(best, float(haversine_km(lat, lon, ring[:, 0], ring[:, 1]).min()))
    return best


def rings_for(radius_km: float, resolution: int, cells: np.ndarray | None = None) -> int:
    """Grid rings enough to hold every cell whose centre lies within ``radius_km``.

    The cells of ring k lie at least k x spacing x sqrt(3)/2 away. The spacing is measured
    around ``cells`` when given (``local_spacing_km``), else the resolution's average with a
    margin for the smallest cells; 0.8 instead of 0.866 leaves room for the cells between
    the sample's.
    """
    spacing = float("nan")
    if cells is not None and len(cells):
        spacing = local_spacing_km(cells)
    if not math.isfinite(spacing):
        spacing = 0.8 * h3.average_hexagon_edge_length(resolution, unit="km") * math.sqrt(3)
    return max(1, math.ceil(float(radius_km) / (0.8 * spacing)))


def local_distance_km(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> np.ndarray:
    """Distance in km on the local tangent plane (equirectangular): for the short distances of
    kernels and radii (< 100 km) it differs from the great circle by far less than a metre
    per km, at a fraction of the cost."""
    la1, la2 = np.radians(lat1), np.radians(lat2)
    x = np.radians(np.asarray(lon2) - np.asarray(lon1)) * np.cos((la1 + la2) / 2)
    y = la2 - la1
    return np.asarray(EARTH_RADIUS_KM * np.hypot(x, y), dtype=np.float64)


def cell_centres(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ll = np.array([h3i.cell_to_latlng(int(c)) for c in cells.tolist()], dtype=np.float64)
    if ll.size == 0:
        return np.zeros(0), np.zeros(0)
    return ll[:, 0].copy(), ll[:, 1].copy()


def _disks(cells: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The cells within ``k`` grid steps of each of ``cells``, concatenated (int64), and how
    many belong to each. h3's own (Cython) ``grid_disk`` gives each disk as a buffer, joined
    without a Python int per cell; the public numpy API converts each disk on its own and
    costs twice as much for the ~35,000 disks of a country."""
    if len(cells) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    disk = getattr(_h3cy, "grid_disk", None) if _h3cy is not None else None
    if disk is not None:
        parts = [disk(c, k) for c in cells.tolist()]
        lengths = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
        flat = np.frombuffer(b"".join(parts), dtype=np.uint64).view(np.int64)
    else:  # another h3 build: the public API, the same cells in the same order
        arrays = [h3n.grid_disk(c, k) for c in cells.astype(np.uint64)]
        lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
        flat = np.concatenate(arrays).view(np.int64)
    return flat, lengths


def _sorted_unique_inverse(cells: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(cells, return_inverse=True)`` for H3 cells of one resolution, faster.

    Cells of one resolution differ only in their base cell (7 bits) and their first digits (3
    bits each), which sit together above the unused digits; shifted down, they are integers in
    the cells' own order, close together for cells of one region. The inverse is then a gather
    from a table over that span, instead of a sort of every pair (millions for a country).
    When the span is wider than twice the cells (few, scattered cells) a binary search gives
    the same inverse.
    """
    if len(cells) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    ordered = np.sort(cells)  # a plain sort: much cheaper than np.unique's with the inverse
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    uniq = ordered[first]
    shift = 3 * (15 - resolution)
    low, high = int(uniq[0]) >> shift, int(uniq[-1]) >> shift
    if high - low + 1 > 2 * len(cells):
        return uniq, np.searchsorted(uniq, cells)
    table = np.zeros(high - low + 1, dtype=np.int64)
    table[(uniq >> shift) - low] = np.arange(len(uniq), dtype=np.int64)
    return uniq, table[(cells >> shift) - low]


def _pair_distance_km(
    src_lat: np.ndarray,
    src_lon: np.ndarray,
    tgt_lat: np.ndarray,
    tgt_lon: np.ndarray,
    pair_src: np.ndarray,
    pair_tgt: np.ndarray,
) -> np.ndarray:
    """``local_distance_km`` between the centres of each pair, with the latitudes turned to
    radians once per cell rather than once per pair (the same numbers, element by element)."""
    la1 = np.radians(src_lat)[pair_src]
    la2 = np.radians(tgt_lat)[pair_tgt]
    x = np.radians(tgt_lon[pair_tgt] - src_lon[pair_src]) * np.cos((la1 + la2) / 2)
    y = la2 - la1
    return np.asarray(EARTH_RADIUS_KM * np.hypot(x, y), dtype=np.float64)


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
    _within: dict[float, KernelGrid] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, src_cells: np.ndarray, resolution: int, radius_km: float) -> KernelGrid:
        """Every (source, target) pair of cells whose centres lie within ``radius_km``.

        Pairs come source by source (sources ascending, each source's disk in H3's order), so
        a target's sums over its sources always run in the same order; targets are sorted.
        """
        src = np.unique(np.asarray(src_cells, dtype=np.int64))
        k = rings_for(radius_km, resolution, src)
        flat, lengths = _disks(src, k)
        pair_src = np.repeat(np.arange(len(src), dtype=np.int64), lengths)
        tgt, pair_tgt = _sorted_unique_inverse(flat, resolution)
        src_lat, src_lon = cell_centres(src)
        tgt_lat, tgt_lon = cell_centres(tgt)
        dist = _pair_distance_km(src_lat, src_lon, tgt_lat, tgt_lon, pair_src, pair_tgt)
        keep = dist <= radius_km
        used = np.zeros(len(tgt), dtype=bool)
        used[pair_tgt[keep]] = True
        remap = np.cumsum(used) - 1  # drop targets no source reaches
        return cls(
            resolution=resolution,
            radius_km=radius_km,
            src_cells=src,
            src_lat=src_lat,
            src_lon=src_lon,
            tgt_cells=tgt[used],
            pair_src=pair_src[keep],
            pair_tgt=remap[pair_tgt[keep]],
            pair_dist=dist[keep],
        )

    def within(self, radius_km: float) -> KernelGrid:
        """The same grid (same source and target cells) with only the pairs within
        ``radius_km`` (cached)."""
        if radius_km >= self.radius_km:
            return self
        done = self._within.get(radius_km)
        if done is None:
            keep = self.pair_dist <= radius_km
            done = KernelGrid(
                resolution=self.resolution,
                radius_km=radius_km,
                src_cells=self.src_cells,
                src_lat=self.src_lat,
                src_lon=self.src_lon,
                tgt_cells=self.tgt_cells,
                pair_src=self.pair_src[keep],
                pair_tgt=self.pair_tgt[keep],
                pair_dist=self.pair_dist[keep],
            )
            self._within[radius_km] = done
        return done

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


def _lookup(sorted_cells: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(position in ``sorted_cells``, found) of each cell."""
    cells = np.asarray(cells, dtype=np.int64)
    if len(sorted_cells) == 0:
        return np.zeros(len(cells), dtype=np.int64), np.zeros(len(cells), dtype=bool)
    idx = np.clip(np.searchsorted(sorted_cells, cells), 0, len(sorted_cells) - 1)
    return idx, sorted_cells[idx] == cells


def _spread_components(
    grid: KernelGrid,
    inc_src: np.ndarray,
    weights: np.ndarray,
    parts: np.ndarray,
    components: list[DecayComponent],
    truncate: float,
) -> np.ndarray:
    values = np.zeros(len(grid.tgt_cells))
    for comp, part in zip(components, parts, strict=True):
        src = np.bincount(inc_src, weights=weights * part, minlength=len(grid.src_cells))
        values += grid.spread(src, comp.bandwidth_km, truncate)
    return values


def _reached(grid: KernelGrid, inc_src: np.ndarray) -> np.ndarray:
    """Mask of ``grid``'s target cells that a source cell holding an incident reaches."""
    holds = np.zeros(len(grid.src_cells), dtype=bool)
    holds[inc_src] = True
    out = np.zeros(len(grid.tgt_cells), dtype=bool)
    out[grid.pair_tgt[holds[grid.pair_src]]] = True
    return out


@dataclass
class ThreatSurface:
    """Threat and probabilities per H3 cell at ``as_of``, with what explains each value."""

    policy: Policy
    as_of: np.datetime64
    resolution: int
    cells: np.ndarray  # sorted int64, cells with threat > 0
    values: np.ndarray  # threat of each cell
    corridor: np.ndarray  # the corridor layer at each cell (0 without targeted incidents)
    incidents: IncidentArrays  # the incidents known at as_of
    severity: np.ndarray
    decay: np.ndarray  # each incident's decay, all components summed
    decay_parts: np.ndarray  # (components, incidents)
    corridor_factor: np.ndarray  # each incident's extra factor in the corridor layer
    grid: KernelGrid
    inc_src: np.ndarray  # index of each incident's cell in grid.src_cells
    prob_cells: np.ndarray  # sorted int64: every cell within the radius of an incident
    prob: dict[str, np.ndarray]  # outcome (any_30 ... fatal_90) -> value per prob_cell
    counts: dict[str, np.ndarray]  # event (any, fatal) -> (windows, prob_cells)
    p_zero: dict[str, float]  # the probability of a cell no counted incident reaches
    _order: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, np.int64))
    _offsets: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(1, np.int64))

    def __post_init__(self) -> None:
        self._order = np.argsort(self.inc_src, kind="stable")
        counts = np.bincount(self.inc_src, minlength=len(self.grid.src_cells))
        self._offsets = np.concatenate([[0], np.cumsum(counts)])

    @property
    def policy_hash(self) -> str:
        return self.policy.sha256

    @property
    def weights(self) -> np.ndarray:
        """severity x decay of each incident (the kernel's factor comes per cell)."""
        return np.asarray(self.severity * self.decay, dtype=np.float64)

    # --- threat ----------------------------------------------------------------------------
    def values_at_cells(self, cells: np.ndarray) -> np.ndarray:
        idx, found = _lookup(self.cells, cells)
        return np.where(found, self.values[idx] if len(self.cells) else 0.0, 0.0)

    def value_at_cell(self, cell: int) -> float:
        return float(self.values_at_cells(np.array([cell], dtype=np.int64))[0])

    def corridor_at_cells(self, cells: np.ndarray) -> np.ndarray:
        idx, found = _lookup(self.cells, cells)
        return np.where(found, self.corridor[idx] if len(self.cells) else 0.0, 0.0)

    def cell_of(self, lat: float, lon: float) -> int:
        return int(h3i.latlng_to_cell(lat, lon, self.resolution))

    def value_at(self, lat: float, lon: float) -> float:
        return self.value_at_cell(self.cell_of(lat, lon))

    def contributions(self, cell: int, *, layer: str = "threat") -> tuple[np.ndarray, np.ndarray]:
        """(incident positions, contribution) of every incident adding to ``cell``, for the
        threat (``layer="threat"``), the corridor layer (``"corridor"``) or both (``"both"``)."""
        lat, lon = h3i.cell_to_latlng(int(cell))
        g = self.grid
        pol = self.policy
        if len(g.src_cells) == 0:
            return np.zeros(0, np.int64), np.zeros(0)
        dist = haversine_km(lat, lon, g.src_lat, g.src_lon)
        near = np.flatnonzero(dist <= pol.kernel_radius_km)
        if near.size == 0:
            return np.zeros(0, np.int64), np.zeros(0)
        starts, ends = self._offsets[near], self._offsets[near + 1]
        lengths = ends - starts
        pos = np.repeat(starts - np.cumsum(np.concatenate([[0], lengths[:-1]])), lengths)
        pos = pos + np.arange(int(lengths.sum()))
        idx = self._order[pos]
        d = np.repeat(dist[near], lengths)
        timed = np.zeros(len(idx))
        for comp, part in zip(pol.decay_components, self.decay_parts, strict=True):
            timed += part[idx] * kernel(d, comp.bandwidth_km, pol.truncate)
        factor = {
            "threat": np.ones(len(idx)),
            "corridor": self.corridor_factor[idx],
            "both": 1.0 + self.corridor_factor[idx],
        }[layer]
        contrib = self.severity[idx] * timed * factor
        keep = contrib > 0
        return idx[keep], contrib[keep]

    # --- probabilities ---------------------------------------------------------------------
    def probabilities_at_cells(self, cells: np.ndarray) -> dict[str, np.ndarray]:
        """Each outcome's probability (``any_30`` ... ``fatal_90``) at each cell."""
        idx, found = _lookup(self.prob_cells, cells)
        out = {}
        for k, v in self.prob.items():
            got = np.full(len(idx), self.p_zero[k])
            if len(v):
                got[found] = v[idx[found]]
            out[k] = got
        return out

    def counts_at_cells(self, cells: np.ndarray) -> dict[str, np.ndarray]:
        """Incidents (``any``) and fatal incidents within the radius, (windows, cells)."""
        idx, found = _lookup(self.prob_cells, cells)
        out = {}
        for k, v in self.counts.items():
            got = np.zeros((v.shape[0], len(idx)))
            if v.shape[1]:
                got[:, found] = v[:, idx[found]]
            out[k] = got
        return out

    def probabilities(self, cell: int, *, where: str = "") -> Probabilities:
        """The chances around ``cell``, its level and the sentence that says both."""
        cells = np.array([cell], dtype=np.int64)
        p = {k: float(v[0]) for k, v in self.probabilities_at_cells(cells).items()}
        windows = [str(int(w)) for w in self.policy.probability["windows_days"]]
        counts = {
            e: dict(zip(windows, (float(x) for x in v[:, 0]), strict=True))
            for e, v in self.counts_at_cells(cells).items()
        }
        return probabilities_of(self.policy, p, counts, where=where)

    def level_of_cells(self, cells: np.ndarray) -> np.ndarray:
        """The level (str) of each cell."""
        p = self.probabilities_at_cells(cells)[self.policy.level_outcome]
        bands = self.policy.levels["bands"]
        names = np.array([str(lvl) for lvl in bands], dtype=object)
        edges = np.array([float(bands[str(n)]) for n in names])
        return np.asarray(names[np.searchsorted(edges, p, side="right") - 1], dtype=object)

    # --- output ----------------------------------------------------------------------------
    def feature_properties(self, pos: int) -> dict[str, Any]:
        """The GeoJSON properties of surface cell ``pos``: threat, corridor layer, level and
        probabilities (the same for ``to_geojson`` and the API's cached features)."""
        cell = int(self.cells[pos])
        cells = np.array([cell], dtype=np.int64)
        p = {k: float(v[0]) for k, v in self.probabilities_at_cells(cells).items()}
        outcome = self.policy.level_outcome
        level = str(self.policy.level_for(p[outcome]))
        props: dict[str, Any] = {
            "h3": h3.int_to_str(cell),
            "threat": round(float(self.values[pos]), 6),
            "corridor": round(float(self.corridor[pos]), 6),
            "level": level,
        }
        props.update({k: round(v, 4) for k, v in p.items()})
        return props

    def to_geojson(self, min_value: float = 0.0) -> dict[str, Any]:
        """The cells as a GeoJSON FeatureCollection (threat, corridor layer, probabilities
        and level of each: the properties of ``feature_properties``)."""
        keep = np.flatnonzero(self.values >= min_value)
        cells = self.cells[keep]
        probs = {k: v.tolist() for k, v in self.probabilities_at_cells(cells).items()}
        levels = self.level_of_cells(cells).tolist()
        features = []
        for i, pos in enumerate(keep.tolist()):
            cell = int(self.cells[pos])
            ring = [[lng, lat] for lat, lng in h3i.cell_to_boundary(cell)]
            ring.append(ring[0])
            props: dict[str, Any] = {
                "h3": h3.int_to_str(cell),
                "threat": round(float(self.values[pos]), 6),
                "corridor": round(float(self.corridor[pos]), 6),
                "level": str(levels[i]),
            }
            props.update({k: round(v[i], 4) for k, v in probs.items()})
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                    "properties": props,
                }
            )
        return {
            "type": "FeatureCollection",
            "features": features,
            "properties": self.to_dict(),
        }

    def to_dict(self) -> dict[str, Any]:
        """A summary: the date, the policy, the incidents, the cells per level and the
        highest chance anywhere on the surface, said in words."""
        pol = self.policy
        outcome = pol.level_outcome
        levels = self.level_of_cells(self.prob_cells)
        per_level = {
            str(lvl): int(np.count_nonzero(levels == str(lvl))) for lvl in pol.levels["bands"]
        }
        top: dict[str, Any] = {}
        if len(self.prob_cells):
            best = int(np.argmax(self.prob[outcome]))
            cell = int(self.prob_cells[best])
            pr = self.probabilities(cell)
            lat, lon = h3i.cell_to_latlng(cell)
            top = {"h3": h3.int_to_str(cell), "lat": lat, "lon": lon, "sentence": pr.sentence}
        return {
            "as_of": str(self.as_of),
            "resolution": self.resolution,
            "policy_version": pol.version,
            "policy_sha256": self.policy_hash,
            "incidents": len(self.incidents),
            "cells": len(self.cells),
            "max_threat": float(self.values.max(initial=0.0)),
            "levels": {
                "outcome": outcome,
                "bands": {str(k): float(v) for k, v in pol.levels["bands"].items()},
                "cells_within_reach": per_level,
                "elsewhere": probabilities_of(pol, dict(self.p_zero)).sentence,
            },
            "highest": top,
        }

    def explain(self) -> str:
        d = self.to_dict()
        lv = d["levels"]
        lines = [
            f"surface as of {d['as_of']}: {d['incidents']} incidents, {d['cells']} cells with"
            f" threat, max threat {d['max_threat']:.3f};"
            f" policy {d['policy_version']} ({d['policy_sha256'][:12]})",
            "  cells within reach per level: "
            + ", ".join(f"{k} {v}" for k, v in lv["cells_within_reach"].items()),
            f"  elsewhere: {lv['elsewhere']}",
        ]
        cal = self.policy.data.get("calibration") or {}
        if str(cal.get("command", "")).startswith("served:"):  # calibrate.served_policy
            lines.insert(
                1,
                f"  parameters fitted on the {cal['data']['incidents']} incidents before"
                f" {cal['train_until']} (recalibrated each quarter):"
                f" {cal['surface']['described']}",
            )
        if d["highest"]:
            h = d["highest"]
            lines.append(
                f"  highest: {h['sentence']} (cell {h['h3']}, {h['lat']:.3f}, {h['lon']:.3f})"
            )
        return "\n".join(lines)


def compute_surface(
    incidents: IncidentArrays,
    *,
    as_of: DateLike,
    policy: Policy,
    grid: KernelGrid | None = None,
    src_cells: np.ndarray | None = None,
    as_recorded: bool = False,
    with_probabilities: bool = True,
) -> ThreatSurface:
    """The threat surface and the probabilities at ``as_of`` from the incidents known then.

    ``src_cells`` (each incident's surface cell) and ``grid`` may be passed to reuse work
    across many surfaces (backtests); the grid must cover those cells with a radius at least
    the policy's reach (its kernel radius only, ``with_probabilities=False``); it may hold more
    source cells than these incidents' (a later day's, for surfaces of several days): the
    surface then keeps only the cells its own incidents reach, as if the grid had been built
    from its cells (the same cells, values and probabilities; sums over a target's sources
    run in the same order). Without
    probabilities (scoring candidates in a search) every cell gets the zero-count chances.
    ``as_recorded`` also drops incidents recorded after ``as_of`` (``IncidentArrays.known_at``).
    """
    day = to_day(as_of)
    known = incidents.known_at(day, as_recorded=as_recorded)
    inc = incidents.select(known)
    res = policy.resolution
    cells = latlng_to_cells(inc.lat, inc.lon, res) if src_cells is None else src_cells[known]
    reach = policy.reach_km if with_probabilities else policy.kernel_radius_km
    shared = not (grid is None or grid.resolution != res or grid.radius_km < reach)
    if grid is None or not shared:
        grid = KernelGrid.build(cells, res, reach)
    inc_src = grid.source_index(cells)
    comps = policy.decay_components
    sev = severity(inc, policy)
    parts = decay_parts(inc.date, day, [(c.half_life_days, c.weight) for c in comps])
    kgrid = grid.within(policy.kernel_radius_km)
    values = _spread_components(kgrid, inc_src, sev, parts, comps, policy.truncate)
    extra = corridor_extra(inc, policy)
    if np.any(extra > 0):
        layer = _spread_components(kgrid, inc_src, sev * extra, parts, comps, policy.truncate)
    else:
        layer = np.zeros(len(values))
    nz = values > 0
    windows = [int(w) for w in policy.probability["windows_days"]]
    zero_counts = {e: np.zeros((len(windows), 1)) for e in ("any", "fatal")}
    p_zero = {k: float(v[0]) for k, v in predict_all(policy, zero_counts).items()}
    if with_probabilities:
        pgrid = grid.within(policy.probability_radius_km)
        ages = (day - inc.date).astype(np.int64)
        counts = window_counts(
            pair_src=pgrid.pair_src,
            pair_tgt=pgrid.pair_tgt,
            n_targets=len(grid.tgt_cells),
            inc_src=inc_src,
            n_sources=len(grid.src_cells),
            ages=ages,
            fatal=inc.fatalities > 0,
            windows=windows,
        )
        prob_cells = grid.tgt_cells
        if shared:  # keep only the cells this surface's own incidents reach (see the doc)
            reached = _reached(grid, inc_src)
            if not reached.all():
                prob_cells = prob_cells[reached]
                counts = {e: v[:, reached] for e, v in counts.items()}
        prob = predict_all(policy, counts)
    else:
        prob_cells = np.zeros(0, dtype=np.int64)
        counts = {e: np.zeros((len(windows), 0)) for e in ("any", "fatal")}
        prob = {outcome_key(e, h): np.zeros(0) for e, h in OUTCOMES}
    return ThreatSurface(
        policy=policy,
        as_of=day,
        resolution=res,
        cells=grid.tgt_cells[nz],
        values=values[nz],
        corridor=layer[nz],
        incidents=inc,
        severity=sev,
        decay=parts.sum(axis=0),
        decay_parts=parts,
        corridor_factor=extra,
        grid=grid,
        inc_src=inc_src,
        prob_cells=prob_cells,
        prob=prob,
        counts=counts,
        p_zero=p_zero,
    )
