"""Sites and routes: lists, a record's page (risk now, its explanation and a 24-month trend),
the map's side panel, and the create and edit forms of site managers.

Reads and writes go through ``registry.service``; figures through ``risk.service``. The forms
are validated by the API's own schemas (``registry.schemas``), so a refused input reads the
same on both faces.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation, User
from safecorridor.api.deps import ClockDep, SessionDep
from safecorridor.clock import today
from safecorridor.errors import ConflictError, InvalidInputError, http_status, invalid
from safecorridor.incidents.models import Incident
from safecorridor.registry import service as registry
from safecorridor.registry.models import Route, Site
from safecorridor.registry.schemas import RouteCreate, RouteUpdate, SiteCreate, SiteUpdate
from safecorridor.risk import service as risk
from safecorridor.sharing.policy import Viewer, can_change, can_write, require_write, restrict
from safecorridor.taxonomy.choices import SiteType
from safecorridor.web.deps import FormData, Ident, PageUser
from safecorridor.web.errors import PageRoute
from safecorridor.web.templating import MARKINGS, render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

Model = Any  # Site or Route: the pages serve both kinds
SITE_FIELDS = (
    "name",
    "project",
    "site_type",
    "latitude",
    "longitude",
    "admin1",
    "admin2",
    "country",
    "personnel_foreign",
    "personnel_local",
    "description",
    "source_url",
    "tlp",
)
ROUTE_FIELDS = ("name", "origin", "destination", "description", "source_url", "tlp")


def _list(request: Request, session: Session, user: User, model: Model) -> Response:
    viewer = Viewer.of(user)
    rows = registry.list_records(session, model, viewer=viewer)
    kind = registry.kind_of(model)
    return render(
        request,
        session,
        user,
        f"{kind}s/list.html",
        rows=rows,
        can_create=can_write(viewer, kind),
        orgs={o.id: o for o in session.scalars(select(Organisation))},
    )


@router.get("/sites", response_class=HTMLResponse)
def sites_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    return _list(request, session, user, Site)


@router.get("/routes", response_class=HTMLResponse)
def routes_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    return _list(request, session, user, Route)


def _detail(
    request: Request,
    session: Session,
    user: User,
    model: Model,
    ident: int,
    *,
    panel: bool,
    day: Any,
) -> Response:
    viewer = Viewer.of(user)
    kind = registry.kind_of(model)
    obj = registry.get_record(session, model, ident, viewer=viewer)
    days = [day] if panel else risk.monthly_days(day)
    trend = risk.risk_trend(session, viewer, obj, days)
    current = trend[-1].risk
    details = current.to_dict()
    top = details.get("top_incidents", []) if isinstance(obj, Site) else []
    incidents: dict[int, Incident] = {}
    if top:
        ids = [int(t["incident_id"]) for t in top]
        q = restrict(select(Incident).where(Incident.id.in_(ids)), Incident, viewer)
        incidents = {i.id: i for i in session.scalars(q)}
    return render(
        request,
        session,
        user,
        "sites/_panel.html" if panel else "sites/detail.html",  # both kinds: they branch on kind
        obj=obj,
        kind=kind,
        risk=current,
        details=details,
        top=top,
        incidents=incidents,
        trend=[{"as_of": f.as_of.isoformat(), "level": f.level, "score": f.score} for f in trend],
        can_edit=can_change(viewer, kind, obj.owner_org_id),
        owner=session.get(Organisation, obj.owner_org_id) if obj.owner_org_id else None,
    )


def _form(
    request: Request,
    session: Session,
    user: User,
    model: Model,
    obj: Site | Route | None,
    *,
    errors: list[str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    kind = registry.kind_of(model)
    return render(
        request,
        session,
        user,
        f"{kind}s/form.html",
        status_code=status_code,
        obj=obj,
        values=values or {},
        errors=errors or [],
        site_types=[str(t) for t in SiteType],
        markings=MARKINGS,
    )


def _open_form(
    request: Request, session: Session, user: User, model: Model, ident: int | None
) -> Response:
    viewer = Viewer.of(user)
    if ident is None:
        require_write(viewer, registry.kind_of(model))
        return _form(request, session, user, model, None)
    obj = registry.changeable(session, model, ident, viewer=viewer)
    return _form(request, session, user, model, obj)


def _validated(schema: Any, data: dict[str, Any]) -> Any:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc) from None


def site_of(form: dict[str, str], *, new: bool) -> SiteCreate | SiteUpdate:
    """The site form as the API's body (create or update); empty fields are left out."""
    data = {k: form[k] for k in SITE_FIELDS if form.get(k, "") != ""}
    if new:
        return _validated(SiteCreate, data)  # type: ignore[no-any-return]
    return _validated(  # type: ignore[no-any-return]
        SiteUpdate, {k: v for k, v in data.items() if k in SiteUpdate.model_fields}
    )


