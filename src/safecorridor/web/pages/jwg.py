"""Web pages of the Joint Working Group: meetings (list, record, a meeting's page with its
decisions, action items and what carried over), the action board of the reader's
organisation, the register of protective measures, risk with the planned measures, and the
briefing packs of the reader's organisation.

Reads and writes go through ``jwg.service``, ``registry.measures``, ``risk.service`` and
``jwg.briefing``; forms are validated by the API's schemas, so a refusal reads the same on
both faces. Every string of the templates is translated (``web/templates/jwg``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation, User
from safecorridor.api.deps import ClockDep, SessionDep
from safecorridor.clock import today
from safecorridor.errors import InvalidInputError, NotFoundError, ServiceError, http_status, invalid
from safecorridor.i18n import LANGUAGES
from safecorridor.jwg import briefing
from safecorridor.jwg import service as jwg
from safecorridor.jwg.choices import ACTION_STATUS_LABELS, RISK_LEVEL_LABELS, ActionStatus
from safecorridor.jwg.schemas import ActionChange, ActionCreate, BriefingRequest, MeetingCreate
from safecorridor.registry import measures as rm
from safecorridor.registry.models import Route, Site
from safecorridor.risk import service as risk
from safecorridor.sharing.policy import Viewer, can_write, require_write, restrict
from safecorridor.validation import whole_number
from safecorridor.web.deps import FormData, Ident, PageUser
from safecorridor.web.errors import PageRoute
from safecorridor.web.templating import MARKINGS, render, request_locale

router = APIRouter(include_in_schema=False, route_class=PageRoute)

LABELS = {
    "statuses": ACTION_STATUS_LABELS,
    "kinds": rm.KIND_LABELS,
    "states": rm.STATE_LABELS,
    "grades": rm.GRADE_LABELS,
    "dimensions": rm.DIMENSION_LABELS,
    "levels": RISK_LEVEL_LABELS,
}


def _validated(schema: Any, data: dict[str, Any]) -> Any:
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc) from None


def _id_field(value: str, name: str) -> int | None:
    """A form's id field: None when empty, else the id, or an error naming the field (a
    "²" or a number no record has gave a 500)."""
    if not value.strip():
        return None
    number = whole_number(value)
    if number is None:
        raise InvalidInputError(f"field {name}: {value[:40]!r} is not the id of a record")
    return number


def _lines(text: str) -> list[str]:
    """The non-empty lines of a text area, all of them: the schema refuses too many or too
    long ones naming the field, where cutting them would lose a decision unseen."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _orgs(session: Session) -> list[Organisation]:
    return list(session.scalars(select(Organisation).order_by(Organisation.name)))


# --- meetings -------------------------------------------------------------------------------


@router.get("/meetings", response_class=HTMLResponse)
def meetings_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    viewer = Viewer.of(user)
    rows = jwg.list_meetings(session, viewer=viewer)
    return render(
        request,
        session,
        user,
        "jwg/meetings.html",
        meetings=rows,
        can_record=can_write(viewer, "meeting"),
        labels=LABELS,
    )


def meeting_of(form: dict[str, str]) -> MeetingCreate:
    """The meeting form as the API's body: agenda items and decisions one per line;
    delegations are the ticked organisations."""
    delegations = [
        {"organisation": int(k.removeprefix("org_")), "language": form.get(f"lang_{k[4:]}", "en")}
        for k in form
        if k.startswith("org_") and whole_number(k[4:]) is not None
    ]
    data = {
        "series": form.get("series") or "JWG on Safety and Security of CPEC",
        "number": form.get("number", ""),
        "held_on": form.get("held_on", ""),
        "venue": form.get("venue", ""),
        "chair": form.get("chair", ""),
        "summary": form.get("summary", ""),
        "tlp": form.get("tlp") or "GREEN",
        "delegations": delegations,
        "agenda": [{"title": t} for t in _lines(form.get("agenda", ""))],
        "decisions": [{"text": t} for t in _lines(form.get("decisions", ""))],
    }
    return _validated(MeetingCreate, data)  # type: ignore[no-any-return]


