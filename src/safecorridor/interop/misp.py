"""MISP event JSON both ways, built and read with ``pymisp``.

One MISP event per incident, not per period: an event is MISP's unit of sharing (its
distribution, its TLP tag, its creating organisation and its publication apply to the whole
event), so one incident per event keeps each record's marking and owner exact; a period's
event would have to carry the strictest marking of its incidents and one owner. MISP feeds
and synchronisation also work per event uuid, so a corrected incident updates one event. The
event's uuid is the uuid of the incident's STIX report, so the two exports name the same thing
(a ``misp-stix`` conversion of the MISP export gives reports with our report ids).

MISP's own vocabularies where they fit:

- the place: a ``geolocation`` object (latitude, longitude, city, region, country,
  countrycode, accuracy-radius from the geo precision);
- the targets: one ``victim`` object per target category (classification ``class``);
- the actors: ``threat-actor`` attributes (category Attribution) tagged with their role, and a
  galaxy cluster of MISP's ``threat-actor`` galaxy for each armed group or unit (value,
  synonyms from the aliases, tag ``misp-galaxy:threat-actor="..."``: an instance that has a
  cluster of that name links it);
- the sources: ``link`` attributes (title as comment, publisher and Admiralty reliability as
  tags);
- the marking: the ``tlp`` taxonomy (``tlp:amber+strict`` ...), the event's distribution
  derived from it; information credibility: the ``admiralty-scale`` taxonomy;
- the narrative: an ``annotation`` object; the date: the event date.

MISP has no field for the rest of the record (ACLED type and coding, casualty counts and their
foreign breakdown, date and geo precision, second-level areas, the dataset key): it travels as
one ``text`` attribute holding a JSON object (comment ``SafeCorridor record``), which MISP
stores and shows but cannot search by field. What MISP cannot hold at all is listed in
docs/interop.md (record history, RED readers, partner lists, document texts).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from pymisp import MISPAttribute, MISPEvent, MISPObject, MISPOrganisation
from pymisp.exceptions import PyMISPError

from safecorridor import taxonomy
from safecorridor.incidents.models import Incident
from safecorridor.interop.extension import PRODUCER_IDENTITY_ID, PRODUCER_NAME, object_id
from safecorridor.interop.markings import MISP_TAGS, tlp_of_misp_tags
from safecorridor.interop.stix import (
    ActorDraft,
    ExportContext,
    IncidentDraft,
    SourceDraft,
    StixImportError,
    actor_object_id,
    country_code,
    country_name,
    incident_key,
    org_identity_id,
    report_name,
)
from safecorridor.taxonomy.choices import TLP, DatePrecision
from safecorridor.validation import LAST_YEAR

RECORD_COMMENT = "SafeCorridor record"
ROLE_TAG = 'safecorridor:actor-role="{role}"'
PUBLISHER_TAG = 'safecorridor:publisher="{name}"'
ACCURACY_KM = {1: 5.0, 2: 25.0, 3: 150.0}
DISTRIBUTION = {TLP.CLEAR: 3, TLP.GREEN: 1, TLP.AMBER: 0, TLP.AMBER_STRICT: 0, TLP.RED: 0}
#: record fields MISP has no place for: carried in the SafeCorridor record attribute
RECORD_FIELDS = (
    "date_precision",
    "event_type",
    "sub_event_type",
    "disorder_type",
    "assoc_actor_1",
    "assoc_actor_2",
    "inter1",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "admin2",
    "admin3",
    "geo_precision",
    "fatalities",
    "foreign_fatalities",
    "foreign_nationality",
    "injured",
    "abducted",
    "source",
    "source_scale",
    "tags",
    "source_dataset",
    "source_key",
    "extra",
    "target_category",
)
MAX_MISP_BYTES = 200_000_000


def _uuid_of(stix_id: str) -> str:
    return stix_id.split("--", 1)[1]


def _quote(value: str) -> str:
    return value.replace('"', "'")


def event_uuid(dataset: str, key: str) -> str:
    """The MISP event uuid of an incident: its STIX report's uuid."""
    return _uuid_of(object_id("report", incident_key(dataset, key)))


