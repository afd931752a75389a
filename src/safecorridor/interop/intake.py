"""Storing what arrives in STIX or MISP: actors, records (the round trip) and review candidates.

Two destinations, never mixed up:

- :func:`store_records`: a record exported by SafeCorridor (a report carrying the SafeCorridor
  extension with its dataset key) goes to the record itself, like a row of ``import acled``:
  keyed by (dataset, key), compared by content hash, so importing the same bundle twice adds
  nothing and a changed record is updated with a history entry. Used only by the operator's
  ``safecorridor import stix|misp FILE``.
- :func:`store_candidates`: anything from a partner (TAXII POST, feed pulls, reports without
  the extension) becomes a Document (the producer or feed as publisher, the marking kept,
  keyed by the hash of its content) with one Candidate waiting for review.

Both write in the caller's transaction: the caller commits once, so a failure leaves the store
as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor import taxonomy
from safecorridor.accounts.models import Organisation
from safecorridor.db.base import utcnow
from safecorridor.incidents.actors import ActorResolver, add_aliases, alias_key, find_actor
from safecorridor.incidents.models import Actor, ActorAlias, Incident, IncidentChange
from safecorridor.incidents.schemas import MAX_COUNT, IncidentCreate
from safecorridor.incidents.service import incident_values, source_document
from safecorridor.interop.extension import PRODUCER_IDENTITY_ID
from safecorridor.interop.stix import ActorDraft, IncidentDraft, StixImportError
from safecorridor.review.choices import CandidateStatus
from safecorridor.review.models import Candidate
from safecorridor.sharing.audit import audit_objects, audit_write
from safecorridor.sharing.policy import Viewer
from safecorridor.sharing.service import grant_record
from safecorridor.sources.importers.store import validation_message
from safecorridor.sources.models import Document
from safecorridor.taxonomy.choices import TLP, ActorKind
from safecorridor.validation import Day, printable

#: columns compared when a re-imported record differs from the stored one
_COMPARED = tuple(
    c
    for c in Incident.__table__.columns.keys()  # noqa: SIM118 (a ColumnCollection)
    if c not in ("id", "created_at", "updated_at", "owner_org_id", "status", "merged_into_id")
)


@dataclass
class IntakeReport:
    """What a store did, and each incoming report's outcome by its STIX id or MISP uuid."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    candidates: int = 0
    duplicates: int = 0
    actors_new: int = 0
    #: actors marked for fewer readers than the register's (every user), not added to it
    actors_withheld: int = 0
    organisations_new: int = 0
    skipped: list[str] = field(default_factory=list)
    outcomes: dict[str, str] = field(default_factory=dict)
    document_ids: list[int] = field(default_factory=list)
    #: restricted actors made whole for the complete records of the same intake, which take
    #: them (:meth:`safecorridor.incidents.actors.ActorResolver.adopt`)
    actors_for_records: list[int] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged records"]
        parts.append(f"{self.candidates} candidates for review ({self.duplicates} already stored)")
        parts.append(f"{self.actors_new} new actors")
        if self.actors_withheld:
            parts.append(f"{self.actors_withheld} marked actors not added to the register")
        if self.organisations_new:
            parts.append(f"{self.organisations_new} new organisations")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return "; ".join(parts)


# ---------------------------------------------------------------------------- actors

#: the markings under which an actor may join the register, which every signed-in user reads
REGISTER_MARKINGS = frozenset({TLP.CLEAR, TLP.GREEN})


