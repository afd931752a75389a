"""The one risk service: every figure shown to someone, computed from what they may read.

Surface cells, site and route scores, trends, the map's levels, movement risk and alert
levels are all computed here, for a *reader*: a :class:`~safecorridor.sharing.policy.Viewer`
(a signed-in person, or :meth:`Viewer.for_organisation` for work done on an organisation's
behalf, such as alert rules) or ``None`` for a trusted local caller (the CLI on the server).
The incidents that feed a figure are read through ``sharing.policy.restrict``, so no figure
ever counts an incident its reader may not read. When AMBER-or-stricter incidents contribute,
the read is recorded in the audit chain.

Boxes are (west, south, east, north) in degrees; a figure at a place needs the incidents
within the policy's reach of it (the kernel's radius, or the probability radius when wider),
so boxes are padded by ``policy.reach_km`` (:func:`pad_box`, the one padding rule). The policy
is the deployment's active one (``risk.policies.active_policy``) as served to the reader at the
figure's date (:func:`policy_for`): recalibrated each quarter on the incidents that reader may
read, when the policy asks for it, so even the fitted parameters derive from readable records.

Surfaces of several days over one box (a briefing pack's start and end) come from one read and
one grid (:func:`surfaces_for`), with the same figures as one :func:`surface_for` per day;
they may be kept in the process's cache, keyed by the reader's visibility like the served map
(``risk.cache``), so no reader ever gets a surface holding an incident they may not read.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation, User
from safecorridor.clock import Clock, system_clock, today
from safecorridor.errors import InvalidInputError
from safecorridor.geo import EARTH_RADIUS_KM
from safecorridor.incidents.models import Incident, read_incidents_epoch, wrote_incidents
from safecorridor.registry.measures import (
    PLANNED_STATES,
    Posture,
    ProtectiveMeasure,
    contribution,
    postures_at,
)
from safecorridor.registry.measures import readable as readable_measures
from safecorridor.registry.models import Route, Site
from safecorridor.risk.cache import (
    NARROW_BOX_DEGREES,
    CachedSurface,
    SurfaceCache,
    day_surfaces,
    figure_surfaces,
    served_policies,
    surfaces,
    wide_surfaces,
)
from safecorridor.risk.calibrate import quarter_start, served_policy
from safecorridor.risk.corridor import Places, RouteRisk, route_risk, score_route, world_places
from safecorridor.risk.data import STORE_COLUMNS, IncidentArrays, arrays_of_rows, read_store
from safecorridor.risk.models import RiskResult
from safecorridor.risk.policies import DatabaseFits, active_policy
from safecorridor.risk.policy import Policy, load_policy
from safecorridor.risk.scoring import SiteRisk, site_risk
from safecorridor.risk.surface import KernelGrid, ThreatSurface, compute_surface
from safecorridor.sharing.audit import audit_reads, record_read, sha256_json
from safecorridor.sharing.models import RecordGrant
from safecorridor.sharing.policy import (
    AUDITED_TLP,
    Viewer,
    record_type,
    restrict,
    visibility_key,
)
from safecorridor.taxonomy.choices import IncidentStatus

Box = tuple[float, float, float, float]

#: the largest box a surface is served for (degrees of latitude / longitude)
MAX_BOX_DEGREES = 12.0


def current_policy(session: Session | None = None) -> Policy:
    """The policy figures are computed with: the deployment's active one (``risk policy
    activate``), else the shipped, calibrated default."""
    if session is None:
        return load_policy(None)
    return active_policy(session)


def as_of_day(value: date | None, clock: Clock = system_clock) -> date:
    """``value``, or the clock's today; refused outside 1900..2200."""
    day = value or today(clock)
    if day.year < 1900 or day.year > 2200:
        raise InvalidInputError(f"as_of must be a day between 1900 and 2200 (got {day})")
    return day


def pad_box(box: Box, km: float) -> Box:
    """``box`` grown by ``km`` on every side (clamped to the globe)."""
    w, s, e, n = box
    dlat = math.degrees(km / EARTH_RADIUS_KM)
    mid = math.radians(max(abs(s), abs(n)))
    dlon = math.degrees(km / (EARTH_RADIUS_KM * max(math.cos(mid), 1e-6)))
    return (max(w - dlon, -180), max(s - dlat, -90), min(e + dlon, 180), min(n + dlat, 90))


