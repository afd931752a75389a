"""/api/v1/incidents: list (filters, keyset cursor, sort), count, GeoJSON, export, CRUD."""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import weakref
from concurrent.futures import Future
from datetime import date
from operator import itemgetter
from typing import Annotated, Any, Literal

import anyio.to_thread
import orjson
from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy import Row, and_, bindparam, or_, select
from sqlalchemy.orm import Session, aliased

from safecorridor.api.deps import CachedViewer, ClockDep, CurrentViewer, SessionDep
from safecorridor.api.geojson import BBOX_HELP, collection, feature, parse_bbox, point
from safecorridor.api.problems import ProblemError, responses
from safecorridor.api.schemas import (
    CountPublic,
    FeatureCollection,
    GrantIn,
    IncidentChangePublic,
    IncidentDetail,
    IncidentsPublic,
    RetractIn,
)
from safecorridor.clock import today
from safecorridor.db.session import session_scope
from safecorridor.geo import haversine_km
from safecorridor.incidents.models import Actor, Incident, incident_documents
from safecorridor.incidents.schemas import IncidentPublic, IncidentUpdate, NewIncident
from safecorridor.incidents.service import (
    MAX_NEAR_KM,
    IncidentFilter,
    check_period,
    count_incidents,
    create_incident,
    filtered_query,
    get_incident,
    grant_incident,
    retract_incident,
    to_public,
    update_incident,
)
from safecorridor.sharing.audit import (
    audit_reads,
    sha256_json,
    submit_read,
    values_state_hash,
)
from safecorridor.sharing.policy import AUDITED_TLP, Viewer
from safecorridor.sources.export import write_csv, write_jsonl
from safecorridor.sources.models import Document
from safecorridor.taxonomy.choices import TLP

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"], responses=responses(401, 422))

MAX_ID = 2**31 - 1
IncidentId = Annotated[int, Path(ge=1, le=MAX_ID, description="The incident's id.")]
Sort = Literal["-event_date", "event_date"]


async def incident_filter(
    since: Annotated[date | None, Query(description="Events on or after this day.")] = None,
    until: Annotated[date | None, Query(description="Events on or before this day.")] = None,
    event_type: Annotated[list[str], Query(description="ACLED event type(s), e.g. Battles.")] = [],  # noqa: B006
    actor: Annotated[
        str | None, Query(max_length=300, description="An actor's name or alias (with units).")
    ] = None,
    admin1: Annotated[str | None, Query(max_length=100)] = None,
    country: Annotated[str | None, Query(max_length=100)] = None,
    source: Annotated[
        str | None, Query(max_length=20, description="Source dataset: acled, ucdp, manual...")
    ] = None,
    near: Annotated[
        str | None,
        Query(
            description="LAT,LON: only events within `km` of this point.",
            pattern=r"^-?[0-9]{1,3}(\.[0-9]{1,10})?,-?[0-9]{1,3}(\.[0-9]{1,10})?$",
            max_length=40,
        ),
    ] = None,
    km: Annotated[float, Query(gt=0, le=MAX_NEAR_KM)] = 10.0,
    include_retracted: bool = False,
    foreign_fatalities_only: bool = False,
) -> IncidentFilter:
    check_period(since, until)
    where: tuple[float, float] | None = None
    if near:
        try:
            lat_s, lon_s = near.split(",")
            where = (float(lat_s), float(lon_s))
        except ValueError:
            raise ProblemError(
                422, f"near must be LAT,LON such as 24.94,67.12 (got {near!r})"
            ) from None
        if not (-90 <= where[0] <= 90 and -180 <= where[1] <= 180):
            raise ProblemError(422, "near is outside latitude -90..90 / longitude -180..180")
    return IncidentFilter(
        date_from=since,
        date_to=until,
        event_types=[t for t in event_type if t],
        actor=actor or None,
        admin1=admin1 or None,
        country=country or None,
        source_dataset=source or None,
        near=where,
        km=km,
        include_retracted=include_retracted,
        foreign_fatalities_only=foreign_fatalities_only,
    )


FilterDep = Annotated[IncidentFilter, Depends(incident_filter)]


def _query(session: Session, flt: IncidentFilter, viewer: Viewer) -> Any:
    return filtered_query(session, flt, viewer=viewer)


def _encode_cursor(sort: str, row: Incident | Row[Any]) -> str:
    raw = f"{sort}|{row.event_date.isoformat()}|{row.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, sort: str) -> tuple[date, int]:
    bad = ProblemError(
        422, "cursor is not valid for this sort; pass the next_cursor of the previous page"
    )
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        cur_sort, day, ident = raw.split("|")
        parsed = (date.fromisoformat(day), int(ident))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad from None
    if cur_sort != sort or not 0 < parsed[1] <= MAX_ID:
        raise bad
    return parsed


