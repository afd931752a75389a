"""/api/v1/movements: request, decide, start, check in, complete and cancel movements.

The same services as the CLI (safecorridor.movements.service): every transition is checked
for state and role there; a refused role answers 403, a refused state 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import User
from safecorridor.api.deps import ClockDep, CurrentUser, SessionDep
from safecorridor.api.problems import ProblemError, responses
from safecorridor.clock import naive_now
from safecorridor.movements import service as ms
from safecorridor.movements.models import Movement
from safecorridor.movements.schemas import EscortAssignment, MovementCreate

router = APIRouter(tags=["movements"], responses=responses(401, 403, 404, 409, 422))

MovementId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class MovementPublic(BaseModel):
    """A movement with its risk, required measures, issues, escort and state."""

    id: int
    state: str
    owner_org_id: int
    requested_by: str
    purpose: str
    headcount: dict[str, int]
    route_id: int | None
    route_name: str
    route_points: list[list[float]]
    route_length_km: float
    vehicle_count: int
    armoured_count: int
    planned_departure: datetime
    planned_arrival: datetime
    risk_level: str | None
    risk_score: float | None
    risk_as_of: Any = None
    required_measures: dict[str, Any]
    issues: list[dict[str, Any]]
    escort_callsign: str | None
    escort_org_id: int | None
    escort_vehicles: int
    decision_note: str | None
    last_checkin_at: datetime | None
    overdue_since: datetime | None
    history: list[dict[str, Any]] = Field(default_factory=list)
    checkins: list[dict[str, Any]] = Field(default_factory=list)


class MovementsPublic(BaseModel):
    data: list[MovementPublic]
    count: int


class Decision(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


class Approval(BaseModel):
    escort: EscortAssignment
    note: str | None = Field(default=None, max_length=2000)
    override_reason: str | None = Field(default=None, max_length=2000)


class CheckInCreate(BaseModel):
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    note: str | None = Field(default=None, max_length=2000)


def public(
    m: Movement,
    *,
    user: User,
    session: Session | None = None,
    detail: bool = False,
    listed: dict[str, Any] | None = None,
) -> MovementPublic:
    """The movement as ``user`` may see it: its risk figures are those of their organisation
    (the request's stored figure for the requester's organisation, the approval's for the
    approver's; computed from what they may read on a detail view for anyone else). A list
    passes the figures it shows (``listed``: :func:`ms.listed_risks`)."""
    data: dict[str, Any] = {k: getattr(m, k, None) for k in MovementPublic.model_fields}
    data["requested_by"] = m.requested_by.email
    if session is not None and detail:
        data.update(ms.shown_risk(session, m, user))
    else:
        data.update(listed or {})
    data["history"] = (
        [
            {
                "at": t.at,
                "action": t.action,
                "from_state": t.from_state,
                "to_state": t.to_state,
                "by": t.actor,
                "note": t.note,
            }
            for t in m.transitions
        ]
        if detail
        else []
    )
    data["checkins"] = (
        [
            {
                "at": c.at,
                "latitude": c.latitude,
                "longitude": c.longitude,
                "note": c.note,
                "km_along": c.km_along,
                "expected_km": c.expected_km,
                "by": c.actor,
            }
            for c in m.checkins
        ]
        if detail
        else []
    )
    return MovementPublic.model_validate(data)


def _visible(session: Any, user: Any, movement_id: int) -> Movement:
    m = session.scalar(select(Movement).where(Movement.id == movement_id, ms.can_see(user)))
    if m is None:
        raise ProblemError(404, f"no movement with id {movement_id} that you may see")
    return m  # type: ignore[no-any-return]


def _act(fn: Any, **kw: Any) -> Any:
    try:
        return fn(**kw)
    except ms.RoleError as exc:
        raise ProblemError(403, str(exc)) from None
    except ms.TransitionError as exc:
        raise ProblemError(409, str(exc)) from None
    except ms.MovementNotFoundError as exc:
        raise ProblemError(404, str(exc)) from None
    except (ms.MovementError, ValueError) as exc:
        raise ProblemError(422, str(exc)) from None


def _act_on(session: Any, user: Any, movement_id: int, fn: Any, **kw: Any) -> Any:
    """:func:`_act` on a movement the user may see (404 otherwise)."""
    _visible(session, user, movement_id)
    return _act(fn, session=session, movement_id=movement_id, user=user, **kw)


@router.get("/api/v1/movements", response_model=MovementsPublic, summary="List movements")
def list_movements(
    session: SessionDep,
    user: CurrentUser,
    state: Annotated[str | None, Query(description="Only this state.")] = None,
) -> MovementsPublic:
    """Movements you may see: your organisation's, those it escorts, and (escort officers)
    every submitted request."""
    rows = _act(ms.list_movements, session=session, user=user, state=state)
    risks = ms.listed_risks(session, rows, user)
    return MovementsPublic(
        data=[public(m, user=user, listed=risks[m.id]) for m in rows], count=len(rows)
    )


@router.post("/api/v1/movements", response_model=MovementPublic, status_code=201, summary="Request")
def request_movement(
    session: SessionDep,
    user: CurrentUser,
    clock: ClockDep,
    movement_in: MovementCreate,
    submit: Annotated[bool, Query(description="Submit for approval at once.")] = False,
) -> MovementPublic:
    """Request a movement; the route risk as of the departure and the measures the policy
    requires are computed, and what the plan does not meet is listed in ``issues``. A
    departure already past or more than a year ahead is refused."""
    m = _act(
        ms.request_movement,
        session=session,
        user=user,
        movement_in=movement_in,
        now=naive_now(clock),
    )
    if submit:
        _act(ms.submit_movement, session=session, movement_id=m.id, user=user)
    return public(m, user=user, session=session, detail=True)


@router.get("/api/v1/movements/{movement_id}", response_model=MovementPublic, summary="Get")
def get_movement(session: SessionDep, user: CurrentUser, movement_id: MovementId) -> MovementPublic:
    return public(_visible(session, user, movement_id), user=user, session=session, detail=True)


@router.post("/api/v1/movements/{movement_id}/submit", response_model=MovementPublic)
def submit(session: SessionDep, user: CurrentUser, movement_id: MovementId) -> MovementPublic:
    m = _act_on(session, user, movement_id, ms.submit_movement)
    return public(m, user=user, session=session, detail=True)


@router.post("/api/v1/movements/{movement_id}/approve", response_model=MovementPublic)
def approve(
    session: SessionDep, user: CurrentUser, movement_id: MovementId, body: Approval
) -> MovementPublic:
    m = _act_on(
        session,
        user,
        movement_id,
        ms.approve_movement,
        escort=body.escort,
        note=body.note,
        override_reason=body.override_reason,
    )
    return public(m, user=user, session=session, detail=True)


@router.post("/api/v1/movements/{movement_id}/reject", response_model=MovementPublic)
def reject(
    session: SessionDep, user: CurrentUser, movement_id: MovementId, body: Decision
) -> MovementPublic:
    m = _act_on(session, user, movement_id, ms.reject_movement, reason=body.reason or "")
    return public(m, user=user, session=session, detail=True)


@router.post("/api/v1/movements/{movement_id}/start", response_model=MovementPublic)
def start(session: SessionDep, user: CurrentUser, movement_id: MovementId) -> MovementPublic:
    m = _act_on(session, user, movement_id, ms.start_movement)
    return public(m, user=user, session=session, detail=True)


@router.post("/api/v1/movements/{movement_id}/complete", response_model=MovementPublic)
def complete(
    session: SessionDep, user: CurrentUser, movement_id: MovementId, body: Decision | None = None
) -> MovementPublic:
    m = _act_on(
        session, user, movement_id, ms.complete_movement, note=body.reason if body else None
    )
    return public(m, user=user, session=session, detail=True)


@router.post("/api/v1/movements/{movement_id}/cancel", response_model=MovementPublic)
def cancel(
    session: SessionDep, user: CurrentUser, movement_id: MovementId, body: Decision | None = None
) -> MovementPublic:
    m = _act_on(
        session, user, movement_id, ms.cancel_movement, reason=body.reason if body else None
    )
    return public(m, user=user, session=session, detail=True)


@router.post(
    "/api/v1/movements/{movement_id}/checkins", response_model=MovementPublic, status_code=201
)
def checkin(
    session: SessionDep, user: CurrentUser, movement_id: MovementId, body: CheckInCreate
) -> MovementPublic:
    """Check in (position and note); an overdue movement is back under way."""
    ci = _act_on(
        session,
        user,
        movement_id,
        ms.check_in,
        latitude=body.latitude,
        longitude=body.longitude,
        note=body.note,
    )
    return public(ci.movement, user=user, session=session, detail=True)
