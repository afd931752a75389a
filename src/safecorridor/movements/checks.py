"""Pure checks of a movement plan: the measures the policy requires, whether the plan meets
them, expected progress along the route, and when a movement is overdue.

The movement parameters live in an optional ``movements:`` section of the risk policy file
(``safecorridor risk policy`` prints the shipped policy; copy it and add the section). The
defaults below apply where the section or a key is missing:

.. code-block:: yaml

    movements:
      checkin_interval_minutes: 60   # no check-in for this long: overdue
      escalation_after_minutes: 30   # overdue this long: escalate to the admins
      no_go_level: critical          # at or above this level: no movement without override
      daylight_start_hour: 6         # local solar time at the route's ends
      daylight_end_hour: 18
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from safecorridor.geo import haversine_km
from safecorridor.risk.policy import LEVELS, Policy, PolicyError
from safecorridor.taxonomy.choices import RiskLevel

DEFAULTS: dict[str, Any] = {
    "checkin_interval_minutes": 60,
    "escalation_after_minutes": 30,
    "no_go_level": "critical",
    "daylight_start_hour": 6,
    "daylight_end_hour": 18,
}


@dataclass(frozen=True)
class MovementPolicy:
    """The journey-management parameters (see the module docstring)."""

    checkin_interval_minutes: int = 60
    escalation_after_minutes: int = 30
    no_go_level: str = "critical"
    daylight_start_hour: float = 6
    daylight_end_hour: float = 18

    @property
    def checkin_interval(self) -> timedelta:
        return timedelta(minutes=self.checkin_interval_minutes)

    @property
    def escalation_after(self) -> timedelta:
        return timedelta(minutes=self.escalation_after_minutes)


def movement_policy(policy: Policy | None) -> MovementPolicy:
    """The ``movements:`` section of a risk policy over the defaults."""
    data = dict(DEFAULTS)
    if policy is not None:
        section = policy.data.get("movements") or {}
        if not isinstance(section, dict):
            raise PolicyError("movements must be a mapping")
        unknown = sorted(set(section) - set(DEFAULTS))
        if unknown:
            raise PolicyError(f"movements has unknown key(s): {', '.join(unknown)}")
        data.update(section)
    if str(data["no_go_level"]) not in LEVELS:
        raise PolicyError(f"movements.no_go_level must be one of {', '.join(LEVELS)}")
    if int(data["checkin_interval_minutes"]) <= 0 or int(data["escalation_after_minutes"]) <= 0:
        raise PolicyError("movements intervals must be positive minutes")
    return MovementPolicy(
        checkin_interval_minutes=int(data["checkin_interval_minutes"]),
        escalation_after_minutes=int(data["escalation_after_minutes"]),
        no_go_level=str(data["no_go_level"]),
        daylight_start_hour=float(data["daylight_start_hour"]),
        daylight_end_hour=float(data["daylight_end_hour"]),
    )


# --- compliance --------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """Something a plan does not meet. Blocking issues need an override reason to approve."""

    code: str
    message: str
    is_blocking: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def level_at_least(level: str | None, threshold: str) -> bool:
    if level is None:
        return False
    return LEVELS.index(RiskLevel(level)) >= LEVELS.index(RiskLevel(threshold))


def _clock(hours: float) -> str:
    """A time of day in hours (5.75) as a clock time ("05:45")."""
    minutes = round(hours * 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def solar_hour(at: datetime, lon: float) -> float:
    """Local mean solar time (hours, 0..24) at longitude ``lon`` for a naive UTC time."""
    hours = at.hour + at.minute / 60 + at.second / 3600 + lon / 15.0
    return hours % 24


def is_daylight(at: datetime, lon: float, mp: MovementPolicy) -> bool:
    h = solar_hour(at, lon)
    return mp.daylight_start_hour <= h <= mp.daylight_end_hour


def plan_issues(
    *,
    level: str | None,
    measures: dict[str, Any],
    points: list[list[float]],
    departure: datetime,
    arrival: datetime,
    vehicle_count: int,
    armoured_count: int,
    escort_vehicles: int | None,
    mp: MovementPolicy,
) -> list[Issue]:
    """What the plan does not meet. ``escort_vehicles`` None: no escort assigned yet (the
    requirement is then reported as a note, not an issue)."""
    issues: list[Issue] = []
    if level_at_least(level, mp.no_go_level):
        issues.append(
            Issue(
                "no_go",
                f"the route is {level}: at or above {mp.no_go_level!r} the policy allows no"
                f" movement ({measures.get('approval', 'exceptional authorisation')} needed)",
            )
        )
    if measures.get("armoured_vehicles") and armoured_count < vehicle_count:
        issues.append(
            Issue(
                "armoured_vehicles",
                f"a {level} route requires armoured vehicles: {armoured_count} of"
                f" {vehicle_count} vehicle(s) are armoured",
            )
        )
    if measures.get("daylight_only") and points:
        start_lon, end_lon = points[0][1], points[-1][1]
        bad = []
        if not is_daylight(departure, start_lon, mp):
            bad.append(f"departure at {_clock(solar_hour(departure, start_lon))} local")
        if not is_daylight(arrival, end_lon, mp):
            bad.append(f"arrival at {_clock(solar_hour(arrival, end_lon))} local")
        if arrival - departure > timedelta(hours=mp.daylight_end_hour - mp.daylight_start_hour):
            bad.append("the journey is longer than the daylight window")
        if bad:
            issues.append(
                Issue(
                    "daylight_only",
                    f"a {level} route is daylight only"
                    f" ({_clock(mp.daylight_start_hour)}-{_clock(mp.daylight_end_hour)} local"
                    " solar time):"
                    f" {', '.join(bad)}",
                )
            )
    required = int(measures.get("escort_vehicles", 0) or 0)
    if required > 0:
        if escort_vehicles is None:
            issues.append(
                Issue(
                    "escort_required",
                    f"an escort of {required} vehicle(s) is required (assigned at approval)",
                    is_blocking=False,
                )
            )
        elif escort_vehicles < required:
            issues.append(
                Issue(
                    "escort_vehicles",
                    f"a {level} route requires {required} escort vehicle(s);"
                    f" {escort_vehicles} assigned",
                )
            )
    return issues


# --- progress along the route -----------------------------------------------------------


def cumulative_km(points: list[list[float]]) -> list[float]:
    out = [0.0]
    for a, b in itertools.pairwise(points):
        out.append(out[-1] + haversine_km(a[0], a[1], b[0], b[1]))
    return out


def expected_km(
    points: list[list[float]], departure: datetime, arrival: datetime, at: datetime
) -> float:
    """Where the plan puts the movement at ``at``: linear along the route between the
    planned departure and arrival."""
    total = cumulative_km(points)[-1] if points else 0.0
    span = (arrival - departure).total_seconds()
    if span <= 0:
        return total if at >= arrival else 0.0
    frac = min(1.0, max(0.0, (at - departure).total_seconds() / span))
    return frac * total


def project_on_route(points: list[list[float]], lat: float, lon: float) -> tuple[float, float]:
    """(km along the route of the nearest point on it, distance from the route in km).

    Each segment is projected in a local equirectangular plane; good to well under 1% at
    the lengths of road segments.
    """
    if not points:
        return 0.0, float("nan")
    if len(points) == 1:
        return 0.0, haversine_km(lat, lon, points[0][0], points[0][1])
    cum = cumulative_km(points)
    p = np.asarray(points, dtype=float)
    kx = 111.32 * math.cos(math.radians(lat))
    ky = 110.574
    ax, ay = (p[:-1, 1] - lon) * kx, (p[:-1, 0] - lat) * ky
    bx, by = (p[1:, 1] - lon) * kx, (p[1:, 0] - lat) * ky
    dx, dy = bx - ax, by - ay
    seg2 = dx * dx + dy * dy
    t = np.where(seg2 > 0, -(ax * dx + ay * dy) / np.where(seg2 > 0, seg2, 1), 0.0)
    t = np.clip(t, 0.0, 1.0)
    cx, cy = ax + t * dx, ay + t * dy
    dist = np.hypot(cx, cy)
    i = int(np.argmin(dist))
    seg_len = cum[i + 1] - cum[i]
    return cum[i] + float(t[i]) * seg_len, float(dist[i])


def distance_to_polyline_km(points: list[list[float]], lat: float, lon: float) -> float:
    return project_on_route(points, lat, lon)[1]


# --- overdue ----------------------------------------------------------------------------


def overdue_reason(
    *,
    now: datetime,
    started_at: datetime | None,
    last_checkin_at: datetime | None,
    planned_departure: datetime,
    planned_arrival: datetime,
    mp: MovementPolicy,
) -> str | None:
    """Why a movement on the road is overdue at ``now`` (None: it is not)."""
    if now > planned_arrival:
        return f"past its planned arrival ({planned_arrival:%Y-%m-%d %H:%M} UTC)"
    last = last_checkin_at or started_at or planned_departure
    if now - last > mp.checkin_interval:
        minutes = int((now - last).total_seconds() // 60)
        return (
            f"no check-in for {minutes} min (the policy asks for one every"
            f" {mp.checkin_interval_minutes} min)"
        )
    return None