#: the columns of a list row: every column of ``incidents`` (the audit's state hash needs
#: them all), then the actor names (joins)
_PUBLIC_FIELDS = tuple(IncidentPublic.model_fields)
_actor1, _actor2, _claimed = (aliased(Actor) for _ in range(3))
_TABLE_KEYS = tuple(c.key for c in Incident.__table__.c)
_LIST_COLUMNS = (
    *Incident.__table__.c,
    _actor1.name.label("_actor1"),
    _actor2.name.label("_actor2"),
    _claimed.name.label("_claimed_by"),
)
_ROW_KEYS = (*_TABLE_KEYS, "actor1", "actor2", "claimed_by")
assert _PUBLIC_FIELDS[-1] == "source_urls"
#: IncidentPublic's fields but the last (source_urls), in order, picked from a list row
_PUBLIC_NAMES = _PUBLIC_FIELDS[:-1]
_pick_public = itemgetter(*(_ROW_KEYS.index(name) for name in _PUBLIC_NAMES))
_N_TABLE = len(_TABLE_KEYS)


def _dumps(data: Any) -> bytes:
    """JSON of a page (dates as ISO 8601, as pydantic writes them)."""
    return orjson.dumps(data)


#: the cited URLs of a page of incidents (built once: a statement object reused keeps its
#: compiled form's cache key, so a request only binds the ids)
_SOURCE_URLS = (
    select(incident_documents.c.incident_id, Document.url)
    .join(Document, Document.id == incident_documents.c.document_id)
    .where(
        incident_documents.c.incident_id.in_(bindparam("ids", expanding=True)),
        Document.url.is_not(None),
    )
    .order_by(incident_documents.c.incident_id, Document.id)
)


def _source_urls(session: Session, ids: list[int]) -> dict[int, list[str]]:
    """The cited URLs of each incident (documents in id order), for a page of ids."""
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    for incident_id, url in session.connection().execute(_SOURCE_URLS, {"ids": ids}):
        if url:
            out.setdefault(incident_id, []).append(url)
    return out


def _public_rows(session: Session, rows: list[Row[Any]]) -> list[dict[str, Any]]:
    """Page rows as IncidentPublic data, without re-validating stored data (lists are hot)."""
    urls = _source_urls(session, [r.id for r in rows])
    out = []
    for r in rows:
        item = dict(zip(_PUBLIC_NAMES, _pick_public(r), strict=True))
        item["source_urls"] = urls.get(r.id, [])
        out.append(item)
    return out


def _row_state_hash(row: Row[Any]) -> str:
    """``state_hash`` of the incident in a list row (the same as of the loaded object)."""
    return values_state_hash(dict(zip(_TABLE_KEYS, row[:_N_TABLE], strict=True)))


def _audit_list(session: Session, viewer: Viewer, rows: list[Row[Any]]) -> Future[None] | None:
    """Record the read of the page's AMBER-or-stricter rows (as ``audit_reads`` would).

    Returns the audit writer's future (see :func:`submit_read`): the page may be sent only
    once it has completed.
    """
    marked = [r for r in rows if r.tlp in AUDITED_TLP]
    if not marked:
        return None
    if len(marked) == 1:
        return submit_read(
            session=session,
            viewer=viewer,
            action="list",
            record_type="incident",
            record_id=marked[0].id,
            state=_row_state_hash(marked[0]),
        )
    return submit_read(
        session=session,
        viewer=viewer,
        action="list",
        record_type="incident",
        details={"record_ids": [r.id for r in marked]},
        state=sha256_json([_row_state_hash(r) for r in marked]),
    )


def _detail(i: Incident) -> IncidentDetail:
    public = to_public(i)
    return IncidentDetail(
        **public.model_dump(),
        owner_org_id=i.owner_org_id,
        history=[
            IncidentChangePublic(
                changed_at=h.changed_at, changed_by=h.changed_by, action=h.action, changes=h.changes
            )
            for h in i.history
        ],
    )


