"""Load the demo world (``world.yaml``) into a database, idempotently.

Everything is matched before it is created: organisations and sites and routes by name,
users by e-mail, actors by name or alias, incidents by ``(source_dataset="demo",
source_key=<the incident's key>)``. Running :func:`load_demo` twice therefore adds nothing
the second time. The session is flushed, not committed: the caller owns the transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation, User
from safecorridor.accounts.security import hash_password
from safecorridor.geo import cell_of, check_coordinates, polyline_length_km
from safecorridor.incidents.actors import ActorResolver, add_actor, alias_key, find_actor
from safecorridor.incidents.models import Actor, Incident
from safecorridor.incidents.schemas import IncidentCreate
from safecorridor.incidents.service import create_incident
from safecorridor.registry.models import Route, Site
from safecorridor.taxonomy.choices import TLP, ActorKind, Role, SiteType

DEMO_DATASET = "demo"
SITE_H3_RESOLUTION = 7
KINDS = ("organisations", "users", "actors", "sites", "routes", "incidents")

Posture = Literal["basic", "standard", "hardened"]
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
    perimeter: Posture = "basic"
    guard_force: Posture = "basic"
    hardening: Posture = "basic"
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
    missing = [k for k in KINDS if k not in data]
    if missing:
        raise DemoWorldError(f"the demo world lacks section(s): {', '.join(missing)}")
    sections: dict[str, list[Any]] = {}
    for kind in KINDS:
        items = data[kind]
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
    return World(orgs, users, actors, sites, routes, incidents)


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
    session: Session, *, path: Path | str | None = None, changed_by: str = "demo-loader"
) -> DemoSummary:
    """Load the demo world into ``session`` (flushed, not committed) and say what changed."""
    world = read_world(path)
    summary = DemoSummary()

    # organisations, then partnerships (directed, as listed)
    orgs: dict[str, Organisation] = {}
    default_owner = world.organisations[0].name  # the first organisation (the secretariat)
    for o in world.organisations:
        org = session.scalar(select(Organisation).where(Organisation.name == o.name))
        summary._bump("organisations", new=org is None)
        if org is None:
            org = Organisation(name=o.name, short_name=o.short_name, kind=o.kind, country=o.country)
            session.add(org)
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
        if user.password_hash is None:
            user.password_hash = hash_password(u.password or demo_password(str(u.role)))
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
        )

    # sites
    for s in world.sites:
        site = session.scalar(select(Site).where(Site.name == s.name))
        summary._bump("sites", new=site is None)
        if site is None:
            session.add(
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
                    perimeter=s.perimeter,
                    guard_force=s.guard_force,
                    hardening=s.hardening,
                    description=s.description,
                    source_url=s.source_url,
                    h3_cell=cell_of(s.latitude, s.longitude, SITE_H3_RESOLUTION),
                    tlp=str(s.tlp),
                    owner_org_id=orgs[s.owner or default_owner].id,
                )
            )

    # routes
    for r in world.routes:
        route = session.scalar(select(Route).where(Route.name == r.name))
        summary._bump("routes", new=route is None)
        if route is None:
            points = [[lat, lon] for lat, lon in r.points]
            session.add(
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
        create_incident(
            session=session,
            incident_in=inc.data,
            changed_by=changed_by,
            owner_org_id=orgs[inc.owner].id if inc.owner else None,
            resolver=resolver,
        )
        known.add(inc.key)
    session.flush()
    return summary
