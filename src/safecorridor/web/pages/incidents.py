"""The incident list, an incident's page (and the map's side panel), and its edit form.

Reads and writes go through ``incidents.service`` (TLP filter, ownership, audit); the edit
form is validated by the same schema as the API's PATCH, so both refuse alike.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from safecorridor import taxonomy
from safecorridor.accounts.models import Organisation
from safecorridor.api.deps import ClockDep, SessionDep
from safecorridor.clock import today
from safecorridor.errors import ConflictError, InvalidInputError, invalid
from safecorridor.incidents.models import Incident
from safecorridor.incidents.schemas import IncidentUpdate
from safecorridor.incidents.service import (
    IncidentFilter,
    changeable_incident,
    filtered_query,
    get_incident,
    update_incident,
)
from safecorridor.review.models import Candidate
from safecorridor.sharing.audit import audit_reads
from safecorridor.sharing.policy import Viewer, can_change, restrict
from safecorridor.web.deps import FormData, Ident, PageUser
from safecorridor.web.errors import PageRoute
from safecorridor.web.evidence import evidence_fields
from safecorridor.web.filters import WebFilter, filter_choices, filter_query
from safecorridor.web.templating import MARKINGS, is_htmx, render

router = APIRouter(include_in_schema=False, route_class=PageRoute)

PAGE_SIZE = 50
SORTS: dict[str, tuple[Any, Any]] = {
    "-event_date": (Incident.event_date.desc(), Incident.id.desc()),
    "event_date": (Incident.event_date.asc(), Incident.id.asc()),
    "-fatalities": (func.coalesce(Incident.fatalities, -1).desc(), Incident.id.desc()),
    "fatalities": (func.coalesce(Incident.fatalities, -1).asc(), Incident.id.asc()),
    "location": (Incident.location.asc(), Incident.id.asc()),
}
#: the fields of the edit form, in its order
INCIDENT_FIELDS = (
    "event_date",
    "event_type",
    "sub_event_type",
    "location",
    "admin1",
    "admin2",
    "latitude",
    "longitude",
    "fatalities",
    "foreign_fatalities",
    "foreign_nationality",
    "injured",
    "abducted",
    "target_category",
    "credibility",
    "tlp",
    "notes",
)


def _page_of(
    session: Session, viewer: Viewer, flt: IncidentFilter, sort: str, page: int
) -> tuple[list[Incident], int]:
    """A page of the incident list and the total (an unknown actor is refused by the
    service)."""
    q = filtered_query(session, flt, viewer=viewer)
    total = int(session.scalar(select(func.count()).select_from(q.subquery())) or 0)
    q = q.order_by(*SORTS.get(sort, SORTS["-event_date"])).options(
        selectinload(Incident.actor1),
        selectinload(Incident.actor2),
        selectinload(Incident.claimed_by),
    )
    rows = list(session.scalars(q.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    audit_reads(session=session, viewer=viewer, objs=rows, action="list")
    return rows, total


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(
    request: Request,
    session: SessionDep,
    user: PageUser,
    flt: WebFilter,
    sort: Annotated[str, Query(max_length=20)] = "-event_date",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    compact: bool = False,
) -> Response:
    viewer = Viewer.of(user)
    error = None
    try:
        rows, total = _page_of(session, viewer, flt, sort, page)
    except InvalidInputError as exc:  # an actor nobody is named
        rows, total, error = [], 0, str(exc)
    ctx: dict[str, Any] = {
        "rows": rows,
        "total": total,
        "error": error,
        "sort": sort if sort in SORTS else "-event_date",
        "page": page,
        "pages": max(1, math.ceil(total / PAGE_SIZE)),
        "flt": flt,
        "query": filter_query(flt),
        "compact": compact,
    }
    if is_htmx(request):
        return render(request, session, user, "incidents/_table.html", **ctx)
    return render(
        request, session, user, "incidents/list.html", **ctx, **filter_choices(session, viewer)
    )


def _evidence(session: Session, viewer: Viewer, incident: Incident) -> list[dict[str, Any]]:
    """The candidates behind the incident with their evidence spans (readable ones only)."""
    q = restrict(
        select(Candidate)
        .where(Candidate.incident_id == incident.id)
        .options(selectinload(Candidate.document))
        .order_by(Candidate.id),
        Candidate,
        viewer,
    )
    return [{"candidate": c, "fields": evidence_fields(c)} for c in session.scalars(q)]


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_detail(
    request: Request, session: SessionDep, user: PageUser, incident_id: Ident
) -> Response:
    viewer = Viewer.of(user)
    incident = get_incident(session, incident_id, viewer=viewer, action="read")
    return render(
        request,
        session,
        user,
        "incidents/detail.html",
        incident=incident,
        evidence=_evidence(session, viewer, incident),
        can_edit=can_change(viewer, "incident", incident.owner_org_id),
        owner=session.get(Organisation, incident.owner_org_id) if incident.owner_org_id else None,
    )


@router.get("/incidents/{incident_id}/panel", response_class=HTMLResponse)
def incident_panel(
    request: Request, session: SessionDep, user: PageUser, incident_id: Ident
) -> Response:
    """The map's side panel of an incident."""
    viewer = Viewer.of(user)
    incident = get_incident(session, incident_id, viewer=viewer, action="read")
    return render(
        request,
        session,
        user,
        "incidents/_panel.html",
        incident=incident,
        can_edit=can_change(viewer, "incident", incident.owner_org_id),
    )


def _edit_form(
    request: Request,
    session: Session,
    user: Any,
    incident: Incident,
    errors: list[str],
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        session,
        user,
        "incidents/edit.html",
        status_code=status_code,
        incident=incident,
        errors=errors,
        event_types=list(taxonomy.event_types()),
        markings=MARKINGS,
    )


@router.get("/incidents/{incident_id}/edit", response_class=HTMLResponse)
def incident_edit_form(
    request: Request, session: SessionDep, user: PageUser, incident_id: Ident
) -> Response:
    incident = changeable_incident(session, Viewer.of(user), incident_id)
    return _edit_form(request, session, user, incident, [])


def incident_update_of(form: dict[str, str]) -> IncidentUpdate:
    """The edit form as the API's PATCH body: an emptied field is a null."""
    data = {name: (form[name] or None) for name in INCIDENT_FIELDS if name in form}
    try:
        return IncidentUpdate.model_validate(data)
    except ValidationError as exc:
        raise invalid(exc) from None


@router.post("/incidents/{incident_id}/edit", response_class=HTMLResponse)
def incident_edit_submit(
    request: Request,
    session: SessionDep,
    user: PageUser,
    clock: ClockDep,
    incident_id: Ident,
    form: FormData,
) -> Response:
    viewer = Viewer.of(user)
    incident = changeable_incident(session, viewer, incident_id)
    try:
        body = incident_update_of(form)
        with session.begin_nested():  # a refused change leaves nothing behind
            update_incident(
                session=session,
                incident_id=incident_id,
                incident_in=body,
                viewer=viewer,
                today=today(clock),
            )
    except (InvalidInputError, ConflictError) as exc:
        session.refresh(incident)
        code = 409 if isinstance(exc, ConflictError) else 422
        return _edit_form(request, session, user, incident, [str(exc)], status_code=code)
    return Response(status_code=204, headers={"HX-Redirect": f"/incidents/{incident_id}"})
