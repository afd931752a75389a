"""The register of protective measures of every site and route, and the posture they give.

A :class:`ProtectiveMeasure` belongs to one site or one route, is owned and TLP-marked like
the record it protects, and moves through ``planned → in_progress → in_place → lapsed`` with
its dates (``planned_for``, ``started_on``, ``in_place_from``, ``lapsed_on``); each change is a
:class:`MeasureChange`. An action item of the JWG can be the plan for a measure
(``action_item_id``).

A site's posture (the perimeter, guard force and hardening that set its vulnerability in the
risk model) is **derived from the measures in place** at a day (:func:`postures_at`), never
typed by hand: each kind of measure raises one dimension of the posture up to a cap
(:data:`POSTURE_OF`), and a dimension is the highest grade any measure in place gives it
(``basic`` when none does). A measure counts at day D when it is in place or lapsed, was in
place from D or earlier (``in_place_from`` empty: since before the register) and had not
lapsed by D. With ``with_planned`` the planned and in-progress measures count as if they were
in place ("risk with the planned measures").

The measures counted for a reader are those the reader may read (``sharing.policy.restrict``),
so a figure never reflects a measure hidden from its reader. The legacy columns
``Site.perimeter``, ``guard_force`` and ``hardening`` are no longer read: migration 0011 turned
their values into measures in place (marked as carried over).

Route measures (escort, armoured transport, movement restrictions, liaison with police) do not
change a route's threat score; :func:`route_cover` compares them with the measures the risk
policy requires at the route's level.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import Date, ForeignKey, Integer, String, Text, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from safecorridor.db.base import Base, utcnow
from safecorridor.errors import ConflictError, InvalidInputError, NotFoundError
from safecorridor.i18n import N_
from safecorridor.registry.models import Route, Site
from safecorridor.sharing.audit import audit_reads, audit_write
from safecorridor.sharing.policy import Viewer, require_change, require_write, restrict
from safecorridor.sharing.service import keep_readable_by_writer
from safecorridor.taxonomy.choices import TLP
from safecorridor.validation import printable

GRADES = ("basic", "standard", "hardened")
DIMENSIONS = ("perimeter", "guard_force", "hardening")
#: the most measures one list answers with
MAX_LIST = 5000


class MeasureKind(StrEnum):
    PERIMETER = "perimeter"
    GUARD_FORCE = "guard_force"
    CCTV = "cctv"
    HARDENED_ACCOMMODATION = "hardened_accommodation"
    ARMOURED_TRANSPORT = "armoured_transport"
    ESCORT = "escort"
    MOVEMENT_RESTRICTIONS = "movement_restrictions"
    POLICE_LIAISON = "police_liaison"


class MeasureState(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    IN_PLACE = "in_place"
    LAPSED = "lapsed"


KIND_LABELS = {
    MeasureKind.PERIMETER: N_("perimeter (fence, wall, controlled access)"),
    MeasureKind.GUARD_FORCE: N_("guard force"),
    MeasureKind.CCTV: N_("CCTV and lighting"),
    MeasureKind.HARDENED_ACCOMMODATION: N_("hardened accommodation"),
    MeasureKind.ARMOURED_TRANSPORT: N_("armoured transport"),
    MeasureKind.ESCORT: N_("escort"),
    MeasureKind.MOVEMENT_RESTRICTIONS: N_("movement restrictions"),
    MeasureKind.POLICE_LIAISON: N_("liaison with police"),
}
STATE_LABELS = {
    MeasureState.PLANNED: N_("planned"),
    MeasureState.IN_PROGRESS: N_("in progress"),
    MeasureState.IN_PLACE: N_("in place"),
    MeasureState.LAPSED: N_("lapsed"),
}
GRADE_LABELS = {"basic": N_("basic"), "standard": N_("standard"), "hardened": N_("hardened")}
DIMENSION_LABELS = {
    "perimeter": N_("perimeter"),
    "guard_force": N_("guard force"),
    "hardening": N_("hardening"),
}

#: which posture dimension each kind of site measure raises, and up to which grade at most
#: (a camera system alone does not make a perimeter hardened; an SSD company may make the
#: guard force so)
POSTURE_OF: dict[MeasureKind, tuple[str, str] | None] = {
    MeasureKind.PERIMETER: ("perimeter", "hardened"),
    MeasureKind.CCTV: ("perimeter", "standard"),
    MeasureKind.GUARD_FORCE: ("guard_force", "hardened"),
    MeasureKind.POLICE_LIAISON: ("guard_force", "standard"),
    MeasureKind.HARDENED_ACCOMMODATION: ("hardening", "hardened"),
    MeasureKind.ARMOURED_TRANSPORT: ("hardening", "standard"),
    MeasureKind.MOVEMENT_RESTRICTIONS: ("hardening", "standard"),
    MeasureKind.ESCORT: None,  # a route measure: it protects movements, not the site
}

#: the state changes a person may make (from → to)
TRANSITIONS: dict[MeasureState, tuple[MeasureState, ...]] = {
    MeasureState.PLANNED: (MeasureState.IN_PROGRESS, MeasureState.IN_PLACE),
    MeasureState.IN_PROGRESS: (MeasureState.PLANNED, MeasureState.IN_PLACE),
    MeasureState.IN_PLACE: (MeasureState.LAPSED,),
    MeasureState.LAPSED: (MeasureState.PLANNED, MeasureState.IN_PLACE),
}
COUNTED_STATES = (MeasureState.IN_PLACE, MeasureState.LAPSED)
PLANNED_STATES = (MeasureState.PLANNED, MeasureState.IN_PROGRESS)


class ProtectiveMeasure(Base):
    """One protective measure of a site or a route, with its state and dates."""

    __tablename__ = "protective_measures"
    __record_type__ = "measure"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), index=True
    )
    route_id: Mapped[int | None] = mapped_column(
        ForeignKey("routes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    grade: Mapped[str] = mapped_column(String(20), default="standard")
    description: Mapped[str] = mapped_column(Text, default="")
    provider: Mapped[str] = mapped_column(String(200), default="")
    strength: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), default=MeasureState.PLANNED)
    planned_for: Mapped[date | None] = mapped_column(Date)
    started_on: Mapped[date | None] = mapped_column(Date)
    in_place_from: Mapped[date | None] = mapped_column(Date)
    lapsed_on: Mapped[date | None] = mapped_column(Date)
    action_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("jwg_action_items.id", ondelete="SET NULL"), index=True
    )
    is_illustrative: Mapped[bool] = mapped_column(default=False)
    is_carried_over: Mapped[bool] = mapped_column(default=False)
    tlp: Mapped[str] = mapped_column(String(12), default=TLP.AMBER)
    owner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    site: Mapped[Site | None] = relationship()
    route: Mapped[Route | None] = relationship()
    history: Mapped[list[MeasureChange]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="MeasureChange.id"
    )

    @property
    def subject_name(self) -> str:
        if self.site is not None:
            return self.site.name
        return self.route.name if self.route is not None else ""

    def is_in_place_on(self, day: date) -> bool:
        return is_in_place(self.state, self.in_place_from, self.lapsed_on, day)

    def __repr__(self) -> str:
        return f"ProtectiveMeasure({self.id}, {self.kind!r}, {self.state!r})"


class MeasureChange(Base):
    """One change of a measure's state: from what to what, the day it took effect, by whom."""

    __tablename__ = "protective_measure_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("protective_measures.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    effective_on: Mapped[date | None] = mapped_column(Date)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(254))
    note: Mapped[str | None] = mapped_column(Text)

    measure: Mapped[ProtectiveMeasure] = relationship(back_populates="history")


