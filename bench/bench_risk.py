"""Benchmark of the risk engine: a surface from 1,000,000 generated incidents, then queries.

Run: .venv/bin/python bench/bench_risk.py   (pinned to one core; prints the figures)
Targets: surface < 10 s, site query < 5 ms, 1,000 km route < 50 ms, probabilities included
(the surface computes the chances around every cell within reach; each site and route
result carries its probabilities, level and sentence). Last, the fit a served policy runs
once per reader group and quarter (``risk.calibrate.served_policy``) on the first 10,000 and
100,000 of the generated incidents (no target: it is kept for the quarter), and what the same
policy costs a process that finds the fit in the store (``risk_served_fits``, as the worker
leaves it: hashing the history, one look-up, parsing the document). Each figure is
given as wall time and as the process's CPU time: on a shared machine the first also counts
other work.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402

from safecorridor.db.engine import make_engine, migrate  # noqa: E402
from safecorridor.db.session import session_scope  # noqa: E402
from safecorridor.risk import calibrate, policies  # noqa: E402
from safecorridor.risk.calibrate import served_policy  # noqa: E402
from safecorridor.risk.corridor import route_risk, world_places  # noqa: E402
from safecorridor.risk.data import IncidentArrays, from_columns, latlng_to_cells  # noqa: E402
from safecorridor.risk.policy import load_policy  # noqa: E402
from safecorridor.risk.scoring import site_risk  # noqa: E402
from safecorridor.risk.surface import compute_surface, haversine_km  # noqa: E402

N = 1_000_000
LAT, LON = (24.0, 37.0), (61.0, 77.0)  # Pakistan's bounding box


def generate(n: int, seed: int = 7) -> IncidentArrays:
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

    print(f"policy {policy.version} ({policy.sha256[:12]})")
    t, c = time.perf_counter(), time.process_time()
    cells = latlng_to_cells(inc.lat, inc.lon, policy.resolution)
    t_cells, c_cells = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    surf = compute_surface(inc, as_of="2025-01-01", policy=policy, src_cells=cells)
    t_surface, c_surface = time.perf_counter() - t, time.process_time() - c
    print(f"incident -> H3 cell (res {policy.resolution}): {t_cells:.2f} s (CPU {c_cells:.2f} s)")
    print(
        f"surface with probabilities from cells: {t_surface:.2f} s (CPU {c_surface:.2f} s);"
        f" total {t_cells + t_surface:.2f} s (CPU {c_cells + c_surface:.2f} s)"
        f" ({len(surf.grid.src_cells):,} source cells, {len(surf.grid.pair_src):,} pairs"
        f" within {surf.grid.radius_km:g} km, {len(surf.cells):,} cells with threat,"
        f" {len(surf.prob_cells):,} cells with probabilities)"
    )
    levels = surf.to_dict()["levels"]["cells_within_reach"]
    print("cells per level: " + ", ".join(f"{k} {v:,}" for k, v in levels.items()))

    rng = np.random.default_rng(3)
    sites = np.column_stack([rng.uniform(26, 35, 200), rng.uniform(64, 75, 200)])
    site_risk(surf, name="warm-up", lat=30.0, lon=70.0, personnel_local=100)
    times, cpu = [], []
    for lat, lon in sites:
        t, c = time.perf_counter(), time.process_time()
        r = site_risk(surf, name="s", lat=float(lat), lon=float(lon), personnel_foreign=50)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    ms, cms = np.array(times) * 1000, np.array(cpu) * 1000
    print(
        f"site risk with probabilities and explanation: median {np.median(ms):.2f} ms"
        f" (CPU {np.median(cms):.2f}), p95 {np.percentile(ms, 95):.2f} ms, max {ms.max():.2f} ms"
        f" (200 sites; last: {r.sentence})"
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
        t, c = time.perf_counter(), time.process_time()
        rr = route_risk(surf, name="r", points=pts)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    ms, cms = np.array(times) * 1000, np.array(cpu[-20:]) * 1000
    print(
        f"route risk with probabilities (~{np.mean(lengths):.0f} km, 1 km sampling):"
        f" median {np.median(ms):.1f} ms (CPU {np.median(cms):.1f}), max {ms.max():.1f} ms"
        f" (20 routes; last: {rr.sentence})"
    )

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'fits.db'}")
        migrate(engine)
        for n in RECALIBRATE_SIZES:
            part = inc.select(np.arange(len(inc)) < n)
            with session_scope(engine) as session:
                store = policies.DatabaseFits(session, lambda: session_scope(engine, write=True))
                t, c = time.perf_counter(), time.process_time()
                served = served_policy(part, policy, as_of="2025-02-01", store=store)
                print(
                    f"a quarter's recalibration on {n:,} incidents: {time.perf_counter() - t:.1f}"
                    f" s (CPU {time.process_time() - c:.1f} s); served {served.version}"
                )
                calibrate._served.clear()  # a new process: nothing fitted, nothing parsed
                policies._cache.clear()
                t, c = time.perf_counter(), time.process_time()
                again = served_policy(part, policy, as_of="2025-02-01", store=store)
                assert again.sha256 == served.sha256
                print(
                    f"  the same, another process, the fit in the store:"
                    f" {(time.perf_counter() - t) * 1000:.0f} ms"
                    f" (CPU {(time.process_time() - c) * 1000:.0f} ms)"
                )
        engine.dispose()


RECALIBRATE_SIZES = (10_000, 100_000)

if __name__ == "__main__":
    main()
