"""Commands over the record: init, demo, import, export, incidents, sites, actors, routes, serve."""

from __future__ import annotations

import os
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from safecorridor import taxonomy
from safecorridor.api.server import serve as run_server
from safecorridor.cli.common import (
    check_limit,
    console,
    fail,
    parse_choices,
    parse_day,
    parse_latlon,
    parse_pairs,
    progress_bar,
)
from safecorridor.cli.interop import export_records
from safecorridor.cli.users import add_user, ask_password
from safecorridor.clock import system_clock, today
from safecorridor.db.engine import migrate
from safecorridor.db.session import get_engine, session_scope
from safecorridor.demo.loader import load_demo
from safecorridor.errors import InvalidInputError
from safecorridor.incidents.actors import actor_with_units
from safecorridor.incidents.models import Actor, Incident
from safecorridor.incidents.service import (
    MAX_NEAR_KM,
    IncidentFilter,
    IncidentNotFoundError,
    UnknownActorError,
    check_period,
    count_incidents,
    get_incident,
    list_incidents,
    to_public,
)
from safecorridor.ops.running import SERVER, in_use
from safecorridor.registry.models import Route, Site
from safecorridor.settings import LOG_LEVELS, get_settings
from safecorridor.sharing.audit import ensure_key_file, key_path
from safecorridor.sources.export import export_file
from safecorridor.sources.importers import ImportFormatError, import_file
from safecorridor.sources.importers.registry import count_records

import_app = typer.Typer(
    help="Import incidents from ACLED, GTD, UCDP GED, JSON Lines or any CSV.", no_args_is_help=True
)
incidents_app = typer.Typer(help="List and show incidents.", no_args_is_help=True)
sites_app = typer.Typer(help="Protected sites.", no_args_is_help=True)
routes_app = typer.Typer(help="Named routes.", no_args_is_help=True)
actors_app = typer.Typer(
    help="Actors (organisations and categories) with aliases and units.", no_args_is_help=True
)
#: the record's sub-apps, by command name (registered by ``cli.app``)
SUB_APPS = {
    "import": import_app,
    "incidents": incidents_app,
    "sites": sites_app,
    "routes": routes_app,
    "actors": actors_app,
}


class ExportFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    STIX = "stix"
    MISP = "misp"


def _published(at: datetime | None, from_text: bool) -> str | None:
    """A source's publication day as the incident view prints it."""
    if at is None:
        return None
    return f"{at:%Y-%m-%d}" + (", as the report gives it" if from_text else "")


def _where() -> str:
    s = get_settings()
    return (s.database_url and "the database at SAFECORRIDOR_DATABASE_URL") or str(
        (s.data_dir / "safecorridor.db").resolve()
    )


def init(
    admin_email: Annotated[
        str | None,
        typer.Option(help="Also create this administrator (asks for the password)."),
    ] = None,
    admin_org: Annotated[
        str, typer.Option(help="The administrator's organisation (created if missing).")
    ] = "Secretariat",
) -> None:
    """Create or migrate the database (idempotent); optionally add the first administrator.

    Also creates the audit chain's key file (mode 0600, outside the database) if missing.
    """
    migrate(get_engine())
    console.print(f"Database ready: {_where()}")
    created = ensure_key_file()
    console.print(f"Audit key {'created' if created else 'kept'}: {key_path()}")
    if admin_email:
        add_user(
            admin_email,
            admin_org,
            "admin",
            password=ask_password(admin_email),
            create_organisation=True,
        )
        console.print(f"Administrator {admin_email.lower()} added to {admin_org}.")


def demo() -> None:
    """Load the CPEC demo world: organisations, users, actors, sites, routes, incidents, the
    working group's meetings, decisions and protective measures, and movements."""
    migrate(get_engine())
    with session_scope() as session:
        summary = load_demo(session)
    console.print(f"Demo world loaded into {_where()}")
    console.print(
        "  "
        + ", ".join(
            f"{kind}: {c.new} new, {c.unchanged} unchanged" for kind, c in summary.counts.items()
        ),
        highlight=False,
    )
    table = Table(title="Demo accounts (demo only: passwords are public)")
    for col in ("e-mail", "role", "organisation", "password"):
        table.add_column(col)
    for u in summary.users:
        table.add_row(u.email, u.role, u.organisation, u.password)
    console.print(table)


# ---------------------------------------------------------------- import


def _run_import(kind: str, file: Path, **options: object) -> None:
    migrate(get_engine())
    try:
        total = count_records(file) if file.is_file() else None
        with progress_bar(total, f"import {kind}") as bar:
            task = bar.task_ids[0]
            report = import_file(
                kind,
                file,
                on_progress=lambda n: bar.advance(task, n),
                today=today(system_clock),
                **options,
            )
    except ImportFormatError as exc:
        raise fail(str(exc)) from None
    for err in report.errors[:50]:
        console.print(f"  line {err.line}: {err.reason}", highlight=False)
    if report.rejected > 50:
        console.print(f"  ... and {report.rejected - 50} more rejected rows")
    console.print(f"{file}: {report.summary()}")


