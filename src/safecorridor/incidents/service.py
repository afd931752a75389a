"""Services over the incident record: read, create, update with history, retract, grant, query.

Every function takes ``viewer``: a :class:`~safecorridor.sharing.policy.Viewer` (a signed-in
person: the TLP read rule, the role and ownership write rules and the audit chain apply) or
``None`` (a trusted local caller: the CLI on the server, imports, the demo loader). The API,
the web pages and the CLI all call these, so a rule lives here once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from safecorridor import taxonomy
from safecorridor.accounts.models import User
from safecorridor.errors import ConflictError, InvalidInputError, NotFoundError, invalid
from safecorridor.geo import bounding_box, cell_of, cells_within, haversine_km
from safecorridor.incidents.actors import (
    ActorResolver,
    actor_readable,
    actor_with_units,
    find_actors,
)
from safecorridor.incidents.models import Incident, IncidentChange
from safecorridor.incidents.schemas import IncidentCreate, IncidentPublic, IncidentUpdate
from safecorridor.settings import get_settings
from safecorridor.sharing.audit import audit_reads, audit_write
from safecorridor.sharing.policy import (
    Viewer,
    at_least_as_strict,
    require_change,
    require_write,
    restrict,
)
from safecorridor.sharing.service import grant_record, keep_readable_by_writer
from safecorridor.sources.models import Document
from safecorridor.taxonomy.choices import TLP, IncidentStatus

ACTOR_FIELDS = ("actor1", "actor2", "claimed_by")


class IncidentNotFoundError(NotFoundError):
    """No incident has the given id (among those the reader may read)."""


class DuplicateIncidentError(ConflictError):
    """An incident with the same dataset and key is already stored."""


def content_hash(incident_in: IncidentCreate) -> str:
    """sha256 of the incident's data in canonical JSON: the key of idempotent imports."""
    data = incident_in.model_dump(mode="json", exclude={"source_dataset", "source_key"})
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def incident_values(
    incident_in: IncidentCreate,
    resolver: ActorResolver,
    *,
    owner_org_id: int | None,
    resolution: int | None = None,
) -> dict[str, Any]:
    """Column values for an incident row owned by ``owner_org_id`` (actors resolved to ids
    for its readers, see :class:`ActorResolver`; H3 cell computed)."""
    res = resolution or get_settings().h3_incident_resolution
    data = incident_in.model_dump(exclude={"source_urls", *ACTOR_FIELDS})
    data["date_precision"] = str(incident_in.date_precision)
    data["tlp"] = str(incident_in.tlp)
    digest = content_hash(incident_in)
    data["content_hash"] = digest
    data["source_key"] = incident_in.source_key or digest
    readers = {"tlp": data["tlp"], "owner_org_id": owner_org_id}
    data["actor1_id"] = resolver.resolve(incident_in.actor1, **readers)
    data["actor2_id"] = resolver.resolve(incident_in.actor2, **readers)
    data["claimed_by_id"] = resolver.resolve(incident_in.claimed_by, **readers)
    data["h3_cell"] = cell_of(incident_in.latitude, incident_in.longitude, res)
    return data


def source_document(
    session: Session,
    url: str,
    *,
    tlp: str = TLP.CLEAR,
    owner_org_id: int | None = None,
    publisher: str | None = None,
    title: str | None = None,
    reliability: str = "F",
) -> Document:
    """The reference-only Document for a URL an incident cites, with the incident's marking and
    owner (a URL cited by a RED record is itself RED: its address may be the secret). Created
    once per URL, marking and owner (``publisher``, ``title`` and ``reliability`` are those of
    its first citation)."""
    key = (
        f"url:{url.strip()}"
        if (tlp == TLP.CLEAR and owner_org_id is None)
        else (f"url:{url.strip()}|{tlp}|{owner_org_id}")
    )
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    doc = session.scalar(select(Document).where(Document.sha256 == digest))
    if doc is None:
        doc = Document(
            sha256=digest,
            url=url.strip()[:2000],
            publisher=publisher[:300] if publisher else None,
            title=title[:1000] if title else None,
            reliability=reliability if reliability in ("A", "B", "C", "D", "E", "F") else "F",
            tlp=str(tlp),
            owner_org_id=owner_org_id,
        )
        session.add(doc)
        session.flush()
    return doc


def check_not_future(event_date: date, today: date | None) -> None:
    """Refuse an incident dated after ``today`` (nothing has happened tomorrow: a typed year
    or a swapped day and month). A day's grace: the corridor's day starts hours before UTC's.
    ``today=None``: no check (imports of other datasets, which keep what they say)."""
    if today is not None and event_date > today + timedelta(days=1):
        raise InvalidInputError(
            f"field event_date: {event_date} is after today ({today}); an incident is "
            "recorded once it has happened",
            errors=[{"loc": ["event_date"], "msg": f"{event_date} is after today ({today})"}],
        )


