"""A reader's report in: one pasted text, uploaded file or URL becomes a document and the
candidate events the extractor finds in it, owned by the reader's organisation.

The API's ``POST /api/v1/documents`` and the web's ingest page both call :func:`ingest_report`,
so the role rule, the RED grant, the audit and the duplicate answers are the same on both.
``ingest`` writes through connections of its own, so this is called outside any request
transaction, and opens its own short one afterwards.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload

from safecorridor.db.session import session_scope
from safecorridor.errors import InvalidInputError, NotFoundError
from safecorridor.review.models import Candidate
from safecorridor.sharing.audit import audit_reads, audit_write
from safecorridor.sharing.policy import Viewer, require_write, restrict
from safecorridor.sharing.service import keep_readable_by_writer
from safecorridor.sources.dedup import normalise_text, text_sha256
from safecorridor.sources.ingest import IngestOptions, IngestReport, ingest, stored_copies
from safecorridor.sources.models import Document
from safecorridor.taxonomy.choices import TLP
from safecorridor.validation import publication_day, web_url

Status = Literal["new", "near_duplicate", "duplicate"]


@dataclass
class Upload:
    """A file sent by a browser: its name (only the base name is kept) and bytes."""

    filename: str
    content: bytes


@dataclass
class IngestOutcome:
    """What one report became."""

    status: Status
    documents: list[Document] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    duplicate_of_id: int | None = None
    near_duplicate_of_id: int | None = None
    run_id: int | None = None
    errors: list[str] = field(default_factory=list)
    report: IngestReport | None = None


def get_document(
    session: Session, document_id: int, *, viewer: Viewer | None, action: str | None = None
) -> Document:
    """The document if the reader may read it (absence and secrecy look alike); with an
    ``action`` the read is audited under that name."""
    doc = session.scalar(
        restrict(select(Document).where(Document.id == document_id), Document, viewer)
    )
    if doc is None:
        readable = " that you may read" if viewer is not None else ""
        raise NotFoundError(f"no document with id {document_id}{readable}")
    if viewer is not None and action is not None:
        audit_reads(session=session, viewer=viewer, objs=[doc], action=action)
    return doc


def page_of_documents(
    session: Session, viewer: Viewer | None, *, limit: int = 50, offset: int = 0
) -> tuple[list[Document], int]:
    """Documents the reader may read, newest ingested first, and how many there are."""
    q = restrict(select(Document), Document, viewer)
    total = int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)
    rows = list(
        session.scalars(
            q.order_by(Document.ingested_at.desc(), Document.id.desc()).offset(offset).limit(limit)
        )
    )
    if viewer is not None:
        audit_reads(session=session, viewer=viewer, objs=rows, action="list")
    return rows, total


def _safe_name(filename: str) -> str:
    """A file name to write in our temporary folder: its last part, never '.', '..' or ''."""
    name = Path(filename.replace("\\", "/")).name.strip()
    if name in ("", ".", "..") or name.startswith("."):
        return "upload.txt"
    return name[:200]


def ingest_report(
    *,
    engine: Engine,
    viewer: Viewer,
    text: str | None = None,
    url: str | None = None,
    upload: Upload | None = None,
    published: date | None = None,
    publisher: str | None = None,
    title: str | None = None,
    reliability: str = "F",
    tlp: TLP = TLP.AMBER,
    today: date,
) -> IngestOutcome:
    """Store the report once and the candidates extracted from it (analysts). A ``published``
    day is a publication day up to ``today`` (``validation.publication_day``, as the CLI's)."""
    require_write(viewer, "document")
    require_write(viewer, "candidate")
    if published is not None:
        try:
            publication_day(published, today=today)
        except ValueError as exc:
            raise InvalidInputError(
                f"field published: {exc}", errors=[{"loc": ["published"], "msg": str(exc)}]
            ) from None
    text = text if text and text.strip() else None
    url = url.strip() if url and url.strip() else None
    if text is None and url is None and upload is None:
        raise InvalidInputError("give the report: its text, a URL or a file")
    if url is not None:
        # http(s) only, as the API's schema says: ``ingest`` also reads files and folders of
        # the server's own disk, which a signed-in user must never name through the URL field
        try:
            web_url(url)
        except ValueError:
            msg = f"{url[:80]!r} is not an http(s) URL"
            raise InvalidInputError(
                f"field url: {msg}", errors=[{"loc": ["url"], "msg": msg}]
            ) from None
    options = IngestOptions(
        published=published,
        publisher=publisher or None,
        title=title or None,
        url=url if text is not None else None,  # a pasted text may name where it came from
        reliability=reliability,
        tlp=str(tlp),
        owner_org_id=viewer.organisation_id,
        decided_by=viewer.email,
    )
    with tempfile.TemporaryDirectory(prefix="sc-ingest-") as tmp:
        sources: list[str] = []
        labels: dict[str, str] = {}
        if text is not None:
            pasted = Path(tmp) / "text.txt"
            pasted.write_text(text, encoding="utf-8")
            sources.append(str(pasted))
            labels[str(pasted)] = "the text"
        if upload is not None:
            sent = Path(tmp) / _safe_name(upload.filename)
            sent.write_bytes(upload.content)
            sources.append(str(sent))
            labels[str(sent)] = _safe_name(upload.filename)
        if url is not None and text is None:
            sources.append(url)
        report = ingest(engine=engine, sources=sources, options=options)
    errors = list(report.errors)
    for where, label in labels.items():
        errors = [e.replace(where, label) for e in errors]
    if report.failed and not report.document_ids and not report.duplicate:
        raise InvalidInputError(f"the report could not be ingested: {'; '.join(errors)}")
    with session_scope(engine, write=True) as session:
        docs = list(
            session.scalars(
                restrict(
                    select(Document).where(Document.id.in_(report.document_ids)), Document, None
                ).order_by(Document.id)
            )
        )
        candidates = list(
            session.scalars(
                select(Candidate)
                .where(Candidate.document_id.in_(report.document_ids))
                .options(selectinload(Candidate.document))
                .order_by(Candidate.id)
            )
        )
        for record in (*docs, *candidates):  # a RED report stays readable by its writer
            keep_readable_by_writer(session, viewer, record)
        for doc in docs:
            audit_write(session=session, viewer=viewer, action="ingest", obj=doc)
        duplicate_of = None
        if not docs and text is not None:
            digest = text_sha256(normalise_text(text))
            copy = stored_copies(session, [digest], str(tlp), viewer.organisation_id).get(digest)
            duplicate_of = session.scalar(
                restrict(select(Document.id).where(Document.id == copy), Document, viewer)
            )
        near_of = next((d.near_duplicate_of_id for d in docs if d.near_duplicate_of_id), None)
    status: Status = (
        "new" if report.new else ("near_duplicate" if report.near_duplicate else "duplicate")
    )
    return IngestOutcome(
        status=status,
        documents=docs,
        candidates=candidates,
        duplicate_of_id=duplicate_of,
        near_duplicate_of_id=near_of,
        run_id=report.run_id,
        errors=errors,
        report=report,
    )
