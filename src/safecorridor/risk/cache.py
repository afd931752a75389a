"""Threat surfaces kept in memory and sliced by box, so a map request costs milliseconds.

A surface is computed once from every incident a reader may see, per (database, reader's
visibility key, day, policy hash), and cached with the *stamp* of the incident table it was
computed from (``incidents.models.read_incidents_epoch``: the ``incidents_epoch`` row,
which the database's own triggers raise whenever incidents are added, changed or deleted, by
any process and any means). Each request reads it again (one primary-key read, whatever the
number of incidents); when it differs the surface is recomputed. A session whose open
transaction has written incidents neither reads nor fills the cache
(``incidents.models.wrote_incidents``): on PostgreSQL the epoch moves at commit, and what it
sees is not yet anyone else's.

The same cache, keyed also by the box and the days, keeps the surfaces of several days that a
briefing pack asks for (``day_surfaces``), so a pack built again (the other language, the
PDF) reuses them.

Readers with the same visibility key (``sharing.policy.visibility_key``: organisation,
partners, RED grants) read the same incidents, so they share one surface; one reader's surface
never holds an incident another reader may not see unless both may see it.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np
from h3.api import basic_int as h3i

from safecorridor.risk.surface import ThreatSurface, cell_centres
from safecorridor.sharing.audit import sha256_json

Box = tuple[float, float, float, float]
T = TypeVar("T")


@dataclass
class CachedSurface:
    """A surface with what slicing needs: cell centres, AMBER marks, rendered features."""

    surface: ThreatSurface
    marked: np.ndarray  # bool per surface.incidents row: AMBER or stricter
    cell_lat: np.ndarray = field(init=False)
    cell_lon: np.ndarray = field(init=False)
    _features: dict[int, str] = field(default_factory=dict, repr=False)
    _boxes: dict[Box, tuple[int, int, str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.cell_lat, self.cell_lon = cell_centres(self.surface.cells)

    def cells_in(self, box: Box, min_value: float = 0.0) -> np.ndarray:
        """Positions (ascending) of the cells whose centre lies in ``box``, at >= min_value."""
        w, s, e, n = box
        lat, lon = self.cell_lat, self.cell_lon
        mask = (lon >= w) & (lon <= e) & (lat >= s) & (lat <= n)
        mask &= self.surface.values >= min_value
        return np.flatnonzero(mask)

    def feature_json(self, pos: int) -> str:
        """The GeoJSON Feature of cell ``pos`` (the properties of ``ThreatSurface.to_geojson``:
        threat, corridor layer, level and probabilities)."""
        done = self._features.get(pos)
        if done is not None:
            return done
        cell = int(self.surface.cells[pos])
        ring = [[lng, lat] for lat, lng in h3i.cell_to_boundary(cell)]
        ring.append(ring[0])
        props = self.surface.feature_properties(pos)
        text = json.dumps(
            {
                "type": "Feature",
                "id": props["h3"],
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": props,
            },
            separators=(",", ":"),
        )
        self._features[pos] = text
        return text

    def incidents_in(self, box: Box) -> tuple[int, int, str]:
        """(incidents, AMBER-or-stricter among them, sha256 of their sorted ids) in ``box``."""
        done = self._boxes.get(box)
        if done is not None:
            return done
        w, s, e, n = box
        inc = self.surface.incidents
        mask = (inc.lon >= w) & (inc.lon <= e) & (inc.lat >= s) & (inc.lat <= n)
        ids = sorted(inc.ids[mask].tolist())
        out = (len(ids), int(np.count_nonzero(mask & self.marked)), sha256_json(ids))
        if len(self._boxes) > 256:
            self._boxes.clear()
        self._boxes[box] = out
        return out


class SurfaceCache(Generic[T]):
    """Least-recently-used surfaces by key, each valid for one stamp; one build per key."""

    def __init__(self, max_entries: int = 8) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[Hashable, T]] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()
        self.builds = 0

    def _hit(self, key: Hashable, stamp: Hashable) -> T | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != stamp:
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def get(self, key: Hashable, stamp: Hashable, build: Callable[[], T]) -> T:
        """The cached surface of ``key`` if computed at ``stamp``, else ``build()`` it once
        (concurrent requests for the same key wait for that build)."""
        with self._lock:
            hit = self._hit(key, stamp)
            if hit is not None:
                return hit
            key_lock = self._building.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                hit = self._hit(key, stamp)
                if hit is not None:
                    return hit
            try:
                value = build()
                with self._lock:
                    self.builds += 1
                    self._entries[key] = (stamp, value)
                    self._entries.move_to_end(key)
                    while len(self._entries) > self.max_entries:
                        self._entries.popitem(last=False)
            finally:
                with self._lock:  # the build's lock goes with it: one per key being built
                    if self._building.get(key) is key_lock:
                        del self._building[key]
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._building.clear()


#: the policies served to each reader (``risk.service.policy_for``): the active policy
#: recalibrated on the reader's history before the quarter (``risk.calibrate.served_policy``)
served_policies: SurfaceCache[Any] = SurfaceCache(max_entries=64)
#: the process's surface cache (each uvicorn worker has its own)
surfaces: SurfaceCache[CachedSurface] = SurfaceCache()
#: the surfaces of several days over a box (``risk.service.surfaces_for`` with ``cached``):
#: a briefing pack's, built again in the other language or as PDF; each entry holds its
#: incidents and its grid (~70 MB for 100,000 incidents over Pakistan), hence only two
day_surfaces: SurfaceCache[tuple[Any, ...]] = SurfaceCache(max_entries=2)
#: the surfaces behind site, route and movement figures (``risk.service.surface_for``), by
#: box: a site's box padded by the kernel's reach holds a few hundred incidents, so many are
#: kept; a wide box (a long route, a whole register) may hold the country's, so few
figure_surfaces: SurfaceCache[tuple[ThreatSurface, int]] = SurfaceCache(max_entries=256)
wide_surfaces: SurfaceCache[tuple[ThreatSurface, int]] = SurfaceCache(max_entries=4)
#: a padded box wider than this (degrees, either side) goes to ``wide_surfaces``
NARROW_BOX_DEGREES = 2.0
