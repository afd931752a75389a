"""Load the demo world (``world.yaml``) into a database, idempotently.

Everything is matched before it is created: organisations and sites and routes by name,
users by e-mail, actors by name or alias, incidents by ``(source_dataset="demo",
source_key=<the incident's key>)``, meetings by series and number, measures by their site or
route, kind and description, movements by their organisation and purpose. Running
:func:`load_demo` twice therefore adds nothing the second time. The session is flushed, not
committed: the caller owns the transaction.

The JWG's part of the world (``meetings``, ``measures``, ``movements``) goes through the same
services as the app's (``jwg.service``, ``registry.measures``, ``movements.service``); the
movements and the next meeting are placed relative to ``now`` (the loader's clock), so a fresh
``make run`` always has a movement on the road and a meeting ahead. Action items of the world
that are open past their due date are marked overdue at load (without alerts: they did not
become overdue at that moment).

Every record the load writes has its state in the audit chain, in the load's transaction:
the services audit the meetings, action items, measures and movements; the loader itself the
organisations, users, sites, routes and incidents (one bulk insert of events at the end),
so ``safecorridor audit verify`` names a demo record whose marking is changed in its table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation, User
from safecorridor.accounts.security import hash_password
from safecorridor.clock import naive, system_clock
from safecorridor.geo import cell_of, check_coordinates, polyline_length_km
from safecorridor.incidents.actors import ActorResolver, add_actor, alias_key, find_actor
from safecorridor.incidents.models import Actor, Incident
from safecorridor.incidents.schemas import IncidentCreate
from safecorridor.incidents.service import create_incident
from safecorridor.jwg import service as jwg
from safecorridor.jwg.choices import ActionStatus
from safecorridor.jwg.models import ActionItem, Meeting
from safecorridor.jwg.schemas import ActionChange, MeetingCreate
from safecorridor.movements import service as movements
from safecorridor.movements.models import Movement
from safecorridor.movements.schemas import EscortAssignment, MovementCreate
from safecorridor.registry.measures import (
    MeasureCreate,
    MeasureKind,
    MeasureState,
    ProtectiveMeasure,
    create_measure,
)
from safecorridor.registry.models import Route, Site
from safecorridor.sharing.audit import audit_objects
from safecorridor.taxonomy.choices import TLP, ActorKind, Role, SiteType

DEMO_DATASET = "demo"
SITE_H3_RESOLUTION = 7
KINDS = (
    "organisations",
    "users",
    "actors",
    "sites",
    "routes",
    "incidents",
    "meetings",
    "measures",
    "movements",
)
#: sections a world may leave out (an empty list)
OPTIONAL = ("meetings", "measures", "movements")
#: the escort officer who approves the demo's movements
DEMO_APPROVER = "escort_officer@ssd.example"
DEMO_OVERRIDE = "Demo world: an illustrative movement, approved as planned."
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{2,99}$")


class DemoWorldError(ValueError):
    """The demo world file is invalid; the message names the offending item."""


# --- the shape of world.yaml ------------------------------------------------------------


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrganisationSpec(_Item):
    name: str
    short_name: str | None = None
    kind: str = "agency"
    country: str | None = Field(default=None, min_length=3, max_length=3)
    partners: list[str] = Field(default_factory=list)
    #: escort organisations whose escort officers decide this organisation's movements
    escorts: list[str] = Field(default_factory=list)


class UserSpec(_Item):
    email: str
    display_name: str
    organisation: str
    role: Role
    password: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, v: str) -> str:
        if "@" not in v or v.startswith("@") or v.endswith("@"):
            raise ValueError(f"not an e-mail address: {v!r}")
        return v.lower()


class ActorSpec(_Item):
    name: str
    kind: ActorKind
    aliases: list[str] = Field(default_factory=list)
    parent: str | None = None
    countries: str | None = None
    description: str | None = None
    source_url: str | None = None


class SiteSpec(_Item):
    name: str
    project: str | None = None
    site_type: SiteType
    latitude: float
    longitude: float
    admin1: str | None = None
    admin2: str | None = None
    country: str = "Pakistan"
    personnel_foreign: int = Field(default=0, ge=0)
    personnel_local: int = Field(default=0, ge=0)
    tlp: TLP = TLP.CLEAR
    owner: str | None = None
    description: str | None = None
    source_url: str


class RouteSpec(_Item):
    name: str
    origin: str | None = None
    destination: str | None = None
    points: list[tuple[float, float]] = Field(min_length=2)
    tlp: TLP = TLP.CLEAR
    owner: str | None = None
    description: str | None = None
    source_url: str


class PlanRef(_Item):
    meeting: int = Field(ge=1)
    decision: int = Field(ge=1)
    action: int = Field(ge=1)


class MeasureSpec(_Item):
    """A measure of a site or a route; the demo's measures are all illustrative."""

    site: str | None = None
    route: str | None = None
    kind: MeasureKind
    grade: Literal["standard", "hardened"] = "standard"
    state: MeasureState = MeasureState.IN_PLACE
    planned_for: date | None = None
    in_place_from: date | None = None
    provider: str = ""
    description: str = ""
    strength: int | None = Field(default=None, ge=0)
    tlp: TLP | None = None
    plan: PlanRef | None = None


