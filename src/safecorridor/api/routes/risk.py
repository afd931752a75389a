"""/api/v1/risk: the threat surface as GeoJSON for a bounding box, site and route risk.

Every figure is computed from the incidents the reader may see (``sharing.policy``), so the
surface and the explanations never reveal a record through its contribution.
"""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Query, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor.api.deps import CurrentViewer, SessionDep
from safecorridor.api.geojson import BBOX_HELP, parse_bbox
from safecorridor.api.problems import ProblemError, responses
from safecorridor.api.schemas import FeatureCollection
from safecorridor.clock import Clock, system_clock, today
from safecorridor.geo import EARTH_RADIUS_KM
from safecorridor.incidents.models import Incident
from safecorridor.registry.models import Route, Site
from safecorridor.risk.cache import CachedSurface, incidents_stamp, surfaces
from safecorridor.risk.corridor import Places, world_places
from safecorridor.risk.data import STORE_COLUMNS, IncidentArrays, arrays_of_rows
from safecorridor.risk.policy import Policy, load_policy
from safecorridor.risk.surface import ThreatSurface, compute_surface
from safecorridor.sharing.audit import record_read, sha256_json
from safecorridor.sharing.policy import AUDITED_TLP, Viewer, restrict, visibility_key
from safecorridor.taxonomy.choices import IncidentStatus

router = APIRouter(prefix="/api/v1/risk", tags=["risk"], responses=responses(401, 422))

#: the largest box a surface is computed for (degrees of latitude / longitude)
MAX_BOX_DEGREES = 12.0

_policy: list[Policy] = []


def default_policy() -> Policy:
    if not _policy:
        _policy.append(load_policy(None))
    return _policy[0]


def _pad(box: tuple[float, float, float, float], km: float) -> tuple[float, float, float, float]:
    w, s, e, n = box
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    mid = math.radians(max(abs(s), abs(n)))
    dlon = math.degrees(km / (EARTH_RADIUS_KM * max(math.cos(mid), 1e-6)))
    return (max(w - dlon, -180), max(s - dlat, -90), min(e + dlon, 180), min(n + dlat, 90))


def visible_incidents(
    session: Session,
    viewer: Viewer,
    *,
    as_of: date,
    box: tuple[float, float, float, float] | None,
) -> tuple[IncidentArrays, int]:
    """Confirmed incidents before ``as_of`` in ``box`` that ``viewer`` may read, as arrays
    (the same columns as ``risk.data.read_store``), and how many are AMBER or stricter."""
    arrays, marked = _visible_marked(session, viewer, as_of=as_of, box=box)
    return arrays, int(np.count_nonzero(marked))


def _visible_marked(
    session: Session,
    viewer: Viewer,
    *,
    as_of: date,
    box: tuple[float, float, float, float] | None,
) -> tuple[IncidentArrays, np.ndarray]:
    """:func:`visible_incidents` with the AMBER-or-stricter mask instead of its count."""
    q = select(*STORE_COLUMNS, Incident.tlp).where(
        Incident.status == IncidentStatus.CONFIRMED, Incident.event_date < as_of
    )
    if box is not None:
        w, s, e, n = box
        q = q.where(Incident.longitude.between(w, e), Incident.latitude.between(s, n))
    rows = session.execute(restrict(q, Incident, viewer)).all()
    arrays = arrays_of_rows(rows)
    marked = np.fromiter((r.tlp in AUDITED_TLP for r in rows), dtype=bool, count=len(rows))
    return arrays, marked


def cached_surface(session: Session, viewer: Viewer, *, as_of: date) -> CachedSurface:
    """The surface of every incident ``viewer`` may read, at ``as_of``, from the process's
    cache (``risk.cache``): recomputed only when the incidents or the reader's visibility
    (organisation, partners, grants) change, or for another day or policy."""
    policy = default_policy()
    bind = session.get_bind()
    key = (
        id(bind),
        str(getattr(bind, "url", "")),
        visibility_key(session, Incident, viewer),
        as_of,
        policy.sha256,
    )

    def build() -> CachedSurface:
        incidents, marked = _visible_marked(session, viewer, as_of=as_of, box=None)
        day = np.datetime64(as_of, "D")
        surface = compute_surface(incidents, as_of=day, policy=policy)
        return CachedSurface(surface=surface, marked=marked[incidents.known_at(day)])

    return surfaces.get(key, incidents_stamp(session), build)


def _surface(
    session: Session,
    viewer: Viewer,
    *,
    as_of: date,
    box: tuple[float, float, float, float],
    audit: bool = True,
) -> ThreatSurface:
    policy = default_policy()
    incidents, marked = visible_incidents(
        session, viewer, as_of=as_of, box=_pad(box, policy.kernel_radius_km)
    )
    surface = compute_surface(incidents, as_of=np.datetime64(as_of, "D"), policy=policy)
    # audited after the work, so the database write lock is held for the append only
    if audit:
        _audit_surface(session, viewer, surface, marked, box, as_of)
    return surface


