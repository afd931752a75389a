"""The incident filters of the map and the incident list: query parameters in, a filter out,
and the options of the filter form (from what the reader may read)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor import taxonomy
from safecorridor.incidents.actors import actor_readable
from safecorridor.incidents.models import Actor, Incident
from safecorridor.incidents.service import IncidentFilter, check_period
from safecorridor.sharing.policy import Viewer, restrict


def incident_filter(
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
    event_type: Annotated[list[str], Query(max_length=20)] = [],  # noqa: B006
    actor: Annotated[str | None, Query(max_length=300)] = None,
    admin1: Annotated[str | None, Query(max_length=100)] = None,
) -> IncidentFilter:
    check_period(since, until)
    return IncidentFilter(
        date_from=since,
        date_to=until,
        event_types=[t[:100] for t in event_type if t],
        actor=(actor or "").strip() or None,
        admin1=(admin1 or "").strip() or None,
    )


WebFilter = Annotated[IncidentFilter, Depends(incident_filter)]


def filter_query(flt: IncidentFilter) -> str:
    """The filter as a query string (links keep it)."""
    pairs: list[tuple[str, str]] = []
    if flt.date_from:
        pairs.append(("since", flt.date_from.isoformat()))
    if flt.date_to:
        pairs.append(("until", flt.date_to.isoformat()))
    pairs += [("event_type", t) for t in flt.event_types]
    if flt.actor:
        pairs.append(("actor", flt.actor))
    if flt.admin1:
        pairs.append(("admin1", flt.admin1))
    return urlencode(pairs)


def filter_choices(session: Session, viewer: Viewer) -> dict[str, Any]:
    """Options of the filter form: event types, actors, provinces (of readable incidents)."""
    provinces = session.scalars(
        restrict(
            select(Incident.admin1).where(Incident.admin1.is_not(None)).distinct(),
            Incident,
            viewer,
        ).order_by(Incident.admin1)
    ).all()
    actors = session.scalars(
        select(Actor.name).where(actor_readable(viewer)).order_by(Actor.name)
    ).all()
    return {
        "event_types": list(taxonomy.event_types()),
        "actors": list(actors),
        "provinces": [p for p in provinces if p],
    }
