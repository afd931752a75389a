"""The web application: server-rendered pages (Jinja2 + HTMX) over the API and its services.

Every page reads through the same TLP filter as the API (``sharing.policy.restrict``, via
``incidents.service.filtered_query`` and the API's own loaders); writes call the API's route
functions or the review and ingest services, so permissions and audit are the API's. HTMX
requests (``HX-Request``) get the ``_partial`` of a page (STYLE.md §4.10). Writes are HTMX
posts that carry the session's CSRF token in the ``X-CSRF-Token`` header (``base.html``).
"""

from __future__ import annotations

import math
import secrets
import tempfile
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import numpy as np
from fastapi import APIRouter, Depends, FastAPI, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from safecorridor import taxonomy
from safecorridor.accounts.models import Organisation, User
from safecorridor.accounts.security import (
    CSRF_HEADER,
    SESSION_COOKIE,
    read_session,
    same_secret,
    sign_session,
)
from safecorridor.api.deps import ClockDep, OptionalUser, SessionDep
from safecorridor.api.problems import ProblemError
from safecorridor.api.routes import incidents as api_incidents
from safecorridor.api.routes import sites as api_sites
from safecorridor.api.routes.accounts import login_user, set_session_cookie
from safecorridor.api.routes.review import mergeable_incidents
from safecorridor.api.routes.risk import default_policy, visible_incidents, visible_places
from safecorridor.api.schemas import RouteCreate, RouteUpdate, SiteCreate, SiteUpdate
from safecorridor.incidents.models import Actor, Incident
from safecorridor.incidents.schemas import IncidentUpdate
from safecorridor.incidents.service import IncidentFilter, UnknownActorError, filtered_query
from safecorridor.registry.models import Route, Site
from safecorridor.review.choices import CandidateStatus
from safecorridor.review.models import Candidate
from safecorridor.review.service import (
    CandidateDecidedError,
    CandidateEditError,
    CandidateIncompleteError,
    CandidateNotFoundError,
    accept_candidate,
    merge_candidate,
    reject_candidate,
    suggested_incident,
)
from safecorridor.clock import today
from safecorridor.settings import get_settings
from safecorridor.sharing.audit import append_event, audit_reads, audit_write, sha256_json
from safecorridor.sharing.policy import AUDITED_TLP, Viewer, can_change, can_write, restrict
from safecorridor.taxonomy.choices import TLP, RiskLevel, Role, SiteType

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
LOGIN_CSRF_COOKIE = "sc_login_csrf"
PAGE_SIZE = 50

router = APIRouter(include_in_schema=False)

TLP_LEGEND = [
    (TLP.CLEAR, "public: anyone"),
    (TLP.GREEN, "every signed-in user"),
    (TLP.AMBER, "owner organisation and its partners"),
    (TLP.AMBER_STRICT, "owner organisation only"),
    (TLP.RED, "named readers only"),
]
RISK_LEVELS = [str(level) for level in RiskLevel]
SORTS: dict[str, tuple[Any, Any]] = {
    "-event_date": (Incident.event_date.desc(), Incident.id.desc()),
    "event_date": (Incident.event_date.asc(), Incident.id.asc()),
    "-fatalities": (func.coalesce(Incident.fatalities, -1).desc(), Incident.id.desc()),
    "fatalities": (func.coalesce(Incident.fatalities, -1).asc(), Incident.id.asc()),
    "location": (Incident.location.asc(), Incident.id.asc()),
}


