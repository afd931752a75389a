"""Import of a generated 100,000-row ACLED-style CSV into SQLite and PostgreSQL (rows/s),
then a re-import of the same file, which must add nothing."""

from __future__ import annotations

import csv
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import machine, postgres_db, sqlite_db

from safecorridor.sources.importers import import_file
from safecorridor.sources.importers.acled import ACLED_COLUMNS

ROWS = 100_000
TYPES = [
    ("Battles", "Armed clash"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Explosions/Remote violence", "Suicide bomb"),
    ("Violence against civilians", "Attack"),
    ("Violence against civilians", "Abduction/forced disappearance"),
    ("Strategic developments", "Arrests"),
]
ACTORS = [
    "BLA: Baloch Liberation Army",
    "BLF: Balochistan Liberation Front",
    "TTP: Tehreek-i-Taliban Pakistan",
    "Police Forces of Pakistan (2018-)",
    "Military Forces of Pakistan (2018-)",
    "Unidentified Armed Group (Pakistan)",
    "ISKP: Islamic State Khorasan Province",
    "Civilians (Pakistan)",
    "Civilians (China)",
]
PROVINCES = [
    ("Balochistan", 28.5, 65.5),
    ("Sindh", 25.5, 68.5),
    ("Khyber Pakhtunkhwa", 34.0, 72.0),
    ("Punjab", 31.0, 72.5),
]


def generate(path: Path, n: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    start = date(2015, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=ACLED_COLUMNS)
        w.writeheader()
        for i in range(n):
            et, sub = rnd.choice(TYPES)
            prov, lat, lon = rnd.choice(PROVINCES)
            d = start + timedelta(days=rnd.randrange(3650))
            w.writerow(
                {
                    "event_id_cnty": f"PAK{i:07d}",
                    "event_date": d.isoformat(),
                    "year": d.year,
                    "time_precision": rnd.choice([1, 1, 1, 2, 3]),
                    "event_type": et,
                    "sub_event_type": sub,
                    "actor1": rnd.choice(ACTORS),
                    "actor2": rnd.choice(ACTORS),
                    "iso": 586,
                    "region": "Caspian",
                    "country": "Pakistan",
                    "admin1": prov,
                    "admin2": f"{prov} district {rnd.randrange(12)}",
                    "location": f"Place {rnd.randrange(2000)}",
                    "latitude": f"{lat + rnd.uniform(-2, 2):.4f}",
                    "longitude": f"{lon + rnd.uniform(-2, 2):.4f}",
                    "geo_precision": rnd.choice([1, 2, 3]),
                    "source": "Dawn; Express Tribune",
                    "source_scale": "National",
                    "notes": "Generated event for the import benchmark.",
                    "fatalities": rnd.choice([0, 0, 1, 2, 3, 5, 11]),
                    "timestamp": 1700000000 + i,
                }
            )


def run(label: str, path: Path, engine: object) -> None:
    t0 = time.perf_counter()
    first = import_file("acled", path, engine=engine)
    t1 = time.perf_counter()
    again = import_file("acled", path, engine=engine)
    t2 = time.perf_counter()
    assert first.new == ROWS and first.rejected == 0, first.summary()
    assert again.new == 0 and again.unchanged == ROWS, again.summary()
    print(
        f"| {label} | {ROWS:,} | {ROWS / (t1 - t0):,.0f} rows/s ({t1 - t0:.1f} s) | "
        f"{ROWS / (t2 - t1):,.0f} rows/s, {again.new} new |"
    )


def main() -> None:
    print(f"Import benchmark: {ROWS:,} ACLED-style rows; machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "acled_100k.csv"
        generate(path, ROWS)
        print("| database | rows | first import | re-import |\n|---|---|---|---|")
        with sqlite_db(Path(tmp)) as engine:
            run("SQLite (WAL)", path, engine)
        with postgres_db() as pg:
            if pg is not None:
                run("PostgreSQL", path, pg)


if __name__ == "__main__":
    main()
