"""Documents (one source text each) and import runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from safecorridor.db.base import Base, utcnow
from safecorridor.taxonomy.choices import TLP


class Document(Base):
    """One source: a news report, a field report, a dataset row's cited source.

    ``text`` may be empty for a reference-only source (a URL cited by an imported row);
    ``sha256`` is then the hash of the URL, so the same source is stored once.
    """

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    publisher: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str | None] = mapped_column(String(1000))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    #: ``published_at`` was read from the report's own text ("Published in Dawn, May 7th,
    #: 2024", a dateline with a year) because neither the source nor the user gave it
    published_from_text: Mapped[bool] = mapped_column(default=False, server_default=false())
    language: Mapped[str | None] = mapped_column(String(10))
    text: Mapped[str | None] = mapped_column(Text)
    reliability: Mapped[str] = mapped_column(String(1), default="F")
    near_duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)
    owner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    tlp: Mapped[str] = mapped_column(String(12), default=TLP.CLEAR)


class ImportRun(Base):
    """One run of an importer: what file, when, and what it did (every job run is a row).

    ``status``: running, finished, failed, or interrupted (its process died; see
    :mod:`safecorridor.sources.runs`).
    """

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    path: Mapped[str] = mapped_column(String(2000))
    file_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_new: Mapped[int] = mapped_column(default=0)
    rows_updated: Mapped[int] = mapped_column(default=0)
    rows_unchanged: Mapped[int] = mapped_column(default=0)
    rows_rejected: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: the process running it (``running`` with that process gone: ``interrupted``)
    pid: Mapped[int | None]
    hostname: Mapped[str | None] = mapped_column(String(255))


class IngestRun(Base):
    """One run of ``safecorridor ingest``: its sources, when, and what it did.

    Counts are of documents (new, exact duplicates, near-duplicates, failed sources or
    records), of candidates stored and of incidents created or reinforced by auto-accept.
    ``errors`` holds ``{"source": ..., "error": ...}`` for every failure.
    """

    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    documents_new: Mapped[int] = mapped_column(default=0)
    documents_duplicate: Mapped[int] = mapped_column(default=0)
    documents_near_duplicate: Mapped[int] = mapped_column(default=0)
    documents_failed: Mapped[int] = mapped_column(default=0)
    candidates: Mapped[int] = mapped_column(default=0)
    incidents: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # the process running it (pid, host): a run whose process died ends as interrupted
    pid: Mapped[int | None]
    hostname: Mapped[str | None] = mapped_column(String(255))