def install(app: FastAPI) -> None:
    """Add the web pages (before the API's interim pages, whose paths they take over)."""
    app.include_router(router)
    app.include_router(__import__("safecorridor.web.movements", fromlist=["router"]).router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")


# --- helpers ----------------------------------------------------------------------------------


class LoginRequiredError(Exception):
    """The page needs a signed-in user."""


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = f"/login?next={quote(target)}"
    if _is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _pending_count(session: Session, viewer: Viewer) -> int:
    q = restrict(
        select(func.count())
        .select_from(Candidate)
        .where(Candidate.status == CandidateStatus.PENDING),
        Candidate,
        viewer,
    )
    return int(session.scalar(q) or 0)


def render(
    request: Request,
    session: Session,
    user: User | None,
    template: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A page (or partial) with the header's context: user, organisation, pending count."""
    ctx: dict[str, Any] = {
        "user": user,
        "tlp_legend": TLP_LEGEND,
        "risk_levels": RISK_LEVELS,
        "csrf": getattr(request.state, "csrf", None),
        "tile_url": get_settings().tile_url,
        "path": request.url.path,
    }
    if user is not None:
        viewer = Viewer.of(user)
        org = session.get(Organisation, user.organisation_id)
        ctx.update(
            viewer=viewer,
            organisation=org,
            is_analyst=can_write(viewer, "incident"),
            is_site_manager=can_write(viewer, "site"),
            pending=_pending_count(session, viewer) if can_write(viewer, "candidate") else None,
        )
    ctx.update(context)
    return TEMPLATES.TemplateResponse(
        request, template, ctx, status_code=status_code, headers=headers
    )


def forbidden(request: Request, session: Session, user: User, message: str) -> HTMLResponse:
    return render(request, session, user, "errors/403.html", status_code=403, message=message)


def not_found(request: Request, session: Session, user: User, message: str) -> HTMLResponse:
    return render(request, session, user, "errors/404.html", status_code=404, message=message)


def _filter_from(
    since: date | None,
    until: date | None,
    event_type: list[str],
    actor: str | None,
    admin1: str | None,
) -> IncidentFilter:
    return IncidentFilter(
        date_from=since,
        date_to=until,
        event_types=[t for t in event_type if t],
        actor=(actor or "").strip() or None,
        admin1=(admin1 or "").strip() or None,
    )


def incident_filter(
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
    event_type: Annotated[list[str], Query()] = [],  # noqa: B006
    actor: Annotated[str | None, Query(max_length=300)] = None,
    admin1: Annotated[str | None, Query(max_length=100)] = None,
) -> IncidentFilter:
    return _filter_from(since, until, event_type, actor, admin1)


WebFilter = Annotated[IncidentFilter, Depends(incident_filter)]


async def _form(request: Request) -> dict[str, str]:
    """The text fields of a posted form (read here so the handlers themselves stay sync)."""
    form = await request.form()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


FormData = Annotated[dict[str, str], Depends(_form)]


def _filter_query(flt: IncidentFilter) -> str:
    pairs: list[tuple[str, str]] = []
    if flt.date_from:
        pairs.append(("since", flt.date_from.isoformat()))
    if flt.date_to:
        pairs.append(("until", flt.date_to.isoformat()))
    pairs += [("event_type", t) for t in flt.event_types]
    if flt.actor:
        pairs.append(("actor", flt.actor))
    if flt.admin1:
        pairs.append(("admin1", flt.admin1))
    return urlencode(pairs)


def _choices(session: Session, viewer: Viewer) -> dict[str, Any]:
    """Options of the filter form: event types, actors, provinces (of readable incidents)."""
    provinces = session.scalars(
        restrict(
            select(Incident.admin1).where(Incident.admin1.is_not(None)).distinct(),
            Incident,
            viewer,
        ).order_by(Incident.admin1)
    ).all()
    actors = session.scalars(select(Actor.name).order_by(Actor.name)).all()
    return {
        "event_types": list(taxonomy.event_types()),
        "actors": list(actors),
        "provinces": [p for p in provinces if p],
    }


def _incident_rows(
    session: Session, viewer: Viewer, flt: IncidentFilter, sort: str, page: int
) -> tuple[list[Incident], int, str | None]:
    """A page of the incident list, the total, and an error for an unknown actor."""
    try:
        q = filtered_query(session, flt, viewer=viewer)
    except UnknownActorError as exc:
        return [], 0, str(exc)
    total = int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)
    q = q.order_by(*SORTS.get(sort, SORTS["-event_date"])).options(
        selectinload(Incident.actor1),
        selectinload(Incident.actor2),
        selectinload(Incident.claimed_by),
    )
    rows = list(session.scalars(q.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return rows, total, None


# --- sign-in ----------------------------------------------------------------------------------


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") else "/"


def _login_page(
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
            "tlp_legend": TLP_LEGEND,
            "user": None,
        },
        status_code=status_code,
    )
    response.set_cookie(LOGIN_CSRF_COOKIE, csrf, httponly=True, samesite="strict", max_age=3600)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return _login_page(request, _safe_next(next))


@router.post("/login")
def login_submit(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=300)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    target = _safe_next(next)
    if not same_secret(csrf_token, request.cookies.get(LOGIN_CSRF_COOKIE)):
        return _login_page(request, target, "The form expired; please sign in again.", 403)
    user = login_user(session, request, email, password)
    if isinstance(user, Response):
        message = (
            "Too many failed sign-ins; wait a few minutes and try again."
            if user.status_code == 429
            else "The e-mail address or the password is wrong."
        )
        return _login_page(request, target, message, user.status_code)
    value, _csrf = sign_session(user.id)
    append_event(
        session=session,
        viewer=Viewer.of(user),
        action="login",
        record_type="user",
        record_id=user.id,
        state=sha256_json({"user": user.id}),
    )
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, value)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


# --- the situation map ------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def map_page(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    """The situation map for signed-in users; the public index for anonymous visitors."""
    if user is None:
        from safecorridor.api.routes.pages import index

        return index(request, session, None)
    viewer = Viewer.of(user)
    return render(request, session, user, "map/index.html", **_choices(session, viewer))


@router.get("/map/risk.json")
def map_risk(session: SessionDep, user: OptionalUser, clock: ClockDep) -> Response:
    """The risk level of every readable site and route (one surface for all of them)."""
    if user is None:
        return JSONResponse({"detail": "sign in first"}, status_code=401)
    viewer = Viewer.of(user)
    sites = list(session.scalars(restrict(select(Site), Site, viewer)))
    routes = list(session.scalars(restrict(select(Route), Route, viewer)))
    out: dict[str, dict[str, dict[str, Any]]] = {"sites": {}, "routes": {}}
    if not sites and not routes:
        return JSONResponse(out)
    lats = [s.latitude for s in sites] + [p[0] for r in routes for p in r.points]
    lons = [s.longitude for s in sites] + [p[1] for r in routes for p in r.points]
    from safecorridor.risk.corridor import score_route
    from safecorridor.risk.scoring import score_site
    from safecorridor.risk.surface import compute_surface

    day = today(clock)
    policy = default_policy()
    box = _padded((min(lons), min(lats), max(lons), max(lats)), policy.kernel_radius_km)
    arrays, marked = visible_incidents(session, viewer, as_of=day, box=box)
    surface = compute_surface(arrays, as_of=np.datetime64(day, "D"), policy=policy)
    for s in sites:
        risk = score_site(surface, s, explain=False)
        out["sites"][str(s.id)] = {"level": str(risk.level), "score": round(risk.score, 3)}
    places = visible_places(session, viewer)
    for r in routes:
        rr = score_route(surface, r, places=places)
        out["routes"][str(r.id)] = {"level": str(rr.level), "score": round(rr.score, 3)}
    _audit_marked(session, viewer, marked, arrays.ids.tolist(), {"as_of": str(day), "map": True})
    return JSONResponse(out)


def _padded(box: tuple[float, float, float, float], km: float) -> tuple[float, float, float, float]:
    w, s, e, n = box
    dlat = km / 111.0
    dlon = km / (111.0 * max(math.cos(math.radians(max(abs(s), abs(n)))), 1e-6))
    return (w - dlon, s - dlat, e + dlon, n + dlat)


def _audit_marked(
    session: Session, viewer: Viewer, marked: int, ids: list[int], details: dict[str, Any]
) -> None:
    if marked:
        append_event(
            session=session,
            viewer=viewer,
            action="risk",
            record_type="incident",
            details={"amber_or_stricter": marked, **details},
            state=sha256_json(sorted(ids)),
        )


@router.get("/timeline.json")
def timeline(
    session: SessionDep,
    user: OptionalUser,
    flt: WebFilter,
    granularity: Annotated[str, Query(pattern="^(week|month)$")] = "month",
) -> Response:
    """Incidents per week or month by type, with fatalities and foreign fatalities."""
    if user is None:
        return JSONResponse({"detail": "sign in first"}, status_code=401)
    viewer = Viewer.of(user)
    try:
        q = filtered_query(session, flt, viewer=viewer)
    except UnknownActorError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=422)
    rows = session.execute(
        q.with_only_columns(
            Incident.id,
            Incident.event_date,
            Incident.event_type,
            Incident.fatalities,
            Incident.foreign_fatalities,
            Incident.tlp,
        )
    ).all()
    data = bucket(
        [(r.event_date, r.event_type, r.fatalities, r.foreign_fatalities) for r in rows],
        granularity,
    )
    marked = [r.id for r in rows if r.tlp in AUDITED_TLP]
    if marked:
        append_event(
            session=session,
            viewer=viewer,
            action="timeline",
            record_type="incident",
            details={"record_ids": marked},
            state=sha256_json(sorted(marked)),
        )
    return JSONResponse(data)