def _meeting_form(
    request: Request,
    session: Session,
    user: User,
    *,
    errors: list[str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        session,
        user,
        "jwg/meeting_form.html",
        status_code=status_code,
        errors=errors or [],
        values=values or {},
        orgs=_orgs(session),
        markings=MARKINGS,
        languages=LANGUAGES,
    )


@router.get("/meetings/new", response_class=HTMLResponse)
def meeting_new(request: Request, session: SessionDep, user: PageUser) -> Response:
    require_write(Viewer.of(user), "meeting")
    return _meeting_form(request, session, user)


@router.post("/meetings/new", response_class=HTMLResponse)
def meeting_create(
    request: Request, session: SessionDep, user: PageUser, form: FormData
) -> Response:
    viewer = Viewer.of(user)
    try:
        with session.begin_nested():
            m = jwg.create_meeting(session=session, meeting_in=meeting_of(form), viewer=viewer)
    except ServiceError as exc:
        return _meeting_form(
            request, session, user, errors=[str(exc)], values=form, status_code=http_status(exc)
        )
    return Response(status_code=204, headers={"HX-Redirect": f"/meetings/{m.id}"})


def _meeting_context(
    request: Request, session: Session, user: User, meeting_id: int, locale: str
) -> dict[str, Any]:
    viewer = Viewer.of(user)
    meeting = jwg.get_meeting(session, meeting_id, viewer=viewer)
    shown = jwg.meeting_public(session, meeting, viewer, locale=locale)
    return {
        "m": shown,
        "can_add": can_write(viewer, "meeting") and meeting.owner_org_id == user.organisation_id,
        "orgs": _orgs(session),
        "markings": MARKINGS,
        "labels": LABELS,
        "owner": session.get(Organisation, meeting.owner_org_id) if meeting.owner_org_id else None,
    }


@router.get("/meetings/{meeting_id}", response_class=HTMLResponse)
def meeting_page(
    request: Request, session: SessionDep, user: PageUser, meeting_id: Ident
) -> Response:
    ctx = _meeting_context(request, session, user, meeting_id, request_locale(request, user))
    return render(request, session, user, "jwg/meeting.html", **ctx)


@router.post("/meetings/{meeting_id}/decisions/{decision_id}/actions", response_class=HTMLResponse)
def meeting_add_action(
    request: Request,
    session: SessionDep,
    user: PageUser,
    meeting_id: Ident,
    decision_id: Ident,
    form: FormData,
) -> Response:
    viewer = Viewer.of(user)
    data = {
        "title": form.get("title", ""),
        "details": form.get("details", ""),
        "owner": whole_number(form.get("owner", "")) or form.get("owner", ""),
        "responsible_role": form.get("responsible_role", ""),
        "due_on": form.get("due_on", ""),
        "tlp": form.get("tlp") or None,  # the meeting's
    }
    jwg.add_action(
        session=session,
        decision_id=decision_id,
        action_in=_validated(ActionCreate, data),
        viewer=viewer,
        meeting_id=meeting_id,
    )
    return Response(status_code=204, headers={"HX-Redirect": f"/meetings/{meeting_id}"})


# --- the action board -----------------------------------------------------------------------


@router.get("/actions", response_class=HTMLResponse)
def actions_board(
    request: Request, session: SessionDep, user: PageUser, scope: str | None = None
) -> Response:
    """The organisation's own items (``scope=mine``), all the reader may read (``all``); with
    no scope, the own items, or all of them when the organisation owns none."""
    viewer = Viewer.of(user)
    mine = scope != "all"
    rows = jwg.list_actions(
        session, viewer=viewer, owner_org_id=user.organisation_id if mine else None
    )
    none_of_ours = scope is None and not rows
    if none_of_ours:
        mine = False
        rows = jwg.list_actions(session, viewer=viewer, owner_org_id=None)
    shown = jwg.actions_public(session, rows, viewer, locale=request_locale(request, user))
    columns: dict[str, list[Any]] = {str(k): [] for k in jwg.board([])}
    for a in shown:
        columns.setdefault(a.status, []).append(a)
    return render(
        request,
        session,
        user,
        "jwg/board.html",
        columns=columns,
        mine=mine,
        none_of_ours=none_of_ours,
        labels=LABELS,
        may_update={i.id: jwg.may_update_action(viewer, i) for i in rows},
        moves={str(k): [str(x) for x in v] for k, v in jwg.STATUS_MOVES.items()},
    )


@router.get("/actions/{action_id}", response_class=HTMLResponse)
def action_page(
    request: Request, session: SessionDep, user: PageUser, action_id: Ident
) -> Response:
    viewer = Viewer.of(user)
    item = jwg.get_action(session, action_id, viewer=viewer)
    shown = jwg.actions_public(
        session, [item], viewer, locale=request_locale(request, user), history=True
    )[0]
    evidence = rm.list_measures(
        session,
        viewer=viewer,
        states=[rm.MeasureState.IN_PLACE],
        owner_org_id=user.organisation_id,
        action="list",
    )
    return render(
        request,
        session,
        user,
        "jwg/action.html",
        a=shown,
        labels=LABELS,
        may_update=jwg.may_update_action(viewer, item),
        moves=[str(x) for x in jwg.STATUS_MOVES[ActionStatus(item.status)]],
        evidence_measures=evidence,
        meeting=jwg.meetings_by_id(session, [item.meeting_id], viewer).get(item.meeting_id),
    )


@router.post("/actions/{action_id}", response_class=HTMLResponse)
def action_update(
    request: Request,
    session: SessionDep,
    user: PageUser,
    clock: ClockDep,
    action_id: Ident,
    form: FormData,
) -> Response:
    viewer = Viewer.of(user)
    data: dict[str, Any] = {k: form[k] for k in ("status", "note") if form.get(k)}
    for k in ("evidence_note", "evidence_url"):
        if form.get(k):
            data[k] = form[k]
    measure = _id_field(form.get("evidence_measure_id", ""), "evidence_measure_id")
    if measure is not None:
        data["evidence_measure_id"] = measure
    jwg.update_action(
        session=session,
        action_id=action_id,
        change=_validated(ActionChange, data),
        viewer=viewer,
        today=today(clock),
    )
    target = form.get("next", "")
    url = (
        target
        if target.startswith("/") and not target.startswith("//")
        else f"/actions/{action_id}"
    )
    return Response(status_code=204, headers={"HX-Redirect": url})


# --- the register of measures -----------------------------------------------------------------


@router.get("/measures", response_class=HTMLResponse)
def measures_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    clock: ClockDep,
    site: int | None = None,
    route: int | None = None,
) -> Response:
    viewer = Viewer.of(user)
    rows = rm.list_measures(session, viewer=viewer, site_id=site, route_id=route)
    day = today(clock)
    sites = list(session.scalars(restrict(select(Site), Site, viewer).order_by(Site.name)))
    routes = list(session.scalars(restrict(select(Route), Route, viewer).order_by(Route.name)))
    by_subject: dict[tuple[str, int], list[rm.ProtectiveMeasure]] = {}
    for m in rows:
        key = ("site", m.site_id) if m.site_id is not None else ("route", m.route_id or 0)
        by_subject.setdefault(key, []).append(m)
    shown_sites = [s for s in sites if ("site", s.id) in by_subject]
    postures = risk.site_postures(session, viewer, shown_sites, as_of=day)
    return render(
        request,
        session,
        user,
        "jwg/measures.html",
        groups=by_subject,
        sites={s.id: s for s in sites},
        routes={r.id: r for r in routes},
        postures=postures,
        day=day,
        can_add=can_write(viewer, "measure"),
        own_sites=[s for s in sites if s.owner_org_id == user.organisation_id],
        own_routes=[r for r in routes if r.owner_org_id == user.organisation_id],
        kinds=[str(k) for k in rm.MeasureKind],
        states=[str(s) for s in rm.MeasureState if s != rm.MeasureState.LAPSED],
        transitions={str(k): [str(x) for x in v] for k, v in rm.TRANSITIONS.items()},
        markings=MARKINGS,
        labels=LABELS,
        filtered=site is not None or route is not None,
        user_org=user.organisation_id,
    )


