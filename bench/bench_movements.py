"""Benchmark of the movement board's first load: 60 open movements on drawn routes.

The demo world plus 100,000 generated incidents (``bench_briefing.rows``: ten years, 60%
around 200 hotspots, a fifth AMBER of the secretariat), on SQLite. The site manager of China
Three Gorges South Asia requests 60 movements on distinct drawn routes (5 to 20 points across
Balochistan, Khyber Pakhtunkhwa and Sindh, 100 to 900 km, seeded) departing over the ten days
after the load, and submits them: the escort organisation it designates (Special Security
Division) decides them. Its escort officer has no stored figure for a movement before
approving it, so the board computes each open movement's level from the incidents they may
read (``movements.service.levels_seen_by``, at most ``LIST_LEVELS`` of them): the surfaces
of each quarter's departure days over the box of all their routes, from one read of the
incidents (``risk.service.routes_surfaces``).

Timed, as that escort officer, ``levels_seen_by(list_movements(...))``:

- cold: the process's caches (surfaces, served policies) emptied first, as in a fresh
  server process (the movements' requests filled them, for the requester), and no served fit
  in the store, so the reader's policy for the quarter is fitted here;
- warm: the same call again in the same process;
- cold, fits warmed: the caches emptied again after the worker's ``risk_fits`` step
  (``risk.service.warm_fits``, for the escort officer's organisation) kept the quarter's fit
  in the store, as on a server whose worker runs;

then the page /movements through FastAPI's TestClient, signed in as that escort officer,
cold (caches emptied; the fit in the store) and warm. Wall and CPU time are printed: on a
shared machine the CPU time is the steadier figure.

Run: .venv/bin/python bench/bench_movements.py   (BENCH_N=20000 for a quicker run)
Target: the board's first load in under 2 s at 100,000 incidents.
"""

from __future__ import annotations

import math
import os
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench_briefing import world
from common import machine, sqlite_db

from safecorridor.clock import FixedClock
from safecorridor.db.session import reset_engine, session_scope
from safecorridor.demo.loader import demo_password
from safecorridor.geo import polyline_length_km
from safecorridor.movements import service as ms
from safecorridor.movements.schemas import MovementCreate
from safecorridor.risk import cache as risk_cache
from safecorridor.risk import calibrate
from safecorridor.risk import service as risk
from safecorridor.settings import get_settings

N = int(os.environ.get("BENCH_N", "100000"))
MOVEMENTS = 60
NOW = datetime(2024, 10, 5, 8, 0, tzinfo=UTC)
REQUESTER = "site_manager@ctgsa.example"  # China Three Gorges South Asia: requests movements
ESCORT = "escort_officer@ssd.example"  # Special Security Division: CTGSA's escort organisation
#: where the routes start (lat, lon boxes, roughly): Balochistan, Khyber Pakhtunkhwa, Sindh
PROVINCES = {
    "Balochistan": ((25.3, 30.5), (62.0, 69.0)),
    "Khyber Pakhtunkhwa": ((32.0, 35.5), (70.5, 73.0)),
    "Sindh": ((24.8, 28.0), (67.5, 70.5)),
}
#: the routes stay in this box (Pakistan, roughly; the incidents' box)
LAT, LON = (24.5, 36.5), (61.5, 76.5)


def drawn_route(rng: random.Random) -> list[list[float]]:
    """A polyline of 5 to 20 points from one of the provinces, 100 to 900 km long: a walk
    of equal steps whose heading wanders (drawn again until it stays in Pakistan's box)."""
    while True:
        (lat0, lat1), (lon0, lon1) = PROVINCES[rng.choice(sorted(PROVINCES))]
        lat, lon = rng.uniform(lat0, lat1), rng.uniform(lon0, lon1)
        n = rng.randint(5, 20)
        target = rng.uniform(100, 900)
        step = target / (n - 1)
        heading = rng.uniform(0, 2 * math.pi)
        points = [[lat, lon]]
        for _ in range(n - 1):
            heading += rng.gauss(0, 0.4)
            lat += step * math.cos(heading) / 111.0
            lon += step * math.sin(heading) / (111.0 * math.cos(math.radians(lat)))
            points.append([round(lat, 5), round(lon, 5)])
        inside = all(LAT[0] <= p[0] <= LAT[1] and LON[0] <= p[1] <= LON[1] for p in points)
        if inside and 100 <= polyline_length_km(points) <= 900:
            return points