def box_of(points: list[tuple[float, float]] | list[list[float]]) -> Box:
    """The box around (lat, lon) points."""
    lats = [float(p[0]) for p in points]
    lons = [float(p[1]) for p in points]
    return (min(lons), min(lats), max(lons), max(lats))


def record_box(obj: Site | Route) -> Box:
    if isinstance(obj, Site):
        return (obj.longitude, obj.latitude, obj.longitude, obj.latitude)
    return box_of(obj.points)


# --- the incidents a figure is computed from ----------------------------------------------------


def _visible_marked(
    session: Session, reader: Viewer | None, *, as_of: date, box: Box | None
) -> tuple[IncidentArrays, np.ndarray]:
    """Confirmed incidents before ``as_of`` in ``box`` that ``reader`` may read, as arrays,
    and the AMBER-or-stricter mask over them."""
    q = select(*STORE_COLUMNS, Incident.tlp).where(
        Incident.status == IncidentStatus.CONFIRMED, Incident.event_date < as_of
    )
    if box is not None:
        w, s, e, n = box
        q = q.where(Incident.longitude.between(w, e), Incident.latitude.between(s, n))
    rows = core_rows(session, restrict(q, Incident, reader))
    arrays = arrays_of_rows(rows)
    tlp = len(STORE_COLUMNS)  # the column after them
    marked = np.fromiter((r[tlp] in AUDITED_TLP for r in rows), dtype=bool, count=len(rows))
    return arrays, marked


def core_rows(session: Session, stmt: Any) -> list[Any]:
    """The rows of a select of columns, executed on the session's connection (Core): the
    ORM's per-row handling costs as much as the fetch for the ~100,000 rows of a country.
    Pending changes are flushed first, as the ORM's autoflush would."""
    if session.autoflush:
        session.flush()
    return list(session.connection().execute(stmt).all())


def visible_incidents(
    session: Session, reader: Viewer | None, *, as_of: date, box: Box | None
) -> tuple[IncidentArrays, int]:
    """:func:`_visible_marked` with the number of AMBER-or-stricter incidents."""
    arrays, marked = _visible_marked(session, reader, as_of=as_of, box=box)
    return arrays, int(np.count_nonzero(marked))


def _audit(
    session: Session, reader: Viewer | None, marked: int, ids: list[int], details: dict[str, Any]
) -> None:
    """Record that a figure shown to ``reader`` used ``marked`` AMBER-or-stricter incidents."""
    if marked and reader is not None and reader.user_id:
        record_read(
            session=session,
            viewer=reader,
            action="risk",
            record_type="incident",
            details={"amber_or_stricter": marked, **details},
            state=sha256_json(sorted(ids)),
        )


T = TypeVar("T")


def _from_cache(
    session: Session,
    reader: Viewer | None,
    cache: SurfaceCache[T],
    parts: tuple[Any, ...],
    build: Callable[[], T],
) -> T:
    """``build()``'s value kept in ``cache`` by database, the reader's visibility key and
    ``parts`` (day or days, box, policy), valid while the incidents' epoch holds; built
    afresh, and not kept, in a transaction that has written incidents."""
    bind = session.get_bind()
    key = (
        id(bind),
        str(getattr(bind, "url", "")),
        ("trusted",) if reader is None else visibility_key(session, Incident, reader),
        *parts,
    )
    if session.autoflush:  # pending incidents count as written
        session.flush()
    if wrote_incidents(session):  # not yet what the epoch stands for, nor anyone else's
        return build()
    return cache.get(key, read_incidents_epoch(session), build)


def served_quarter(as_of: date, clock: Clock = system_clock) -> date:
    """The first day of the quarter whose policy is served at ``as_of`` (:func:`policy_for`):
    ``as_of``'s, or today's for a later date."""
    return quarter_start(min(as_of, today(clock)))


