"""STIX 2.1 both ways: incidents → bundle objects, and bundles → what maps onto the record.

Mapping (docs/interop.md has the full tables):

- An incident is a ``report`` (not a ``grouping``): a report is a finished, published account
  that its creator stands behind, which is what a confirmed record is; a grouping asserts only
  a shared context still under analysis (a candidate, not a record) and must name one. OpenCTI
  and MISP both show reports as the container of an event's intelligence.
- Its place is a ``location`` (coordinates, place name, first-level area, ISO country, region).
- Actors of kind armed group (and other) are ``threat-actor`` objects; a unit of another actor
  (the Majeed Brigade of the BLA) is an ``intrusion-set`` ``attributed-to`` its parent, the
  relationship STIX suggests between the two. State forces, governments, companies,
  international bodies and civilians are ``identity`` objects (organisation or class); target
  categories are ``identity`` objects of class ``class``.
- ``relationship`` objects: each perpetrator ``targets`` the place and each targeted identity;
  each targeted identity is ``located-at`` the place. Only relationships the specification
  suggests, so stix2-validator has nothing to warn about.
- Sources are ``external_references`` (URL, publisher, title). What STIX has no property for
  is in the SafeCorridor property extension (``extension.py``); the marking is the official
  TLP 2.0 marking definition; ``created_by_ref`` is the owner organisation's identity (the
  SafeCorridor producer identity for records without an owner).

Objects are written as plain dictionaries in the shape the ``stix2`` library checks (building
100,000 incidents' objects through ``stix2``'s classes takes minutes; tests parse every exported
bundle with ``stix2`` and run ``stix2-validator`` on it). Import parses every object with
``stix2.parse`` before anything is interpreted, so a malformed bundle is refused whole.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import IO, Any

import orjson
import pycountry
import stix2
import stix2.exceptions
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from safecorridor import taxonomy
from safecorridor.accounts.models import Organisation
from safecorridor.incidents.actors import alias_key
from safecorridor.incidents.models import (
    Actor,
    Incident,
    read_incidents_epoch,
    wrote_incidents,
)
from safecorridor.interop.extension import (
    EXTENSION_ID,
    PRODUCER_IDENTITY_ID,
    PRODUCER_NAME,
    ExtensionError,
    check_properties,
    extension_definition,
    object_id,
    producer_identity,
)
from safecorridor.interop.markings import (
    MARKING_IDS,
    TLP1_MARKING_IDS,
    TLP_OF_MARKING,
    marking_definition,
    tlp_of_refs,
)
from safecorridor.risk.cache import SurfaceCache
from safecorridor.sharing.policy import OPEN_TLP
from safecorridor.taxonomy.choices import TLP, ActorKind, DatePrecision

#: the largest bundle an import reads (bytes)
MAX_BUNDLE_BYTES = 200_000_000
#: Admiralty information credibility → STIX confidence (STIX 2.1, appendix B), and back
CONFIDENCE_OF_CREDIBILITY = {"1": 90, "2": 70, "3": 50, "4": 30, "5": 10}
#: ACLED geo precision → STIX location precision in metres
PRECISION_METRES = {1: 5_000.0, 2: 25_000.0, 3: 150_000.0}
IDENTITY_ACTOR_KINDS = frozenset(
    {
        ActorKind.STATE_FORCE,
        ActorKind.GOVERNMENT,
        ActorKind.COMPANY,
        ActorKind.INTERNATIONAL,
        ActorKind.CIVILIANS,
    }
)
_REGION_OV = frozenset(
    {
        "africa", "eastern-africa", "middle-africa", "northern-africa", "southern-africa",
        "western-africa", "americas", "latin-america-caribbean", "south-america", "caribbean",
        "central-america", "northern-america", "asia", "central-asia", "eastern-asia",
        "southern-asia", "south-eastern-asia", "western-asia", "europe", "eastern-europe",
        "northern-europe", "southern-europe", "western-europe", "oceania",
        "australia-new-zealand", "melanesia", "micronesia", "polynesia", "antarctica",
    }
)  # fmt: skip


class StixImportError(ValueError):
    """The bundle as a whole cannot be read; the message names the problem (and the object)."""


# ---------------------------------------------------------------------------- small helpers


def timestamp(value: datetime) -> str:
    """A STIX timestamp (UTC, millisecond precision) of a naive-UTC or aware datetime."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def day_timestamp(value: date) -> str:
    return f"{value.isoformat()}T00:00:00.000Z"


def parse_timestamp(value: Any) -> datetime:
    """A naive-UTC datetime from a STIX timestamp string or a stix2 STIXdatetime."""
    if isinstance(value, datetime):
        dt = value
    else:
        dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


