"""Candidates: events proposed by an extractor from one document, waiting for review."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safecorridor.db.base import Base, utcnow
from safecorridor.incidents.models import Incident
from safecorridor.review.choices import CandidateStatus
from safecorridor.sources.models import Document
from safecorridor.taxonomy.choices import TLP


class Candidate(Base):
    """One event an extractor found in a document, with the evidence of each field.

    ``evidence`` maps a field name to the ``[start, end]`` character span in the document's
    text that supports it; ``field_confidence`` maps a field name to a confidence in 0..1.
    A decision (accept, reject, merge) sets ``status``, ``decided_by`` and ``decided_at``;
    accepted and merged candidates point at their incident.
    """

    __tablename__ = "candidates"
    __table_args__ = (UniqueConstraint("document_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    # what
    kind: Mapped[str] = mapped_column(String(30))
    event_type: Mapped[str | None] = mapped_column(String(60))
    sub_event_type: Mapped[str | None] = mapped_column(String(60))
    # when
    event_date: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String(5))
    # the day and month ("--10-27") of a report that gives no year: no event_date is made up;
    # the reviewer sets the year
    month_day: Mapped[str | None] = mapped_column(String(7))
    # where
    location: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(100))
    admin1: Mapped[str | None] = mapped_column(String(100))
    admin2: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(100))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    geo_precision: Mapped[int | None] = mapped_column(Integer)
    # who
    perpetrator: Mapped[str | None] = mapped_column(String(300))
    perpetrator_parent: Mapped[str | None] = mapped_column(String(300))
    claimed_by: Mapped[str | None] = mapped_column(String(300))
    actors: Mapped[list[str]] = mapped_column(JSON, default=list)
    target: Mapped[str | None] = mapped_column(String(200))
    # how many
    fatalities: Mapped[int | None]
    foreign_fatalities: Mapped[int | None]
    foreign_nationality: Mapped[str | None] = mapped_column(String(100))
    injured: Mapped[int | None]
    abducted: Mapped[int | None]
    # provenance
    summary: Mapped[str | None] = mapped_column(Text)
    span: Mapped[list[int] | None] = mapped_column(JSON)
    evidence: Mapped[dict[str, list[int]]] = mapped_column(JSON, default=dict)
    field_confidence: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    confidence: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    extractor: Mapped[str] = mapped_column(String(100))
    extractor_version: Mapped[str] = mapped_column(String(40))
    # review
    status: Mapped[str] = mapped_column(String(10), default=CandidateStatus.PENDING, index=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    # sharing
    owner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    tlp: Mapped[str] = mapped_column(String(12), default=TLP.CLEAR)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship()
    incident: Mapped[Incident | None] = relationship()

    def __repr__(self) -> str:
        return f"Candidate({self.id}, {self.kind!r}, {self.status!r})"

    def evidence_text(self, name: str) -> str | None:
        """The text of the span that supports field ``name`` (None without evidence)."""
        span = self.evidence.get(name)
        text = self.document.text if self.document is not None else None
        if not span or text is None:
            return None
        return text[span[0] : span[1]]