def policy_for(
    session: Session,
    reader: Viewer | None,
    *,
    as_of: date,
    policy: Policy | None = None,
    clock: Clock = system_clock,
) -> Policy:
    """The policy (``policy`` or the active one) as served to ``reader`` at ``as_of``: when it
    asks to be recalibrated each quarter, calibrated on the incidents ``reader`` may read
    before the quarter's first day (``risk.calibrate.served_policy``), never on others; kept
    in the process's cache by database, visibility key, quarter and policy, and read from the
    store's served fits when one was made on that very history (:func:`warm_fits`, run by the
    worker). Reading a figure never writes: a fit made here stays in this process. A date
    after today (a planned movement's departure, a forecast) is served today's quarter's
    policy: a later quarter's cannot be fitted before it starts, and one fitted on the empty
    future would forget the history."""
    policy = policy or current_policy(session)
    if policy.recalibrate_every == "never":
        return policy
    start = served_quarter(as_of, clock)

    def build() -> Policy:
        incidents, _ = visible_incidents(session, reader, as_of=start, box=None)
        return served_policy(incidents, policy, as_of=start, store=DatabaseFits(session))

    served: Policy = _from_cache(
        session, reader, served_policies, ("policy", start, policy.sha256), build
    )
    return served


@dataclass(frozen=True)
class WarmedFit:
    """One reader group's served policy for a quarter (:func:`warm_fits`)."""

    readers: str  # who: "trusted", "organisation N", "user N"
    incidents: int  # readable before the quarter
    version: str  # the served policy's
    stored: bool  # newly written to the store


def reader_groups(session: Session) -> list[tuple[str, Viewer | None, tuple[Any, ...]]]:
    """Every group of readers that may see a different history, with its visibility key:
    the trusted callers (CLI, worker), each organisation (what its members and its alert
    rules read) and each user holding TLP:RED incident grants; groups with equal keys once."""
    readers: list[tuple[str, Viewer | None]] = [("trusted", None)]
    for org_id in session.scalars(select(Organisation.id).order_by(Organisation.id)):
        readers.append((f"organisation {org_id}", Viewer.for_organisation(org_id)))
    granted = select(RecordGrant.user_id).where(RecordGrant.record_type == record_type(Incident))
    for user in session.scalars(select(User).where(User.id.in_(granted)).order_by(User.id)):
        readers.append((f"user {user.id}", Viewer.of(user)))
    groups: dict[tuple[Any, ...], tuple[str, Viewer | None, tuple[Any, ...]]] = {}
    for name, reader in readers:
        key = ("trusted",) if reader is None else visibility_key(session, Incident, reader)
        groups.setdefault(key, (name, reader, key))
    return list(groups.values())


def warm_fits(
    session: Session,
    writer: Callable[[], AbstractContextManager[Session]],
    *,
    as_of: date,
    policy: Policy | None = None,
    now: datetime | None = None,
    groups: list[tuple[str, Viewer | None, tuple[Any, ...]]] | None = None,
) -> list[WarmedFit]:
    """Fit, ahead of the readers, the policy served at ``as_of`` to every group of readers
    (:func:`reader_groups`) and keep each fit in the store, where every process finds it
    (:func:`policy_for`). Groups that read the same incidents share one fit (the store keys
    fits by the content hash of the history). The fits are made with reads only; each is
    written in a short transaction of its own (``writer()`` opens one)."""
    policy = policy or current_policy(session)
    if policy.recalibrate_every == "never":
        return []
    store = DatabaseFits(session, writer, now=now)
    start = quarter_start(as_of)
    out: list[WarmedFit] = []
    for name, reader, _ in groups if groups is not None else reader_groups(session):
        incidents, _ = visible_incidents(session, reader, as_of=start, box=None)
        before = store.written
        served = served_policy(incidents, policy, as_of=as_of, store=store)
        out.append(WarmedFit(name, len(incidents), served.version, store.written > before))
    return out


