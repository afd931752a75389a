"""The Joint Working Group's own records: meetings (with delegations, agenda items and
decisions), the action items the decisions create (with their status history), the links of
agenda and action items to incidents, sites, routes, movements and measures, and the briefing
packs built for the delegations.

Meetings, action items and packs are owned and TLP-marked like every other record
(``sharing.policy``). An action item's ``owner_org_id`` is the organisation that must act (the
"owner organisation" of the decision); ``recorded_by_org_id`` is the organisation that recorded
it (the meeting's secretariat), which reads what it recorded unless it is RED. Agenda items and
decisions are read with their meeting. A pack belongs to the organisation it was built for and
is read by that organisation's members only (it holds records shared with that organisation,
which its partners may not read).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safecorridor.accounts.models import Organisation
from safecorridor.db.base import Base, utcnow
from safecorridor.jwg.choices import ActionStatus, LinkRole
from safecorridor.taxonomy.choices import TLP

DEFAULT_SERIES = "JWG on Safety and Security of CPEC"


class Meeting(Base):
    """One meeting of a series (the 9th meeting of the JWG on Safety and Security)."""

    __tablename__ = "jwg_meetings"
    __record_type__ = "meeting"
    # one record of a meeting per organisation: another's, which the writer may not read,
    # is no clash (see jwg.service.create_meeting)
    __table_args__ = (UniqueConstraint("owner_org_id", "series", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(200), default=DEFAULT_SERIES)
    number: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    venue: Mapped[str] = mapped_column(String(300), default="")
    chair: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    is_illustrative: Mapped[bool] = mapped_column(default=False)
    tlp: Mapped[str] = mapped_column(String(12), default=TLP.GREEN)
    owner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    delegations: Mapped[list[MeetingDelegation]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingDelegation.id"
    )
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Decision.position"
    )

    def __repr__(self) -> str:
        return f"Meeting({self.series!r}, {self.number})"


class MeetingDelegation(Base):
    """An organisation at a meeting: its side, the roles it sent (never named persons) and
    the language its briefing pack is written in."""

    __tablename__ = "jwg_delegations"
    __table_args__ = (UniqueConstraint("meeting_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("jwg_meetings.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    side: Mapped[str] = mapped_column(String(100), default="")
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(10), default="en")

    meeting: Mapped[Meeting] = relationship(back_populates="delegations")
    organisation: Mapped[Organisation] = relationship()


class AgendaItem(Base):
    """One item of a meeting's agenda; its links name incidents, sites, routes, movements."""

    __tablename__ = "jwg_agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("jwg_meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")


class Decision(Base):
    """What a meeting agreed; it creates action items."""

    __tablename__ = "jwg_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("jwg_meetings.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("jwg_agenda_items.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="decisions")
    actions: Mapped[list[ActionItem]] = relationship(
        back_populates="decision", order_by="ActionItem.id"
    )


class ActionItem(Base):
    """Who does what by when, because a decision said so.

    ``status`` is one of :class:`ActionStatus`; ``overdue`` is set by the worker (once, by a
    conditional UPDATE) when ``due_on`` passes with the item still open. Evidence of
    completion is a note, a document (``evidence_url``) or a measure put in place (a link
    with the ``evidence`` role).
    """

    __tablename__ = "jwg_action_items"
    __record_type__ = "action_item"
    __table_args__ = (Index("ix_jwg_action_items_status_due", "status", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("jwg_meetings.id"), index=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("jwg_decisions.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[str] = mapped_column(Text, default="")
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    recorded_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    responsible_role: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default=ActionStatus.OPEN)
    overdue_since: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    evidence_note: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    tlp: Mapped[str] = mapped_column(String(12), default=TLP.AMBER)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    meeting: Mapped[Meeting] = relationship()
    decision: Mapped[Decision] = relationship(back_populates="actions")
    owner: Mapped[Organisation] = relationship(foreign_keys=[owner_org_id])
    history: Mapped[list[ActionItemChange]] = relationship(
        back_populates="action_item",
        cascade="all, delete-orphan",
        order_by="ActionItemChange.id",
    )

    def __repr__(self) -> str:
        return f"ActionItem({self.id}, {self.status!r}, due {self.due_on})"


class ActionItemChange(Base):
    """One step of an action item's status history: from what to what, by whom, when, why."""

    __tablename__ = "jwg_action_item_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_item_id: Mapped[int] = mapped_column(
        ForeignKey("jwg_action_items.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(254))
    note: Mapped[str | None] = mapped_column(Text)

    action_item: Mapped[ActionItem] = relationship(back_populates="history")


class JwgLink(Base):
    """A link from an agenda item or an action item to a record (incident, site, route,
    movement, measure). A link is shown only to readers who may read the record it names."""

    __tablename__ = "jwg_links"
    __table_args__ = (
        UniqueConstraint("item_type", "item_id", "record_type", "record_id", "role"),
        Index("ix_jwg_links_record", "record_type", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_type: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[int] = mapped_column(Integer)
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(20), default=LinkRole.LINK)


class BriefingPack(Base):
    """A briefing built for one organisation over a period: the HTML and PDF sent, the
    strictest marking of what went into it, and the ids of those records (``records``)."""

    __tablename__ = "jwg_briefings"
    __record_type__ = "briefing"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("jwg_meetings.id"), index=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(10), default="en")
    tlp: Mapped[str] = mapped_column(String(12), default=TLP.CLEAR)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)
    built_by: Mapped[str] = mapped_column(String(254))
    records: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sha256: Mapped[str] = mapped_column(String(64))
    html: Mapped[str] = mapped_column(Text)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    sent_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