def make_movements(engine: Any, seed: int = 7) -> list[float]:
    """Request and submit the movements (as the requester, at fixed times); their lengths."""
    rng = random.Random(seed)
    lengths: list[float] = []
    with session_scope(engine) as s:
        requester = ms.get_user(s, REQUESTER)
        for i in range(MOVEMENTS):
            points = drawn_route(rng)
            km = polyline_length_km(points)
            departure = (NOW + timedelta(hours=rng.randint(24, 240))).replace(minute=0)
            asked = NOW - timedelta(hours=rng.randint(1, 48))
            m = ms.request_movement(
                session=s,
                user=requester,
                movement_in=MovementCreate(
                    purpose=f"Bench movement {i}",
                    headcount={"CN": rng.randint(1, 8), "PK": rng.randint(1, 4)},
                    polyline=points,
                    vehicle_count=3,
                    armoured_count=2,
                    planned_departure=departure,
                    planned_arrival=departure + timedelta(hours=1 + km / 40),
                ),
                now=asked,
            )
            ms.submit_movement(
                session=s, movement_id=m.id, user=requester, now=asked + timedelta(minutes=30)
            )
            lengths.append(km)
    return lengths


def empty_caches() -> None:
    """Forget the process's surfaces and served policies (as a fresh server process)."""
    for cache in (
        risk_cache.served_policies,
        risk_cache.surfaces,
        risk_cache.day_surfaces,
        risk_cache.figure_surfaces,
        risk_cache.wide_surfaces,
        calibrate._served,
    ):
        cache.clear()


def timed(label: str, fn: Callable[[], str]) -> None:
    t = time.perf_counter()
    cpu = time.process_time()
    what = fn()
    took = time.perf_counter() - t
    cpu = time.process_time() - cpu
    print(f"{label}: {took:.2f} s wall, {cpu:.2f} s CPU ({what})")


def board_levels(engine: Any) -> str:
    with session_scope(engine) as s:
        user = ms.get_user(s, ESCORT)
        listed = ms.list_movements(s, user=user)
        levels = ms.levels_seen_by(s, listed, user)
        computed = sum(
            1 for m in listed if ms.stored_level_for(m, user) is None and levels[m.id] is not None
        )
        counts: dict[str, int] = {}
        for level in levels.values():
            counts[str(level)] = counts.get(str(level), 0) + 1
        shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        return f"{len(listed)} movements listed, {computed} levels computed; {shown}"


def main() -> None:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp, sqlite_db(Path(tmp)) as engine:
        # the app's settings (data directory, audit key) in the temporary directory
        os.environ["SAFECORRIDOR_DATA_DIR"] = str(Path(tmp) / "var")
        os.environ.pop("SAFECORRIDOR_DATABASE_URL", None)
        os.environ.setdefault("SAFECORRIDOR_LOG_LEVEL", "WARNING")  # no access log lines
        get_settings.cache_clear()
        reset_engine(engine)
        world(engine, N, NOW)
        t = time.perf_counter()
        lengths = make_movements(engine)
        lengths.sort()
        print(
            f"requested and submitted {MOVEMENTS} movements in {time.perf_counter() - t:.1f} s "
            f"(not counted; routes {lengths[0]:.0f} to {lengths[-1]:.0f} km, "
            f"median {lengths[len(lengths) // 2]:.0f} km)"
        )

        empty_caches()
        timed("levels_seen_by, cold", lambda: board_levels(engine))
        timed("levels_seen_by, warm", lambda: board_levels(engine))

        t = time.perf_counter()
        with session_scope(engine) as s:
            org = ms.get_user(s, ESCORT).organisation_id
            groups = [g for g in risk.reader_groups(s) if g[0] == f"organisation {org}"]
            warmed = risk.warm_fits(
                s,
                lambda: session_scope(engine, write=True),
                as_of=NOW.date(),
                now=NOW,
                groups=groups,
            )
        print(
            f"worker's fits: {', '.join(f'{w.readers} {w.version}' for w in warmed)} "
            f"in {time.perf_counter() - t:.1f} s (not counted)"
        )
        empty_caches()
        timed("levels_seen_by, cold, fits warmed", lambda: board_levels(engine))

        from fastapi.testclient import TestClient

        from safecorridor.app import create_app

        client = TestClient(create_app(clock=FixedClock(NOW)))
        form = client.get("/login")
        token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
        r = client.post(
            "/login",
            data={
                "csrf_token": token,
                "email": ESCORT,
                "password": demo_password("escort_officer"),
                "next": "/",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        client.get("/")  # the app's first page (templates, translations) is not the board's

        def page() -> str:
            r = client.get("/movements")
            assert r.status_code == 200, r.text[:500]
            return f"HTTP {r.status_code}, {len(r.content) / 1e3:.0f} kB"

        empty_caches()
        timed("GET /movements, cold, fits warmed", page)
        timed("GET /movements, warm", page)
        client.close()


if __name__ == "__main__":
    main()
