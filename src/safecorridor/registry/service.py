"""Services over the registry: list, read, look up by name, create and change sites and routes.

Each function takes ``viewer`` (a signed-in person: the TLP read rule, the site managers' write
rule, ownership and the audit chain apply) or ``None`` for a trusted local caller (the CLI on
the server, the demo loader). A name lookup only ever considers what the reader may read, so
its answers and its refusals never name a hidden site or route.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safecorridor.errors import ConflictError, InvalidInputError, NotFoundError
from safecorridor.geo import cell_of, polyline_length_km
from safecorridor.registry.models import Route, Site
from safecorridor.registry.schemas import RouteCreate, RouteUpdate, SiteCreate, SiteUpdate
from safecorridor.sharing.audit import audit_reads, audit_write
from safecorridor.sharing.policy import Viewer, require_change, require_write, restrict
from safecorridor.sharing.service import clash, keep_readable_by_writer
from safecorridor.validation import whole_number

SITE_H3_RESOLUTION = 7
#: the most rows a list answers with (the registry of one corridor is far smaller)
MAX_LIST = 5000

T = TypeVar("T", Site, Route)


class LookupFailedError(InvalidInputError):
    """No unique site or route (that the reader may read) matches the reference."""


def kind_of(model: type[Site] | type[Route]) -> str:
    return model.__name__.lower()


def _named(model: type[T], q: Any, search: str | None) -> Any:
    if search:
        q = q.where(func.lower(model.name).contains(search.lower(), autoescape=True))
    return q


def list_records(
    session: Session,
    model: type[T],
    *,
    viewer: Viewer | None,
    search: str | None = None,
    box: tuple[float, float, float, float] | None = None,
    action: str = "list",
) -> list[T]:
    """The sites or routes the reader may read, by name, matching ``search`` (part of the
    name) and, for sites, lying in ``box`` (west, south, east, north); the read is audited."""
    q = _named(model, restrict(select(model), model, viewer), search).order_by(model.name)
    if box is not None and model is Site:
        w, s, e, n = box
        q = q.where(Site.longitude.between(w, e), Site.latitude.between(s, n))
    rows = list(session.scalars(q.limit(MAX_LIST)))
    if viewer is not None:
        audit_reads(session=session, viewer=viewer, objs=rows, action=action)
    return rows


def get_record(
    session: Session,
    model: type[T],
    ident: int,
    *,
    viewer: Viewer | None,
    action: str | None = "read",
) -> T:
    """The site or route if the reader may read it (absence and secrecy look alike); with an
    ``action`` the read is audited under that name."""
    obj = session.scalar(restrict(select(model).where(model.id == ident), model, viewer))
    if obj is None:
        readable = " that you may read" if viewer is not None else ""
        raise NotFoundError(f"no {kind_of(model)} with id {ident}{readable}")
    if viewer is not None and action is not None:
        audit_reads(session=session, viewer=viewer, objs=[obj], action=action)
    return obj


def changeable(session: Session, model: type[T], ident: int, *, viewer: Viewer) -> T:
    """The record if the viewer may change it: a site manager of the owner organisation."""
    kind = kind_of(model)
    require_write(viewer, kind)
    obj = get_record(session, model, ident, viewer=viewer, action=None)
    require_change(viewer, kind, obj.owner_org_id, ident)
    return obj


def find_named(session: Session, model: type[T], ref: str, *, viewer: Viewer | None) -> T:
    """By id (digits), exact name, else unique case-insensitive part of the name (one with a
    letter), among the records the reader may read."""
    what = kind_of(model)
    ref = ref.strip()
    if not ref:
        raise LookupFailedError(f"name the {what}")
    readable = restrict(select(model), model, viewer)
    if (number := whole_number(ref)) is not None:
        obj = session.scalar(readable.where(model.id == number))
        if obj is not None:
            return obj
    scope = " that you may read" if viewer is not None else ""
    exact = list(session.scalars(readable.where(model.name == ref).order_by(model.id).limit(11)))
    if len(exact) > 1 and viewer is not None:  # names are unique per organisation: its own
        own = [o for o in exact if o.owner_org_id == viewer.organisation_id]
        exact = own or exact
    if len(exact) == 1:
        return exact[0]
    if exact:
        named = ", ".join(f"#{o.id}" for o in exact[:10])
        raise LookupFailedError(
            f"several {what}s{scope} are named {ref!r} (each organisation names its own): "
            f"{named}; give the {what}'s id"
        )
    if not any(c.isalpha() for c in ref):
        # a part of a name says a word: "-1" or "10" would take whichever name holds those
        # characters ("N-10 Makran Coastal Highway")
        raise LookupFailedError(
            f"no {what}{scope} has the id or the name {ref!r} (give a {what}'s id, or a "
            "word of its name)"
        )
    found = list(
        session.scalars(
            readable.where(func.lower(model.name).contains(ref.lower(), autoescape=True))
            .order_by(model.name)
            .limit(11)
        )
    )
    if len(found) == 1:
        return found[0]
    if not found:
        raise LookupFailedError(f"no {what}{scope} matches {ref!r}")
    names = ", ".join(o.name for o in found[:10])
    more = " and more" if len(found) > 10 else ""
    raise LookupFailedError(f"several {what}s{scope} match {ref!r}: {names}{more}")


def find_site(session: Session, ref: str, *, viewer: Viewer | None = None) -> Site:
    return find_named(session, Site, ref, viewer=viewer)


def find_route(session: Session, ref: str, *, viewer: Viewer | None = None) -> Route:
    return find_named(session, Route, ref, viewer=viewer)


def _require_new_name(
    session: Session, model: type[T], name: str, owner_org_id: int | None, viewer: Viewer | None
) -> None:
    """Names are unique within an organisation (the CLI and movements look records up by
    name; :func:`find_named` tells same-named records of several organisations apart), and a
    writer is not given a name it can already read on another organisation's record (two
    records it would have to tell apart). A name only on records the writer may not read is
    free: refusing it would tell the writer of them."""
    same = func.lower(model.name) == name.lower()
    found = clash(session, model, same, owner_org_id=owner_org_id, reader=viewer)
    if found is not None:
        what = kind_of(model)
        raise ConflictError(
            f"your organisation has a {what} named {name!r} already; choose another name"
            if found[1]
            else f"a {what} you can read is named {name!r} already; choose another name"
        )


def _created(session: Session, viewer: Viewer | None, obj: Site | Route) -> None:
    session.add(obj)
    session.flush()
    if viewer is not None:
        keep_readable_by_writer(session, viewer, obj)
        audit_write(session=session, viewer=viewer, action="create", obj=obj)


def create_site(
    *, session: Session, site_in: SiteCreate, viewer: Viewer | None, owner_org_id: int | None = None
) -> Site:
    """A site owned by the viewer's organisation (site managers)."""
    if viewer is not None:
        require_write(viewer, "site")
        owner_org_id = viewer.organisation_id
    _require_new_name(session, Site, site_in.name, owner_org_id, viewer)
    data = site_in.model_dump()
    data["tlp"] = str(site_in.tlp)
    data["site_type"] = str(site_in.site_type)
    site = Site(
        **data,
        owner_org_id=owner_org_id,
        personnel_is_illustrative=False,
        h3_cell=cell_of(site_in.latitude, site_in.longitude, SITE_H3_RESOLUTION),
    )
    _created(session, viewer, site)
    return site


