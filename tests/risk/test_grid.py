"""The grid of (source, target) cell pairs is the plain construction's, pair for pair: every
H3 cell of a disk around each source, kept when the centres lie within the radius, with the
targets sorted and the pairs source by source."""

from __future__ import annotations

import numpy as np
import pytest
from h3.api import basic_int as h3i

from safecorridor.risk import surface
from safecorridor.risk.data import latlng_to_cells
from safecorridor.risk.surface import (
    KernelGrid,
    _sorted_unique_inverse,
    cell_centres,
    local_distance_km,
    rings_for,
)


def plain_grid(cells: np.ndarray, resolution: int, radius_km: float) -> tuple[np.ndarray, ...]:
    src = np.unique(cells)
    k = rings_for(radius_km, resolution, src)
    disks = [np.array(h3i.grid_disk(int(c), k), dtype=np.int64) for c in src]
    flat = np.concatenate(disks)
    pair_src = np.repeat(np.arange(len(src)), [len(d) for d in disks])
    tgt, pair_tgt = np.unique(flat, return_inverse=True)
    pair_tgt = pair_tgt.reshape(-1)
    sla, slo = cell_centres(src)
    tla, tlo = cell_centres(tgt)
    dist = local_distance_km(sla[pair_src], slo[pair_src], tla[pair_tgt], tlo[pair_tgt])
    keep = dist <= radius_km
    used = np.zeros(len(tgt), dtype=bool)
    used[pair_tgt[keep]] = True
    remap = np.cumsum(used) - 1
    return tgt[used], pair_src[keep], remap[pair_tgt[keep]], dist[keep]


@pytest.mark.parametrize(
    ("n", "resolution", "radius_km", "spread"),
    [
        (3000, 6, 25.0, 6.0),  # a country: the dense table
        (40, 6, 25.0, 6.0),  # a few scattered cells: the binary search
        (400, 7, 10.0, 0.5),
        (200, 5, 60.0, 8.0),
        (1, 6, 3.0, 0.0),
    ],
)
def test_the_grid_is_the_plain_constructions(
    n: int, resolution: int, radius_km: float, spread: float
) -> None:
    rng = np.random.default_rng(n + resolution)
    lat = 30.0 + rng.uniform(-spread, spread, n)
    lon = 69.0 + rng.uniform(-spread, spread, n)
    cells = latlng_to_cells(lat, lon, resolution)
    grid = KernelGrid.build(cells, resolution, radius_km)
    tgt, pair_src, pair_tgt, dist = plain_grid(cells, resolution, radius_km)
    assert len(grid.pair_src) > 0
    assert np.array_equal(grid.src_cells, np.unique(cells))
    assert np.array_equal(grid.tgt_cells, tgt)
    assert np.array_equal(grid.pair_src, pair_src)
    assert np.array_equal(grid.pair_tgt, pair_tgt)
    assert np.array_equal(grid.pair_dist, dist)  # the same numbers, not only close ones


def test_unique_inverse_across_base_cells() -> None:
    # cells on both sides of base-cell borders (Pakistan spans several), shuffled, repeated
    rng = np.random.default_rng(3)
    cells = latlng_to_cells(rng.uniform(23, 38, 5000), rng.uniform(60, 78, 5000), 6)
    assert len(np.unique((cells >> 45) & 127)) > 1
    cells = np.concatenate([cells, cells[::-1], cells[:7]])
    uniq, inverse = _sorted_unique_inverse(cells, 6)
    want_u, want_i = np.unique(cells, return_inverse=True)
    assert np.array_equal(uniq, want_u)
    assert np.array_equal(inverse, want_i.reshape(-1))
    assert np.array_equal(uniq[inverse], cells)
    empty_u, empty_i = _sorted_unique_inverse(np.zeros(0, np.int64), 6)
    assert len(empty_u) == 0 and len(empty_i) == 0


def test_the_public_h3_api_gives_the_same_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    # without h3's Cython layer (another h3 build) the disks come from the public numpy API
    rng = np.random.default_rng(9)
    cells = latlng_to_cells(30 + rng.uniform(-2, 2, 300), 69 + rng.uniform(-2, 2, 300), 6)
    fast = KernelGrid.build(cells, 6, 25.0)
    monkeypatch.setattr(surface, "_h3cy", None)
    plain = KernelGrid.build(cells, 6, 25.0)
    for name in ("src_cells", "tgt_cells", "pair_src", "pair_tgt", "pair_dist"):
        assert np.array_equal(getattr(fast, name), getattr(plain, name)), name
