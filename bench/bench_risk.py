"""Benchmark of the risk engine: a surface from 1,000,000 generated incidents, then queries.

Run: .venv/bin/python bench/bench_risk.py   (pinned to one core; prints the figures)
Targets: surface < 10 s, site query < 5 ms, 1,000 km route < 50 ms.
"""

from __future__ import annotations

import itertools
import os
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

from safecorridor.risk.corridor import route_risk, world_places  # noqa: E402
from safecorridor.risk.data import from_columns, latlng_to_cells  # noqa: E402
from safecorridor.risk.policy import load_policy  # noqa: E402
from safecorridor.risk.scoring import site_risk  # noqa: E402
from safecorridor.risk.surface import compute_surface, haversine_km  # noqa: E402

N = 1_000_000
LAT, LON = (24.0, 37.0), (61.0, 77.0)  # Pakistan's bounding box


def generate(n: int, seed: int = 7) -> object:
    """60% around 200 hotspots, 40% uniform over the region; dates over ten years."""
    rng = np.random.default_rng(seed)
    k = int(n * 0.6)
    centres = np.column_stack([rng.uniform(*LAT, 200), rng.uniform(*LON, 200)])
    pick = rng.integers(0, 200, k)
    lat = np.concatenate([centres[pick, 0] + rng.normal(0, 0.15, k), rng.uniform(*LAT, n - k)])
    lon = np.concatenate([centres[pick, 1] + rng.normal(0, 0.15, k), rng.uniform(*LON, n - k)])
    days = rng.integers(0, 3650, n).astype("timedelta64[D]")
    return from_columns(
        lat=np.clip(lat, *LAT),
        lon=np.clip(lon, *LON),
        date=np.datetime64("2015-01-01") + days,
        fatalities=rng.poisson(1.5, n),
        event_type=rng.choice(
            ["Battles", "Explosions/Remote violence", "Violence against civilians"], n
        ),
        foreign_target=rng.random(n) < 0.01,
    )


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    policy = load_policy()
    t = time.perf_counter()
    inc = generate(N)
    print(f"generated {N:,} incidents in {time.perf_counter() - t:.2f} s (not counted)")

    t = time.perf_counter()
    cells = latlng_to_cells(inc.lat, inc.lon, policy.resolution)  # type: ignore[attr-defined]
    t_cells = time.perf_counter() - t
    t = time.perf_counter()
    surf = compute_surface(inc, as_of="2025-01-01", policy=policy, src_cells=cells)  # type: ignore[arg-type]
    t_surface = time.perf_counter() - t
    print(f"incident -> H3 cell (res {policy.resolution}): {t_cells:.2f} s")
    print(
        f"surface from cells: {t_surface:.2f} s; total {t_cells + t_surface:.2f} s"
        f" ({len(surf.grid.src_cells):,} source cells, {len(surf.grid.pair_src):,} kernel pairs,"
        f" {len(surf.cells):,} cells with threat)"
    )

    rng = np.random.default_rng(3)
    sites = np.column_stack([rng.uniform(26, 35, 200), rng.uniform(64, 75, 200)])
    site_risk(surf, name="warm-up", lat=30.0, lon=70.0, personnel_local=100)
    times = []
    for lat, lon in sites:
        t = time.perf_counter()
        r = site_risk(surf, name="s", lat=float(lat), lon=float(lon), personnel_foreign=50)
        times.append(time.perf_counter() - t)
    ms = np.array(times) * 1000
    print(
        f"site risk with explanation: median {np.median(ms):.2f} ms, p95"
        f" {np.percentile(ms, 95):.2f} ms, max {ms.max():.2f} ms (200 sites; last: {r.level})"
    )

    world_places(15000)  # load the place names once (cached, as route_risk calls it)
    times, lengths = [], []
    for _ in range(20):
        start = rng.uniform([25.0, 63.0], [27.0, 66.0])
        wp = [start]
        for _ in range(13):  # legs heading north-east, ~75 km each
            step = rng.uniform([0.45, 0.3], [0.65, 0.5])
            wp.append(wp[-1] + step)
        pts = np.array(wp).tolist()
        lengths.append(sum(float(haversine_km(*a, *b)) for a, b in itertools.pairwise(pts)))
        t = time.perf_counter()
        route_risk(surf, name="r", points=pts)
        times.append(time.perf_counter() - t)
    ms = np.array(times) * 1000
    print(
        f"route risk (~{np.mean(lengths):.0f} km, 1 km sampling): median {np.median(ms):.1f} ms,"
        f" max {ms.max():.1f} ms (20 routes)"
    )


if __name__ == "__main__":
    main()
