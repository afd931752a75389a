"""Sign-in and sign-out pages.

The sign-in form carries its own CSRF token (a cookie and a hidden field, compared on post);
the check of the password, the rate limits and the audit event are the accounts service's.
After the sign-in the browser goes to ``next`` when it is a page of this site, else the map.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from safecorridor.accounts.security import (
    DEVICE_COOKIE,
    SESSION_COOKIE,
    read_session,
    same_secret,
    sign_session,
)
from safecorridor.accounts.service import DeactivatedAccountError, sign_in, sign_out
from safecorridor.api.deps import ClockDep, SessionDep, client_address, set_session_cookie
from safecorridor.clock import naive_now
from safecorridor.errors import NotSignedInError, RateLimitedError
from safecorridor.i18n import N_
from safecorridor.settings import get_settings
from safecorridor.web.errors import PageRoute, page_address
from safecorridor.web.templating import TEMPLATES, request_locale

router = APIRouter(include_in_schema=False, route_class=PageRoute)

LOGIN_CSRF_COOKIE = "sc_login_csrf"


def safe_next(request: Request, value: str | None) -> str:
    """Where the sign-in goes next: a page of this site ("/..." routed to a page), never
    another host ("//host", "/\\host", "https://..."), nor the address of a button (a
    POST-only ``/movements/2/approve`` answers a browser's GET with 405); else the map."""
    if not value or not value.startswith("/"):
        return "/"
    return page_address(request, value) or "/"


def login_page(
    request: Request, next_url: str, message: str = "", status_code: int = 200
) -> HTMLResponse:
    csrf = secrets.token_urlsafe(24)
    response = TEMPLATES.TemplateResponse(
        request,
        "auth/login.html",
        {
            "login_csrf": csrf,
            "message": message,
            "next": next_url,
            "user": None,
            "locale": request_locale(request, None),
            "path": request.url.path,
        },
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        csrf,
        httponly=True,
        samesite="strict",
        max_age=3600,
        secure=get_settings().environment == "production",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return login_page(request, safe_next(request, next))


@router.post("/login")
def login_submit(
    request: Request,
    session: SessionDep,
    clock: ClockDep,
    email: Annotated[str, Form(max_length=300)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    target = safe_next(request, next)
    if not same_secret(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        return login_page(request, target, N_("The form expired; please sign in again."), 403)
    try:
        signed = sign_in(
            session=session,
            email=email,
            password=password,
            address=client_address(request),
            now=naive_now(clock),
            device=request.cookies.get(DEVICE_COOKIE),
        )
    except RateLimitedError:
        return login_page(
            request, target, N_("Too many failed sign-ins; wait a few minutes and try again."), 429
        )
    except DeactivatedAccountError:
        # said only after the password matched: it tells nothing to whoever does not know it
        return login_page(
            request,
            target,
            N_(
                "This account is deactivated; ask an administrator of your organisation to "
                "reactivate it."
            ),
            401,
        )
    except NotSignedInError:
        return login_page(request, target, N_("The e-mail address or the password is wrong."), 401)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, sign_session(signed.session_id), signed.device)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout_submit(request: Request, session: SessionDep, clock: ClockDep) -> Response:
    """End the session on the server, then drop the cookie."""
    sign_out(
        session=session,
        session_id=read_session(request.cookies.get(SESSION_COOKIE)),
        now=naive_now(clock),
    )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