def create_incident(
    *,
    session: Session,
    incident_in: IncidentCreate,
    viewer: Viewer | None = None,
    changed_by: str = "system",
    owner_org_id: int | None = None,
    resolver: ActorResolver | None = None,
    today: date | None = None,
) -> Incident:
    """Store a new incident, with its sources and a 'created' history entry.

    With a ``viewer``: an analyst records it for their organisation (its owner), a RED one
    stays readable by them (a grant), and the write is audited. With ``today``: an event
    dated after it is refused (see :func:`check_not_future`).
    """
    check_not_future(incident_in.event_date, today)
    if viewer is not None:
        require_write(viewer, "incident")
        changed_by, owner_org_id = viewer.email, viewer.organisation_id
    # the actors it creates are audited as the incident is: with a viewer
    audited_as = changed_by if viewer is not None else None
    values = incident_values(
        incident_in,
        resolver or ActorResolver(session, changed_by=audited_as),
        owner_org_id=owner_org_id,
    )
    existing = session.scalar(
        select(Incident.id).where(
            Incident.source_dataset == values["source_dataset"],
            Incident.source_key == values["source_key"],
        )
    )
    if existing is not None:
        key = f"{values['source_dataset']}:{values['source_key']}"
        raise DuplicateIncidentError(
            f"incident {key} is already stored as #{existing}; change it with PATCH instead"
        )
    incident = Incident(**values, owner_org_id=owner_org_id)
    for url in incident_in.source_urls:
        incident.documents.append(
            source_document(session, url, tlp=incident.tlp, owner_org_id=owner_org_id)
        )
    incident.history.append(
        IncidentChange(
            changed_by=changed_by, action="created", changes={"source": values["source_dataset"]}
        )
    )
    session.add(incident)
    session.flush()
    if viewer is not None:
        _written(session, viewer, incident, "create")
    return incident


def _written(session: Session, viewer: Viewer, incident: Incident, action: str) -> None:
    """After a reader's write: a RED incident stays readable by its writer; audit."""
    keep_readable_by_writer(session, viewer, incident)
    audit_write(session=session, viewer=viewer, action=action, obj=incident)


_DETAIL = (
    selectinload(Incident.documents),
    selectinload(Incident.history),
    selectinload(Incident.actor1),
    selectinload(Incident.actor2),
    selectinload(Incident.claimed_by),
)


def get_incident(
    session: Session,
    incident_id: int,
    *,
    viewer: Viewer | None = None,
    action: str | None = None,
) -> Incident:
    """The incident with its sources, history and actors.

    With a ``viewer``: only if they may read it (else :class:`IncidentNotFoundError`: absence
    and secrecy look alike), and, with an ``action``, the read is audited under that name.
    """
    q = restrict(select(Incident).where(Incident.id == incident_id), Incident, viewer)
    incident = session.scalar(q.options(*_DETAIL))
    if incident is None:
        readable = " that you may read" if viewer is not None else ""
        raise IncidentNotFoundError(f"no incident with id {incident_id}{readable}")
    if viewer is not None and action is not None:
        audit_reads(session=session, viewer=viewer, objs=[incident], action=action)
    return incident


def changeable_incident(session: Session, viewer: Viewer, incident_id: int) -> Incident:
    """The incident if ``viewer`` may change it: their role writes incidents, they may read
    it, and it is their organisation's (or an open, ownerless record)."""
    require_write(viewer, "incident")
    incident = get_incident(session, incident_id, viewer=viewer)
    require_change(viewer, "incident", incident.owner_org_id, incident_id)
    return incident


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def update_incident(
    *,
    session: Session,
    incident_id: int,
    incident_in: IncidentUpdate,
    viewer: Viewer | None = None,
    changed_by: str = "system",
    today: date | None = None,
) -> Incident:
    """Apply a partial change and record each field's old and new value in the history.

    The whole record is validated again, so an edit cannot make it invalid. With a
    ``viewer``: only an analyst of the owner organisation changes it, and the change is
    audited. With ``today``: a new event date after it is refused.
    """
    if incident_in.event_date is not None:
        check_not_future(incident_in.event_date, today)
    if viewer is not None:
        incident = changeable_incident(session, viewer, incident_id)
        changed_by = viewer.email
    else:
        incident = get_incident(session, incident_id)
    wanted = incident_in.model_dump(exclude_unset=True)
    if wanted.get("tlp") is not None:
        _keeps_sources_hidden(incident, str(wanted["tlp"]))
    changes: dict[str, list[Any]] = {}
    for name, new in wanted.items():
        old = getattr(incident, name)
        if new is None and name in REQUIRED_COLUMNS:
            raise InvalidInputError(f"field {name}: a required value cannot be removed")
        if old != new:
            changes[name] = [_jsonable(old), _jsonable(new)]
            setattr(incident, name, new)
    try:
        IncidentCreate.model_validate(to_create(incident))
    except ValidationError as exc:
        raise invalid(exc, prefix="the change would make the incident invalid: ") from None
    if "latitude" in changes or "longitude" in changes:
        incident.h3_cell = cell_of(
            incident.latitude, incident.longitude, get_settings().h3_incident_resolution
        )
    if changes:
        incident.history.append(
            IncidentChange(changed_by=changed_by, action="updated", changes=changes)
        )
    session.flush()
    if viewer is not None:
        _written(session, viewer, incident, "update")
    return incident


