"""HTTP API under load, driven by locust (headless), each figure next to the same run's
``/healthz`` through the same stack and the bare work in-process, as ratios.

The bench builds a store of generated incidents (bench_import.generate, imported by the ACLED
importer; 70% CLEAR, 15% GREEN, 10% AMBER of a partner of the reader, 5% AMBER+STRICT of a
third organisation), a site and a ~300 km route of the partner (AMBER) in the thick of them,
starts ``safecorridor serve --workers N`` on 127.0.0.1, and for each endpoint runs
``locust --headless`` (bench/locustfile_api.py: C clients, no think time, stats reset once
every client has started) for a fixed time. The reader is an analyst of an organisation that
reads the partner's AMBER, so the list, the detail, the risk figures and the surface append
read events to the audit chain (verified at the end).

For each endpoint it prints req/s, p50 and p99 (locust's percentiles: whole milliseconds under
100 ms, tens above), then two ratios:

- ``÷ healthz``: the endpoint's rate over ``/healthz``'s rate in the same run, through the
  same server, client and machine: the share of the stack's budget left after the
  application's own work (1.0: the application costs nothing);
- ``÷ in-process``: the endpoint's rate over the rate of the same work called in this process
  with no HTTP (one thread, the service functions the route calls, audit append included).
  With N workers on N free cores it could exceed 1; the client shares the cores here.

Targets (issue 17, at 20 clients on a 2-core machine): the audited list at >= 0.5 x the
healthz rate, and its p99 < 100 ms. Both are printed PASS/FAIL.

    .venv/bin/python bench/bench_load.py [--rows 100000] [--clients 20] [--workers 2]
        [--seconds 15] [--pg [URL]] [--only list --only surface ...] [--workers 2,4]

Environment (the same options, for ``make bench``): SC_BENCH_ROWS, SC_BENCH_CLIENTS,
SC_BENCH_WORKERS, SC_BENCH_SECONDS, SC_BENCH_PG (a PostgreSQL URL, or 1 for
SAFECORRIDOR_TEST_PG_URL). PostgreSQL runs in a schema of its own, dropped afterwards; when it
is unreachable the bench says so and stops (exit 0: nothing measured).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).parent))
from bench_import import generate
from common import PG_URL, free_port, machine, wait_until_serving
from sqlalchemy import Engine, make_url, text
from sqlalchemy.orm import sessionmaker

from safecorridor.accounts.models import Organisation
from safecorridor.accounts.service import create_token, create_user
from safecorridor.api.routes.incidents import _detail, _list_page_in
from safecorridor.api.schemas import RiskPublic
from safecorridor.db.engine import make_engine, migrate
from safecorridor.db.session import session_scope
from safecorridor.incidents.service import IncidentFilter, get_incident
from safecorridor.registry import service as registry
from safecorridor.registry.models import Route, Site
from safecorridor.registry.schemas import RouteCreate, SiteCreate
from safecorridor.risk import service as risk
from safecorridor.settings import get_settings
from safecorridor.sharing.audit import verify_logs
from safecorridor.sharing.policy import Viewer
from safecorridor.sources.importers import import_file
from safecorridor.taxonomy.choices import SiteType

HERE = Path(__file__).parent
LOCUSTFILE = HERE / "locustfile_api.py"
AS_OF = date(2025, 1, 1)
BOX = (64.5, 27.6, 66.5, 29.4)
LIST_PATH = "/api/v1/incidents?event_type=Battles&since=2018-01-01&limit=50&count=false"
SURFACE_PATH = "/api/v1/risk/surface.geojson?bbox=64.5,27.6,66.5,29.4&as_of=2025-01-01"
#: the list's p99 target (ms) and its rate target as a share of /healthz's (issue 17)
P99_TARGET_MS = 100.0
HEALTHZ_SHARE_TARGET = 0.5
TARGET_CLIENTS = 20
#: a registry record (as registry.get_record takes it)
RecordT = TypeVar("RecordT", Site, Route)


@dataclass
class Store:
    url: str
    token: str
    viewer: Viewer
    incident_id: int
    site_id: int
    route_id: int


@dataclass
class Figure:
    requests: int
    failures: int
    rate: float
    p50: float
    p99: float


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw.replace("_", "").replace(",", ""))
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from None


@contextmanager
def postgres_schema(url: str) -> Iterator[str | None]:
    """The URL of a fresh schema in the PostgreSQL at ``url`` (None if unreachable)."""
    schema = f"sc_load_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # no server: say so plainly
        shown = make_url(url).render_as_string(hide_password=True)
        print(f"PostgreSQL not reachable at {shown}: {exc.__class__.__name__}: nothing measured")
        admin.dispose()
        yield None
        return
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def build_store(url: str, rows: int, tmp: Path, *, partner_link: bool = True) -> Store:
    """Import ``rows`` generated incidents, mark their TLP, add the reader, a site, a route."""
    engine = make_engine(url)
    migrate(engine)
    csv_path = tmp / "incidents.csv"
    t0 = time.perf_counter()
    generate(csv_path, rows)
    report = import_file("acled", csv_path, engine=engine)
    csv_path.unlink()
    took = time.perf_counter() - t0
    print(f"store: {report.new:,} incidents generated and imported in {took:.0f} s")
    with sessionmaker(bind=engine, expire_on_commit=False)() as s:
        mine, partner, third = (Organisation(name=n) for n in ("Bench", "Partner", "Third"))
        s.add_all([mine, partner, third])
        s.flush()
        if partner_link:  # the partner shares its AMBER with the reader's organisation
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
        site = registry.create_site(
            session=s,
            site_in=SiteCreate(
                name="Bench pumping station",
                site_type=SiteType.POWER_PLANT,
                latitude=28.5,
                longitude=65.5,
                personnel_foreign=20,
                personnel_local=80,
            ),
            viewer=None,
            owner_org_id=partner.id,
        )
        route = registry.create_route(
            session=s,
            route_in=RouteCreate(
                name="Bench supply road",
                points=[(27.4, 64.6), (28.0, 65.0), (28.5, 65.5), (29.0, 65.9), (29.5, 66.4)],
            ),
            viewer=None,
            owner_org_id=partner.id,
        )
        s.commit()
        # an AMBER incident of the partner: its detail is an audited read
        incident_id = int(s.scalar(text("SELECT min(id) FROM incidents WHERE tlp = 'AMBER'")) or 0)
        store = Store(url, token, Viewer.of(user), incident_id, site.id, route.id)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    engine.dispose()
    return store


def endpoints(store: Store) -> dict[str, str]:
    return {
        "healthz": "/healthz",
        "list": LIST_PATH,
        "detail": f"/api/v1/incidents/{store.incident_id}",
        "site risk": f"/api/v1/sites/{store.site_id}/risk?as_of=2025-01-01",
        "route risk": f"/api/v1/routes/{store.route_id}/risk?as_of=2025-01-01",
        "surface": SURFACE_PATH,
    }


def warm_up(port: int, path: str, token: str, n: int = 20) -> None:
    """A few requests (each worker's caches and pool), checking the endpoint answers 200."""
    for _ in range(n):
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(req, timeout=60) as resp:
            if resp.status != 200:
                raise SystemExit(f"GET {path} answered {resp.status} before the run")
            resp.read()


def run_locust(port: int, path: str, token: str, clients: int, seconds: int, tmp: Path) -> Figure:
    """One headless locust run against ``path``; its figures from locust's CSV stats."""
    prefix = tmp / f"locust-{uuid.uuid4().hex[:6]}"
    env = {**os.environ, "SC_LOAD_PATH": path, "SC_LOAD_TOKEN": token}
    cmd = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "-u", str(clients), "-r", str(clients), "-t", f"{seconds}s",
        "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix),
        "--only-summary", "--reset-stats", "--loglevel", "ERROR", "--stop-timeout", "5",
    ]  # fmt: skip
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=seconds + 120)
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise SystemExit(f"locust wrote no stats (exit {done.returncode}):\n{done.stderr[-2000:]}")
    with stats.open(newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "endpoint")
    return Figure(
        requests=int(row["Request Count"]),
        failures=int(row["Failure Count"]),
        rate=float(row["Requests/s"]),
        p50=float(row["50%"]),
        p99=float(row["99%"]),
    )


