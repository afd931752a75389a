"""HTML pages until the web UI lands: the index (public view or yours) and a sign-in form."""

from __future__ import annotations

import html
import secrets
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select

from safecorridor.accounts.security import SESSION_COOKIE, same_secret, sign_session
from safecorridor.api.deps import OptionalUser, SessionDep
from safecorridor.api.routes.accounts import login_user, set_session_cookie
from safecorridor.incidents.models import Site
from safecorridor.incidents.service import count_incidents, list_incidents
from safecorridor.sharing.audit import audit_reads
from safecorridor.sharing.policy import Viewer, restrict

router = APIRouter(include_in_schema=False)

TEMPLATES = Jinja2Templates(directory=Path(__file__).parents[2] / "web" / "templates")
LOGIN_CSRF_COOKIE = "sc_login_csrf"

LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - SafeCorridor</title>
<style>body{{font-family:system-ui,sans-serif;margin:3rem auto;max-width:22rem}}
label,input,button{{display:block;width:100%;margin:.4rem 0}}.err{{color:#a00}}</style></head>
<body><h1>SafeCorridor</h1>{message}
<form method="post" action="/login">
<input type="hidden" name="csrf_token" value="{csrf}">
<label>E-mail <input name="email" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password"
 required></label>
<button type="submit">Sign in</button></form></body></html>
"""


@router.get("/", response_class=HTMLResponse)
def index(request: Request, session: SessionDep, user: OptionalUser) -> HTMLResponse:
    """The public (TLP:CLEAR) view to anonymous visitors; signed-in users see theirs."""
    viewer = Viewer.of(user) if user else Viewer.anonymous()
    recent = list_incidents(session, limit=15, viewer=viewer)
    if user:
        audit_reads(session=session, viewer=viewer, objs=recent, action="list")
    n_sites = session.scalar(restrict(select(func.count()).select_from(Site), Site, viewer))
    return TEMPLATES.TemplateResponse(
        request,
        "index.html",
        {
            "n_incidents": count_incidents(session, viewer=viewer),
            "n_sites": n_sites or 0,
            "incidents": recent,
        },
    )


def _login_page(message: str = "", status: int = 200) -> HTMLResponse:
    csrf = secrets.token_urlsafe(24)
    body = LOGIN_PAGE.format(
        csrf=csrf, message=f'<p class="err">{html.escape(message)}</p>' if message else ""
    )
    response = HTMLResponse(body, status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="strict", max_age=3600)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form() -> HTMLResponse:
    return _login_page()


@router.post("/login")
async def login_submit(request: Request) -> Response:
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    if not same_secret(form.get("csrf_token"), request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _login_page("The form expired; please sign in again.", 403)
    return await _finish_login(request, form.get("email", ""), form.get("password", ""))


async def _finish_login(request: Request, email: str, password: str) -> Response:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(_login_sync, request, email, password)


def _login_sync(request: Request, email: str, password: str) -> Response:
    from safecorridor.db.session import session_scope

    with session_scope() as session:
        user = login_user(session, request, email, password)
        if isinstance(user, Response):
            message = (
                "Too many failed sign-ins; wait a few minutes and try again."
                if user.status_code == 429
                else "The e-mail address or the password is wrong."
            )
            return _login_page(message, user.status_code)
        value, _csrf = sign_session(user.id)
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, value)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
async def logout_submit() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