@lru_cache(maxsize=512)
def country_code(name: str | None, iso: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code of a country name (or ACLED's numeric ``iso``), if known."""
    for lookup in (name, iso):
        if not lookup:
            continue
        try:
            found = pycountry.countries.lookup(lookup.strip())
        except LookupError:
            if lookup.isdigit():
                found = pycountry.countries.get(numeric=lookup.zfill(3))
                if found is not None:
                    return str(found.alpha_2)
            continue
        return str(found.alpha_2)
    return None


@lru_cache(maxsize=512)
def country_name(code: str | None) -> str | None:
    if not code:
        return None
    found = pycountry.countries.get(alpha_2=code.upper())
    if found is None:
        return None
    return str(getattr(found, "common_name", None) or found.name)


def region_ov(region: str | None) -> str | None:
    if not region:
        return None
    slug = re.sub(r"[^a-z]+", "-", region.lower()).strip("-")
    return slug if slug in _REGION_OV else None


def incident_key(dataset: str, key: str) -> str:
    return f"{dataset}:{key}"


def org_identity_id(name: str) -> str:
    return object_id("identity", f"organisation:{name}")


def actor_object_id(actor: ActorInfo) -> str:
    """The id of an actor's object: one per actor row, since one name may stand for several.

    The register's actor of a name (the oldest of its type, if ever two) takes the id of its
    name alone, so our exports of it agree across instances and with partners' ("TTP" is one
    object everywhere). Any other actor of that name (one known only from some
    organisation's records, or a second in the register) adds its row's id and creation
    time: its object must not be the register's (a GREEN report would point at an
    AMBER+STRICT actor, one bundle would keep one of the two), and an id computed from a
    guessed name alone must not find it in a bundle. Both stay the same from one export to
    the next; neither tells of any record that names the actor."""
    key = f"actor:{alias_key(actor.name)}"
    if not actor.name_keyed:
        key += f"|row:{actor.id}|{actor.created_at.isoformat()}"
    return object_id(actor.stix_type, key)


def target_identity_id(key: str) -> str:
    return object_id("identity", f"target:{key}")


# ---------------------------------------------------------------------------- export


@dataclass(frozen=True)
class ActorInfo:
    """What export needs of an actor (loaded once per export)."""

    id: int
    name: str
    kind: str
    parent_id: int | None
    aliases: tuple[str, ...]
    countries: str | None
    description: str | None
    source_url: str | None
    created_at: datetime
    in_register: bool = True
    #: its object's id derives from its name alone (see :func:`actor_object_id`)
    name_keyed: bool = True

    @property
    def stix_type(self) -> str:
        if self.kind in IDENTITY_ACTOR_KINDS:
            return "identity"
        return "intrusion-set" if self.parent_id is not None else "threat-actor"


@dataclass
class ExportContext:
    """Lookups shared by every incident of an export: actors, organisations, target labels."""

    actors: dict[int, ActorInfo]
    organisations: dict[int, tuple[str, datetime]]
    #: actors whose name is open: named by a CLEAR or GREEN incident (that marking), or in the
    #: register (CLEAR); any other actor's object takes the marking of the incident it is
    #: exported with, as its name is that incident's content
    open_markings: dict[int, TLP] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> ExportContext:
        actors = {}
        query = select(Actor).options(selectinload(Actor.aliases)).order_by(Actor.id)
        for a in session.scalars(query):
            actors[a.id] = ActorInfo(
                id=a.id,
                name=a.name,
                kind=str(a.kind),
                parent_id=a.parent_id,
                aliases=tuple(x.alias for x in a.aliases if x.alias != a.name),
                countries=a.countries,
                description=a.description,
                source_url=a.source_url,
                created_at=a.created_at,
                in_register=a.in_register,
            )
        actors = _key_by_row(actors)
        orgs = {
            o.id: (o.name, o.created_at)
            for o in session.scalars(select(Organisation).order_by(Organisation.id))
        }
        return cls(actors=actors, organisations=orgs, open_markings=_open_markings(session))

    def actor_marking(self, actor_id: int, incident_tlp: TLP) -> TLP:
        """The marking of an actor's object exported with an incident marked ``incident_tlp``."""
        if actor_id in self.open_markings:
            return self.open_markings[actor_id]
        if actor_id in self.actors and self.actors[actor_id].in_register:
            return TLP.CLEAR
        return incident_tlp

    def actor_chain(self, actor_id: int) -> list[ActorInfo]:
        """The actor and its parents, nearest first (a cycle stops the walk)."""
        out: list[ActorInfo] = []
        seen: set[int] = set()
        current: int | None = actor_id
        while current is not None and current not in seen and current in self.actors:
            seen.add(current)
            info = self.actors[current]
            out.append(info)
            current = info.parent_id
        return out


def _key_by_row(actors: dict[int, ActorInfo]) -> dict[int, ActorInfo]:
    """The actors (oldest first), each but the oldest register actor of its type and name
    keyed by its row (see :func:`actor_object_id`)."""
    keyed: set[tuple[str, str]] = set()
    out: dict[int, ActorInfo] = {}
    for actor_id, info in actors.items():
        key = (info.stix_type, alias_key(info.name))
        if info.in_register and key not in keyed:
            keyed.add(key)
            out[actor_id] = info
        else:
            out[actor_id] = dataclasses.replace(info, name_keyed=False)
    return out


@dataclass
class IncidentObjects:
    """An incident's own objects (report, location, relationships) and the ids of the shared
    objects they refer to, with those shared objects' builders."""

    date_added: datetime
    own: list[dict[str, Any]]
    shared: dict[str, dict[str, Any]]


#: the open markings of the actors incidents name, by database, valid while the incidents'
#: epoch holds (three scans of the incidents: not one per export or TAXII page)
named_actors: SurfaceCache[dict[int, TLP]] = SurfaceCache(max_entries=4)


def _open_markings(session: Session) -> dict[int, TLP]:
    """Actor id → CLEAR or GREEN for the actors a CLEAR or GREEN incident names (see
    ExportContext)."""

    def build() -> dict[int, TLP]:
        out: dict[int, TLP] = {}
        for col in (Incident.actor1_id, Incident.actor2_id, Incident.claimed_by_id):
            rows = session.execute(
                select(col, Incident.tlp).where(Incident.tlp.in_(OPEN_TLP)).distinct()
            )
            for actor_id, tlp in rows:
                if actor_id is None:
                    continue
                if tlp == TLP.CLEAR or out.get(actor_id) != TLP.CLEAR:
                    out[actor_id] = TLP(tlp)
        return out

    if wrote_incidents(session):  # not yet what the epoch stands for
        return build()
    bind = session.get_bind()
    key = (id(bind), str(getattr(bind, "url", "")))
    return named_actors.get(key, read_incidents_epoch(session), build)


def _clear_marking() -> list[str]:
    return [MARKING_IDS[TLP.CLEAR]]


def actor_objects(
    actor: ActorInfo, ctx: ExportContext, incident_tlp: TLP
) -> dict[str, dict[str, Any]]:
    """The STIX object of an actor, its parents' and the unit → parent relationships, as
    exported with an incident marked ``incident_tlp`` (each marked by
    :meth:`ExportContext.actor_marking`; a relationship like the stricter of its two ends, as
    its description names both; the marking definitions they use other than CLEAR's)."""
    out: dict[str, dict[str, Any]] = {}
    chain = ctx.actor_chain(actor.id)
    order = list(TLP)
    markings = {info.id: ctx.actor_marking(info.id, incident_tlp) for info in chain}
    for level in set(markings.values()) - {TLP.CLEAR}:
        mdef = marking_definition(level)
        out[mdef["id"]] = mdef
    for info in chain:
        sid = actor_object_id(info)
        stamp = timestamp(info.created_at)
        obj: dict[str, Any] = {
            "type": info.stix_type,
            "spec_version": "2.1",
            "id": sid,
            "created_by_ref": PRODUCER_IDENTITY_ID,
            "created": stamp,
            "modified": stamp,
            "name": info.name,
        }
        if info.description:
            obj["description"] = info.description
        ext: dict[str, Any] = {"extension_type": "property-extension", "actor_kind": info.kind}
        if info.countries:
            ext["countries"] = info.countries
        if info.stix_type == "identity":
            obj["identity_class"] = "class" if info.kind == ActorKind.CIVILIANS else "organization"
            if info.aliases:
                ext["aliases"] = list(info.aliases)
        elif info.aliases:
            obj["aliases"] = list(info.aliases)
        if info.stix_type == "threat-actor" and info.kind == ActorKind.STATE_FORCE:
            obj["threat_actor_types"] = ["nation-state"]
        if info.source_url:
            obj["external_references"] = [{"source_name": "source", "url": info.source_url}]
        obj["object_marking_refs"] = [MARKING_IDS[markings[info.id]]]
        obj["extensions"] = {EXTENSION_ID: ext}
        out[sid] = obj
    for unit, parent in itertools.pairwise(chain):
        source, target = actor_object_id(unit), actor_object_id(parent)
        if unit.stix_type == "intrusion-set" and parent.stix_type == "threat-actor":
            rtype = "attributed-to"
        else:
            rtype = "related-to"
        rid = object_id("relationship", f"unit|{source}|{target}")
        stamp = timestamp(unit.created_at)
        out[rid] = {
            "type": "relationship",
            "spec_version": "2.1",
            "id": rid,
            "created_by_ref": PRODUCER_IDENTITY_ID,
            "created": stamp,
            "modified": stamp,
            "relationship_type": rtype,
            "description": f"{unit.name} is a unit of {parent.name}.",
            "source_ref": source,
            "target_ref": target,
            "object_marking_refs": [
                MARKING_IDS[max(markings[unit.id], markings[parent.id], key=order.index)]
            ],
        }
    return out


def target_identity(key: str) -> dict[str, Any]:
    label = taxonomy.target_categories().get(key, key)
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": target_identity_id(key),
        "created_by_ref": PRODUCER_IDENTITY_ID,
        "created": "2026-12-01T00:00:00.000Z",
        "modified": "2026-12-01T00:00:00.000Z",
        "name": label.split(" (")[0],
        "description": label,
        "identity_class": "class",
        "object_marking_refs": _clear_marking(),
        "extensions": {
            EXTENSION_ID: {"extension_type": "property-extension", "target_category": key}
        },
    }


def organisation_identity(name: str, created_at: datetime) -> dict[str, Any]:
    stamp = timestamp(created_at)
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": org_identity_id(name),
        "created_by_ref": PRODUCER_IDENTITY_ID,
        "created": stamp,
        "modified": stamp,
        "name": name,
        "identity_class": "organization",
        "object_marking_refs": _clear_marking(),
    }


