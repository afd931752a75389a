"""The JSON API under /api/v1 (OpenAPI 3.1) and the health checks, mounted on the app by
``safecorridor.app.create_app``.

Every request to the API is signed in (bearer token or session cookie) and every record it
returns has passed the TLP read rules of ``safecorridor.sharing.policy``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from safecorridor.api import problems
from safecorridor.api.problems import Problem, problem
from safecorridor.api.routes import (
    accounts,
    alerts,
    incidents,
    interop,
    jwg,
    metrics,
    movements,
    records,
    review,
    risk,
    sites,
    taxii,
)
from safecorridor.db.engine import is_schema_current
from safecorridor.db.session import get_engine

API_DESCRIPTION = """\
SafeCorridor's JSON API. Sign in with a bearer token (`Authorization: Bearer sc_...`, from
`safecorridor users token EMAIL` or `POST /api/v1/users/me/tokens`) or a web session
(`POST /api/v1/auth/login`, then send `X-CSRF-Token` on writes).

Records are shared by TLP 2.0: CLEAR and GREEN to every signed-in user, AMBER to the owner
organisation and its partners, AMBER+STRICT to the owner organisation, RED to named users.
Errors are RFC 9457 problem details. Map layers are RFC 7946 GeoJSON.
"""

#: the API's routers, the incident list leading (routes are matched in order on every request)
ROUTERS = (
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
    jwg,
    metrics,
)


def install_api(app: FastAPI) -> None:
    """Mount the health checks and the API's routers, and describe problems in the schema."""

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

    for module in ROUTERS:
        app.include_router(module.router)

    original = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema is None:
            schema = original()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components["Problem"] = Problem.model_json_schema()
            # a body that is not JSON at all (bytes that do not decode) answers 400
            for methods in schema.get("paths", {}).values():
                for operation in methods.values():
                    if isinstance(operation, dict) and "requestBody" in operation:
                        operation.setdefault("responses", {}).setdefault(
                            "400", problems.responses(400)[400]
                        )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