class DemoActionSpec(_Item):
    title: str
    owner: str
    responsible_role: str = ""
    due_on: date
    tlp: TLP = TLP.AMBER
    status: ActionStatus = ActionStatus.OPEN
    completed_on: date | None = None
    evidence_note: str | None = None
    links: list[dict[str, str]] = Field(default_factory=list)


class DemoDecisionSpec(_Item):
    text: str
    agenda_item: int | None = None
    actions: list[DemoActionSpec] = Field(default_factory=list)


class DemoAgendaSpec(_Item):
    title: str
    notes: str = ""
    links: list[dict[str, str]] = Field(default_factory=list)


class MeetingSpec(_Item):
    """A meeting; ``in_days`` places it that many days after the load instead of
    ``held_on``."""

    series: str
    number: int
    held_on: date | None = None
    in_days: int | None = None
    venue: str = ""
    chair: str = ""
    tlp: TLP = TLP.GREEN
    illustrative: bool = False
    summary: str = ""
    delegations: list[dict[str, Any]] = Field(default_factory=list)
    agenda: list[DemoAgendaSpec] = Field(default_factory=list)
    decisions: list[DemoDecisionSpec] = Field(default_factory=list)


class MovementSpec(_Item):
    """A movement placed ``hours`` after the load, taken to ``state``."""

    purpose: str
    requester: str
    route: str
    headcount: dict[str, int]
    vehicles: int = 1
    armoured: int = 0
    hours: float
    duration: float = Field(gt=0)
    state: Literal["submitted", "approved", "under_way"]
    escort: dict[str, Any] | None = None
    checkin: dict[str, Any] | None = None


class DemoWorld(_Item):
    organisations: list[OrganisationSpec]
    users: list[UserSpec]
    actors: list[ActorSpec]
    sites: list[SiteSpec]
    routes: list[RouteSpec]
    incidents: list[dict[str, Any]]


@dataclass(frozen=True)
class IncidentSpec:
    """One validated incident: its stable key, owner organisation and the data to store."""

    key: str
    owner: str | None
    data: IncidentCreate


@dataclass(frozen=True)
class World:
    """The demo world after validation."""

    organisations: list[OrganisationSpec]
    users: list[UserSpec]
    actors: list[ActorSpec]
    sites: list[SiteSpec]
    routes: list[RouteSpec]
    incidents: list[IncidentSpec]
    meetings: list[MeetingSpec] = field(default_factory=list)
    measures: list[MeasureSpec] = field(default_factory=list)
    movements: list[MovementSpec] = field(default_factory=list)


