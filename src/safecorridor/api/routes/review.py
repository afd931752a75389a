"""/api/v1/documents (ingest) and /api/v1/candidates: reports in, candidates reviewed.

An analyst posts a report's text or URL; extraction proposes candidates, which an analyst of
the owner organisation accepts (with edits), rejects (with a reason) or merges into a named
incident. Candidates carry their document's TLP marking and owner, and are read through the
same query-layer filter as every other record.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from pathlib import Path as FsPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import String, func, select
from sqlalchemy.orm import Session, selectinload

from safecorridor.api.deps import (
    CurrentViewer,
    SessionDep,
    bearer_scheme,
    cookie_scheme,
    current_user,
    optional_user,
    require_writer,
)
from safecorridor.api.problems import ProblemError, responses
from safecorridor.api.routes.records import document_public
from safecorridor.api.schemas import (
    AcceptIn,
    CandidatePublic,
    CandidatesPublic,
    DecisionPublic,
    DocumentIn,
    DocumentIngested,
    EditValue,
    EvidencePublic,
    MergeIn,
    RejectIn,
)
from safecorridor.db.session import get_engine, session_scope
from safecorridor.incidents.models import Incident
from safecorridor.review.choices import CandidateStatus
from safecorridor.review.models import Candidate
from safecorridor.review.service import (
    CandidateDecidedError,
    CandidateEditError,
    CandidateIncompleteError,
    Decision,
    accept_candidate,
    merge_candidate,
    parse_edits,
    reject_candidate,
    suggested_incident,
)
from safecorridor.sharing.audit import audit_reads, audit_write
from safecorridor.sharing.policy import Viewer, can_change, restrict
from safecorridor.sharing.service import grant_record
from safecorridor.sources.dedup import normalise_text, text_sha256
from safecorridor.sources.models import Document
from safecorridor.taxonomy.choices import TLP

router = APIRouter(responses=responses(401, 422))

MAX_ID = 2**31 - 1
DocumentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The document's id.")]
CandidateId = Annotated[int, Path(ge=1, le=MAX_ID, description="The candidate's id.")]
StatusFilter = Literal["pending", "accepted", "rejected", "merged", "all"]

_INT_FIELDS = frozenset(
    {"geo_precision", "fatalities", "foreign_fatalities", "injured", "abducted"}
)


# --- shapes -----------------------------------------------------------------------------------


def candidate_public(
    c: Candidate, *, suggested: Incident | None = None, with_text: bool = True
) -> CandidatePublic:
    text = c.document.text if with_text and c.document is not None else None
    evidence = {
        name: EvidencePublic(
            start=span[0], end=span[1], text=text[span[0] : span[1]] if text else None
        )
        for name, span in (c.evidence or {}).items()
        if isinstance(span, list | tuple) and len(span) == 2
    }
    return CandidatePublic(
        id=c.id,
        document_id=c.document_id,
        position=c.position,
        kind=c.kind,
        event_type=c.event_type,
        sub_event_type=c.sub_event_type,
        event_date=c.event_date,
        date_precision=c.date_precision,
        location=c.location,
        city=c.city,
        admin1=c.admin1,
        admin2=c.admin2,
        country=c.country,
        latitude=c.latitude,
        longitude=c.longitude,
        geo_precision=c.geo_precision,
        perpetrator=c.perpetrator,
        perpetrator_parent=c.perpetrator_parent,
        claimed_by=c.claimed_by,
        actors=list(c.actors or []),
        target=c.target,
        fatalities=c.fatalities,
        foreign_fatalities=c.foreign_fatalities,
        foreign_nationality=c.foreign_nationality,
        injured=c.injured,
        abducted=c.abducted,
        summary=c.summary,
        span=list(c.span) if c.span else None,
        evidence=evidence,
        field_confidence=dict(c.field_confidence or {}),
        confidence=c.confidence,
        extractor=c.extractor,
        extractor_version=c.extractor_version,
        status=CandidateStatus(c.status).value,
        incident_id=c.incident_id,
        decided_by=c.decided_by,
        decided_at=c.decided_at,
        decision_note=c.decision_note,
        owner_org_id=c.owner_org_id,
        tlp=c.tlp,
        created_at=c.created_at,
        suggested_incident_id=suggested.id if suggested is not None else None,
    )


def _candidates_query(viewer: Viewer) -> Any:
    return restrict(select(Candidate).options(selectinload(Candidate.document)), Candidate, viewer)


def _load(session: Session, viewer: Viewer, candidate_id: int) -> Candidate:
    """The candidate if the viewer may read it; 404 otherwise (absence and secrecy look alike)."""
    c: Candidate | None = session.scalar(
        _candidates_query(viewer).where(Candidate.id == candidate_id)
    )
    if c is None:
        raise ProblemError(404, f"no candidate with id {candidate_id} that you may read")
    return c


def _readable_incident(session: Session, viewer: Viewer, incident_id: int) -> Incident | None:
    return session.scalar(
        restrict(select(Incident).where(Incident.id == incident_id), Incident, viewer)
    )


def mergeable_incidents(session: Session, viewer: Viewer) -> Callable[[Incident], bool]:
    """Which incidents an accept may merge the viewer's candidate into: those the viewer may
    read and change (never another organisation's record, nor one the viewer cannot see)."""

    def eligible(inc: Incident) -> bool:
        return (
            can_change(viewer, "incident", inc.owner_org_id)
            and _readable_incident(session, viewer, inc.id) is not None
        )

    return eligible


# --- ingest -----------------------------------------------------------------------------------


def ingest_viewer(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> Viewer:
    """Who is asking, resolved in a short transaction of its own (committed before ingest).

    ``ingest`` writes through connections of its own, so POST /documents cannot hold the
    request's write session (SQLite's write lock) while it runs. The transaction is a write
    one because a token's ``last_used_at`` may be updated.
    """
    with session_scope(write=True) as session:
        return Viewer.of(current_user(optional_user(request, session, bearer, cookie)))


IngestViewer = Annotated[Viewer, Depends(ingest_viewer)]


def _status(report_new: int, report_near: int) -> Literal["new", "near_duplicate", "duplicate"]:
    if report_new:
        return "new"
    return "near_duplicate" if report_near else "duplicate"


@router.post(
    "/api/v1/documents",
    response_model=DocumentIngested,
    status_code=201,
    tags=["documents"],
    summary="Ingest a report (text or URL): extraction proposes candidates",
    responses={
        200: {
            "model": DocumentIngested,
            "description": "The report was already stored: nothing was created.",
        },
        **responses(403),
    },
)
def ingest_document(body: DocumentIn, viewer: IngestViewer, response: Response) -> Any:
    """Store a report's text (or the page at ``url``) owned by your organisation, run the
    extractor on it and return the candidates it proposed (analysts). A text already stored
    is a ``duplicate`` (200, nothing created); a syndicated copy of a stored text is stored as
    a ``near_duplicate`` without extraction."""
    from safecorridor.sources.ingest import IngestOptions, ingest

    require_writer(viewer, "document")
    require_writer(viewer, "candidate")
    options = IngestOptions(
        published=body.published,
        publisher=body.publisher or None,
        title=body.title or None,
        url=body.url if body.text else None,
        reliability=body.reliability,
        tlp=str(body.tlp),
        owner_org_id=viewer.organisation_id,
        decided_by=viewer.email,
    )
    with tempfile.TemporaryDirectory(prefix="sc-api-ingest-") as tmp:
        if body.text:
            path = FsPath(tmp) / "text.txt"
            path.write_text(body.text, encoding="utf-8")
            sources, label = [str(path)], str(path)
        else:
            assert body.url is not None
            sources, label = [body.url], body.url
        report = ingest(engine=get_engine(), sources=sources, options=options)
    if report.failed and not report.document_ids and not report.duplicate:
        errors = "; ".join(e.replace(label, "text" if body.text else label) for e in report.errors)
        raise ProblemError(422, f"the report could not be ingested: {errors}")
    with session_scope(write=True) as session:
        docs = list(
            session.scalars(
                select(Document).where(Document.id.in_(report.document_ids)).order_by(Document.id)
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
        if body.tlp == TLP.RED and viewer.user_id is not None:
            marked = [("document", d.id) for d in docs] + [("candidate", c.id) for c in candidates]
            for kind, ident in marked:
                grant_record(
                    session=session,
                    record_type=kind,
                    record_id=ident,
                    user_id=viewer.user_id,
                    granted_by=viewer.email,
                )
        for doc in docs:
            audit_write(session=session, viewer=viewer, action="ingest", obj=doc)
        duplicate_of = None
        if not docs and body.text:
            digest = text_sha256(normalise_text(body.text))
            duplicate_of = session.scalar(
                restrict(select(Document.id).where(Document.sha256 == digest), Document, viewer)
            )
        near_of = next((d.near_duplicate_of_id for d in docs if d.near_duplicate_of_id), None)
        status = _status(report.new, report.near_duplicate)
        if status == "duplicate":
            response.status_code = 200
        return DocumentIngested(
            status=status,
            document_ids=[d.id for d in docs],
            documents=[document_public(d) for d in docs],
            duplicate_of_id=duplicate_of,
            near_duplicate_of_id=near_of,
            candidates=[candidate_public(c) for c in candidates],
            run_id=report.run_id,
        )


# --- reading candidates -----------------------------------------------------------------------


def _page(session: Session, viewer: Viewer, q: Any, limit: int, offset: int) -> CandidatesPublic:
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = list(session.scalars(q.order_by(Candidate.id).offset(offset).limit(limit)))
    audit_reads(session=session, viewer=viewer, objs=rows, action="list")
    return CandidatesPublic(data=[candidate_public(c) for c in rows], count=int(total))


@router.get(
    "/api/v1/documents/{document_id}/candidates",
    response_model=CandidatesPublic,
    tags=["documents"],
    summary="A document's candidates",
    responses=responses(404),
)
def document_candidates(
    session: SessionDep,
    viewer: CurrentViewer,
    document_id: DocumentId,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> CandidatesPublic:
    """Every candidate extracted from the document (any status) that you may read."""
    doc = session.scalar(
        restrict(select(Document.id).where(Document.id == document_id), Document, viewer)
    )
    if doc is None:
        raise ProblemError(404, f"no document with id {document_id} that you may read")
    q = _candidates_query(viewer).where(Candidate.document_id == document_id)
    return _page(session, viewer, q, limit, offset)


@router.get(
    "/api/v1/candidates",
    response_model=CandidatesPublic,
    tags=["candidates"],
    summary="List candidates (the review queue)",
)
def list_candidates_api(
    session: SessionDep,
    viewer: CurrentViewer,
    status: StatusFilter = "pending",
    document_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    min_confidence: Annotated[float | None, Query(ge=0, le=1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> CandidatesPublic:
    """Candidates you may read, oldest first; ``status=pending`` (the default) is the review
    queue. ``count`` is the number matching the filters."""
    q = _candidates_query(viewer)
    if status != "all":
        q = q.where(Candidate.status == status)
    if document_id is not None:
        q = q.where(Candidate.document_id == document_id)
    if min_confidence is not None:
        q = q.where(Candidate.confidence >= min_confidence)
    return _page(session, viewer, q, limit, offset)


@router.get(
    "/api/v1/candidates/{candidate_id}",
    response_model=CandidatePublic,
    tags=["candidates"],
    summary="Get a candidate with its evidence",
    responses=responses(404),
)
def get_candidate_api(
    session: SessionDep, viewer: CurrentViewer, candidate_id: CandidateId
) -> CandidatePublic:
    """The candidate's fields, the evidence span (and its text) behind each field, the
    confidences, and the incident an accept would merge it into (if you may read it)."""
    c = _load(session, viewer, candidate_id)
    audit_reads(session=session, viewer=viewer, objs=[c])
    suggested = None
    if c.status == CandidateStatus.PENDING:
        suggested = suggested_incident(session, c, eligible=mergeable_incidents(session, viewer))
    return candidate_public(c, suggested=suggested)


# --- deciding ---------------------------------------------------------------------------------


def _decidable(session: Session, viewer: Viewer, candidate_id: int) -> Candidate:
    require_writer(viewer, "candidate")
    c = _load(session, viewer, candidate_id)
    if not can_change(viewer, "candidate", c.owner_org_id):
        raise ProblemError(
            403,
            f"candidate {candidate_id} belongs to another organisation; ask its analysts to "
            "review it",
        )
    if c.status != CandidateStatus.PENDING:
        where = f" (incident {c.incident_id})" if c.incident_id else ""
        raise ProblemError(409, f"candidate {candidate_id} is already {c.status}{where}")
    return c


def _checked_edits(edits: dict[str, EditValue]) -> dict[str, Any]:
    """The edits as text for :func:`parse_edits`, refused (422) unless each value fits."""
    raw = {k: None if v is None else str(v) for k, v in edits.items()}
    try:
        parsed = parse_edits(raw)
    except CandidateEditError as exc:
        raise ProblemError(422, f"edits: {exc}") from None
    columns = Candidate.__table__.c
    for name, value in parsed.items():
        if value is None:
            continue
        bad = None
        if isinstance(value, float):
            limit = 90 if name == "latitude" else 180
            if not math.isfinite(value) or abs(value) > limit:
                bad = f"must be a number in -{limit}..{limit}"
        elif name in _INT_FIELDS and isinstance(value, int):
            if not 0 <= value <= MAX_ID:
                bad = "must be a whole number of 0 or more"
        elif isinstance(value, str):
            length = getattr(columns[name].type, "length", None)
            if isinstance(columns[name].type, String) and length and len(value) > length:
                bad = f"is longer than {length} characters"
        if bad:
            raise ProblemError(422, f"edits: {name} {bad}")
    return raw


def _incident_problem(exc: CandidateIncompleteError) -> ProblemError:
    message = str(exc)
    if "coordinates" in message:
        return ProblemError(
            422,
            "candidate has no coordinates: give latitude and longitude "
            '(edits {"latitude": ..., "longitude": ...}); ' + message,
        )
    return ProblemError(422, message)


def _decision(session: Session, viewer: Viewer, d: Decision) -> DecisionPublic:
    if d.created and d.incident.tlp == TLP.RED and viewer.user_id is not None:
        grant_record(
            session=session,
            record_type="incident",
            record_id=d.incident.id,
            user_id=viewer.user_id,
            granted_by=viewer.email,
        )
    audit_write(session=session, viewer=viewer, action="review", obj=d.incident)
    audit_write(session=session, viewer=viewer, action=str(d.candidate.status), obj=d.candidate)
    return DecisionPublic(
        candidate=candidate_public(d.candidate),
        incident_id=d.incident.id,
        created=d.created,
        changes=d.outcome.changes,
        disagreements=d.outcome.disagreements,
    )


DECIDE_RESPONSES = responses(403, 404, 409)


@router.post(
    "/api/v1/candidates/{candidate_id}/accept",
    response_model=DecisionPublic,
    tags=["candidates"],
    summary="Accept a candidate (with optional edits)",
    responses=DECIDE_RESPONSES,
)
def accept_candidate_api(
    session: SessionDep,
    viewer: CurrentViewer,
    candidate_id: CandidateId,
    body: AcceptIn | None = None,
) -> DecisionPublic:
    """The candidate becomes a new incident owned by its organisation, or merges into the
    incident it describes (one you may read and change: never another organisation's).
    ``edits`` correct fields first (their evidence is dropped); a
    candidate without coordinates, date or event type needs them as edits (422 otherwise)."""
    c = _decidable(session, viewer, candidate_id)
    edits = _checked_edits(body.edits if body is not None else {})
    try:
        with session.begin_nested():  # a refused decision leaves nothing behind
            d = accept_candidate(
                session=session,
                candidate_id=c.id,
                decided_by=viewer.email,
                edits=edits,
                eligible=mergeable_incidents(session, viewer),
            )
    except CandidateIncompleteError as exc:
        raise _incident_problem(exc) from None
    except CandidateDecidedError as exc:
        raise ProblemError(409, str(exc)) from None
    except (CandidateEditError, ValueError) as exc:
        raise ProblemError(422, str(exc)) from None
    return _decision(session, viewer, d)


@router.post(
    "/api/v1/candidates/{candidate_id}/reject",
    response_model=CandidatePublic,
    tags=["candidates"],
    summary="Reject a candidate (with a reason)",
    responses=DECIDE_RESPONSES,
)
def reject_candidate_api(
    session: SessionDep, viewer: CurrentViewer, candidate_id: CandidateId, body: RejectIn
) -> CandidatePublic:
    """The candidate is kept, rejected, with who, when and why."""
    c = _decidable(session, viewer, candidate_id)
    if not body.reason.strip():
        raise ProblemError(422, "a rejection needs a reason")
    try:
        c = reject_candidate(
            session=session, candidate_id=c.id, decided_by=viewer.email, reason=body.reason
        )
    except CandidateDecidedError as exc:
        raise ProblemError(409, str(exc)) from None
    except CandidateEditError as exc:
        raise ProblemError(422, str(exc)) from None
    audit_write(session=session, viewer=viewer, action="reject", obj=c)
    return candidate_public(c)


@router.post(
    "/api/v1/candidates/{candidate_id}/merge",
    response_model=DecisionPublic,
    tags=["candidates"],
    summary="Merge a candidate into an incident",
    responses=DECIDE_RESPONSES,
)
def merge_candidate_api(
    session: SessionDep, viewer: CurrentViewer, candidate_id: CandidateId, body: MergeIn
) -> DecisionPublic:
    """Fold the candidate into the incident you name, as a further source (no matching rules
    apply); the incident must be one you may read and change."""
    c = _decidable(session, viewer, candidate_id)
    edits = _checked_edits(body.edits)
    incident = _readable_incident(session, viewer, body.incident_id)
    if incident is None:
        raise ProblemError(404, f"no incident with id {body.incident_id} that you may read")
    if not can_change(viewer, "incident", incident.owner_org_id):
        raise ProblemError(
            403,
            f"incident {body.incident_id} belongs to another organisation; ask its analysts "
            "to merge the candidate",
        )
    try:
        with session.begin_nested():
            d = merge_candidate(
                session=session,
                candidate_id=c.id,
                incident_id=incident.id,
                decided_by=viewer.email,
                edits=edits,
            )
    except (CandidateEditError, ValueError) as exc:
        raise ProblemError(422, str(exc)) from None
    return _decision(session, viewer, d)
