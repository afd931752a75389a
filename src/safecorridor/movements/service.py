"""Movement life cycle: request, submit, approve or reject, start, check in, complete, cancel,
and the worker's overdue and escalation transitions.

Every transition is checked (state and role), applied with a conditional UPDATE on the
state it leaves (so two concurrent actors cannot both move it), kept in
``movement_transitions`` and appended to the audit chain. Every function takes ``now``
(default: the current UTC time) so callers and tests control the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation, User
from safecorridor.db.base import utcnow
from safecorridor.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from safecorridor.geo import MIN_ROUTE_KM, polyline_length_km
from safecorridor.movements.access import can_see as can_see  # (re-exported)
from safecorridor.movements.checks import (
    Issue,
    MovementPolicy,
    expected_km,
    movement_policy,
    overdue_reason,
    plan_issues,
    project_on_route,
)
from safecorridor.movements.choices import (
    ACTIVE_STATES,
    FINAL_STATES,
    MovementAction,
    MovementState,
)
from safecorridor.movements.models import CheckIn, Movement, MovementTransition
from safecorridor.movements.schemas import EscortAssignment, MovementCreate, naive_utc
from safecorridor.registry import service as registry
from safecorridor.registry.models import Route, Site
from safecorridor.risk.policies import active_policy
from safecorridor.risk.policy import Policy
from safecorridor.risk.service import polyline_risk, routes_surfaces
from safecorridor.risk.surface import ThreatSurface
from safecorridor.sharing.audit import audit_write
from safecorridor.sharing.policy import Viewer
from safecorridor.taxonomy.choices import Role

S = MovementState
A = MovementAction


class MovementError(InvalidInputError):
    """A movement request or change that cannot be made; the message says why."""


class MovementNotFoundError(NotFoundError, MovementError):
    """No movement with that id (or none the user may see)."""


class TransitionError(MovementError):
    """A transition refused: wrong state, wrong role, or a conflict of duties."""


class RoleError(ForbiddenError, TransitionError):
    """The user's role or organisation may not take this action (or it is their own)."""


class StateError(ConflictError, TransitionError):
    """The movement is not in a state the action leaves (or it changed meanwhile)."""


@dataclass(frozen=True)
class Rule:
    """Which states an action leaves and where it leads, and who may take it."""

    from_states: tuple[MovementState, ...]
    to_state: MovementState | None  # None: the state does not change (check-in)
    roles: tuple[Role, ...]
    who: str


#: the state machine: draft → submitted → approved | rejected → under_way → completed,
#: plus cancelled and overdue
RULES: dict[MovementAction, Rule] = {
    A.SUBMIT: Rule(
        (S.DRAFT,), S.SUBMITTED, (Role.SITE_MANAGER,), "the requesting organisation's site manager"
    ),
    A.APPROVE: Rule(
        (S.SUBMITTED,), S.APPROVED, (Role.ESCORT_OFFICER,), "an escort officer (not the requester)"
    ),
    A.REJECT: Rule(
        (S.SUBMITTED,), S.REJECTED, (Role.ESCORT_OFFICER,), "an escort officer (not the requester)"
    ),
    A.START: Rule(
        (S.APPROVED,),
        S.UNDER_WAY,
        (Role.SITE_MANAGER,),
        "the requesting organisation's site manager",
    ),
    A.COMPLETE: Rule(
        ACTIVE_STATES,
        S.COMPLETED,
        (Role.SITE_MANAGER,),
        "the requesting organisation's site manager",
    ),
    A.CANCEL: Rule(
        (S.DRAFT, S.SUBMITTED, S.APPROVED),
        S.CANCELLED,
        (Role.SITE_MANAGER,),
        "the requesting organisation's site manager",
    ),
    A.CHECKIN: Rule(
        ACTIVE_STATES,
        None,
        (Role.SITE_MANAGER, Role.ESCORT_OFFICER),
        "the requesting organisation's site manager or the escort's officers",
    ),
}
REQUEST_ROLES = (Role.SITE_MANAGER, Role.ESCORT_OFFICER)


def _now(now: datetime | None) -> datetime:
    return naive_utc(now) if now is not None else utcnow()


def _states(states: Iterable[str]) -> str:
    return " or ".join(f"'{s}'" for s in states)