# --- the summary ------------------------------------------------------------------------


@dataclass
class KindCount:
    new: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class DemoUser:
    email: str
    display_name: str
    role: str
    organisation: str
    password: str


@dataclass
class DemoSummary:
    """What :func:`load_demo` did: new/unchanged counts per kind, and the demo accounts."""

    counts: dict[str, KindCount] = field(default_factory=lambda: {k: KindCount() for k in KINDS})
    users: list[DemoUser] = field(default_factory=list)

    @property
    def total_new(self) -> int:
        return sum(c.new for c in self.counts.values())

    def _bump(self, kind: str, *, new: bool) -> None:
        if new:
            self.counts[kind].new += 1
        else:
            self.counts[kind].unchanged += 1


# --- reading and validating -------------------------------------------------------------


def demo_world_path() -> Path:
    """The ``world.yaml`` shipped with the package."""
    return Path(str(files("safecorridor.demo").joinpath("world.yaml")))


def demo_password(role: str) -> str:
    return f"demo-{role}-2024"


def _fmt(err: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'record'}: {e['msg']}" for e in err.errors()
    )


def _unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise DemoWorldError(f"{what} {n!r} appears twice")
        seen.add(n)


def _incident(raw: dict[str, Any], position: int) -> IncidentSpec:
    key = raw.get("key")
    if not isinstance(key, str) or not _SLUG.match(key):
        raise DemoWorldError(
            f"incident #{position + 1} needs a `key`: a lower-case slug such as "
            f"'2022-04-26-karachi-university-bombing' (got {key!r})"
        )
    data = {k: v for k, v in raw.items() if k not in ("key", "owner")}
    data.setdefault("country", "Pakistan")
    data.setdefault("credibility", "2")
    if isinstance(data.get("credibility"), int):
        data["credibility"] = str(data["credibility"])
    data["source_dataset"] = DEMO_DATASET
    data["source_key"] = key
    try:
        incident = IncidentCreate.model_validate(data)
    except (ValidationError, ValueError) as exc:
        detail = _fmt(exc) if isinstance(exc, ValidationError) else str(exc)
        raise DemoWorldError(f"incident {key!r}: {detail}") from exc
    if not incident.source_urls:
        raise DemoWorldError(f"incident {key!r}: at least one source URL is required")
    owner = raw.get("owner")
    return IncidentSpec(key=key, owner=str(owner) if owner else None, data=incident)