def header_objects() -> dict[str, dict[str, Any]]:
    """Objects every export carries: the producer, the extension definition, TLP:CLEAR."""
    ident = producer_identity()
    ext = extension_definition()
    clear = marking_definition(TLP.CLEAR)
    return {clear["id"]: clear, ident["id"]: ident, ext["id"]: ext}


def _put(d: dict[str, Any], name: str, value: Any) -> None:
    if value is not None and value != "" and value != []:
        d[name] = value


def incident_objects(incident: Incident, ctx: ExportContext) -> IncidentObjects:
    """The STIX objects of one incident (see the module doc for the mapping)."""
    key = incident_key(incident.source_dataset, incident.source_key)
    marking = [MARKING_IDS[TLP(incident.tlp)]]
    created = timestamp(incident.created_at)
    modified = timestamp(max(incident.updated_at, incident.created_at))
    shared: dict[str, dict[str, Any]] = {}
    mdef = marking_definition(incident.tlp)
    shared[mdef["id"]] = mdef
    if incident.owner_org_id is not None and incident.owner_org_id in ctx.organisations:
        org_name, org_created = ctx.organisations[incident.owner_org_id]
        creator = org_identity_id(org_name)
        shared[creator] = organisation_identity(org_name, org_created)
    else:
        creator = PRODUCER_IDENTITY_ID

    def common(stix_type: str, sid: str) -> dict[str, Any]:
        return {
            "type": stix_type,
            "spec_version": "2.1",
            "id": sid,
            "created_by_ref": creator,
            "created": created,
            "modified": modified,
        }

    loc_id = object_id("location", key)
    location = common("location", loc_id)
    location["latitude"] = incident.latitude
    location["longitude"] = incident.longitude
    location["precision"] = PRECISION_METRES.get(incident.geo_precision, 5_000.0)
    _put(location, "name", incident.location)
    _put(location, "administrative_area", incident.admin1)
    _put(location, "country", country_code(incident.country, incident.iso))
    _put(location, "region", region_ov(incident.region))
    location["object_marking_refs"] = marking

    roles: dict[str, str] = {}
    perpetrators: list[str] = []
    targets: list[str] = []
    for role, actor_id in (
        ("actor1_ref", incident.actor1_id),
        ("actor2_ref", incident.actor2_id),
        ("claimed_by_ref", incident.claimed_by_id),
    ):
        if actor_id is None or actor_id not in ctx.actors:
            continue
        info = ctx.actors[actor_id]
        shared.update(actor_objects(info, ctx, TLP(incident.tlp)))
        sid = actor_object_id(info)
        roles[role] = sid
        group = targets if info.stix_type == "identity" else perpetrators
        if sid not in group:
            group.append(sid)
    categories = [c for c in (incident.target_category or "").split(",") if c]
    for cat in categories:
        obj = target_identity(cat)
        shared[obj["id"]] = obj
        if obj["id"] not in targets:
            targets.append(obj["id"])

    relationships: list[dict[str, Any]] = []

    def relate(rtype: str, source: str, target: str) -> None:
        rel = common("relationship", object_id("relationship", f"{key}|{rtype}|{source}|{target}"))
        rel["relationship_type"] = rtype
        rel["source_ref"] = source
        rel["target_ref"] = target
        rel["start_time"] = day_timestamp(incident.event_date)
        rel["object_marking_refs"] = marking
        relationships.append(rel)

    for p in perpetrators:
        relate("targets", p, loc_id)
        for t in targets:
            relate("targets", p, t)
    for t in targets:
        relate("located-at", t, loc_id)

    ext: dict[str, Any] = {"extension_type": "property-extension"}
    ext["event_date"] = incident.event_date.isoformat()
    ext["date_precision"] = str(incident.date_precision)
    _put(ext, "disorder_type", incident.disorder_type)
    ext["event_type"] = incident.event_type
    _put(ext, "sub_event_type", incident.sub_event_type)
    ext.update(roles)
    for name in (
        "assoc_actor_1",
        "assoc_actor_2",
        "inter1",
        "inter2",
        "interaction",
        "civilian_targeting",
    ):
        _put(ext, name, getattr(incident, name))
    _put(ext, "target_categories", categories)
    for name in ("iso", "region", "country", "admin1", "admin2", "admin3"):
        _put(ext, name, getattr(incident, name))
    ext["geo_precision"] = incident.geo_precision
    for name in ("fatalities", "foreign_fatalities", "injured", "abducted"):
        _put(ext, name, getattr(incident, name))
    _put(ext, "foreign_nationality", incident.foreign_nationality)
    ext["credibility"] = incident.credibility
    refs: list[dict[str, Any]] = []
    reliability: list[dict[str, str]] = []
    for doc in incident.documents:
        if not doc.url:
            continue
        ref: dict[str, Any] = {"source_name": doc.publisher or _host(doc.url), "url": doc.url}
        _put(ref, "description", doc.title)
        refs.append(ref)
        reliability.append({"url": doc.url, "reliability": doc.reliability or "F"})
    _put(ext, "source_reliability", reliability)
    for name in ("source", "source_scale", "tags"):
        _put(ext, name, getattr(incident, name))
    ext["source_dataset"] = incident.source_dataset
    ext["source_key"] = incident.source_key
    if incident.extra:
        ext["extra"] = json.dumps(incident.extra, sort_keys=True, ensure_ascii=False)

    report = common("report", object_id("report", key))
    report["name"] = report_name(incident)
    _put(report, "description", incident.notes)
    report["report_types"] = ["threat-report"]
    report["published"] = created
    report["object_refs"] = [
        loc_id,
        *roles.values(),
        *(t for t in targets if t not in roles.values()),
        *(r["id"] for r in relationships),
    ]
    report["object_refs"] = list(dict.fromkeys(report["object_refs"]))
    confidence = CONFIDENCE_OF_CREDIBILITY.get(incident.credibility)
    if confidence is not None:
        report["confidence"] = confidence
    if refs:
        report["external_references"] = refs
    report["object_marking_refs"] = marking
    report["extensions"] = {EXTENSION_ID: ext}
    return IncidentObjects(
        date_added=max(incident.updated_at, incident.created_at),
        own=[report, location, *relationships],
        shared=shared,
    )