def event_of(incident: Incident, ctx: ExportContext) -> MISPEvent:
    """The MISP event of one incident (see the module doc)."""
    key = incident_key(incident.source_dataset, incident.source_key)
    tlp = TLP(incident.tlp)
    ev = MISPEvent()
    ev.uuid = event_uuid(incident.source_dataset, incident.source_key)
    ev.info = report_name(incident)
    ev.date = incident.event_date
    ev.analysis = 2
    fatal = incident.fatalities or 0
    ev.threat_level_id = 1 if (incident.foreign_fatalities or fatal >= 10) else 2 if fatal else 3
    ev.distribution = DISTRIBUTION[tlp]
    ev.published = True
    modified = max(incident.updated_at, incident.created_at).replace(tzinfo=UTC)
    ev.timestamp = modified
    ev.publish_timestamp = modified
    org = MISPOrganisation()
    if incident.owner_org_id is not None and incident.owner_org_id in ctx.organisations:
        name = ctx.organisations[incident.owner_org_id][0]
        org.name, org.uuid = name, _uuid_of(org_identity_id(name))
    else:
        org.name, org.uuid = PRODUCER_NAME, _uuid_of(PRODUCER_IDENTITY_ID)
    ev.Orgc = org
    ev.add_tag(MISP_TAGS[tlp])
    ev.add_tag(f'admiralty-scale:information-credibility="{incident.credibility}"')

    geo = MISPObject("geolocation", standalone=False)
    geo.add_attribute("latitude", value=incident.latitude)
    geo.add_attribute("longitude", value=incident.longitude)
    geo.add_attribute("accuracy-radius", value=ACCURACY_KM.get(incident.geo_precision, 5.0))
    if incident.location:
        geo.add_attribute("city", value=incident.location)
    if incident.admin1:
        geo.add_attribute("region", value=incident.admin1)
    if incident.country:
        geo.add_attribute("country", value=incident.country)
    code = country_code(incident.country, incident.iso)
    if code:
        geo.add_attribute("countrycode", value=code)
    ev.add_object(geo)

    categories = [c for c in (incident.target_category or "").split(",") if c]
    labels = taxonomy.target_categories()
    for cat in categories:
        victim = MISPObject("victim", standalone=False)
        victim.add_attribute("name", value=labels.get(cat, cat).split(" (")[0])
        victim.add_attribute("classification", value="class")
        victim.add_attribute("description", value=cat)
        ev.add_object(victim)

    roles: dict[int, list[str]] = {}
    for role, actor_id in (
        ("actor1", incident.actor1_id),
        ("actor2", incident.actor2_id),
        ("claimed_by", incident.claimed_by_id),
    ):
        if actor_id is not None and actor_id in ctx.actors:
            roles.setdefault(actor_id, []).append(role)
    galaxy = None
    for actor_id, actor_roles in roles.items():
        info = ctx.actors[actor_id]
        attr = ev.add_attribute(
            "threat-actor", info.name, category="Attribution", comment=", ".join(info.aliases)
        )
        assert not isinstance(attr, list)
        for role in actor_roles:
            attr.add_tag(ROLE_TAG.format(role=role))
        if info.stix_type != "identity":
            if galaxy is None:
                galaxy = ev.add_galaxy(type="threat-actor", name="Threat Actor")
            for member in ctx.actor_chain(actor_id):
                tag = f'misp-galaxy:threat-actor="{_quote(member.name)}"'
                if any(c.tag_name == tag for c in galaxy.clusters):
                    continue
                cluster = galaxy.add_galaxy_cluster(
                    value=member.name,
                    tag_name=tag,
                    type="threat-actor",
                    uuid=_uuid_of(actor_object_id(member)),
                    description=member.description or member.name,
                )
                for alias in member.aliases:
                    cluster.add_cluster_element(key="synonyms", value=alias)
                cluster.add_cluster_element(key="kind", value=member.kind)
                if member.countries:
                    cluster.add_cluster_element(key="country", value=member.countries)
                if member.parent_id is not None and member.parent_id in ctx.actors:
                    cluster.add_cluster_element(
                        key="parent", value=ctx.actors[member.parent_id].name
                    )
    for doc in incident.documents:
        if not doc.url:
            continue
        link = ev.add_attribute(
            "link", doc.url, category="External analysis", comment=doc.title or ""
        )
        assert not isinstance(link, list)
        link.add_tag(f'admiralty-scale:source-reliability="{(doc.reliability or "F").lower()}"')
        if doc.publisher:
            link.add_tag(PUBLISHER_TAG.format(name=_quote(doc.publisher)))
    if incident.notes:
        note = MISPObject("annotation", standalone=False)
        note.add_attribute("text", value=incident.notes)
        note.add_attribute("type", value="Executive Summary")
        ev.add_object(note)
    record: dict[str, Any] = {
        name: getattr(incident, name)
        for name in RECORD_FIELDS
        if getattr(incident, name) not in (None, "", {}, [])
    }
    record["record_created"] = incident.created_at.isoformat()
    record["record_modified"] = max(incident.updated_at, incident.created_at).isoformat()
    ev.add_attribute(
        "text",
        json.dumps(record, sort_keys=True, ensure_ascii=False),
        category="Other",
        comment=RECORD_COMMENT,
        distribution=5,
    )
    # stable uuids (MISP synchronises attributes and objects by uuid) and the record's own
    # timestamps, kept in the JSON (PyMISP leaves an edited object's out unless forced): a
    # feed's bookmark and MISP's sync read them
    ev.force_timestamp = True
    for n, attr in enumerate(ev.attributes):
        attr.uuid = _uuid_of(object_id("misp", f"{key}|attribute|{n}"))
        attr.timestamp = modified
        attr.force_timestamp = True
    for n, obj in enumerate(ev.objects):
        obj.uuid = _uuid_of(object_id("misp", f"{key}|object|{n}"))
        obj.timestamp = modified
        obj.force_timestamp = True
        for m, attr in enumerate(obj.attributes):
            attr.uuid = _uuid_of(object_id("misp", f"{key}|object|{n}|{m}"))
            attr.timestamp = modified
            attr.force_timestamp = True
    return ev