def _keeps_sources_hidden(incident: Incident, tlp: str) -> None:
    """Refuse a marking that would show one of the incident's sources to readers that
    source's own marking excludes (the rule a merge of a candidate follows)."""
    for doc in incident.documents:
        if not at_least_as_strict(tlp, doc.tlp):
            raise ConflictError(
                f"incident #{incident.id} rests on document #{doc.id}, marked TLP:{doc.tlp}: "
                f"marking the incident TLP:{tlp} would show that source to readers its marking "
                f"excludes; keep the incident at TLP:{doc.tlp} or stricter"
            )


#: columns an update may change but never empty
REQUIRED_COLUMNS = frozenset(
    {"event_date", "event_type", "latitude", "longitude", "tlp", "credibility", "date_precision"}
)


def retract_incident(
    *,
    session: Session,
    incident_id: int,
    reason: str,
    viewer: Viewer | None = None,
    changed_by: str = "system",
) -> Incident:
    """Mark the incident retracted (kept, with the reason, in its history)."""
    if not reason.strip():
        raise InvalidInputError("a retraction needs a reason")
    if viewer is not None:
        incident = changeable_incident(session, viewer, incident_id)
        changed_by = viewer.email
    else:
        incident = get_incident(session, incident_id)
    old = incident.status
    incident.status = IncidentStatus.RETRACTED
    incident.history.append(
        IncidentChange(
            changed_by=changed_by,
            action="retracted",
            changes={"status": [old, IncidentStatus.RETRACTED], "reason": reason},
        )
    )
    session.flush()
    if viewer is not None:
        audit_write(session=session, viewer=viewer, action="retract", obj=incident)
    return incident


def grant_incident(*, session: Session, viewer: Viewer, incident_id: int, user_id: int) -> None:
    """Name one more reader of a TLP:RED incident (an analyst of the owner who can read it)."""
    incident = changeable_incident(session, viewer, incident_id)
    if incident.tlp != TLP.RED:
        raise InvalidInputError(
            f"incident {incident_id} is TLP:{incident.tlp}; only RED records name readers"
        )
    if session.get(User, user_id) is None:
        raise InvalidInputError(f"no user with id {user_id}")
    grant_record(
        session=session,
        record_type="incident",
        record_id=incident.id,
        user_id=user_id,
        granted_by=viewer.email,
        viewer=viewer,
    )


def to_create(incident: Incident) -> dict[str, Any]:
    """An incident row back as IncidentCreate data (for export and re-validation)."""
    data: dict[str, Any] = {
        name: getattr(incident, name)
        for name in IncidentCreate.model_fields
        if name not in (*ACTOR_FIELDS, "source_urls") and hasattr(incident, name)
    }
    data["actor1"] = incident.actor1.name if incident.actor1 else None
    data["actor2"] = incident.actor2.name if incident.actor2 else None
    data["claimed_by"] = incident.claimed_by.name if incident.claimed_by else None
    data["source_urls"] = [d.url for d in incident.documents if d.url]
    return data


def to_public(incident: Incident) -> IncidentPublic:
    data = to_create(incident)
    data.update(id=incident.id, status=incident.status, h3_cell=incident.h3_cell)
    return IncidentPublic.model_validate(data)


#: the widest radius of a ``near`` filter, in km (the CLI's ``--km``, the API's ``km``)
MAX_NEAR_KM = 500.0