def report_name(incident: Incident) -> str:
    place = incident.location or incident.admin1 or incident.country or "unknown place"
    when = incident.event_date.isoformat()
    if incident.date_precision == DatePrecision.MONTH:
        when = when[:7]
    elif incident.date_precision == DatePrecision.YEAR:
        when = when[:4]
    return f"{when} {incident.sub_event_type or incident.event_type} at {place}"


def _host(url: str) -> str:
    m = re.match(r"^[a-z][a-z0-9+.-]*://([^/:?#]+)", url.strip(), re.IGNORECASE)
    return m.group(1).lower() if m else "source"


def bundle_objects(incidents: Iterable[Incident], ctx: ExportContext) -> Iterator[dict[str, Any]]:
    """Every object of a bundle holding ``incidents``: shared objects once, before their first
    use, then each incident's own objects."""
    seen: set[str] = set()
    for obj in header_objects().values():
        seen.add(obj["id"])
        yield obj
    for incident in incidents:
        group = incident_objects(incident, ctx)
        for sid, obj in group.shared.items():
            if sid not in seen:
                seen.add(sid)
                yield obj
        yield from group.own


def write_bundle(out: IO[bytes], objects: Iterable[dict[str, Any]]) -> int:
    """Stream a bundle to ``out``; returns the number of objects written."""
    out.write(b'{"type":"bundle","id":"bundle--' + str(uuid.uuid4()).encode() + b'","objects":[')
    n = 0
    for obj in objects:
        if n:
            out.write(b",\n")
        out.write(orjson.dumps(obj))
        n += 1
    out.write(b"]}\n")
    return n


def bundle_dict(objects: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(objects)}


# ---------------------------------------------------------------------------- import


@dataclass
class TypeReport:
    """Per STIX type: how many objects were used and why the others were skipped."""

    imported: int = 0
    skipped: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def skip(self, reason: str) -> None:
        self.skipped += 1
        self.reasons[reason] += 1


@dataclass
class ActorDraft:
    """An actor as a bundle describes it."""

    stix_id: str
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    countries: str | None = None
    description: str | None = None
    source_url: str | None = None
    parent_stix_id: str | None = None
    created: datetime | None = None
    #: the object's own marking (a MISP event's for its actors); None: unmarked
    tlp: TLP | None = None


@dataclass
class SourceDraft:
    url: str
    publisher: str | None
    title: str | None
    reliability: str = "F"


