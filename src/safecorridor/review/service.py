"""Review services: candidates from extracted events, and the analyst's decisions.

Which candidates become incidents
---------------------------------
Violent kinds (attack, bombing, suicide_attack, armed_clash, abduction) and arrests are
incidents in their own right. Meetings, agreements, threats and other developments become
incidents too, as ACLED "Strategic developments", but only with a place: every incident has
coordinates, so a candidate without them cannot be accepted until the analyst gives them
(``edits={"latitude": ..., "longitude": ...}``, on the CLI ``--set latitude=...``); the same
holds for a missing date or event type. ``auto_accept`` leaves such candidates pending.

An accepted candidate that describes an incident already in the record (see
:mod:`safecorridor.review.merge`) is merged into it as a further source (status ``merged``);
otherwise it becomes a new incident (status ``accepted``). Every decision on an incident is an
:class:`IncidentChange` naming the reviewer and the candidate; a rejection is kept on the
candidate (``decided_by``, ``decided_at``, ``decision_note``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import String, func, select
from sqlalchemy.orm import Session, selectinload

from safecorridor.clock import system_clock, today
from safecorridor.db.base import utcnow
from safecorridor.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from safecorridor.extraction import CandidateEvent
from safecorridor.incidents.actors import ActorResolver
from safecorridor.incidents.models import Incident, IncidentChange
from safecorridor.incidents.schemas import IncidentCreate
from safecorridor.incidents.service import changeable_incident, create_incident, get_incident
from safecorridor.review.choices import INCIDENT_KINDS, CandidateStatus
from safecorridor.review.merge import (
    MergeCriteria,
    MergeOutcome,
    find_matching_incident,
    merge_into_incident,
)
from safecorridor.review.models import Candidate
from safecorridor.sharing.audit import audit_reads, audit_write
from safecorridor.sharing.policy import (
    Viewer,
    at_least_as_strict,
    can_change,
    require_write,
    restrict,
)
from safecorridor.sharing.service import keep_readable_by_writer
from safecorridor.sources.importers.store import validation_message
from safecorridor.sources.models import Document
from safecorridor.taxonomy.choices import DatePrecision

INGEST_DATASET = "ingest"
# event field name → candidate column (where they differ)
_RENAMED = {"location_name": "location", "province": "admin1", "district": "admin2"}


class CandidateNotFoundError(NotFoundError):
    """No candidate has the given id (among those the reader may read)."""


class CandidateDecidedError(ConflictError):
    """The candidate was already accepted, rejected or merged."""


class CandidateIncompleteError(InvalidInputError):
    """The candidate lacks what an incident needs (coordinates, date, event type)."""


class CandidateMarkingError(ConflictError):
    """Merging would put a source into a record read by people its marking excludes."""


class CandidateEditError(InvalidInputError):
    """An edit names an unknown field or gives a value of the wrong kind."""


def _int(v: str) -> int:
    try:
        return int(v)
    except ValueError:
        raise ValueError("not a whole number") from None


def _float(v: str) -> float:
    try:
        return float(v)
    except ValueError:
        raise ValueError("not a number") from None


def _str(v: str) -> str:
    return v


def _precision(v: str) -> str:
    try:
        return str(DatePrecision(v))
    except ValueError:
        raise ValueError(f"not one of {', '.join(p.value for p in DatePrecision)}") from None


def _day(v: str) -> date:
    try:
        return date.fromisoformat(v)
    except ValueError:
        raise ValueError("not a date (YYYY-MM-DD)") from None


EDITABLE: dict[str, Any] = {
    "kind": _str,
    "event_type": _str,
    "sub_event_type": _str,
    "event_date": _day,
    "date_precision": _precision,
    "location": _str,
    "city": _str,
    "admin1": _str,
    "admin2": _str,
    "country": _str,
    "latitude": _float,
    "longitude": _float,
    "geo_precision": _int,
    "perpetrator": _str,
    "claimed_by": _str,
    "target": _str,
    "fatalities": _int,
    "foreign_fatalities": _int,
    "foreign_nationality": _str,
    "injured": _int,
    "abducted": _int,
}


@dataclass
class Decision:
    """The outcome of accepting or merging a candidate."""

    candidate: Candidate
    incident: Incident
    created: bool
    outcome: MergeOutcome = field(default_factory=MergeOutcome)


@dataclass
class AutoAcceptReport:
    created: list[int] = field(default_factory=list)
    merged: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)

    @property
    def incidents(self) -> set[int]:
        return set(self.created) | set(self.merged)


# ---------------------------------------------------------------- building candidates


def candidate_from_event(event: CandidateEvent, *, document: Document, position: int) -> Candidate:
    """A Candidate row for one extracted event of ``document`` (evidence keyed by column)."""
    evidence = {_RENAMED.get(k, k): [int(s), int(e)] for k, (s, e) in event.evidence.items()}
    confidence = {_RENAMED.get(k, k): float(v) for k, v in event.field_confidence.items()}
    return Candidate(
        document=document,
        position=position,
        kind=event.kind,
        event_type=event.event_type,
        sub_event_type=event.sub_event_type,
        event_date=event.event_date,
        date_precision=event.date_precision,
        month_day=event.month_day,
        location=event.location_name or event.city,
        city=event.city,
        admin1=event.province,
        admin2=event.district,
        country=event.country,
        latitude=event.latitude,
        longitude=event.longitude,
        geo_precision=event.geo_precision,
        perpetrator=event.perpetrator,
        perpetrator_parent=event.perpetrator_parent,
        claimed_by=event.claimed_by,
        actors=list(event.actors),
        target=",".join(event.target) or None,
        fatalities=event.fatalities,
        foreign_fatalities=event.foreign_fatalities,
        foreign_nationality=event.foreign_nationality,
        injured=event.injured,
        abducted=event.abducted,
        summary=event.summary,
        span=list(event.span) if event.span else None,
        evidence=evidence,
        field_confidence=confidence,
        confidence=float(event.confidence),
        extractor=event.extractor or "unknown",
        extractor_version=event.extractor_version or "",
        status=CandidateStatus.PENDING,
        owner_org_id=document.owner_org_id,
        tlp=document.tlp,
    )


# ---------------------------------------------------------------- reading


def get_candidate(
    session: Session,
    candidate_id: int,
    *,
    viewer: Viewer | None = None,
    action: str | None = None,
) -> Candidate:
    """The candidate with its document; with a ``viewer``, only if they may read it (and the
    read audited under ``action``)."""
    q = restrict(select(Candidate).where(Candidate.id == candidate_id), Candidate, viewer)
    c = session.scalar(q.options(selectinload(Candidate.document)))
    if c is None:
        readable = " that you may read" if viewer is not None else ""
        raise CandidateNotFoundError(f"no candidate with id {candidate_id}{readable}")
    if viewer is not None and action is not None:
        audit_reads(session=session, viewer=viewer, objs=[c], action=action)
    return c


def candidates_query(viewer: Viewer | None) -> Any:
    """Candidates (with their documents) the reader may read."""
    return restrict(select(Candidate).options(selectinload(Candidate.document)), Candidate, viewer)


def page_of_candidates(
    session: Session,
    viewer: Viewer | None,
    *,
    status: str | None = CandidateStatus.PENDING,
    document_id: int | None = None,
    min_confidence: float | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Candidate], int]:
    """A page of the candidates the reader may read (oldest first), and how many match; the
    page's read is audited."""
    q = candidates_query(viewer)
    if status is not None:
        q = q.where(Candidate.status == status)
    if document_id is not None:
        q = q.where(Candidate.document_id == document_id)
    if min_confidence is not None:
        q = q.where(Candidate.confidence >= min_confidence)
    total = int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)
    rows = list(session.scalars(q.order_by(Candidate.id).offset(offset).limit(limit)))
    if viewer is not None:
        audit_reads(session=session, viewer=viewer, objs=rows, action="list")
    return rows, total


