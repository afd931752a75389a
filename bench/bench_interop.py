"""STIX 2.1 export of 100,000 incidents, and TAXII 2.1 pages of 1,000 objects (objects/s).

The store is the import benchmark's generated ACLED file (bench_import.generate), bulk-inserted
into SQLite (and PostgreSQL when reachable), then marked like the API benchmark's: 70% CLEAR,
15% GREEN, 10% AMBER of the reader's partner, 5% AMBER+STRICT of a third organisation.

- export: ``safecorridor export stix`` 's path (every incident, one bundle streamed to a file);
- TAXII: pages of 1,000 objects of the ``clear`` collection (70,000 incidents) read by an
  analyst of the partner organisation, through the HTTP app in process (routing, auth by
  bearer token, the TLP filter, JSON): the first page, pages deep in the collection (by
  ``next``), and a page after an ``added_after`` bookmark; median of 5 of each.

    .venv/bin/python bench/bench_interop.py [--rows 100000] [--no-postgres]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_import import generate
from common import machine, postgres_db, sqlite_db
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from safecorridor.accounts.models import Organisation
from safecorridor.accounts.service import create_token, create_user
from safecorridor.db.session import reset_engine, session_scope
from safecorridor.incidents.models import Incident
from safecorridor.incidents.service import IncidentFilter
from safecorridor.interop import stix
from safecorridor.interop.taxii import MEDIA_TAXII
from safecorridor.sources.export import iter_incidents
from safecorridor.sources.importers import import_file

PAGE = 1000


def build(engine: Engine, rows: int, tmp: Path) -> str:
    """Fill the store; return a bearer token of the reader."""
    csv_path = tmp / "acled.csv"
    if not csv_path.exists():
        generate(csv_path, rows)
    import_file("acled", csv_path, engine=engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as s:
        owner = Organisation(name="Bench Owner")
        reader_org = Organisation(name="Bench Reader")
        third = Organisation(name="Bench Third")
        s.add_all([owner, reader_org, third])
        s.flush()
        owner.partners.append(reader_org)
        user = create_user(
            session=s, email="reader@bench.example", organisation_id=reader_org.id, role="analyst"
        )
        token = create_token(session=s, user=user).token
        s.execute(text("UPDATE incidents SET tlp='CLEAR'"))
        s.execute(text("UPDATE incidents SET tlp='GREEN' WHERE id % 20 IN (1, 2, 3)"))
        s.execute(
            text("UPDATE incidents SET tlp='AMBER', owner_org_id=:o WHERE id % 20 IN (4, 5)"),
            {"o": owner.id},
        )
        s.execute(
            text("UPDATE incidents SET tlp='AMBER+STRICT', owner_org_id=:o WHERE id % 20 = 6"),
            {"o": third.id},
        )
        s.commit()
    return token


def bench_export(engine: Engine, tmp: Path) -> tuple[int, int, float]:
    out = tmp / "bundle.json"
    start = time.perf_counter()
    with session_scope(engine) as s, out.open("wb") as fh:
        ctx = stix.ExportContext.load(s)
        incidents = 0

        def counted() -> Iterator[Incident]:
            nonlocal incidents
            for i in iter_incidents(s, IncidentFilter()):
                incidents += 1
                yield i

        objects = stix.write_bundle(fh, stix.bundle_objects(counted(), ctx))
    elapsed = time.perf_counter() - start
    # a sanity check of the output: it is one JSON bundle with every report
    data = json.loads(out.read_bytes())
    assert sum(1 for o in data["objects"] if o["type"] == "report") == incidents
    return incidents, objects, elapsed


def bench_taxii(engine: Engine, token: str) -> dict[str, tuple[float, int]]:
    from fastapi.testclient import TestClient

    from safecorridor.app import create_app

    reset_engine(engine)
    headers = {"Authorization": f"Bearer {token}", "Accept": MEDIA_TAXII}
    url = "/taxii2/api/collections/clear/objects/"
    out: dict[str, tuple[float, int]] = {}
    with TestClient(create_app()) as client:

        def timed(params: dict[str, str | int]) -> tuple[float, int, dict[str, object]]:
            start = time.perf_counter()
            r = client.get(url, headers=headers, params=params)
            elapsed = time.perf_counter() - start
            assert r.status_code == 200, r.text
            body = r.json()
            return (
                elapsed,
                len(body["objects"]),
                {**body, "_last": r.headers.get("X-TAXII-Date-Added-Last")},
            )

        def median(params_of: list[dict[str, str | int]]) -> tuple[float, int]:
            runs = [timed(p) for p in params_of]
            return statistics.median(t for t, _, _ in runs), runs[0][1]

        out["first page"] = median([{"limit": PAGE}] * 5)
        # deep in the collection: follow next 30 pages (30,000 objects), then time that page
        params: dict[str, str | int] = {"limit": PAGE}
        body: dict[str, object] = {}
        pages = 1
        bookmark = ""
        for _ in range(30):
            _, _, body = timed(params)
            if pages == 5:
                bookmark = str(body["_last"])
            if not body.get("next"):
                break
            params = {"limit": PAGE, "next": str(body["next"])}
            pages += 1
        out[f"page {pages} (by next)"] = median([params] * 5)
        # a client that stopped after page 5 and comes back with its bookmark
        out["after a bookmark"] = median([{"limit": PAGE, "added_after": bookmark}] * 5)
    reset_engine(None)
    return out


def run(name: str, engine: Engine, rows: int, tmp: Path) -> None:
    print(f"== {name}: building {rows:,} incidents")
    token = build(engine, rows, tmp)
    incidents, objects, elapsed = bench_export(engine, tmp)
    print(
        f"{name}: STIX export of {incidents:,} incidents: {objects:,} objects in {elapsed:.1f} s = "
        f"{incidents / elapsed:,.0f} incidents/s, {objects / elapsed:,.0f} objects/s"
    )
    for label, (seconds, n) in bench_taxii(engine, token).items():
        print(
            f"{name}: TAXII {label}: {n} objects in {seconds * 1000:.0f} ms = "
            f"{n / seconds:,.0f} objects/s"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="sc-bench-interop-") as d:
        tmp = Path(d)
        with sqlite_db(tmp) as engine:
            run("SQLite", engine, args.rows, tmp)
        if not args.no_postgres:
            with postgres_db() as pg:
                if pg is not None:
                    run("PostgreSQL", pg, args.rows, tmp)


if __name__ == "__main__":
    main()