def surface_for(
    session: Session,
    reader: Viewer | None,
    *,
    as_of: date,
    box: Box | None,
    policy: Policy | None = None,
    audit: bool = True,
) -> ThreatSurface:
    """The surface over ``box`` (padded by the policy's reach) from what ``reader`` may read,
    with the policy as served to them then (:func:`policy_for`)."""
    base = policy or current_policy(session)

    def build() -> tuple[ThreatSurface, int]:
        served = policy_for(session, reader, as_of=as_of, policy=base)
        padded = pad_box(box, served.reach_km) if box is not None else None
        incidents, marked = visible_incidents(session, reader, as_of=as_of, box=padded)
        return compute_surface(incidents, as_of=np.datetime64(as_of, "D"), policy=served), marked

    # kept in the process's cache by database, the reader's visibility, the day, the box and
    # the policy, while the incidents do not change (``risk.cache``): a site's page, its
    # API figure and a movement over it ask for the same surface
    wide = pad_box(box, base.reach_km) if box is not None else None
    narrow = wide is not None and max(wide[2] - wide[0], wide[3] - wide[1]) <= NARROW_BOX_DEGREES
    cache = figure_surfaces if narrow else wide_surfaces
    surface, marked = _from_cache(session, reader, cache, (as_of, box, base.sha256), build)
    if audit:  # after the work: the write lock is held for the append only
        _audit(
            session,
            reader,
            marked,
            surface.incidents.ids.tolist(),
            {"bbox": list(box) if box else None, "as_of": str(as_of)},
        )
    return surface


def surfaces_for(
    session: Session,
    reader: Viewer | None,
    *,
    days: list[date],
    box: Box | None,
    policy: Policy | None = None,
    audit: bool = True,
    cached: bool = False,
) -> list[ThreatSurface]:
    """The surfaces over ``box`` at each of ``days``: the figures of one :func:`surface_for`
    per day, for one read of the incidents and one grid of cells.

    The incidents ``reader`` may read before the latest day are read once; each day's surface
    takes those before it (``compute_surface`` keeps the incidents known at its date), on the
    grid of the latest day's cells, which hold every earlier day's (a surface computed on a
    wider grid keeps only the cells its own incidents reach, so it is the same surface). One
    audit event covers them all.

    ``cached``: kept in the process's cache (``risk.cache.day_surfaces``) by database, the
    reader's visibility key, the days, the box and the policy, valid while the incidents do
    not change (the stamp of ``risk.cache``): a briefing pack built again reuses them.
    """
    if not days:
        return []
    base = policy or current_policy(session)

    def build() -> tuple[tuple[ThreatSurface, ...], int]:
        # one policy for all the days, the latest day's, so that they compare like with like
        policy = policy_for(session, reader, as_of=max(days), policy=base)
        padded = pad_box(box, policy.reach_km) if box is not None else None
        incidents, marked = visible_incidents(session, reader, as_of=max(days), box=padded)
        cells = incidents.cells(policy.resolution)
        grid = KernelGrid.build(cells, policy.resolution, policy.reach_km)
        made = tuple(
            compute_surface(
                incidents,
                as_of=np.datetime64(day, "D"),
                policy=policy,
                grid=grid,
                src_cells=cells,
            )
            for day in days
        )
        return made, marked

    if cached:
        parts = (tuple(days), box, base.sha256)
        out, marked = _from_cache(session, reader, day_surfaces, parts, build)
    else:
        out, marked = build()
    if audit:
        ids = out[days.index(max(days))].incidents.ids.tolist()
        _audit(
            session,
            reader,
            marked,
            ids,
            {"bbox": list(box) if box else None, "as_of": [str(d) for d in days]},
        )
    return list(out)


def cached_surface(session: Session, reader: Viewer, *, as_of: date) -> CachedSurface:
    """The surface of every incident ``reader`` may read at ``as_of``, from the process's
    cache (``risk.cache``): recomputed only when the incidents or the reader's visibility
    (organisation, partners, grants) change, or for another day or policy."""
    base = current_policy(session)

    def build() -> CachedSurface:
        policy = policy_for(session, reader, as_of=as_of, policy=base)
        incidents, marked = _visible_marked(session, reader, as_of=as_of, box=None)
        day = np.datetime64(as_of, "D")
        surface = compute_surface(incidents, as_of=day, policy=policy)
        return CachedSurface(surface=surface, marked=marked[incidents.known_at(day)])

    return _from_cache(session, reader, surfaces, (as_of, base.sha256), build)


@dataclass(frozen=True)
class SurfaceSlice:
    """The cells of a box as GeoJSON features, with what fed them."""

    features: list[str]  # one GeoJSON Feature (JSON text) per cell
    properties: dict[str, Any]


