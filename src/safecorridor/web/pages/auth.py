"""Sign-in and sign-out pages.

The sign-in form carries its own CSRF token (a cookie and a hidden field, compared on post);
the check of the password, the rate limits and the audit event are the accounts service's.
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
from safecorridor.accounts.service import sign_in, sign_out
from safecorridor.api.deps import ClockDep, SessionDep, client_address, set_session_cookie
from safecorridor.clock import naive_now
from safecorridor.errors import NotSignedInError, RateLimitedError
from safecorridor.i18n import N_
from safecorridor.settings import get_settings
from safecorridor.web.templating import TEMPLATES, request_locale

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE = "sc_login_csrf"


def safe_next(value: str | None) -> str:
    """Only a path on this site ("/..."), never another host ("//host", "https://...")."""
    return value if value and value.startswith("/") and not value.startswith("//") else "/"


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
    return login_page(request, safe_next(next))


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
    target = safe_next(next)
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