def events_json(incidents: Iterable[Incident], ctx: ExportContext) -> Iterable[str]:
    """Each incident's event as MISP JSON (``{"Event": {...}}``), one string per event."""
    for incident in incidents:
        yield '{"Event": ' + event_of(incident, ctx).to_json() + "}"


def write_events(out: Any, incidents: Iterable[Incident], ctx: ExportContext) -> int:
    """Write ``{"response": [{"Event": ...}, ...]}`` (the shape of MISP's own JSON export)."""
    out.write('{"response": [')
    n = 0
    for text in events_json(incidents, ctx):
        if n:
            out.write(",\n")
        out.write(text)
        n += 1
    out.write("]}\n")
    return n


# ---------------------------------------------------------------------------- import


def read_events(
    raw: bytes | str, *, label: str = "MISP JSON", max_bytes: int = MAX_MISP_BYTES
) -> list[MISPEvent]:
    """The events of a MISP JSON document: ``{"Event": ...}``, a list of those, or MISP's
    ``{"response": [...]}``; each loaded by pymisp. Raises StixImportError naming the problem."""
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8"))
    if size == 0:
        raise StixImportError(f"{label}: is empty")
    if size > max_bytes:
        raise StixImportError(f"{label}: is {size:,} bytes, over the limit of {max_bytes:,}")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StixImportError(f"{label}: is not JSON ({exc})") from None
    except RecursionError:
        raise StixImportError(f"{label}: is JSON nested too deeply") from None
    if isinstance(data, dict) and "response" in data:
        data = data["response"]
    items = data if isinstance(data, list) else [data]
    events = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("Event"), dict):
            raise StixImportError(f"{label}: item {n} is not a MISP event ({{'Event': {{...}}}})")
        _check_shape(item["Event"], f"{label}: event {n}")
        ev = MISPEvent()
        try:
            ev.load(item)
        # OSError, OverflowError: a time out of the platform's range (a first_seen of
        # 99999999999999999), which Python's datetime refuses that way
        except (PyMISPError, ValueError, TypeError, KeyError, OSError, OverflowError) as exc:
            raise StixImportError(
                f"{label}: event {n} cannot be read by pymisp: {_reason(exc)}"
            ) from None
        if not getattr(ev, "uuid", None) or not getattr(ev, "info", None):
            raise StixImportError(f"{label}: event {n} has no uuid or no info")
        events.append(ev)
    return events