def pending_count(session: Session, viewer: Viewer | None) -> int:
    """How many pending candidates the reader may read (the review queue's badge)."""
    q = restrict(
        select(func.count())
        .select_from(Candidate)
        .where(Candidate.status == CandidateStatus.PENDING),
        Candidate,
        viewer,
    )
    return int(session.scalar(q) or 0)


def mergeable_incidents(session: Session, viewer: Viewer) -> Callable[[Incident], bool]:
    """Which incidents the viewer's candidate may merge into: those the viewer may read and
    change (never another organisation's record, nor one the viewer cannot see)."""

    def eligible(inc: Incident) -> bool:
        if not can_change(viewer, "incident", inc.owner_org_id):
            return False
        q = restrict(select(Incident.id).where(Incident.id == inc.id), Incident, viewer)
        return session.scalar(q) is not None

    return eligible


def suggestion_for(session: Session, viewer: Viewer, c: Candidate) -> Incident | None:
    """The incident an accept by ``viewer`` would merge ``c`` into (one they may read and
    change), for a pending candidate; else None."""
    if c.status != CandidateStatus.PENDING:
        return None
    return find_matching_incident(session, c, None, mergeable_incidents(session, viewer))


def list_candidates(
    session: Session,
    *,
    status: CandidateStatus | None = CandidateStatus.PENDING,
    min_confidence: float | None = None,
    limit: int | None = 100,
    offset: int = 0,
) -> list[Candidate]:
    """Candidates by id (oldest first), optionally of one status and over a confidence."""
    q = select(Candidate).options(selectinload(Candidate.document)).order_by(Candidate.id)
    if status is not None:
        q = q.where(Candidate.status == status)
    if min_confidence is not None:
        q = q.where(Candidate.confidence >= min_confidence)
    return list(session.scalars(q.offset(offset).limit(limit)).all())


