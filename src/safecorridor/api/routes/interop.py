"""/api/v1/stix and /api/v1/misp: STIX 2.1 bundles and MISP event JSON out and in.

Exports hold exactly the incidents the caller may read (the incident list's filters apply);
their AMBER-or-stricter reads are audited. Imports over HTTP come from partners: their reports
become candidates in the caller's organisation's review queue (analysts), never records; a
malformed bundle is refused whole with a 422 naming the problem, and nothing is stored.
"""

from __future__ import annotations

import io
from datetime import UTC
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from safecorridor.accounts.models import Organisation
from safecorridor.api.deps import CurrentViewer, SessionDep
from safecorridor.api.problems import ProblemError, responses
from safecorridor.api.routes.incidents import FilterDep
from safecorridor.api.routes.review import IngestViewer
from safecorridor.db.session import session_scope
from safecorridor.incidents.models import Incident
from safecorridor.incidents.service import IncidentFilter, UnknownActorError, filtered_query
from safecorridor.interop import misp, stix
from safecorridor.interop.extension import schema
from safecorridor.interop.intake import (
    CandidateOptions,
    IntakeReport,
    store_actors,
    store_candidates,
)
from safecorridor.limits import INTEROP_MAX_BODY
from safecorridor.sharing.audit import audit_reads, audit_write
from safecorridor.sharing.policy import AUDITED_TLP, Viewer, require_write
from safecorridor.sources.export import iter_incidents
from safecorridor.sources.models import Document

router = APIRouter(tags=["exchange"], responses=responses(401, 422))

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}

MEDIA_STIX = "application/stix+json;version=2.1"
#: the largest bundle or MISP document accepted over HTTP (bytes)
MAX_UPLOAD = INTEROP_MAX_BODY


def _readable(session: Any, flt: IncidentFilter, viewer: Viewer) -> list[Incident]:
    try:
        filtered_query(session, flt, viewer=viewer)
    except UnknownActorError as exc:
        raise ProblemError(422, str(exc)) from None
    return list(iter_incidents(session, flt, viewer=viewer))


def _audit(session: Any, viewer: Viewer, incidents: list[Incident]) -> None:
    audit_reads(
        session=session,
        viewer=viewer,
        objs=[i for i in incidents if i.tlp in AUDITED_TLP],
        action="export",
    )


@router.get(
    "/api/v1/stix/bundle",
    summary="Incidents as a STIX 2.1 bundle",
    response_class=Response,
    responses={200: {"content": {MEDIA_STIX: {}}}},
)
def export_stix(session: SessionDep, viewer: CurrentViewer, flt: FilterDep) -> Response:
    """The incidents you may read (with the list's filters), oldest first, as one STIX 2.1
    bundle: reports, locations, actors, target classes, relationships, TLP 2.0 markings and the
    SafeCorridor extension definition."""
    incidents = _readable(session, flt, viewer)
    out = io.BytesIO()
    stix.write_bundle(out, stix.bundle_objects(incidents, stix.ExportContext.load(session)))
    _audit(session, viewer, incidents)
    return Response(
        out.getvalue(),
        media_type=MEDIA_STIX,
        headers={"Content-Disposition": 'attachment; filename="incidents.stix.json"'},
    )


@router.get(
    "/api/v1/misp/events",
    summary="Incidents as MISP event JSON",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}}},
)
def export_misp(session: SessionDep, viewer: CurrentViewer, flt: FilterDep) -> Response:
    """The incidents you may read as MISP events (one per incident), in the shape of MISP's
    own JSON export: ``{"response": [{"Event": ...}, ...]}``."""
    incidents = _readable(session, flt, viewer)
    out = io.StringIO()
    misp.write_events(out, incidents, stix.ExportContext.load(session))
    _audit(session, viewer, incidents)
    return Response(
        out.getvalue(),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="incidents.misp.json"'},
    )


@router.get("/api/v1/misp/feed/manifest.json", summary="MISP feed: the manifest")
def misp_feed_manifest(session: SessionDep, viewer: CurrentViewer) -> dict[str, Any]:
    """The manifest of a MISP feed (MISP's "MISP Feed" format) of the incidents you may read:
    event uuid → info, date, timestamp, creator and tags. Point a MISP feed at
    ``/api/v1/misp/feed/`` with the header ``Authorization: Bearer <token>``."""
    incidents = _readable(session, IncidentFilter(), viewer)
    ctx = stix.ExportContext.load(session)
    out: dict[str, Any] = {}
    for incident in incidents:
        ev = misp.event_of(incident, ctx)
        out[str(ev.uuid)] = {
            "info": ev.info,
            "date": ev.date.isoformat(),
            "timestamp": str(
                int(max(incident.updated_at, incident.created_at).replace(tzinfo=UTC).timestamp())
            ),
            "analysis": ev.analysis,
            "threat_level_id": ev.threat_level_id,
            "Orgc": {"name": ev.Orgc.name, "uuid": ev.Orgc.uuid},
            "Tag": [{"name": t.name} for t in ev.tags],
        }
    return out