# --- the posture a site's measures give ----------------------------------------------------


def is_in_place(state: str, in_place_from: date | None, lapsed_on: date | None, day: date) -> bool:
    """Whether a measure with these fields protected its site on ``day``."""
    if state not in COUNTED_STATES:
        return False
    if in_place_from is not None and in_place_from > day:
        return False
    return not (lapsed_on is not None and lapsed_on <= day)


def _higher(a: str, b: str) -> str:
    return a if GRADES.index(a) >= GRADES.index(b) else b


def contribution(kind: str, grade: str) -> tuple[str, str] | None:
    """(dimension, grade) a measure of ``kind`` and ``grade`` gives a site, or None."""
    try:
        target = POSTURE_OF[MeasureKind(kind)]
    except ValueError:
        return None
    if target is None:
        return None
    dimension, cap = target
    given = grade if grade in GRADES else "standard"
    return dimension, given if GRADES.index(given) <= GRADES.index(cap) else cap


@dataclass
class Posture:
    """A site's perimeter, guard force and hardening, and the measures that give them."""

    perimeter: str = "basic"
    guard_force: str = "basic"
    hardening: str = "basic"
    measure_ids: list[int] = field(default_factory=list)

    def raise_to(self, dimension: str, grade: str, measure_id: int) -> None:
        setattr(self, dimension, _higher(getattr(self, dimension), grade))
        self.measure_ids.append(measure_id)

    def as_kwargs(self) -> dict[str, str]:
        """The posture as ``risk.scoring.site_risk`` takes it."""
        return {d: getattr(self, d) for d in DIMENSIONS}

    def as_dict(self) -> dict[str, Any]:
        return {**self.as_kwargs(), "measure_ids": sorted(self.measure_ids)}