def surface_slice(
    session: Session, reader: Viewer, *, box: Box, as_of: date, min_threat: float = 0.0
) -> SurfaceSlice:
    """The cells whose centre lies in ``box`` (at most :data:`MAX_BOX_DEGREES` on a side)."""
    w, s, e, n = box
    if e - w > MAX_BOX_DEGREES or n - s > MAX_BOX_DEGREES:
        raise InvalidInputError(
            f"bbox spans more than {MAX_BOX_DEGREES:g} degrees; ask for a smaller area"
        )
    cached = cached_surface(session, reader, as_of=as_of)
    policy = cached.surface.policy
    # the incidents that reach the box: those within the kernel's radius of it
    count, marked, state = cached.incidents_in(pad_box(box, policy.reach_km))
    features = [cached.feature_json(int(i)) for i in cached.cells_in(box, min_threat)]
    if marked:  # committed before the answer leaves
        record_read(
            session=session,
            viewer=reader,
            action="risk",
            record_type="incident",
            details={"amber_or_stricter": marked, "bbox": list(box), "as_of": str(as_of)},
            state=state,
        )
    return SurfaceSlice(
        features=features,
        properties={
            "as_of": str(cached.surface.as_of),
            "resolution": cached.surface.resolution,
            "policy_version": policy.version,
            "policy_sha256": cached.surface.policy_hash,
            "incidents": count,
        },
    )


# --- places (route segments are named by them) ------------------------------------------------


def visible_places(session: Session, reader: Viewer | None, policy: Policy | None = None) -> Places:
    """Gazetteer places plus the sites ``reader`` may read."""
    policy = policy or current_policy(session)
    q = restrict(select(Site.name, Site.latitude, Site.longitude), Site, reader)
    sites = list(session.execute(q).all())
    base = world_places(int(policy.route.get("places_min_population", 15000)))
    return base.plus(
        [s.name for s in sites], [s.latitude for s in sites], [s.longitude for s in sites]
    )


# --- figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskFigure:
    """A site's or route's risk at a day, for one reader."""

    kind: str  # "site" or "route"
    id: int | None
    name: str
    as_of: date
    risk: SiteRisk | RouteRisk

    @property
    def level(self) -> str:
        return str(self.risk.level)

    @property
    def score(self) -> float:
        return float(self.risk.score)

    @property
    def probability(self) -> float:
        """The probability the level bands (e.g. of a fatal incident nearby in 90 days)."""
        return self.risk.probabilities.value()

    @property
    def sentence(self) -> str:
        """The level with its meaning: "severe: 62% chance of a fatal incident ..."."""
        return str(self.risk.sentence)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "as_of": self.as_of,
            "level": self.level,
            "probability": round(self.probability, 4),
            "sentence": self.sentence,
            "score": self.score,
            "explanation": self.risk.explain(),
            "details": self.risk.to_dict(),
        }


def _figure(
    obj: Site | Route,
    surface: ThreatSurface,
    places: Places | None,
    *,
    as_of: date,
    explain: bool,
    posture: Posture | None = None,
) -> RiskFigure:
    if isinstance(obj, Site):
        sr = score_site_with(surface, obj, posture or Posture(), explain=explain)
        return RiskFigure("site", obj.id, obj.name, as_of, sr)
    rr = score_route(surface, obj, places=places)
    return RiskFigure("route", obj.id, obj.name, as_of, rr)


def record_risk(
    session: Session,
    reader: Viewer | None,
    obj: Site | Route,
    *,
    as_of: date,
    with_planned: bool = False,
) -> RiskFigure:
    """The risk of a site or route at ``as_of``, from what ``reader`` may read; a site's
    posture from its measures in place then (``with_planned``: and its planned ones)."""
    surface = surface_for(session, reader, as_of=as_of, box=record_box(obj))
    places = visible_places(session, reader) if isinstance(obj, Route) else None
    posture = (
        site_postures(session, reader, [obj], as_of=as_of, with_planned=with_planned)[obj.id]
        if isinstance(obj, Site)
        else None
    )
    return _figure(obj, surface, places, as_of=as_of, explain=True, posture=posture)


