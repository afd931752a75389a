"""How the web pages answer a refusal: a page for a browser, a partial for HTMX.

A service's :class:`~safecorridor.errors.ServiceError` becomes the error page with the
service's own message and the status of ``errors.STATUS`` (the API answers the same refusal
with the same status and message as problem+json). :class:`LoginRequiredError` becomes a
redirect to the sign-in page that comes back to where the person was. The titles are marked
with ``N_`` and translated where the page is rendered (a message the catalogue knows is
translated too; any other is shown as the service wrote it).

The sign-in brings a person back to a page, never to the address of a button: a POST (or an
HTMX request) that met an ended session returns, after the sign-in, to the page it was sent
from (``HX-Current-URL`` or ``Referer``, on this site and routed to a page), else to the map.

The routers of the pages use :class:`PageRoute`: a browser asking a page's address with a
method it does not take (``GET /logout``, the address of an approve button opened after a
sign-in), or meeting an HTTP error or an unexpected failure in a page, gets the error page
(or the HTMX refusal partial) rather than the API's problem+json.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from safecorridor.accounts.models import User
from safecorridor.accounts.security import SESSION_COOKIE, read_session
from safecorridor.accounts.sessions import find_session
from safecorridor.api.deps import get_clock
from safecorridor.api.problems import ProblemError
from safecorridor.clock import naive_now
from safecorridor.db.session import session_scope
from safecorridor.errors import ServiceError, http_status
from safecorridor.i18n import N_
from safecorridor.ops.logs import current_request_id
from safecorridor.web.templating import is_htmx, render

log = logging.getLogger("safecorridor.web")

TITLES = {
    400: N_("Bad request"),
    401: N_("Sign-in required"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Bad request"),
    409: N_("Conflict"),
    422: N_("Not valid"),
    429: N_("Too many attempts"),
    500: N_("Error"),
    503: N_("Busy"),
}

#: a page's address asked with a method it does not take: what a button does, opened as a page
#: (``GET /logout``, ``GET /movements/2/approve``), or a page posted to
NOT_A_PAGE = (
    "{path} is what a button of a page does, not a page to open: go back to the page "
    "(the map, or the record you were on) and use the button there"
)
WRONG_METHOD = "{path} does not take a {method} request; reload the page and try again"
#: an unexpected failure of a page (logged with the request's id)
FAILED = (
    "the server failed to answer this request; it has been logged: go back and try again, "
    "or report it with its request id ({request_id})"
)
#: addresses the sign-in never returns to: not pages (the API, the static files), or the
#: sign-in and sign-out themselves
NOT_RETURNED_TO = ("/api/", "/static/", "/taxii2/")
NOT_RETURNED_TO_EXACT = ("/login", "/logout")


def wants_page(request: Request) -> bool:
    """A browser's request for a page: outside ``/api/``, from HTMX or accepting HTML (an API
    client, or ``curl`` with its ``*/*``, keeps the problem+json answer)."""
    accept = request.headers.get("accept", "").lower()
    api = request.url.path.startswith("/api/")
    return not api and (is_htmx(request) or "text/html" in accept)


def is_page(request: Request, path: str) -> bool:
    """Whether ``path`` (no query) is an address of this app a browser may open: a GET route
    of the pages (not the API, the static files, the sign-in or sign-out, nor the address of
    a button, which takes POST only)."""
    if (
        not path.startswith("/")
        or path.startswith("//")
        or "\\" in path
        or any(ord(c) < 32 or ord(c) == 127 for c in path)
        or path.startswith(NOT_RETURNED_TO)
        or path in NOT_RETURNED_TO_EXACT
    ):
        return False
    scope = {"type": "http", "path": path, "root_path": "", "method": "GET"}
    router = getattr(request.app, "router", None)
    routes = getattr(router, "routes", ())
    return any(route.matches(scope)[0] == Match.FULL for route in routes)


def page_address(request: Request, value: str | None) -> str | None:
    """``value`` (a URL, or a path with its query) as the path and query of a page of this
    app, if it is one on this site (:func:`is_page`); else None. A full URL must be of this
    host (the Host the request came to), http or https."""
    if not value or len(value) > 2000:
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https"):
            return None
        if parts.netloc.lower() != request.url.netloc.lower():
            return None
    if not is_page(request, parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def came_from(request: Request) -> str:
    """The page the person was on when they sent ``request``: HTMX's ``HX-Current-URL``, else
    the ``Referer``, when it is a page of this site; else the map."""
    for header in ("HX-Current-URL", "Referer"):
        found = page_address(request, request.headers.get(header))
        if found is not None:
            return found
    return "/"


def login_redirect(request: Request) -> Response:
    """To the sign-in page, and back afterwards: to this page when a browser opened it
    (a GET), else to the page the request came from (a button's POST, an HTMX request for a
    part of a page): never to the address of a button, which is no page to open."""
    if request.method in ("GET", "HEAD") and not is_htmx(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        target = came_from(request)
    url = f"/login?next={quote(target)}"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def error_page(
    request: Request, status: int, message: str, *, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """The error page (or, for HTMX, the refusal partial) with ``message``."""
    user_id = getattr(request.state, "user_id", None)
    with session_scope() as session:
        user = session.get(User, user_id) if user_id else None
        if is_htmx(request):
            return render(
                request,
                session,
                user,
                "errors/_refusal.html",
                status_code=status,
                headers=headers,
                message=message,
            )
        return render(
            request,
            session,
            user,
            "errors/error.html",
            status_code=status,
            headers=headers,
            status=status,
            title=TITLES.get(status, N_("Error")),
            message=message,
        )


def _signed_in_reader(request: Request) -> None:
    """Note the signed-in reader (for the header and their language) from the session cookie
    when no page dependency has (an address no route answers, a method it does not take)."""
    sid = read_session(request.cookies.get(SESSION_COOKIE))
    if sid is not None and getattr(request.state, "user_id", None) is None:
        with session_scope() as session:
            live = find_session(session, sid, now=naive_now(get_clock(request)))
            request.state.user_id = live[0].id if live is not None else None


def http_error_page(
    request: Request, status: int, message: str, *, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """The error page of an HTTP refusal the services did not make (no such address, a method
    the address does not take), with the signed-in reader's header."""
    _signed_in_reader(request)
    return error_page(request, status, message, headers=headers)


def not_found_page(request: Request, message: str) -> HTMLResponse:
    """The 404 page of an address no route answers: no page dependency has run, so the
    signed-in reader (for the header and their language) is read from the session cookie."""
    return http_error_page(request, 404, message)


def method_page(request: Request, methods: set[str] | None) -> HTMLResponse:
    """405: a page's address asked with a method it does not take."""
    allowed = sorted(methods or ())
    path = request.url.path[:200]
    if "GET" in allowed:
        message = WRONG_METHOD.format(path=path, method=request.method[:20])
    else:
        message = NOT_A_PAGE.format(path=path)
    return http_error_page(request, 405, message, headers={"Allow": ", ".join(allowed)})


def service_page(request: Request, exc: ServiceError) -> Response:
    status = http_status(exc)
    response = error_page(request, status, str(exc))
    if exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _handled_elsewhere(request: Request, exc: Exception) -> bool:
    """Whether the app has a handler of its own for ``exc`` (a service's refusal, a sign-in
    to ask for, a busy database): anything but the catch-all of unexpected failures."""
    handlers = getattr(request.app, "exception_handlers", {})
    return any(kind in handlers for kind in type(exc).__mro__ if kind is not Exception)


class PageRoute(APIRoute):
    """The route of a web page: a browser (:func:`wants_page`) gets the error page for a
    method the address does not take (405, with ``Allow``), for an HTTP error raised in the
    page (a form too big to parse) and for an unexpected failure (500, logged); an API
    client keeps the problem+json answer. A service's refusal and a missing sign-in go to
    the app's own handlers, as before."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods:
            request = Request(scope, receive)
            if wants_page(request):
                response = await run_in_threadpool(method_page, request, self.methods)
                await response(scope, receive, send)
                return
        await super().handle(scope, receive, send)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except StarletteHTTPException as exc:
                if not wants_page(request):
                    raise
                return await run_in_threadpool(
                    http_error_page,
                    request,
                    exc.status_code,
                    str(exc.detail),
                    headers=dict(exc.headers or {}),
                )
            except ProblemError as exc:
                if not wants_page(request):
                    raise
                return await run_in_threadpool(
                    http_error_page, request, exc.status, exc.detail, headers=exc.headers
                )
            except Exception as exc:
                if not wants_page(request) or _handled_elsewhere(request, exc):
                    raise
                route = getattr(request.scope.get("route"), "path", None) or self.path
                log.error("unhandled error on %s %s", request.method, route, exc_info=exc)
                message = FAILED.format(request_id=current_request_id() or "unknown")
                try:
                    return await run_in_threadpool(error_page, request, 500, message)
                except Exception:
                    raise exc from None

        return page_handler