@dataclass
class IncidentDraft:
    """A report that maps onto an incident: its data, marking, producer and sources.

    ``complete`` when it carries the SafeCorridor extension with its dataset key (a record
    exported by SafeCorridor): then ``data`` validates as IncidentCreate.
    """

    stix_id: str
    modified: datetime
    created: datetime
    data: dict[str, Any]
    tlp: TLP | None
    producer: str | None
    producer_stix_id: str | None
    sources: list[SourceDraft]
    complete: bool
    name: str
    description: str | None
    confidence: float
    objects: list[dict[str, Any]]
    revoked: bool = False


@dataclass
class ParsedBundle:
    """What a bundle holds that maps onto the record, and a per-type account of the rest."""

    incidents: list[IncidentDraft] = field(default_factory=list)
    actors: dict[str, ActorDraft] = field(default_factory=dict)
    types: dict[str, TypeReport] = field(default_factory=dict)
    producers: dict[str, str] = field(default_factory=dict)  # identity id → name
    producer_created: dict[str, datetime] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # object id → why it was not kept

    def skip(self, obj: dict[str, Any], reason: str) -> None:
        self.account(obj["type"]).skip(reason)
        self.skipped[obj["id"]] = reason

    def account(self, stix_type: str) -> TypeReport:
        return self.types.setdefault(stix_type, TypeReport())

    def summary_lines(self) -> list[str]:
        lines = []
        for t in sorted(self.types):
            r = self.types[t]
            line = f"{t}: {r.imported} imported, {r.skipped} skipped"
            if r.reasons:
                line += " (" + "; ".join(f"{n} {why}" for why, n in r.reasons.most_common()) + ")"
            lines.append(line)
        return lines


SKIP_REASONS = {
    "indicator": "indicators of compromise have no place in an incident record",
    "malware": "malware is not an actor or an event of the record",
    "tool": "tools are not actors or events of the record",
    "attack-pattern": "attack patterns are not events of the record",
    "course-of-action": "courses of action are not events of the record",
    "vulnerability": "vulnerabilities are not events of the record",
    "infrastructure": "infrastructure is not an actor or an event of the record",
    "observed-data": "observations are not events of the record",
    "sighting": "sightings are not events of the record",
    "note": "notes and opinions are not kept",
    "opinion": "notes and opinions are not kept",
    "grouping": "a grouping is a context, not an event; import its reports instead",
    "incident": "STIX 2.1 incidents carry no date or place; SafeCorridor records events as reports",
    "campaign": "a campaign spans many events and has no place; its actors are kept",
    "malware-analysis": "malware analyses are not events of the record",
    "language-content": "translations are not kept",
}

#: objects that only carry references for others (markings, extension definitions)
_SCO_TYPES = frozenset(
    {
        "artifact", "autonomous-system", "directory", "domain-name", "email-addr",
        "email-message", "file", "ipv4-addr", "ipv6-addr", "mac-addr", "mutex",
        "network-traffic", "process", "software", "url", "user-account", "windows-registry-key",
        "x509-certificate",
    }
)  # fmt: skip


def _load_json(raw: bytes | str, label: str, max_bytes: int) -> Any:
    size = len(raw.encode("utf-8")) if isinstance(raw, str) else len(raw)
    if size == 0 or not raw.strip():
        raise StixImportError(f"{label}: is empty")
    if size > max_bytes:
        raise StixImportError(f"{label}: is {size:,} bytes, over the limit of {max_bytes:,}")
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise StixImportError(f"{label}: is not UTF-8 text ({exc.reason})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise StixImportError(
            f"{label}: is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise StixImportError(
            f"{label}: is not JSON this reader accepts (nested too deeply)"
        ) from None


#: the objects whose texts the reader keeps (an actor's name and aliases, a report's title),
#: and the properties STIX 2.1 makes a string, or a list of strings
_READ_TYPES = frozenset({"threat-actor", "intrusion-set", "identity", "report"})
_TEXT_PROPERTIES = ("name", "description")
_TEXT_LISTS = ("aliases",)
_REFERENCE_TEXTS = ("source_name", "description", "url")


