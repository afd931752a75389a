"""The TAXII 2.1 server's logic, independent of HTTP: collections, envelopes, manifests, status.

Collections are sharing scopes, computed per reader: ``clear``, ``green``, ``partners-amber``
(the AMBER records the reader may read: its organisation's and those of organisations that
list it as a partner), one ``amber-strict-<organisation>`` for the reader's own organisation,
``red`` (the RED records the reader was named a reader of), and ``inbox``, a write-only
collection whose envelopes become review candidates. Every read goes through
``incidents.service.filtered_query`` with the reader as viewer, so a collection holds exactly
the records its reader may read, whatever its scope says.

A collection's objects are those of its incidents, in the order of ``date_added`` (the
incident's ``updated_at``: a changed incident is a new version, added again) and id. Objects
that several incidents share (organisation identities, actors, target categories, marking
and extension definitions) appear once, just before the first incident of the collection that
refers to them, so each object version is in the collection once, with the ``date_added`` of
that first incident; a client paging with ``added_after`` never receives a report before the
actors it names. Pages hold exactly ``limit`` objects while more remain; ``next`` is an
opaque cursor (date added, incident id, position in its objects).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import Session, selectinload

from safecorridor import taxonomy
from safecorridor.accounts.models import Organisation
from safecorridor.incidents.actors import actor_with_units
from safecorridor.incidents.models import Incident
from safecorridor.incidents.service import IncidentFilter, filtered_query
from safecorridor.interop.extension import EXTENSION_ID, PRODUCER_IDENTITY_ID, object_id
from safecorridor.interop.markings import MARKING_IDS
from safecorridor.interop.stix import (
    ExportContext,
    IncidentObjects,
    actor_object_id,
    header_objects,
    incident_objects,
    org_identity_id,
    target_identity_id,
)
from safecorridor.limits import INTEROP_MAX_BODY
from safecorridor.sharing.audit import audit_reads
from safecorridor.sharing.policy import Viewer, can_write
from safecorridor.taxonomy.choices import TLP

MEDIA_TAXII = "application/taxii+json;version=2.1"
MEDIA_STIX = "application/stix+json;version=2.1"
DEFAULT_PAGE = 1000
MAX_PAGE = 10_000
#: the largest envelope accepted by Add Objects (bytes), advertised as max_content_length
MAX_CONTENT_LENGTH = INTEROP_MAX_BODY
INBOX = "inbox"


class TaxiiError(ValueError):
    """A request the server cannot answer; ``status`` is the HTTP status to send."""

    def __init__(self, status: int, title: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.title = title
        self.description = description

    def resource(self) -> dict[str, Any]:
        """The TAXII error message resource (section 3.6.1)."""
        return {
            "title": self.title,
            "description": self.description,
            "http_status": str(self.status),
        }


@dataclass(frozen=True)
class Collection:
    """A collection as a reader sees it: its scope (a TLP marking, and an owner for
    AMBER+STRICT) or the inbox."""

    id: str
    alias: str
    title: str
    description: str
    tlp: TLP | None
    owner_org_id: int | None = None
    can_read: bool = True
    can_write: bool = False

    def resource(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "alias": self.alias,
            "can_read": self.can_read,
            "can_write": self.can_write,
            "media_types": [MEDIA_STIX],
        }


def _collection_id(alias: str) -> str:
    return object_id("collection", alias).split("--", 1)[1]


def collections_for(session: Session, viewer: Viewer) -> list[Collection]:
    """The collections ``viewer`` sees (their contents are filtered by what it may read)."""
    out = [
        Collection(
            _collection_id("clear"),
            "clear",
            "TLP:CLEAR incidents",
            "Records anyone may read.",
            TLP.CLEAR,
        ),
        Collection(
            _collection_id("green"),
            "green",
            "TLP:GREEN incidents",
            "Records for the community of signed-in users.",
            TLP.GREEN,
        ),
        Collection(
            _collection_id("partners-amber"),
            "partners-amber",
            "TLP:AMBER incidents of your organisation and its partners",
            "AMBER records of your organisation and of the organisations that list yours as "
            "a partner.",
            TLP.AMBER,
        ),
    ]
    if viewer.organisation_id is not None:
        org = session.get(Organisation, viewer.organisation_id)
        short = (org.short_name or str(org.id)) if org is not None else str(viewer.organisation_id)
        alias = f"amber-strict-{short}".lower().replace(" ", "-")
        out.append(
            Collection(
                _collection_id(f"amber-strict-{viewer.organisation_id}"),
                alias,
                f"TLP:AMBER+STRICT incidents of {org.name if org else 'your organisation'}",
                "AMBER+STRICT records of your own organisation only.",
                TLP.AMBER_STRICT,
                owner_org_id=viewer.organisation_id,
            )
        )
    out.append(
        Collection(
            _collection_id("red"),
            "red",
            "TLP:RED incidents you are named a reader of",
            "RED records whose owner named you as a reader.",
            TLP.RED,
        )
    )
    out.append(
        Collection(
            _collection_id(INBOX),
            INBOX,
            "Inbox for partners' reports",
            "Add Objects here: reports become candidates in your organisation's review queue, "
            "never records directly; the status resource gives each object's outcome.",
            None,
            can_read=False,
            can_write=can_write(viewer, "candidate"),
        )
    )
    return out


def find_collection(session: Session, viewer: Viewer, ident: str) -> Collection:
    for c in collections_for(session, viewer):
        if ident in (c.id, c.alias):
            return c
    raise TaxiiError(404, "Collection not found", f"no collection {ident!r} that you may see")


# ---------------------------------------------------------------------------- filters and cursor


@dataclass
class ObjectFilter:
    """The filters of Get Objects / Get Manifest (TAXII 2.1 section 3.4)."""

    added_after: datetime | None = None
    ids: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=lambda: ["last"])
    spec_versions: list[str] = field(default_factory=list)
    limit: int = DEFAULT_PAGE
    next: str | None = None

    def matches(self, obj: dict[str, Any]) -> bool:
        if self.ids and obj["id"] not in self.ids:
            return False
        if self.types and obj["type"] not in self.types:
            return False
        if self.spec_versions and obj.get("spec_version", "2.1") not in self.spec_versions:
            return False
        stamps = [v for v in self.versions if v not in ("last", "first", "all")]
        if stamps and len(stamps) == len(self.versions):
            version = obj.get("modified") or obj.get("created")
            return any(_same_time(version, s) for s in stamps)
        return True


def _same_time(a: str | None, b: str) -> bool:
    if a is None:
        return False
    try:
        return parse_time(a) == parse_time(b)
    except TaxiiError:
        return False


def parse_time(value: str) -> datetime:
    """A naive-UTC datetime of a TAXII timestamp; TaxiiError when it is not one."""
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if dt.tzinfo is not None:
            dt = dt.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # 9999-12-31T23:59-01:00 is past the last year
        raise TaxiiError(
            400,
            "Bad timestamp",
            f"{value[:60]!r} is not a timestamp such as 2024-01-31T12:00:00.000Z",
        ) from None
    return dt


def taxii_time(value: datetime) -> str:
    """A TAXII timestamp with microseconds (added_after compares at that precision)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def encode_cursor(added: datetime, incident_id: int, offset: int) -> str:
    raw = f"{added.isoformat()}|{incident_id}|{offset}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


