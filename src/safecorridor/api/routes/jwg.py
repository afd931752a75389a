"""/api/v1/meetings, /actions, /measures, /risk/planned-measures and /briefings: the Joint
Working Group's work, thin over ``jwg.service``, ``registry.measures``, ``risk.service`` and
``jwg.briefing`` (read rules, write rules, TLP and audit live there)."""

from __future__ import annotations

from datetime import UTC, date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from safecorridor.api.deps import AsOf, ClockDep, CurrentUser, CurrentViewer, SessionDep
from safecorridor.api.problems import responses
from safecorridor.clock import today
from safecorridor.errors import NotFoundError
from safecorridor.i18n import choose
from safecorridor.jwg import briefing
from safecorridor.jwg import service as jwg
from safecorridor.jwg.choices import ActionStatus
from safecorridor.jwg.models import BriefingPack
from safecorridor.jwg.schemas import (
    ActionChange,
    ActionCreate,
    ActionPublic,
    ActionsPublic,
    BriefingPublic,
    BriefingRequest,
    BriefingsPublic,
    MeetingCreate,
    MeetingPublic,
    MeetingsPublic,
)
from safecorridor.registry import measures as rm
from safecorridor.registry import service as registry
from safecorridor.registry.models import Site
from safecorridor.risk import service as risk

router = APIRouter(tags=["joint working group"], responses=responses(401, 422))

Ident = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _locale(request: Request, user: Any) -> str:
    return choose(
        user_locale=getattr(user, "locale", None),
        cookie=None,
        accept_language=request.headers.get("accept-language"),
    )


# --- meetings ------------------------------------------------------------------------------


@router.get("/api/v1/meetings", response_model=MeetingsPublic, summary="List meetings")
def list_meetings(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    viewer: CurrentViewer,
    series: Annotated[str | None, Query(max_length=200)] = None,
) -> MeetingsPublic:
    """Meetings you may read, newest first (without their decisions: GET one for those)."""
    rows = jwg.list_meetings(session, viewer=viewer, series=series)
    data = [
        MeetingPublic(
            id=m.id,
            series=m.series,
            number=m.number,
            held_on=m.held_on,
            venue=m.venue,
            chair=m.chair,
            summary=m.summary,
            tlp=m.tlp,
            owner_org_id=m.owner_org_id,
            is_illustrative=m.is_illustrative,
        )
        for m in rows
    ]
    return MeetingsPublic(data=data, count=len(data))


@router.post(
    "/api/v1/meetings",
    response_model=MeetingPublic,
    status_code=201,
    summary="Record a meeting",
    responses=responses(403, 404, 409),
)
def create_meeting(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    viewer: CurrentViewer,
    meeting_in: MeetingCreate,
) -> MeetingPublic:
    """A meeting with its delegations, agenda, decisions and action items (analysts, admins);
    it belongs to your organisation."""
    m = jwg.create_meeting(session=session, meeting_in=meeting_in, viewer=viewer)
    return jwg.meeting_public(session, m, viewer, locale=_locale(request, user))


@router.get(
    "/api/v1/meetings/{meeting_id}",
    response_model=MeetingPublic,
    summary="A meeting with its decisions and action items",
    responses=responses(404),
)
def get_meeting(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    viewer: CurrentViewer,
    meeting_id: Ident,
) -> MeetingPublic:
    m = jwg.get_meeting(session, meeting_id, viewer=viewer)
    return jwg.meeting_public(session, m, viewer, locale=_locale(request, user))


@router.post(
    "/api/v1/decisions/{decision_id}/actions",
    response_model=ActionPublic,
    status_code=201,
    summary="Add an action item to a decision",
    responses=responses(403, 404),
)
def add_action(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    viewer: CurrentViewer,
    decision_id: Ident,
    action_in: ActionCreate,
) -> ActionPublic:
    item = jwg.add_action(
        session=session, decision_id=decision_id, action_in=action_in, viewer=viewer
    )
    return jwg.actions_public(session, [item], viewer, locale=_locale(request, user))[0]


# --- action items --------------------------------------------------------------------------