# --- audit --------------------------------------------------------------------------------


def record_audit(
    session: Session, *, user: User | None, action: str, movement: Movement, actor: str = "worker"
) -> None:
    """Append the change of ``movement`` to the audit chain (in the caller's transaction)."""
    audit_write(
        session=session,
        viewer=Viewer.of(user) if user is not None else None,
        action=action,
        obj=movement,
        actor=None if user is not None else actor,
    )


# --- look-ups -----------------------------------------------------------------------------


def get_user(session: Session, email: str) -> User:
    user = session.scalars(select(User).where(func.lower(User.email) == email.lower())).first()
    if user is None:
        raise MovementError(f"no user {email!r}")
    if not user.is_active:
        raise MovementError(f"user {email!r} is not active")
    return user


def get_movement(session: Session, movement_id: int, *, user: User | None = None) -> Movement:
    """The movement (``user`` given: only one they may see; another is "no movement", as one
    that does not exist)."""
    if user is None:
        m = session.get(Movement, movement_id)
    else:
        m = session.scalar(select(Movement).where(Movement.id == movement_id, can_see(user)))
    if m is None:
        raise MovementNotFoundError(f"no movement {movement_id}")
    return m


def _viewer(user: User) -> Viewer:
    return Viewer.of(user)


def list_movements(
    session: Session, *, user: User | None = None, state: str | None = None, limit: int = 200
) -> list[Movement]:
    """Movements newest departure first (``user`` None: every movement, for the server)."""
    stmt = select(Movement).order_by(Movement.planned_departure.desc(), Movement.id.desc())
    if user is not None:
        stmt = stmt.where(can_see(user))
    if state:
        stmt = stmt.where(Movement.state == MovementState(state))
    return list(session.scalars(stmt.limit(limit)))


def require_requester(user: User) -> None:
    """Refuse unless ``user``'s role requests movements."""
    if user.role not in REQUEST_ROLES:
        raise RoleError(
            f"{user.email} ({user.role}) cannot request a movement: requesting is for site"
            " managers (and escort officers for their own agency)"
        )


def _find_named(session: Session, model: type[Any], ref: str, user: User) -> Any:
    """A site or route by id or name, among those ``user`` may read (a refusal never names a
    record they may not read)."""
    try:
        return registry.find_named(session, model, ref, viewer=_viewer(user))
    except registry.LookupFailedError as exc:
        raise MovementError(str(exc)) from None


# --- risk ---------------------------------------------------------------------------------


def assess(
    session: Session,
    *,
    reader: User | Viewer | None,
    points: list[list[float]],
    name: str,
    route_id: int | None,
    as_of: date,
    policy: Policy,
    surface: ThreatSurface | None = None,
) -> dict[str, Any]:
    """The route risk as of ``as_of``, from the incidents ``reader`` may read
    (RouteRisk.to_dict()); ``reader=None`` is a trusted caller that counts every incident;
    ``surface``: one built for ``reader`` on ``as_of`` over a box holding the route."""
    risk = polyline_risk(
        session,
        _viewer(reader) if isinstance(reader, User) else reader,
        points=points,
        name=name,
        route_id=route_id,
        as_of=as_of,
        policy=policy,
        surface=surface,
    )
    return risk.to_dict()


def _apply_risk(session: Session, m: Movement, policy: Policy, user: User) -> None:
    """The route risk as of the departure, as the requester's organisation sees it: from
    what every member may read, not the requester's own RED grants (the figure is shown to
    the whole organisation)."""
    as_of = m.planned_departure.date()
    risk = assess(
        session,
        reader=Viewer.for_organisation(user.organisation_id),
        points=m.route_points,
        name=m.route_name,
        route_id=m.route_id,
        as_of=as_of,
        policy=policy,
    )
    m.risk_as_of = as_of
    m.risk_level = str(risk["level"])
    m.risk_score = float(risk["score"])
    m.risk_details = risk
    m.required_measures = dict(risk["measures"])
    m.policy_version = policy.version
    m.policy_sha256 = policy.sha256
    m.issues = [i.to_dict() for i in _issues(m, movement_policy(policy), escort=None)]


