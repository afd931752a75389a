"""Computed risk results (each with the policy version and hash that produced it), the
history of the deployment's active risk policy, and the policies served each quarter (fitted
on one reader's history, kept so that no process fits them twice)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, Index, Integer, String, Text, UniqueConstraint
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


class RiskPolicy(Base):
    """A policy made the deployment's active policy at ``activated_at`` (append-only: each
    activation is a new row, so the table is the history; the active policy is the latest
    row). ``document`` is the policy file's text as activated; ``sha256`` the hash of its
    parsed content (``risk.policy.canonical_hash``), checked when it is read back."""

    __tablename__ = "risk_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(100), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)
    #: the policy's calibration summary (train_until, data, command), when it has one
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(String(500), default="")
    activated_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"RiskPolicy({self.id}, {self.version!r}, {self.sha256[:12]})"


class ServedFit(Base):
    """A policy as served in one quarter: ``policy_sha256`` (the active policy) calibrated on
    the incidents some reader may read before ``quarter`` (its first day), whose content
    hash is ``data_sha256`` (``risk.calibrate.content_sha256``). A reader is served this fit
    only when the incidents *they* may read before that day hash to the same value, so a
    stored fit never carries what its reader may not read. Written by the worker's
    ``risk_fits`` step and ``safecorridor risk warm``; read by every process (a quarter's
    first figures then cost what the others do). ``document`` is the fitted policy's text;
    ``sha256`` its content hash, checked when it is read back. A cache: rows may be deleted
    (the worker prunes old ones) and are fitted again when asked for."""

    __tablename__ = "risk_served_fits"
    __table_args__ = (UniqueConstraint("policy_sha256", "quarter", "data_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_sha256: Mapped[str] = mapped_column(String(64))
    quarter: Mapped[date] = mapped_column(Date)
    data_sha256: Mapped[str] = mapped_column(String(64))
    incidents: Mapped[int] = mapped_column(Integer)
    version: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"ServedFit({self.version!r}, {self.quarter}, data {self.data_sha256[:12]})"