def in_process_calls(store: Store, engine: Engine) -> dict[str, Callable[[], object]]:
    """The work of each endpoint without HTTP: the functions its route calls, in a session."""
    viewer = store.viewer
    flt = IncidentFilter(date_from=date(2018, 1, 1), event_types=["Battles"])

    def listing() -> object:
        with session_scope(engine) as s:
            body, pending = _list_page_in(s, viewer, flt, "-event_date", 50, None, False)
        if pending is not None:
            pending.result(timeout=60)
        return body

    def detail() -> object:
        with session_scope(engine) as s:
            return _detail(
                get_incident(s, store.incident_id, viewer=viewer, action="read")
            ).model_dump_json()

    def record(model: type[RecordT], ident: int) -> Callable[[], object]:
        def call() -> object:
            with session_scope(engine) as s:
                obj = registry.get_record(s, model, ident, viewer=viewer, action="risk")
                figure = risk.record_risk(s, viewer, obj, as_of=AS_OF)
                return RiskPublic.model_validate(figure.as_dict()).model_dump_json()

        return call

    def surface() -> object:
        with session_scope(engine) as s:
            return risk.surface_slice(s, viewer, box=BOX, as_of=AS_OF).features

    return {
        "list": listing,
        "detail": detail,
        "site risk": record(Site, store.site_id),
        "route risk": record(Route, store.route_id),
        "surface": surface,
    }