FileArg = Annotated[Path, typer.Argument(help="The file to import.")]
EncodingOpt = Annotated[
    str | None, typer.Option(help="Text encoding (default: UTF-8, else detected).")
]


@import_app.command("acled")
def import_acled(
    file: FileArg,
    encoding: EncodingOpt = None,
    monthfirst: Annotated[
        bool, typer.Option(help="Dates like 04/26/2022 are month first.")
    ] = False,
) -> None:
    """ACLED CSV (columns as ACLED spells them; missing optional columns are fine)."""
    _run_import("acled", file, encoding=encoding, dayfirst=not monthfirst)


@import_app.command("gtd")
def import_gtd(file: FileArg, encoding: EncodingOpt = None) -> None:
    """Global Terrorism Database CSV (day/month 0 = unknown)."""
    _run_import("gtd", file, encoding=encoding)


@import_app.command("ucdp")
def import_ucdp(
    file: FileArg,
    encoding: EncodingOpt = None,
    monthfirst: Annotated[
        bool,
        typer.Option(help="Dates like 07/12/2014 are month first (a file re-saved by Excel)."),
    ] = False,
) -> None:
    """UCDP GED CSV (the HXL hashtag row of HDX exports is skipped)."""
    _run_import("ucdp", file, encoding=encoding, dayfirst=not monthfirst)


@import_app.command("jsonl")
def import_jsonl(file: FileArg) -> None:
    """JSON Lines written by `export jsonl`."""
    _run_import("jsonl", file)


@import_app.command("csv")
def import_csv(
    file: FileArg,
    map_: Annotated[
        list[str], typer.Option("--map", help="FIELD=COLUMN, repeatable (e.g. event_date=Date).")
    ] = [],  # noqa: B006
    default: Annotated[
        list[str], typer.Option(help="FIELD=VALUE for every row (e.g. event_type=Battles).")
    ] = [],  # noqa: B006
    mapping: Annotated[
        Path | None, typer.Option(help="YAML file with map: and defaults: sections.")
    ] = None,
    monthfirst: Annotated[
        bool, typer.Option(help="Dates like 04/26/2022 are month first (default day first).")
    ] = False,
    encoding: EncodingOpt = None,
) -> None:
    """Any CSV through a column mapping. Totals and note rows are rejected with a reason."""
    _run_import(
        "csv",
        file,
        mapping=parse_pairs(map_, "--map"),
        defaults=parse_pairs(default, "--default"),
        mapping_file=mapping,
        dayfirst=not monthfirst,
        encoding=encoding,
    )


# ---------------------------------------------------------------- filters shared by list/export


def _filter(
    since: str | None,
    until: str | None,
    event_type: list[str],
    actor: str | None,
    admin1: str | None,
    near: str | None,
    km: float,
    source: str | None,
) -> IncidentFilter:
    date_from, date_to = parse_day(since, "--since"), parse_day(until, "--until")
    try:
        check_period(date_from, date_to, names=("--since", "--until"))
    except InvalidInputError as exc:
        raise fail(str(exc)) from None
    if not 0 < km <= MAX_NEAR_KM:  # a negative radius broke the H3 cover; NaN is refused too
        raise fail(f"--km must be more than 0 and at most {MAX_NEAR_KM:g}, not {km:g}")
    return IncidentFilter(
        date_from=date_from,
        date_to=date_to,
        event_types=parse_choices(event_type, taxonomy.event_types(), "--type"),
        actor=actor,
        admin1=admin1,
        near=parse_latlon(near) if near else None,
        km=km,
        source_dataset=source,
    )


SinceOpt = Annotated[str | None, typer.Option(help="From this date (YYYY-MM-DD).")]
UntilOpt = Annotated[str | None, typer.Option(help="Until this date (YYYY-MM-DD).")]
TypeOpt = Annotated[
    list[str],
    typer.Option(
        "--type", help=f"ACLED event type, repeatable: {', '.join(taxonomy.event_types())}."
    ),
]
ActorOpt = Annotated[str | None, typer.Option(help="An actor or alias; its units count too.")]
Admin1Opt = Annotated[str | None, typer.Option(help="Province / first-level region.")]
NearOpt = Annotated[str | None, typer.Option(help="LAT,LON: only incidents near this point.")]
KmOpt = Annotated[float, typer.Option(help="Radius for --near, in km (at most 500).")]
SourceOpt = Annotated[
    str | None, typer.Option(help="Only this dataset (acled, gtd, ucdp, csv, demo, ...).")
]


