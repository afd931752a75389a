"""HTTP API under load: the filtered incident list (page of 50) and a risk-surface GeoJSON over
a ~200 km box, on a SQLite store of 100,000 incidents, 20 concurrent clients for 20 s each,
against `safecorridor serve --workers 2` started here on 127.0.0.1 (the load client is one
asyncio process on the same machine, so on 2 cores two workers plus the client fill the
CPUs), signed in with a bearer token of an analyst whose organisation reads a partner's AMBER
incidents, so every list page and surface is audited (the chain is verified at the end).

The store is generated (bench_import.generate) and bulk-inserted by the ACLED importer; then
70% of it is marked CLEAR, 15% GREEN, 10% AMBER of the bench user's partner organisation and
5% AMBER+STRICT of a third one, so the TLP filter and the audit chain do real work.
``--unaudited`` makes the bench user's organisation nobody's partner: it then reads no AMBER
and no read is audited (the audit's cost, by difference).

The load tool is a minimal asyncio HTTP/1.1 keep-alive client (one connection per client), so
the figures measure the server rather than a heavy client on the same two cores.

    .venv/bin/python bench/bench_api.py [--seconds 20] [--clients 20] [--rows 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import psutil
from bench_import import generate
from common import machine
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from safecorridor.accounts.models import Organisation
from safecorridor.accounts.service import create_token, create_user
from safecorridor.db.engine import make_engine, migrate
from safecorridor.sharing.audit import verify_logs
from safecorridor.sources.importers import import_file

LIST_PATH = "/api/v1/incidents?event_type=Battles&since=2018-01-01&limit=50&count=false"
LIST_COUNT_PATH = "/api/v1/incidents?event_type=Battles&since=2018-01-01&limit=50"
SURFACE_PATH = "/api/v1/risk/surface.geojson?bbox=64.5,27.6,66.5,29.4&as_of=2025-01-01"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_store(db: Path, rows: int, tmp: Path, *, partner_link: bool = True) -> str:
    """Create the store; return a bearer token of the bench user."""
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    migrate(engine)
    csv_path = tmp / "incidents.csv"
    generate(csv_path, rows)
    t0 = time.perf_counter()
    report = import_file("acled", csv_path, engine=engine)
    print(f"store: {report.new:,} incidents imported in {time.perf_counter() - t0:.1f} s")
    with sessionmaker(bind=engine, expire_on_commit=False)() as s:
        mine, partner, third = (Organisation(name=n) for n in ("Bench", "Partner", "Third"))
        s.add_all([mine, partner, third])
        s.flush()
        if partner_link:  # the partner shares its AMBER with the bench org
            partner.partners.append(mine)
        user = create_user(
            session=s, email="bench@example.org", organisation_id=mine.id, role="analyst"
        )
        token = create_token(session=s, user=user, name="bench").token
        s.execute(
            text(
                "UPDATE incidents SET tlp = CASE "
                "WHEN id % 20 < 14 THEN 'CLEAR' WHEN id % 20 < 17 THEN 'GREEN' "
                "WHEN id % 20 < 19 THEN 'AMBER' ELSE 'AMBER+STRICT' END, "
                "owner_org_id = CASE WHEN id % 20 = 19 THEN :third ELSE :partner END"
            ),
            {"third": third.id, "partner": partner.id},
        )
        s.commit()
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return token


def wait_until_serving(pid: int, port: int, workers: int, timeout: float = 120.0) -> None:
    """Wait until ``workers`` processes listen on ``port`` and it answers /healthz.

    Every worker must be listening before the clients connect: one that starts late is
    handed no connection by the kernel and its core idles through the run.
    """
    parent = psutil.Process(pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        procs = [parent, *parent.children()]
        listening = 0
        for proc in procs:
            try:
                conns = proc.net_connections(kind="tcp")
            except psutil.Error:
                continue
            listening += any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in conns)
        if listening >= workers:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                return
            except OSError:
                pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not start {workers} workers on port {port}")


async def _client(
    host: str, port: int, path: str, token: str, until: float, out: list[float], errors: list[str]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {token}\r\nAccept: application/json\r\n\r\n"
    ).encode()
    try:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            out.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(str(status))
    finally:
        writer.close()


async def load(
    port: int, path: str, token: str, clients: int, seconds: float, *, report: bool = True
) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    until = time.perf_counter() + seconds
    t0 = time.perf_counter()
    await asyncio.gather(
        *(_client("127.0.0.1", port, path, token, until, latencies, errors) for _ in range(clients))
    )
    elapsed = time.perf_counter() - t0
    if not report:
        return
    lat = sorted(latencies)
    label = " (with count)" if "count=" not in path and "risk" not in path else ""
    p50 = statistics.median(lat) * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    print(
        f"| `{path.split('?')[0]}`{label} | {len(lat):,} | {len(lat) / elapsed:,.0f} | "
        f"{p50:.1f} | {p99:.1f} | {len(errors)} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument(
        "--only", choices=["list", "count", "surface"], action="append", help="endpoints to run"
    )
    ap.add_argument(
        "--unaudited",
        action="store_true",
        help="the bench user's organisation is nobody's partner: it reads no AMBER, so no "
        "read is audited (the cost of the audit, by difference)",
    )
    args = ap.parse_args()
    print(f"API benchmark; machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        db = tmp / "bench.db"
        token = build_store(db, args.rows, tmp, partner_link=not args.unaudited)
        port = free_port()
        env = {**os.environ, "SAFECORRIDOR_DATABASE_URL": f"sqlite:///{db}"}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "safecorridor",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_until_serving(server.pid, port, args.workers)
            print(
                f"{args.rows:,} incidents, SQLite (WAL), uvicorn {args.workers} workers, "
                f"{args.clients} clients x {args.seconds:g} s each\n"
            )
            print("| endpoint | requests | req/s | p50 ms | p99 ms | non-200 |")
            print("|---|---|---|---|---|---|")
            paths = {"list": LIST_PATH, "count": LIST_COUNT_PATH, "surface": SURFACE_PATH}
            for name, path in paths.items():
                if args.only and name not in args.only:
                    continue
                asyncio.run(load(port, path, token, 2, 2.0, report=False))  # warm-up
                asyncio.run(load(port, path, token, args.clients, args.seconds))
            print(f"\nlist: GET {LIST_PATH}\nlist (count): GET {LIST_COUNT_PATH}")
            print(f"surface: GET {SURFACE_PATH}")
        finally:
            server.terminate()
            server.wait(timeout=10)
        engine = make_engine(f"sqlite:///{db}")
        for name, report in verify_logs(engine):
            state = "intact" if report.is_intact else f"BROKEN at {report.broken_id}"
            print(f"{name} after the run: {report.checked:,} events, chain {state}")
        engine.dispose()


if __name__ == "__main__":
    main()