def route_of(form: dict[str, str], *, new: bool) -> RouteCreate | RouteUpdate:
    """The route form as the API's body: ``points`` are ``lat,lon;lat,lon``."""
    data: dict[str, Any] = {k: form[k] for k in ROUTE_FIELDS if form.get(k, "") != ""}
    if form.get("points", "").strip() or new:
        data["points"] = registry.parse_points(form.get("points", ""))
    if new:
        return _validated(RouteCreate, data)  # type: ignore[no-any-return]
    return _validated(  # type: ignore[no-any-return]
        RouteUpdate, {k: v for k, v in data.items() if k in RouteUpdate.model_fields}
    )


def _save(
    request: Request,
    session: Session,
    user: User,
    model: Model,
    ident: int | None,
    form: dict[str, str],
) -> Response:
    viewer = Viewer.of(user)
    obj = None if ident is None else registry.changeable(session, model, ident, viewer=viewer)
    try:
        with session.begin_nested():  # a refused change leaves nothing behind
            if model is Site:
                body = site_of(form, new=ident is None)
                if isinstance(body, SiteCreate):
                    saved: Site | Route = registry.create_site(
                        session=session, site_in=body, viewer=viewer
                    )
                else:
                    assert ident is not None
                    saved = registry.update_site(
                        session=session, site_id=ident, site_in=body, viewer=viewer
                    )
            else:
                rbody = route_of(form, new=ident is None)
                if isinstance(rbody, RouteCreate):
                    saved = registry.create_route(session=session, route_in=rbody, viewer=viewer)
                else:
                    assert ident is not None
                    saved = registry.update_route(
                        session=session, route_id=ident, route_in=rbody, viewer=viewer
                    )
    except (InvalidInputError, ConflictError) as exc:  # the form again, with the refusal
        if obj is not None:
            session.refresh(obj)
        return _form(
            request,
            session,
            user,
            model,
            obj,
            errors=[str(exc)],
            values=form,
            status_code=http_status(exc),
        )
    kind = registry.kind_of(model)
    return Response(status_code=204, headers={"HX-Redirect": f"/{kind}s/{saved.id}"})


@router.get("/sites/new", response_class=HTMLResponse)
def site_new(request: Request, session: SessionDep, user: PageUser) -> Response:
    return _open_form(request, session, user, Site, None)


@router.post("/sites/new", response_class=HTMLResponse)
def site_create(request: Request, session: SessionDep, user: PageUser, form: FormData) -> Response:
    return _save(request, session, user, Site, None, form)


@router.get("/routes/new", response_class=HTMLResponse)
def route_new(request: Request, session: SessionDep, user: PageUser) -> Response:
    return _open_form(request, session, user, Route, None)


@router.post("/routes/new", response_class=HTMLResponse)
def route_create(request: Request, session: SessionDep, user: PageUser, form: FormData) -> Response:
    return _save(request, session, user, Route, None, form)


@router.get("/sites/{site_id}", response_class=HTMLResponse)
def site_detail(
    request: Request, session: SessionDep, user: PageUser, clock: ClockDep, site_id: Ident
) -> Response:
    return _detail(request, session, user, Site, site_id, panel=False, day=today(clock))


@router.get("/sites/{site_id}/panel", response_class=HTMLResponse)
def site_panel(
    request: Request, session: SessionDep, user: PageUser, clock: ClockDep, site_id: Ident
) -> Response:
    return _detail(request, session, user, Site, site_id, panel=True, day=today(clock))


@router.get("/routes/{route_id}", response_class=HTMLResponse)
def route_detail(
    request: Request, session: SessionDep, user: PageUser, clock: ClockDep, route_id: Ident
) -> Response:
    return _detail(request, session, user, Route, route_id, panel=False, day=today(clock))


@router.get("/routes/{route_id}/panel", response_class=HTMLResponse)
def route_panel(
    request: Request, session: SessionDep, user: PageUser, clock: ClockDep, route_id: Ident
) -> Response:
    return _detail(request, session, user, Route, route_id, panel=True, day=today(clock))


@router.get("/sites/{site_id}/edit", response_class=HTMLResponse)
def site_edit(request: Request, session: SessionDep, user: PageUser, site_id: Ident) -> Response:
    return _open_form(request, session, user, Site, site_id)


@router.post("/sites/{site_id}/edit", response_class=HTMLResponse)
def site_update(
    request: Request, session: SessionDep, user: PageUser, site_id: Ident, form: FormData
) -> Response:
    return _save(request, session, user, Site, site_id, form)


@router.get("/routes/{route_id}/edit", response_class=HTMLResponse)
def route_edit(request: Request, session: SessionDep, user: PageUser, route_id: Ident) -> Response:
    return _open_form(request, session, user, Route, route_id)


@router.post("/routes/{route_id}/edit", response_class=HTMLResponse)
def route_update(
    request: Request, session: SessionDep, user: PageUser, route_id: Ident, form: FormData
) -> Response:
    return _save(request, session, user, Route, route_id, form)