def approval_org_id(m: Movement) -> int | None:
    """The organisation whose view the stored approval figure is: the approving officer's.
    Not the escort organisation they name: that one may not read what the approver read."""
    if m.approval_risk_level is None or m.decided_by is None:
        return None
    return m.decided_by.organisation_id


def stored_level_for(m: Movement, user: User) -> str | None:
    """The stored risk level ``user`` may be shown without computing one (lists, maps): the
    request's for the requesting organisation, the approval's for the approving one, else
    None (the movement's page computes one from what ``user`` may read)."""
    if user.organisation_id == m.owner_org_id:
        return m.risk_level
    if user.organisation_id == approval_org_id(m):
        return m.approval_risk_level
    return None


def listed_risks(session: Session, rows: list[Movement], user: User) -> dict[int, dict[str, Any]]:
    """The risk figures a list shows ``user`` of each movement, by id: all the stored ones
    for the requesting organisation; for anyone else only the level the board and the
    movement's page show them (:func:`levels_seen_by`: the one stored for their organisation,
    else one computed from what they may read), no score, measures or issues (those come
    from what the requester may read; a movement's page computes them for ``user``)."""
    levels = levels_seen_by(session, rows, user)
    out: dict[int, dict[str, Any]] = {}
    for m in rows:
        if user.organisation_id == m.owner_org_id:
            out[m.id] = {
                "risk_level": m.risk_level,
                "risk_score": m.risk_score,
                "required_measures": m.required_measures,
                "issues": m.issues,
            }
        else:
            out[m.id] = {
                "risk_level": levels[m.id],
                "risk_score": None,
                "required_measures": {},
                "issues": [],
            }
    return out


def shown_risk(session: Session, m: Movement, user: User) -> dict[str, Any]:
    """The risk figures a movement's own view shows ``user`` (:func:`risk_seen_by`), under
    the movement's own field names, as :func:`listed_risks` gives a list's."""
    seen = risk_seen_by(session, m, user)
    return {
        "risk_level": seen["level"],
        "risk_score": seen["score"],
        "risk_as_of": seen["as_of"],
        "required_measures": seen["measures"],
        "issues": seen["issues"],
    }


#: the most movements a list computes a level for (those with no stored figure for the
#: reader); beyond, the list shows none and the movement's page computes it
LIST_LEVELS = 60


def levels_seen_by(
    session: Session, rows: list[Movement], user: User, *, policy: Policy | None = None
) -> dict[int, str | None]:
    """The level each movement of a list shows ``user``: the stored one where there is one
    for their organisation (:func:`stored_level_for`), else, for open movements (the first
    :data:`LIST_LEVELS`), the level of :func:`risk_seen_by`, computed from what ``user`` may
    read, so the list, the map and the movement's page agree; closed movements and those
    beyond show none."""
    out: dict[int, str | None] = {m.id: stored_level_for(m, user) for m in rows}
    todo = [m for m in rows if out[m.id] is None and m.state not in FINAL_STATES]
    todo = todo[:LIST_LEVELS]
    if not todo:
        return out
    policy = policy or active_policy(session)
    surfaces = {}
    if len(todo) > 1:
        # the routes of a board span a province or the country: one read of the incidents
        # and one grid for the departure days of a quarter, not one surface per route
        routes: dict[date, list[list[list[float]]]] = {}
        for m in todo:
            routes.setdefault(m.planned_departure.date(), []).append(m.route_points)
        surfaces = routes_surfaces(session, _viewer(user), routes=routes, policy=policy)
    for m in todo:
        surface = surfaces.get(m.planned_departure.date())
        out[m.id] = risk_seen_by(session, m, user, policy=policy, surface=surface)["level"]
    return out