def count_candidates(session: Session, *, status: CandidateStatus | None = None) -> int:
    q = select(func.count()).select_from(Candidate)
    if status is not None:
        q = q.where(Candidate.status == status)
    return int(session.scalar(q) or 0)


def suggested_incident(
    session: Session,
    candidate: Candidate,
    criteria: MergeCriteria | None = None,
    eligible: Callable[[Incident], bool] | None = None,
) -> Incident | None:
    """The incident an accept would merge the candidate into, if any."""
    return find_matching_incident(session, candidate, criteria, eligible)


# ---------------------------------------------------------------- deciding


def _pending(session: Session, candidate_id: int, viewer: Viewer | None = None) -> Candidate:
    """The pending candidate; with a ``viewer``, one they may read and decide."""
    if viewer is not None:
        require_write(viewer, "candidate")
    c = get_candidate(session, candidate_id, viewer=viewer)
    if viewer is not None and not can_change(viewer, "candidate", c.owner_org_id):
        raise ForbiddenError(
            f"candidate {candidate_id} belongs to another organisation; ask its analysts to "
            "review it"
        )
    if c.status != CandidateStatus.PENDING:
        where = f" (incident #{c.incident_id})" if c.incident_id else ""
        raise CandidateDecidedError(f"candidate #{c.id} is already {c.status}{where}")
    return c


def parse_edits(edits: Mapping[str, Any]) -> dict[str, Any]:
    """Typed values for ``field=value`` edits (strings are parsed; '' clears a field)."""
    out: dict[str, Any] = {}
    for name, raw in edits.items():
        if name not in EDITABLE:
            raise CandidateEditError(
                f"{name!r} cannot be set; fields: {', '.join(sorted(EDITABLE))}"
            )
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            out[name] = None
            continue
        if not isinstance(raw, str):
            out[name] = raw
            continue
        try:
            out[name] = EDITABLE[name](raw.strip())
        except ValueError as exc:
            raise CandidateEditError(f"{name}={raw!r}: {exc}") from None
    return out


#: the fields that say where an event took place, besides its coordinates
_PLACE_FIELDS = ("location", "admin1", "admin2")