#: the largest incident id and position a cursor may hold: a database's 64-bit integer (a
#: larger one fails in the query, "Python int too large" on SQLite)
MAX_CURSOR_INT = 2**63 - 1


def decode_cursor(value: str) -> tuple[datetime, int, int]:
    """The (date added, incident id, position) of a ``next`` this server returned; TaxiiError
    (400) for anything else, including numbers out of range: a negative position would send
    objects of the page before again."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        added, ident, offset = raw.split("|")
        out = datetime.fromisoformat(added), int(ident), int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise TaxiiError(
            400, "Bad next", "next is not a cursor of this server; pass the one it returned"
        ) from None
    if out[0].tzinfo is not None or not (
        1 <= out[1] <= MAX_CURSOR_INT and 0 <= out[2] <= MAX_CURSOR_INT
    ):
        raise TaxiiError(
            400,
            "Bad next",
            "next is not a cursor of this server (its time, incident id or position is out of "
            "range); pass the one it returned",
        )
    return out


# ---------------------------------------------------------------------------- the object stream


@dataclass
class Page:
    """One page of a collection: objects with their date_added, and where to go on."""

    items: list[tuple[datetime, dict[str, Any]]]
    more: bool
    next: str | None
    incidents: list[Incident]

    @property
    def first_added(self) -> datetime | None:
        return min((d for d, _ in self.items), default=None)

    @property
    def last_added(self) -> datetime | None:
        return max((d for d, _ in self.items), default=None)


def _added(i: Incident) -> datetime:
    return max(i.updated_at, i.created_at)


class CollectionReader:
    """Reads a collection's objects for one viewer (see the module doc for the order)."""

    BATCH = 200

    def __init__(self, session: Session, viewer: Viewer, collection: Collection) -> None:
        if collection.tlp is None:
            raise TaxiiError(403, "Not readable", f"collection {collection.alias} is write-only")
        self.session = session
        self.viewer = viewer
        self.collection = collection
        self.ctx = ExportContext.load(session)
        self._units: dict[int, set[int]] = {}

    def scope(self) -> Any:
        """The SELECT of the collection's incidents that the viewer may read."""
        q = filtered_query(self.session, IncidentFilter(), viewer=self.viewer)
        q = q.where(Incident.tlp == str(self.collection.tlp))
        if self.collection.owner_org_id is not None:
            q = q.where(Incident.owner_org_id == self.collection.owner_org_id)
        return q

    def _before(self, added: datetime, incident_id: int) -> ColumnElement[bool]:
        # a range on updated_at first, so an index on it can serve the condition
        return and_(
            Incident.updated_at <= added,
            or_(Incident.updated_at < added, Incident.id < incident_id),
        )

    def _earlier_exists(self, incident: Incident, condition: ColumnElement[bool] | None) -> bool:
        """Whether an incident of the collection before ``incident`` meets ``condition``.

        Asked as "the first such incident, in collection order", so the database walks the
        ``updated_at`` index from the start and stops at the first match (or at
        ``incident``): cheap both ways, where an EXISTS let the planner scan by the
        condition's own index."""
        q = self.scope().where(self._before(incident.updated_at, incident.id))
        if condition is not None:
            q = q.where(condition)
        q = q.with_only_columns(Incident.id).order_by(Incident.updated_at, Incident.id).limit(1)
        return self.session.scalar(q) is not None

    def _units_of(self, actor_id: int) -> set[int]:
        if actor_id not in self._units:
            self._units[actor_id] = actor_with_units(self.session, actor_id)
        return self._units[actor_id]

    def _shared_key(self, sid: str) -> ColumnElement[bool] | None:
        """The condition under which an incident refers to the shared object ``sid``."""
        if sid in self._header_ids or sid in MARKING_IDS.values():
            return None  # every incident of the collection refers to them
        if sid in self._org_ids:
            return Incident.owner_org_id == self._org_ids[sid]
        if sid in self._target_ids:
            return Incident.target_category.contains(self._target_ids[sid], autoescape=True)
        actor = self._actor_ids.get(sid)
        if actor is not None:
            ids = self._units_of(actor)
            return or_(
                Incident.actor1_id.in_(ids),
                Incident.actor2_id.in_(ids),
                Incident.claimed_by_id.in_(ids),
            )
        return None

    def _prepare_ids(self) -> None:
        self._header_ids = set(header_objects()) | {PRODUCER_IDENTITY_ID, EXTENSION_ID}
        self._org_ids = {
            org_identity_id(name): oid for oid, (name, _) in self.ctx.organisations.items()
        }

        self._target_ids = {target_identity_id(k): k for k in taxonomy.target_categories()}
        self._actor_ids: dict[str, int] = {}
        for info in self.ctx.actors.values():
            self._actor_ids[actor_object_id(info)] = info.id
            if info.parent_id is not None and info.parent_id in self.ctx.actors:
                parent = self.ctx.actors[info.parent_id]
                rid = object_id(
                    "relationship", f"unit|{actor_object_id(info)}|{actor_object_id(parent)}"
                )
                self._actor_ids[rid] = info.id

    def group(
        self, incident: Incident, seen: set[str], first_checked: dict[str, bool]
    ) -> list[dict[str, Any]]:
        """The incident's objects in the collection: the shared objects it is the first to
        refer to, then its own. ``seen``: shared ids already placed earlier in this batch."""
        objs: IncidentObjects = incident_objects(incident, self.ctx)
        shared = {**header_objects(), **objs.shared}
        out: list[dict[str, Any]] = []
        for sid, obj in shared.items():
            if sid in seen:
                continue
            if sid not in first_checked:
                first_checked[sid] = not self._earlier_exists(incident, self._shared_key(sid))
            if first_checked[sid]:
                out.append(obj)
            seen.add(sid)
        out.extend(objs.own)
        return out

    def incidents_from(
        self, start: tuple[datetime, int] | None, flt: ObjectFilter
    ) -> Iterator[Incident]:
        """The collection's incidents in order, from ``start`` (inclusive), in batches."""
        after = start
        inclusive = True
        while True:
            q = self.scope().options(
                selectinload(Incident.documents),
            )
            if flt.added_after is not None:
                q = q.where(Incident.updated_at > flt.added_after)
            if after is not None:
                d, i = after
                if inclusive:
                    q = q.where(
                        or_(
                            Incident.updated_at > d,
                            and_(Incident.updated_at == d, Incident.id >= i),
                        )
                    )
                else:
                    q = q.where(
                        or_(
                            Incident.updated_at > d, and_(Incident.updated_at == d, Incident.id > i)
                        )
                    )
            q = q.order_by(Incident.updated_at, Incident.id).limit(self.BATCH)
            batch = list(self.session.scalars(q))
            yield from batch
            if len(batch) < self.BATCH:
                return
            last = batch[-1]
            after, inclusive = (last.updated_at, last.id), False

    def shared_objects(self, ids: list[str], flt: ObjectFilter) -> Page | None:
        """Objects asked for by id that several incidents share, found through the first
        incident of the collection that refers to each (indexed, no scan); None when an id
        is not a shared object's."""
        conditions = {}
        for sid in ids:
            known = (
                sid in self._header_ids
                or sid in MARKING_IDS.values()
                or sid in self._org_ids
                or sid in self._target_ids
                or sid in self._actor_ids
            )
            if not known:
                return None
            conditions[sid] = self._shared_key(sid)
        items: list[tuple[datetime, dict[str, Any]]] = []
        used: list[Incident] = []
        for sid, cond in conditions.items():
            q = self.scope().options(selectinload(Incident.documents))
            if cond is not None:
                q = q.where(cond)
            first = self.session.scalars(
                q.order_by(Incident.updated_at, Incident.id).limit(1)
            ).first()
            if first is None:
                continue
            group = self.group(first, set(), {})
            items += [(first.updated_at, o) for o in group if o["id"] == sid and flt.matches(o)]
            used.append(first)
        return Page(items, False, None, used)

    def page(self, flt: ObjectFilter) -> Page:
        """One page of objects matching ``flt`` (exactly ``limit`` while more remain)."""
        self._prepare_ids()
        if flt.ids and flt.added_after is None and not flt.next:
            found = self.shared_objects(flt.ids, flt)
            if found is not None:
                return found
        limit = max(1, min(flt.limit, MAX_PAGE))
        start: tuple[datetime, int] | None = None
        offset = 0
        if flt.next:
            added, ident, offset = decode_cursor(flt.next)
            start = (added, ident)
        items: list[tuple[datetime, dict[str, Any]]] = []
        used: list[Incident] = []
        seen: set[str] = set()
        first_checked: dict[str, bool] = {}
        # what counts as "earlier" for shared objects ignores the page: the first incident of a
        # page checks the whole collection before it, later ones also see this page's
        for incident in self.incidents_from(start, flt):
            group = [o for o in self.group(incident, seen, first_checked) if flt.matches(o)]
            if start is not None and (incident.updated_at, incident.id) == start:
                group = group[offset:]
                skip = offset
            else:
                skip = 0
            if not group:
                continue
            room = limit - len(items)
            added = incident.updated_at
            if len(group) > room:
                items += [(added, o) for o in group[:room]]
                used.append(incident)
                return Page(
                    items, True, encode_cursor(incident.updated_at, incident.id, skip + room), used
                )
            items += [(added, o) for o in group]
            used.append(incident)
            if len(items) == limit:
                nxt = self._next_after(incident, flt)
                return Page(items, nxt is not None, nxt, used)
        return Page(items, False, None, used)

    def _next_after(self, incident: Incident, flt: ObjectFilter) -> str | None:
        """The cursor of the first object after ``incident``'s, if any object matches."""
        seen: set[str] = set()
        checked: dict[str, bool] = {}
        for nxt in self.incidents_from((incident.updated_at, incident.id), flt):
            if nxt.id == incident.id:
                continue
            if any(flt.matches(o) for o in self.group(nxt, seen, checked)):
                return encode_cursor(nxt.updated_at, nxt.id, 0)
        return None