def store_actors(
    session: Session,
    actors: dict[str, ActorDraft],
    report: IntakeReport,
    *,
    viewer: Viewer | None = None,
    actor: str | None = None,
    default_tlp: TLP = TLP.GREEN,
    records: Iterable[IncidentDraft] = (),
) -> dict[str, int]:
    """Create the actors a bundle describes (or add their new aliases); stix id → actor id.

    The actor register is read by every user, so an actor marked AMBER, AMBER+STRICT or RED
    (its own marking, a MISP event's, or ``default_tlp`` when it has none) is neither added
    nor lends its aliases, description or parent to an actor there: its name stays in the
    reports that name it, and an incident accepted from one names it under that incident's
    marking (:func:`safecorridor.incidents.actors.actor_readable`). The exception is a new
    actor that one of ``records`` names (the complete records this intake stores, as an
    import of an export does): it is created whole, and read only by the readers of the
    records that name it.

    Existing actors keep their kind, parent and description (an existing actor without a
    parent gets the one the bundle names); an alias that already names another actor is left
    out rather than moved. Each actor created is chained with its state ("create"), and each
    existing one given a parent ("update"), in the session's transaction, by ``viewer`` or
    ``actor`` (the CLI's import, a feed).
    """
    ids: dict[str, int] = {}
    created: list[Actor] = []
    aliases: list[ActorAlias] = []
    named = {
        alias_key(str(d.data[role]))
        for d in records
        for role in ("actor1", "actor2", "claimed_by")
        if d.data.get(role)
    }
    for draft in _register_first(actors.values(), default_tlp):
        why = _unstorable(draft)
        if why is not None:
            report.skipped.append(f"{draft.stix_id}: {why}")
            report.outcomes[draft.stix_id] = f"skipped: {why}"
            continue
        marking = TLP(draft.tlp or default_tlp)
        # a restricted actor is made only for the records that name it, and only when no
        # actor of its name is stored (a re-import of an export finds its own: the records
        # name that one already, and a copy would be an orphan nobody reads)
        if marking not in REGISTER_MARKINGS and (
            alias_key(draft.name) not in named or find_actor(session, draft.name) is not None
        ):
            report.actors_withheld += 1
            report.outcomes[draft.stix_id] = (
                f"not added to the actor register: it is marked TLP:{marking} and the register "
                "is read by every user; the reports that name it keep the name"
            )
            continue
        # a register actor only: one known from restricted records lends nothing to the
        # register (nor does the answer tell of it: a new actor of that name is made)
        found = find_actor(session, draft.name, among=Actor.in_register.is_(True))
        if found is None:
            found = Actor(
                name=draft.name[:300],
                in_register=marking in REGISTER_MARKINGS,
                kind=ActorKind(draft.kind) if draft.kind in set(ActorKind) else ActorKind.OTHER,
                countries=draft.countries,
                description=draft.description,
                source_url=draft.source_url,
            )
            if draft.created is not None:
                found.created_at = draft.created
            session.add(found)
            session.flush()
            created.append(found)
            report.actors_new += 1
            if not found.in_register:
                report.actors_for_records.append(found.id)
        aliases += add_aliases(
            session,
            found,
            (draft.name, *draft.aliases),
            skip_taken=True,
            among=Actor.in_register.is_(found.in_register),
        )
        ids[draft.stix_id] = found.id
    new_ids = {a.id for a in created}
    given_parent: list[Actor] = []
    for draft in actors.values():
        if draft.stix_id in ids and draft.parent_stix_id and draft.parent_stix_id in ids:
            unit = session.get_one(Actor, ids[draft.stix_id])
            if unit.parent_id is None and ids[draft.parent_stix_id] != unit.id:
                unit.parent_id = ids[draft.parent_stix_id]
                if unit.id not in new_ids:
                    given_parent.append(unit)
    session.flush()
    # after the parents: the state chained is the one the actors are left in
    for action, objs in (("create", created), ("update", given_parent), ("create", aliases)):
        audit_objects(session=session, viewer=viewer, action=action, objs=objs, actor=actor)
    return ids


def _register_first(drafts: Iterable[ActorDraft], default_tlp: TLP) -> list[ActorDraft]:
    """The drafts those that may join the register first, each group in the bundle's order.

    One name may stand for a register actor and for one known only from restricted records
    (an export of both); the restricted one then finds the register's stored and is withheld,
    rather than made before it as an actor the records resolve past, that nobody reads."""
    return sorted(drafts, key=lambda d: TLP(d.tlp or default_tlp) not in REGISTER_MARKINGS)


