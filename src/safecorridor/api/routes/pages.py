"""The public index (TLP:CLEAR records, shown to anonymous visitors by the web map page) and
sign-out. Sign-in and every other page live in ``safecorridor.web``."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select

from safecorridor.accounts.security import SESSION_COOKIE
from safecorridor.api.deps import OptionalUser, SessionDep
from safecorridor.incidents.service import count_incidents, list_incidents
from safecorridor.registry.models import Site
from safecorridor.sharing.audit import audit_reads
from safecorridor.sharing.policy import Viewer, restrict

router = APIRouter(include_in_schema=False)

TEMPLATES = Jinja2Templates(directory=Path(__file__).parents[2] / "web" / "templates")


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


@router.post("/logout")
async def logout_submit() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
