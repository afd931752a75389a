"""Merging: which incident a candidate describes, and folding a candidate into an incident.

Two reports describe the same event when

* their **dates** are compatible within their precision: a month-precision "April 2022" covers
  every day of April, so it is compatible with 2022-04-26; two day-precision dates may differ by
  ``date_slack_days`` (night events are reported on either day);
* their **places** are within ``max_km`` (default 25 km) when both are exact (geo_precision 1);
  district-level places (2) also match within the same admin2 or twice the distance;
  province-level places (3) match within the same admin1;
* their **kinds** are compatible: violent events with violent events (a "suicide attack" and
  a "bombing" are one event reported twice), arrests with arrests, meetings and agreements
  with each other, threats with threats;
* their **actors overlap** when both name some: the Majeed Brigade overlaps with the BLA
  (a unit and its parent).

The incident keeps the best-precision value of each field: a day beats a month, geo_precision
1 beats 3, a known count beats an unknown one. A machine merge never overwrites a known value:
differing values (fatalities 9 vs 10) are recorded in ``incident.extra["disagreements"]`` and
in the history, for the analyst to settle.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from safecorridor.geo import cell_of, haversine_km
from safecorridor.incidents.actors import (
    ActorResolver,
    actor_shown_with,
    alias_key,
    find_actor,
)
from safecorridor.incidents.models import Actor, Incident, IncidentChange
from safecorridor.review.models import Candidate
from safecorridor.settings import get_settings
from safecorridor.sharing.policy import at_least_as_strict
from safecorridor.taxonomy.choices import IncidentStatus

DEFAULT_MAX_KM = 25.0
DATE_SLACK_DAYS = 1
PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
COUNT_FIELDS = ("fatalities", "foreign_fatalities", "injured", "abducted")
VIOLENT_TYPES = {"Battles", "Explosions/Remote violence", "Violence against civilians"}
_KIND_GROUP = {
    "attack": "violence",
    "bombing": "violence",
    "suicide_attack": "violence",
    "armed_clash": "violence",
    "abduction": "abduction",
    "arrest": "arrest",
    "meeting": "talks",
    "agreement": "talks",
    "threat": "threat",
}


@dataclass
class MergeCriteria:
    """How close two reports must be to describe one event."""

    max_km: float = DEFAULT_MAX_KM
    date_slack_days: int = DATE_SLACK_DAYS


@dataclass
class MergeOutcome:
    """What folding a candidate into an incident changed and where the sources disagree."""

    changes: dict[str, list[Any]] = field(default_factory=dict)
    disagreements: dict[str, list[Any]] = field(default_factory=dict)


# ---------------------------------------------------------------- compatibility


def shifted(value: date, days: int) -> date:
    """``value`` moved by ``days``, held at the calendar's ends: a day stored before the
    record's years were checked (0001-01-01, 9999-12-31) must not break a page."""
    try:
        return value + timedelta(days=days)
    except OverflowError:
        return date.min if days < 0 else date.max


def date_interval(value: date, precision: str | None) -> tuple[date, date]:
    """The days a date of the given precision may stand for."""
    if precision == "year":
        return date(value.year, 1, 1), date(value.year, 12, 31)
    if precision == "month":
        last = calendar.monthrange(value.year, value.month)[1]
        return date(value.year, value.month, 1), date(value.year, value.month, last)
    if precision == "week":
        monday = shifted(value, -value.weekday())
        return monday, shifted(monday, 6)
    return value, value


def dates_compatible(
    a: date, pa: str | None, b: date, pb: str | None, *, slack_days: int = DATE_SLACK_DAYS
) -> bool:
    a0, a1 = date_interval(a, pa)
    b0, b1 = date_interval(b, pb)
    return a0 <= shifted(b1, slack_days) and b0 <= shifted(a1, slack_days)


def _same(x: str | None, y: str | None) -> bool:
    return bool(x and y and alias_key(x) == alias_key(y))


