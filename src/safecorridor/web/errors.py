"""How the web pages answer a refusal: a page for a browser, a partial for HTMX.

A service's :class:`~safecorridor.errors.ServiceError` becomes the error page with the
service's own message and the status of ``errors.STATUS`` (the API answers the same refusal
with the same status and message as problem+json). :class:`LoginRequiredError` becomes a
redirect to the sign-in page that comes back to where the person was. The titles are marked
with ``N_`` and translated where the page is rendered (a message the catalogue knows is
translated too; any other is shown as the service wrote it).
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from safecorridor.accounts.models import User
from safecorridor.accounts.security import SESSION_COOKIE, read_session
from safecorridor.accounts.sessions import find_session
from safecorridor.api.deps import get_clock
from safecorridor.clock import naive_now
from safecorridor.db.session import session_scope
from safecorridor.errors import ServiceError, http_status
from safecorridor.i18n import N_
from safecorridor.web.templating import is_htmx, render

TITLES = {
    400: N_("Bad request"),
    401: N_("Sign-in required"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    409: N_("Conflict"),
    422: N_("Not valid"),
    429: N_("Too many attempts"),
    503: N_("Busy"),
}


def login_redirect(request: Request) -> Response:
    """To the sign-in page, and back here afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = f"/login?next={quote(target)}"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """The error page (or, for HTMX, the refusal partial) with ``message``."""
    user_id = getattr(request.state, "user_id", None)
    with session_scope() as session:
        user = session.get(User, user_id) if user_id else None
        if is_htmx(request):
            return render(
                request, session, user, "errors/_refusal.html", status_code=status, message=message
            )
        return render(
            request,
            session,
            user,
            "errors/error.html",
            status_code=status,
            status=status,
            title=TITLES.get(status, N_("Error")),
            message=message,
        )


def not_found_page(request: Request, message: str) -> HTMLResponse:
    """The 404 page of an address no route answers: no page dependency has run, so the
    signed-in reader (for the header and their language) is read from the session cookie."""
    sid = read_session(request.cookies.get(SESSION_COOKIE))
    if sid is not None and getattr(request.state, "user_id", None) is None:
        with session_scope() as session:
            live = find_session(session, sid, now=naive_now(get_clock(request)))
            request.state.user_id = live[0].id if live is not None else None
    return error_page(request, 404, message)


def service_page(request: Request, exc: ServiceError) -> Response:
    status = http_status(exc)
    response = error_page(request, status, str(exc))
    if exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response