def _period_start(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next_period(day: date, granularity: str) -> date:
    if granularity == "week":
        return day + timedelta(days=7)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def bucket(
    rows: list[tuple[date, str, int | None, int | None]], granularity: str
) -> dict[str, Any]:
    """Counts by period and event type, and fatality sums, for every period in the range."""
    if not rows:
        return {"granularity": granularity, "periods": [], "types": {}, "fatalities": []}
    first = _period_start(min(r[0] for r in rows), granularity)
    last = _period_start(max(r[0] for r in rows), granularity)
    periods: list[date] = []
    day = first
    while day <= last and len(periods) < 2000:
        periods.append(day)
        day = _next_period(day, granularity)
    index = {p: i for i, p in enumerate(periods)}
    types: dict[str, list[int]] = defaultdict(lambda: [0] * len(periods))
    fatalities = [0] * len(periods)
    foreign = [0] * len(periods)
    for event_date, event_type, killed, foreign_killed in rows:
        i = index.get(_period_start(event_date, granularity))
        if i is None:
            continue
        types[event_type][i] += 1
        fatalities[i] += killed or 0
        foreign[i] += foreign_killed or 0
    return {
        "granularity": granularity,
        "periods": [p.isoformat() for p in periods],
        "ends": [(_next_period(p, granularity) - timedelta(days=1)).isoformat() for p in periods],
        "types": dict(sorted(types.items())),
        "fatalities": fatalities,
        "foreign_fatalities": foreign,
    }


# --- incidents --------------------------------------------------------------------------------


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    flt: WebFilter,
    sort: Annotated[str, Query(max_length=20)] = "-event_date",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    compact: bool = False,
) -> Response:
    if user is None:
        return _to_login(request)
    viewer = Viewer.of(user)
    rows, total, error = _incident_rows(session, viewer, flt, sort, page)
    audit_reads(session=session, viewer=viewer, objs=rows, action="list")
    ctx: dict[str, Any] = {
        "rows": rows,
        "total": total,
        "error": error,
        "sort": sort if sort in SORTS else "-event_date",
        "page": page,
        "pages": max(1, math.ceil(total / PAGE_SIZE)),
        "flt": flt,
        "query": _filter_query(flt),
        "compact": compact,
    }
    if _is_htmx(request):
        return render(request, session, user, "incidents/_table.html", **ctx)
    return render(request, session, user, "incidents/list.html", **ctx, **_choices(session, viewer))


def _readable_incident(session: Session, viewer: Viewer, incident_id: int) -> Incident | None:
    try:
        return api_incidents._load(session, viewer, incident_id)
    except ProblemError:
        return None


