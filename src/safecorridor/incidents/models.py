"""The incident record and what it refers to: actors (with aliases and units), sources, history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    select,
    true,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, relationship

from safecorridor.db.base import Base, utcnow
from safecorridor.sources.models import Document
from safecorridor.taxonomy.choices import TLP, ActorKind, DatePrecision, IncidentStatus

incident_documents = Table(
    "incident_documents",
    Base.metadata,
    Column("incident_id", ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
)


class Actor(Base):
    """An organisation or a category (armed group, state force, company), never a person."""

    __tablename__ = "actors"
    #: columns added by a migration: compared by ``audit verify`` once an audited write holds them
    __audit_added__: ClassVar[dict[str, str]] = {"in_register": "0025"}

    id: Mapped[int] = mapped_column(primary_key=True)
    #: not unique: an actor known only from records some readers may not read is not lent to
    #: a record they read, which names its own (see incidents.actors.ActorResolver)
    name: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=ActorKind.OTHER)
    #: read by every signed-in user (the actor table, entries by hand, CLEAR and GREEN
    #: imports, names of open records); otherwise read only by the readers of an incident that
    #: names it, and nobody's once none does
    in_register: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    countries: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Actor | None] = relationship(remote_side=[id], back_populates="units")
    units: Mapped[list[Actor]] = relationship(back_populates="parent", order_by="Actor.name")
    aliases: Mapped[list[ActorAlias]] = relationship(
        back_populates="actor", cascade="all, delete-orphan", order_by="ActorAlias.alias"
    )

    def __repr__(self) -> str:
        return f"Actor({self.name!r})"


class ActorAlias(Base):
    """Another name of an actor; ``key`` is the normalised form used for lookups."""

    __tablename__ = "actor_aliases"
    __record_type__ = "actor_alias"
    __table_args__ = (UniqueConstraint("actor_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("actors.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300), index=True)

    actor: Mapped[Actor] = relationship(back_populates="aliases")


class Incident(Base):
    """A confirmed event. Fields follow the ACLED codebook, plus the corridor's own."""

    __tablename__ = "incidents"
    __table_args__ = (
        UniqueConstraint("source_dataset", "source_key"),
        Index("ix_incidents_event_date_id", "event_date", "id"),
        # covers the list filters, so counts read the index only (lists use event_date_id)
        Index(
            "ix_incidents_status_date_tlp",
            "status",
            "event_date",
            "tlp",
            "owner_org_id",
            "event_type",
        ),
        # TAXII pages records by (updated_at, id)
        Index("ix_incidents_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # provenance of the record itself
    source_dataset: Mapped[str] = mapped_column(String(20), default="manual")
    source_key: Mapped[str] = mapped_column(String(100))
    content_hash: Mapped[str] = mapped_column(String(64))
    # when
    event_date: Mapped[date] = mapped_column(Date)
    date_precision: Mapped[str] = mapped_column(String(5), default=DatePrecision.DAY)
    # what
    disorder_type: Mapped[str | None] = mapped_column(String(60))
    event_type: Mapped[str] = mapped_column(String(60), index=True)
    sub_event_type: Mapped[str | None] = mapped_column(String(60))
    # who
    actor1_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    assoc_actor_1: Mapped[str | None] = mapped_column(String(500))
    inter1: Mapped[str | None] = mapped_column(String(60))
    actor2_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    assoc_actor_2: Mapped[str | None] = mapped_column(String(500))
    inter2: Mapped[str | None] = mapped_column(String(60))
    interaction: Mapped[str | None] = mapped_column(String(60))
    civilian_targeting: Mapped[str | None] = mapped_column(String(40))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    target_category: Mapped[str | None] = mapped_column(String(200))
    # where
    iso: Mapped[str | None] = mapped_column(String(3))
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(100), index=True)
    admin1: Mapped[str | None] = mapped_column(String(100), index=True)
    admin2: Mapped[str | None] = mapped_column(String(100))
    admin3: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    geo_precision: Mapped[int] = mapped_column(Integer, default=1)
    h3_cell: Mapped[int] = mapped_column(BigInteger, index=True)
    # how many
    fatalities: Mapped[int | None]
    foreign_fatalities: Mapped[int | None]
    foreign_nationality: Mapped[str | None] = mapped_column(String(100))
    injured: Mapped[int | None]
    abducted: Mapped[int | None]
    # narrative and sources
    source: Mapped[str | None] = mapped_column(Text)
    source_scale: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[str | None] = mapped_column(Text)
    credibility: Mapped[str] = mapped_column(String(1), default="6")
    # sharing and life cycle
    tlp: Mapped[str] = mapped_column(String(12), default=TLP.CLEAR)
    owner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=IncidentStatus.CONFIRMED, index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    actor1: Mapped[Actor | None] = relationship(foreign_keys=[actor1_id])
    actor2: Mapped[Actor | None] = relationship(foreign_keys=[actor2_id])
    claimed_by: Mapped[Actor | None] = relationship(foreign_keys=[claimed_by_id])
    documents: Mapped[list[Document]] = relationship(
        secondary=incident_documents, order_by=lambda: Document.id
    )
    history: Mapped[list[IncidentChange]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentChange.id"
    )

    def __repr__(self) -> str:
        return f"Incident({self.id}, {self.event_date}, {self.event_type!r}, {self.location!r})"


class IncidentChange(Base):
    """One entry of an incident's history: who changed what, from what to what."""

    __tablename__ = "incident_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    incident: Mapped[Incident] = relationship(back_populates="history")


class IncidentsEpoch(Base):
    """One row (id 1) whose ``epoch`` the database raises, by triggers of migration 0016,
    whenever incidents are added, changed or deleted, by any process and by any means (the
    ORM, Core statements, plain SQL). On PostgreSQL the raise runs at commit, once per
    transaction (a deferred trigger), so it takes no lock while the transaction works and
    cannot deadlock with the audit chain's lock; on SQLite, whose writers are serialised,
    every changed row raises it at once.

    The cached risk surfaces (``risk.cache``) are valid while this number is unchanged: one
    primary-key read per request instead of counting the incidents. ``ops.backup.restore``
    moves it past both the old and the restored value, so a number never comes back with
    other incidents behind it. A missing row reads as 0 (the triggers insert it back).
    """

    __tablename__ = "incidents_epoch"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    epoch: Mapped[int] = mapped_column(BigInteger, default=0)


def read_incidents_epoch(conn: Connection | Session) -> int:
    """The incidents' epoch (:class:`IncidentsEpoch`): one primary-key read; 0 when the row
    is missing (the next change puts it back)."""
    found = conn.execute(select(IncidentsEpoch.epoch).where(IncidentsEpoch.id == 1)).scalar()
    return int(found or 0)


#: ``Session.info`` key: this session's open transaction has written incidents
WROTE_INCIDENTS = "safecorridor.wrote_incidents"


def wrote_incidents(session: Session) -> bool:
    """Whether ``session``'s open transaction has added, changed or deleted incidents (through
    the ORM or an ORM-executed statement). Its incidents then differ from what
    :class:`IncidentsEpoch` stands for until it commits: caches must not be read or filled."""
    return bool(session.info.get(WROTE_INCIDENTS))


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    if session.info.get(WROTE_INCIDENTS):
        return  # already known: a bulk import's later flushes need not look again
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Incident):
            session.info[WROTE_INCIDENTS] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is Incident.__table__ or any(m.class_ is Incident for m in state.all_mappers):
        state.session.info[WROTE_INCIDENTS] = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(WROTE_INCIDENTS, None)