def in_process_rate(call: Callable[[], object], seconds: float) -> tuple[float, float]:
    """Calls per second of ``call`` in this thread, after two warm-up calls, and the CPU
    milliseconds of this process per call (the audit writer's thread included): the CPU
    figure moves less than the rate on a shared machine."""
    call()
    call()
    n, t0, cpu0 = 0, time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - t0) < seconds:
        call()
        n += 1
    return n / elapsed, (time.process_time() - cpu0) * 1000 / n


def serve(store: Store, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "SAFECORRIDOR_DATABASE_URL": store.url}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "safecorridor",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    wait_until_serving(server.pid, port, workers)
    return server, port


def options() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=env_int("SC_BENCH_ROWS", 100_000))
    ap.add_argument("--clients", type=int, default=env_int("SC_BENCH_CLIENTS", TARGET_CLIENTS))
    ap.add_argument(
        "--workers",
        default=os.environ.get("SC_BENCH_WORKERS") or "2",
        help="server workers; several (2,4) run one after the other on the same store",
    )
    ap.add_argument("--seconds", type=int, default=env_int("SC_BENCH_SECONDS", 15))
    ap.add_argument(
        "--pg",
        nargs="?",
        const=PG_URL,
        default=os.environ.get("SC_BENCH_PG") or None,
        help="run on PostgreSQL (default URL: SAFECORRIDOR_TEST_PG_URL)",
    )
    ap.add_argument("--only", action="append", help="endpoints to run (healthz always runs)")
    ap.add_argument("--in-process-seconds", type=float, default=2.0)
    ap.add_argument(
        "--unaudited",
        action="store_true",
        help="the reader's organisation is nobody's partner: it reads no AMBER, so no read is "
        "audited (the audit's cost, by difference; the site and route are then unreadable)",
    )
    args = ap.parse_args()
    if args.pg == "1":
        args.pg = PG_URL
    try:
        args.workers = [int(w) for w in str(args.workers).split(",")]
    except ValueError:
        ap.error(f"--workers must be a number or numbers with commas (2,4), not {args.workers!r}")
    if not all(1 <= w <= 32 for w in args.workers) or len(args.workers) > 4:
        ap.error("--workers: up to 4 counts, each between 1 and 32")
    for name, low, high in (
        ("rows", 1_000, 5_000_000),
        ("clients", 1, 500),
        ("seconds", 2, 3600),
    ):
        if not low <= getattr(args, name) <= high:
            ap.error(f"--{name} must be between {low:,} and {high:,}")
    return args