def postures_at(
    session: Session,
    site_ids: Iterable[int],
    *,
    day: date,
    reader: Viewer | None,
    with_planned: bool = False,
    extra: Sequence[int] = (),
) -> dict[int, Posture]:
    """The posture of each site on ``day`` from the measures ``reader`` may read (all of them
    for ``None``, a trusted caller); with ``with_planned`` the planned and in-progress ones
    count too, and ``extra`` names single measures to count as if in place."""
    ids = sorted(set(site_ids))
    out = {i: Posture() for i in ids}
    if not ids:
        return out
    states = list(COUNTED_STATES) + (list(PLANNED_STATES) if with_planned else [])
    q = select(
        ProtectiveMeasure.id,
        ProtectiveMeasure.site_id,
        ProtectiveMeasure.kind,
        ProtectiveMeasure.grade,
        ProtectiveMeasure.state,
        ProtectiveMeasure.in_place_from,
        ProtectiveMeasure.lapsed_on,
    ).where(ProtectiveMeasure.site_id.in_(ids))
    if extra:
        q = q.where(or_(ProtectiveMeasure.state.in_(states), ProtectiveMeasure.id.in_(extra)))
    else:
        q = q.where(ProtectiveMeasure.state.in_(states))
    chosen = set(extra)
    for row in session.execute(
        restrict(q, ProtectiveMeasure, reader).order_by(ProtectiveMeasure.id)
    ):
        counts = is_in_place(row.state, row.in_place_from, row.lapsed_on, day) or (
            row.id in chosen or (with_planned and row.state in PLANNED_STATES)
        )
        if not counts:
            continue
        given = contribution(row.kind, row.grade)
        if given is not None and row.site_id is not None:
            out[row.site_id].raise_to(given[0], given[1], row.id)
    return out


def posture_at(
    session: Session, site: Site, *, day: date, reader: Viewer | None, with_planned: bool = False
) -> Posture:
    return postures_at(session, [site.id], day=day, reader=reader, with_planned=with_planned)[
        site.id
    ]


def route_cover(
    measures: Sequence[ProtectiveMeasure], required: dict[str, Any], *, day: date
) -> dict[str, Any]:
    """What the route's measures in place on ``day`` give against what the policy requires
    at its level: escort vehicles, armoured vehicles, daylight-only movement."""
    live = [m for m in measures if m.is_in_place_on(day)]
    escort = max((m.strength or 0 for m in live if m.kind == MeasureKind.ESCORT), default=0)
    armoured = any(m.kind == MeasureKind.ARMOURED_TRANSPORT for m in live)
    restricted = any(m.kind == MeasureKind.MOVEMENT_RESTRICTIONS for m in live)
    need_escort = int(required.get("escort_vehicles", 0) or 0)
    need_armour = bool(required.get("armoured_vehicles", False))
    need_daylight = bool(required.get("daylight_only", False))
    return {
        "escort_vehicles": {
            "required": need_escort,
            "in_place": escort,
            "met": escort >= need_escort,
        },
        "armoured_vehicles": {
            "required": need_armour,
            "in_place": armoured,
            "met": armoured or not need_armour,
        },
        "daylight_only": {
            "required": need_daylight,
            "in_place": restricted,
            "met": restricted or not need_daylight,
        },
    }


# --- shapes -------------------------------------------------------------------------------


