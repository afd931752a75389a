"""Sign-in and sign-out pages.

The sign-in form carries its own CSRF token (a cookie and a hidden field, compared on post);
the check of the password, the rate limits and the audit event are the accounts service's.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from safecorridor.accounts.security import SESSION_COOKIE, same_secret, sign_session
from safecorridor.accounts.service import sign_in
from safecorridor.api.deps import SessionDep, client_address, set_session_cookie
from safecorridor.errors import NotSignedInError, RateLimitedError
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
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="strict", max_age=3600)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return login_page(request, safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=300)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    target = safe_next(next)
    if not same_secret(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        return login_page(request, target, "The form expired; please sign in again.", 403)
    try:
        user = sign_in(
            session=session, email=email, password=password, address=client_address(request)
        )
    except RateLimitedError:
        return login_page(
            request, target, "Too many failed sign-ins; wait a few minutes and try again.", 429
        )
    except NotSignedInError:
        return login_page(request, target, "The e-mail address or the password is wrong.", 401)
    value, _csrf = sign_session(user.id)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, value)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout_submit() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
