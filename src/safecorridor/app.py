"""The app factory: one FastAPI application with both faces, the JSON API under ``/api/v1``
and the web pages, over the same services.

Each face answers a service's refusal in its own way (``errors.STATUS`` gives both the same
status): requests under ``/api/`` get RFC 9457 problem+json, pages get an HTML page or an HTMX
partial, and a page that needs a signed-in user redirects to the sign-in page. An address no
route answers is a problem too, unless a browser asks for it outside ``/api/``: then it is the
translated 404 page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from safecorridor import __version__
from safecorridor.api import problems
from safecorridor.api.app import API_DESCRIPTION, install_api
from safecorridor.clock import Clock, system_clock
from safecorridor.db.session import get_engine
from safecorridor.errors import BusyError, ServiceError, describe
from safecorridor.headers import SecurityHeaders
from safecorridor.i18n import N_
from safecorridor.limits import BodyLimit
from safecorridor.ops.logs import RequestLog, configure_logging
from safecorridor.ops.metrics import RequestMetrics
from safecorridor.ops.running import SERVER, in_use
from safecorridor.settings import get_settings
from safecorridor.sharing.audit import stop_audit_writer
from safecorridor.web import errors as web_errors
from safecorridor.web.deps import LoginRequiredError
from safecorridor.web.pages import ROUTERS
from safecorridor.web.templating import HERE as WEB_HERE
from safecorridor.web.templating import is_htmx

API_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SafeCorridor API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui" data-spec="/api/v1/openapi.json"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/js/api-docs.js"></script></body></html>
"""


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def wants_page(request: Request) -> bool:
    """A browser's request for a page: outside ``/api/``, from HTMX or accepting HTML (an API
    client, or ``curl`` with its ``*/*``, keeps the problem+json answer)."""
    accept = request.headers.get("accept", "").lower()
    return not is_api(request) and (is_htmx(request) or "text/html" in accept)


#: what a browser is told of an address that is no page (translated where it is rendered)
NO_SUCH_PAGE = N_("There is no page at this address; check it, or start again from the map.")


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # the database's in-use lock: `safecorridor restore` refuses while it is held, and a
    # server that starts during a restore waits for its end (ops/running.py)
    with in_use(get_engine(), SERVER):
        yield
        stop_audit_writer()  # commits any read event still queued, ends the writer thread


def create_app(*, clock: Clock | None = None) -> FastAPI:
    """The application; ``clock`` tells it the time (the system's unless a test fixes it)."""
    app = FastAPI(
        lifespan=lifespan,
        title="SafeCorridor API",
        version=__version__,
        description=API_DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served below from the vendored Swagger UI (no CDN, no inline script)
        redoc_url=None,
    )
    app.state.clock = clock or system_clock
    settings = get_settings()
    # every serve process builds the app (uvicorn's workers too): each logs the same way
    configure_logging(settings.log_format, settings.log_level)
    app.add_middleware(BodyLimit, ingest_max_bytes=settings.ingest_max_bytes)
    app.add_middleware(SecurityHeaders, settings=settings)
    app.add_middleware(RequestMetrics)  # the latency includes every inner layer
    app.add_middleware(RequestLog)  # outermost: the request id covers every layer's logs
    problems.install(app)

    @app.get("/api/v1/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(API_DOCS_PAGE)

    @app.exception_handler(ServiceError)
    async def _refused(request: Request, exc: ServiceError) -> Response:
        if is_api(request):
            return problems.service_problem(exc)
        return web_errors.service_page(request, exc)

    @app.exception_handler(OperationalError)
    async def _database(request: Request, exc: OperationalError) -> Response:
        """A write lock held too long (SQLite) or a lost connection: 503, try again."""
        if "locked" not in str(exc).lower() and "could not" not in str(exc).lower():
            raise exc
        busy = BusyError("the database is busy; try again in a few seconds", retry_after=2)
        if is_api(request):
            return problems.service_problem(busy)
        return web_errors.service_page(request, busy)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        """An unknown address asked for by a browser: the translated error page."""
        if exc.status_code == 404 and exc.detail == "Not Found" and wants_page(request):
            return web_errors.not_found_page(request, NO_SUCH_PAGE)
        return await problems.http_problem(request, exc)

    @app.exception_handler(LoginRequiredError)
    async def _login(request: Request, _exc: LoginRequiredError) -> Response:
        return web_errors.login_redirect(request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if is_api(request):
            return problems.validation_problem(exc)
        return web_errors.error_page(request, 422, describe(exc.errors()))

    # the JSON API first (its paths share nothing with the pages), then the web pages
    install_api(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=WEB_HERE / "static"), name="static")
    return app


__all__ = ["JSONResponse", "create_app"]