def _audit_surface(
    session: Session,
    viewer: Viewer,
    surface: ThreatSurface,
    marked: int,
    box: tuple[float, float, float, float],
    as_of: date,
) -> None:
    incidents = surface.incidents
    if marked:
        record_read(
            session=session,
            viewer=viewer,
            action="risk",
            record_type="incident",
            details={"amber_or_stricter": marked, "bbox": list(box), "as_of": str(as_of)},
            state=sha256_json(sorted(incidents.ids.tolist())),
        )


def visible_places(session: Session, viewer: Viewer) -> Places:
    """Gazetteer places plus the sites the viewer may read (route segments name them)."""
    policy = default_policy()
    q = restrict(select(Site.name, Site.latitude, Site.longitude), Site, viewer)
    sites = list(session.execute(q).all())
    base = world_places(int(policy.route.get("places_min_population", 15000)))
    return base.plus(
        [s.name for s in sites], [s.latitude for s in sites], [s.longitude for s in sites]
    )


def _as_of(value: date | None, clock: Clock = system_clock) -> date:
    day = value or today(clock)
    if day.year < 1900 or day.year > 2200:
        raise ProblemError(422, f"as_of must be a day between 1900 and 2200 (got {day})")
    return day


AsOf = Annotated[
    date | None, Query(description="Use the incidents known before this day (default: today).")
]


@router.get(
    "/surface.geojson",
    response_model=FeatureCollection,
    summary="Threat surface in a box",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def surface_geojson(
    session: SessionDep,
    viewer: CurrentViewer,
    bbox: Annotated[str, Query(description=BBOX_HELP)],
    as_of: AsOf = None,
    min_threat: Annotated[float, Query(ge=0, le=1e9)] = 0.0,
) -> Response:
    """H3 cells with their threat and level, for the cells whose centre lies in ``bbox``."""
    box = parse_bbox(bbox)
    if box is None:
        raise ProblemError(422, "bbox is required: minLon,minLat,maxLon,maxLat, e.g. 66,24,68.5,26")
    w, s, e, n = box
    if e - w > MAX_BOX_DEGREES or n - s > MAX_BOX_DEGREES:
        raise ProblemError(
            422, f"bbox spans more than {MAX_BOX_DEGREES:g} degrees; ask for a smaller area"
        )
    day = _as_of(as_of)
    policy = default_policy()
    cached = cached_surface(session, viewer, as_of=day)
    surf = cached.surface
    # the incidents that reach the box: those within the kernel's radius of it
    count, marked, state = cached.incidents_in(_pad(box, policy.kernel_radius_km))
    features = ",".join(cached.feature_json(int(i)) for i in cached.cells_in(box, min_threat))
    properties = {
        "as_of": str(surf.as_of),
        "resolution": surf.resolution,
        "policy_version": policy.version,
        "policy_sha256": surf.policy_hash,
        "incidents": count,
    }
    body = (
        '{"type":"FeatureCollection","features":['
        + features
        + '],"bbox":'
        + json.dumps([w, s, e, n])
        + ',"properties":'
        + json.dumps(properties, separators=(",", ":"), ensure_ascii=False)
        + "}"
    )
    if marked:  # last, and committed before the response leaves
        record_read(
            session=session,
            viewer=viewer,
            action="risk",
            record_type="incident",
            details={"amber_or_stricter": marked, "bbox": list(box), "as_of": str(day)},
            state=state,
        )
    return Response(body, media_type="application/geo+json")


def site_risk_response(
    session: Session, viewer: Viewer, site: Site, as_of: date | None
) -> dict[str, Any]:
    from safecorridor.risk.scoring import score_site

    day = _as_of(as_of)
    box = (site.longitude, site.latitude, site.longitude, site.latitude)
    surf = _surface(session, viewer, as_of=day, box=box)
    risk = score_site(surf, site)
    return {
        "kind": "site",
        "id": site.id,
        "name": site.name,
        "as_of": day,
        "level": str(risk.level),
        "score": risk.score,
        "explanation": risk.explain(),
        "details": risk.to_dict(),
    }


def route_risk_response(
    session: Session, viewer: Viewer, route: Route, as_of: date | None
) -> dict[str, Any]:
    from safecorridor.risk.corridor import score_route

    day = _as_of(as_of)
    lats = [p[0] for p in route.points]
    lons = [p[1] for p in route.points]
    box = (min(lons), min(lats), max(lons), max(lats))
    surf = _surface(session, viewer, as_of=day, box=box)
    risk = score_route(surf, route, places=visible_places(session, viewer))
    return {
        "kind": "route",
        "id": route.id,
        "name": route.name,
        "as_of": day,
        "level": str(risk.level),
        "score": risk.score,
        "explanation": risk.explain(),
        "details": risk.to_dict(),
    }