def risk_seen_by(
    session: Session,
    m: Movement,
    user: User,
    *,
    policy: Policy | None = None,
    surface: ThreatSurface | None = None,
) -> dict[str, Any]:
    """The movement's route risk as ``user`` may see it: the stored figure of the requesting
    organisation for its own members, the stored approval figure for the approving
    organisation, and otherwise one computed now from what ``user`` may read. Keys: level,
    score, as_of, policy_version, details, measures, issues, seen_as."""
    policy = policy or active_policy(session)
    mp = movement_policy(policy)
    if user.organisation_id == m.owner_org_id:
        return {
            "level": m.risk_level,
            "score": m.risk_score,
            "as_of": m.risk_as_of,
            "policy_version": m.policy_version,
            "details": m.risk_details or {},
            "measures": m.required_measures or {},
            "issues": m.issues or [],
            "seen_as": "request",
        }
    stored = m.approval_risk_details if user.organisation_id == approval_org_id(m) else None
    risk = stored or assess(
        session,
        reader=user,
        points=m.route_points,
        name=m.route_name,
        route_id=m.route_id,
        as_of=m.planned_departure.date(),
        policy=policy,
        surface=surface,
    )
    escort = m.escort_vehicles if stored else None
    return {
        "level": str(risk["level"]),
        "score": float(risk["score"]),
        "as_of": m.planned_departure.date(),
        "policy_version": risk.get("policy_version"),
        "details": risk,
        "measures": dict(risk.get("measures") or {}),
        "issues": [i.to_dict() for i in _issues(m, mp, escort=escort, risk=risk)],
        "seen_as": "approval" if stored else "reader",
    }


def _issues(
    m: Movement, mp: MovementPolicy, *, escort: int | None, risk: dict[str, Any] | None = None
) -> list[Issue]:
    """What the plan does not meet, against ``risk`` (the approver's figure) or the stored
    request-time risk."""
    return plan_issues(
        level=str(risk["level"]) if risk is not None else m.risk_level,
        measures=dict(risk["measures"]) if risk is not None else m.required_measures,
        points=m.route_points,
        departure=m.planned_departure,
        arrival=m.planned_arrival,
        vehicle_count=m.vehicle_count,
        armoured_count=m.armoured_count,
        escort_vehicles=escort,
        mp=mp,
    )


# --- transitions --------------------------------------------------------------------------


def check_transition(m: Movement, action: MovementAction, user: User) -> Rule:
    """Raise TransitionError naming the state and the role unless ``user`` may take
    ``action`` on ``m`` now."""
    rule = RULES[action]
    who = f"{user.email} ({user.role})"
    head = f"{who} cannot {action} movement {m.id} in state '{m.state}'"
    if not user.is_active:
        raise RoleError(f"{head}: the account is not active")
    if m.state not in rule.from_states:
        raise StateError(f"{head}: {action} needs state {_states(rule.from_states)}")
    is_requester = m.requested_by_id == user.id
    if action in (A.APPROVE, A.REJECT):
        if user.role not in rule.roles:
            raise RoleError(f"{head}: {action} needs the role '{Role.ESCORT_OFFICER}'")
        if is_requester:
            raise RoleError(
                f"{head}: an escort officer cannot {action} a request they made themselves"
            )
        designated = {o.id for o in m.organisation.escorts}
        if user.organisation_id != m.owner_org_id and user.organisation_id not in designated:
            raise RoleError(
                f"{head}: {action} is for the escort officers of the requesting organisation "
                "or of the escort organisations it designates"
            )
        return rule
    if action == A.CHECKIN and (
        user.role == Role.ESCORT_OFFICER
        and m.escort_org_id is not None
        and user.organisation_id == m.escort_org_id
    ):
        return rule
    if is_requester:
        return rule
    if user.role == Role.SITE_MANAGER and user.organisation_id == m.owner_org_id:
        return rule
    if user.role in rule.roles:
        raise RoleError(
            f"{head}: {action} is for {rule.who}; the movement belongs to another organisation"
        )
    role = str(user.role).replace("_", " ")
    article = "an" if role[:1] in "aeiou" else "a"
    raise RoleError(f"{head}: {action} is for {rule.who}, not {article} {role}")


