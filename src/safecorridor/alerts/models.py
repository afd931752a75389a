"""Alert rules, alerts, in-app notifications, deliveries and the record of worker runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safecorridor.accounts.models import Organisation, User
from safecorridor.alerts.choices import DeliveryState, RunStatus
from safecorridor.db.base import Base, utcnow


class AlertRule(Base):
    """What an organisation wants to hear about, and how.

    ``params`` depends on ``kind``: ``km`` (incident_near), ``hours`` (review_backlog),
    ``sites``/``routes`` (ids watched besides the organisation's own). Recipients are the
    organisation's active members with one of ``recipient_roles`` (empty: every member),
    plus ``emails`` for e-mail and ``webhook_url`` (signed with ``webhook_secret``).
    ``cursor`` (incident rules) is the last :class:`IncidentOutbox` event recorded before the
    rule was made: the rule hears of the events after it; ``memory`` holds what a rule
    remembers between runs (the last risk level of each subject).
    """

    __tablename__ = "alert_rules"
    #: moved on by the worker between audited writes; not compared by ``audit verify``
    __audit_volatile__ = frozenset({"cursor", "memory", "revision"})

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    recipient_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    webhook_secret: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    memory: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(254), default="system")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()

    def __repr__(self) -> str:
        return f"AlertRule({self.id}, {self.kind!r}, org={self.organisation_id})"


class Alert(Base):
    """One thing worth telling an organisation. ``key`` is unique: the same event evaluated
    twice (two workers, a retry) can never make a second alert."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_rules.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    subject_type: Mapped[str | None] = mapped_column(String(30))
    subject_id: Mapped[int | None]
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    rule: Mapped[AlertRule | None] = relationship()
    notifications: Mapped[list[Notification]] = relationship(
        back_populates="alert", cascade="all, delete-orphan", order_by="Notification.id"
    )
    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="alert", cascade="all, delete-orphan", order_by="Delivery.id"
    )

    def __repr__(self) -> str:
        return f"Alert({self.id}, {self.key!r})"


class Notification(Base):
    """An alert in a user's in-app inbox; unread until the user acknowledges it."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("alert_id", "user_id"),
        Index("ix_notifications_user_unread", "user_id", "acknowledged_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]

    alert: Mapped[Alert] = relationship(back_populates="notifications")
    user: Mapped[User] = relationship()


class Delivery(Base):
    """One alert to one recipient over one channel (e-mail or webhook), with its retries.

    ``idempotency_key`` is derived from alert, channel and recipient and is unique, so a
    delivery exists once; webhooks send it as ``X-SafeCorridor-Idempotency-Key``. A worker
    claims a due row by a conditional UPDATE (state and ``claimed_until``) and sends only if
    exactly one row changed. After ``max_attempts`` failures the state is ``dead``.
    """

    __tablename__ = "alert_deliveries"
    __table_args__ = (Index("ix_alert_deliveries_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(2000))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(20), default=DeliveryState.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    response_code: Mapped[int | None]
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    alert: Mapped[Alert] = relationship(back_populates="deliveries")

    def __repr__(self) -> str:
        return f"Delivery({self.id}, {self.channel!r}, {self.state!r})"


class IncidentOutbox(Base):
    """One incident to evaluate against the new-incident rules: the transactional outbox.

    A row is written by a database trigger (migration 0014) in the transaction that inserts a
    confirmed incident, or that turns an incident's status back to confirmed, so it commits
    with the incident or not at all, whatever the path (ORM, bulk ``COPY``, importers, review,
    API, web). The worker claims pending rows (``processed_at`` null) with ``SELECT ... FOR
    UPDATE SKIP LOCKED`` on PostgreSQL, under the write lock on SQLite, evaluates them and
    sets ``processed_at`` in the same transaction; a worker that dies leaves them pending.
    An incident committed late, with a lower id than ones already evaluated, is still
    pending when it becomes visible, so no rule can miss it.
    """

    __tablename__ = "incident_outbox"
    __table_args__ = (
        Index(
            "ix_incident_outbox_pending",
            "id",
            sqlite_where=text("processed_at IS NULL"),
            postgresql_where=text("processed_at IS NULL"),
        ),
        Index("ix_incident_outbox_processed_at", "processed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    #: when the trigger wrote it (the database's clock: for the queue's age, never for logic)
    created_at: Mapped[datetime] = mapped_column(server_default=func.current_timestamp())
    processed_at: Mapped[datetime | None]
    #: evaluations in which a rule failed; after ``OUTBOX_MAX_ATTEMPTS`` the row is closed
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"IncidentOutbox({self.id}, incident={self.incident_id})"


class WorkerRun(Base):
    """One run of one worker step: when, what it found, how it ended."""

    __tablename__ = "worker_runs"
    __table_args__ = (Index("ix_worker_runs_step_started", "step", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step: Mapped[str] = mapped_column(String(40))
    worker: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(10), default=RunStatus.RUNNING)
    found: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
