"""Benchmark of a briefing pack: a quarterly pack over 100,000 incidents, HTML and PDF.

The demo world (sites, routes, actors, meetings, measures, movements) plus 100,000 generated
incidents over ten years (60% around 200 hotspots, 40% spread over Pakistan; a fifth of them
AMBER of the secretariat, the rest open), on SQLite. The JWG secretariat's pack for the third
quarter of 2024 is built in English and in Chinese: collection (every figure from the risk
service, for the recipient organisation), the map and the chart, the HTML, the PDF
(WeasyPrint), the store and the audit event.

The first pack of the process builds the two threat surfaces (and loads matplotlib); the
next three are the same pack again (other language, PDF), which reuse them from the process's
cache (``risk.cache.day_surfaces``). Wall and CPU time are printed: on a shared machine the
CPU time is the steadier figure.

Run: .venv/bin/python bench/bench_briefing.py   (prints the figures; see bench/RESULTS.md)
Target: a quarterly pack in seconds (HTML and PDF).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import cast

import numpy as np
from common import machine, sqlite_db
from sqlalchemy import Engine, Table, select

from safecorridor.accounts.models import Organisation
from safecorridor.db.bulk import bulk_insert
from safecorridor.db.session import reset_engine, session_scope
from safecorridor.demo.loader import load_demo
from safecorridor.geo import cell_of
from safecorridor.incidents.models import Incident
from safecorridor.jwg import briefing

N = int(os.environ.get("BENCH_N", "100000"))
LAT, LON = (24.5, 36.5), (61.5, 76.5)
TYPES = ["Battles", "Explosions/Remote violence", "Violence against civilians", "Riots"]
NOW = datetime(2024, 10, 5, 8, 0, tzinfo=UTC)


def rows(n: int, owner: int, seed: int = 11) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    k = int(n * 0.6)
    centres = np.column_stack([rng.uniform(*LAT, 200), rng.uniform(*LON, 200)])
    pick = rng.integers(0, 200, k)
    lat = np.clip(
        np.concatenate([centres[pick, 0] + rng.normal(0, 0.15, k), rng.uniform(*LAT, n - k)]), *LAT
    )
    lon = np.clip(
        np.concatenate([centres[pick, 1] + rng.normal(0, 0.15, k), rng.uniform(*LON, n - k)]), *LON
    )
    days = rng.integers(0, 3650, n)
    killed = rng.poisson(1.2, n)
    kinds = rng.integers(0, len(TYPES), n)
    amber = rng.random(n) < 0.2
    foreign = rng.random(n) < 0.005
    base = date(2014, 10, 1).toordinal()
    now = datetime(2024, 10, 1)
    out = []
    for i in range(n):
        key = f"bench-{i}"
        out.append(
            {
                "source_dataset": "bench",
                "source_key": key,
                "content_hash": hashlib.sha256(key.encode()).hexdigest(),
                "event_date": date.fromordinal(base + int(days[i])),
                "date_precision": "day",
                "event_type": TYPES[int(kinds[i])],
                "latitude": float(lat[i]),
                "longitude": float(lon[i]),
                "geo_precision": 1,
                "h3_cell": cell_of(float(lat[i]), float(lon[i]), 7),
                "fatalities": int(killed[i]),
                "foreign_fatalities": 1 if foreign[i] else 0,
                "target_category": "foreign_nationals,corridor_project"
                if foreign[i]
                else "civilians",
                "location": f"Place {i % 997}",
                "admin1": "Balochistan" if lon[i] < 67 else "Punjab",
                "credibility": "3",
                "tlp": "AMBER" if amber[i] else "GREEN",
                "owner_org_id": owner if amber[i] else None,
                "status": "confirmed",
                "extra": {},
                "created_at": now,
                "updated_at": now,
            }
        )
    return out


def world(engine: Engine, n: int, now: datetime) -> int:
    """The demo world as of ``now`` plus ``n`` generated incidents of the secretariat (whose
    id is returned)."""
    with session_scope(engine) as s:
        load_demo(s, now=now)
        owner = s.scalar(select(Organisation.id).where(Organisation.short_name == "JWG"))
    assert owner is not None
    t = time.perf_counter()
    data = rows(n, owner)
    with session_scope(engine) as s:
        for start in range(0, n, 10_000):
            bulk_insert(s, cast(Table, Incident.__table__), data[start : start + 10_000])
    print(f"stored {n:,} incidents in {time.perf_counter() - t:.1f} s (not counted)")
    return owner


def main() -> None:
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp, sqlite_db(Path(tmp)) as engine:
        reset_engine(engine)
        owner = world(engine, N, NOW)
        for locale in ("en", "zh_Hans"):
            for with_pdf in (False, True):
                with session_scope(engine) as s:
                    t = time.perf_counter()
                    cpu = time.process_time()
                    pack = briefing.build_pack(
                        s,
                        organisation_id=owner,
                        period_from=date(2024, 7, 1),
                        period_to=date(2024, 9, 30),
                        locale=locale,
                        built_by="bench",
                        now=NOW,
                        with_pdf=with_pdf,
                    )
                    took = time.perf_counter() - t
                    cpu = time.process_time() - cpu
                    print(
                        f"quarterly pack, {locale}, {'HTML+PDF' if with_pdf else 'HTML'}: "
                        f"{took:.1f} s wall, {cpu:.1f} s CPU "
                        f"({pack.figures['numbers']['now']['incidents']:,} incidents "
                        f"in the quarter, {pack.records['figure_incidents']['count']:,} feeding "
                        f"figures, TLP:{pack.tlp}, HTML {len(pack.html) / 1e6:.1f} MB"
                        + (f", PDF {len(pack.pdf) / 1e6:.1f} MB" if pack.pdf else "")
                        + ")"
                    )


if __name__ == "__main__":
    main()
