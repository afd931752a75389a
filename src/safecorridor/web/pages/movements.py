"""Web pages of journey management: the movement board, the request form, a movement's
approval view and the mobile check-in page.

Every read goes through the movement service's visibility rule (``service.can_see``: the
requesting and escorting organisations, TLP sharing, escort officers for requests); every
write calls the service's transitions, whose checks (state, role, conflict of duties) decide
and whose messages are shown when they refuse (with the status the API gives the same
refusal). Writes are HTMX posts carrying the session's CSRF header (``base.html``); a refused
write answers the actions partial with the message.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation, User
from safecorridor.api.deps import ClockDep, SessionDep
from safecorridor.clock import Clock, naive_now
from safecorridor.errors import ForbiddenError, NotFoundError, ServiceError, http_status, invalid
from safecorridor.geo import haversine_km
from safecorridor.movements import service as ms
from safecorridor.movements.checks import expected_km
from safecorridor.movements.choices import ACTIVE_STATES, MovementAction, MovementState
from safecorridor.movements.models import Movement
from safecorridor.movements.schemas import EscortAssignment, MovementCreate
from safecorridor.registry.models import Route
from safecorridor.registry.service import parse_points
from safecorridor.sharing.audit import audit_reads
from safecorridor.sharing.policy import Viewer, restrict
from safecorridor.validation import whole_number
from safecorridor.web.deps import FormData, Ident, PageUser
from safecorridor.web.errors import PageRoute
from safecorridor.web.templating import render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

S = MovementState
A = MovementAction
#: the actions a person takes on the approval view (check-in has its own page)
PAGE_ACTIONS = (A.SUBMIT, A.APPROVE, A.REJECT, A.START, A.CHECKIN, A.COMPLETE, A.CANCEL)
#: the actions posted to /movements/ID/<action> (check-in posts to /movements/ID/checkin)
POSTED: dict[str, MovementAction] = {
    a.value: a for a in (A.SUBMIT, A.APPROVE, A.REJECT, A.START, A.COMPLETE, A.CANCEL)
}
RECENT = 10


# --- helpers ----------------------------------------------------------------------------------


def _visible(session: Session, user: User, movement_id: int) -> Movement:
    """The movement if ``user`` may see it (else a not-found refusal)."""
    m = session.scalar(select(Movement).where(Movement.id == movement_id, ms.can_see(user)))
    if m is None:
        raise NotFoundError(f"no movement with id {movement_id} that you may see")
    return m


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


def _detail_context(session: Session, m: Movement, user: User, clock: Clock) -> dict[str, Any]:
    allowed, refused = _open_actions(m, user)
    now = naive_now(clock)
    shown = ms.risk_seen_by(session, m, user)
    exp_km = expected_km(m.route_points, m.planned_departure, m.planned_arrival, now)
    blocking = [i for i in shown["issues"] if i.get("is_blocking", True)]
    return {
        "m": m,
        "allowed": allowed,
        "refused": refused,
        "blocking": blocking,
        "owner": session.get(Organisation, m.owner_org_id),
        "escort_org": session.get(Organisation, m.escort_org_id) if m.escort_org_id else None,
        "expected_km": exp_km,
        "map_data": _map_item(m, now, user, shown["level"]),
        "shown": shown,
        "required_escort": int(shown["measures"].get("escort_vehicles", 0) or 0),
    }


def _map_item(m: Movement, now: datetime, user: User, level: str | None = None) -> dict[str, Any]:
    last = next((c for c in reversed(m.checkins) if c.latitude is not None), None)
    exp_km = expected_km(m.route_points, m.planned_departure, m.planned_arrival, now)
    return {
        "id": m.id,
        "name": m.route_name,
        "state": str(m.state),
        "level": level or ms.stored_level_for(m, user),
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


# --- the board --------------------------------------------------------------------------------


@router.get("/movements", response_class=HTMLResponse)
def board(request: Request, session: SessionDep, user: PageUser, clock: ClockDep) -> Response:
    """Movements by state, with a map of those on the road."""
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
    now = naive_now(clock)
    open_rows = [m for key in ("on_road", "submitted", "approved", "draft") for m in groups[key]]
    levels = ms.levels_seen_by(session, open_rows, user)  # the road's first
    return render(
        request,
        session,
        user,
        "movements/board.html",
        groups=groups,
        map_items=[_map_item(m, now, user, levels.get(m.id)) for m in groups["on_road"]],
        levels=levels,
        can_request=user.role in ms.REQUEST_ROLES,
        orgs={o.id: o for o in session.scalars(select(Organisation))},
    )


# --- the request form -------------------------------------------------------------------------


def _requester(user: User) -> User:
    ms.require_requester(user)
    return user


def _form_defaults(clock: Clock) -> dict[str, str]:
    day = (clock.now().astimezone(UTC) + timedelta(days=1)).date()
    return {
        "planned_departure": datetime.combine(day, time(3, 0)).strftime("%Y-%m-%dT%H:%M"),
        "planned_arrival": datetime.combine(day, time(10, 0)).strftime("%Y-%m-%dT%H:%M"),
        "vehicle_count": "2",
        "armoured_count": "2",
        "hc_CN": "",
        "hc_PK": "",
    }


@router.get("/movements/new", response_class=HTMLResponse)
def request_form(
    request: Request, session: SessionDep, user: PageUser, clock: ClockDep
) -> Response:
    who = _requester(user)
    routes = list(
        session.scalars(restrict(select(Route), Route, Viewer.of(who)).order_by(Route.name))
    )
    return render(
        request,
        session,
        who,
        "movements/new.html",
        routes=routes,
        values=_form_defaults(clock),
        route_points={r.id: r.points for r in routes},
    )


def headcount_of(form: dict[str, str]) -> dict[str, int]:
    """``hc_CN=4``, ``hc_PK=2`` and ``hc_other=XX`` with ``hc_other_n=3`` as a headcount
    (the request schema checks the totals)."""

    def count(key: str, value: str) -> int:
        number = whole_number(value)
        if number is None:
            raise ms.MovementError(f"field headcount.{key}: {value!r} is not a whole number")
        return number

    out: dict[str, int] = {}
    for key, value in form.items():
        if key.startswith("hc_") and key not in ("hc_other", "hc_other_n") and value:
            out[key[3:]] = count(key[3:], value)
    if form.get("hc_other") and form.get("hc_other_n"):
        other = form["hc_other"]
        out[other] = out.get(other, 0) + count(other, form["hc_other_n"])
    return {k: n for k, n in out.items() if n}


def movement_in_of(form: dict[str, str]) -> MovementCreate:
    """The request as posted by the form (the route or the drawn points), validated by the
    API's schema."""
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
        data["polyline"] = [list(p) for p in parse_points(form["points"])]
    try:
        return MovementCreate.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc) from None


