"""FastAPI application: JSON API under /api/v1, health checks, a plain index page.

Until sign-in exists (the API issue), the service shows only TLP:CLEAR and TLP:GREEN records:
nothing marked AMBER or stricter leaves the store without an identity to check.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safecorridor import __version__
from safecorridor.db.engine import is_schema_current
from safecorridor.db.session import get_engine, session_scope
from safecorridor.incidents.models import Actor, Incident, Site
from safecorridor.incidents.schemas import IncidentPublic
from safecorridor.incidents.service import (
    IncidentFilter,
    IncidentNotFoundError,
    UnknownActorError,
    count_incidents,
    get_incident,
    list_incidents,
    to_public,
)
from safecorridor.taxonomy.choices import TLP

PUBLIC_TLP = (TLP.CLEAR, TLP.GREEN)
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent.parent / "web" / "templates")


def get_session() -> Iterator[Session]:
    with session_scope() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


def create_app() -> FastAPI:
    app = FastAPI(
        title="SafeCorridor API",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
    )

    @app.exception_handler(HTTPException)
    async def _http_error(_request: Any, exc: HTTPException) -> JSONResponse:
        return _problem(exc.status_code, "Error", str(exc.detail))

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz")
    def readyz() -> JSONResponse:
        try:
            current = is_schema_current(get_engine())
        except Exception as exc:  # the database is unreachable
            return _problem(503, "Not ready", f"database unreachable: {exc.__class__.__name__}")
        if not current:
            return _problem(
                503,
                "Not ready",
                "database schema is not at the latest migration; run `safecorridor init`",
            )
        return JSONResponse({"status": "ready"})

    @app.get("/api/v1/incidents")
    def incidents(
        session: SessionDep,
        since: date | None = None,
        until: date | None = None,
        event_type: Annotated[list[str], Query()] = [],  # noqa: B006
        actor: str | None = None,
        admin1: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        flt = IncidentFilter(
            date_from=since, date_to=until, event_types=event_type, actor=actor, admin1=admin1
        )
        try:
            rows = [i for i in list_incidents(session, flt, limit=None) if i.tlp in PUBLIC_TLP]
        except UnknownActorError as exc:
            raise HTTPException(422, str(exc)) from None
        return {
            "data": [to_public(i).model_dump(mode="json") for i in rows[offset : offset + limit]],
            "count": len(rows),
        }

    @app.get("/api/v1/incidents/{incident_id}")
    def incident(session: SessionDep, incident_id: int) -> IncidentPublic:
        try:
            i = get_incident(session, incident_id)
        except IncidentNotFoundError:
            raise HTTPException(404, f"no incident with id {incident_id}") from None
        if i.tlp not in PUBLIC_TLP:
            raise HTTPException(404, f"no incident with id {incident_id}")
        return to_public(i)

    @app.get("/api/v1/incidents.geojson")
    def incidents_geojson(session: SessionDep) -> dict[str, Any]:
        rows = session.scalars(select(Incident).where(Incident.tlp.in_(PUBLIC_TLP))).all()
        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": i.id,
                    "geometry": {"type": "Point", "coordinates": [i.longitude, i.latitude]},
                    "properties": {
                        "event_date": i.event_date.isoformat(),
                        "event_type": i.event_type,
                        "sub_event_type": i.sub_event_type,
                        "location": i.location,
                        "fatalities": i.fatalities,
                    },
                }
                for i in rows
            ],
        }

    @app.get("/api/v1/sites")
    def sites(session: SessionDep) -> list[dict[str, Any]]:
        rows = session.scalars(
            select(Site).where(Site.tlp.in_(PUBLIC_TLP)).order_by(Site.name)
        ).all()
        return [
            {
                "id": s.id,
                "name": s.name,
                "site_type": s.site_type,
                "latitude": s.latitude,
                "longitude": s.longitude,
                "admin1": s.admin1,
            }
            for s in rows
        ]

    @app.get("/api/v1/actors")
    def actors(session: SessionDep) -> list[dict[str, Any]]:
        rows = session.scalars(select(Actor).order_by(Actor.name)).all()
        return [
            {
                "id": a.id,
                "name": a.name,
                "kind": a.kind,
                "parent_id": a.parent_id,
                "aliases": [x.alias for x in a.aliases],
            }
            for a in rows
        ]

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request, session: SessionDep) -> HTMLResponse:
        recent = [i for i in list_incidents(session, limit=200) if i.tlp in PUBLIC_TLP][:15]
        return TEMPLATES.TemplateResponse(
            request,
            "index.html",
            {
                "n_incidents": count_incidents(session),
                "n_sites": session.scalar(select(func.count()).select_from(Site)) or 0,
                "incidents": recent,
            },
        )

    return app