@router.get("", response_model=IncidentsPublic, summary="List incidents")
async def list_incidents_api(
    viewer: CachedViewer,
    flt: FilterDep,
    sort: Sort = "-event_date",
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page.")
    ] = None,
    count: Annotated[
        bool,
        Query(
            description="Also count every match (costs a scan on large stores; "
            "false leaves count null)."
        ),
    ] = True,
) -> Response:
    """Incidents you may read, newest first by default, a page at a time (keyset cursor)."""
    # one threadpool call for all the database work (the viewer usually comes from the
    # token cache without one); the audit event of the page is then awaited here, after the
    # session is closed, so no thread or connection waits for the group commit
    body, pending = await anyio.to_thread.run_sync(
        _list_page, viewer, flt, sort, limit, cursor, count, limiter=_list_limiter()
    )
    if pending is not None:
        # no-loss: the page leaves only once its read event is committed (an error fails it)
        await asyncio.wait_for(asyncio.wrap_future(pending), timeout=120)
    return Response(body, media_type="application/json")


#: list pages queried at once per process: the work is CPU-bound SQLite (2 cores here), and
#: a few busy pooled connections with warm page caches beat twenty threads opening and
#: closing overflow connections with cold ones (the pool keeps 5)
LIST_CONCURRENCY = 3
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = (
    weakref.WeakKeyDictionary()
)


def _list_limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(LIST_CONCURRENCY)
    return limiter


def _list_page(
    viewer: Viewer, flt: IncidentFilter, sort: Sort, limit: int, cursor: str | None, count: bool
) -> tuple[bytes, Future[None] | None]:
    with session_scope() as session:
        return _list_page_in(session, viewer, flt, sort, limit, cursor, count)


def _list_page_in(
    session: Session,
    viewer: Viewer,
    flt: IncidentFilter,
    sort: Sort,
    limit: int,
    cursor: str | None,
    count: bool,
) -> tuple[bytes, Future[None] | None]:
    q = filtered_query(session, flt, viewer=viewer, columns=_LIST_COLUMNS)
    q = (
        q.outerjoin(_actor1, _actor1.id == Incident.actor1_id)
        .outerjoin(_actor2, _actor2.id == Incident.actor2_id)
        .outerjoin(_claimed, _claimed.id == Incident.claimed_by_id)
    )
    newest_first = sort == "-event_date"
    if cursor:
        day, ident = _decode_cursor(cursor, sort)
        if newest_first:
            q = q.where(
                or_(
                    Incident.event_date < day,
                    and_(Incident.event_date == day, Incident.id < ident),
                )
            )
        else:
            q = q.where(
                or_(
                    Incident.event_date > day,
                    and_(Incident.event_date == day, Incident.id > ident),
                )
            )
    if newest_first:
        q = q.order_by(Incident.event_date.desc(), Incident.id.desc())
    else:
        q = q.order_by(Incident.event_date, Incident.id)
    # rows of plain columns: executed by Core, without the ORM's result processing
    conn = session.connection()
    if flt.near is None:
        rows = list(conn.execute(q.limit(limit + 1)))
    else:
        lat, lon = flt.near
        rows = []
        for r in conn.execute(q):
            if haversine_km(lat, lon, r.latitude, r.longitude) <= flt.km:
                rows.append(r)
                if len(rows) > limit:
                    break
    more = len(rows) > limit
    rows = rows[:limit]
    page = {
        "data": _public_rows(session, rows),
        "count": count_incidents(session, flt, viewer=viewer) if count else None,
        "next_cursor": _encode_cursor(sort, rows[-1]) if more and rows else None,
    }
    body = _dumps(page)
    # recorded last: committed (by the audit writer) before the response leaves
    return body, _audit_list(session, viewer, rows)


@router.get("/count", response_model=CountPublic, summary="Count incidents")
def count_incidents_api(session: SessionDep, viewer: CurrentViewer, flt: FilterDep) -> CountPublic:
    """How many incidents you may read match the filters."""
    _query(session, flt, viewer)
    return CountPublic(count=count_incidents(session, flt, viewer=viewer))