@router.post("/movements/new", response_class=HTMLResponse)
def request_submit(
    request: Request, session: SessionDep, user: PageUser, clock: ClockDep, form: FormData
) -> Response:
    """Create the draft: the result partial shows its risk, measures and flags."""
    who = user
    try:
        movement_in = movement_in_of(form)
        with session.begin_nested():
            m = ms.request_movement(
                session=session, user=who, movement_in=movement_in, now=naive_now(clock)
            )
    except ForbiddenError:
        raise
    except ServiceError as exc:
        return render(
            request,
            session,
            who,
            "movements/_requested.html",
            status_code=http_status(exc),
            errors=[str(exc)],
        )
    return render(
        request,
        session,
        who,
        "movements/_requested.html",
        errors=[],
        **_detail_context(session, m, who, clock),
    )


# --- one movement -----------------------------------------------------------------------------


@router.get("/movements/{movement_id}", response_class=HTMLResponse)
def movement_page(
    request: Request, session: SessionDep, user: PageUser, clock: ClockDep, movement_id: Ident
) -> Response:
    m = _visible(session, user, movement_id)
    audit_reads(session=session, viewer=Viewer.of(user), objs=[m])
    return render(
        request, session, user, "movements/detail.html", **_detail_context(session, m, user, clock)
    )


def _approve(session: Session, m: Movement, user: User, form: dict[str, str]) -> None:
    try:
        escort = EscortAssignment.model_validate(
            {
                "callsign": form.get("callsign", ""),
                "organisation": form.get("escort_org") or None,
                "vehicles": form.get("escort_vehicles") or 0,
                "contact_email": form.get("contact_email") or None,
            }
        )
    except ValidationError as exc:
        raise invalid(exc, prefix="escort: ") from None
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
    user: PageUser,
    clock: ClockDep,
    movement_id: Ident,
    action: str,
    form: FormData,
) -> Response:
    """Take a transition; refused ones answer the actions partial with the service's
    message and the API's status (403 for the role, 409 for the state, 422 for the plan)."""
    if action == "checkin":
        return checkin_submit(request, session, user, movement_id, form)
    act = POSTED.get(action)
    if act is None:
        raise NotFoundError(f"no action {action!r} on movements")
    m = _visible(session, user, movement_id)
    try:
        with session.begin_nested():
            ACTIONS[act](session, m, user, form)
    except ServiceError as exc:
        session.refresh(m)
        return render(
            request,
            session,
            user,
            "movements/_actions.html",
            status_code=http_status(exc),
            error=str(exc),
            failed=str(act),
            form=form,
            **_detail_context(session, m, user, clock),
        )
    return Response(status_code=204, headers={"HX-Redirect": f"/movements/{movement_id}"})


# --- check-in ---------------------------------------------------------------------------------


@router.get("/movements/{movement_id}/checkin", response_class=HTMLResponse)
def checkin_page(
    request: Request, session: SessionDep, user: PageUser, movement_id: Ident
) -> Response:
    m = _visible(session, user, movement_id)
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
    m = _visible(session, user, movement_id)
    error: str | None = None
    status = 201
    ci = None
    try:
        try:
            lat = float(form["latitude"]) if form.get("latitude") else None
            lon = float(form["longitude"]) if form.get("longitude") else None
        except ValueError:
            raise ms.MovementError(
                "a check-in position is two numbers: latitude, longitude"
            ) from None
        with session.begin_nested():
            ci = ms.check_in(
                session=session,
                movement_id=m.id,
                user=user,
                latitude=lat,
                longitude=lon,
                note=form.get("note") or None,
            )
    except ServiceError as exc:
        error, status = str(exc), http_status(exc)
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
