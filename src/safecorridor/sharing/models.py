"""Record grants (who may read a TLP:RED record) and the hash-chained audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from safecorridor.db.base import Base, utcnow


class RecordGrant(Base):
    """A named user's right to read one TLP:RED record (record type and id)."""

    __tablename__ = "record_grants"
    __table_args__ = (
        UniqueConstraint("record_type", "record_id", "user_id"),
        Index("ix_record_grants_user_id", "user_id", "record_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    granted_by: Mapped[str] = mapped_column(String(254))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """One link of the audit chain: ``hash`` covers the event's fields and ``prev_hash``.

    Append-only: rows are written by :func:`safecorridor.sharing.audit.store.append_event` only,
    in id order; ``safecorridor audit verify`` recomputes the chain.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(20))
    record_type: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int | None]
    state_hash: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    #: how ``hash`` was computed: "hmac-sha256" (keyed) or "sha256" (before migration 0013)
    scheme: Mapped[str] = mapped_column(String(16), default="hmac-sha256")


class AuditCheckpoint(Base):
    """What a log held at a moment: its event count and head, sealed with the audit key.

    ``kind`` "checkpoint": written by ``safecorridor audit checkpoint`` (the same figures
    partners keep in the exported file), ``mac`` the HMAC of the figures under the audit key.
    ``kind`` "legacy": how many plain (unkeyed) events a log held when it was upgraded to the
    keyed chain (migration 0013, or the read log's upgrade); no ``mac`` (no key then).
    ``log`` names the log ("audit log" or "read log").
    """

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(12))
    log: Mapped[str] = mapped_column(String(20))
    event_count: Mapped[int]
    head_id: Mapped[int | None]
    head_hash: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str | None] = mapped_column(String(64))