@router.post("/measures/new", response_class=HTMLResponse)
def measure_create(
    request: Request, session: SessionDep, user: PageUser, clock: ClockDep, form: FormData
) -> Response:
    viewer = Viewer.of(user)
    subject = form.get("subject", "")
    kind, _, ident = subject.partition(":")
    data: dict[str, Any] = {
        "kind": form.get("kind", ""),
        "grade": form.get("grade") or "standard",
        "description": form.get("description", ""),
        "provider": form.get("provider", ""),
        "state": form.get("state") or "planned",
        "tlp": form.get("tlp") or "AMBER",
    }
    if kind in ("site", "route"):
        data[f"{kind}_id"] = _id_field(ident, "subject")
    for k in ("planned_for", "in_place_from", "strength"):
        if form.get(k):
            data[k] = form[k]
    jwg.record_measure(
        session, _validated(rm.MeasureCreate, data), viewer=viewer, today=today(clock)
    )
    return Response(status_code=204, headers={"HX-Redirect": "/measures"})


@router.post("/measures/{measure_id}/state", response_class=HTMLResponse)
def measure_state(
    request: Request,
    session: SessionDep,
    user: PageUser,
    clock: ClockDep,
    measure_id: Ident,
    form: FormData,
) -> Response:
    viewer = Viewer.of(user)
    data: dict[str, Any] = {"state": form.get("state", ""), "note": form.get("note", "")}
    if form.get("effective_on"):
        data["effective_on"] = form["effective_on"]
    rm.change_state(
        session=session,
        measure_id=measure_id,
        change=_validated(rm.MeasureChangeIn, data),
        viewer=viewer,
        today=today(clock),
    )
    return Response(status_code=204, headers={"HX-Redirect": "/measures"})