_SPACE = re.compile(r"\s+")


def _reason(exc: Exception) -> str:
    """pymisp's or Python's message on one line, cut at 200 characters."""
    reason = _SPACE.sub(" ", str(exc))
    return reason if len(reason) <= 200 else reason[:200] + "..."


#: the attribute types an event may carry (MISP's own list, as pymisp knows it)
_TYPES = frozenset(MISPAttribute().known_types)
#: the times a part of an event gives as Unix seconds (pymisp reads each with
#: ``datetime.fromtimestamp``, which fails on one out of range with OSError or OverflowError)
_TIMESTAMPS = ("timestamp", "publish_timestamp", "sighting_timestamp")
#: the latest of them read: the end of validation.LAST_YEAR, as for every day of the record
_LAST_TIMESTAMP = int(datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC).timestamp()) - 1


def _check_timestamps(part: dict[str, Any], where: str) -> None:
    """Refuse a timestamp that is not a whole number of seconds from 1970 to LAST_YEAR (an
    empty one pymisp leaves out, as do we)."""
    for key in _TIMESTAMPS:
        value = part.get(key)
        if value in (None, ""):
            continue
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not (isinstance(text, str) and text.isascii() and text.isdigit()):
            raise StixImportError(f"{where}: {key} must be a Unix time in whole seconds")
        if len(text.lstrip("0")) > len(str(_LAST_TIMESTAMP)) or int(text) > _LAST_TIMESTAMP:
            raise StixImportError(
                f"{where}: {key} {text[:30]} is not a Unix time between 1970 and {LAST_YEAR}"
            )


def _check_text(part: dict[str, Any], key: str, where: str) -> None:
    """Refuse ``part[key]`` unless it is text (or absent, or null)."""
    value = part.get(key)
    if value is not None and not isinstance(value, str):
        raise StixImportError(f"{where}: {key} must be a string")


def _check_attributes(items: Any, where: str) -> None:
    if not isinstance(items, list):
        raise StixImportError(f"{where}: Attribute must be a list of objects")
    for i, attr in enumerate(items, start=1):
        if not isinstance(attr, dict):
            raise StixImportError(f"{where}: attribute {i} is not an object")
        kind = attr.get("type")
        if not isinstance(kind, str) or not kind:
            raise StixImportError(f"{where}: attribute {i} has no type")
        if kind not in _TYPES:
            raise StixImportError(
                f"{where}: attribute {i} has the type {kind[:60]!r}, which MISP does not know"
            )
        if "value" not in attr:
            raise StixImportError(f"{where}: attribute {i} has no value")
        here = f"{where}: attribute {i}"
        _check_value(attr["value"], kind, here)
        _check_text(attr, "comment", here)
        _check_timestamps(attr, here)
        _check_tags(attr.get("Tag", []), here)