def parse_world(data: Any) -> World:
    """Validate the parsed YAML; raise :class:`DemoWorldError` naming the bad item."""
    if not isinstance(data, dict):
        raise DemoWorldError("the demo world must be a mapping with sections " + ", ".join(KINDS))
    missing = [k for k in KINDS if k not in data and k not in OPTIONAL]
    if missing:
        raise DemoWorldError(f"the demo world lacks section(s): {', '.join(missing)}")
    sections: dict[str, list[Any]] = {}
    for kind in KINDS:
        items = data.get(kind, [])
        if not isinstance(items, list):
            raise DemoWorldError(f"section {kind!r} must be a list")
        sections[kind] = items

    def each(kind: str, model: type[BaseModel]) -> list[Any]:
        out = []
        for i, raw in enumerate(sections[kind]):
            label = raw.get("name") or raw.get("email") if isinstance(raw, dict) else None
            try:
                out.append(model.model_validate(raw))
            except ValidationError as exc:
                what = label or f"#{i + 1}"
                raise DemoWorldError(f"{kind[:-1]} {what!r}: {_fmt(exc)}") from exc
        return out

    orgs: list[OrganisationSpec] = each("organisations", OrganisationSpec)
    users: list[UserSpec] = each("users", UserSpec)
    actors: list[ActorSpec] = each("actors", ActorSpec)
    sites: list[SiteSpec] = each("sites", SiteSpec)
    routes: list[RouteSpec] = each("routes", RouteSpec)
    incidents = [
        _incident(raw, i) if isinstance(raw, dict) else _not_mapping(i)
        for i, raw in enumerate(sections["incidents"])
    ]

    _unique([o.name for o in orgs], "organisation")
    _unique([u.email for u in users], "user")
    _unique([a.name for a in actors], "actor")
    _unique([s.name for s in sites], "site")
    _unique([r.name for r in routes], "route")
    _unique([i.key for i in incidents], "incident key")

    org_names = {o.name for o in orgs}
    for o in orgs:
        for p in o.partners:
            if p not in org_names:
                raise DemoWorldError(
                    f"organisation {o.name!r}: partner {p!r} is not an organisation"
                )
        for e in o.escorts:
            if e not in org_names:
                raise DemoWorldError(
                    f"organisation {o.name!r}: escort {e!r} is not an organisation"
                )
    for u in users:
        if u.organisation not in org_names:
            raise DemoWorldError(f"user {u.email!r}: unknown organisation {u.organisation!r}")
    for kind, owned in (("site", sites), ("route", routes)):
        for s in owned:
            if s.owner and s.owner not in org_names:
                raise DemoWorldError(f"{kind} {s.name!r}: unknown owner organisation {s.owner!r}")
    for s in sites:
        try:
            check_coordinates(s.latitude, s.longitude)
        except ValueError as exc:
            raise DemoWorldError(f"site {s.name!r}: {exc}") from exc
    for r in routes:
        for lat, lon in r.points:
            try:
                check_coordinates(lat, lon)
            except ValueError as exc:
                raise DemoWorldError(f"route {r.name!r}: {exc}") from exc

    # actor names and aliases: unique keys, known parents, no cycles
    keys: dict[str, str] = {}
    for a in actors:
        for alias in (a.name, *a.aliases):
            k = alias_key(alias)
            if k in keys and keys[k] != a.name:
                raise DemoWorldError(
                    f"actor {a.name!r}: alias {alias!r} already names actor {keys[k]!r}"
                )
            keys[k] = a.name
    by_name = {a.name: a for a in actors}
    for a in actors:
        seen = {a.name}
        parent = a.parent
        while parent is not None:
            if parent not in by_name:
                raise DemoWorldError(f"actor {a.name!r}: unknown parent {parent!r}")
            if parent in seen:
                raise DemoWorldError(f"actor {a.name!r}: parent chain loops through {parent!r}")
            seen.add(parent)
            parent = by_name[parent].parent
    for inc in incidents:
        for fname in ("actor1", "actor2", "claimed_by"):
            name = getattr(inc.data, fname)
            if name and alias_key(name) not in keys:
                raise DemoWorldError(
                    f"incident {inc.key!r}: {fname} {name!r} is not an actor of the demo world"
                )
        if inc.owner and inc.owner not in org_names:
            raise DemoWorldError(f"incident {inc.key!r}: unknown owner organisation {inc.owner!r}")
    meetings: list[MeetingSpec] = each("meetings", MeetingSpec)
    measures: list[MeasureSpec] = each("measures", MeasureSpec)
    moves: list[MovementSpec] = each("movements", MovementSpec)
    site_names = {s.name for s in sites}
    route_names = {r.name for r in routes}
    for m in measures:
        if (m.site is None) == (m.route is None):
            raise DemoWorldError(
                f"measure {m.kind} ({m.description[:40]!r}): give a site or a route"
            )
        if m.site is not None and m.site not in site_names:
            raise DemoWorldError(f"measure {m.kind}: unknown site {m.site!r}")
        if m.route is not None and m.route not in route_names:
            raise DemoWorldError(f"measure {m.kind}: unknown route {m.route!r}")
    for mt in meetings:
        if (mt.held_on is None) == (mt.in_days is None):
            raise DemoWorldError(f"meeting {mt.number}: give held_on or in_days")
        for d in mt.decisions:
            for act in d.actions:
                if act.owner not in org_names:
                    raise DemoWorldError(f"meeting {mt.number}: unknown owner {act.owner!r}")
    user_emails = {u.email for u in users}
    for mv in moves:
        if mv.requester not in user_emails:
            raise DemoWorldError(f"movement {mv.purpose!r}: unknown requester {mv.requester!r}")
        if mv.route not in route_names:
            raise DemoWorldError(f"movement {mv.purpose!r}: unknown route {mv.route!r}")
    return World(orgs, users, actors, sites, routes, incidents, meetings, measures, moves)