def risk_trend(
    session: Session, reader: Viewer | None, obj: Site | Route, days: list[date]
) -> list[RiskFigure]:
    """The risk at each of ``days`` (one surface per day, one audit event for them all); the
    last day's figure carries the explanation. One policy serves every day, the latest day's
    (:func:`policy_for`), so that the points compare like with like."""
    policy = policy_for(session, reader, as_of=max(days)) if days else current_policy(session)
    box = pad_box(record_box(obj), policy.reach_km)
    places = visible_places(session, reader, policy) if isinstance(obj, Route) else None
    out: list[RiskFigure] = []
    most_marked = 0
    seen: set[int] = set()
    for day in days:
        arrays, marked = visible_incidents(session, reader, as_of=day, box=box)
        most_marked = max(most_marked, marked)
        seen.update(arrays.ids.tolist())
        surface = compute_surface(arrays, as_of=np.datetime64(day, "D"), policy=policy)
        posture = (
            site_postures(session, reader, [obj], as_of=day)[obj.id]
            if isinstance(obj, Site)
            else None
        )
        out.append(
            _figure(obj, surface, places, as_of=day, explain=day == days[-1], posture=posture)
        )
    _audit(session, reader, most_marked, sorted(seen), {"record": obj.name})
    return out


def monthly_days(day: date, months: int = 24) -> list[date]:
    """The first day of each of the last ``months`` months, and ``day`` (once)."""
    first = day.replace(day=1)
    days = []
    for i in range(months - 1, -1, -1):
        y, m = divmod(first.year * 12 + first.month - 1 - i, 12)
        days.append(date(y, m + 1, 1))
    if days[-1] != day:
        days.append(day)
    return days


def registry_levels(
    session: Session,
    reader: Viewer | None,
    *,
    as_of: date,
    sites: list[Site],
    routes: list[Route],
    audit: bool = True,
    policy: Policy | None = None,
    with_planned: bool = False,
    surface: ThreatSurface | None = None,
) -> dict[str, dict[str, tuple[str, float]]]:
    """The level and score of each site and route (one surface for all of them):
    ``{"sites": {id: (level, score)}, "routes": {...}}``; sites with the posture of their
    measures in place at ``as_of`` (``with_planned``: and the planned ones)."""
    detailed = registry_figures(
        session,
        reader,
        as_of=as_of,
        sites=sites,
        routes=routes,
        audit=audit,
        policy=policy,
        with_planned=with_planned,
        surface=surface,
    )
    return {
        kind: {ident: (f["level"], f["score"]) for ident, f in rows.items()}
        for kind, rows in detailed.items()
    }


def registry_figures(
    session: Session,
    reader: Viewer | None,
    *,
    as_of: date,
    sites: list[Site],
    routes: list[Route],
    audit: bool = True,
    policy: Policy | None = None,
    with_planned: bool = False,
    surface: ThreatSurface | None = None,
) -> dict[str, dict[str, dict[str, Any]]]:
    """:func:`registry_levels` with the probability and its sentence:
    ``{"sites": {id: {"level", "score", "probability", "sentence"}}, "routes": {...}}``."""
    out: dict[str, dict[str, dict[str, Any]]] = {"sites": {}, "routes": {}}
    if not sites and not routes:
        return out
    points = [(s.latitude, s.longitude) for s in sites] + [
        (p[0], p[1]) for r in routes for p in r.points
    ]
    if surface is None:  # else the caller's, computed for this reader and day over the records
        surface = surface_for(
            session, reader, as_of=as_of, box=box_of(points), audit=audit, policy=policy
        )
    places = visible_places(session, reader, surface.policy) if routes else None
    postures = site_postures(session, reader, sites, as_of=as_of, with_planned=with_planned)
    for s in sites:
        sr = score_site_with(surface, s, postures[s.id], explain=False)
        out["sites"][str(s.id)] = _brief(sr)
    for r in routes:
        rr = score_route(surface, r, places=places)
        out["routes"][str(r.id)] = _brief(rr)
    return out


def _brief(risk: SiteRisk | RouteRisk) -> dict[str, Any]:
    return {
        "level": str(risk.level),
        "score": round(float(risk.score), 3),
        "probability": round(risk.probabilities.value(), 4),
        "sentence": str(risk.sentence),
    }