def export_cmd(
    fmt: Annotated[
        ExportFormat,
        typer.Argument(
            metavar="csv|jsonl|stix|misp",
            help="csv (ACLED-style, plus sc_* columns), jsonl, stix (a STIX 2.1 bundle) or misp "
            "(MISP event JSON).",
        ),
    ],
    out: Annotated[Path, typer.Argument(help="File to write.")],
    since: SinceOpt = None,
    until: UntilOpt = None,
    event_type: TypeOpt = [],  # noqa: B006
    actor: ActorOpt = None,
    admin1: Admin1Opt = None,
    source: SourceOpt = None,
) -> None:
    """Export incidents as ACLED-style CSV, JSON Lines, a STIX 2.1 bundle or MISP event JSON;
    each file imports back."""
    _export(fmt.value, out, _filter(since, until, event_type, actor, admin1, None, 10, source))


def _export(fmt: str, out: Path, flt: IncidentFilter) -> None:
    if not out.parent.is_dir():
        raise fail(f"cannot write {out}: no folder {out.parent}")
    if out.is_dir():
        raise fail(f"cannot write {out}: it is a folder; give a file name")
    if fmt in (ExportFormat.STIX, ExportFormat.MISP):
        export_records(fmt, out, flt)
        return
    migrate(get_engine())
    try:
        with session_scope() as session:
            n = export_file(session, fmt, out, flt)
    except UnknownActorError as exc:
        raise fail(str(exc)) from None
    console.print(f"{n} incidents written to {out}")


# ---------------------------------------------------------------- incidents


@incidents_app.command("list")
def incidents_list(
    since: SinceOpt = None,
    until: UntilOpt = None,
    event_type: TypeOpt = [],  # noqa: B006
    actor: ActorOpt = None,
    admin1: Admin1Opt = None,
    near: NearOpt = None,
    km: KmOpt = 10.0,
    source: SourceOpt = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")] = False,
) -> None:
    """Incidents, newest first, with filters."""
    flt = _filter(since, until, event_type, actor, admin1, near, km, source)
    check_limit(limit)
    try:
        with session_scope() as session:
            rows = list_incidents(session, flt, limit=limit)
            total = count_incidents(session, flt)
            if as_json:
                for i in rows:
                    typer.echo(to_public(i).model_dump_json())
                return
            table = Table(title=f"{len(rows)} of {total} incidents")
            for col in ("id", "date", "type", "place", "admin1", "actor", "killed", "foreign"):
                table.add_column(col, overflow="fold")
            for i in rows:
                table.add_row(
                    str(i.id),
                    _date(i),
                    i.sub_event_type or i.event_type,
                    i.location or "",
                    i.admin1 or "",
                    (i.actor1.name if i.actor1 else ""),
                    _n(i.fatalities),
                    _n(i.foreign_fatalities),
                )
    except UnknownActorError as exc:
        raise fail(str(exc)) from None
    console.print(table)


def _n(v: int | None) -> str:
    return "" if v is None else str(v)


def _date(i: Incident) -> str:
    iso = i.event_date.isoformat()
    return {"month": iso[:7], "year": iso[:4]}.get(i.date_precision, iso)