def _evidence(session: Session, viewer: Viewer, incident: Incident) -> list[dict[str, Any]]:
    """The candidates behind the incident with their evidence spans (readable ones only)."""
    q = restrict(
        select(Candidate)
        .where(Candidate.incident_id == incident.id)
        .options(selectinload(Candidate.document))
        .order_by(Candidate.id),
        Candidate,
        viewer,
    )
    out = []
    for c in session.scalars(q):
        out.append({"candidate": c, "fields": _evidence_fields(c)})
    return out


def _evidence_fields(c: Candidate) -> list[dict[str, Any]]:
    fields = []
    for name, span in sorted((c.evidence or {}).items(), key=lambda kv: kv[1][0]):
        text = c.evidence_text(name)
        if text is None:
            continue
        fields.append(
            {
                "name": name,
                "value": getattr(c, name, None),
                "text": text,
                "confidence": (c.field_confidence or {}).get(name),
                "span": span,
            }
        )
    return fields


def _incident_page(
    request: Request, session: Session, user: User | None, incident_id: int, *, panel: bool
) -> Response:
    """An incident's page, or (``panel``) the map's side panel."""
    if user is None:
        return _to_login(request)
    viewer = Viewer.of(user)
    incident = _readable_incident(session, viewer, incident_id)
    if incident is None:
        return not_found(request, session, user, f"No incident #{incident_id} that you may read.")
    audit_reads(session=session, viewer=viewer, objs=[incident])
    if panel:
        return render(
            request,
            session,
            user,
            "incidents/_panel.html",
            incident=incident,
            can_edit=can_change(viewer, "incident", incident.owner_org_id),
        )
    return render(
        request,
        session,
        user,
        "incidents/detail.html",
        incident=incident,
        evidence=_evidence(session, viewer, incident),
        can_edit=can_change(viewer, "incident", incident.owner_org_id),
        owner=session.get(Organisation, incident.owner_org_id) if incident.owner_org_id else None,
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_detail(
    request: Request, session: SessionDep, user: OptionalUser, incident_id: int
) -> Response:
    return _incident_page(request, session, user, incident_id, panel=False)


@router.get("/incidents/{incident_id}/panel", response_class=HTMLResponse)
def incident_panel(
    request: Request, session: SessionDep, user: OptionalUser, incident_id: int
) -> Response:
    return _incident_page(request, session, user, incident_id, panel=True)


REQUIRED_FIELDS = ("event_date", "event_type", "latitude", "longitude", "tlp", "credibility")
INCIDENT_FIELDS = (
    "event_date",
    "event_type",
    "sub_event_type",
    "location",
    "admin1",
    "admin2",
    "latitude",
    "longitude",
    "fatalities",
    "foreign_fatalities",
    "foreign_nationality",
    "injured",
    "abducted",
    "target_category",
    "credibility",
    "tlp",
    "notes",
)


def _editable_incident(
    request: Request, session: Session, user: User | None, incident_id: int
) -> Incident | Response:
    if user is None:
        return _to_login(request)
    viewer = Viewer.of(user)
    if not can_write(viewer, "incident"):
        return forbidden(
            request, session, user, f"Your role ({user.role}) cannot change incidents."
        )
    incident = _readable_incident(session, viewer, incident_id)
    if incident is None:
        return not_found(request, session, user, f"No incident #{incident_id} that you may read.")
    if not can_change(viewer, "incident", incident.owner_org_id):
        return forbidden(request, session, user, "This incident belongs to another organisation.")
    return incident


@router.get("/incidents/{incident_id}/edit", response_class=HTMLResponse)
def incident_edit_form(
    request: Request, session: SessionDep, user: OptionalUser, incident_id: int
) -> Response:
    found = _editable_incident(request, session, user, incident_id)
    if isinstance(found, Response):
        return found
    return render(
        request,
        session,
        user,
        "incidents/edit.html",
        incident=found,
        errors=[],
        event_types=list(taxonomy.event_types()),
        markings=[str(t) for t in TLP],
    )


@router.post("/incidents/{incident_id}/edit", response_class=HTMLResponse)
def incident_edit_submit(
    request: Request, session: SessionDep, user: OptionalUser, incident_id: int, form: FormData
) -> Response:
    found = _editable_incident(request, session, user, incident_id)
    if isinstance(found, Response):
        return found
    assert user is not None
    data: dict[str, Any] = {}
    for name in INCIDENT_FIELDS:
        if name in form:
            value = str(form[name]).strip()
            data[name] = value if value != "" else None
    errors: list[str] = []
    try:
        body = IncidentUpdate.model_validate(
            {k: v for k, v in data.items() if v is not None or k not in REQUIRED_FIELDS}
        )
        with session.begin_nested():  # a refused change leaves nothing behind
            api_incidents.update_incident_api(session, Viewer.of(user), incident_id, body)
    except ValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    except ProblemError as exc:
        errors = [str(exc)]
    if errors:
        return render(
            request,
            session,
            user,
            "incidents/edit.html",
            status_code=422,
            incident=found,
            errors=errors,
            event_types=list(taxonomy.event_types()),
            markings=[str(t) for t in TLP],
        )
    return Response(status_code=204, headers={"HX-Redirect": f"/incidents/{incident_id}"})


# --- review queue -----------------------------------------------------------------------------


def _reviewer(request: Request, session: Session, user: User | None) -> Viewer | Response:
    if user is None:
        return _to_login(request)
    viewer = Viewer.of(user)
    if not can_write(viewer, "candidate"):
        return forbidden(
            request, session, user, f"Your role ({user.role}) does not review candidates."
        )
    return viewer


def _pending(session: Session, viewer: Viewer, limit: int = 200) -> list[Candidate]:
    q = restrict(
        select(Candidate)
        .where(Candidate.status == CandidateStatus.PENDING)
        .options(selectinload(Candidate.document))
        .order_by(Candidate.id)
        .limit(limit),
        Candidate,
        viewer,
    )
    return list(session.scalars(q))


def highlight(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, str | None]]:
    """``text`` cut into (piece, field or None) so the evidence spans can be marked."""
    pieces: list[tuple[str, str | None]] = []
    pos = 0
    for start, end, name in sorted(spans):
        if start < pos or end <= start or end > len(text):
            continue
        if start > pos:
            pieces.append((text[pos:start], None))
        pieces.append((text[start:end], name))
        pos = end
    if pos < len(text):
        pieces.append((text[pos:], None))
    return pieces