def check_period(
    date_from: date | None, date_to: date | None, *, names: tuple[str, str] = ("since", "until")
) -> None:
    """Refuse a period whose first day is after its last (the CLI's ``--since``/``--until``,
    the API's and the pages' ``since``/``until``): it would list nothing, silently. ``names``
    are how the caller's user spells the two."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise InvalidInputError(
            f"{names[0]} {date_from} is after {names[1]} {date_to}: no day lies between them"
        )


@dataclass
class IncidentFilter:
    """Filters of the incident list; every field is optional."""

    date_from: date | None = None
    date_to: date | None = None
    event_types: list[str] = field(default_factory=list)
    actor: str | None = None
    admin1: str | None = None
    country: str | None = None
    source_dataset: str | None = None
    near: tuple[float, float] | None = None
    km: float = 10.0
    include_retracted: bool = False
    foreign_fatalities_only: bool = False


class UnknownActorError(InvalidInputError):
    """An actor filter names no known actor."""


def filtered_query(
    session: Session,
    flt: IncidentFilter,
    *,
    viewer: Viewer | None = None,
    columns: tuple[Any, ...] | None = None,
) -> Select[Any]:
    """The SELECT for a filter (the near-filter's exact distance check comes after).

    With a ``viewer``, only the incidents that viewer may read (``sharing.policy``); without
    one (trusted local callers: the CLI, imports) every incident. ``columns`` selects those
    columns (from ``incidents``) instead of Incident objects.
    """
    q = restrict(select(*columns) if columns else select(Incident), Incident, viewer)
    if not flt.include_retracted:
        q = q.where(Incident.status == IncidentStatus.CONFIRMED)
    if flt.date_from:
        q = q.where(Incident.event_date >= flt.date_from)
    if flt.date_to:
        q = q.where(Incident.event_date <= flt.date_to)
    if flt.event_types:
        for t in flt.event_types:  # a misspelt type is named, not answered with no incidents
            try:
                taxonomy.check_event_type(t)
            except ValueError as exc:
                raise InvalidInputError(f"field event_type: {exc}") from None
        q = q.where(func.lower(Incident.event_type).in_([t.lower() for t in flt.event_types]))
    if flt.admin1:
        q = q.where(func.lower(Incident.admin1) == flt.admin1.lower())
    if flt.country:
        q = q.where(func.lower(Incident.country) == flt.country.lower())
    if flt.source_dataset:
        q = q.where(Incident.source_dataset == flt.source_dataset)
    if flt.foreign_fatalities_only:
        q = q.where(Incident.foreign_fatalities > 0)
    if flt.actor:
        # a name known only from records the viewer may not read is no name to them: the
        # same answer as for a name never heard of, or the refusal would confirm a guess
        named = find_actors(session, flt.actor, among=actor_readable(viewer))
        if not named:
            raise UnknownActorError(
                f"no actor is named {flt.actor!r} (the actor filter suggests the names you may "
                "filter by; GET /api/v1/actors and `safecorridor actors list` list them)"
            )
        ids = set().union(*(actor_with_units(session, a.id) for a in named))
        q = q.where(
            or_(
                Incident.actor1_id.in_(ids),
                Incident.actor2_id.in_(ids),
                Incident.claimed_by_id.in_(ids),
            )
        )
    if flt.near:
        lat, lon = flt.near
        cells = cells_within(lat, lon, flt.km, get_settings().h3_incident_resolution)
        if cells is not None:
            q = q.where(Incident.h3_cell.in_(cells))
        else:
            a, b, c, d = bounding_box(lat, lon, flt.km)
            q = q.where(
                and_(
                    Incident.latitude.between(a, c),
                    Incident.longitude.between(b, d),
                )
            )
    return q


def list_incidents(
    session: Session,
    flt: IncidentFilter | None = None,
    *,
    limit: int | None = 100,
    offset: int = 0,
    viewer: Viewer | None = None,
) -> list[Incident]:
    """Incidents matching ``flt``, newest first (ties by id)."""
    flt = flt or IncidentFilter()
    q = filtered_query(session, flt, viewer=viewer).order_by(
        Incident.event_date.desc(), Incident.id.desc()
    )
    q = q.options(
        selectinload(Incident.actor1),
        selectinload(Incident.actor2),
        selectinload(Incident.claimed_by),
    )
    if flt.near is None:
        return list(session.scalars(q.offset(offset).limit(limit)).all())
    lat, lon = flt.near
    rows = [
        i
        for i in session.scalars(q).all()
        if haversine_km(lat, lon, i.latitude, i.longitude) <= flt.km
    ]
    end = None if limit is None else offset + limit
    return rows[offset:end]


def count_incidents(
    session: Session, flt: IncidentFilter | None = None, *, viewer: Viewer | None = None
) -> int:
    flt = flt or IncidentFilter()
    if flt.near is not None:
        return len(list_incidents(session, flt, limit=None, viewer=viewer))
    # count(id) over the same WHERE, no subquery: on SQLite the covering index
    # ix_incidents_status_date_tlp answers it without reading the table
    q = filtered_query(session, flt, viewer=viewer, columns=(func.count(Incident.id),))
    return int(session.scalar(q) or 0)