def _unstorable(draft: ActorDraft) -> str | None:
    """Why an actor draft cannot be stored, if it cannot: a name or an alias that is no text
    (a reader's check missed; it would be stored as "['a']" or "5" for every user to read),
    or text with a control character."""
    texts = (draft.name, *draft.aliases)
    if not all(isinstance(t, str) for t in texts):
        return "its name or an alias is not text"
    try:
        for text in (*texts, draft.description, draft.countries):
            printable(text)
    except ValueError as exc:
        return f"its name, an alias or its description {exc}"
    return None


# ---------------------------------------------------------------------------- records


def organisation_of(
    session: Session,
    draft: IncidentDraft,
    *,
    create: bool,
    report: IntakeReport,
    created: datetime | None = None,
    changed_by: str = "import stix",
) -> int | None:
    """The owner of a record: the organisation named by its producer (created if asked, and
    chained as created by ``changed_by``: ``audit verify`` names an organisation no event
    names)."""
    if draft.producer_stix_id in (None, PRODUCER_IDENTITY_ID) or not draft.producer:
        return None
    org = session.scalar(select(Organisation).where(Organisation.name == draft.producer))
    if org is None:
        if not create:
            return None
        org = Organisation(name=draft.producer[:200])
        if created is not None:
            org.created_at = created
        session.add(org)
        session.flush()
        audit_write(session=session, viewer=None, action="create", obj=org, actor=changed_by)
        report.organisations_new += 1
    return org.id


def record_of(draft: IncidentDraft) -> IncidentCreate:
    """The IncidentCreate of a complete draft (raises StixImportError naming the report)."""
    data = dict(draft.data)
    if draft.tlp is not None:
        data["tlp"] = draft.tlp
    try:
        return IncidentCreate.model_validate(data)
    except (ValidationError, ValueError) as exc:
        raise StixImportError(
            f"{draft.stix_id}: is not a valid incident: {validation_message(exc)}"
        ) from None


def store_records(
    session: Session,
    drafts: list[IncidentDraft],
    *,
    changed_by: str = "import stix",
    create_organisations: bool = True,
    report: IntakeReport | None = None,
    producer_created: dict[str, datetime] | None = None,
) -> IntakeReport:
    """Store complete drafts as incidents (idempotent, see the module doc).

    Every draft is validated before the first write; a draft that is not a valid incident
    raises StixImportError and nothing is written.
    """
    report = report or IntakeReport()
    items = [(d, record_of(d)) for d in drafts]
    resolver = ActorResolver(session, changed_by=changed_by)
    resolver.adopt(report.actors_for_records)
    now = utcnow()
    for draft, item in items:
        owner = organisation_of(
            session,
            draft,
            create=create_organisations,
            report=report,
            created=(producer_created or {}).get(draft.producer_stix_id or ""),
            changed_by=changed_by,
        )
        values = incident_values(item, resolver, owner_org_id=owner)
        existing = session.scalar(
            select(Incident).where(
                Incident.source_dataset == values["source_dataset"],
                Incident.source_key == values["source_key"],
            )
        )
        if existing is None:
            incident = Incident(
                **values,
                owner_org_id=owner,
                created_at=draft.created,
                updated_at=max(draft.modified, draft.created),
            )
            for src in draft.sources:
                # with the incident's marking: a source cited by an AMBER report is no CLEAR
                # document for everybody to read
                doc = source_document(
                    session,
                    src.url,
                    tlp=values["tlp"],
                    owner_org_id=owner,
                    publisher=src.publisher,
                    title=src.title,
                    reliability=src.reliability,
                )
                if doc not in incident.documents:
                    incident.documents.append(doc)
            incident.history.append(
                IncidentChange(
                    changed_by=changed_by,
                    changed_at=now,
                    action="imported",
                    changes={"source": values["source_dataset"], "stix_id": draft.stix_id},
                )
            )
            session.add(incident)
            session.flush()
            # its state in the audit chain: `audit verify` names a later change made outside
            audit_write(
                session=session, viewer=None, action="import", obj=incident, actor=changed_by
            )
            report.new += 1
            report.outcomes[draft.stix_id] = f"stored as incident #{incident.id}"
            continue
        if existing.content_hash == values["content_hash"]:
            report.unchanged += 1
            report.outcomes[draft.stix_id] = f"unchanged (incident #{existing.id})"
            continue
        changes = {}
        for col in _COMPARED:
            if col in values and getattr(existing, col) != values[col]:
                old, new = getattr(existing, col), values[col]
                changes[col] = [_jsonable(old), _jsonable(new)]
                setattr(existing, col, new)
        existing.history.append(
            IncidentChange(changed_by=changed_by, action="reimported", changes=changes)
        )
        audit_write(session=session, viewer=None, action="reimport", obj=existing, actor=changed_by)
        report.updated += 1
        report.outcomes[draft.stix_id] = f"updated incident #{existing.id}"
    return report


