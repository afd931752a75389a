"""The timeline: incidents per week or month, by event type, with fatality sums.

Computed from the incidents the reader may read (``incidents.service.filtered_query``); the
read of AMBER-or-stricter incidents is audited.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy.orm import Session

from safecorridor.incidents.models import Incident
from safecorridor.incidents.service import IncidentFilter, filtered_query
from safecorridor.sharing.audit import append_event, sha256_json
from safecorridor.sharing.policy import AUDITED_TLP, Viewer

Granularity = Literal["week", "month"]
#: the most periods a timeline has (about 38 years of weeks)
MAX_PERIODS = 2000


def period_start(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_period(day: date, granularity: str) -> date:
    if granularity == "week":
        return day + timedelta(days=7)
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def bucket(
    rows: list[tuple[date, str, int | None, int | None]], granularity: str
) -> dict[str, Any]:
    """Counts by period and event type, and fatality sums, for every period in the range."""
    if not rows:
        return {"granularity": granularity, "periods": [], "types": {}, "fatalities": []}
    first = period_start(min(r[0] for r in rows), granularity)
    last = period_start(max(r[0] for r in rows), granularity)
    periods: list[date] = []
    day = first
    while day <= last and len(periods) < MAX_PERIODS:
        periods.append(day)
        day = next_period(day, granularity)
    index = {p: i for i, p in enumerate(periods)}
    types: dict[str, list[int]] = defaultdict(lambda: [0] * len(periods))
    fatalities = [0] * len(periods)
    foreign = [0] * len(periods)
    for event_date, event_type, killed, foreign_killed in rows:
        i = index.get(period_start(event_date, granularity))
        if i is None:
            continue
        types[event_type][i] += 1
        fatalities[i] += killed or 0
        foreign[i] += foreign_killed or 0
    return {
        "granularity": granularity,
        "periods": [p.isoformat() for p in periods],
        "ends": [(next_period(p, granularity) - timedelta(days=1)).isoformat() for p in periods],
        "types": dict(sorted(types.items())),
        "fatalities": fatalities,
        "foreign_fatalities": foreign,
    }


def timeline(
    session: Session, viewer: Viewer, flt: IncidentFilter, granularity: Granularity
) -> dict[str, Any]:
    """The timeline of the incidents matching ``flt`` that ``viewer`` may read."""
    q = filtered_query(session, flt, viewer=viewer)
    rows = session.execute(
        q.with_only_columns(
            Incident.id,
            Incident.event_date,
            Incident.event_type,
            Incident.fatalities,
            Incident.foreign_fatalities,
            Incident.tlp,
        )
    ).all()
    data = bucket(
        [(r.event_date, r.event_type, r.fatalities, r.foreign_fatalities) for r in rows],
        granularity,
    )
    marked = [r.id for r in rows if r.tlp in AUDITED_TLP]
    if marked:
        append_event(
            session=session,
            viewer=viewer,
            action="timeline",
            record_type="incident",
            details={"record_ids": marked},
            state=sha256_json(sorted(marked)),
        )
    return data