class MeasureCreate(BaseModel):
    """A new measure of one site or one route (it takes the site's or route's owner)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    site_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    route_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    kind: MeasureKind
    grade: str = Field(default="standard", pattern="^(standard|hardened)$")
    description: str = Field(default="", max_length=5000)
    provider: str = Field(default="", max_length=200)
    strength: int | None = Field(default=None, ge=0, le=10_000)
    state: MeasureState = MeasureState.PLANNED
    planned_for: date | None = None
    in_place_from: date | None = None
    action_item_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    is_illustrative: bool = False
    tlp: TLP = TLP.AMBER

    _printable = field_validator("*")(printable)

    @model_validator(mode="after")
    def _one_subject(self) -> MeasureCreate:
        if (self.site_id is None) == (self.route_id is None):
            raise ValueError("a measure belongs to one site or one route: give site_id or route_id")
        if self.state == MeasureState.LAPSED:
            raise ValueError("a new measure is planned, in progress or in place, not lapsed")
        if self.in_place_from is not None and self.state != MeasureState.IN_PLACE:
            raise ValueError(
                f"in_place_from is the day a measure in place was put in place; a "
                f"{self.state.value.replace('_', ' ')} measure has none (use planned_for)"
            )
        for d in (self.planned_for, self.in_place_from):
            if d is not None and not 1900 <= d.year <= 2200:
                raise ValueError("dates must lie between 1900 and 2200")
        return self


class MeasureChangeIn(BaseModel):
    """A change of state, taking effect on ``effective_on`` (default: today)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    state: MeasureState
    effective_on: date | None = None
    note: str = Field(default="", max_length=2000)

    _printable = field_validator("*")(printable)


class MeasurePublic(BaseModel):
    id: int
    site_id: int | None
    route_id: int | None
    subject: str
    kind: str
    grade: str
    description: str
    provider: str
    strength: int | None
    state: str
    planned_for: date | None
    started_on: date | None
    in_place_from: date | None
    lapsed_on: date | None
    action_item_id: int | None
    is_illustrative: bool
    is_carried_over: bool
    tlp: str
    owner_org_id: int | None


class MeasuresPublic(BaseModel):
    data: list[MeasurePublic]
    count: int


def measure_public(m: ProtectiveMeasure) -> MeasurePublic:
    data = {k: getattr(m, k) for k in MeasurePublic.model_fields if k != "subject"}
    return MeasurePublic(subject=m.subject_name, **data)


# --- services -----------------------------------------------------------------------------


def _subject(session: Session, measure_in: MeasureCreate, viewer: Viewer | None) -> Site | Route:
    model: type[Site] | type[Route] = Site if measure_in.site_id is not None else Route
    ident = measure_in.site_id if measure_in.site_id is not None else measure_in.route_id
    obj = cast(
        "Site | Route | None",
        session.scalar(restrict(select(model).where(model.id == ident), model, viewer)),
    )
    if obj is None:
        what = "site" if model is Site else "route"
        scope = " that you may read" if viewer is not None else ""
        raise NotFoundError(f"no {what} with id {ident}{scope}")
    return obj


def _record(
    m: ProtectiveMeasure,
    *,
    to_state: str,
    actor: str,
    effective_on: date | None,
    note: str | None,
    from_state: str | None,
) -> None:
    m.history.append(
        MeasureChange(
            from_state=from_state,
            to_state=to_state,
            actor=actor,
            effective_on=effective_on,
            note=note or None,
        )
    )


def create_measure(
    *,
    session: Session,
    measure_in: MeasureCreate,
    viewer: Viewer | None,
    today: date,
    actor: str = "system",
    owner_org_id: int | None = None,
) -> ProtectiveMeasure:
    """Record a measure of a site or route; with a ``viewer``, a site manager of the
    organisation that owns the site or route (the measure takes that owner)."""
    subject = _subject(session, measure_in, viewer)
    if viewer is not None:
        require_write(viewer, "measure")
        what = "site" if isinstance(subject, Site) else "route"
        require_change(viewer, "measure", subject.owner_org_id, subject.id, what=what)
        actor = viewer.email
    owner = subject.owner_org_id if owner_org_id is None else owner_org_id
    state = MeasureState(measure_in.state)
    m = ProtectiveMeasure(
        site_id=measure_in.site_id,
        route_id=measure_in.route_id,
        kind=str(measure_in.kind),
        grade=measure_in.grade,
        description=measure_in.description,
        provider=measure_in.provider,
        strength=measure_in.strength,
        state=str(state),
        planned_for=measure_in.planned_for,
        action_item_id=measure_in.action_item_id,
        is_illustrative=measure_in.is_illustrative,
        tlp=str(measure_in.tlp),
        owner_org_id=owner,
    )
    if state == MeasureState.IN_PROGRESS:
        m.started_on = today
    if state == MeasureState.IN_PLACE:
        m.in_place_from = measure_in.in_place_from or today
    _record(
        m,
        to_state=str(state),
        actor=actor,
        effective_on=m.in_place_from or m.started_on or today,
        note="recorded",
        from_state=None,
    )
    session.add(m)
    session.flush()
    if viewer is not None:
        keep_readable_by_writer(session, viewer, m)
    # audited for a trusted caller too (the CLI, the demo loader), as ``actor``
    audit_write(session=session, viewer=viewer, action="create", obj=m, actor=actor)
    return m


