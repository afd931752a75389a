"""Risk computations against the store: look-ups, surfaces at a date, recorded results."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safecorridor.registry.models import Route, Site
from safecorridor.risk.corridor import Places, RouteRisk, world_places
from safecorridor.risk.data import read_store
from safecorridor.risk.models import RiskResult
from safecorridor.risk.policy import Policy
from safecorridor.risk.scoring import SiteRisk
from safecorridor.risk.surface import ThreatSurface, compute_surface

T = TypeVar("T", Site, Route)


class LookupFailedError(LookupError):
    """No unique site or route matches the reference."""


def find_named(session: Session, model: type[T], ref: str) -> T:
    """By id (digits), exact name, else unique case-insensitive substring of the name."""
    what = model.__name__.lower()
    if ref.isdigit():
        obj = session.get(model, int(ref))
        if obj is not None:
            return obj
    exact = session.scalars(select(model).where(model.name == ref)).first()
    if exact is not None:
        return exact
    like = f"%{ref.lower()}%"
    found = list(
        session.scalars(select(model).where(func.lower(model.name).like(like)).order_by(model.name))
    )
    if len(found) == 1:
        return found[0]
    if not found:
        raise LookupFailedError(f"no {what} matches {ref!r}")
    names = ", ".join(o.name for o in found[:10])
    raise LookupFailedError(f"{len(found)} {what}s match {ref!r}: {names}")


def find_site(session: Session, ref: str) -> Site:
    return find_named(session, Site, ref)


def find_route(session: Session, ref: str) -> Route:
    return find_named(session, Route, ref)


def surface_from_store(
    session: Session,
    *,
    as_of: date,
    policy: Policy,
    source_dataset: str | None = None,
    as_recorded: bool = False,
) -> ThreatSurface:
    """The surface from the confirmed incidents before ``as_of``."""
    incidents = read_store(
        session, source_dataset=source_dataset, as_of=as_of, as_recorded=as_recorded
    )
    return compute_surface(
        incidents, as_of=np.datetime64(as_of, "D"), policy=policy, as_recorded=as_recorded
    )


def places_with_sites(session: Session, policy: Policy) -> Places:
    sites = list(session.execute(select(Site.name, Site.latitude, Site.longitude)).all())
    base = world_places(int(policy.route.get("places_min_population", 15000)))
    return base.plus(
        [s.name for s in sites], [s.latitude for s in sites], [s.longitude for s in sites]
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


def record_site(session: Session, risk: SiteRisk, as_of: date, policy: Policy) -> RiskResult:
    return record_result(
        session,
        kind="site",
        as_of=as_of,
        policy=policy,
        subject_id=risk.site_id,
        subject_name=risk.name,
        level=risk.level,
        score=risk.score,
        details=risk.to_dict(),
    )


def record_route(session: Session, risk: RouteRisk, as_of: date, policy: Policy) -> RiskResult:
    return record_result(
        session,
        kind="route",
        as_of=as_of,
        policy=policy,
        subject_id=risk.route_id,
        subject_name=risk.name,
        level=risk.level,
        score=risk.score,
        details=risk.to_dict(),
    )