def _transition(
    session: Session,
    m: Movement,
    *,
    action: MovementAction,
    to_state: MovementState,
    user: User | None,
    now: datetime,
    note: str | None = None,
    details: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
    actor: str = "worker",
    expect: dict[str, Any] | None = None,
) -> bool:
    """Move ``m`` to ``to_state`` if it is still in the state it was read in; record it."""
    from_state = m.state
    stmt = update(Movement).where(Movement.id == m.id, Movement.state == from_state)
    for col, val in (expect or {}).items():
        stmt = stmt.where(getattr(Movement, col) == val)
    result = session.execute(
        stmt.values(state=to_state, updated_at=now, **(values or {})).execution_options(
            synchronize_session=False
        )
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(m)
    session.add(
        MovementTransition(
            movement_id=m.id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            user_id=user.id if user else None,
            actor=user.email if user else actor,
            at=now,
            note=note,
            details=details or {},
        )
    )
    record_audit(session, user=user, action=str(action), movement=m, actor=actor)
    return True


def _user_transition(session: Session, m: Movement, user: User, **kw: Any) -> Movement:
    state = m.state
    if not _transition(session, m, user=user, **kw):
        raise StateError(
            f"{user.email} ({user.role}) cannot {kw['action']} movement {m.id}: it left state"
            f" '{state}' meanwhile (someone else changed it)"
        )
    return m


def _checked(session: Session, movement_id: int, action: MovementAction, user: User) -> Movement:
    """The movement, once ``user`` is known to be allowed ``action`` on it."""
    m = get_movement(session, movement_id)
    check_transition(m, action, user)
    return m


def _stamped_transition(
    session: Session,
    movement_id: int,
    user: User,
    *,
    action: MovementAction,
    to_state: MovementState,
    now: datetime | None,
    note: str | None = None,
    stamp: str | None = None,
) -> Movement:
    """A user's transition that records only a note and, if ``stamp`` names one, the time."""
    at = _now(now)
    m = _checked(session, movement_id, action, user)
    return _user_transition(
        session,
        m,
        user,
        action=action,
        to_state=to_state,
        now=at,
        note=note,
        values={stamp: at} if stamp else None,
    )


#: how far ahead a movement may be requested, and how long one may last: beyond, a typed
#: year or a swapped day and month, whose risk (assessed for that day) would mean nothing
MAX_DAYS_AHEAD = 366
MAX_TRIP_DAYS = 14
#: the longest route a movement may take (Khunjerab to Gwadar by road is about 2,900 km)
MAX_ROUTE_KM = 5000.0


def _check_plan(movement_in: MovementCreate, length_km: float, now: datetime) -> None:
    """Refuse a plan no escort could run, naming the field: a departure already past (more
    than a day: a request comes before the trip), one more than a year ahead, a trip of more
    than two weeks, a route of no length or longer than the corridor."""
    depart, arrive = movement_in.planned_departure, movement_in.planned_arrival
    if depart < now - timedelta(days=1):
        when, today = f"{depart:%Y-%m-%d %H:%M}", f"{now:%Y-%m-%d %H:%M}"
        raise InvalidInputError(
            f"field planned_departure: {when} is past (now {today} UTC); a movement is "
            "requested before it leaves"
        )
    if depart > now + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInputError(
            f"field planned_departure: {depart:%Y-%m-%d} is more than {MAX_DAYS_AHEAD} days "
            "ahead; its route risk would be a guess (is the year right?)"
        )
    if arrive - depart > timedelta(days=MAX_TRIP_DAYS):
        raise InvalidInputError(
            f"field planned_arrival: a trip of {(arrive - depart).days} days; request one "
            f"movement per leg of at most {MAX_TRIP_DAYS} days"
        )
    if length_km < MIN_ROUTE_KM:
        raise InvalidInputError(
            "field polyline: the route has no length (its points are one place); give the "
            "points along the way"
        )
    if length_km > MAX_ROUTE_KM:
        raise InvalidInputError(
            f"field polyline: a route of {length_km:,.0f} km is longer than any in the "
            f"corridor ({MAX_ROUTE_KM:,.0f} km at most); are a point's latitude and longitude "
            "swapped, or a sign lost?"
        )


def request_movement(
    *,
    session: Session,
    user: User,
    movement_in: MovementCreate,
    policy: Policy | None = None,
    now: datetime | None = None,
) -> Movement:
    """Create a draft movement for the user's organisation, with its route risk computed."""
    at = _now(now)
    require_requester(user)
    policy = policy or active_policy(session)
    route: Route | None = None
    from_site = to_site = None
    if movement_in.from_site:
        from_site = _find_named(session, Site, movement_in.from_site, user)
    if movement_in.to_site:
        to_site = _find_named(session, Site, movement_in.to_site, user)
    if from_site is not None and to_site is not None and from_site.id == to_site.id:
        raise InvalidInputError(
            f"field to_site: the movement starts and ends at {from_site.name}; name another"
            " site, or a route or polyline for a round trip"
        )
    if movement_in.route:
        route = _find_named(session, Route, movement_in.route, user)
        points = [list(map(float, p)) for p in route.points]
        name = route.name
    elif movement_in.polyline:
        points = movement_in.polyline
        name = "drawn route"
    else:
        assert from_site is not None and to_site is not None
        points = [[from_site.latitude, from_site.longitude], [to_site.latitude, to_site.longitude]]
        name = f"{from_site.name} → {to_site.name} (straight line)"
    if from_site is not None and to_site is not None and movement_in.polyline:
        name = f"{from_site.name} → {to_site.name}"
    length = polyline_length_km(points)
    _check_plan(movement_in, length, at)
    m = Movement(
        owner_org_id=user.organisation_id,
        requested_by_id=user.id,
        purpose=movement_in.purpose,
        headcount=movement_in.headcount,
        route_id=route.id if route else None,
        from_site_id=from_site.id if from_site else None,
        to_site_id=to_site.id if to_site else None,
        route_name=name,
        route_points=points,
        route_length_km=length,
        vehicle_count=movement_in.vehicle_count,
        armoured_count=movement_in.armoured_count,
        planned_departure=movement_in.planned_departure,
        planned_arrival=movement_in.planned_arrival,
        state=S.DRAFT,
        created_at=at,
        updated_at=at,
    )
    _apply_risk(session, m, policy, user)
    session.add(m)
    session.flush()
    session.add(
        MovementTransition(
            movement_id=m.id,
            action=A.REQUEST,
            from_state=None,
            to_state=S.DRAFT,
            user_id=user.id,
            actor=user.email,
            at=at,
            details={"risk_level": m.risk_level, "issues": [i["code"] for i in m.issues]},
        )
    )
    record_audit(session, user=user, action="create", movement=m)
    return m


def submit_movement(
    *,
    session: Session,
    movement_id: int,
    user: User,
    policy: Policy | None = None,
    now: datetime | None = None,
) -> Movement:
    """Submit a draft: the route risk is computed again as of the departure date."""
    at = _now(now)
    m = _checked(session, movement_id, A.SUBMIT, user)
    _apply_risk(session, m, policy or active_policy(session), user)
    return _user_transition(
        session,
        m,
        user,
        action=A.SUBMIT,
        to_state=S.SUBMITTED,
        now=at,
        details={"risk_level": m.risk_level, "issues": [i["code"] for i in m.issues]},
        values={
            "submitted_at": at,
            "risk_as_of": m.risk_as_of,
            "risk_level": m.risk_level,
            "risk_score": m.risk_score,
            "risk_details": m.risk_details,
            "required_measures": m.required_measures,
            "policy_version": m.policy_version,
            "policy_sha256": m.policy_sha256,
            "issues": m.issues,
        },
    )


def approve_movement(
    *,
    session: Session,
    movement_id: int,
    user: User,
    escort: EscortAssignment,
    note: str | None = None,
    override_reason: str | None = None,
    policy: Policy | None = None,
    now: datetime | None = None,
) -> Movement:
    """Approve with an escort unit. A plan that does not meet the policy (no-go level,
    unarmoured vehicles, night-time on a daylight-only route, too small an escort) is
    approved only with ``override_reason``, which the history keeps."""
    at = _now(now)
    m = _checked(session, movement_id, A.APPROVE, user)
    escort_org: Organisation | None = user.organisation
    if escort.organisation:
        escort_org = session.scalars(
            select(Organisation).where(
                or_(
                    Organisation.name == escort.organisation,
                    Organisation.short_name == escort.organisation,
                )
            )
        ).first()
        if escort_org is None:
            raise MovementError(f"no organisation {escort.organisation!r}")
    assert escort_org is not None
    allowed = {user.organisation_id, m.owner_org_id} | {o.id for o in m.organisation.escorts}
    if escort_org.id not in allowed:
        raise MovementError(
            f"{escort_org.name} is not an escort organisation of the requester; name your own "
            "organisation or one the requester designates"
        )
    policy = policy or active_policy(session)
    mp = movement_policy(policy)
    # the approver decides on what their organisation may read: the route risk again, as
    # any member of it reads it (the figure and its issues are shown to all of them; an
    # approver's own RED grants stay out of it, as out of the requester's)
    seen = assess(
        session,
        reader=Viewer.for_organisation(user.organisation_id),
        points=m.route_points,
        name=m.route_name,
        route_id=m.route_id,
        as_of=m.planned_departure.date(),
        policy=policy,
    )
    issues = _issues(m, mp, escort=escort.vehicles, risk=seen)
    blocking = [i for i in issues if i.is_blocking]
    if blocking and not override_reason:
        raise StateError(
            f"{user.email} ({user.role}) cannot approve movement {m.id} in state '{m.state}'"
            " as planned: "
            + "; ".join(i.message for i in blocking)
            + " (change the plan, or approve with an override reason)"
        )
    return _user_transition(
        session,
        m,
        user,
        action=A.APPROVE,
        to_state=S.APPROVED,
        now=at,
        # the history says why a plan short of the policy was approved
        note="; ".join(x for x in (note, override_reason and f"override: {override_reason}") if x)
        or None,
        details={
            "escort": escort.model_dump(),
            "issues": [i.to_dict() for i in issues],
            "override_reason": override_reason,
        },
        values={
            "decided_by_id": user.id,
            "decided_at": at,
            "decision_note": override_reason or note,
            "escort_callsign": escort.callsign,
            "escort_org_id": escort_org.id,
            "escort_vehicles": escort.vehicles,
            "escort_contact_email": escort.contact_email,
            # the requester's issues stay those of their own figure (with the escort now
            # assigned); the approver's, from what the approver may read, are in the history
            "issues": [i.to_dict() for i in _issues(m, mp, escort=escort.vehicles)],
            "approval_risk_level": str(seen["level"]),
            "approval_risk_score": float(seen["score"]),
            "approval_risk_details": seen,
        },
    )


def reject_movement(
    *, session: Session, movement_id: int, user: User, reason: str, now: datetime | None = None
) -> Movement:
    at = _now(now)
    m = _checked(session, movement_id, A.REJECT, user)
    if not reason.strip():
        raise MovementError("a rejection needs a reason")
    return _user_transition(
        session,
        m,
        user,
        action=A.REJECT,
        to_state=S.REJECTED,
        now=at,
        note=reason,
        values={"decided_by_id": user.id, "decided_at": at, "decision_note": reason},
    )


def start_movement(
    *, session: Session, movement_id: int, user: User, now: datetime | None = None
) -> Movement:
    return _stamped_transition(
        session,
        movement_id,
        user,
        action=A.START,
        to_state=S.UNDER_WAY,
        now=now,
        stamp="started_at",
    )


def complete_movement(
    *,
    session: Session,
    movement_id: int,
    user: User,
    note: str | None = None,
    now: datetime | None = None,
) -> Movement:
    return _stamped_transition(
        session,
        movement_id,
        user,
        action=A.COMPLETE,
        to_state=S.COMPLETED,
        now=now,
        note=note,
        stamp="completed_at",
    )


def cancel_movement(
    *,
    session: Session,
    movement_id: int,
    user: User,
    reason: str | None = None,
    now: datetime | None = None,
) -> Movement:
    return _stamped_transition(
        session, movement_id, user, action=A.CANCEL, to_state=S.CANCELLED, now=now, note=reason
    )


def check_in(
    *,
    session: Session,
    movement_id: int,
    user: User,
    latitude: float | None = None,
    longitude: float | None = None,
    note: str | None = None,
    at: datetime | None = None,
    now: datetime | None = None,
) -> CheckIn:
    """Record a check-in; an overdue movement that checks in before its planned arrival is
    back under way (its escalation starts again from zero)."""
    clock = _now(now)
    when = naive_utc(at) if at is not None else clock
    m = _checked(session, movement_id, A.CHECKIN, user)
    if (latitude is None) != (longitude is None):
        raise MovementError("a check-in position needs both latitude and longitude")
    km_along = off_route = None
    if latitude is not None and longitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise MovementError(f"position {latitude},{longitude} is out of range")
        km_along, off_route = project_on_route(m.route_points, latitude, longitude)
    ci = CheckIn(
        movement_id=m.id,
        at=when,
        latitude=latitude,
        longitude=longitude,
        note=note,
        user_id=user.id,
        actor=user.email,
        km_along=km_along,
        off_route_km=off_route,
        expected_km=expected_km(m.route_points, m.planned_departure, m.planned_arrival, when),
        created_at=clock,
    )
    session.add(ci)
    latest = max(when, m.last_checkin_at) if m.last_checkin_at else when
    if m.state == S.OVERDUE and when <= m.planned_arrival:
        _transition(
            session,
            m,
            action=A.RECOVER,
            to_state=S.UNDER_WAY,
            user=user,
            now=clock,
            note=note,
            values={"last_checkin_at": latest, "overdue_since": None, "escalation_level": 0},
        )
    else:
        session.execute(
            update(Movement)
            .where(Movement.id == m.id)
            .values(last_checkin_at=latest, updated_at=clock)
            .execution_options(synchronize_session=False)
        )
        session.refresh(m)
        record_audit(session, user=user, action="checkin", movement=m)
    session.flush()
    return ci


# --- progress and the worker's transitions ------------------------------------------------


@dataclass(frozen=True)
class Progress:
    expected_km: float
    reported_km: float | None
    behind_km: float | None
    total_km: float


def progress(m: Movement, *, now: datetime | None = None) -> Progress:
    """Expected km now against the last reported position."""
    at = _now(now)
    exp = expected_km(m.route_points, m.planned_departure, m.planned_arrival, at)
    reported = None
    for ci in sorted(m.checkins, key=lambda c: c.at, reverse=True):
        if ci.km_along is not None:
            reported = ci.km_along
            break
    behind = exp - reported if reported is not None else None
    return Progress(exp, reported, behind, m.route_length_km)


def due_overdue(
    session: Session, *, mp: MovementPolicy, now: datetime | None = None
) -> list[tuple[int, str]]:
    """Movements under way that are overdue at ``now``, with the reason."""
    at = _now(now)
    rows = session.execute(
        select(
            Movement.id,
            Movement.started_at,
            Movement.last_checkin_at,
            Movement.planned_departure,
            Movement.planned_arrival,
        ).where(Movement.state == S.UNDER_WAY)
    ).all()
    out = []
    for r in rows:
        reason = overdue_reason(
            now=at,
            started_at=r.started_at,
            last_checkin_at=r.last_checkin_at,
            planned_departure=r.planned_departure,
            planned_arrival=r.planned_arrival,
            mp=mp,
        )
        if reason:
            out.append((int(r.id), reason))
    return out


def mark_overdue(
    *, session: Session, movement_id: int, reason: str, now: datetime | None = None
) -> bool:
    """Claim the movement for the overdue transition; True only for the one caller that
    changed it (a second worker gets False)."""
    at = _now(now)
    m = get_movement(session, movement_id)
    if m.state != S.UNDER_WAY:
        return False
    return _transition(
        session,
        m,
        action=A.MARK_OVERDUE,
        to_state=S.OVERDUE,
        user=None,
        now=at,
        note=reason,
        values={"overdue_since": at, "escalation_level": 1},
        expect={"escalation_level": m.escalation_level},
    )


def due_escalations(
    session: Session, *, mp: MovementPolicy, now: datetime | None = None
) -> list[int]:
    """Overdue movements whose escort was alerted more than the escalation interval ago."""
    at = _now(now)
    return list(
        session.scalars(
            select(Movement.id).where(
                Movement.state == S.OVERDUE,
                Movement.escalation_level == 1,
                Movement.overdue_since <= at - mp.escalation_after,
            )
        )
    )


def mark_escalated(*, session: Session, movement_id: int, now: datetime | None = None) -> bool:
    """Claim the escalation to the admins (level 1 → 2); True for exactly one caller."""
    at = _now(now)
    m = get_movement(session, movement_id)
    if m.state != S.OVERDUE or m.escalation_level != 1:
        return False
    result = session.execute(
        update(Movement)
        .where(Movement.id == m.id, Movement.state == S.OVERDUE, Movement.escalation_level == 1)
        .values(escalation_level=2, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(m)
    session.add(
        MovementTransition(
            movement_id=m.id,
            action=A.ESCALATE,
            from_state=S.OVERDUE,
            to_state=S.OVERDUE,
            actor="worker",
            at=at,
            note="escalated to the organisation's administrators",
        )
    )
    record_audit(session, user=None, action=str(A.ESCALATE), movement=m)
    return True
