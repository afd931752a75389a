"""Computed risk results, each with the policy version and hash that produced it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from safecorridor.db.base import Base, utcnow


class RiskResult(Base):
    """One computation: a site, a route, a surface or a backtest, at a date, under a policy."""

    __tablename__ = "risk_results"
    __table_args__ = (Index("ix_risk_results_subject", "kind", "subject_id", "as_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # site | route | surface | backtest
    subject_id: Mapped[int | None]
    subject_name: Mapped[str | None] = mapped_column(String(300))
    as_of: Mapped[date] = mapped_column(Date)
    policy_version: Mapped[str] = mapped_column(String(100))
    policy_sha256: Mapped[str] = mapped_column(String(64), index=True)
    level: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"RiskResult({self.kind}, {self.subject_name!r}, {self.as_of}, {self.level})"