@incidents_app.command("show")
def incidents_show(
    incident_id: Annotated[int, typer.Argument(help="The incident's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """One incident with its sources and history."""
    with session_scope() as session:
        try:
            i = get_incident(session, incident_id)
        except IncidentNotFoundError as exc:
            raise fail(str(exc)) from None
        pub = to_public(i)
        if as_json:
            typer.echo(pub.model_dump_json(indent=2))
            return
        console.print(f"[bold]Incident {i.id}[/] ({i.status}, TLP:{i.tlp})")
        for name, value in pub.model_dump(exclude={"id", "extra", "source_urls"}).items():
            if value not in (None, "", []):
                # an Admiralty code with what it means: "credibility 6 (Truth cannot be judged)"
                meaning = (
                    taxonomy.credibility_codes().get(str(value)) if name == "credibility" else None
                )
                console.print(
                    f"  {name:20} {value}" + (f" ({meaning})" if meaning else ""), highlight=False
                )
        if i.documents:
            console.print("  sources:")
            for d in i.documents:
                said = " · ".join(
                    x
                    for x in (
                        d.publisher,
                        d.title,
                        _published(d.published_at, d.published_from_text),
                    )
                    if x
                )
                where = d.url or "(no URL)"
                console.print(
                    f"    document #{d.id} {where}{'  ' + said if said else ''}", highlight=False
                )
        console.print("  history:")
        for h in i.history:
            when = f"{h.changed_at:%Y-%m-%d %H:%M}"
            console.print(
                f"    {when} {h.action} by {h.changed_by}"
                + ("; " + _changes(h.changes) if h.changes else ""),
                highlight=False,
            )


def _changes(changes: dict[str, Any]) -> str:
    """A history row's changes as the incident page shows them: "field: old → new"."""
    parts = []
    for name, value in changes.items():
        if isinstance(value, list) and len(value) == 2:
            parts.append(f"{name}: {value[0]} → {value[1]}")
        else:
            parts.append(f"{name}: {value}")
    return ", ".join(parts)


# ---------------------------------------------------------------- sites, routes, actors


@sites_app.command("list")
def sites_list() -> None:
    """Sites with their type, place and people on site."""
    with session_scope() as session:
        sites = session.scalars(select(Site).order_by(Site.name)).all()
        table = Table(title=f"{len(sites)} sites")
        for col in ("id", "name", "type", "province", "lat", "lon", "foreign", "local"):
            table.add_column(col)
        for s in sites:
            table.add_row(
                str(s.id),
                s.name,
                s.site_type,
                s.admin1 or "",
                f"{s.latitude:.4f}",
                f"{s.longitude:.4f}",
                str(s.personnel_foreign),
                str(s.personnel_local),
            )
    console.print(table)


@routes_app.command("list")
def routes_list() -> None:
    """Routes with their ends and length."""
    with session_scope() as session:
        routes = session.scalars(select(Route).order_by(Route.name)).all()
        table = Table(title=f"{len(routes)} routes")
        for col in ("id", "name", "from", "to", "km", "points"):
            table.add_column(col)
        for r in routes:
            table.add_row(
                str(r.id),
                r.name,
                r.origin or "",
                r.destination or "",
                f"{r.length_km:.0f}",
                str(len(r.points)),
            )
    console.print(table)


@actors_app.command("list")
def actors_list(
    search: Annotated[
        str | None, typer.Option(help="Only actors whose name contains this.")
    ] = None,
) -> None:
    """Actors with kind, parent, aliases and how many incidents name them or their units (as
    side, target or claimant: the incidents `incidents list --actor NAME` lists)."""
    with session_scope() as session:
        q = (
            select(Actor)
            .options(selectinload(Actor.aliases), selectinload(Actor.parent))
            .order_by(Actor.name)
        )
        if search:
            q = q.where(func.lower(Actor.name).contains(search.lower()))
        actors = session.scalars(q).all()
        counts = {a.id: incidents_naming(session, a.id) for a in actors}
        table = Table(title=f"{len(actors)} actors")
        for col in ("id", "name", "kind", "part of", "aliases", "incidents"):
            table.add_column(col, overflow="fold")
        for a in actors:
            aliases = ", ".join(x.alias for x in a.aliases if x.alias != a.name)
            table.add_row(
                str(a.id),
                a.name,
                a.kind,
                a.parent.name if a.parent else "",
                aliases,
                str(counts.get(a.id, 0)),
            )
    console.print(table)


def incidents_naming(session: Session, actor_id: int) -> int:
    """Incidents naming the actor or one of its units on either side or as claimant."""
    ids = actor_with_units(session, actor_id)
    return int(
        session.scalar(
            select(func.count())
            .select_from(Incident)
            .where(
                or_(
                    Incident.actor1_id.in_(ids),
                    Incident.actor2_id.in_(ids),
                    Incident.claimed_by_id.in_(ids),
                )
            )
        )
        or 0
    )


def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to bind (default SAFECORRIDOR_HOST).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default SAFECORRIDOR_PORT).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes (default SAFECORRIDOR_WORKERS)."),
    ] = None,
    log_level: Annotated[
        str | None,
        typer.Option(
            help="Log level of uvicorn and the app (access lines at info): debug, info, warning, "
            "error (default SAFECORRIDOR_LOG_LEVEL)."
        ),
    ] = None,
) -> None:
    """Serve the web app and the JSON API."""
    if log_level:  # the app's own lines (the access line, errors) in every worker too
        if log_level.upper() not in LOG_LEVELS:
            raise fail(
                f"--log-level must be one of {', '.join(LOG_LEVELS).lower()}, not {log_level!r}"
            )
        os.environ["SAFECORRIDOR_LOG_LEVEL"] = log_level.upper()
        get_settings.cache_clear()
    settings = get_settings()
    log_level = settings.log_level
    h, p = host or settings.host, port if port is not None else settings.port
    n = workers or settings.workers
    # the database's in-use lock from before the migration (each process of the app takes it
    # too): `safecorridor restore` refuses while it is held; started during a restore, this
    # waits for its end, then migrates the restored database
    with in_use(get_engine(), SERVER):
        migrate(get_engine())
        console.print(
            f"SafeCorridor on http://{h}:{p}/  (data: {_where()}; "
            f"{n} worker{'s' if n != 1 else ''})"
        )
        status = run_server(h, p, workers=n, log_level=log_level)
    raise typer.Exit(status)