def apply_edits(c: Candidate, edits: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set edited fields on the candidate; their evidence no longer applies and is dropped."""
    changes: dict[str, list[Any]] = {}
    evidence = dict(c.evidence or {})
    confidence = dict(c.field_confidence or {})
    parsed = parse_edits(edits)
    moved = [n for n in _PLACE_FIELDS if n in parsed and parsed[n] != getattr(c, n)]
    if moved and c.latitude is not None and not {"latitude", "longitude"} & set(parsed):
        raise CandidateEditError(
            f"edits: {', '.join(moved)} change the place but its coordinates would stay those of "
            f"{c.location or c.admin1 or 'the place found'}; give latitude and longitude too"
        )
    for name, value in parsed.items():
        old = getattr(c, name)
        if old != value:
            changes[name] = [_jsonable(old), _jsonable(value)]
            setattr(c, name, value)
            evidence.pop(name, None)
            confidence[name] = 1.0
    c.evidence = evidence
    c.field_confidence = confidence
    return changes


def _jsonable(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


def incident_data(c: Candidate) -> IncidentCreate:
    """The incident a candidate proposes (raises CandidateIncompleteError if it cannot be)."""
    missing = []
    fields: list[str] = []  # the edits that would give what is missing
    if c.latitude is None or c.longitude is None:
        missing.append("coordinates (latitude and longitude)")
        fields += ["latitude", "longitude"]
    if c.event_date is None and c.month_day:
        # "--10-27": the report gives the day and month, not the year
        missing.append(
            f"the year of its date (the report gives only {c.month_day}: event_date "
            f"YYYY{c.month_day[1:]})"
        )
        fields.append("event_date")
    elif c.event_date is None:
        missing.append("a date (event_date YYYY-MM-DD and date_precision day|week|month|year)")
        fields.append("event_date")
    if not c.event_type:
        missing.append("an event type (event_type)")
        fields.append("event_type")
    if missing:
        raise CandidateIncompleteError(
            f"candidate #{c.id} ({c.kind}) cannot become an incident without "
            + " and ".join(missing)
            + "; give them as edits",
            errors=[{"loc": ["edits", name], "msg": "needed"} for name in fields],
        )
    assert c.latitude is not None and c.longitude is not None and c.event_date is not None
    now = today(system_clock)
    if c.event_date > now:
        raise CandidateEditError(
            f"candidate #{c.id}: event_date {c.event_date} is after today ({now}); "
            "an incident has happened"
        )
    actor1, actor2 = c.perpetrator, None
    if c.kind not in INCIDENT_KINDS and not actor1 and c.actors:
        actor1 = c.actors[0]
        actor2 = c.actors[1] if len(c.actors) > 1 else None
    doc = c.document
    try:
        return IncidentCreate(
            event_date=c.event_date,
            date_precision=DatePrecision(c.date_precision or "day"),
            event_type=c.event_type or "",
            sub_event_type=c.sub_event_type,
            actor1=actor1,
            actor2=actor2,
            claimed_by=c.claimed_by,
            target_category=c.target,
            country=c.country,
            admin1=c.admin1,
            admin2=c.admin2,
            location=c.location or c.city,
            latitude=c.latitude,
            longitude=c.longitude,
            geo_precision=c.geo_precision or 1,
            fatalities=c.fatalities,
            foreign_fatalities=c.foreign_fatalities,
            foreign_nationality=c.foreign_nationality,
            injured=c.injured,
            abducted=c.abducted,
            notes=c.summary,
            source=doc.publisher if doc is not None else None,
            tlp=c.tlp,
            source_dataset=INGEST_DATASET,
            source_key=f"doc{c.document_id}-{c.position}",
            extra={"kind": c.kind, "candidate_ids": [c.id]},
        )
    except (ValidationError, ValueError) as exc:
        detail = validation_message(exc)  # "foreign_fatalities (3) exceed fatalities (2)"
        raise CandidateEditError(f"candidate #{c.id} is not a valid incident: {detail}") from None


def _decide(c: Candidate, status: CandidateStatus, decided_by: str, inc: Incident | None) -> None:
    c.status = status
    c.decided_by = decided_by
    c.decided_at = utcnow()
    if inc is not None:
        c.incident_id = inc.id


def accept_candidate(
    *,
    session: Session,
    candidate_id: int,
    decided_by: str = "system",
    viewer: Viewer | None = None,
    edits: Mapping[str, Any] | None = None,
    criteria: MergeCriteria | None = None,
    resolver: ActorResolver | None = None,
    eligible: Callable[[Incident], bool] | None = None,
) -> Decision:
    """Accept a candidate: it merges into the incident it describes, or becomes a new one
    (``eligible``: which incidents it may merge into; by default every one).

    With a ``viewer``: only an analyst of the candidate's organisation decides, it merges only
    into an incident they may read and change, a refused decision leaves nothing behind, and
    the decision is audited (without one, by ``decided_by``).
    """
    if viewer is not None:
        c = _pending(session, candidate_id, viewer)
        checked = check_edits(edits or {})
        with session.begin_nested():  # a refused decision leaves nothing behind
            d = _accept(
                session=session,
                candidate_id=c.id,
                decided_by=viewer.email,
                edits=checked,
                criteria=criteria,
                resolver=None,
                eligible=mergeable_incidents(session, viewer),
            )
        _decided(session, viewer, d)
        return d
    d = _accept(
        session=session,
        candidate_id=candidate_id,
        decided_by=decided_by,
        edits=edits,
        criteria=criteria,
        resolver=resolver,
        eligible=eligible,
    )
    _audit_decision(session, None, d, actor=decided_by)
    return d


def _accept(
    *,
    session: Session,
    candidate_id: int,
    decided_by: str,
    edits: Mapping[str, Any] | None,
    criteria: MergeCriteria | None,
    resolver: ActorResolver | None,
    eligible: Callable[[Incident], bool] | None,
) -> Decision:
    """:func:`accept_candidate`'s decision itself (its callers audit it)."""
    c = _pending(session, candidate_id)
    edited = apply_edits(c, edits or {})
    incident_in = incident_data(c)  # validates (coordinates, date, taxonomy)
    resolver = resolver or ActorResolver(session, changed_by=decided_by)
    match = find_matching_incident(session, c, criteria, eligible)
    note: dict[str, Any] = {"edits": edited} if edited else {}
    if match is not None:
        outcome = merge_into_incident(
            session, match, c, changed_by=decided_by, resolver=resolver, note=note
        )
        _decide(c, CandidateStatus.MERGED, decided_by, match)
        session.flush()
        return Decision(candidate=c, incident=match, created=False, outcome=outcome)
    inc = create_incident(
        session=session,
        incident_in=incident_in,
        changed_by=decided_by,
        owner_org_id=c.owner_org_id,
        resolver=resolver,
    )
    inc.documents.append(c.document)
    inc.history.append(
        IncidentChange(
            changed_by=decided_by,
            action="accepted",
            changes={"candidate": c.id, "document": c.document_id, **note},
        )
    )
    _decide(c, CandidateStatus.ACCEPTED, decided_by, inc)
    session.flush()
    return Decision(candidate=c, incident=inc, created=True)


def merge_candidate(
    *,
    session: Session,
    candidate_id: int,
    incident_id: int,
    decided_by: str = "system",
    viewer: Viewer | None = None,
    edits: Mapping[str, Any] | None = None,
) -> Decision:
    """Merge a candidate into the incident the analyst names (no matching rules apply); with
    a ``viewer``, an incident they may read and change."""
    if viewer is not None:
        c = _pending(session, candidate_id, viewer)
        checked = check_edits(edits or {})
        changeable_incident(session, viewer, incident_id)
        with session.begin_nested():
            d = _merge(
                session=session,
                candidate_id=c.id,
                incident_id=incident_id,
                decided_by=viewer.email,
                edits=checked,
            )
        _decided(session, viewer, d)
        return d
    d = _merge(
        session=session,
        candidate_id=candidate_id,
        incident_id=incident_id,
        decided_by=decided_by,
        edits=edits,
    )
    _audit_decision(session, None, d, actor=decided_by)
    return d


def _merge(
    *,
    session: Session,
    candidate_id: int,
    incident_id: int,
    decided_by: str,
    edits: Mapping[str, Any] | None,
) -> Decision:
    """:func:`merge_candidate`'s decision itself (its callers audit it)."""
    c = _pending(session, candidate_id)
    inc = get_incident(session, incident_id)
    if not at_least_as_strict(inc.tlp, c.tlp):
        raise CandidateMarkingError(
            f"candidate #{c.id} is TLP:{c.tlp} and incident #{inc.id} is TLP:{inc.tlp}: merging "
            "would show the candidate's source to readers its marking excludes; accept it as "
            "an incident of its own, or mark the incident at least as strictly first"
        )
    edited = apply_edits(c, edits or {})
    note: dict[str, Any] = {"edits": edited} if edited else {}
    outcome = merge_into_incident(session, inc, c, changed_by=decided_by, note=note)
    _decide(c, CandidateStatus.MERGED, decided_by, inc)
    session.flush()
    return Decision(candidate=c, incident=inc, created=False, outcome=outcome)


def reject_candidate(
    *,
    session: Session,
    candidate_id: int,
    reason: str,
    decided_by: str = "system",
    viewer: Viewer | None = None,
) -> Candidate:
    """Reject a candidate, keeping who, when and why on the candidate."""
    c = _pending(session, candidate_id, viewer)
    if len(reason.strip()) < 3:
        raise CandidateEditError("a rejection needs a reason (at least 3 characters)")
    if viewer is not None:
        decided_by = viewer.email
    _decide(c, CandidateStatus.REJECTED, decided_by, None)
    c.decision_note = reason.strip()
    session.flush()
    audit_write(
        session=session,
        viewer=viewer,
        action="reject",
        obj=c,
        actor=None if viewer is not None else decided_by,
    )
    return c


def _decided(session: Session, viewer: Viewer, d: Decision) -> None:
    """After a reader's accept or merge: a new RED incident stays readable by its reviewer;
    the incident's change and the candidate's decision go to the audit chain."""
    if d.created:
        keep_readable_by_writer(session, viewer, d.incident)
    _audit_decision(session, viewer, d)


def _audit_decision(
    session: Session, viewer: Viewer | None, d: Decision, *, actor: str | None = None
) -> None:
    """The incident's change and the candidate's decision, to the audit chain (by ``viewer``,
    else by ``actor``: the CLI's reviewer, auto-accept)."""
    audit_write(session=session, viewer=viewer, action="review", obj=d.incident, actor=actor)
    audit_write(
        session=session,
        viewer=viewer,
        action=str(d.candidate.status),
        obj=d.candidate,
        actor=actor,
    )


_INT_FIELDS = frozenset(
    {"geo_precision", "fatalities", "foreign_fatalities", "injured", "abducted"}
)
MAX_COUNT = 2**31 - 1


def check_edits(edits: Mapping[str, Any]) -> dict[str, str | None]:
    """``edits`` as text for :func:`parse_edits`, refused unless each value fits its column
    (coordinates in range, counts of 0 or more, text within the column's length)."""
    raw = {k: None if v is None else str(v) for k, v in edits.items()}
    parsed = parse_edits(raw)
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
            if value < 0:
                bad = "must be a whole number of 0 or more"
            elif value > MAX_COUNT:
                bad = f"is too large: at most {MAX_COUNT:,}"
        elif isinstance(value, str):
            length = getattr(columns[name].type, "length", None)
            if isinstance(columns[name].type, String) and length and len(value) > length:
                bad = f"is longer than {length} characters"
        if bad:
            raise CandidateEditError(f"edits: {name} {bad}")
    return raw


def auto_accept(
    *,
    session: Session,
    min_confidence: float,
    decided_by: str = "auto-accept",
    candidate_ids: list[int] | None = None,
    criteria: MergeCriteria | None = None,
    resolver: ActorResolver | None = None,
) -> AutoAcceptReport:
    """Accept every pending candidate at or over ``min_confidence`` that can be an incident;
    the others (no coordinates, no date) stay pending with the reason in the report."""
    q = (
        select(Candidate.id)
        .where(Candidate.status == CandidateStatus.PENDING)
        .where(Candidate.confidence >= min_confidence)
        .order_by(Candidate.id)
    )
    if candidate_ids is not None:
        q = q.where(Candidate.id.in_(candidate_ids))
    report = AutoAcceptReport()
    resolver = resolver or ActorResolver(session, changed_by=decided_by)
    for cid in list(session.scalars(q)):
        try:
            with session.begin_nested():
                d = accept_candidate(
                    session=session,
                    candidate_id=cid,
                    decided_by=decided_by,
                    criteria=criteria,
                    resolver=resolver,
                )
        except (CandidateIncompleteError, CandidateEditError) as exc:
            report.skipped[cid] = str(exc)
            continue
        (report.created if d.created else report.merged).append(d.incident.id)
    return report