def routes_surfaces(
    session: Session,
    reader: Viewer | None,
    *,
    routes: dict[date, list[list[list[float]]]],
    policy: Policy | None = None,
    clock: Clock = system_clock,
) -> dict[date, ThreatSurface]:
    """The surface of each day over the box of all the polylines scored on days served the
    same policy (a quarter's: :func:`policy_for`), for scoring them with
    :func:`polyline_risk` (a list of movements by departure day). The surface is local (a
    cell's value and chances come from the incidents within the policy's reach of it), so a
    route scores the same on it as on its own; a quarter's days are one read of the incidents
    and one grid (:func:`surfaces_for`, kept in the process's cache) instead of one per route."""
    by_quarter: dict[date, list[date]] = {}
    for day in sorted(routes):
        by_quarter.setdefault(served_quarter(day, clock), []).append(day)
    out: dict[date, ThreatSurface] = {}
    for days in by_quarter.values():
        points = [p for day in days for route in routes[day] for p in route]
        made = surfaces_for(
            session, reader, days=days, box=box_of(points), policy=policy, cached=True
        )
        out.update(zip(days, made, strict=True))
    return out


def polyline_risk(
    session: Session,
    reader: Viewer | None,
    *,
    points: list[list[float]],
    name: str,
    route_id: int | None,
    as_of: date,
    policy: Policy | None = None,
    surface: ThreatSurface | None = None,
) -> RouteRisk:
    """The risk along any polyline (a movement's route), from what ``reader`` may read;
    ``surface``: one already built for ``reader`` on ``as_of`` over a box holding the
    polyline (:func:`routes_surfaces`), else the polyline's own."""
    policy = policy or current_policy(session)
    if surface is None:
        surface = surface_for(
            session, reader, as_of=as_of, box=box_of(points), policy=policy, audit=True
        )
    return route_risk(
        surface,
        name=name,
        points=points,
        route_id=route_id,
        places=visible_places(session, reader, policy),
    )


# --- posture from the register of measures (registry.measures) ------------------------------


def site_postures(
    session: Session,
    reader: Viewer | None,
    sites: list[Site],
    *,
    as_of: date,
    with_planned: bool = False,
) -> dict[int, Posture]:
    """Each site's perimeter, guard force and hardening on ``as_of``, derived from the
    measures in place then that ``reader`` may read (``with_planned``: and the planned ones)."""
    return postures_at(
        session, [s.id for s in sites], day=as_of, reader=reader, with_planned=with_planned
    )


def score_site_with(
    surface: ThreatSurface, site: Site, posture: Posture, *, explain: bool = True
) -> SiteRisk:
    """A site's risk on ``surface`` with ``posture`` (not the legacy typed columns); the
    measures that give the posture are listed in the factors."""
    sr = site_risk(
        surface,
        name=site.name,
        site_id=site.id,
        lat=site.latitude,
        lon=site.longitude,
        personnel_foreign=site.personnel_foreign or 0,
        personnel_local=site.personnel_local or 0,
        explain=explain,
        **posture.as_kwargs(),
    )
    sr.factors["measures"] = sorted(posture.measure_ids)
    return sr


@dataclass(frozen=True)
class PlannedEffect:
    """What one planned (or in-progress) measure would change at its site if in place."""

    measure_id: int
    site_id: int
    site_name: str
    kind: str
    grade: str
    state: str
    planned_for: date | None
    action_item_id: int | None
    level_now: str
    score_now: float
    level_with: str
    score_with: float

    @property
    def reduction(self) -> float:
        """The score the measure removes (0 when the posture already has its grade)."""
        return max(0.0, self.score_now - self.score_with)


@dataclass(frozen=True)
class PlannedView:
    """Risk now and with the planned measures, per site, and the planned measures ranked by
    the risk each removes."""

    as_of: date
    sites: list[dict[str, Any]]
    ranked: list[PlannedEffect]


