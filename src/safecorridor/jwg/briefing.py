"""Briefing packs: what a delegation reads before a meeting, built for one organisation.

:func:`collect` gathers, for a recipient organisation and a period, only the records that
organisation may read (``Viewer.for_organisation``: its own, its partners' AMBER, the open
ones; no personal RED grants), and asks the risk service for every figure:

- the period in numbers against the previous period of the same length;
- a map of the period's incidents over the threat surface at the period's end, and a monthly
  trend chart (drawn by ``jwg.render``);
- the significant incidents with their sources (only sources the organisation may read);
- activity by actor, units rolled up to their parent (BLA with the Majeed Brigade);
- sites and routes whose level rose over the period, with the incidents that raised them;
- movements requested, approved, escorted, and incidents near a movement's route while it was
  on the road;
- the state of action items and measures since the last meeting, and the planned measures
  ranked by the risk they remove;
- a one-page summary up front.

The pack carries the strictest TLP marking among every record that went into it
(:func:`strictest`), on every page; :func:`build_pack` stores it and appends one audit event
listing those records (named ones by id; the incidents that only fed figures by count and the
sha256 of their ids, whose full list the stored pack keeps).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation
from safecorridor.alerts.models import Alert
from safecorridor.alerts.service import Recipients, create_alert, members
from safecorridor.clock import naive
from safecorridor.errors import InvalidInputError, NotFoundError
from safecorridor.i18n import N_, gettext
from safecorridor.incidents.models import Actor, Incident, incident_documents
from safecorridor.jwg import service as jwg
from safecorridor.jwg.choices import ActionStatus
from safecorridor.jwg.models import ActionItem, BriefingPack, Meeting
from safecorridor.jwg.pack import LEVELS, MAP_BOX, PackData, Used, strictest
from safecorridor.jwg.schemas import period_begun
from safecorridor.movements.checks import distance_to_polyline_km
from safecorridor.movements.models import Movement
from safecorridor.registry.measures import (
    MeasureChange,
    MeasureState,
    ProtectiveMeasure,
)
from safecorridor.registry.measures import readable as readable_measures
from safecorridor.registry.models import Route, Site
from safecorridor.risk import service as risk
from safecorridor.risk.corridor import score_route
from safecorridor.sharing.audit import append_event
from safecorridor.sharing.policy import Viewer, restrict
from safecorridor.sources.models import Document
from safecorridor.taxonomy.choices import IncidentStatus, RiskLevel

SIGNIFICANT = 12
TREND_MONTHS = 24
#: an incident within this distance of a movement's route while it was on the road counts
MOVEMENT_KM = 25.0


def _incident_rows(session: Session, reader: Viewer, start: date, end: date) -> list[Any]:
    """Confirmed incidents with ``start <= event_date <= end`` the reader may read."""
    q = select(
        Incident.id,
        Incident.event_date,
        Incident.event_type,
        Incident.sub_event_type,
        Incident.fatalities,
        Incident.foreign_fatalities,
        Incident.foreign_nationality,
        Incident.injured,
        Incident.abducted,
        Incident.location,
        Incident.admin1,
        Incident.latitude,
        Incident.longitude,
        Incident.actor1_id,
        Incident.claimed_by_id,
        Incident.target_category,
        Incident.tlp,
    ).where(
        Incident.status == IncidentStatus.CONFIRMED,
        Incident.event_date >= start,
        Incident.event_date <= end,
    )
    return risk.core_rows(session, restrict(q, Incident, reader).order_by(Incident.event_date))


def _numbers(rows: list[Any]) -> dict[str, int]:
    return {
        "incidents": len(rows),
        "fatalities": sum(r.fatalities or 0 for r in rows),
        "foreign_fatalities": sum(r.foreign_fatalities or 0 for r in rows),
        "injured": sum(r.injured or 0 for r in rows),
        "abducted": sum(r.abducted or 0 for r in rows),
        "attacks_on_corridor": sum(
            1 for r in rows if "corridor_project" in (r.target_category or "")
        ),
    }


def _weight(r: Any) -> tuple[int, int, int, int]:
    """Significance: foreign nationals killed, a corridor target, fatalities, recency."""
    return (
        int(r.foreign_fatalities or 0),
        int(
            "corridor_project" in (r.target_category or "")
            or "foreign" in (r.target_category or "")
        ),
        int(r.fatalities or 0),
        r.event_date.toordinal(),
    )


def _sources(session: Session, reader: Viewer, ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The readable sources of each incident: title, publisher, address."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not ids:
        return out
    q = (
        select(incident_documents.c.incident_id, Document)
        .join(Document, Document.id == incident_documents.c.document_id)
        .where(incident_documents.c.incident_id.in_(ids))
    )
    for incident_id, doc in session.execute(restrict(q, Document, reader).order_by(Document.id)):
        out[int(incident_id)].append(
            {
                "id": doc.id,
                "title": doc.title,
                "publisher": doc.publisher,
                "url": doc.url,
                "tlp": doc.tlp,
            }
        )
    return out


def _actors(session: Session, rows: list[Any]) -> list[dict[str, Any]]:
    """Incidents by actor (who claimed it, else the first actor), units under their parent."""
    actors = {a.id: a for a in session.scalars(select(Actor))}

    def top(a: Actor) -> Actor:
        seen = {a.id}
        while a.parent_id is not None and a.parent_id in actors and a.parent_id not in seen:
            a = actors[a.parent_id]
            seen.add(a.id)
        return a

    totals: Counter[int] = Counter()
    fatalities: Counter[int] = Counter()
    units: dict[int, Counter[str]] = defaultdict(Counter)
    for r in rows:
        ident = r.claimed_by_id or r.actor1_id
        if ident is None or ident not in actors:
            continue
        actor = actors[ident]
        parent = top(actor)
        totals[parent.id] += 1
        fatalities[parent.id] += r.fatalities or 0
        if parent.id != actor.id:
            units[parent.id][actor.name] += 1
    return [
        {
            "name": actors[i].name,
            "kind": actors[i].kind,
            "incidents": n,
            "fatalities": fatalities[i],
            "units": sorted(units[i].items(), key=lambda kv: (-kv[1], kv[0])),
        }
        for i, n in sorted(totals.items(), key=lambda kv: (-kv[1], actors[kv[0]].name))
    ]


def _risen(
    session: Session,
    reader: Viewer,
    start: date,
    end: date,
    used: Used,
    *,
    before_surface: Any,
    after_surface: Any,
) -> list[dict[str, Any]]:
    """Sites and routes whose level rose from the period's start to its end, with why (the
    incidents or the road segments that weigh most at the end)."""
    sites = list(session.scalars(restrict(select(Site), Site, reader).order_by(Site.name)))
    routes = list(session.scalars(restrict(select(Route), Route, reader).order_by(Route.name)))
    if not sites and not routes:
        return []
    before = risk.registry_levels(
        session,
        reader,
        as_of=start,
        sites=sites,
        routes=routes,
        audit=False,
        surface=before_surface,
    )
    day_after = end + timedelta(days=1)
    after = risk.registry_levels(
        session,
        reader,
        as_of=day_after,
        sites=sites,
        routes=routes,
        audit=False,
        surface=after_surface,
    )
    postures = risk.site_postures(session, reader, sites, as_of=day_after)
    places = risk.visible_places(session, reader) if routes else None
    out: list[dict[str, Any]] = []
    for kind, objs in (("site", sites), ("route", routes)):
        for obj in objs:
            used.add(kind, obj.id, obj.tlp)
            was, score_was = before[f"{kind}s"][str(obj.id)]
            now, score_now = after[f"{kind}s"][str(obj.id)]
            if LEVELS.index(RiskLevel(now)) <= LEVELS.index(RiskLevel(was)):
                continue
            why: list[dict[str, Any]] = []
            if isinstance(obj, Site):
                details = risk.score_site_with(after_surface, obj, postures[obj.id]).to_dict()
                for c in details.get("top_incidents", [])[:3]:
                    why.append(
                        {
                            "incident_id": c["incident_id"],
                            "event_date": c["event_date"],
                            "event_type": c["event_type"],
                            "place": c["place"],
                            "share": c["share"],
                            "distance_km": c["distance_km"],
                        }
                    )
            else:
                details = score_route(after_surface, obj, places=places).to_dict()
                for seg in details.get("segments", [])[:3]:
                    why.append(
                        {
                            "place": seg.get("place", ""),
                            "start_km": seg.get("start_km", 0.0),
                            "end_km": seg.get("end_km", 0.0),
                            "threat": seg.get("threat", 0.0),
                        }
                    )
            out.append(
                {
                    "kind": kind,
                    "id": obj.id,
                    "name": obj.name,
                    "from": was,
                    "to": now,
                    "score_from": score_was,
                    "score_to": score_now,
                    "why": why,
                }
            )
    return out


def _movements(
    session: Session, reader: Viewer, start: date, end: date, used: Used
) -> dict[str, Any]:
    lo = datetime.combine(start, datetime.min.time())
    hi = datetime.combine(end + timedelta(days=1), datetime.min.time())
    rows = list(
        session.scalars(
            restrict(
                select(Movement).where(
                    Movement.planned_departure < hi,
                    Movement.planned_arrival >= lo,
                ),
                Movement,
                reader,
            ).order_by(Movement.planned_departure)
        )
    )
    requested = [m for m in rows if m.submitted_at is not None and lo <= m.submitted_at < hi]
    approved = [
        m
        for m in rows
        if m.decided_at is not None and lo <= m.decided_at < hi and m.state not in ("rejected",)
    ]
    escorted = [m for m in rows if m.escort_callsign]
    on_road: list[dict[str, Any]] = []
    for m in rows:
        used.add("movement", m.id, m.tlp)
        if m.started_at is None or not m.route_points:
            continue
        until = m.completed_at or hi
        near = session.execute(
            restrict(
                select(
                    Incident.id,
                    Incident.event_date,
                    Incident.latitude,
                    Incident.longitude,
                    Incident.event_type,
                    Incident.tlp,
                ).where(
                    Incident.status == IncidentStatus.CONFIRMED,
                    Incident.event_date >= m.started_at.date(),
                    Incident.event_date <= until.date(),
                ),
                Incident,
                reader,
            ).limit(5000)
        ).all()
        for inc in near:
            km = distance_to_polyline_km(m.route_points, inc.latitude, inc.longitude)
            if km <= MOVEMENT_KM:
                used.add("incident", inc.id, inc.tlp)
                on_road.append(
                    {
                        "movement_id": m.id,
                        "route": m.route_name,
                        "incident_id": inc.id,
                        "event_date": inc.event_date,
                        "event_type": inc.event_type,
                        "km": round(km, 1),
                    }
                )
    return {
        "total": len(rows),
        "requested": len(requested),
        "approved": len(approved),
        "escorted": len(escorted),
        "people": sum(m.people for m in rows),
        "incidents_on_road": on_road,
        "rows": [
            {
                "id": m.id,
                "route": m.route_name,
                "state": m.state,
                "departure": m.planned_departure,
                "people": m.people,
                "level": m.risk_level,
                "escort": bool(m.escort_callsign),
            }
            for m in rows[:30]
        ],
    }


def _actions(
    session: Session, reader: Viewer, since: date, end: date, used: Used, locale: str
) -> dict[str, Any]:
    items = list(
        session.scalars(
            jwg.readable_actions(select(ActionItem), reader)
            .order_by(ActionItem.due_on, ActionItem.id)
            .limit(jwg.MAX_LIST)
        )
    )
    meetings = jwg.meetings_by_id(session, [i.meeting_id for i in items], reader)
    counts: Counter[str] = Counter()
    rows = []
    for i in items:
        used.add("action_item", i.id, i.tlp)
        counts[i.status] += 1
        relevant = i.status in (
            ActionStatus.OPEN,
            ActionStatus.IN_PROGRESS,
            ActionStatus.OVERDUE,
        ) or (i.completed_on is not None and since <= i.completed_on <= end)
        if not relevant:
            continue
        m = meetings.get(i.meeting_id)
        rows.append(
            {
                "id": i.id,
                "title": i.title,
                "owner": i.owner.name,
                "role": i.responsible_role,
                "due_on": i.due_on,
                "status": i.status,
                "completed_on": i.completed_on,
                "open_since": m.number if m is not None else None,
            }
        )
    done_since = sum(
        1 for i in items if i.completed_on is not None and since <= i.completed_on <= end
    )
    return {"counts": dict(counts), "done_since": done_since, "rows": rows[:60]}


def _measures(
    session: Session, reader: Viewer, since: date, end: date, used: Used
) -> dict[str, Any]:
    q = readable_measures(select(ProtectiveMeasure), reader).order_by(ProtectiveMeasure.id)
    measures = list(session.scalars(q.limit(5000)))
    ids = [m.id for m in measures]
    for m in measures:
        used.add("measure", m.id, m.tlp)
    changes = (
        list(
            session.scalars(
                select(MeasureChange)
                .where(
                    MeasureChange.measure_id.in_(ids),
                    MeasureChange.effective_on >= since,
                    MeasureChange.effective_on <= end,
                )
                .order_by(MeasureChange.effective_on, MeasureChange.id)
            )
        )
        if ids
        else []
    )
    by_id = {m.id: m for m in measures}
    states = Counter(m.state for m in measures)
    return {
        "states": dict(states),
        "in_place_since": sum(1 for c in changes if c.to_state == MeasureState.IN_PLACE),
        "lapsed_since": sum(1 for c in changes if c.to_state == MeasureState.LAPSED),
        "changes": [
            {
                "measure_id": c.measure_id,
                "subject": by_id[c.measure_id].subject_name,
                "kind": by_id[c.measure_id].kind,
                "from": c.from_state,
                "to": c.to_state,
                "on": c.effective_on,
                "illustrative": by_id[c.measure_id].is_illustrative,
            }
            for c in changes[:60]
        ],
    }


def _trend(
    session: Session, reader: Viewer, end: date
) -> tuple[dict[str, Any], list[int], set[str]]:
    """Incidents and fatalities per month over the last months up to ``end``."""
    first = risk.monthly_days(end, TREND_MONTHS)[0]
    rows = _incident_rows(session, reader, first, end)
    months: list[date] = []
    y, m = first.year, first.month
    while date(y, m, 1) <= end:
        months.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    index = {(d.year, d.month): i for i, d in enumerate(months)}
    counts = [0] * len(months)
    killed = [0] * len(months)
    for r in rows:
        i = index.get((r.event_date.year, r.event_date.month))
        if i is not None:
            counts[i] += 1
            killed[i] += r.fatalities or 0
    return (
        {"months": months, "incidents": counts, "fatalities": killed},
        [r.id for r in rows],
        {str(r.tlp) for r in rows},
    )


def collect(
    session: Session,
    *,
    organisation_id: int,
    period_from: date,
    period_to: date,
    locale: str = "en",
    meeting_id: int | None = None,
) -> PackData:
    """What the pack for ``organisation_id`` over the period shows (see the module)."""
    if period_to < period_from:
        raise InvalidInputError("the period ends before it starts")
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFoundError(f"no organisation with id {organisation_id}")
    reader = Viewer.for_organisation(organisation_id)
    used = Used()
    meeting = None
    if meeting_id is not None:
        meeting = jwg.get_meeting(session, meeting_id, viewer=reader, action=None)
        used.add("meeting", meeting.id, meeting.tlp)
    length = (period_to - period_from).days + 1
    previous_to = period_from - timedelta(days=1)
    previous_from = previous_to - timedelta(days=length - 1)
    since = period_from
    if meeting is not None:
        last = jwg.previous_meeting(session, meeting, reader)
        if last is not None:
            since = last.held_on
            used.add("meeting", last.id, last.tlp)

    now_rows = _incident_rows(session, reader, period_from, period_to)
    before_rows = _incident_rows(session, reader, previous_from, previous_to)
    for r in (*now_rows, *before_rows):
        used.feeding.add(r.id)
        used.markings.add(str(r.tlp))
    numbers = {"now": _numbers(now_rows), "before": _numbers(before_rows)}
    types_now = Counter(r.event_type for r in now_rows)
    types_before = Counter(r.event_type for r in before_rows)
    by_type = [
        {"event_type": t, "now": types_now.get(t, 0), "before": types_before.get(t, 0)}
        for t in sorted(set(types_now) | set(types_before))
    ]

    best = sorted(now_rows, key=_weight, reverse=True)[:SIGNIFICANT]
    sources = _sources(session, reader, [r.id for r in best])
    significant = []
    for r in best:
        used.add("incident", r.id, r.tlp)
        for s in sources.get(r.id, []):
            used.add("document", s["id"], s["tlp"])
        significant.append(
            {
                "id": r.id,
                "event_date": r.event_date,
                "event_type": r.event_type,
                "sub_event_type": r.sub_event_type,
                "location": r.location,
                "admin1": r.admin1,
                "fatalities": r.fatalities or 0,
                "foreign_fatalities": r.foreign_fatalities or 0,
                "foreign_nationality": r.foreign_nationality,
                "tlp": r.tlp,
                "sources": sources.get(r.id, []),
            }
        )

    trend, trend_ids, trend_markings = _trend(session, reader, period_to)
    used.feeding.update(trend_ids)
    used.markings.update(trend_markings)

    # two surfaces over the whole map serve every figure: the period's start and its end,
    # from one read of the incidents and one grid of cells, kept for the same pack in the
    # other language or as PDF (until an incident changes)
    start_surface, surface = risk.surfaces_for(
        session,
        reader,
        days=[period_from, period_to + timedelta(days=1)],
        box=MAP_BOX,
        audit=False,
        cached=True,
    )
    surface_ids = surface.incidents.ids.tolist()
    used.feeding.update(surface_ids)
    if surface_ids:
        used.markings.update(
            str(t)
            for t in session.scalars(
                restrict(
                    select(Incident.tlp)
                    .where(
                        Incident.status == IncidentStatus.CONFIRMED,
                        Incident.event_date <= period_to,
                        Incident.longitude.between(MAP_BOX[0] - 1, MAP_BOX[2] + 1),
                        Incident.latitude.between(MAP_BOX[1] - 1, MAP_BOX[3] + 1),
                    )
                    .distinct(),
                    Incident,
                    reader,
                )
            )
        )
    sites = list(session.scalars(restrict(select(Site), Site, reader).order_by(Site.name)))

    risen = _risen(
        session,
        reader,
        period_from,
        period_to,
        used,
        before_surface=start_surface,
        after_surface=surface,
    )
    for row in risen:
        for w in row["why"]:
            if "incident_id" in w:
                used.feeding.add(int(w["incident_id"]))
    movements = _movements(session, reader, period_from, period_to, used)
    actions = _actions(session, reader, since, period_to, used, locale)
    measures = _measures(session, reader, since, period_to, used)
    view = risk.planned_measures_view(
        session, reader, as_of=period_to + timedelta(days=1), surface=surface
    )
    planned = [
        {
            "measure_id": e.measure_id,
            "site": e.site_name,
            "kind": e.kind,
            "level_now": e.level_now,
            "level_with": e.level_with,
            "score_now": e.score_now,
            "score_with": e.score_with,
            "reduction": e.reduction,
        }
        for e in view.ranked[:8]
    ]
    data = PackData(
        organisation=org,
        period_from=period_from,
        period_to=period_to,
        previous_from=previous_from,
        previous_to=previous_to,
        since=since,
        meeting=meeting,
        numbers=numbers,
        by_type=by_type,
        significant=significant,
        actors=_actors(session, now_rows),
        risen=risen,
        movements=movements,
        actions=actions,
        measures=measures,
        planned=planned,
        map_points=[
            (r.latitude, r.longitude, int(r.fatalities or 0), r.event_type) for r in now_rows
        ],
        map_sites=[(s.latitude, s.longitude, s.name) for s in sites],
        surface=surface,
        trend=trend,
        used=used,
    )
    data.tlp = strictest(used.markings)
    return data


def pack_sha256(html: str, pdf: bytes | None) -> str:
    h = hashlib.sha256(html.encode("utf-8"))
    if pdf:
        h.update(pdf)
    return h.hexdigest()


def build_pack(
    session: Session,
    *,
    organisation_id: int,
    period_from: date,
    period_to: date,
    locale: str = "en",
    meeting_id: int | None = None,
    built_by: str = "system",
    viewer: Viewer | None = None,
    now: datetime,
    with_pdf: bool = True,
) -> BriefingPack:
    """Collect, render (HTML, and PDF through WeasyPrint), store and audit a pack. A period
    that starts after the day of ``now`` (the app's clock) is refused, naming ``period_from``.

    With a ``viewer`` (a person building from the web or the API): only for their own
    organisation, since the pack shows what that organisation may read.
    """
    from safecorridor.jwg import render  # matplotlib and WeasyPrint: loaded for packs only

    period_begun(period_from, today=naive(now).date())  # nothing to show of days to come
    if viewer is not None:
        if not viewer.is_person or viewer.organisation_id != organisation_id:
            raise NotFoundError(
                "a briefing pack is built for your own organisation; packs for other "
                "organisations are built by the worker or on the server's command line"
            )
        built_by = viewer.email
    data = collect(
        session,
        organisation_id=organisation_id,
        period_from=period_from,
        period_to=period_to,
        locale=locale,
        meeting_id=meeting_id,
    )
    data.built_at = now.replace(tzinfo=None)
    html = render.pack_html(data, locale)
    pdf = render.pack_pdf(html) if with_pdf else None
    records = data.used.records()
    figures = {
        "numbers": data.numbers,
        "risen": len(data.risen),
        "significant": [s["id"] for s in data.significant],
    }
    pack = BriefingPack(
        owner_org_id=organisation_id,
        meeting_id=meeting_id,
        period_from=period_from,
        period_to=period_to,
        language=locale,
        tlp=data.tlp,
        built_at=data.built_at,
        built_by=built_by,
        records={**records, "figure_incident_ids": sorted(data.used.feeding)},
        figures=figures,
        sha256=pack_sha256(html, pdf),
        html=html,
        pdf=pdf,
    )
    session.add(pack)
    session.flush()
    append_event(
        session=session,
        viewer=viewer,
        action="briefing",
        record_type="briefing",
        record_id=pack.id,
        state=pack.sha256,
        details={
            "organisation_id": organisation_id,
            "period": [period_from.isoformat(), period_to.isoformat()],
            "language": locale,
            "tlp": data.tlp,
            "records": records,
        },
        actor=None if viewer is not None else built_by,
    )
    return pack


def get_pack(session: Session, pack_id: int, *, viewer: Viewer | None) -> BriefingPack:
    """A pack, for members of the organisation it was built for (or a trusted caller)."""
    pack = session.get(BriefingPack, pack_id)
    if pack is None or (viewer is not None and pack.owner_org_id != viewer.organisation_id):
        scope = " that you may read" if viewer is not None else ""
        raise NotFoundError(f"no briefing pack with id {pack_id}{scope}")
    return pack


def list_packs(session: Session, *, viewer: Viewer | None, limit: int = 100) -> list[BriefingPack]:
    q = select(BriefingPack).order_by(BriefingPack.built_at.desc(), BriefingPack.id.desc())
    if viewer is not None:
        q = q.where(BriefingPack.owner_org_id == viewer.organisation_id)
    return list(session.scalars(q.limit(limit)))


# --- packs for a meeting's delegations (the worker) ----------------------------------------

#: the alert kind of a pack sent to a delegation (the e-mail carries the PDF)
PACK_ALERT = "briefing_pack"
#: a pack's alert, in its delegation's language
PACK_TITLE = N_("Briefing pack for the %(n)s meeting (%(day)s), TLP:%(tlp)s")
PACK_TITLE_UNREAD = N_("Briefing pack for the meeting of %(day)s, TLP:%(tlp)s")
PACK_BODY = N_(
    "The pack covers %(start)s to %(end)s and holds only what your organisation may read. "
    "Its marking, TLP:%(tlp)s, applies to the attached PDF."
)
#: the period a pack covers when the series has no earlier meeting
DEFAULT_PERIOD_DAYS = 90


def due_meetings(session: Session, *, today: date, days_before: int) -> list[Meeting]:
    """Meetings ahead of ``today`` by at most ``days_before`` days."""
    return list(
        session.scalars(
            select(Meeting)
            .where(Meeting.held_on > today, Meeting.held_on <= today + timedelta(days=days_before))
            .order_by(Meeting.held_on, Meeting.id)
        )
    )


def pack_key(meeting_id: int, organisation_id: int) -> str:
    return f"briefing:meeting:{meeting_id}:org:{organisation_id}"


def send_meeting_packs(
    session: Session, *, meeting: Meeting, now: datetime, max_attempts: int | None = None
) -> int:
    """Build each delegation's pack (in its language, over the time since the series' last
    meeting that delegation may read) and send it: in-app to the organisation's active
    members, by e-mail with the PDF attached. Once per meeting and delegation (the alert's
    key); returns the packs sent."""
    sent = 0
    day = now.date()
    for delegation in meeting.delegations:
        org_id = delegation.organisation_id
        key = pack_key(meeting.id, org_id)
        if session.scalar(select(Alert.id).where(Alert.key == key)) is not None:
            continue
        reader = Viewer.for_organisation(org_id)
        readable = session.scalar(
            restrict(select(Meeting.id).where(Meeting.id == meeting.id), Meeting, reader)
        )
        last = jwg.previous_meeting(session, meeting, reader)
        start = last.held_on if last is not None else day - timedelta(days=DEFAULT_PERIOD_DAYS)
        start = min(start, day)  # the series' last meeting may be ahead too: no pack of the future
        end = max(start, day - timedelta(days=1))
        pack = build_pack(
            session,
            organisation_id=org_id,
            period_from=start,
            period_to=end,
            locale=delegation.language,
            meeting_id=meeting.id if readable is not None else None,
            built_by="worker",
            now=now,
        )
        recipients = Recipients()
        recipients.add_users(members(session, org_id), in_app=True, email=True)
        # in the delegation's language, as its pack
        lang = delegation.language
        title = (
            gettext(PACK_TITLE, lang)
            % {"n": jwg.ordinal(meeting.number, lang), "day": meeting.held_on, "tlp": pack.tlp}
            if readable is not None
            else gettext(PACK_TITLE_UNREAD, lang) % {"day": meeting.held_on, "tlp": pack.tlp}
        )
        if create_alert(
            session,
            key=key,
            organisation_id=org_id,
            kind=PACK_ALERT,
            title=title,
            body=gettext(PACK_BODY, lang) % {"start": start, "end": end, "tlp": pack.tlp},
            subject_type="briefing",
            subject_id=pack.id,
            payload={
                "briefing_id": pack.id,
                "tlp": pack.tlp,
                # the id of a meeting the delegation may not read is not theirs to look up
                "meeting_id": meeting.id if readable is not None else None,
            },
            recipients=recipients,
            now=now,
            max_attempts=max_attempts,
        ):
            pack.sent_at = now.replace(tzinfo=None)
            sent += 1
    return sent


def pack_attachments(
    session: Session, payload: dict[str, Any]
) -> tuple[tuple[str, str, bytes], ...]:
    """The PDF (else the HTML) of the pack an alert names, as e-mail attachments."""
    ident = payload.get("briefing_id")
    if not isinstance(ident, int):
        return ()
    pack = session.get(BriefingPack, ident)
    if pack is None:
        return ()
    if pack.pdf:
        return ((f"briefing-{pack.id}-TLP-{pack.tlp}.pdf", "application/pdf", pack.pdf),)
    return ((f"briefing-{pack.id}.html", "text/html", pack.html.encode("utf-8")),)


def count_items(session: Session, organisation_id: int) -> int:
    """How many action items the organisation owns (a test helper and the board's badge)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(ActionItem)
            .where(ActionItem.owner_org_id == organisation_id)
        )
        or 0
    )