@router.get(
    "/api/v1/misp/feed/{event_uuid}.json",
    summary="MISP feed: one event",
    responses=responses(404),
)
def misp_feed_event(session: SessionDep, viewer: CurrentViewer, event_uuid: str) -> Response:
    """One event of the MISP feed, if it is of an incident you may read."""
    wanted = event_uuid[:36].lower()
    q = filtered_query(
        session,
        IncidentFilter(),
        viewer=viewer,
        columns=(Incident.id, Incident.source_dataset, Incident.source_key),
    )
    found = next(
        (
            row.id
            for row in session.execute(q)
            if misp.event_uuid(row.source_dataset, row.source_key) == wanted
        ),
        None,
    )
    if found is None:
        raise ProblemError(404, f"no event {wanted} that you may read")
    [incident] = _readable_ids(session, viewer, [found])
    _audit(session, viewer, [incident])
    text = '{"Event": ' + misp.event_of(incident, stix.ExportContext.load(session)).to_json() + "}"
    return Response(text, media_type="application/json")


def _readable_ids(session: Any, viewer: Viewer, ids: list[int]) -> list[Incident]:
    q = (
        filtered_query(session, IncidentFilter(), viewer=viewer)
        .where(Incident.id.in_(ids))
        .options(selectinload(Incident.documents))
    )
    return list(session.scalars(q))


@router.get("/api/v1/stix/extension-schema", summary="The SafeCorridor STIX extension's schema")
def extension_schema(_viewer: CurrentViewer) -> dict[str, Any]:
    """The JSON schema (draft 2020-12) of the SafeCorridor STIX 2.1 property extension."""
    return schema()


async def _body(request: Request) -> bytes:
    if int(request.headers.get("content-length") or 0) > MAX_UPLOAD:
        raise ProblemError(413, f"the upload is over {MAX_UPLOAD:,} bytes", title="Too large")
    raw = await request.body()
    if len(raw) > MAX_UPLOAD:
        raise ProblemError(413, f"the upload is over {MAX_UPLOAD:,} bytes", title="Too large")
    return raw


def _intake(viewer: Viewer, kind: str, raw: bytes) -> dict[str, Any]:
    require_write(viewer, "candidate")
    try:
        if kind == "stix":
            parsed = stix.parse_bundle(raw, label="the bundle", max_bytes=MAX_UPLOAD)
            drafts, actors, lines = parsed.incidents, parsed.actors, parsed.summary_lines()
        else:
            events = misp.read_events(raw, label="the MISP JSON", max_bytes=MAX_UPLOAD)
            drafts, actors, lines = [], {}, []
            for ev in events:
                actors.update(misp.actors_of(ev))
                draft = misp.draft_of(ev)
                if draft is None:
                    lines.append(
                        f"event {ev.uuid}: skipped, it has no geolocation with coordinates"
                    )
                else:
                    drafts.append(draft)
    except stix.StixImportError as exc:
        raise ProblemError(422, str(exc)) from None
    with session_scope(write=True) as session:
        org = session.get(Organisation, viewer.organisation_id) if viewer.organisation_id else None
        report = IntakeReport()
        store_actors(session, actors, report, viewer=viewer)
        store_candidates(
            session,
            drafts,
            CandidateOptions(
                owner_org_id=viewer.organisation_id,
                source_label=f"{kind.upper()} upload ({org.name if org else viewer.email})",
                grant_user_id=viewer.user_id,
                granted_by=viewer.email,
                extractor="stix-2.1" if kind == "stix" else "misp",
            ),
            report=report,
        )
        for doc in session.scalars(select(Document).where(Document.id.in_(report.document_ids))):
            audit_write(session=session, viewer=viewer, action=f"{kind}-import", obj=doc)
    return {
        "summary": report.summary(),
        "types": lines,
        "outcomes": report.outcomes,
        "candidates": report.candidates,
        "duplicates": report.duplicates,
    }


@router.post(
    "/api/v1/stix/bundle",
    summary="Send a STIX 2.1 bundle to the review queue",
    responses=responses(403, 413),
    openapi_extra=_UPLOAD_BODY,
)
async def import_stix(request: Request, viewer: IngestViewer) -> dict[str, Any]:
    """A partner's bundle: its reports with a date and a place become candidates owned by your
    organisation (their TLP kept), its CLEAR and GREEN actors join the actor register (one
    marked for fewer readers, or cited only by such reports, does not: every user reads the
    register); the answer says, per STIX type, what was kept and why the rest was skipped
    (analysts)."""
    raw = await _body(request)
    return await run_in_threadpool(_intake, viewer, "stix", raw)


@router.post(
    "/api/v1/misp/events",
    summary="Send MISP event JSON to the review queue",
    responses=responses(403, 413),
    openapi_extra=_UPLOAD_BODY,
)
async def import_misp(request: Request, viewer: IngestViewer) -> dict[str, Any]:
    """MISP events with a geolocation become candidates owned by your organisation (their
    ``tlp:`` tag kept); the threat-actor clusters and attributes of a CLEAR or GREEN event join
    the actor register."""
    raw = await _body(request)
    return await run_in_threadpool(_intake, viewer, "misp", raw)