def main() -> None:
    args = options()
    print(f"API load benchmark (locust); machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        # the server and this process sign and verify the chain with one key of their own
        os.environ["SAFECORRIDOR_AUDIT_KEY_FILE"] = str(tmp / "bench-audit.key")
        get_settings.cache_clear()
        with database(args, tmp) as url:
            if url is not None:
                run(args, url, tmp)


def run(args: argparse.Namespace, url: str, tmp: Path) -> None:
    store = build_store(url, args.rows, tmp, partner_link=not args.unaudited)
    paths = endpoints(store)
    readable = ("list", "surface") if args.unaudited else tuple(paths)  # AMBER of the partner
    wanted = [
        "healthz",
        *(n for n in readable if n != "healthz" and (not args.only or n in args.only)),
    ]
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite (WAL)"
    engine = make_engine(url)
    calls = in_process_calls(store, engine)
    local: dict[str, tuple[float, float]] = {}
    for workers in args.workers:
        print(
            f"\n{args.rows:,} incidents, {backend}, `safecorridor serve --workers {workers}`, "
            f"locust {args.clients} clients x {args.seconds} s per endpoint (stats from the "
            "moment all clients run)"
        )
        figures: dict[str, Figure] = {}
        server, port = serve(store, workers)
        try:
            for name in wanted:
                warm_up(port, paths[name], store.token)
                figures[name] = run_locust(
                    port, paths[name], store.token, args.clients, args.seconds, tmp
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
        if not local:  # the bare work, with the server stopped (once per store)
            local = {
                n: in_process_rate(calls[n], args.in_process_seconds) for n in wanted if n in calls
            }
        report(figures, local, paths, args.clients)
    for name, chain in verify_logs(engine):
        state = "intact" if chain.is_intact else f"BROKEN at {chain.broken_id}"
        print(f"{name} after the run: {chain.checked:,} events, chain {state}")
    engine.dispose()


@contextmanager
def database(args: argparse.Namespace, tmp: Path) -> Iterator[str | None]:
    if not args.pg:
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    with postgres_schema(args.pg) as url:
        yield url


def report(
    figures: dict[str, Figure],
    local: dict[str, tuple[float, float]],
    paths: dict[str, str],
    clients: int,
) -> None:
    base = figures["healthz"].rate
    print(
        "\n| endpoint | requests | req/s | p50 ms | p99 ms | failed | ÷ healthz "
        "| in-process req/s | ÷ in-process | in-process CPU ms/call |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, f in figures.items():
        rate, cpu = local.get(name, (0.0, 0.0))
        print(
            f"| {name} | {f.requests:,} | {f.rate:,.0f} | {f.p50:.0f} | {f.p99:.0f} | "
            f"{f.failures} | {f.rate / base:.2f} | "
            + (f"{rate:,.0f} | {f.rate / rate:.2f} | {cpu:.1f} |" if rate else "- | - | - |")
        )
    print()
    for name, path in paths.items():
        if name in figures:
            print(f"{name}: GET {path}")
    if "list" in figures:
        f = figures["list"]
        share = f.rate / base
        at = (
            "" if clients == TARGET_CLIENTS else f" (the target is set at {TARGET_CLIENTS} clients)"
        )
        print(
            f"\ntarget audited list >= {HEALTHZ_SHARE_TARGET} x healthz: {share:.2f} x: "
            f"{'PASS' if share >= HEALTHZ_SHARE_TARGET else 'FAIL'}"
        )
        print(
            f"target audited list p99 < {P99_TARGET_MS:.0f} ms: {f.p99:.0f} ms: "
            f"{'PASS' if f.p99 < P99_TARGET_MS else 'FAIL'}{at}"
        )


if __name__ == "__main__":
    main()
