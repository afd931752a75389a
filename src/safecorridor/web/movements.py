"""Web pages of journey management and alerts: the movement board, the request form, a
movement's approval view, the mobile check-in page and the user's notifications.

Every read goes through the movement service's visibility rule (``service.can_see``: the
requesting and escorting organisations, TLP sharing, escort officers for requests); every
write calls the service's transitions, whose checks (state, role, conflict of duties) decide
and whose messages are shown when they refuse. Writes are HTMX posts carrying the session's
CSRF header (``base.html``); a refused write answers the actions partial with the message.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from safecorridor.accounts.models import Organisation, User
from safecorridor.alerts import service as ar
from safecorridor.alerts.choices import Channel, RuleKind
from safecorridor.api.deps import OptionalUser, SessionDep
from safecorridor.api.problems import ProblemError
from safecorridor.api.routes import alerts as api_alerts
from safecorridor.db.base import utcnow
from safecorridor.geo import haversine_km
from safecorridor.movements import service as ms
from safecorridor.movements.checks import expected_km
from safecorridor.movements.choices import ACTIVE_STATES, MovementAction, MovementState
from safecorridor.movements.models import Movement
from safecorridor.movements.schemas import EscortAssignment, MovementCreate
from safecorridor.registry.models import Route
from safecorridor.sharing.audit import audit_reads
from safecorridor.sharing.policy import Viewer, restrict
from safecorridor.taxonomy.choices import Role
from safecorridor.web.routes import TEMPLATES, _is_htmx, _to_login, forbidden, not_found, render

router = APIRouter(include_in_schema=False)

S = MovementState
A = MovementAction
#: the actions a person takes on the approval view (check-in has its own page)
PAGE_ACTIONS = (A.SUBMIT, A.APPROVE, A.REJECT, A.START, A.CHECKIN, A.COMPLETE, A.CANCEL)
#: the actions posted to /movements/ID/<action> (check-in posts to /movements/ID/checkin)
POSTED: dict[str, MovementAction] = {
    a.value: a for a in (A.SUBMIT, A.APPROVE, A.REJECT, A.START, A.COMPLETE, A.CANCEL)
}
RECENT = 10


def _alert_count(user: User | None) -> int:
    """The user's unread in-app alerts (the header's badge), read in the page's session."""
    session = object_session(user) if user is not None else None
    if user is None or session is None:
        return 0
    return ar.unread_count(session, user)


TEMPLATES.env.globals["alert_count"] = _alert_count


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip() for k, v in form.multi_items() if isinstance(v, str)}


FormData = Annotated[dict[str, str], Depends(_form)]


# --- helpers ----------------------------------------------------------------------------------


def _visible(session: Session, user: User, movement_id: int) -> Movement | None:
    return session.scalar(select(Movement).where(Movement.id == movement_id, ms.can_see(user)))


def _visible_or(
    request: Request, session: Session, user: User, movement_id: int, *, page: bool
) -> Movement | Response:
    """The movement if ``user`` may see it, else the not-found page (``page``) or the 404
    refusal partial."""
    m = _visible(session, user, movement_id)
    if m is not None:
        return m
    message = f"No movement #{movement_id} that you may see."
    if page:
        return not_found(request, session, user, message)
    return _refusal(request, session, user, message, 404)


def point_at_km(points: list[list[float]], km: float) -> list[float] | None:
    """The point ``km`` along the polyline (its ends outside the range)."""
    if not points:
        return None
    done = 0.0
    for a, b in itertools.pairwise(points):
        seg = haversine_km(a[0], a[1], b[0], b[1])
        if seg > 0 and done + seg >= km:
            t = max(0.0, (km - done) / seg)
            return [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]
        done += seg
    return list(points[-1]) if km > 0 else list(points[0])