def _apply(obj: Site | Route, changes: dict[str, Any], nullable: tuple[str, ...]) -> None:
    """Set ``changes`` (a None is skipped unless the field is in ``nullable``)."""
    for name, value in changes.items():
        if value is None and name not in nullable:
            continue
        setattr(obj, name, str(value) if name == "tlp" else value)


def update_site(*, session: Session, site_id: int, site_in: SiteUpdate, viewer: Viewer) -> Site:
    site = changeable(session, Site, site_id, viewer=viewer)
    _apply(site, site_in.model_dump(exclude_unset=True), nullable=("project", "description"))
    session.flush()
    keep_readable_by_writer(session, viewer, site)
    audit_write(session=session, viewer=viewer, action="update", obj=site)
    return site


def create_route(
    *,
    session: Session,
    route_in: RouteCreate,
    viewer: Viewer | None,
    owner_org_id: int | None = None,
) -> Route:
    """A route owned by the viewer's organisation (site managers)."""
    if viewer is not None:
        require_write(viewer, "route")
        owner_org_id = viewer.organisation_id
    _require_new_name(session, Route, route_in.name, owner_org_id, viewer)
    points = [[lat, lon] for lat, lon in route_in.points]
    route = Route(
        name=route_in.name,
        origin=route_in.origin,
        destination=route_in.destination,
        points=points,
        length_km=round(polyline_length_km(points), 1),
        description=route_in.description,
        source_url=route_in.source_url,
        tlp=str(route_in.tlp),
        owner_org_id=owner_org_id,
    )
    _created(session, viewer, route)
    return route


def update_route(
    *, session: Session, route_id: int, route_in: RouteUpdate, viewer: Viewer
) -> Route:
    """Change a route; new points (validated like a new route's) recompute its length."""
    route = changeable(session, Route, route_id, viewer=viewer)
    changes = route_in.model_dump(exclude_unset=True)
    points = changes.pop("points", None)
    _apply(route, changes, nullable=("origin", "destination", "description"))
    if points is not None:
        route.points = [[float(lat), float(lon)] for lat, lon in points]
        route.length_km = round(polyline_length_km(route.points), 1)
    session.flush()
    keep_readable_by_writer(session, viewer, route)
    audit_write(session=session, viewer=viewer, action="update", obj=route)
    return route


def parse_points(raw: str) -> list[tuple[float, float]]:
    """``lat,lon;lat,lon;...`` (or one pair per line), as a form or a CLI option writes them."""
    out: list[tuple[float, float]] = []
    for n, part in enumerate(raw.replace("\n", ";").split(";"), start=1):
        if not part.strip():
            continue
        try:
            lat, lon = part.split(",")
            out.append((float(lat), float(lon)))
        except ValueError:
            raise InvalidInputError(
                f"field points: point {n} ({part.strip()[:40]!r}) is not lat,lon; write the "
                "points as lat,lon;lat,lon"
            ) from None
    return out
