"""What a movement request and an escort assignment must contain (validated input)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from safecorridor.validation import Moment, email_address

_COUNTRY = re.compile(r"^[A-Z]{2}$")
#: the most people of one nationality a movement carries
MAX_PEOPLE = 10_000


def naive_utc(value: datetime) -> datetime:
    """Naive UTC, as stored: aware times are converted, naive ones are taken as UTC."""
    if value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


class MovementCreate(BaseModel):
    """A movement request. The route is a registered route (id or name), a drawn polyline
    ([[lat, lon], ...]) or, without either, the straight line between two sites."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    purpose: str = Field(default="", max_length=300)
    headcount: dict[str, int] = Field(max_length=50)
    route: str | None = Field(default=None, max_length=300)
    polyline: list[list[float]] | None = Field(default=None, max_length=10_000)
    from_site: str | None = Field(default=None, max_length=300)
    to_site: str | None = Field(default=None, max_length=300)
    vehicle_count: int = Field(default=1, ge=1, le=200)
    armoured_count: int = Field(default=0, ge=0, le=200)
    planned_departure: Moment
    planned_arrival: Moment

    @field_validator("headcount")
    @classmethod
    def _headcount(cls, v: dict[str, int]) -> dict[str, int]:
        if not v:
            raise ValueError("headcount needs at least one nationality, e.g. {'CN': 4}")
        out: dict[str, int] = {}
        for code, n in v.items():
            key = code.strip().upper()
            if not _COUNTRY.match(key):
                raise ValueError(f"{code!r} is not a two-letter country code (ISO 3166-1)")
            if not 1 <= n <= MAX_PEOPLE:
                raise ValueError(f"headcount of {key} must be 1 to {MAX_PEOPLE:,}, not {n}")
            out[key] = out.get(key, 0) + int(n)
        return dict(sorted(out.items()))

    @field_validator("polyline")
    @classmethod
    def _polyline(cls, v: list[list[float]] | None) -> list[list[float]] | None:
        if v is None:
            return v
        if len(v) < 2:
            raise ValueError("a polyline needs at least two [lat, lon] points")
        for p in v:
            if len(p) != 2 or not (-90 <= p[0] <= 90 and -180 <= p[1] <= 180):  # NaN fails too
                raise ValueError(f"{p!r} is not a [lat, lon] point")
        return [[float(p[0]), float(p[1])] for p in v]

    @field_validator("planned_departure", "planned_arrival")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        return naive_utc(v)

    @model_validator(mode="after")
    def _consistent(self) -> MovementCreate:
        if self.route and self.polyline:
            raise ValueError("give a registered route or a drawn polyline, not both")
        if not self.route and not self.polyline and not (self.from_site and self.to_site):
            raise ValueError("give a route, a polyline, or both from_site and to_site")
        if self.planned_arrival <= self.planned_departure:
            raise ValueError("the planned arrival must be after the planned departure")
        if self.armoured_count > self.vehicle_count:
            raise ValueError("more armoured vehicles than vehicles")
        return self


class EscortAssignment(BaseModel):
    """The escort unit assigned at approval."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    callsign: str = Field(min_length=1, max_length=100)
    organisation: str | None = Field(default=None, max_length=200)
    vehicles: int = Field(ge=0, le=100)
    contact_email: str | None = Field(default=None, max_length=254)

    @field_validator("contact_email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        # alert mail goes to it when the movement is overdue: one real address, no header
        return email_address(v) if v and v.strip() else None