def _jsonable(v: Any) -> Any:
    return v.isoformat() if hasattr(v, "isoformat") else v


# ---------------------------------------------------------------------------- candidates


@dataclass
class CandidateOptions:
    """Where candidates come from and who owns them."""

    owner_org_id: int | None
    source_label: str  # the feed or producer, as the document's publisher
    default_tlp: TLP = TLP.GREEN
    reliability: str = "F"
    url: str | None = None
    extractor: str = "stix-2.1"
    grant_user_id: int | None = None
    granted_by: str = "system"


def _document_text(draft: IncidentDraft) -> str:
    d = draft.data
    lines = [draft.name or "(untitled report)"]
    if d.get("event_date"):
        lines.append(f"Date: {d['event_date']}")
    place = ", ".join(str(x) for x in (d.get("location"), d.get("admin1"), d.get("country")) if x)
    lines.append(
        f"Place: {place} ({d['latitude']}, {d['longitude']})"
        if place
        else f"Place: {d['latitude']}, {d['longitude']}"
    )
    actors = [str(d[k]) for k in ("actor1", "actor2", "claimed_by") if d.get(k)]
    if actors:
        lines.append("Actors: " + ", ".join(actors))
    if d.get("fatalities") is not None:
        lines.append(f"Fatalities: {d['fatalities']}")
    if draft.description:
        lines += ["", draft.description]
    lines += [
        "",
        "--- as received ---",
        json.dumps(draft.objects, sort_keys=True, indent=1, ensure_ascii=False, default=str),
    ]
    return "\n".join(lines)


#: the longest text each candidate column holds (a partner's longer value is cut, not refused)
_LIMITS = {
    "location": 300,
    "admin1": 100,
    "admin2": 100,
    "country": 100,
    "actor1": 300,
    "actor2": 300,
    "claimed_by": 300,
    "foreign_nationality": 100,
    "target_category": 200,
    "event_type": 60,
    "sub_event_type": 60,
}


_Count = Annotated[int | None, Field(default=None, ge=0, le=MAX_COUNT, strict=True)]
_Text = Annotated[str | None, Field(default=None, strict=True)]


class _CandidateValues(BaseModel):
    """The form of what a partner's report puts into a candidate's columns: checked before it
    is stored, so that no value a column cannot hold (fatalities "many", a latitude of 999,
    a year 9999) is stored and then breaks the review queue that reads it back."""

    model_config = ConfigDict(extra="ignore")

    event_date: Day | None = None
    latitude: float = Field(ge=-90, le=90, allow_inf_nan=False)
    longitude: float = Field(ge=-180, le=180, allow_inf_nan=False)
    geo_precision: int | None = Field(default=None, ge=1, le=3, strict=True)
    fatalities: _Count
    foreign_fatalities: _Count
    injured: _Count
    abducted: _Count
    location: _Text
    admin1: _Text
    admin2: _Text
    country: _Text
    actor1: _Text
    actor2: _Text
    claimed_by: _Text
    foreign_nationality: _Text
    target_category: _Text

    _printable = field_validator("*")(printable)


def _clip(name: str, value: Any) -> Any:
    limit = _LIMITS.get(name)
    if limit is not None and isinstance(value, str):
        return value[:limit]
    return value