def planned_measures_view(
    session: Session,
    reader: Viewer | None,
    *,
    as_of: date,
    policy: Policy | None = None,
    surface: ThreatSurface | None = None,
) -> PlannedView:
    """For every site with planned measures the reader may read: its risk now, with all its
    planned measures, and each planned measure's own effect, ranked across sites by the
    score it removes (one surface for all sites; every figure from what ``reader`` may read)."""
    q = readable_measures(
        select(ProtectiveMeasure).where(
            ProtectiveMeasure.site_id.is_not(None),
            ProtectiveMeasure.state.in_([str(s) for s in PLANNED_STATES]),
        ),
        reader,
    ).order_by(ProtectiveMeasure.id)
    planned = list(session.scalars(q.limit(5000)))
    if reader is not None and reader.is_person:
        audit_reads(session=session, viewer=reader, objs=planned, action="risk")
    site_ids = sorted({m.site_id for m in planned if m.site_id is not None})
    if not site_ids:
        return PlannedView(as_of=as_of, sites=[], ranked=[])
    sites = list(session.scalars(restrict(select(Site).where(Site.id.in_(site_ids)), Site, reader)))
    by_id = {s.id: s for s in sites}
    if surface is None:  # else the caller's, for this reader and day, covering the sites
        surface = surface_for(
            session,
            reader,
            as_of=as_of,
            box=box_of([(s.latitude, s.longitude) for s in sites]),
            policy=policy,
        )
    now = site_postures(session, reader, sites, as_of=as_of)
    with_all = site_postures(session, reader, sites, as_of=as_of, with_planned=True)
    scored_now = {s.id: score_site_with(surface, s, now[s.id], explain=False) for s in sites}
    ranked: list[PlannedEffect] = []
    for m in planned:
        site = by_id.get(m.site_id or 0)
        if site is None:
            continue
        posture = Posture(**now[site.id].as_kwargs(), measure_ids=list(now[site.id].measure_ids))
        given = contribution(m.kind, m.grade)
        if given is not None:
            posture.raise_to(given[0], given[1], m.id)
        after = score_site_with(surface, site, posture, explain=False)
        before = scored_now[site.id]
        ranked.append(
            PlannedEffect(
                measure_id=m.id,
                site_id=site.id,
                site_name=site.name,
                kind=m.kind,
                grade=m.grade,
                state=m.state,
                planned_for=m.planned_for,
                action_item_id=m.action_item_id,
                level_now=str(before.level),
                score_now=float(before.score),
                level_with=str(after.level),
                score_with=float(after.score),
            )
        )
    ranked.sort(key=lambda e: (-e.reduction, e.site_name, e.measure_id))
    rows = []
    for s in sorted(sites, key=lambda x: x.name):
        before = scored_now[s.id]
        after = score_site_with(surface, s, with_all[s.id], explain=False)
        rows.append(
            {
                "site_id": s.id,
                "name": s.name,
                "level_now": str(before.level),
                "score_now": float(before.score),
                "posture_now": now[s.id].as_dict(),
                "level_with": str(after.level),
                "score_with": float(after.score),
                "posture_with": with_all[s.id].as_dict(),
            }
        )
    return PlannedView(as_of=as_of, sites=rows, ranked=ranked)


# --- trusted callers (the CLI on the server) and stored results -------------------------------


def surface_from_store(
    session: Session,
    *,
    as_of: date,
    policy: Policy,
    source_dataset: str | None = None,
    as_recorded: bool = False,
) -> ThreatSurface:
    """The surface from every confirmed incident before ``as_of`` (trusted callers only),
    with ``policy`` as served then (recalibrated on them each quarter, if it asks for it)."""
    incidents = read_store(
        session, source_dataset=source_dataset, as_of=as_of, as_recorded=as_recorded
    )
    known = incidents.select(incidents.known_at(as_of, as_recorded=as_recorded))
    quarter = min(as_of, today(system_clock))  # a later date: today's quarter (policy_for)
    served = served_policy(known, policy, as_of=quarter, source=source_dataset or "store")
    return compute_surface(
        incidents, as_of=np.datetime64(as_of, "D"), policy=served, as_recorded=as_recorded
    )


def record_result(
    session: Session,
    *,
    kind: str,
    as_of: date,
    policy: Policy,
    subject_id: int | None = None,
    subject_name: str | None = None,
    level: str | None = None,
    score: float | None = None,
    details: dict[str, Any] | None = None,
) -> RiskResult:
    """Store a computed result with the policy's version and hash."""
    row = RiskResult(
        kind=kind,
        subject_id=subject_id,
        subject_name=subject_name,
        as_of=as_of,
        policy_version=policy.version,
        policy_sha256=policy.sha256,
        level=level,
        score=score,
        details=details or {},
    )
    session.add(row)
    session.flush()
    return row


def record_figure(session: Session, figure: RiskFigure, policy: Policy) -> RiskResult:
    return record_result(
        session,
        kind=figure.kind,
        as_of=figure.as_of,
        policy=policy,
        subject_id=figure.id,
        subject_name=figure.name,
        level=figure.level,
        score=figure.score,
        details=figure.risk.to_dict(),
    )