def _open_actions(m: Movement, user: User) -> tuple[list[str], dict[str, str]]:
    """The actions the service lets ``user`` take on ``m`` now, and the refusals worth
    showing: those of actions the state allows and the user's role normally takes."""
    allowed: list[str] = []
    refused: dict[str, str] = {}
    for action in PAGE_ACTIONS:
        try:
            ms.check_transition(m, action, user)
        except ms.StateError:
            continue
        except ms.TransitionError as exc:
            if user.role in ms.RULES[action].roles:
                refused[str(action)] = str(exc)
            continue
        allowed.append(str(action))
    return allowed, refused


def _detail_context(session: Session, m: Movement, user: User) -> dict[str, Any]:
    allowed, refused = _open_actions(m, user)
    now = utcnow()
    exp_km = expected_km(m.route_points, m.planned_departure, m.planned_arrival, now)
    blocking = [i for i in m.issues if i.get("is_blocking", True)]
    return {
        "m": m,
        "allowed": allowed,
        "refused": refused,
        "blocking": blocking,
        "owner": session.get(Organisation, m.owner_org_id),
        "escort_org": session.get(Organisation, m.escort_org_id) if m.escort_org_id else None,
        "expected_km": exp_km,
        "map_data": _map_item(m, now),
        "required_escort": int(m.required_measures.get("escort_vehicles", 0) or 0),
    }


def _map_item(m: Movement, now: datetime) -> dict[str, Any]:
    last = next((c for c in reversed(m.checkins) if c.latitude is not None), None)
    exp_km = expected_km(m.route_points, m.planned_departure, m.planned_arrival, now)
    return {
        "id": m.id,
        "name": m.route_name,
        "state": str(m.state),
        "level": m.risk_level,
        "points": m.route_points,
        "last": (
            {"lat": last.latitude, "lon": last.longitude, "at": f"{last.at:%Y-%m-%d %H:%M}"}
            if last is not None
            else None
        ),
        "expected": point_at_km(m.route_points, exp_km),
        "expected_km": round(exp_km, 1),
        "length_km": round(m.route_length_km, 1),
    }


def _refusal(
    request: Request, session: Session, user: User, message: str, status_code: int = 403
) -> Response:
    if _is_htmx(request):
        return render(
            request,
            session,
            user,
            "movements/_refused.html",
            status_code=status_code,
            message=message,
        )
    if status_code == 404:
        return not_found(request, session, user, message)
    return forbidden(request, session, user, message)


# --- the board --------------------------------------------------------------------------------


