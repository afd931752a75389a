"""Errors as RFC 9457 problem details (``application/problem+json``) with actionable messages."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from safecorridor.errors import ServiceError, describe, http_status
from safecorridor.ops.logs import REQUEST_ID_HEADER, current_request_id

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("safecorridor.api")

TITLES = {
    400: "Bad request",
    401: "Sign-in required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal server error",
    503: "Not ready",
}


class Problem(BaseModel):
    """An RFC 9457 problem: what went wrong and what to do about it (``detail``)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict[str, Any]] | None = None
    request_id: str | None = Field(
        default=None,
        description="The request's id (also in the X-Request-ID header and in every log line "
        "of the request): quote it when reporting the error.",
    )


class ProblemError(Exception):
    """Raise to answer with a problem response."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or TITLES.get(status, "Error")
        self.headers = headers


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    request_id = current_request_id()
    if request_id is not None:
        body["request_id"] = request_id
        # a 500 is sent by the server-error layer outside the request log: it names it here
        headers = {**(headers or {}), REQUEST_ID_HEADER: request_id}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def validation_problem(exc: RequestValidationError) -> JSONResponse:
    """422 with each invalid field named (FastAPI's own request validation)."""
    errors = [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
        for e in exc.errors()
    ]
    return problem(422, describe(exc.errors()), errors=errors)


def service_problem(exc: ServiceError) -> JSONResponse:
    """The problem answer to a service's refusal (the status of ``errors.STATUS``)."""
    status = http_status(exc)
    headers = None
    if exc.retry_after is not None:
        headers = {"Retry-After": str(exc.retry_after)}
    elif status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return problem(status, str(exc), headers=headers, errors=exc.errors)


async def http_problem(_request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own refusals (no such route, a method it does not take) as problems."""
    assert isinstance(exc, StarletteHTTPException)
    detail = str(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":
        detail = "no such endpoint; the API is described at /api/v1/openapi.json"
    if exc.status_code == 405:
        detail = "this endpoint does not accept that method; see /api/v1/openapi.json"
    return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given problem statuses."""
    return {
        code: {"description": TITLES.get(code, "Error"), "content": _problem_content()}
        for code in codes
    }


def install(app: FastAPI) -> None:
    """Answer every error, expected or not, as problem+json."""

    @app.exception_handler(ProblemError)
    async def _problem_error(_request: Request, exc: ProblemError) -> JSONResponse:
        return problem(exc.status, exc.detail, title=exc.title, headers=exc.headers)

    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        return service_problem(exc)

    app.add_exception_handler(StarletteHTTPException, http_problem)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_problem(exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        route = getattr(request.scope.get("route"), "path", None) or "unmatched"
        log.error("unhandled error on %s %s", request.method, route, exc_info=exc)
        return problem(
            500,
            "the server failed to answer this request; it has been logged, try again or "
            "report it with its request id",
        )