def places_compatible(c: Candidate, inc: Incident, *, max_km: float = DEFAULT_MAX_KM) -> bool:
    if c.latitude is None or c.longitude is None:
        return False
    km = haversine_km(c.latitude, c.longitude, inc.latitude, inc.longitude)
    worst = max(c.geo_precision or 3, inc.geo_precision or 1)
    if worst <= 1:
        return km <= max_km
    if worst == 2:
        return km <= 2 * max_km or _same(c.admin2, inc.admin2)
    if c.admin1 and inc.admin1:
        return _same(c.admin1, inc.admin1)
    return km <= 8 * max_km


def kind_group(kind: str | None, event_type: str | None, sub_event_type: str | None) -> str:
    """The family a kind (or, for records without one, an ACLED type) belongs to."""
    if kind and kind in _KIND_GROUP:
        return _KIND_GROUP[kind]
    if sub_event_type == "Abduction/forced disappearance":
        return "abduction"
    if event_type in VIOLENT_TYPES:
        return "violence"
    if event_type == "Strategic developments":
        if sub_event_type == "Arrests":
            return "arrest"
        if sub_event_type == "Agreement":
            return "talks"
        return f"strategic:{kind or sub_event_type}"
    return f"{event_type}:{sub_event_type}"


def candidate_group(c: Candidate) -> str:
    return kind_group(c.kind, c.event_type, c.sub_event_type)


def incident_group(inc: Incident) -> str:
    kind = inc.extra.get("kind") if isinstance(inc.extra, dict) else None
    return kind_group(kind, inc.event_type, inc.sub_event_type)


def _lineage(actor: Actor) -> set[str]:
    """An actor's name and its parents' names (as lookup keys)."""
    out: set[str] = set()
    cur: Actor | None = actor
    while cur is not None and alias_key(cur.name) not in out:
        out.add(alias_key(cur.name))
        cur = cur.parent
    return out


def _actor_keys(
    session: Session, names: list[str | None], *, tlp: str, owner_org_id: int | None
) -> set[str]:
    """The lookup keys of ``names`` and of the parents of the actors they name, among the
    actors every reader of a record (``tlp``, ``owner_org_id``) may read: an actor known only
    from other hidden records lends neither its aliases nor its parents to a comparison."""
    keys: set[str] = set()
    for name in names:
        if not name:
            continue
        actor = find_actor(session, name, among=actor_shown_with(tlp, owner_org_id))
        keys |= _lineage(actor) if actor is not None else {alias_key(name)}
    return keys


def candidate_actor_names(c: Candidate) -> list[str | None]:
    names: list[str | None] = [c.perpetrator, c.perpetrator_parent, c.claimed_by]
    if candidate_group(c) != "violence":
        names += list(c.actors or [])
    return names


def actors_compatible(session: Session, c: Candidate, inc: Incident) -> bool:
    mine = _actor_keys(session, candidate_actor_names(c), tlp=c.tlp, owner_org_id=c.owner_org_id)
    theirs: set[str] = set()
    for actor in (inc.actor1, inc.actor2, inc.claimed_by):
        if actor is not None:
            theirs |= _lineage(actor)
    return not mine or not theirs or bool(mine & theirs)


def is_same_event(
    session: Session, c: Candidate, inc: Incident, criteria: MergeCriteria | None = None
) -> bool:
    crit = criteria or MergeCriteria()
    if c.event_date is None:
        return False
    return (
        candidate_group(c) == incident_group(inc)
        and dates_compatible(
            c.event_date,
            c.date_precision,
            inc.event_date,
            inc.date_precision,
            slack_days=crit.date_slack_days,
        )
        and places_compatible(c, inc, max_km=crit.max_km)
        and actors_compatible(session, c, inc)
    )