def readable(q: Any, viewer: Viewer | None) -> Any:
    """``q`` (a SELECT over measures) with the read rule: the measure and its site or route
    readable by ``viewer`` (a measure never names a hidden site or route)."""
    if viewer is None:
        return q
    readable_sites = restrict(select(Site.id), Site, viewer)
    readable_routes = restrict(select(Route.id), Route, viewer)
    q = q.where(
        or_(
            ProtectiveMeasure.site_id.in_(readable_sites),
            ProtectiveMeasure.route_id.in_(readable_routes),
        )
    )
    return restrict(q, ProtectiveMeasure, viewer)


def get_measure(
    session: Session, measure_id: int, *, viewer: Viewer | None, action: str | None = "read"
) -> ProtectiveMeasure:
    m: ProtectiveMeasure | None = session.scalar(
        readable(select(ProtectiveMeasure).where(ProtectiveMeasure.id == measure_id), viewer)
    )
    if m is None:
        scope = " that you may read" if viewer is not None else ""
        raise NotFoundError(f"no measure with id {measure_id}{scope}")
    if viewer is not None and action is not None:
        audit_reads(session=session, viewer=viewer, objs=[m], action=action)
    return m


def change_state(
    *,
    session: Session,
    measure_id: int,
    change: MeasureChangeIn,
    viewer: Viewer | None,
    today: date,
    actor: str = "system",
) -> ProtectiveMeasure:
    """Move a measure to another state on a day (default today): in place sets
    ``in_place_from``, lapsed sets ``lapsed_on``; the change is kept in its history."""
    m = get_measure(session, measure_id, viewer=viewer, action=None)
    if viewer is not None:
        require_change(viewer, "measure", m.owner_org_id, m.id)
        actor = viewer.email
    to = MeasureState(change.state)
    current = MeasureState(m.state)
    if to not in TRANSITIONS[current]:
        allowed = ", ".join(str(s) for s in TRANSITIONS[current])
        raise ConflictError(f"measure {m.id} is {current}; it can become {allowed}, not {to}")
    day = change.effective_on or today
    if not 1900 <= day.year <= 2200:
        raise InvalidInputError("effective_on must lie between 1900 and 2200")
    if to == MeasureState.IN_PROGRESS:
        m.started_on = day
    elif to == MeasureState.IN_PLACE:
        if current == MeasureState.LAPSED:
            m.lapsed_on = None
        m.in_place_from = day
    elif to == MeasureState.LAPSED:
        if m.in_place_from is not None and day < m.in_place_from:
            raise InvalidInputError(
                f"a measure in place from {m.in_place_from} cannot lapse on {day}, before it"
            )
        m.lapsed_on = day
    elif to == MeasureState.PLANNED:
        m.started_on = None
        m.planned_for = m.planned_for if m.planned_for and m.planned_for >= day else None
    _record(
        m,
        to_state=str(to),
        actor=actor,
        effective_on=day,
        note=change.note,
        from_state=str(current),
    )
    m.state = str(to)
    session.flush()
    audit_write(session=session, viewer=viewer, action="update", obj=m, actor=actor)
    return m


def list_measures(
    session: Session,
    *,
    viewer: Viewer | None,
    site_id: int | None = None,
    route_id: int | None = None,
    states: Sequence[str] = (),
    owner_org_id: int | None = None,
    action: str = "list",
) -> list[ProtectiveMeasure]:
    """Measures the reader may read, of a site or route the reader may read, by subject."""
    q = select(ProtectiveMeasure)
    if site_id is not None:
        q = q.where(ProtectiveMeasure.site_id == site_id)
    if route_id is not None:
        q = q.where(ProtectiveMeasure.route_id == route_id)
    if states:
        q = q.where(ProtectiveMeasure.state.in_(list(states)))
    if owner_org_id is not None:
        q = q.where(ProtectiveMeasure.owner_org_id == owner_org_id)
    q = readable(q, viewer).order_by(
        ProtectiveMeasure.site_id, ProtectiveMeasure.route_id, ProtectiveMeasure.id
    )
    rows = list(session.scalars(q.limit(MAX_LIST)))
    if viewer is not None:
        audit_reads(session=session, viewer=viewer, objs=rows, action=action)
    return rows
