"""/api/v1/documents (ingest) and /api/v1/candidates: reports in, candidates reviewed.

An analyst posts a report's text or URL; extraction proposes candidates, which an analyst of
the owner organisation accepts (with edits), rejects (with a reason) or merges into a named
incident. Candidates carry their document's TLP marking and owner, and are read through the
same query-layer filter as every other record.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response

from safecorridor.api.deps import NOT_SIGNED_IN, ClockDep, CurrentViewer, SessionDep, ShortViewer
from safecorridor.api.problems import ProblemError, responses
from safecorridor.api.routes.records import document_public
from safecorridor.api.schemas import (
    AcceptIn,
    CandidatePublic,
    CandidatesPublic,
    DecisionPublic,
    DocumentIn,
    DocumentIngested,
    EvidencePublic,
    MergeIn,
    RejectIn,
)
from safecorridor.clock import today
from safecorridor.db.session import get_engine
from safecorridor.incidents.models import Incident
from safecorridor.review.choices import CandidateStatus
from safecorridor.review.models import Candidate
from safecorridor.review.service import (
    Decision,
    accept_candidate,
    get_candidate,
    merge_candidate,
    page_of_candidates,
    reject_candidate,
    suggestion_for,
)
from safecorridor.sharing.policy import Viewer
from safecorridor.sources.service import get_document, ingest_report

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
        month_day=c.month_day,
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


# --- ingest -----------------------------------------------------------------------------------


def ingest_viewer(viewer: ShortViewer) -> Viewer:
    """The signed-in reader, resolved before ingest runs (see ``api.deps.short_viewer``)."""
    if viewer is None:
        raise ProblemError(401, NOT_SIGNED_IN, headers={"WWW-Authenticate": "Bearer"})
    return viewer


IngestViewer = Annotated[Viewer, Depends(ingest_viewer)]


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
def ingest_document(
    body: DocumentIn, viewer: IngestViewer, response: Response, clock: ClockDep
) -> Any:
    """Store a report's text (or the page at ``url``) owned by your organisation, run the
    extractor on it and return the candidates it proposed (analysts). A text already stored
    is a ``duplicate`` (200, nothing created); a syndicated copy of a stored text is stored as
    a ``near_duplicate`` without extraction."""
    outcome = ingest_report(
        engine=get_engine(),
        viewer=viewer,
        text=body.text,
        url=body.url,
        published=body.published,
        publisher=body.publisher,
        title=body.title,
        reliability=body.reliability,
        tlp=body.tlp,
        today=today(clock),
    )
    if outcome.status == "duplicate":
        response.status_code = 200
    return DocumentIngested(
        status=outcome.status,
        document_ids=[d.id for d in outcome.documents],
        documents=[document_public(d) for d in outcome.documents],
        duplicate_of_id=outcome.duplicate_of_id,
        near_duplicate_of_id=outcome.near_duplicate_of_id,
        candidates=[candidate_public(c) for c in outcome.candidates],
        run_id=outcome.run_id,
    )


# --- reading candidates -----------------------------------------------------------------------


def _page(rows: list[Candidate], total: int) -> CandidatesPublic:
    return CandidatesPublic(data=[candidate_public(c) for c in rows], count=total)


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
    get_document(session, document_id, viewer=viewer)
    rows, total = page_of_candidates(
        session, viewer, status=None, document_id=document_id, limit=limit, offset=offset
    )
    return _page(rows, total)


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
    rows, total = page_of_candidates(
        session,
        viewer,
        status=None if status == "all" else status,
        document_id=document_id,
        min_confidence=min_confidence,
        limit=limit,
        offset=offset,
    )
    return _page(rows, total)


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
    c = get_candidate(session, candidate_id, viewer=viewer, action="read")
    return candidate_public(c, suggested=suggestion_for(session, viewer, c))


# --- deciding ---------------------------------------------------------------------------------


def _decision(d: Decision) -> DecisionPublic:
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
    d = accept_candidate(
        session=session,
        candidate_id=candidate_id,
        viewer=viewer,
        edits=dict(body.edits) if body is not None else {},
    )
    return _decision(d)


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
    c = reject_candidate(
        session=session, candidate_id=candidate_id, viewer=viewer, reason=body.reason
    )
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
    d = merge_candidate(
        session=session,
        candidate_id=candidate_id,
        incident_id=body.incident_id,
        viewer=viewer,
        edits=dict(body.edits),
    )
    return _decision(d)