def envelope(page: Page) -> dict[str, Any]:
    out: dict[str, Any] = {"more": page.more}
    if page.more and page.next:
        out["next"] = page.next
    out["objects"] = [o for _, o in page.items]
    return out


def manifest(page: Page) -> dict[str, Any]:
    out: dict[str, Any] = {"more": page.more}
    if page.more and page.next:
        out["next"] = page.next
    out["objects"] = [
        {
            "id": o["id"],
            "date_added": taxii_time(d),
            "version": o.get("modified") or o.get("created") or "2022-10-01T00:00:00.000Z",
            "media_type": MEDIA_STIX,
        }
        for d, o in page.items
    ]
    return out


def date_headers(page: Page) -> dict[str, str]:
    if page.first_added is None or page.last_added is None:
        return {}
    return {
        "X-TAXII-Date-Added-First": taxii_time(page.first_added),
        "X-TAXII-Date-Added-Last": taxii_time(page.last_added),
    }


def read_page(session: Session, viewer: Viewer, collection: Collection, flt: ObjectFilter) -> Page:
    """A page of the collection, its AMBER-or-stricter incidents' reads audited."""
    page = CollectionReader(session, viewer, collection).page(flt)
    audit_reads(session=session, viewer=viewer, objs=page.incidents, action="taxii")
    return page


def new_status_id() -> str:
    return str(uuid.uuid4())