def _candidate_context(session: Session, c: Candidate) -> dict[str, Any]:
    text = c.document.text or "" if c.document is not None else ""
    spans = [(s, e, name) for name, (s, e) in (c.evidence or {}).items()]
    window = (0, len(text))
    if c.span:
        window = (max(0, c.span[0] - 400), min(len(text), c.span[1] + 400))
    suggested = suggested_incident(session, c)
    return {
        "c": c,
        "pieces": highlight(text, spans),
        "window": window,
        "fields": _evidence_fields(c),
        "suggested": suggested,
    }


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    who = _reviewer(request, session, user)
    if isinstance(who, Response):
        return who
    cards = [_candidate_context(session, c) for c in _pending(session, who)]
    audit_reads(session=session, viewer=who, objs=[x["c"] for x in cards], action="list")
    template = "review/_queue.html" if _is_htmx(request) else "review/queue.html"
    return render(request, session, user, template, cards=cards, editable=REVIEW_EDITABLE)


REVIEW_EDITABLE = (
    "event_type",
    "sub_event_type",
    "event_date",
    "date_precision",
    "location",
    "admin1",
    "latitude",
    "longitude",
    "perpetrator",
    "claimed_by",
    "fatalities",
    "foreign_fatalities",
    "foreign_nationality",
    "injured",
)


def _readable_candidate(session: Session, viewer: Viewer, candidate_id: int) -> Candidate | None:
    return session.scalar(
        restrict(
            select(Candidate)
            .where(Candidate.id == candidate_id)
            .options(selectinload(Candidate.document)),
            Candidate,
            viewer,
        )
    )


