"""FastAPI application: the JSON API under /api/v1 (OpenAPI 3.1), health checks, HTML pages.

Every request to the API is signed in (bearer token or session cookie) and every record it
returns has passed the TLP read rules of ``safecorridor.sharing.policy``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from safecorridor import __version__
from safecorridor.api import problems
from safecorridor.api.problems import Problem, problem
from safecorridor.api.routes import (
    accounts,
    alerts,
    incidents,
    interop,
    movements,
    pages,
    records,
    review,
    risk,
    sites,
    taxii,
)
from safecorridor.clock import Clock, system_clock
from safecorridor.db.engine import is_schema_current
from safecorridor.db.session import get_engine
from safecorridor.sharing.audit import stop_audit_writer
from safecorridor.web import routes as web

DESCRIPTION = """\
SafeCorridor's JSON API. Sign in with a bearer token (`Authorization: Bearer sc_...`, from
`safecorridor users token EMAIL` or `POST /api/v1/users/me/tokens`) or a web session
(`POST /api/v1/auth/login`, then send `X-CSRF-Token` on writes).

Records are shared by TLP 2.0: CLEAR and GREEN to every signed-in user, AMBER to the owner
organisation and its partners, AMBER+STRICT to the owner organisation, RED to named users.
Errors are RFC 9457 problem details. Map layers are RFC 7946 GeoJSON.
"""


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    yield
    stop_audit_writer()  # commits any read event still queued, ends the writer thread


def create_app(*, clock: Clock | None = None) -> FastAPI:
    """The app; ``clock`` tells it the time (the system's unless a test fixes it)."""
    app = FastAPI(
        lifespan=lifespan,
        title="SafeCorridor API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.clock = clock or system_clock
    problems.install(app)

    @app.get("/healthz", tags=["health"], summary="Liveness")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        summary="Readiness: database reachable, migrations current",
        responses=problems.responses(503),
    )
    def readyz() -> JSONResponse:
        try:
            current = is_schema_current(get_engine())
        except Exception as exc:  # the database is unreachable
            return problem(503, f"database unreachable: {exc.__class__.__name__}")
        if not current:
            return problem(
                503, "database schema is not at the latest migration; run `safecorridor init`"
            )
        return JSONResponse({"status": "ready"})

    # the JSON API first (under /api/v1: no path in common with the pages), the incident list
    # leading, as routes are matched in order on every request; then the web UI, which takes
    # over "/" and "/login" from the public pages
    for module in (
        incidents,
        sites,
        risk,
        records,
        review,
        accounts,
        movements,
        alerts,
        interop,
        taxii,
    ):
        app.include_router(module.router)
    web.install(app)
    app.include_router(pages.router)

    original = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema is None:
            schema = original()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components["Problem"] = Problem.model_json_schema()
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