def _not_mapping(position: int) -> IncidentSpec:
    raise DemoWorldError(f"incident #{position + 1} must be a mapping")


def read_world(path: Path | str | None = None) -> World:
    """Read and validate a world file (the packaged ``world.yaml`` by default)."""
    p = Path(path) if path is not None else demo_world_path()
    try:
        data = yaml.safe_load(p.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise DemoWorldError(f"{p}: not valid YAML: {exc}") from exc
    return parse_world(data)


# --- loading ----------------------------------------------------------------------------


def _parents_first(actors: list[ActorSpec]) -> list[ActorSpec]:
    by_name = {a.name: a for a in actors}
    done: set[str] = set()
    ordered: list[ActorSpec] = []

    def visit(a: ActorSpec) -> None:
        if a.name in done:
            return
        if a.parent is not None:
            visit(by_name[a.parent])
        done.add(a.name)
        ordered.append(a)

    for a in actors:
        visit(a)
    return ordered


def load_demo(
    session: Session,
    *,
    path: Path | str | None = None,
    changed_by: str = "demo-loader",
    now: datetime | None = None,
) -> DemoSummary:
    """Load the demo world into ``session`` (flushed, not committed) and say what changed;
    ``now`` places the movements and the next meeting (the system clock's time by default)."""
    world = read_world(path)
    at = naive(now or system_clock.now())
    summary = DemoSummary()
    # the records this load creates (or changes) outside an auditing service: their states go
    # into the audit chain at the end, so `audit verify` names one changed in its table later
    created: list[Any] = []
    changed: list[Any] = []

    # organisations, then partnerships (directed, as listed)
    orgs: dict[str, Organisation] = {}
    default_owner = world.organisations[0].name  # the first organisation (the secretariat)
    for o in world.organisations:
        org = session.scalar(select(Organisation).where(Organisation.name == o.name))
        summary._bump("organisations", new=org is None)
        if org is None:
            org = Organisation(name=o.name, short_name=o.short_name, kind=o.kind, country=o.country)
            session.add(org)
            created.append(org)
        orgs[o.name] = org
    session.flush()
    for o in world.organisations:
        org = orgs[o.name]
        have = {p.id for p in org.partners}
        for name in o.partners:
            partner = orgs[name]
            if partner.id not in have:
                org.partners.append(partner)
                have.add(partner.id)
        escorting = {e.id for e in org.escorts}
        for name in o.escorts:
            escort = orgs[name]
            if escort.id not in escorting:
                org.escorts.append(escort)
                escorting.add(escort.id)

    # users
    for u in world.users:
        user = session.scalar(select(User).where(User.email == u.email))
        summary._bump("users", new=user is None)
        if user is None:
            user = User(
                email=u.email,
                display_name=u.display_name,
                organisation_id=orgs[u.organisation].id,
                role=str(u.role),
            )
            session.add(user)
            created.append(user)
        if user.password_hash is None:
            user.password_hash = hash_password(u.password or demo_password(str(u.role)))
            if user not in created:
                changed.append(user)
        summary.users.append(
            DemoUser(
                email=u.email,
                display_name=u.display_name,
                role=str(u.role),
                organisation=u.organisation,
                password=u.password or demo_password(str(u.role)),
            )
        )
    session.flush()

    # actors, parents before units
    actors: dict[str, Actor] = {}
    for a in _parents_first(world.actors):
        existing = find_actor(session, a.name)
        summary._bump("actors", new=existing is None)
        actors[a.name] = add_actor(
            session,
            a.name,
            kind=a.kind,
            aliases=a.aliases,
            parent=actors[a.parent] if a.parent else None,
            countries=a.countries,
            description=a.description,
            source_url=a.source_url,
            changed_by=changed_by,
        )

    # sites
    for s in world.sites:
        site = session.scalar(select(Site).where(Site.name == s.name))
        summary._bump("sites", new=site is None)
        if site is None:
            created.append(
                Site(
                    name=s.name,
                    project=s.project,
                    site_type=str(s.site_type),
                    latitude=s.latitude,
                    longitude=s.longitude,
                    admin1=s.admin1,
                    admin2=s.admin2,
                    country=s.country,
                    personnel_foreign=s.personnel_foreign,
                    personnel_local=s.personnel_local,
                    personnel_is_illustrative=True,
                    description=s.description,
                    source_url=s.source_url,
                    h3_cell=cell_of(s.latitude, s.longitude, SITE_H3_RESOLUTION),
                    tlp=str(s.tlp),
                    owner_org_id=orgs[s.owner or default_owner].id,
                )
            )
            session.add(created[-1])

    # routes
    for r in world.routes:
        route = session.scalar(select(Route).where(Route.name == r.name))
        summary._bump("routes", new=route is None)
        if route is None:
            points = [[lat, lon] for lat, lon in r.points]
            created.append(
                Route(
                    name=r.name,
                    origin=r.origin,
                    destination=r.destination,
                    points=points,
                    length_km=round(polyline_length_km(points), 1),
                    description=r.description,
                    source_url=r.source_url,
                    tlp=str(r.tlp),
                    owner_org_id=orgs[r.owner or default_owner].id,
                )
            )
            session.add(created[-1])
    session.flush()

    # incidents
    resolver = ActorResolver(session, create=False)
    known = set(
        session.scalars(
            select(Incident.source_key).where(Incident.source_dataset == DEMO_DATASET)
        ).all()
    )
    for inc in world.incidents:
        is_new = inc.key not in known
        summary._bump("incidents", new=is_new)
        if not is_new:
            continue
        incident = create_incident(
            session=session,
            incident_in=inc.data,
            changed_by=changed_by,
            owner_org_id=orgs[inc.owner].id if inc.owner else None,
            resolver=resolver,
        )
        created.append(incident)
        known.add(inc.key)
    session.flush()

    # meetings, action items, measures and movements are audited by their services
    _load_meetings(session, world, orgs, summary, at, changed_by)
    changed += _load_measures(session, world, summary, at, changed_by)
    _load_movements(session, world, summary, at)
    session.flush()
    # in the same transaction as the rows, in the order they were written (one bulk insert)
    audit_objects(session=session, viewer=None, action="create", objs=created, actor=changed_by)
    audit_objects(session=session, viewer=None, action="update", objs=changed, actor=changed_by)
    return summary


# --- the JWG's part of the world ------------------------------------------------------------


def _link_ids(session: Session, links: list[dict[str, str]], where: str) -> list[dict[str, Any]]:
    """``[{incident: key} | {site: name} | {route: name}]`` as the services' links."""
    out: list[dict[str, Any]] = []
    for link in links:
        if len(link) != 1:
            raise DemoWorldError(f"{where}: a link names one record, as {{site: NAME}}")
        kind, ref = next(iter(link.items()))
        ident: int | None
        if kind == "incident":
            ident = session.scalar(
                select(Incident.id).where(
                    Incident.source_dataset == DEMO_DATASET, Incident.source_key == ref
                )
            )
        elif kind == "site":
            ident = session.scalar(select(Site.id).where(Site.name == ref))
        elif kind == "route":
            ident = session.scalar(select(Route.id).where(Route.name == ref))
        else:
            raise DemoWorldError(f"{where}: links name an incident, a site or a route, not {kind}")
        if ident is None:
            raise DemoWorldError(f"{where}: no {kind} {ref!r} in the demo world")
        out.append({"record_type": kind, "record_id": ident})
    return out


def _load_meetings(
    session: Session,
    world: World,
    orgs: dict[str, Organisation],
    summary: DemoSummary,
    at: datetime,
    actor: str,
) -> None:
    owner = orgs[world.organisations[0].name]
    day = at.date()
    for spec in world.meetings:
        existing = session.scalar(
            select(Meeting.id).where(Meeting.series == spec.series, Meeting.number == spec.number)
        )
        summary._bump("meetings", new=existing is None)
        if existing is not None:
            continue
        where = f"meeting {spec.number}"
        held_on = spec.held_on or day + timedelta(days=spec.in_days or 0)
        body = {
            "series": spec.series,
            "number": spec.number,
            "held_on": held_on,
            "venue": spec.venue,
            "chair": spec.chair,
            "summary": spec.summary,
            "tlp": spec.tlp,
            "is_illustrative": spec.illustrative,
            "delegations": spec.delegations,
            "agenda": [
                {"title": a.title, "notes": a.notes, "links": _link_ids(session, a.links, where)}
                for a in spec.agenda
            ],
            "decisions": [
                {
                    "text": d.text,
                    "agenda_item": d.agenda_item,
                    "actions": [
                        {
                            "title": a.title,
                            "owner": a.owner,
                            "responsible_role": a.responsible_role,
                            "due_on": a.due_on,
                            "tlp": a.tlp,
                            "links": _link_ids(session, a.links, where),
                        }
                        for a in d.actions
                    ],
                }
                for d in spec.decisions
            ],
        }
        try:
            meeting_in = MeetingCreate.model_validate(body)
        except ValidationError as exc:
            raise DemoWorldError(f"{where}: {_fmt(exc)}") from exc
        meeting = jwg.create_meeting(
            session=session, meeting_in=meeting_in, viewer=None, owner_org_id=owner.id, actor=actor
        )
        items = {
            i.id: i
            for i in session.scalars(select(ActionItem).where(ActionItem.meeting_id == meeting.id))
        }
        for d_spec, decision in zip(spec.decisions, meeting.decisions, strict=True):
            made = sorted(
                (i for i in items.values() if i.decision_id == decision.id), key=lambda i: i.id
            )
            for a_spec, item in zip(d_spec.actions, made, strict=True):
                if a_spec.status == ActionStatus.IN_PROGRESS:
                    change = ActionChange(status=ActionStatus.IN_PROGRESS)
                elif a_spec.status == ActionStatus.DONE:
                    change = ActionChange(
                        status=ActionStatus.DONE,
                        evidence_note=a_spec.evidence_note or "Done (demo).",
                        effective_on=a_spec.completed_on,
                    )
                else:
                    continue
                jwg.update_action(
                    session=session,
                    action_id=item.id,
                    change=change,
                    viewer=None,
                    today=day,
                    actor=actor,
                )
    # items already past their due date when the world is loaded: overdue from the start, with
    # no alert (nothing became overdue now; the worker alerts when a date passes later)
    for action_id in jwg.due_overdue_actions(session, today=day):
        jwg.mark_overdue(session=session, action_id=action_id, today=day, now=at)


def _plan_id(session: Session, plan: PlanRef) -> int:
    meeting = session.scalar(select(Meeting).where(Meeting.number == plan.meeting))
    if meeting is None or plan.decision > len(meeting.decisions):
        raise DemoWorldError(f"measure plan: no decision {plan.decision} of meeting {plan.meeting}")
    decision = meeting.decisions[plan.decision - 1]
    items = sorted(decision.actions, key=lambda i: i.id)
    if plan.action > len(items):
        raise DemoWorldError(f"measure plan: no action {plan.action} of that decision")
    return items[plan.action - 1].id


def _load_measures(
    session: Session, world: World, summary: DemoSummary, at: datetime, actor: str
) -> list[ProtectiveMeasure]:
    """Record the world's measures; those changed after their audited creation."""
    changed: list[ProtectiveMeasure] = []
    for spec in world.measures:
        subject: Site | Route | None
        if spec.site is not None:
            subject = session.scalar(select(Site).where(Site.name == spec.site))
        else:
            subject = session.scalar(select(Route).where(Route.name == spec.route))
        assert subject is not None
        column = ProtectiveMeasure.site_id if spec.site is not None else ProtectiveMeasure.route_id
        existing = session.scalar(
            select(ProtectiveMeasure.id).where(
                column == subject.id,
                ProtectiveMeasure.kind == str(spec.kind),
                ProtectiveMeasure.description == spec.description,
            )
        )
        summary._bump("measures", new=existing is None)
        if existing is not None:
            continue
        m = create_measure(
            session=session,
            measure_in=MeasureCreate(
                site_id=subject.id if spec.site is not None else None,
                route_id=subject.id if spec.route is not None else None,
                kind=spec.kind,
                grade=spec.grade,
                description=spec.description,
                provider=spec.provider,
                strength=spec.strength,
                state=spec.state,
                planned_for=spec.planned_for,
                in_place_from=spec.in_place_from,
                action_item_id=_plan_id(session, spec.plan) if spec.plan else None,
                is_illustrative=True,
                tlp=spec.tlp or TLP(subject.tlp),
            ),
            viewer=None,
            today=at.date(),
            actor=actor,
        )
        if spec.state == MeasureState.IN_PLACE and spec.in_place_from is None:
            m.in_place_from = None  # in place since before the register
            m.history[-1].effective_on = None
            changed.append(m)
    return changed


def _load_movements(session: Session, world: World, summary: DemoSummary, at: datetime) -> None:
    approver = session.scalar(select(User).where(User.email == DEMO_APPROVER))
    for spec in world.movements:
        requester = session.scalar(select(User).where(User.email == spec.requester))
        assert requester is not None
        existing = session.scalar(
            select(Movement.id).where(
                Movement.owner_org_id == requester.organisation_id,
                Movement.purpose == spec.purpose,
            )
        )
        summary._bump("movements", new=existing is None)
        if existing is not None:
            continue
        departure = (at + timedelta(hours=spec.hours)).replace(second=0, microsecond=0)
        asked = min(at, departure) - timedelta(hours=30)
        m = movements.request_movement(
            session=session,
            user=requester,
            movement_in=MovementCreate(
                purpose=spec.purpose,
                headcount=spec.headcount,
                route=spec.route,
                vehicle_count=spec.vehicles,
                armoured_count=spec.armoured,
                planned_departure=departure,
                planned_arrival=departure + timedelta(hours=spec.duration),
            ),
            now=asked,
        )
        movements.submit_movement(
            session=session, movement_id=m.id, user=requester, now=asked + timedelta(hours=1)
        )
        if spec.state == "submitted" or approver is None:
            continue
        movements.approve_movement(
            session=session,
            movement_id=m.id,
            user=approver,
            escort=EscortAssignment.model_validate(
                spec.escort or {"callsign": "Escort", "vehicles": 2}
            ),
            override_reason=DEMO_OVERRIDE,
            now=asked + timedelta(hours=4),
        )
        if spec.state == "approved":
            continue
        movements.start_movement(session=session, movement_id=m.id, user=requester, now=departure)
        if spec.checkin:
            hours = float(spec.checkin.get("after_hours", 1))
            when = min(departure + timedelta(hours=hours), at)
            points = m.route_points
            share = min(1.0, hours / spec.duration)
            lat, lon = points[int(share * (len(points) - 1))]
            movements.check_in(
                session=session,
                movement_id=m.id,
                user=requester,
                latitude=lat,
                longitude=lon,
                note=str(spec.checkin.get("note", "")) or None,
                at=when,
                now=when,
            )
