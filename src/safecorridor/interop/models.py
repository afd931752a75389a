"""Partner feeds (with their ``added_after`` bookmarks), their polls, and TAXII status resources."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safecorridor.db.base import Base, utcnow
from safecorridor.incidents.models import Incident
from safecorridor.interop.choices import FeedRunStatus
from safecorridor.taxonomy.choices import TLP


class Feed(Base):
    """A partner's feed that the worker polls: a TAXII 2.1 collection or MISP event JSON.

    ``bookmark`` is where the last poll stopped: for TAXII the ``X-TAXII-Date-Added-Last`` of
    the last page (sent back as ``added_after``), for MISP JSON the highest event
    ``timestamp`` read. New objects become candidates owned by ``owner_org_id``; objects
    without a TLP marking take ``default_tlp``. ``token`` is the partner's bearer token (the
    partner's secret: stored as given, never printed).

    Registering and removing a feed are audited with its state; the token only as whether one
    is set (``__audit_redacted__``), and the columns each poll moves on (bookmark, schedule,
    last outcome) are not compared by ``audit verify`` (``__audit_volatile__``).
    """

    __tablename__ = "feeds"
    __audit_redacted__ = frozenset({"token"})
    __audit_volatile__ = frozenset(
        {"bookmark", "next_poll_at", "claimed_until", "last_polled_at", "last_status", "last_error"}
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(2000))
    collection: Mapped[str | None] = mapped_column(String(200))
    token: Mapped[str | None] = mapped_column(String(500))
    owner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    default_tlp: Mapped[str] = mapped_column(String(12), default=TLP.GREEN)
    reliability: Mapped[str] = mapped_column(String(1), default="F")
    interval_seconds: Mapped[int] = mapped_column(default=3600)
    is_active: Mapped[bool] = mapped_column(default=True)
    bookmark: Mapped[str | None] = mapped_column(String(100))
    next_poll_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    claimed_until: Mapped[datetime | None]
    last_polled_at: Mapped[datetime | None]
    last_status: Mapped[str | None] = mapped_column(String(10))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"Feed({self.name!r}, {self.kind!r})"


class FeedRun(Base):
    """One poll of a feed: when, what it read and stored, and how it ended."""

    __tablename__ = "feed_runs"
    __table_args__ = (Index("ix_feed_runs_feed_started", "feed_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(10), default=FeedRunStatus.RUNNING)
    objects: Mapped[int] = mapped_column(default=0)
    candidates: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)
    bookmark_from: Mapped[str | None] = mapped_column(String(100))
    bookmark_to: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(Text)


class TaxiiStatus(Base):
    """The status resource of one TAXII ``Add Objects`` request (TAXII 2.1 section 4.3).

    Posted objects are handled at once, so a status is ``complete`` when created; it lists
    each object's outcome (``successes``/``failures``: ``{"id", "version", "message"}``) and
    is readable by the user who posted.
    """

    __tablename__ = "taxii_statuses"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    collection_id: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    request_timestamp: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default="complete")
    total_count: Mapped[int] = mapped_column(default=0)
    success_count: Mapped[int] = mapped_column(default=0)
    failure_count: Mapped[int] = mapped_column(default=0)
    pending_count: Mapped[int] = mapped_column(default=0)
    successes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    failures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    pendings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


#: a TAXII collection is one marking's confirmed incidents in (updated_at, id) order: pages,
#: added_after and the "first incident that refers to it" lookups walk this index
Index(
    "ix_incidents_collection_order",
    Incident.status,
    Incident.tlp,
    Incident.updated_at,
    Incident.id,
)