def store_candidates(
    session: Session,
    drafts: list[IncidentDraft],
    options: CandidateOptions,
    *,
    report: IntakeReport | None = None,
) -> IntakeReport:
    """One document and one pending candidate per draft (a draft already stored for this
    organisation, by the hash of its content, is a duplicate and adds nothing)."""
    report = report or IntakeReport()
    for draft in drafts:
        if draft.revoked:
            report.skipped.append(f"{draft.stix_id}: revoked by its producer")
            report.outcomes[draft.stix_id] = "skipped: revoked by its producer"
            continue
        canonical = json.dumps(draft.objects, sort_keys=True, separators=(",", ":"), default=str)
        digest = hashlib.sha256(f"interop|{options.owner_org_id}|{canonical}".encode()).hexdigest()
        existing = session.scalar(select(Document.id).where(Document.sha256 == digest))
        if existing is not None:
            report.duplicates += 1
            report.outcomes[draft.stix_id] = f"already stored (document #{existing})"
            continue
        try:
            _CandidateValues.model_validate(draft.data)
        except ValidationError as exc:
            why = validation_message(exc)[:500]
            report.skipped.append(f"{draft.stix_id}: {why}")
            report.outcomes[draft.stix_id] = f"skipped: {why}"
            continue
        if draft.producer is not None and not isinstance(draft.producer, str):
            why = "its producer's name is not text"
            report.skipped.append(f"{draft.stix_id}: {why}")
            report.outcomes[draft.stix_id] = f"skipped: {why}"
            continue
        d = {k: _clip(k, v) for k, v in draft.data.items()}
        tlp = draft.tlp or options.default_tlp
        url = options.url or (draft.sources[0].url if draft.sources else None)
        doc = Document(
            sha256=digest,
            url=url[:2000] if url else None,
            publisher=(draft.producer or options.source_label)[:300],
            title=draft.name[:1000] if draft.name else None,
            published_at=draft.created,
            text=_document_text(draft),
            reliability=options.reliability,
            owner_org_id=options.owner_org_id,
            tlp=str(tlp),
        )
        session.add(doc)
        session.flush()
        event_type, sub = d.get("event_type"), d.get("sub_event_type")
        try:
            if event_type:
                event_type, sub = taxonomy.check_event_type(event_type, sub)
        except taxonomy.TaxonomyError:
            event_type, sub = None, None
        names = [str(d[k]) for k in ("actor1", "actor2", "claimed_by") if d.get(k)]
        candidate = Candidate(
            document=doc,
            position=0,
            kind=taxonomy.kind_of(sub) if sub else "other",
            event_type=event_type,
            sub_event_type=sub,
            event_date=d.get("event_date"),
            date_precision=str(d.get("date_precision") or "day"),
            location=d.get("location") or None,
            admin1=d.get("admin1"),
            admin2=d.get("admin2"),
            country=d.get("country"),
            latitude=d["latitude"],
            longitude=d["longitude"],
            geo_precision=d.get("geo_precision") or 1,
            perpetrator=d.get("actor1"),
            claimed_by=d.get("claimed_by"),
            actors=list(dict.fromkeys(names)),
            target=d.get("target_category"),
            fatalities=d.get("fatalities"),
            foreign_fatalities=d.get("foreign_fatalities"),
            foreign_nationality=d.get("foreign_nationality"),
            injured=d.get("injured"),
            abducted=d.get("abducted"),
            summary="\n\n".join(x for x in (draft.name, draft.description) if x) or None,
            evidence={},
            field_confidence={},
            confidence=max(0.0, min(1.0, draft.confidence)),
            extractor=options.extractor,
            extractor_version=draft.producer or options.source_label,
            status=CandidateStatus.PENDING,
            owner_org_id=options.owner_org_id,
            tlp=str(tlp),
        )
        candidate.extractor_version = candidate.extractor_version[:40]
        session.add(candidate)
        session.flush()
        if tlp == TLP.RED and options.grant_user_id is not None:
            for kind, ident in (("document", doc.id), ("candidate", candidate.id)):
                grant_record(
                    session=session,
                    record_type=kind,
                    record_id=ident,
                    user_id=options.grant_user_id,
                    granted_by=options.granted_by,
                )
        report.candidates += 1
        report.document_ids.append(doc.id)
        report.outcomes[draft.stix_id] = f"candidate #{candidate.id} for review"
    return report
