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
from safecorridor.incidents.models import Route, Site
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


# --- sites ----------------------------------------------------------------------------------


@router.get("/api/v1/sites", response_model=SitesPublic, summary="List sites")
def list_sites(session: SessionDep, viewer: CurrentViewer, search: Search = None) -> SitesPublic:
    """Protected sites you may read, by name."""
    q = _named(Site, restrict(select(Site), Site, viewer), search).order_by(Site.name)
    rows = list(session.scalars(q))
    audit_reads(session=session, viewer=viewer, objs=rows, action="list")
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
    fc = collection(
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
    return Response(
        FeatureCollection.model_validate(fc).model_dump_json(exclude_none=True),
        media_type="application/geo+json",
    )


@router.get(
    "/api/v1/sites/{site_id}",
    response_model=SitePublic,
    summary="Get a site",
    responses=responses(404),
)
def get_site(session: SessionDep, viewer: CurrentViewer, site_id: SiteId) -> SitePublic:
    site = _load(session, viewer, Site, site_id)
    audit_reads(session=session, viewer=viewer, objs=[site])
    return site_public(site)


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
    site = _load(session, viewer, Site, site_id)
    audit_reads(session=session, viewer=viewer, objs=[site], action="risk")
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
    if session.scalar(select(Site.id).where(Site.name == site_in.name)) is not None:
        raise ProblemError(409, f"a site named {site_in.name!r} exists; choose another name")
    data = site_in.model_dump()
    data["tlp"] = str(site_in.tlp)
    data["site_type"] = str(site_in.site_type)
    site = Site(
        **data,
        owner_org_id=viewer.organisation_id,
        personnel_is_illustrative=False,
        h3_cell=cell_of(site_in.latitude, site_in.longitude, SITE_H3_RESOLUTION),
    )
    session.add(site)
    session.flush()
    audit_write(session=session, viewer=viewer, action="create", obj=site)
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
    for name, value in site_in.model_dump(exclude_unset=True).items():
        if value is None and name not in ("project", "description"):
            continue
        setattr(site, name, str(value) if name == "tlp" else value)
    audit_write(session=session, viewer=viewer, action="update", obj=site)
    return site_public(site)


# --- routes ---------------------------------------------------------------------------------


@router.get("/api/v1/routes", response_model=RoutesPublic, summary="List routes")
def list_routes(session: SessionDep, viewer: CurrentViewer, search: Search = None) -> RoutesPublic:
    q = _named(Route, restrict(select(Route), Route, viewer), search).order_by(Route.name)
    rows = list(session.scalars(q))
    audit_reads(session=session, viewer=viewer, objs=rows, action="list")
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
    fc = collection(
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
    return Response(
        FeatureCollection.model_validate(fc).model_dump_json(exclude_none=True),
        media_type="application/geo+json",
    )


@router.get(
    "/api/v1/routes/{route_id}",
    response_model=RoutePublic,
    summary="Get a route",
    responses=responses(404),
)
def get_route(session: SessionDep, viewer: CurrentViewer, route_id: RouteId) -> RoutePublic:
    route = _load(session, viewer, Route, route_id)
    audit_reads(session=session, viewer=viewer, objs=[route])
    return route_public(route)


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
    route = _load(session, viewer, Route, route_id)
    audit_reads(session=session, viewer=viewer, objs=[route], action="risk")
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
    if session.scalar(select(Route.id).where(Route.name == route_in.name)) is not None:
        raise ProblemError(409, f"a route named {route_in.name!r} exists; choose another name")
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
    session.add(route)
    session.flush()
    audit_write(session=session, viewer=viewer, action="create", obj=route)
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
    for name, value in route_in.model_dump(exclude_unset=True).items():
        if value is None and name == "tlp":
            continue
        setattr(route, name, str(value) if name == "tlp" else value)
    audit_write(session=session, viewer=viewer, action="update", obj=route)
    return route_public(route)
