"""The situation map (and, for anonymous visitors, the public TLP:CLEAR index), its risk
levels and its timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import func, select

from safecorridor.api.deps import ClockDep, OptionalUser, SessionDep
from safecorridor.clock import today
from safecorridor.incidents.service import count_incidents, list_incidents
from safecorridor.incidents.timeline import timeline
from safecorridor.registry import service as registry
from safecorridor.registry.models import Route, Site
from safecorridor.risk import service as risk
from safecorridor.sharing.policy import Viewer, restrict
from safecorridor.web.deps import PageViewer
from safecorridor.web.errors import PageRoute
from safecorridor.web.filters import WebFilter, filter_choices
from safecorridor.web.templating import TEMPLATES, render, request_locale

router = APIRouter(include_in_schema=False, route_class=PageRoute)


@router.get("/", response_class=HTMLResponse)
def map_page(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    """The situation map for signed-in users; the public index for anonymous visitors."""
    if user is None:
        anonymous = Viewer.anonymous()
        n_sites = session.scalar(restrict(select(func.count()).select_from(Site), Site, anonymous))
        return TEMPLATES.TemplateResponse(
            request,
            "index.html",
            {
                "n_incidents": count_incidents(session, viewer=anonymous),
                "n_sites": n_sites or 0,
                "incidents": list_incidents(session, limit=15, viewer=anonymous),
                "locale": request_locale(request, None),
            },
        )
    viewer = Viewer.of(user)
    request.state.user_id = user.id
    return render(request, session, user, "map/index.html", **filter_choices(session, viewer))


@router.get("/map/risk.json")
def map_risk(session: SessionDep, viewer: PageViewer, clock: ClockDep) -> Response:
    """The level and score of every readable site and route (one surface for all)."""
    sites = registry.list_records(session, Site, viewer=viewer, action="map")
    routes = registry.list_records(session, Route, viewer=viewer, action="map")
    levels = risk.registry_levels(session, viewer, as_of=today(clock), sites=sites, routes=routes)
    return JSONResponse(
        {
            kind: {
                ident: {"level": level, "score": score} for ident, (level, score) in rows.items()
            }
            for kind, rows in levels.items()
        }
    )


@router.get("/timeline.json")
def timeline_json(
    session: SessionDep,
    viewer: PageViewer,
    flt: WebFilter,
    granularity: Annotated[str, Query(pattern="^(week|month)$")] = "month",
) -> Response:
    """Incidents per week or month by type, with fatalities and foreign fatalities."""
    return JSONResponse(
        timeline(session, viewer, flt, "week" if granularity == "week" else "month")
    )