@router.get("/measures/planned", response_class=HTMLResponse)
def planned_page(
    request: Request, session: SessionDep, user: PageUser, clock: ClockDep
) -> Response:
    """Risk now and with the planned measures, per site; planned measures ranked."""
    viewer = Viewer.of(user)
    view = risk.planned_measures_view(session, viewer, as_of=today(clock))
    return render(request, session, user, "jwg/planned.html", view=view, labels=LABELS)


# --- briefing packs ---------------------------------------------------------------------------


def _briefing_context(
    session: Session, user: User, clock: Any, meeting: int | None = None
) -> dict[str, Any]:
    day = today(clock)
    viewer = Viewer.of(user)
    return {
        "packs": briefing.list_packs(session, viewer=viewer),
        "default_from": (day - timedelta(days=91)).isoformat(),
        "default_to": (day - timedelta(days=1)).isoformat(),
        "meetings": jwg.list_meetings(session, viewer=viewer)[:50],
        "languages": LANGUAGES,
    }


@router.get("/briefing", response_class=HTMLResponse)
def briefing_page(
    request: Request, session: SessionDep, user: PageUser, clock: ClockDep
) -> Response:
    return render(
        request, session, user, "jwg/briefing.html", **_briefing_context(session, user, clock)
    )


@router.post("/briefing", response_class=HTMLResponse)
def briefing_build(
    request: Request, session: SessionDep, user: PageUser, clock: ClockDep, form: FormData
) -> Response:
    """Build the pack for the reader's own organisation (the worker and the CLI build packs
    for other organisations)."""
    viewer = Viewer.of(user)
    data: dict[str, Any] = {
        "period_from": form.get("period_from", ""),
        "period_to": form.get("period_to", ""),
        "language": form.get("language") or "en",
    }
    meeting = _id_field(form.get("meeting_id", ""), "meeting_id")
    if meeting is not None:
        data["meeting_id"] = meeting
    body = _validated(BriefingRequest, data)
    pack = briefing.build_pack(
        session,
        organisation_id=user.organisation_id,
        period_from=body.period_from,
        period_to=body.period_to,
        locale=body.language,
        meeting_id=body.meeting_id,
        viewer=viewer,
        now=clock.now(),
    )
    return Response(status_code=204, headers={"HX-Redirect": f"/briefing/{pack.id}"})


@router.get("/briefing/{pack_id}.pdf")
def briefing_pdf(session: SessionDep, user: PageUser, pack_id: Ident) -> Response:
    pack = briefing.get_pack(session, pack_id, viewer=Viewer.of(user))
    if pack.pdf is None:
        raise NotFoundError(f"briefing pack {pack.id} was built without a PDF")
    return Response(
        pack.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="briefing-{pack.id}.pdf"'},
    )


@router.get("/briefing/{pack_id}", response_class=HTMLResponse)
def briefing_view(session: SessionDep, user: PageUser, pack_id: Ident) -> Response:
    """The pack itself (a document of its own, with its marking on every page)."""
    return HTMLResponse(briefing.get_pack(session, pack_id, viewer=Viewer.of(user)).html)