def _check_value(value: Any, kind: str, where: str) -> None:
    """An attribute's value is text or a number (a flag); a threat actor's is its name, text
    only (a list or a number would be stored as the name "['a']" or "5")."""
    if isinstance(value, str) or (isinstance(value, int | float) and kind != "threat-actor"):
        return
    raise StixImportError(f"{where}: its value must be a string, not {_kind(value)}")


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _check_organisation(event: dict[str, Any], where: str) -> None:
    """The creating organisation (``Orgc``) and owner (``Org``): objects whose name and uuid
    are text (a list as the name became a candidate document's publisher)."""
    for key in ("Orgc", "Org"):
        if key not in event:
            continue
        org = event[key]
        if not isinstance(org, dict):
            raise StixImportError(f"{where}: {key} must be an object")
        for name in ("name", "uuid"):
            _check_text(org, name, f"{where}: {key}")


def _check_galaxies(galaxies: Any, where: str) -> None:
    """Galaxies, their clusters and elements: what actors are read from, so text where the
    actor's name, aliases, kind, country or parent is."""
    if not isinstance(galaxies, list) or not all(isinstance(g, dict) for g in galaxies):
        raise StixImportError(f"{where}: Galaxy must be a list of objects")
    for i, galaxy in enumerate(galaxies, start=1):
        clusters = galaxy.get("GalaxyCluster", [])
        if not isinstance(clusters, list) or not all(isinstance(c, dict) for c in clusters):
            raise StixImportError(f"{where}: galaxy {i}: GalaxyCluster must be a list of objects")
        for j, cluster in enumerate(clusters, start=1):
            here = f"{where}: galaxy {i}, cluster {j}"
            for name in ("type", "value", "uuid", "description", "tag_name"):
                _check_text(cluster, name, here)
            elements = cluster.get("GalaxyElement", [])
            if not isinstance(elements, list) or not all(isinstance(e, dict) for e in elements):
                raise StixImportError(f"{here}: GalaxyElement must be a list of objects")
            for k, element in enumerate(elements, start=1):
                for name in ("key", "value"):
                    if not isinstance(element.get(name), str):
                        raise StixImportError(f"{here}, element {k}: {name} must be a string")


def _check_shape(event: dict[str, Any], where: str) -> None:
    """Refuse, naming the part, an event whose parts are not of MISP's shapes, before pymisp
    reads it (whose own messages name its methods, or list every attribute type)."""
    for key in ("info", "uuid", "date"):
        if key in event and not isinstance(event[key], str):
            raise StixImportError(f"{where}: {key} must be a string")
    _check_timestamps(event, where)
    _check_organisation(event, where)
    _check_attributes(event.get("Attribute", []), where)
    objects = event.get("Object", [])
    if not isinstance(objects, list) or not all(isinstance(o, dict) for o in objects):
        raise StixImportError(f"{where}: Object must be a list of objects")
    for i, obj in enumerate(objects, start=1):
        _check_timestamps(obj, f"{where}, object {i}")
        _check_attributes(obj.get("Attribute", []), f"{where}, object {i}")
    _check_galaxies(event.get("Galaxy", []), where)
    _check_tags(event.get("Tag", []), where)


def _check_tags(tags: Any, where: str) -> None:
    if not isinstance(tags, list) or not all(
        isinstance(t, str) or (isinstance(t, dict) and isinstance(t.get("name"), str)) for t in tags
    ):
        raise StixImportError(
            f"{where}: Tag must be a list of tags, each a name or {{'name': ...}}"
        )


def _tags(entity: Any) -> list[str]:
    return [t.name for t in getattr(entity, "tags", []) or [] if getattr(t, "name", None)]


def _tag_value(tags: list[str], prefix: str) -> str | None:
    for t in tags:
        if t.lower().startswith(prefix):
            m = re.search(r'="?([^"]*)"?$', t)
            if m:
                return m.group(1)
    return None


def _first(obj: MISPObject, relation: str) -> Any:
    for a in obj.attributes:
        if a.object_relation == relation:
            return a.value
    return None