@router.post("/review/{candidate_id}/{action}", response_class=HTMLResponse)
def review_decide(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    candidate_id: int,
    action: str,
    form: FormData,
) -> Response:
    """accept (with optional edits), reject (with a reason) or merge (into an incident id)."""
    who = _reviewer(request, session, user)
    if isinstance(who, Response):
        return who
    assert user is not None
    c = _readable_candidate(session, who, candidate_id)
    if c is None:
        return not_found(request, session, user, f"No candidate #{candidate_id}.")
    if not can_change(who, "candidate", c.owner_org_id):
        return forbidden(
            request, session, user, "Only the owning organisation decides this candidate."
        )
    edits = {
        name: str(form[name])
        for name in REVIEW_EDITABLE
        if name in form and str(form[name]) != _as_text(getattr(c, name))
    }
    error = None
    outcome = ""
    incident_id: int | None = None
    try:
        with session.begin_nested():  # a refused decision leaves nothing behind
            if action == "accept":
                d = accept_candidate(
                    session=session,
                    candidate_id=c.id,
                    decided_by=who.email,
                    edits=edits,
                    eligible=mergeable_incidents(session, who),
                )
                incident_id = d.incident.id
                outcome = "accepted as new incident" if d.created else "merged into incident"
                audit_write(session=session, viewer=who, action="review", obj=d.incident)
            elif action == "reject":
                reject_candidate(
                    session=session,
                    candidate_id=c.id,
                    decided_by=who.email,
                    reason=form.get("reason")
                    or request.headers.get("HX-Prompt")
                    or "rejected in the review queue",
                )
                outcome = "rejected"
            elif action == "merge":
                target = int(str(form.get("incident_id") or "0") or 0)
                found = _readable_incident(session, who, target)
                if found is None or not can_change(who, "incident", found.owner_org_id):
                    raise CandidateEditError(f"no incident #{target} that you may read and change")
                d = merge_candidate(
                    session=session,
                    candidate_id=c.id,
                    incident_id=target,
                    decided_by=who.email,
                    edits=edits,
                )
                incident_id = d.incident.id
                outcome = "merged into incident"
                audit_write(session=session, viewer=who, action="review", obj=d.incident)
            else:
                return not_found(request, session, user, f"No review action {action!r}.")
    except (
        CandidateEditError,
        CandidateIncompleteError,
        CandidateDecidedError,
        CandidateNotFoundError,
        ValueError,
    ) as exc:
        error = str(exc)
    if error:
        ctx = _candidate_context(session, c)
        return render(
            request,
            session,
            user,
            "review/_candidate.html",
            headers={"HX-Trigger": "review-error"},
            error=error,
            editable=REVIEW_EDITABLE,
            **ctx,
        )
    return render(
        request,
        session,
        user,
        "review/_decided.html",
        headers={"HX-Trigger": "review-decided"},
        c=c,
        outcome=outcome,
        incident_id=incident_id,
    )


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@router.get("/review/count", response_class=HTMLResponse)
def review_count(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    """The header's badge (HTMX refreshes it after each decision)."""
    if user is None:
        return _to_login(request)
    viewer = Viewer.of(user)
    n = _pending_count(session, viewer) if can_write(viewer, "candidate") else 0
    return render(request, session, user, "review/_count.html", pending=n)


# --- ingest -----------------------------------------------------------------------------------


@router.get("/ingest", response_class=HTMLResponse)
def ingest_page(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    who = _reviewer(request, session, user)
    if isinstance(who, Response):
        return who
    return render(
        request,
        session,
        user,
        "ingest/index.html",
        markings=[str(t) for t in TLP],
        today=today(request.app.state.clock).isoformat(),
    )


def _session_user(request: Request, session: Session) -> User | None:
    """The session cookie's user, with the CSRF check of ``api.deps.optional_user``.

    POST /ingest cannot use ``SessionDep``: a write request's session takes SQLite's write
    lock up front, and ``ingest`` writes through connections of its own.
    """
    data = read_session(request.cookies.get(SESSION_COOKIE))
    if data is None:
        return None
    user = session.get(User, data["uid"])
    if user is None or not user.is_active:
        return None
    if not same_secret(request.headers.get(CSRF_HEADER), data.get("csrf")):
        raise ProblemError(
            403, f"a write with a session cookie needs the {CSRF_HEADER} header (csrf_token)"
        )
    request.state.csrf = data.get("csrf")
    return user


@router.post("/ingest", response_class=HTMLResponse)
def ingest_submit(
    request: Request,
    text: Annotated[str, Form(max_length=2_000_000)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    published: Annotated[str, Form(max_length=10)] = "",
    publisher: Annotated[str, Form(max_length=300)] = "",
    tlp: Annotated[str, Form(max_length=12)] = "AMBER",
    file: UploadFile | None = None,
) -> Response:
    """Ingest pasted text, a URL or an uploaded file; the candidates it found come back."""
    from safecorridor.db.session import get_engine, session_scope
    from safecorridor.sources.ingest import IngestOptions, ingest

    with session_scope() as session:  # a read: ingest writes through its own connections
        user = _session_user(request, session)
        who = _reviewer(request, session, user)
        if isinstance(who, Response):
            return who
    error = None
    try:
        day = date.fromisoformat(published) if published.strip() else None
        marking = TLP(tlp)
    except ValueError as exc:
        day, marking, error = None, TLP.AMBER, f"invalid date or marking: {exc}"
    sources: list[str] = []
    report = None
    with tempfile.TemporaryDirectory(prefix="sc-ingest-") as tmp:
        if text.strip():
            path = Path(tmp) / "pasted.txt"
            path.write_text(text, encoding="utf-8")
            sources.append(str(path))
        if file is not None and file.filename:
            path = Path(tmp) / (Path(file.filename).name or "upload.txt")
            path.write_bytes(file.file.read(get_settings().ingest_max_bytes + 1))
            sources.append(str(path))
        if url.strip():
            sources.append(url.strip())
        if not sources and error is None:
            error = "Paste a text, give a URL or choose a file."
        if error is None:
            options = IngestOptions(
                published=day,
                publisher=publisher.strip() or None,
                url=(url.strip() or None) if not text.strip() else None,
                tlp=str(marking),
                owner_org_id=who.organisation_id,
                decided_by=who.email,
            )
            report = ingest(engine=get_engine(), sources=sources, options=options)
    with session_scope() as session:
        candidates: list[Candidate] = []
        if report is not None and report.document_ids:
            candidates = list(
                session.scalars(
                    restrict(
                        select(Candidate)
                        .where(Candidate.document_id.in_(report.document_ids))
                        .order_by(Candidate.id),
                        Candidate,
                        who,
                    )
                )
            )
        return render(
            request,
            session,
            session.get(User, who.user_id),
            "ingest/_result.html",
            headers={"HX-Trigger": "review-decided"},
            report=report,
            error=error,
            candidates=candidates,
        )


# --- sites and routes -------------------------------------------------------------------------


def _risk_at(
    session: Session, viewer: Viewer, obj: Site | Route, days: list[date]
) -> list[dict[str, Any]]:
    """The risk of a site or route at each day (one surface per day, one audit event)."""
    from safecorridor.risk.corridor import score_route
    from safecorridor.risk.scoring import score_site
    from safecorridor.risk.surface import compute_surface

    policy = default_policy()
    if isinstance(obj, Site):
        box = (obj.longitude, obj.latitude, obj.longitude, obj.latitude)
    else:
        lats = [p[0] for p in obj.points]
        lons = [p[1] for p in obj.points]
        box = (min(lons), min(lats), max(lons), max(lats))
    box = _padded(box, policy.kernel_radius_km)
    places = visible_places(session, viewer) if isinstance(obj, Route) else None
    out = []
    total_marked = 0
    seen: set[int] = set()
    for day in days:
        arrays, marked = visible_incidents(session, viewer, as_of=day, box=box)
        total_marked = max(total_marked, marked)
        seen.update(arrays.ids.tolist())
        surface = compute_surface(arrays, as_of=np.datetime64(day, "D"), policy=policy)
        if isinstance(obj, Site):
            sr = score_site(surface, obj, explain=day == days[-1])
            out.append(
                {"as_of": day.isoformat(), "level": str(sr.level), "score": sr.score, "risk": sr}
            )
        else:
            rr = score_route(surface, obj, places=places)
            out.append(
                {"as_of": day.isoformat(), "level": str(rr.level), "score": rr.score, "risk": rr}
            )
    _audit_marked(session, viewer, total_marked, sorted(seen), {"record": obj.name})
    return out


def monthly_days(today: date, months: int = 24) -> list[date]:
    """The first day of each of the last ``months`` months, and today."""
    first = today.replace(day=1)
    days = []
    for i in range(months - 1, -1, -1):
        y, m = divmod(first.year * 12 + first.month - 1 - i, 12)
        days.append(date(y, m + 1, 1))
    if days[-1] != today:
        days.append(today)
    return days


def _registry_list(
    request: Request, session: Session, user: User | None, model: Any, template: str
) -> Response:
    if user is None:
        return _to_login(request)
    viewer = Viewer.of(user)
    rows = list(session.scalars(restrict(select(model), model, viewer).order_by(model.name)))
    audit_reads(session=session, viewer=viewer, objs=rows, action="list")
    kind = model.__name__.lower()
    return render(
        request,
        session,
        user,
        template,
        rows=rows,
        can_create=can_write(viewer, kind),
        orgs={o.id: o for o in session.scalars(select(Organisation))},
    )


@router.get("/sites", response_class=HTMLResponse)
def sites_page(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    return _registry_list(request, session, user, Site, "sites/list.html")


@router.get("/routes", response_class=HTMLResponse)
def routes_page(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    return _registry_list(request, session, user, Route, "routes/list.html")


def _registry_detail(
    request: Request, session: Session, user: User | None, model: Any, ident: int, panel: bool
) -> Response:
    if user is None:
        return _to_login(request)
    viewer = Viewer.of(user)
    kind = model.__name__.lower()
    try:
        obj = api_sites._load(session, viewer, model, ident)
    except ProblemError:
        return not_found(request, session, user, f"No {kind} #{ident} that you may read.")
    audit_reads(session=session, viewer=viewer, objs=[obj])
    day = today(request.app.state.clock)
    days = [day] if panel else monthly_days(day)
    trend = _risk_at(session, viewer, obj, days)
    current = trend[-1]["risk"]
    incidents: dict[int, Incident] = {}
    top = current.to_dict().get("top_incidents", []) if isinstance(obj, Site) else []
    if top:
        ids = [int(t["incident_id"]) for t in top]
        q = restrict(select(Incident).where(Incident.id.in_(ids)), Incident, viewer)
        incidents = {i.id: i for i in session.scalars(q)}
    # One pair of templates serves both kinds (they branch on ``kind``).
    template = "sites/_panel.html" if panel else "sites/detail.html"
    return render(
        request,
        session,
        user,
        template,
        obj=obj,
        kind=kind,
        risk=current,
        details=current.to_dict(),
        top=top,
        incidents=incidents,
        trend=[{"as_of": t["as_of"], "level": t["level"], "score": t["score"]} for t in trend],
        can_edit=can_change(viewer, kind, obj.owner_org_id),
        owner=session.get(Organisation, obj.owner_org_id) if obj.owner_org_id else None,
    )


@router.get("/sites/new", response_class=HTMLResponse)
def site_new(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    return _registry_form(request, session, user, Site, None)


@router.get("/routes/new", response_class=HTMLResponse)
def route_new(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    return _registry_form(request, session, user, Route, None)


@router.get("/sites/{site_id}", response_class=HTMLResponse)
def site_detail(
    request: Request, session: SessionDep, user: OptionalUser, site_id: int
) -> Response:
    return _registry_detail(request, session, user, Site, site_id, panel=False)


@router.get("/sites/{site_id}/panel", response_class=HTMLResponse)
def site_panel(request: Request, session: SessionDep, user: OptionalUser, site_id: int) -> Response:
    return _registry_detail(request, session, user, Site, site_id, panel=True)


@router.get("/routes/{route_id}", response_class=HTMLResponse)
def route_detail(
    request: Request, session: SessionDep, user: OptionalUser, route_id: int
) -> Response:
    return _registry_detail(request, session, user, Route, route_id, panel=False)


@router.get("/routes/{route_id}/panel", response_class=HTMLResponse)
def route_panel(
    request: Request, session: SessionDep, user: OptionalUser, route_id: int
) -> Response:
    return _registry_detail(request, session, user, Route, route_id, panel=True)


def _registry_form(
    request: Request,
    session: Session,
    user: User | None,
    model: Any,
    ident: int | None,
    errors: list[str] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    if user is None:
        return _to_login(request)
    viewer = Viewer.of(user)
    kind = model.__name__.lower()
    if not can_write(viewer, kind):
        return forbidden(request, session, user, f"Your role ({user.role}) cannot change {kind}s.")
    obj = None
    if ident is not None:
        try:
            obj = api_sites._load(session, viewer, model, ident)
        except ProblemError:
            return not_found(request, session, user, f"No {kind} #{ident} that you may read.")
        if not can_change(viewer, kind, obj.owner_org_id):
            return forbidden(
                request, session, user, f"This {kind} belongs to another organisation."
            )
    return render(
        request,
        session,
        user,
        f"{kind}s/form.html",
        status_code=422 if errors else 200,
        obj=obj,
        values=values or {},
        errors=errors or [],
        site_types=[str(t) for t in SiteType],
        postures=["basic", "standard", "hardened"],
        markings=[str(t) for t in TLP],
    )


@router.get("/sites/{site_id}/edit", response_class=HTMLResponse)
def site_edit(request: Request, session: SessionDep, user: OptionalUser, site_id: int) -> Response:
    return _registry_form(request, session, user, Site, site_id)


@router.get("/routes/{route_id}/edit", response_class=HTMLResponse)
def route_edit(
    request: Request, session: SessionDep, user: OptionalUser, route_id: int
) -> Response:
    return _registry_form(request, session, user, Route, route_id)


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
    "perimeter",
    "guard_force",
    "hardening",
    "description",
    "source_url",
    "tlp",
)
SITE_UPDATABLE = set(SiteUpdate.model_fields)
ROUTE_UPDATABLE = set(RouteUpdate.model_fields)


def _points(raw: str) -> list[tuple[float, float]]:
    """``lat,lon;lat,lon;...`` as points."""
    out = []
    for part in raw.replace("\n", ";").split(";"):
        if part.strip():
            lat, lon = part.split(",")
            out.append((float(lat), float(lon)))
    return out


def _write_registry(
    session: Session, viewer: Viewer, model: Any, ident: int | None, values: dict[str, str]
) -> int | None:
    """Create or update through the API's route functions (their checks and audit)."""
    if model is Site:
        data: dict[str, Any] = {k: values[k] for k in SITE_FIELDS if values.get(k, "") != ""}
        if ident is None:
            return api_sites.create_site(session, viewer, SiteCreate.model_validate(data)).id
        upd = {k: v for k, v in data.items() if k in SITE_UPDATABLE}
        api_sites.update_site(session, viewer, ident, SiteUpdate.model_validate(upd))
        return ident
    data = {
        k: values[k]
        for k in ("name", "origin", "destination", "description", "source_url", "tlp")
        if values.get(k, "") != ""
    }
    points = _points(values.get("points", ""))
    if ident is None:
        data["points"] = points
        return api_sites.create_route(session, viewer, RouteCreate.model_validate(data)).id
    upd = {k: v for k, v in data.items() if k in ROUTE_UPDATABLE}
    api_sites.update_route(session, viewer, ident, RouteUpdate.model_validate(upd))
    if len(points) >= 2:
        from safecorridor.geo import polyline_length_km

        obj = session.get(Route, ident)
        assert obj is not None
        obj.points = [[lat, lon] for lat, lon in points]
        obj.length_km = round(polyline_length_km(obj.points), 1)
        audit_write(session=session, viewer=viewer, action="update", obj=obj)
    return ident


def _save_registry(
    request: Request,
    session: Session,
    user: User | None,
    model: Any,
    ident: int | None,
    form: dict[str, str],
) -> Response:
    check = _registry_form(request, session, user, model, ident)
    if check.status_code != 200:
        return check
    assert user is not None
    viewer = Viewer.of(user)
    kind = model.__name__.lower()
    values = {k: v.strip() for k, v in form.items()}
    errors: list[str] = []
    saved_id: int | None = ident
    try:
        with session.begin_nested():  # a refused change leaves nothing behind
            saved_id = _write_registry(session, viewer, model, ident, values)
    except ValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc'])) or kind}: {e['msg']}" for e in exc.errors()]
    except ProblemError as exc:
        errors = [str(exc)]
    except ValueError as exc:
        errors = [f"points: write them as lat,lon;lat,lon ({exc})"]
    if errors:
        return _registry_form(request, session, user, model, ident, errors=errors, values=values)
    return Response(status_code=204, headers={"HX-Redirect": f"/{kind}s/{saved_id}"})


@router.post("/sites/new", response_class=HTMLResponse)
def site_create(
    request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    return _save_registry(request, session, user, Site, None, form)


@router.post("/sites/{site_id}/edit", response_class=HTMLResponse)
def site_update(
    request: Request, session: SessionDep, user: OptionalUser, site_id: int, form: FormData
) -> Response:
    return _save_registry(request, session, user, Site, site_id, form)


@router.post("/routes/new", response_class=HTMLResponse)
def route_create(
    request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    return _save_registry(request, session, user, Route, None, form)


@router.post("/routes/{route_id}/edit", response_class=HTMLResponse)
def route_update(
    request: Request, session: SessionDep, user: OptionalUser, route_id: int, form: FormData
) -> Response:
    return _save_registry(request, session, user, Route, route_id, form)


__all__ = ["bucket", "highlight", "install", "monthly_days", "router"]
_ = Role  # roles are named in templates through the viewer