@router.get("/movements", response_class=HTMLResponse)
def board(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    """Movements by state, with a map of those on the road."""
    if user is None:
        return _to_login(request)
    rows = ms.list_movements(session, user=user, limit=500)
    audit_reads(session=session, viewer=Viewer.of(user), objs=rows, action="list")
    groups: dict[str, list[Movement]] = {
        "draft": [],
        "submitted": [],
        "approved": [],
        "on_road": [],
        "closed": [],
    }
    for m in rows:
        if m.state == S.DRAFT:
            groups["draft"].append(m)
        elif m.state == S.SUBMITTED:
            groups["submitted"].append(m)
        elif m.state == S.APPROVED:
            groups["approved"].append(m)
        elif m.state in ACTIVE_STATES:
            groups["on_road"].append(m)
        else:
            groups["closed"].append(m)
    for key in ("draft", "submitted", "approved", "on_road"):
        groups[key].sort(key=lambda m: (m.state != S.OVERDUE, m.planned_departure, m.id))
    groups["closed"] = sorted(groups["closed"], key=lambda m: m.updated_at, reverse=True)[:RECENT]
    now = utcnow()
    return render(
        request,
        session,
        user,
        "movements/board.html",
        groups=groups,
        map_items=[_map_item(m, now) for m in groups["on_road"]],
        can_request=user.role in ms.REQUEST_ROLES,
        orgs={o.id: o for o in session.scalars(select(Organisation))},
    )


# --- the request form -------------------------------------------------------------------------


def _requester(request: Request, session: Session, user: User | None) -> User | Response:
    if user is None:
        return _to_login(request)
    if user.role not in ms.REQUEST_ROLES:
        return _refusal(
            request,
            session,
            user,
            f"Your role ({user.role}) cannot request movements: requesting is for site"
            " managers (and escort officers for their own agency).",
        )
    return user


def _form_defaults() -> dict[str, str]:
    day = (datetime.now(UTC) + timedelta(days=1)).date()
    return {
        "planned_departure": datetime.combine(day, time(3, 0)).strftime("%Y-%m-%dT%H:%M"),
        "planned_arrival": datetime.combine(day, time(10, 0)).strftime("%Y-%m-%dT%H:%M"),
        "vehicle_count": "2",
        "armoured_count": "2",
        "hc_CN": "",
        "hc_PK": "",
    }


@router.get("/movements/new", response_class=HTMLResponse)
def request_form(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    who = _requester(request, session, user)
    if isinstance(who, Response):
        return who
    routes = list(
        session.scalars(restrict(select(Route), Route, Viewer.of(who)).order_by(Route.name))
    )
    return render(
        request,
        session,
        who,
        "movements/new.html",
        routes=routes,
        values=_form_defaults(),
        route_points={r.id: r.points for r in routes},
    )


def headcount_of(form: dict[str, str]) -> dict[str, int]:
    """``hc_CN=4``, ``hc_PK=2`` and ``hc_other=XX`` with ``hc_other_n=3`` as a headcount."""
    out: dict[str, int] = {}
    for key, value in form.items():
        if key.startswith("hc_") and key not in ("hc_other", "hc_other_n") and value:
            out[key[3:]] = int(value)
    if form.get("hc_other") and form.get("hc_other_n"):
        out[form["hc_other"]] = out.get(form["hc_other"], 0) + int(form["hc_other_n"])
    return {k: n for k, n in out.items() if n}


def movement_in_of(form: dict[str, str]) -> MovementCreate:
    """The request as posted by the form (the route or the drawn points)."""
    from safecorridor.web.routes import _points

    data: dict[str, Any] = {
        "purpose": form.get("purpose", ""),
        "headcount": headcount_of(form),
        "vehicle_count": form.get("vehicle_count") or "1",
        "armoured_count": form.get("armoured_count") or "0",
        "planned_departure": form.get("planned_departure", ""),
        "planned_arrival": form.get("planned_arrival", ""),
    }
    if form.get("route"):
        data["route"] = form["route"]
    elif form.get("points"):
        data["polyline"] = [list(p) for p in _points(form["points"])]
    return MovementCreate.model_validate(data)


@router.post("/movements/new", response_class=HTMLResponse)
def request_submit(
    request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    """Create the draft: the result partial shows its risk, measures and flags."""
    who = _requester(request, session, user)
    if isinstance(who, Response):
        return who
    errors: list[str] = []
    m: Movement | None = None
    try:
        movement_in = movement_in_of(form)
        with session.begin_nested():
            m = ms.request_movement(session=session, user=who, movement_in=movement_in)
    except ValidationError as exc:
        errors = [f"{'.'.join(map(str, e['loc'])) or 'request'}: {e['msg']}" for e in exc.errors()]
    except ms.RoleError as exc:
        return _refusal(request, session, who, str(exc))
    except (ms.MovementError, ValueError) as exc:
        errors = [str(exc)]
    if errors or m is None:
        return render(
            request, session, who, "movements/_requested.html", status_code=422, errors=errors
        )
    return render(
        request,
        session,
        who,
        "movements/_requested.html",
        errors=[],
        **_detail_context(session, m, who),
    )


# --- one movement -----------------------------------------------------------------------------


@router.get("/movements/{movement_id}", response_class=HTMLResponse)
def movement_page(
    request: Request, session: SessionDep, user: OptionalUser, movement_id: int
) -> Response:
    if user is None:
        return _to_login(request)
    m = _visible_or(request, session, user, movement_id, page=True)
    if isinstance(m, Response):
        return m
    audit_reads(session=session, viewer=Viewer.of(user), objs=[m])
    return render(
        request, session, user, "movements/detail.html", **_detail_context(session, m, user)
    )


def _approve(session: Session, m: Movement, user: User, form: dict[str, str]) -> None:
    escort = EscortAssignment(
        callsign=form.get("callsign", ""),
        organisation=form.get("escort_org") or None,
        vehicles=int(form.get("escort_vehicles") or 0),
        contact_email=form.get("contact_email") or None,
    )
    ms.approve_movement(
        session=session,
        movement_id=m.id,
        user=user,
        escort=escort,
        note=form.get("note") or None,
        override_reason=form.get("override_reason") or None,
    )


ACTIONS: dict[MovementAction, Callable[[Session, Movement, User, dict[str, str]], Any]] = {
    A.SUBMIT: lambda s, m, u, f: ms.submit_movement(session=s, movement_id=m.id, user=u),
    A.APPROVE: _approve,
    A.REJECT: lambda s, m, u, f: ms.reject_movement(
        session=s, movement_id=m.id, user=u, reason=f.get("reason", "")
    ),
    A.START: lambda s, m, u, f: ms.start_movement(session=s, movement_id=m.id, user=u),
    A.COMPLETE: lambda s, m, u, f: ms.complete_movement(
        session=s, movement_id=m.id, user=u, note=f.get("note") or None
    ),
    A.CANCEL: lambda s, m, u, f: ms.cancel_movement(
        session=s, movement_id=m.id, user=u, reason=f.get("reason") or None
    ),
}


@router.post("/movements/{movement_id}/{action}", response_class=HTMLResponse)
def movement_action(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    movement_id: int,
    action: str,
    form: FormData,
) -> Response:
    """Take a transition; refused ones answer the actions partial with the service's
    message (403 for the role, 422 for the state or the plan)."""
    if user is None:
        return _to_login(request)
    if action == "checkin":
        return checkin_submit(request, session, user, movement_id, form)
    act = POSTED.get(action)
    if act is None:
        return not_found(request, session, user, f"No action {action!r} on movements.")
    rule = ms.RULES[act]
    decides = act in (A.APPROVE, A.REJECT)  # the others are also the requester's
    if user.role not in rule.roles and (decides or user.role not in ms.REQUEST_ROLES):
        return _refusal(
            request,
            session,
            user,
            f"Your role ({user.role}) cannot {act} movements: {act} is for {rule.who}.",
        )
    m = _visible_or(request, session, user, movement_id, page=False)
    if isinstance(m, Response):
        return m
    error: str | None = None
    status = 200
    try:
        with session.begin_nested():
            ACTIONS[act](session, m, user, form)
    except ValidationError as exc:
        error = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        status = 422
    except ms.RoleError as exc:
        error, status = str(exc), 403
    except (ms.MovementError, ValueError) as exc:
        error, status = str(exc), 422
    if error is None:
        return Response(status_code=204, headers={"HX-Redirect": f"/movements/{movement_id}"})
    session.refresh(m)
    return render(
        request,
        session,
        user,
        "movements/_actions.html",
        status_code=status,
        error=error,
        failed=str(act),
        form=form,
        **_detail_context(session, m, user),
    )


# --- check-in ---------------------------------------------------------------------------------


@router.get("/movements/{movement_id}/checkin", response_class=HTMLResponse)
def checkin_page(
    request: Request, session: SessionDep, user: OptionalUser, movement_id: int
) -> Response:
    if user is None:
        return _to_login(request)
    m = _visible_or(request, session, user, movement_id, page=True)
    if isinstance(m, Response):
        return m
    allowed, refused = _open_actions(m, user)
    return render(
        request,
        session,
        user,
        "movements/checkin.html",
        m=m,
        can_checkin="checkin" in allowed,
        refusal=refused.get("checkin"),
    )


def checkin_submit(
    request: Request, session: Session, user: User, movement_id: int, form: dict[str, str]
) -> Response:
    m = _visible_or(request, session, user, movement_id, page=False)
    if isinstance(m, Response):
        return m
    error: str | None = None
    status = 201
    ci = None
    try:
        lat = float(form["latitude"]) if form.get("latitude") else None
        lon = float(form["longitude"]) if form.get("longitude") else None
        with session.begin_nested():
            ci = ms.check_in(
                session=session,
                movement_id=m.id,
                user=user,
                latitude=lat,
                longitude=lon,
                note=form.get("note") or None,
            )
    except ms.RoleError as exc:
        error, status = str(exc), 403
    except (ms.MovementError, ValueError) as exc:
        error, status = str(exc), 422
    return render(
        request,
        session,
        user,
        "movements/_checked_in.html",
        status_code=status,
        m=m,
        ci=ci,
        error=error,
    )


# --- alerts -----------------------------------------------------------------------------------


def _alerts_context(session: Session, user: User) -> dict[str, Any]:
    return {
        "notes": ar.inbox(session, user)[:200],
        "rules": ar.list_rules(session, user.organisation_id),
        "can_add_rule": user.role == Role.ADMIN,
        "kinds": [str(k) for k in RuleKind],
        "channels": [str(c) for c in Channel],
        "roles": [str(r) for r in Role],
    }


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    if user is None:
        return _to_login(request)
    return render(request, session, user, "alerts/index.html", **_alerts_context(session, user))


@router.get("/alerts/count", response_class=HTMLResponse)
def alerts_count(request: Request, session: SessionDep, user: OptionalUser) -> Response:
    if user is None:
        return Response(status_code=204)
    return render(request, session, user, "alerts/_count.html")


@router.post("/alerts/{alert_id}/ack", response_class=HTMLResponse)
def alerts_ack(
    request: Request, session: SessionDep, user: OptionalUser, alert_id: int
) -> Response:
    if user is None:
        return _to_login(request)
    try:
        ar.acknowledge(session, alert_id=alert_id, user=user)
    except ar.AcknowledgeError as exc:
        return _refusal(request, session, user, str(exc), 404)
    note = next((n for n in ar.inbox(session, user) if n.alert_id == alert_id), None)
    if note is None:  # an organisation's alert acknowledged outside the user's inbox
        return Response(status_code=204, headers={"HX-Trigger": "alerts-changed"})
    return render(
        request,
        session,
        user,
        "alerts/_notification.html",
        headers={"HX-Trigger": "alerts-changed"},
        n=note,
    )


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]


@router.post("/alerts/rules", response_class=HTMLResponse)
def alerts_add_rule(
    request: Request, session: SessionDep, user: OptionalUser, form: FormData
) -> Response:
    """Add a rule through the API's route function (its role check: admins)."""
    if user is None:
        return _to_login(request)
    params: dict[str, Any] = {}
    if form.get("km"):
        params["km"] = form["km"]
    if form.get("hours"):
        params["hours"] = form["hours"]
    error: str | None = None
    status = 200
    try:
        body = api_alerts.RuleCreate(
            kind=form.get("kind", ""),
            name=form.get("name") or None,
            params=params,
            channels=[c for c in (str(x) for x in Channel) if form.get(f"channel_{c}")]
            or [str(Channel.IN_APP)],
            recipient_roles=[r for r in (str(x) for x in Role) if form.get(f"role_{r}")],
            emails=_split(form.get("emails", "")),
            webhook_url=form.get("webhook_url") or None,
        )
        with session.begin_nested():
            api_alerts.add_rule(session, user, body)
    except ValidationError as exc:
        error = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        status = 422
    except ProblemError as exc:
        error, status = exc.detail, exc.status
    return render(
        request,
        session,
        user,
        "alerts/_rules.html",
        status_code=status,
        error=error,
        **_alerts_context(session, user),
    )


__all__ = ["board", "headcount_of", "movement_in_of", "point_at_km", "router"]