def draft_of(ev: MISPEvent) -> IncidentDraft | None:
    """The incident an event describes, or None when it has no place (no geolocation with
    coordinates). Our record attribute, when present, completes what MISP has no place for.
    A value of the wrong form (a latitude "abc", a timestamp that is no date) raises
    StixImportError naming the event."""
    try:
        return _draft_of(ev)
    except (ValueError, TypeError, OverflowError, AttributeError) as exc:
        raise StixImportError(f"event {getattr(ev, 'uuid', '?')}: a value {_reason(exc)}") from None


def _number(value: Any, what: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"of its geolocation, {what} {str(value)[:60]!r}, is no number") from None


def _stamp(value: Any, what: str) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"of its record, {what} {str(value)[:60]!r}, is no ISO time") from None


def _draft_of(ev: MISPEvent) -> IncidentDraft | None:
    geo = next(
        (o for o in ev.objects if o.name == "geolocation" and _first(o, "latitude") is not None),
        None,
    )
    if geo is None or _first(geo, "longitude") is None:
        return None
    tags = _tags(ev)
    day = ev.date if isinstance(ev.date, date) else date.fromisoformat(str(ev.date)[:10])
    data: dict[str, Any] = {
        "event_date": day,
        "latitude": _number(_first(geo, "latitude"), "latitude"),
        "longitude": _number(_first(geo, "longitude"), "longitude"),
        "location": _first(geo, "city") or _first(geo, "text"),
        "admin1": _first(geo, "region"),
        "country": _first(geo, "country") or country_name(_first(geo, "countrycode")),
        "credibility": _tag_value(tags, "admiralty-scale:information-credibility") or "6",
        "date_precision": DatePrecision.DAY,
    }
    radius = _first(geo, "accuracy-radius")
    if radius is not None:
        km = _number(radius, "accuracy-radius")
        data["geo_precision"] = 1 if km <= 10 else 2 if km <= 50 else 3
    victims = [o for o in ev.objects if o.name == "victim"]
    known = taxonomy.target_categories()
    cats = [str(_first(v, "description")) for v in victims if _first(v, "description") in known]
    if cats:
        data["target_category"] = ",".join(cats)
    notes = next((o for o in ev.objects if o.name == "annotation"), None)
    if notes is not None:
        data["notes"] = _first(notes, "text")
    sources = []
    record: dict[str, Any] | None = None
    for attr in ev.attributes:
        if attr.type == "threat-actor":
            roles = [_tag_value([t], "safecorridor:actor-role") for t in _tags(attr)]
            for role in [r for r in roles if r] or (["actor1"] if "actor1" not in data else []):
                if role in ("actor1", "actor2", "claimed_by"):
                    data[role] = str(attr.value)
        elif attr.type == "link":
            atags = _tags(attr)
            rel = (_tag_value(atags, "admiralty-scale:source-reliability") or "f").upper()
            sources.append(
                SourceDraft(
                    url=str(attr.value),
                    publisher=_tag_value(atags, "safecorridor:publisher"),
                    title=attr.comment or None,
                    reliability=rel if rel in "ABCDEF" else "F",
                )
            )
        elif attr.type == "text" and attr.comment == RECORD_COMMENT:
            try:
                loaded = json.loads(attr.value)
            except (json.JSONDecodeError, RecursionError):
                raise StixImportError(
                    f"event {ev.uuid}: its {RECORD_COMMENT} attribute is not JSON"
                ) from None
            if not isinstance(loaded, dict):
                raise StixImportError(
                    f"event {ev.uuid}: its {RECORD_COMMENT} attribute is not an object"
                )
            record = loaded
    data["source_urls"] = [s.url for s in sources]
    ts = getattr(ev, "timestamp", None)
    modified = (
        ts.astimezone(UTC).replace(tzinfo=None)
        if isinstance(ts, datetime)
        else datetime.combine(day, datetime.min.time())
    )
    created = modified
    complete = False
    if record is not None:
        unknown = set(record) - set(RECORD_FIELDS) - {"record_created", "record_modified"}
        if unknown:
            raise StixImportError(
                f"event {ev.uuid}: unknown field(s) in its {RECORD_COMMENT}: "
                + ", ".join(sorted(unknown))
            )
        data["country"] = _first(geo, "country")  # as written; countrycode only approximates
        for name in RECORD_FIELDS:
            if name in record:
                data[name] = record[name]
        if record.get("record_created"):
            created = _stamp(record["record_created"], "record_created")
        if record.get("record_modified"):
            modified = _stamp(record["record_modified"], "record_modified")
        complete = all(k in record for k in ("source_dataset", "source_key", "event_type"))
    org = getattr(ev, "Orgc", None)
    org_name = getattr(org, "name", None) if org is not None else None
    org_uuid = getattr(org, "uuid", None) if org is not None else None
    producer_id = (
        PRODUCER_IDENTITY_ID
        if org_uuid == _uuid_of(PRODUCER_IDENTITY_ID)
        else f"identity--{org_uuid}"
        if org_uuid
        else None
    )
    return IncidentDraft(
        stix_id=str(ev.uuid),
        modified=modified,
        created=created,
        data=data,
        tlp=tlp_of_misp_tags(tags),
        producer=org_name,
        producer_stix_id=producer_id,
        sources=sources,
        complete=complete,
        name=str(ev.info),
        description=data.get("notes"),
        confidence=0.5,
        objects=[ev.to_dict()],
    )