@router.get("/api/v1/actions", response_model=ActionsPublic, summary="List action items")
def list_actions(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    viewer: CurrentViewer,
    owner: Annotated[
        Literal["mine", "all"],
        Query(description="mine: your organisation's items (its board); all: all you may read"),
    ] = "mine",
    status: Annotated[list[ActionStatus], Query(max_length=5)] = [],  # noqa: B006
    meeting_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> ActionsPublic:
    rows = jwg.list_actions(
        session,
        viewer=viewer,
        owner_org_id=viewer.organisation_id if owner == "mine" else None,
        statuses=[str(s) for s in status],
        meeting_id=meeting_id,
    )
    data = jwg.actions_public(session, rows, viewer, locale=_locale(request, user))
    return ActionsPublic(data=data, count=len(data))


@router.get(
    "/api/v1/actions/{action_id}",
    response_model=ActionPublic,
    summary="An action item with its history",
    responses=responses(404),
)
def get_action(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    viewer: CurrentViewer,
    action_id: Ident,
) -> ActionPublic:
    item = jwg.get_action(session, action_id, viewer=viewer)
    return jwg.actions_public(session, [item], viewer, locale=_locale(request, user), history=True)[
        0
    ]


@router.patch(
    "/api/v1/actions/{action_id}",
    response_model=ActionPublic,
    summary="Change an action item's status, evidence or due date",
    responses=responses(403, 404, 409),
)
def update_action(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    viewer: CurrentViewer,
    clock: ClockDep,
    action_id: Ident,
    change: ActionChange,
) -> ActionPublic:
    item = jwg.update_action(
        session=session, action_id=action_id, change=change, viewer=viewer, today=today(clock)
    )
    return jwg.actions_public(session, [item], viewer, locale=_locale(request, user), history=True)[
        0
    ]


# --- measures ------------------------------------------------------------------------------


@router.get("/api/v1/measures", response_model=rm.MeasuresPublic, summary="List measures")
def list_measures(
    session: SessionDep,
    viewer: CurrentViewer,
    site_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    route_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    state: Annotated[list[rm.MeasureState], Query(max_length=4)] = [],  # noqa: B006
) -> rm.MeasuresPublic:
    """The register: measures you may read, of sites and routes you may read."""
    rows = rm.list_measures(
        session, viewer=viewer, site_id=site_id, route_id=route_id, states=[str(s) for s in state]
    )
    return rm.MeasuresPublic(data=[rm.measure_public(m) for m in rows], count=len(rows))


@router.post(
    "/api/v1/measures",
    response_model=rm.MeasurePublic,
    status_code=201,
    summary="Record a measure",
    responses=responses(403, 404),
)
def create_measure(
    session: SessionDep, viewer: CurrentViewer, clock: ClockDep, measure_in: rm.MeasureCreate
) -> rm.MeasurePublic:
    """A measure of a site or route of your organisation (site managers)."""
    m = jwg.record_measure(session, measure_in, viewer=viewer, today=today(clock))
    return rm.measure_public(m)


@router.get(
    "/api/v1/measures/{measure_id}",
    response_model=rm.MeasurePublic,
    summary="A measure",
    responses=responses(404),
)
def get_measure(session: SessionDep, viewer: CurrentViewer, measure_id: Ident) -> rm.MeasurePublic:
    return rm.measure_public(rm.get_measure(session, measure_id, viewer=viewer))


@router.post(
    "/api/v1/measures/{measure_id}/state",
    response_model=rm.MeasurePublic,
    summary="Move a measure to another state",
    responses=responses(403, 404, 409),
)
def change_measure(
    session: SessionDep,
    viewer: CurrentViewer,
    clock: ClockDep,
    measure_id: Ident,
    change: rm.MeasureChangeIn,
) -> rm.MeasurePublic:
    m = rm.change_state(
        session=session, measure_id=measure_id, change=change, viewer=viewer, today=today(clock)
    )
    return rm.measure_public(m)


class PosturePublic(BaseModel):
    site_id: int
    as_of: date
    posture: dict[str, Any]
    posture_with_planned: dict[str, Any]
    level: str
    score: float
    level_with_planned: str
    score_with_planned: float


@router.get(
    "/api/v1/sites/{site_id}/posture",
    response_model=PosturePublic,
    summary="A site's posture from its measures, and its risk now and with the planned ones",
    responses=responses(404),
)
def site_posture(
    session: SessionDep, viewer: CurrentViewer, clock: ClockDep, site_id: Ident, as_of: AsOf = None
) -> PosturePublic:
    site = registry.get_record(session, Site, site_id, viewer=viewer, action="risk")
    day = risk.as_of_day(as_of, clock)
    now = risk.record_risk(session, viewer, site, as_of=day)
    planned = risk.record_risk(session, viewer, site, as_of=day, with_planned=True)
    postures = risk.site_postures(session, viewer, [site], as_of=day)
    with_planned = risk.site_postures(session, viewer, [site], as_of=day, with_planned=True)
    return PosturePublic(
        site_id=site.id,
        as_of=day,
        posture=postures[site.id].as_dict(),
        posture_with_planned=with_planned[site.id].as_dict(),
        level=now.level,
        score=now.score,
        level_with_planned=planned.level,
        score_with_planned=planned.score,
    )


@router.get(
    "/api/v1/risk/planned-measures",
    summary="Risk now and with the planned measures; planned measures ranked by risk removed",
)
def planned_measures(
    session: SessionDep, viewer: CurrentViewer, clock: ClockDep, as_of: AsOf = None
) -> dict[str, Any]:
    view = risk.planned_measures_view(session, viewer, as_of=risk.as_of_day(as_of, clock))
    return {
        "as_of": view.as_of,
        "sites": view.sites,
        "ranked": [{**e.__dict__, "reduction": e.reduction} for e in view.ranked],
    }


# --- briefing packs ------------------------------------------------------------------------


def _pack_public(p: BriefingPack) -> BriefingPublic:
    return BriefingPublic(
        id=p.id,
        owner_org_id=p.owner_org_id,
        meeting_id=p.meeting_id,
        period_from=p.period_from,
        period_to=p.period_to,
        language=p.language,
        tlp=p.tlp,
        built_at=p.built_at.replace(tzinfo=UTC),  # stored as naive UTC
        built_by=p.built_by,
        records={k: v for k, v in p.records.items() if k != "figure_incident_ids"},
        figures=p.figures,
        sha256=p.sha256,
        has_pdf=p.pdf is not None,
    )


@router.get(
    "/api/v1/briefings", response_model=BriefingsPublic, summary="Your organisation's packs"
)
def list_briefings(session: SessionDep, viewer: CurrentViewer) -> BriefingsPublic:
    rows = briefing.list_packs(session, viewer=viewer)
    return BriefingsPublic(data=[_pack_public(p) for p in rows], count=len(rows))


@router.post(
    "/api/v1/briefings",
    response_model=BriefingPublic,
    status_code=201,
    summary="Build a briefing pack for your organisation",
    responses=responses(404),
)
def build_briefing(
    session: SessionDep, viewer: CurrentViewer, clock: ClockDep, body: BriefingRequest
) -> BriefingPublic:
    """HTML and PDF, with only what your organisation may read, marked with the strictest
    TLP among its records; the records are listed in the audit chain."""
    pack = briefing.build_pack(
        session,
        organisation_id=viewer.organisation_id or 0,
        period_from=body.period_from,
        period_to=body.period_to,
        locale=body.language,
        meeting_id=body.meeting_id,
        viewer=viewer,
        now=clock.now(),
    )
    return _pack_public(pack)


@router.get(
    "/api/v1/briefings/{pack_id}.html",
    summary="A pack as HTML",
    response_class=HTMLResponse,
    responses=responses(404),
)
def briefing_html(session: SessionDep, viewer: CurrentViewer, pack_id: Ident) -> HTMLResponse:
    return HTMLResponse(briefing.get_pack(session, pack_id, viewer=viewer).html)


@router.get(
    "/api/v1/briefings/{pack_id}.pdf",
    summary="A pack as PDF",
    responses={**responses(404), 200: {"content": {"application/pdf": {}}}},
)
def briefing_pdf(session: SessionDep, viewer: CurrentViewer, pack_id: Ident) -> Response:
    pack = briefing.get_pack(session, pack_id, viewer=viewer)
    if pack.pdf is None:
        raise NotFoundError(f"briefing pack {pack.id} was built without a PDF")
    return Response(
        pack.pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="briefing-{pack.id}.pdf"'},
    )


@router.get(
    "/api/v1/briefings/{pack_id}",
    response_model=BriefingPublic,
    summary="A pack's metadata",
    responses=responses(404),
)
def get_briefing(session: SessionDep, viewer: CurrentViewer, pack_id: Ident) -> BriefingPublic:
    return _pack_public(briefing.get_pack(session, pack_id, viewer=viewer))
