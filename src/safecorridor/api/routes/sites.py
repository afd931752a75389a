"""/api/v1/sites and /api/v1/routes: the registry, its map layers, and their risk.

Thin over ``registry.service`` (reads, names, writes, ownership, audit) and ``risk.service``
(figures from what the reader may read).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from safecorridor.api.deps import AsOf, ClockDep, CurrentViewer, SessionDep
from safecorridor.api.geojson import BBOX_HELP, collection, feature, line, parse_bbox, point
from safecorridor.api.problems import responses
from safecorridor.api.schemas import FeatureCollection, RiskPublic
from safecorridor.registry import service as registry
from safecorridor.registry.models import Route, Site
from safecorridor.registry.schemas import (
    RouteCreate,
    RoutePublic,
    RoutesPublic,
    RouteUpdate,
    SiteCreate,
    SitePublic,
    SitesPublic,
    SiteUpdate,
    route_public,
    site_public,
)
from safecorridor.risk import service as risk

router = APIRouter(tags=["sites and routes"], responses=responses(401, 422))

SiteId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RouteId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Search = Annotated[str | None, Query(max_length=300, description="Part of the name.")]


def _geojson(features: list[dict[str, Any]]) -> Response:
    """A validated GeoJSON FeatureCollection response of ``features``."""
    return Response(
        FeatureCollection.model_validate(collection(features)).model_dump_json(exclude_none=True),
        media_type="application/geo+json",
    )


# --- sites ----------------------------------------------------------------------------------


@router.get("/api/v1/sites", response_model=SitesPublic, summary="List sites")
def list_sites(session: SessionDep, viewer: CurrentViewer, search: Search = None) -> SitesPublic:
    """Protected sites you may read, by name."""
    rows = registry.list_records(session, Site, viewer=viewer, search=search)
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
    rows = registry.list_records(session, Site, viewer=viewer, box=parse_bbox(bbox), action="map")
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
    return site_public(registry.get_record(session, Site, site_id, viewer=viewer))


@router.get(
    "/api/v1/sites/{site_id}/risk",
    response_model=RiskPublic,
    summary="A site's risk with its explanation",
    responses=responses(404),
)
def get_site_risk(
    session: SessionDep,
    viewer: CurrentViewer,
    clock: ClockDep,
    site_id: SiteId,
    as_of: AsOf = None,
) -> RiskPublic:
    """Threat x vulnerability x exposure, banded, with the incidents that contribute most."""
    site = registry.get_record(session, Site, site_id, viewer=viewer, action="risk")
    figure = risk.record_risk(session, viewer, site, as_of=risk.as_of_day(as_of, clock))
    return RiskPublic.model_validate(figure.as_dict())


@router.post(
    "/api/v1/sites",
    response_model=SitePublic,
    status_code=201,
    summary="Register a site",
    responses=responses(403, 409),
)
def create_site(session: SessionDep, viewer: CurrentViewer, site_in: SiteCreate) -> SitePublic:
    """A site owned by your organisation (site managers)."""
    return site_public(registry.create_site(session=session, site_in=site_in, viewer=viewer))


@router.patch(
    "/api/v1/sites/{site_id}",
    response_model=SitePublic,
    summary="Update a site",
    responses=responses(403, 404),
)
def update_site(
    session: SessionDep, viewer: CurrentViewer, site_id: SiteId, site_in: SiteUpdate
) -> SitePublic:
    site = registry.update_site(session=session, site_id=site_id, site_in=site_in, viewer=viewer)
    return site_public(site)


# --- routes ---------------------------------------------------------------------------------


@router.get("/api/v1/routes", response_model=RoutesPublic, summary="List routes")
def list_routes(session: SessionDep, viewer: CurrentViewer, search: Search = None) -> RoutesPublic:
    rows = registry.list_records(session, Route, viewer=viewer, search=search)
    return RoutesPublic(data=[route_public(r) for r in rows], count=len(rows))


@router.get(
    "/api/v1/routes.geojson",
    response_model=FeatureCollection,
    summary="Routes as GeoJSON",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def routes_geojson(session: SessionDep, viewer: CurrentViewer) -> Response:
    rows = registry.list_records(session, Route, viewer=viewer, action="map")
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
    return route_public(registry.get_record(session, Route, route_id, viewer=viewer))


@router.get(
    "/api/v1/routes/{route_id}/risk",
    response_model=RiskPublic,
    summary="A route's risk with its explanation",
    responses=responses(404),
)
def get_route_risk(
    session: SessionDep,
    viewer: CurrentViewer,
    clock: ClockDep,
    route_id: RouteId,
    as_of: AsOf = None,
) -> RiskPublic:
    """Max and length-weighted threat along the route, the level, the measures it requires."""
    route = registry.get_record(session, Route, route_id, viewer=viewer, action="risk")
    figure = risk.record_risk(session, viewer, route, as_of=risk.as_of_day(as_of, clock))
    return RiskPublic.model_validate(figure.as_dict())


@router.post(
    "/api/v1/routes",
    response_model=RoutePublic,
    status_code=201,
    summary="Register a route",
    responses=responses(403, 409),
)
def create_route(session: SessionDep, viewer: CurrentViewer, route_in: RouteCreate) -> RoutePublic:
    return route_public(registry.create_route(session=session, route_in=route_in, viewer=viewer))


@router.patch(
    "/api/v1/routes/{route_id}",
    response_model=RoutePublic,
    summary="Update a route",
    responses=responses(403, 404),
)
def update_route(
    session: SessionDep, viewer: CurrentViewer, route_id: RouteId, route_in: RouteUpdate
) -> RoutePublic:
    """Change a route; new ``points`` are checked as a new route's are and set its length."""
    route = registry.update_route(
        session=session, route_id=route_id, route_in=route_in, viewer=viewer
    )
    return route_public(route)
