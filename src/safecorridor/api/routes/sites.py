"""/api/v1/sites and /api/v1/routes: the registry, its map layers, and their risk."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safecorridor.api.deps import CurrentViewer, SessionDep, require_writer
from safecorridor.api.geojson import BBOX_HELP, collection, feature, line, parse_bbox, point
from safecorridor.api.problems import ProblemError, responses
from safecorridor.api.routes.risk import AsOf, route_risk_response, site_risk_response
from safecorridor.api.schemas import (
    FeatureCollection,
    RiskPublic,
    RouteCreate,
    RoutePublic,
    RoutesPublic,
    RouteUpdate,
    SiteCreate,
    SitePublic,
    SitesPublic,
    SiteUpdate,
)
from safecorridor.geo import cell_of, polyline_length_km
from safecorridor.registry.models import Route, Site
from safecorridor.sharing.audit import audit_reads, audit_write
from safecorridor.sharing.policy import Viewer, can_change, restrict

router = APIRouter(tags=["sites and routes"], responses=responses(401, 422))

SITE_H3_RESOLUTION = 7
SiteId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RouteId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Search = Annotated[str | None, Query(max_length=300, description="Part of the name.")]


def site_public(s: Site) -> SitePublic:
    return SitePublic.model_validate({k: getattr(s, k) for k in SitePublic.model_fields})


def route_public(r: Route) -> RoutePublic:
    data: dict[str, Any] = {k: getattr(r, k) for k in RoutePublic.model_fields}
    data["points"] = [tuple(p) for p in r.points]
    return RoutePublic.model_validate(data)


def _load(session: Session, viewer: Viewer, model: Any, ident: int) -> Any:
    obj = session.scalar(restrict(select(model).where(model.id == ident), model, viewer))
    if obj is None:
        what = model.__name__.lower()
        raise ProblemError(404, f"no {what} with id {ident} that you may read")
    return obj


def _changeable(session: Session, viewer: Viewer, model: Any, ident: int) -> Any:
    kind = model.__name__.lower()
    require_writer(viewer, kind)
    obj = _load(session, viewer, model, ident)
    if not can_change(viewer, kind, obj.owner_org_id):
        raise ProblemError(
            403, f"{kind} {ident} belongs to another organisation; only its managers change it"
        )
    return obj


def _named(model: Any, q: Any, search: str | None) -> Any:
    if search:
        q = q.where(func.lower(model.name).contains(search.lower(), autoescape=True))
    return q


def _listed(session: Session, viewer: Viewer, model: Any, search: str | None) -> list[Any]:
    """The rows of ``model`` the viewer may read, matching ``search``, by name (audited)."""
    q = _named(model, restrict(select(model), model, viewer), search).order_by(model.name)
    rows = list(session.scalars(q))
    audit_reads(session=session, viewer=viewer, objs=rows, action="list")
    return rows


def _geojson(features: list[dict[str, Any]]) -> Response:
    """A validated GeoJSON FeatureCollection response of ``features``."""
    return Response(
        FeatureCollection.model_validate(collection(features)).model_dump_json(exclude_none=True),
        media_type="application/geo+json",
    )


def _read(session: Session, viewer: Viewer, model: Any, ident: int, action: str = "read") -> Any:
    """:func:`_load`, then audit the read as ``action``."""
    obj = _load(session, viewer, model, ident)
    audit_reads(session=session, viewer=viewer, objs=[obj], action=action)
    return obj


def _require_new_name(session: Session, model: Any, name: str) -> None:
    if session.scalar(select(model.id).where(model.name == name)) is not None:
        what = model.__name__.lower()
        raise ProblemError(409, f"a {what} named {name!r} exists; choose another name")


def _created(session: Session, viewer: Viewer, obj: Any) -> None:
    session.add(obj)
    session.flush()
    audit_write(session=session, viewer=viewer, action="create", obj=obj)


def _updated(
    session: Session, viewer: Viewer, obj: Any, changes: dict[str, Any], nullable: tuple[str, ...]
) -> None:
    """Apply ``changes`` (a None skipped unless the field is in ``nullable``), audited."""
    for name, value in changes.items():
        if value is None and name not in nullable:
            continue
        setattr(obj, name, str(value) if name == "tlp" else value)
    audit_write(session=session, viewer=viewer, action="update", obj=obj)


# --- sites ----------------------------------------------------------------------------------


@router.get("/api/v1/sites", response_model=SitesPublic, summary="List sites")
def list_sites(session: SessionDep, viewer: CurrentViewer, search: Search = None) -> SitesPublic:
    """Protected sites you may read, by name."""
    rows = _listed(session, viewer, Site, search)
    return SitesPublic(data=[site_public(s) for s in rows], count=len(rows))


@router.get(
    "/api/v1/sites.geojson",
    response_model=FeatureCollection,
    summary="Sites as GeoJSON",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def sites_geojson(
    session: SessionDep,
    viewer: CurrentViewer,
    bbox: Annotated[str | None, Query(description=BBOX_HELP)] = None,
) -> Response:
    q = restrict(select(Site), Site, viewer).order_by(Site.name)
    box = parse_bbox(bbox)
    if box:
        w, s, e, n = box
        q = q.where(Site.longitude.between(w, e), Site.latitude.between(s, n))
    rows = list(session.scalars(q))
    audit_reads(session=session, viewer=viewer, objs=rows, action="map")
    return _geojson(
        [
            feature(
                s.id,
                point(s.latitude, s.longitude),
                {
                    "name": s.name,
                    "site_type": s.site_type,
                    "project": s.project,
                    "admin1": s.admin1,
                    "tlp": s.tlp,
                },
            )
            for s in rows
        ]
    )


@router.get(
    "/api/v1/sites/{site_id}",
    response_model=SitePublic,
    summary="Get a site",
    responses=responses(404),
)
def get_site(session: SessionDep, viewer: CurrentViewer, site_id: SiteId) -> SitePublic:
    return site_public(_read(session, viewer, Site, site_id))


@router.get(
    "/api/v1/sites/{site_id}/risk",
    response_model=RiskPublic,
    summary="A site's risk with its explanation",
    responses=responses(404),
)
def get_site_risk(
    session: SessionDep, viewer: CurrentViewer, site_id: SiteId, as_of: AsOf = None
) -> RiskPublic:
    """Threat x vulnerability x exposure, banded, with the incidents that contribute most."""
    site = _read(session, viewer, Site, site_id, action="risk")
    return RiskPublic.model_validate(site_risk_response(session, viewer, site, as_of))


@router.post(
    "/api/v1/sites",
    response_model=SitePublic,
    status_code=201,
    summary="Register a site",
    responses=responses(403, 409),
)
def create_site(session: SessionDep, viewer: CurrentViewer, site_in: SiteCreate) -> SitePublic:
    """A site owned by your organisation (site managers)."""
    require_writer(viewer, "site")
    _require_new_name(session, Site, site_in.name)
    data = site_in.model_dump()
    data["tlp"] = str(site_in.tlp)
    data["site_type"] = str(site_in.site_type)
    site = Site(
        **data,
        owner_org_id=viewer.organisation_id,
        personnel_is_illustrative=False,
        h3_cell=cell_of(site_in.latitude, site_in.longitude, SITE_H3_RESOLUTION),
    )
    _created(session, viewer, site)
    return site_public(site)


@router.patch(
    "/api/v1/sites/{site_id}",
    response_model=SitePublic,
    summary="Update a site",
    responses=responses(403, 404),
)
def update_site(
    session: SessionDep, viewer: CurrentViewer, site_id: SiteId, site_in: SiteUpdate
) -> SitePublic:
    site = _changeable(session, viewer, Site, site_id)
    changes = site_in.model_dump(exclude_unset=True)
    _updated(session, viewer, site, changes, nullable=("project", "description"))
    return site_public(site)


# --- routes ---------------------------------------------------------------------------------


@router.get("/api/v1/routes", response_model=RoutesPublic, summary="List routes")
def list_routes(session: SessionDep, viewer: CurrentViewer, search: Search = None) -> RoutesPublic:
    rows = _listed(session, viewer, Route, search)
    return RoutesPublic(data=[route_public(r) for r in rows], count=len(rows))


@router.get(
    "/api/v1/routes.geojson",
    response_model=FeatureCollection,
    summary="Routes as GeoJSON",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def routes_geojson(session: SessionDep, viewer: CurrentViewer) -> Response:
    rows = list(session.scalars(restrict(select(Route), Route, viewer).order_by(Route.name)))
    audit_reads(session=session, viewer=viewer, objs=rows, action="map")
    return _geojson(
        [
            feature(
                r.id,
                line(r.points),
                {
                    "name": r.name,
                    "origin": r.origin,
                    "destination": r.destination,
                    "length_km": r.length_km,
                    "tlp": r.tlp,
                },
            )
            for r in rows
        ]
    )


@router.get(
    "/api/v1/routes/{route_id}",
    response_model=RoutePublic,
    summary="Get a route",
    responses=responses(404),
)
def get_route(session: SessionDep, viewer: CurrentViewer, route_id: RouteId) -> RoutePublic:
    return route_public(_read(session, viewer, Route, route_id))


@router.get(
    "/api/v1/routes/{route_id}/risk",
    response_model=RiskPublic,
    summary="A route's risk with its explanation",
    responses=responses(404),
)
def get_route_risk(
    session: SessionDep, viewer: CurrentViewer, route_id: RouteId, as_of: AsOf = None
) -> RiskPublic:
    """Max and length-weighted threat along the route, the level, the measures it requires."""
    route = _read(session, viewer, Route, route_id, action="risk")
    return RiskPublic.model_validate(route_risk_response(session, viewer, route, as_of))


@router.post(
    "/api/v1/routes",
    response_model=RoutePublic,
    status_code=201,
    summary="Register a route",
    responses=responses(403, 409),
)
def create_route(session: SessionDep, viewer: CurrentViewer, route_in: RouteCreate) -> RoutePublic:
    require_writer(viewer, "route")
    _require_new_name(session, Route, route_in.name)
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
        owner_org_id=viewer.organisation_id,
    )
    _created(session, viewer, route)
    return route_public(route)


@router.patch(
    "/api/v1/routes/{route_id}",
    response_model=RoutePublic,
    summary="Update a route",
    responses=responses(403, 404),
)
def update_route(
    session: SessionDep, viewer: CurrentViewer, route_id: RouteId, route_in: RouteUpdate
) -> RoutePublic:
    route = _changeable(session, viewer, Route, route_id)
    changes = route_in.model_dump(exclude_unset=True)
    _updated(session, viewer, route, changes, nullable=("origin", "destination", "description"))
    return route_public(route)