@router.get(
    ".geojson",
    response_model=FeatureCollection,
    summary="Incidents as GeoJSON",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def incidents_geojson(
    session: SessionDep,
    viewer: CurrentViewer,
    flt: FilterDep,
    bbox: Annotated[str | None, Query(description=BBOX_HELP)] = None,
    limit: Annotated[int, Query(ge=1, le=50_000)] = 10_000,
) -> Response:
    """Incident points (newest first, at most ``limit``) you may read, as a FeatureCollection."""
    q = _query(session, flt, viewer)
    box = parse_bbox(bbox)
    if box:
        w, s, e, n = box
        q = q.where(Incident.longitude.between(w, e), Incident.latitude.between(s, n))
    q = q.order_by(Incident.event_date.desc(), Incident.id.desc())
    rows = list(session.scalars(q.limit(limit)))
    if flt.near:
        lat, lon = flt.near
        rows = [i for i in rows if haversine_km(lat, lon, i.latitude, i.longitude) <= flt.km]
    audit_reads(session=session, viewer=viewer, objs=rows, action="map")
    fc = collection(
        [
            feature(
                i.id,
                point(i.latitude, i.longitude),
                {
                    "event_date": i.event_date.isoformat(),
                    "event_type": i.event_type,
                    "sub_event_type": i.sub_event_type,
                    "location": i.location,
                    "fatalities": i.fatalities,
                    "tlp": i.tlp,
                },
            )
            for i in rows
        ]
    )
    return Response(
        FeatureCollection.model_validate(fc).model_dump_json(exclude_none=True),
        media_type="application/geo+json",
    )


@router.get(
    "/export",
    summary="Export incidents",
    response_class=Response,
    responses={
        200: {
            "description": "ACLED-style CSV or JSON Lines",
            "content": {"text/csv": {}, "application/x-ndjson": {}},
        }
    },
)
def export_incidents(
    session: SessionDep,
    viewer: CurrentViewer,
    flt: FilterDep,
    format: Literal["csv", "jsonl"] = "csv",
) -> Response:
    """The incidents you may read, oldest first, as ACLED-style CSV or JSON Lines."""
    _query(session, flt, viewer)
    out = io.StringIO()
    writer = write_csv if format == "csv" else write_jsonl
    writer(session, out, flt, viewer=viewer)
    ids = [
        i
        for i in session.scalars(
            filtered_query(session, flt, viewer=viewer).where(
                Incident.tlp.in_((TLP.AMBER, TLP.AMBER_STRICT, TLP.RED))
            )
        )
    ]
    audit_reads(session=session, viewer=viewer, objs=ids, action="export")
    media = "text/csv" if format == "csv" else "application/x-ndjson"
    return Response(
        out.getvalue(),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="incidents.{format}"'},
    )


@router.get(
    "/{incident_id}",
    response_model=IncidentDetail,
    summary="Get an incident",
    responses=responses(404),
)
def get_incident_api(
    session: SessionDep, viewer: CurrentViewer, incident_id: IncidentId
) -> IncidentDetail:
    """One incident with its sources and history."""
    return _detail(get_incident(session, incident_id, viewer=viewer, action="read"))


@router.post(
    "",
    response_model=IncidentDetail,
    status_code=201,
    summary="Create an incident",
    responses=responses(403, 409),
)
def create_incident_api(
    session: SessionDep, viewer: CurrentViewer, clock: ClockDep, incident_in: NewIncident
) -> IncidentDetail:
    """Record an incident owned by your organisation (analysts). A RED incident is readable
    by you alone until you name others (POST .../grants). An event dated after today is
    refused."""
    incident = create_incident(
        session=session, incident_in=incident_in, viewer=viewer, today=today(clock)
    )
    return _detail(get_incident(session, incident.id, viewer=viewer))


@router.patch(
    "/{incident_id}",
    response_model=IncidentDetail,
    summary="Update an incident",
    responses=responses(403, 404),
)
def update_incident_api(
    session: SessionDep,
    viewer: CurrentViewer,
    clock: ClockDep,
    incident_id: IncidentId,
    incident_in: IncidentUpdate,
) -> IncidentDetail:
    """Change some fields; each change is kept in the incident's history."""
    update_incident(
        session=session,
        incident_id=incident_id,
        incident_in=incident_in,
        viewer=viewer,
        today=today(clock),
    )
    return _detail(get_incident(session, incident_id, viewer=viewer))


@router.post(
    "/{incident_id}/retract",
    response_model=IncidentDetail,
    summary="Retract an incident",
    responses=responses(403, 404),
)
def retract_incident_api(
    session: SessionDep, viewer: CurrentViewer, incident_id: IncidentId, body: RetractIn
) -> IncidentDetail:
    """Mark the incident retracted (kept, with the reason, in its history)."""
    incident = retract_incident(
        session=session, incident_id=incident_id, reason=body.reason, viewer=viewer
    )
    return _detail(incident)


@router.post(
    "/{incident_id}/grants",
    status_code=204,
    response_class=Response,
    summary="Let a user read a RED incident",
    responses=responses(403, 404),
)
def grant_incident_api(
    session: SessionDep, viewer: CurrentViewer, incident_id: IncidentId, body: GrantIn
) -> Response:
    """Name one more reader of a TLP:RED incident (analysts who can read it)."""
    grant_incident(session=session, viewer=viewer, incident_id=incident_id, user_id=body.user_id)
    return Response(status_code=204)