def find_matching_incident(
    session: Session,
    c: Candidate,
    criteria: MergeCriteria | None = None,
    eligible: Callable[[Incident], bool] | None = None,
) -> Incident | None:
    """The confirmed incident the candidate most likely describes (closest in time, then
    space), or None. Incidents already sourced by the candidate's document never match: one
    report's several events are different events. ``eligible`` limits the incidents that may
    match (the API: those the reviewer may read and change). An incident marked more openly
    than the candidate never matches: merging would show the candidate's source to readers
    its marking excludes."""
    crit = criteria or MergeCriteria()
    if c.event_date is None or c.latitude is None or c.longitude is None:
        return None
    start, end = date_interval(c.event_date, c.date_precision)
    q = (
        select(Incident)
        .where(Incident.status == IncidentStatus.CONFIRMED)
        .where(
            or_(
                Incident.event_date.between(
                    shifted(start, -40), shifted(end, crit.date_slack_days)
                ),
                and_(
                    Incident.date_precision == "year",
                    Incident.event_date.between(date(start.year, 1, 1), date(end.year, 12, 31)),
                ),
            )
        )
        .options(
            selectinload(Incident.documents),
            selectinload(Incident.actor1),
            selectinload(Incident.actor2),
            selectinload(Incident.claimed_by),
        )
        .order_by(Incident.id)
    )
    best: tuple[float, float, int] | None = None
    found: Incident | None = None
    for inc in session.scalars(q):
        if any(d.id == c.document_id for d in inc.documents):
            continue
        if not at_least_as_strict(inc.tlp, c.tlp):  # never shown to readers the source excludes
            continue
        if not is_same_event(session, c, inc, crit):
            continue
        if eligible is not None and not eligible(inc):
            continue
        i0, i1 = date_interval(inc.event_date, inc.date_precision)
        gap = max(0, (i0 - end).days, (start - i1).days)
        km = haversine_km(c.latitude, c.longitude, inc.latitude, inc.longitude)
        key = (float(gap), km, inc.id)
        if best is None or key < best:
            best, found = key, inc
    return found


# ---------------------------------------------------------------- folding in


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _disagree(
    inc: Incident, name: str, record_value: Any, c: Candidate, value: Any, out: MergeOutcome
) -> None:
    out.disagreements[name] = [_iso(record_value), _iso(value)]
    extra = dict(inc.extra or {})
    table: dict[str, list[dict[str, Any]]] = {
        k: list(v) for k, v in (extra.get("disagreements") or {}).items()
    }
    entries = table.setdefault(name, [])
    if not entries:
        first = inc.extra.get("candidate_ids", [None])[0] if inc.extra else None
        entries.append({"value": _iso(record_value), "candidate_id": first, "document_id": None})
    if not any(e.get("candidate_id") == c.id for e in entries):
        entries.append({"value": _iso(value), "candidate_id": c.id, "document_id": c.document_id})
    extra["disagreements"] = table
    inc.extra = extra


def _set(inc: Incident, name: str, value: Any, out: MergeOutcome) -> None:
    old = getattr(inc, name)
    if old != value:
        out.changes[name] = [_iso(old), _iso(value)]
        setattr(inc, name, value)


