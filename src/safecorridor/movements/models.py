"""Movements of personnel, their state history and their check-ins."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safecorridor.accounts.models import Organisation, User
from safecorridor.db.base import Base, utcnow
from safecorridor.movements.choices import MovementState
from safecorridor.taxonomy.choices import TLP


class Movement(Base):
    """A request to move personnel along a route, from draft to completion.

    ``owner_org_id`` is the requesting organisation. Times are naive UTC. The route is kept
    as ``route_points`` ([[lat, lon], ...]) whether it came from a registered route, a drawn
    polyline or two sites, so later edits of the route do not change the plan. The risk
    fields hold the route risk as of the planned departure and the measures the policy
    requires; ``issues`` lists what the request does not meet. ``escalation_level`` counts the
    overdue escalations sent (1: escort unit, 2: the organisation's admins).
    """

    __tablename__ = "movements"
    __table_args__ = (Index("ix_movements_state_departure", "state", "planned_departure"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(String(300), default="")
    headcount: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # where
    route_id: Mapped[int | None] = mapped_column(ForeignKey("routes.id"))
    from_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    to_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    route_name: Mapped[str] = mapped_column(String(300), default="")
    route_points: Mapped[list[list[float]]] = mapped_column(JSON, default=list)
    route_length_km: Mapped[float] = mapped_column(Float, default=0.0)
    # how and when
    vehicle_count: Mapped[int] = mapped_column(Integer, default=1)
    armoured_count: Mapped[int] = mapped_column(Integer, default=0)
    planned_departure: Mapped[datetime]
    planned_arrival: Mapped[datetime]
    # risk at submission
    risk_as_of: Mapped[date | None] = mapped_column(Date)
    risk_level: Mapped[str | None] = mapped_column(String(20))
    risk_score: Mapped[float | None] = mapped_column(Float)
    risk_details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    required_measures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    policy_version: Mapped[str | None] = mapped_column(String(100))
    policy_sha256: Mapped[str | None] = mapped_column(String(64))
    issues: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # risk at approval, as the approver's organisation sees it (they may read other records)
    approval_risk_level: Mapped[str | None] = mapped_column(String(20))
    approval_risk_score: Mapped[float | None] = mapped_column(Float)
    approval_risk_details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # life cycle
    state: Mapped[str] = mapped_column(String(20), default=MovementState.DRAFT)
    submitted_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    escort_callsign: Mapped[str | None] = mapped_column(String(100))
    escort_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    escort_vehicles: Mapped[int] = mapped_column(Integer, default=0)
    escort_contact_email: Mapped[str | None] = mapped_column(String(254))
    started_at: Mapped[datetime | None]
    last_checkin_at: Mapped[datetime | None]
    overdue_since: Mapped[datetime | None]
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    completed_at: Mapped[datetime | None]
    tlp: Mapped[str] = mapped_column(String(12), default=TLP.AMBER)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(foreign_keys=[owner_org_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    escort_org: Mapped[Organisation | None] = relationship(foreign_keys=[escort_org_id])
    transitions: Mapped[list[MovementTransition]] = relationship(
        back_populates="movement", cascade="all, delete-orphan", order_by="MovementTransition.id"
    )
    checkins: Mapped[list[CheckIn]] = relationship(
        back_populates="movement", cascade="all, delete-orphan", order_by="CheckIn.id"
    )

    def __repr__(self) -> str:
        return f"Movement({self.id}, {self.state!r}, {self.route_name!r})"

    @property
    def people(self) -> int:
        return sum(int(n) for n in self.headcount.values())


class MovementTransition(Base):
    """One step of a movement's life: from which state to which, by whom, when, and why."""

    __tablename__ = "movement_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    movement_id: Mapped[int] = mapped_column(
        ForeignKey("movements.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    movement: Mapped[Movement] = relationship(back_populates="transitions")


class CheckIn(Base):
    """A report from a movement on the road: time, position, note, and progress against plan."""

    __tablename__ = "movement_checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    movement_id: Mapped[int] = mapped_column(
        ForeignKey("movements.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(254))
    km_along: Mapped[float | None] = mapped_column(Float)
    off_route_km: Mapped[float | None] = mapped_column(Float)
    expected_km: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    movement: Mapped[Movement] = relationship(back_populates="checkins")