def _cluster_key(cluster: Any, value: str) -> str:
    """The key of a cluster's actor among the event's: its uuid, or, for a cluster that has
    none (MISP gives every cluster one, a hand-made event may not), its value; a key only
    within this intake (actors are matched by name)."""
    uuid = getattr(cluster, "uuid", None)
    return f"threat-actor--{uuid}" if uuid else f"misp-galaxy-cluster--{value}"


def actors_of(ev: MISPEvent) -> dict[str, ActorDraft]:
    """The actors an event names: its threat-actor galaxy clusters (with synonyms, kind and
    parent) and its threat-actor attributes (aliases in the comment), each with the event's
    marking."""
    out: dict[str, ActorDraft] = {}
    by_name: dict[str, str] = {}
    parents: dict[str, str] = {}
    for galaxy in getattr(ev, "galaxies", []) or []:
        if getattr(galaxy, "type", None) != "threat-actor":
            continue
        for cluster in galaxy.clusters:
            value = str(getattr(cluster, "value", "") or "").strip()
            if not value:
                continue
            elements: dict[str, list[str]] = {}
            for el in cluster.cluster_elements:
                elements.setdefault(str(el.key), []).append(str(el.value))
            sid = _cluster_key(cluster, value)
            kind = (elements.get("kind") or ["armed_group"])[0]
            out[sid] = ActorDraft(
                stix_id=sid,
                name=value,
                kind=kind,
                aliases=elements.get("synonyms", []),
                countries=next(iter(elements.get("country", [])), None),
                description=getattr(cluster, "description", None)
                if getattr(cluster, "description", None) != value
                else None,
            )
            by_name[value] = sid
            if elements.get("parent"):
                parents[sid] = elements["parent"][0]
    for sid, parent in parents.items():
        out[sid].parent_stix_id = by_name.get(parent)
    for attr in ev.attributes:
        if attr.type == "threat-actor" and str(attr.value) not in by_name:
            name = str(attr.value).strip()
            aliases = [a.strip() for a in (attr.comment or "").split(", ") if a.strip()]
            out[f"misp-attribute--{attr.uuid}"] = ActorDraft(
                stix_id=f"misp-attribute--{attr.uuid}", name=name, kind="other", aliases=aliases
            )
            by_name[name] = f"misp-attribute--{attr.uuid}"
    marking = tlp_of_misp_tags(_tags(ev))  # the event's: what it names is its content
    for draft in out.values():
        draft.tlp = marking
    return out