def _kind_of_value(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _check_texts(obj: dict[str, Any], where: str) -> None:
    """Refuse an object whose name, description, aliases or source is no text.

    stix2 turns such values into strings itself (a name ["a"] becomes "['a']", aliases "abc"
    three aliases), so they would be stored as junk that every user reads in the register."""
    if obj.get("type") not in _READ_TYPES:
        return
    for name in _TEXT_PROPERTIES:
        if name in obj and not isinstance(obj[name], str):
            raise StixImportError(
                f"{where}: {name} must be a string, not {_kind_of_value(obj[name])}"
            )
    for name in _TEXT_LISTS:
        if name in obj and not (
            isinstance(obj[name], list) and all(isinstance(v, str) for v in obj[name])
        ):
            raise StixImportError(f"{where}: {name} must be a list of strings")
    refs = obj.get("external_references", [])
    if not isinstance(refs, list) or not all(isinstance(r, dict) for r in refs):
        raise StixImportError(f"{where}: external_references must be a list of objects")
    for n, ref in enumerate(refs, start=1):
        for name in _REFERENCE_TEXTS:
            if name in ref and not isinstance(ref[name], str):
                raise StixImportError(
                    f"{where}: external reference {n}: {name} must be a string, "
                    f"not {_kind_of_value(ref[name])}"
                )


def check_objects(objects: Any, label: str) -> list[dict[str, Any]]:
    """Every object parsed by stix2 (spec version 2.1), duplicates by version resolved.

    Raises StixImportError naming the first bad object.
    """
    if not isinstance(objects, list):
        raise StixImportError(f"{label}: 'objects' must be a list of STIX objects")
    latest: dict[str, dict[str, Any]] = {}
    for n, obj in enumerate(objects, start=1):
        where = f"{label}: object {n}"
        if not isinstance(obj, dict):
            raise StixImportError(f"{where} is not a JSON object")
        stype, sid = obj.get("type"), obj.get("id")
        if not isinstance(stype, str) or not isinstance(sid, str):
            raise StixImportError(f"{where} has no 'type' and 'id'")
        where = f"{label}: {sid}"
        version = obj.get("spec_version")
        if version != "2.1" and not (version is None and stype in _SCO_TYPES):
            raise StixImportError(
                f"{where}: spec_version is {version!r}; SafeCorridor reads STIX 2.1 only"
            )
        try:
            stix2.parse(obj, allow_custom=True, version="2.1")
        except (
            stix2.exceptions.STIXError,
            ValueError,
            TypeError,
            KeyError,
            AttributeError,  # stix2 reading an extension that is no object
            RecursionError,
        ) as exc:
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StixImportError(f"{where}: is not valid STIX 2.1: {message}") from None
        _check_texts(obj, where)
        ext = (obj.get("extensions") or {}).get(EXTENSION_ID)
        if ext is not None:
            if not isinstance(ext, dict):
                raise StixImportError(f"{where}: the SafeCorridor extension is not an object")
            try:
                check_properties(ext, where)
            except ExtensionError as exc:
                raise StixImportError(str(exc)) from None
        prev = latest.get(sid)
        if prev is None or str(obj.get("modified", "")) >= str(prev.get("modified", "")):
            latest[sid] = obj
    return list(latest.values())


def read_bundle(
    raw: bytes | str, *, label: str = "bundle", max_bytes: int = MAX_BUNDLE_BYTES
) -> list[dict[str, Any]]:
    """The objects of a STIX 2.1 bundle, each checked; raises StixImportError otherwise."""
    data = _load_json(raw, label, max_bytes)
    if isinstance(data, list):
        raise StixImportError(
            f"{label}: is a JSON array; a STIX 2.1 bundle is an object with type 'bundle'"
        )
    if not isinstance(data, dict) or data.get("type") != "bundle":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise StixImportError(f"{label}: is not a STIX bundle (type is {found!r}, not 'bundle')")
    if "spec_version" in data:
        raise StixImportError(
            f"{label}: has spec_version {data['spec_version']!r} on the bundle, as STIX 2.0 "
            "bundles do; SafeCorridor reads STIX 2.1 bundles only"
        )
    if not isinstance(data.get("id"), str) or not data["id"].startswith("bundle--"):
        raise StixImportError(f"{label}: the bundle's id must be 'bundle--<UUID>'")
    if "objects" not in data:
        raise StixImportError(f"{label}: the bundle has no 'objects'")
    return check_objects(data["objects"], label)


def _refs_of(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(property, id) of every reference the importer follows."""
    out: list[tuple[str, str]] = []
    if obj.get("type") == "relationship":
        out += [
            ("source_ref", obj.get("source_ref", "")),
            ("target_ref", obj.get("target_ref", "")),
        ]
    if obj.get("type") == "report":
        out += [("object_refs", r) for r in obj.get("object_refs") or []]
    ext = (obj.get("extensions") or {}).get(EXTENSION_ID) or {}
    out += [(k, ext[k]) for k in ("actor1_ref", "actor2_ref", "claimed_by_ref") if k in ext]
    out += [
        ("object_marking_refs", r)
        for r in obj.get("object_marking_refs") or []
        if r not in TLP_OF_MARKING and r not in TLP1_MARKING_IDS
    ]
    return out


def check_references(objects: list[dict[str, Any]], label: str) -> None:
    """Refuse a bundle whose followed references point at objects it does not hold."""
    ids = {o["id"] for o in objects}
    for obj in objects:
        for prop, ref in _refs_of(obj):
            if ref not in ids:
                raise StixImportError(
                    f"{label}: {obj['id']}: {prop} refers to {ref}, which is not in the bundle "
                    "(a broken reference)"
                )


def status_entry(ident: str, version: Any, message: str) -> dict[str, Any]:
    """An object's outcome as TAXII status resources list them."""
    out: dict[str, Any] = {"id": str(ident)[:300], "message": message[:1000]}
    if version:
        out["version"] = str(version)
    return out


def check_each(objects: list[Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Objects checked one by one (TAXII envelopes, feeds): the good ones, and a failure entry
    for each bad one or one that refers to a missing or failed object."""
    good: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for n, obj in enumerate(objects, start=1):
        ident = obj.get("id") if isinstance(obj, dict) else None
        version = obj.get("modified") if isinstance(obj, dict) else None
        try:
            good += check_objects([obj], f"object {n}")
        except StixImportError as exc:
            failures.append(status_entry(ident or f"object {n}", version, str(exc)))
    changed = True
    while changed:
        ids = {o["id"] for o in good}
        changed = False
        for obj in list(good):
            broken = [ref for _, ref in _refs_of(obj) if ref not in ids]
            if broken:
                good.remove(obj)
                failures.append(
                    status_entry(
                        obj["id"],
                        obj.get("modified"),
                        f"refers to {broken[0]}, which is not among the objects or failed",
                    )
                )
                changed = True
    return good, failures


def _refs_to_actors(report: dict[str, Any]) -> set[str]:
    """The ids a report refers to: its ``object_refs`` and our extension's actor refs."""
    ext = (report.get("extensions") or {}).get(EXTENSION_ID) or {}
    refs = {str(r) for r in report.get("object_refs") or []}
    return refs | {str(ext[k]) for k in ("actor1_ref", "actor2_ref", "claimed_by_ref") if k in ext}


def _is_person(
    obj: dict[str, Any], by_id: dict[str, dict[str, Any]], rels: list[dict[str, Any]]
) -> bool:
    """A threat actor attributed to an individual, or an identity of class individual."""
    if obj["type"] == "identity":
        return obj.get("identity_class") == "individual"
    for r in rels:
        if r.get("relationship_type") == "attributed-to" and r.get("source_ref") == obj["id"]:
            target = by_id.get(r.get("target_ref", ""))
            if target is not None and target.get("identity_class") == "individual":
                return True
    return False


def _kind_of(obj: dict[str, Any]) -> str:
    ext = (obj.get("extensions") or {}).get(EXTENSION_ID) or {}
    if ext.get("actor_kind"):
        return str(ext["actor_kind"])
    if obj["type"] == "identity":
        return ActorKind.CIVILIANS if obj.get("identity_class") == "class" else ActorKind.OTHER
    types = obj.get("threat_actor_types") or []
    if "nation-state" in types:
        return ActorKind.STATE_FORCE
    if "terrorist" in types:
        return ActorKind.ARMED_GROUP
    return ActorKind.OTHER


def credibility_of_confidence(confidence: Any) -> str:
    if not isinstance(confidence, int):
        return "6"
    for code, floor in (("1", 80), ("2", 60), ("3", 40), ("4", 20)):
        if confidence >= floor:
            return code
    return "5"


def interpret(objects: list[dict[str, Any]], *, label: str = "bundle") -> ParsedBundle:
    """What the (checked) objects of a bundle mean for the record; see the module doc."""
    check_references(objects, label)
    out = ParsedBundle()
    by_id = {o["id"]: o for o in objects}
    rels = [o for o in objects if o["type"] == "relationship"]
    # who produced what: identities named by created_by_ref
    creators = {o.get("created_by_ref") for o in objects if o.get("created_by_ref")}
    for o in objects:
        if o["type"] == "identity" and o["id"] in creators:
            out.producers[o["id"]] = str(o.get("name", ""))
            if o.get("created"):
                out.producer_created[o["id"]] = parse_timestamp(o["created"])
    # actors referenced as actors by our extension, and every threat actor / intrusion set
    ext_actor_refs: set[str] = set()
    targets_by_id: dict[str, str] = {}
    for o in objects:
        ext = (o.get("extensions") or {}).get(EXTENSION_ID) or {}
        ext_actor_refs.update(
            ext[k] for k in ("actor1_ref", "actor2_ref", "claimed_by_ref") if k in ext
        )
        if o["type"] == "identity" and ext.get("target_category"):
            targets_by_id[o["id"]] = str(ext["target_category"])
    for o in objects:
        t = o["type"]
        if t not in ("threat-actor", "intrusion-set", "identity"):
            continue
        own = (o.get("extensions") or {}).get(EXTENSION_ID) or {}
        if t == "identity" and o["id"] not in ext_actor_refs and "actor_kind" not in own:
            continue
        if _is_person(o, by_id, rels) or not str(o.get("name", "")).strip():
            continue
        ext = (o.get("extensions") or {}).get(EXTENSION_ID) or {}
        aliases = [str(a) for a in (o.get("aliases") or ext.get("aliases") or [])]
        url = next((r.get("url") for r in o.get("external_references") or [] if r.get("url")), None)
        out.actors[o["id"]] = ActorDraft(
            stix_id=o["id"],
            name=str(o["name"]).strip(),
            kind=_kind_of(o),
            aliases=aliases,
            countries=ext.get("countries"),
            description=o.get("description"),
            source_url=url,
            created=parse_timestamp(o["created"]) if o.get("created") else None,
            tlp=tlp_of_refs(o.get("object_marking_refs")),
        )
    # an actor with no marking of its own is told under the markings of the reports that
    # refer to it, and takes the strictest (a RED report's unmarked threat actor is no CLEAR
    # one); one no report refers to, the strictest of the bundle's reports
    reports = [o for o in objects if o["type"] == "report"]
    every = [r for o in reports for r in o.get("object_marking_refs") or []]
    for told in out.actors.values():
        if told.tlp is None:
            citing = [o for o in reports if told.stix_id in _refs_to_actors(o)]
            told.tlp = tlp_of_refs(
                [r for o in citing for r in o.get("object_marking_refs") or []] if citing else every
            )
    # unit → parent: attributed-to an organisation-level actor (exactly one), or our related-to
    for r in rels:
        src, tgt = r.get("source_ref", ""), r.get("target_ref", "")
        if src in out.actors and tgt in out.actors and src != tgt:
            is_unit = r.get("relationship_type") == "attributed-to" or (
                r.get("relationship_type") == "related-to"
                and str(r.get("description", "")).find(" is a unit of ") > 0
            )
            if is_unit:
                a = out.actors[src]
                a.parent_stix_id = None if a.parent_stix_id not in (None, tgt) else tgt
    parents: Counter[str] = Counter(
        r["source_ref"]
        for r in rels
        if r.get("relationship_type") == "attributed-to"
        and r.get("source_ref") in out.actors
        and r.get("target_ref") in out.actors
    )
    for src, n in parents.items():
        if n > 1 and (src in out.actors):
            out.actors[src].parent_stix_id = None  # attributed to several: no single parent
    # account for every object
    used_relationship_ids: set[str] = set()
    for o in objects:
        if o["type"] == "report":
            draft, reason = _report_draft(o, by_id, out, targets_by_id, rels)
            if draft is None:
                out.skip(o, reason)
            else:
                out.incidents.append(draft)
                out.account("report").imported += 1
                used_relationship_ids.update(
                    x["id"] for x in draft.objects if x["type"] == "relationship"
                )
    located = {x["id"] for d in out.incidents for x in d.objects if x["type"] == "location"}
    for o in objects:
        t, acct = o["type"], out.account(o["type"])
        if t == "report":
            continue
        if t in ("threat-actor", "intrusion-set"):
            if o["id"] in out.actors:
                acct.imported += 1
            else:
                out.skip(
                    o,
                    "describes a person (attributed to an individual); the record keeps "
                    "organisations and categories only",
                )
        elif t == "identity":
            if o["id"] in out.actors or o["id"] in targets_by_id:
                acct.imported += 1
            elif o.get("identity_class") == "individual":
                out.skip(o, "an individual; the record keeps organisations and categories only")
            elif o["id"] in out.producers:
                acct.imported += 1  # the producer: the publisher of its reports
            else:
                out.skip(
                    o, "an identity that is neither an actor, a target category nor a producer"
                )
        elif t == "location":
            if o["id"] in located:
                acct.imported += 1
            else:
                out.skip(o, "not the place of an imported report")
        elif t == "relationship":
            if o["id"] in used_relationship_ids or (
                o.get("source_ref") in out.actors and o.get("target_ref") in out.actors
            ):
                acct.imported += 1
            else:
                out.skip(o, "between objects the record does not keep")
        elif t == "marking-definition":
            if o["id"] in TLP_OF_MARKING or o["id"] in TLP1_MARKING_IDS:
                acct.imported += 1
            else:
                out.skip(o, "not a TLP marking; objects marked only by it are read as unmarked")
        elif t == "extension-definition":
            if o["id"] == EXTENSION_ID:
                acct.imported += 1
            else:
                out.skip(o, "an extension SafeCorridor does not know; its properties are ignored")
        elif t in _SCO_TYPES:
            out.skip(o, "cyber observables have no place in an incident record")
        else:
            out.skip(o, SKIP_REASONS.get(t, "a type SafeCorridor does not map"))
    return out


def _report_draft(
    report: dict[str, Any],
    by_id: dict[str, dict[str, Any]],
    parsed: ParsedBundle,
    targets_by_id: dict[str, str],
    rels: list[dict[str, Any]],
) -> tuple[IncidentDraft | None, str]:
    refs = [by_id[r] for r in report.get("object_refs") or [] if r in by_id]
    ext = (report.get("extensions") or {}).get(EXTENSION_ID)
    locations = [o for o in refs if o["type"] == "location"]
    place = next((o for o in locations if "latitude" in o and "longitude" in o), None)
    if place is None:
        why = "has no location with coordinates" if locations else "has no location"
        return None, f"{why} among its objects (a record needs a place)"
    revoked = bool(report.get("revoked"))
    data: dict[str, Any] = {
        "latitude": float(place["latitude"]),
        "longitude": float(place["longitude"]),
        "location": place.get("name") or place.get("city"),
        "admin1": place.get("administrative_area"),
        "country": country_name(place.get("country")),
        "notes": report.get("description"),
        "credibility": credibility_of_confidence(report.get("confidence")),
    }
    precision = place.get("precision")
    if isinstance(precision, int | float):
        data["geo_precision"] = 1 if precision <= 10_000 else 2 if precision <= 50_000 else 3
    published = parse_timestamp(report["published"])
    data["event_date"] = published.date()
    data["date_precision"] = DatePrecision.DAY
    # actors: our extension names their roles; otherwise the threat actors the report holds
    actor_ids = [o["id"] for o in refs if o["id"] in parsed.actors]
    if ext:
        for role in ("actor1", "actor2", "claimed_by"):
            ref = ext.get(f"{role}_ref")
            data[role] = parsed.actors[ref].name if ref in parsed.actors else None
    else:
        perpetrators = [i for i in actor_ids if by_id[i]["type"] != "identity"]
        data["actor1"] = parsed.actors[perpetrators[0]].name if perpetrators else None
    categories = [targets_by_id[o["id"]] for o in refs if o["id"] in targets_by_id]
    if categories:
        data["target_category"] = ",".join(dict.fromkeys(categories))
    sources: list[SourceDraft] = []
    reliability = {
        str(x["url"]): str(x["reliability"]) for x in (ext or {}).get("source_reliability", [])
    }
    for ref in report.get("external_references") or []:
        url = ref.get("url")
        if url:
            sources.append(
                SourceDraft(
                    url=str(url),
                    publisher=ref.get("source_name"),
                    title=ref.get("description"),
                    reliability=reliability.get(str(url), "F"),
                )
            )
    data["source_urls"] = [s.url for s in sources]
    complete = False
    if ext:
        # the extension holds these exactly; the native properties only approximate them
        for name in ("country", "admin1"):
            data[name] = ext.get(name)
        data["geo_precision"] = ext.get("geo_precision", 1)
        data["credibility"] = ext.get("credibility", "6")
        for name, value in ext.items():
            if name in (
                "extension_type",
                "target_categories",
                "source_reliability",
            ) or name.endswith("_ref"):
                continue
            if name == "extra":
                try:
                    data["extra"] = json.loads(value)
                except json.JSONDecodeError:
                    data["extra"] = {"stix_extra": value}
                continue
            if name == "event_date":
                data["event_date"] = date.fromisoformat(value)
                continue
            data[name] = value
        if "target_categories" in ext:
            data["target_category"] = ",".join(ext["target_categories"]) or None
        complete = "source_dataset" in ext and "source_key" in ext and "event_type" in ext
    tlp = tlp_of_refs(report.get("object_marking_refs"))
    group_ids = {report["id"], place["id"], *actor_ids}
    group = [report, place, *(o for o in refs if o["id"] != place["id"])]
    group += [
        r
        for r in rels
        if r["id"] not in {x["id"] for x in group}
        and {r.get("source_ref"), r.get("target_ref")} <= group_ids | {o["id"] for o in refs}
    ]
    creator = report.get("created_by_ref")
    confidence = report.get("confidence")
    return (
        IncidentDraft(
            stix_id=report["id"],
            modified=parse_timestamp(report.get("modified", report["published"])),
            created=parse_timestamp(report.get("created", report["published"])),
            data=data,
            tlp=tlp,
            producer=parsed.producers.get(creator or "")
            or (PRODUCER_NAME if creator == PRODUCER_IDENTITY_ID else None),
            producer_stix_id=creator,
            sources=sources,
            complete=complete,
            name=str(report.get("name", "")),
            description=report.get("description"),
            confidence=(confidence / 100 if isinstance(confidence, int) else 0.5),
            objects=group,
            revoked=revoked,
        ),
        "",
    )


def parse_bundle(
    raw: bytes | str, *, label: str = "bundle", max_bytes: int = MAX_BUNDLE_BYTES
) -> ParsedBundle:
    """Read, check and interpret a bundle; raises StixImportError when it cannot be read."""
    return interpret(read_bundle(raw, label=label, max_bytes=max_bytes), label=label)