def merge_into_incident(
    session: Session,
    inc: Incident,
    c: Candidate,
    *,
    changed_by: str,
    resolver: ActorResolver | None = None,
    action: str = "merged",
    note: dict[str, Any] | None = None,
) -> MergeOutcome:
    """Fold candidate ``c`` into incident ``inc``: add its document as a source, take its
    better-precision values, record disagreements, and write one history entry."""
    out = MergeOutcome()
    resolver = resolver or ActorResolver(session, changed_by=changed_by)

    # when: a finer date inside the record's interval wins
    if c.event_date is not None:
        rank_c = PRECISION_RANK.get(c.date_precision or "day", 0)
        rank_i = PRECISION_RANK.get(inc.date_precision, 0)
        compatible = dates_compatible(
            c.event_date, c.date_precision, inc.event_date, inc.date_precision, slack_days=0
        )
        if rank_c < rank_i and compatible:
            _set(inc, "event_date", c.event_date, out)
            _set(inc, "date_precision", c.date_precision or "day", out)
        elif rank_c == rank_i == 0 and c.event_date != inc.event_date:
            _disagree(inc, "event_date", inc.event_date, c, c.event_date, out)

    # where: a finer place wins
    if (
        c.latitude is not None
        and c.longitude is not None
        and c.geo_precision is not None
        and c.geo_precision < (inc.geo_precision or 3)
    ):
        for name, value in (
            ("latitude", c.latitude),
            ("longitude", c.longitude),
            ("geo_precision", c.geo_precision),
            ("location", c.location or c.city),
            ("admin1", c.admin1 or inc.admin1),
            ("admin2", c.admin2 or inc.admin2),
        ):
            _set(inc, name, value, out)
        inc.h3_cell = cell_of(inc.latitude, inc.longitude, get_settings().h3_incident_resolution)

    # what
    if c.sub_event_type and c.event_type == inc.event_type and inc.sub_event_type is None:
        _set(inc, "sub_event_type", c.sub_event_type, out)
    elif c.sub_event_type and c.sub_event_type != inc.sub_event_type:
        _disagree(inc, "sub_event_type", inc.sub_event_type, c, c.sub_event_type, out)
    if c.target:
        have = [t for t in (inc.target_category or "").split(",") if t]
        more = [t for t in c.target.split(",") if t and t not in have]
        if more:
            _set(inc, "target_category", ",".join(have + more), out)

    # how many: a known count beats an unknown one; differing counts are disagreements
    for name in COUNT_FIELDS:
        value = getattr(c, name)
        if value is None:
            continue
        current = getattr(inc, name)
        if current is None:
            if (
                name == "foreign_fatalities"
                and inc.fatalities is not None
                and value > inc.fatalities
            ):
                _disagree(inc, name, current, c, value, out)
                continue
            _set(inc, name, value, out)
        elif current != value:
            _disagree(inc, name, current, c, value, out)
    if c.foreign_nationality:
        if inc.foreign_nationality is None:
            _set(inc, "foreign_nationality", c.foreign_nationality, out)
        elif not _same(inc.foreign_nationality, c.foreign_nationality):
            _disagree(
                inc, "foreign_nationality", inc.foreign_nationality, c, c.foreign_nationality, out
            )

    # who: fill unknown actors; a name outside the record's actors (and their parents) is a
    # disagreement
    for name, value in (("actor1", c.perpetrator), ("claimed_by", c.claimed_by)):
        if not value:
            continue
        actor: Actor | None = getattr(inc, name)
        if actor is None:
            actor_id = resolver.resolve(value, tlp=inc.tlp, owner_org_id=inc.owner_org_id)
            out.changes[name] = [None, value]
            setattr(inc, f"{name}_id", actor_id)
        else:
            mine = _actor_keys(session, [value], tlp=inc.tlp, owner_org_id=inc.owner_org_id)
            if not (mine & _lineage(actor)):
                _disagree(inc, name, actor.name, c, value, out)

    # sources
    if all(d.id != c.document_id for d in inc.documents):
        inc.documents.append(c.document)
    publisher = c.document.publisher if c.document is not None else None
    if publisher and publisher not in (inc.source or "").split("; "):
        _set(inc, "source", "; ".join(x for x in (inc.source, publisher) if x), out)
    extra = dict(inc.extra or {})
    ids = list(extra.get("candidate_ids") or [])
    if c.id not in ids:
        ids.append(c.id)
    extra["candidate_ids"] = ids
    inc.extra = extra

    changes: dict[str, Any] = {"candidate": c.id, "document": c.document_id}
    changes.update(note or {})
    if out.changes:
        changes["fields"] = out.changes
    if out.disagreements:
        changes["disagreements"] = out.disagreements
    inc.history.append(IncidentChange(changed_by=changed_by, action=action, changes=changes))
    session.flush()
    session.expire(inc, ["actor1", "claimed_by"])
    return out
