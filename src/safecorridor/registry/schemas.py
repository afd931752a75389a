"""Shapes of sites and routes: what a create or an update may carry, and what is shown.

The API's bodies and the web forms are both validated by these, so a coordinate out of range
or a route of one point is refused the same way on every face.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from safecorridor.geo import MIN_ROUTE_KM, check_coordinates, polyline_length_km
from safecorridor.registry.models import Route, Site
from safecorridor.taxonomy.choices import TLP, SiteType
from safecorridor.validation import WebUrl

#: a site's posture is derived from its register of measures (``registry.measures``), not
#: typed: the forms and bodies carry none
Posture = Literal["basic", "standard", "hardened"]


class SiteBase(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=300)
    project: str | None = Field(default=None, max_length=300)
    site_type: SiteType
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    admin1: str | None = Field(default=None, max_length=100)
    admin2: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=100)
    personnel_foreign: int = Field(default=0, ge=0, le=1_000_000)
    personnel_local: int = Field(default=0, ge=0, le=1_000_000)
    description: str | None = Field(default=None, max_length=10_000)
    source_url: WebUrl | None = None
    tlp: TLP = TLP.AMBER

    @model_validator(mode="after")
    def _coordinates(self) -> SiteBase:
        check_coordinates(self.latitude, self.longitude)
        return self


class SiteCreate(SiteBase):
    """A new site; it belongs to your organisation and is TLP:AMBER unless marked otherwise."""


class SiteUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    project: str | None = Field(default=None, max_length=300)
    personnel_foreign: int | None = Field(default=None, ge=0, le=1_000_000)
    personnel_local: int | None = Field(default=None, ge=0, le=1_000_000)
    description: str | None = Field(default=None, max_length=10_000)
    tlp: TLP | None = None


class SitePublic(SiteBase):
    id: int
    owner_org_id: int | None
    h3_cell: int
    personnel_is_illustrative: bool


class SitesPublic(BaseModel):
    data: list[SitePublic]
    count: int


class RouteBase(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=300)
    origin: str | None = Field(default=None, max_length=200)
    destination: str | None = Field(default=None, max_length=200)
    points: list[tuple[float, float]] = Field(
        min_length=2, max_length=10_000, description="[[latitude, longitude], ...]"
    )
    description: str | None = Field(default=None, max_length=10_000)
    source_url: WebUrl | None = None
    tlp: TLP = TLP.AMBER

    @field_validator("points")
    @classmethod
    def _points(cls, v: list[tuple[float, float]]) -> list[tuple[float, float]]:
        for lat, lon in v:
            check_coordinates(lat, lon)
        if polyline_length_km([[lat, lon] for lat, lon in v]) < MIN_ROUTE_KM:
            raise ValueError("the route has no length (its points are one place)")
        return v


class RouteCreate(RouteBase):
    """A new route; it belongs to your organisation and is TLP:AMBER unless marked otherwise."""


class RouteUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    origin: str | None = Field(default=None, max_length=200)
    destination: str | None = Field(default=None, max_length=200)
    points: list[tuple[float, float]] | None = Field(
        default=None, min_length=2, max_length=10_000, description="[[latitude, longitude], ...]"
    )
    description: str | None = Field(default=None, max_length=10_000)
    tlp: TLP | None = None

    @field_validator("points")
    @classmethod
    def _points(cls, v: list[tuple[float, float]] | None) -> list[tuple[float, float]] | None:
        return v if v is None else RouteBase._points(v)


class RoutePublic(RouteBase):
    id: int
    owner_org_id: int | None
    length_km: float


class RoutesPublic(BaseModel):
    data: list[RoutePublic]
    count: int


def site_public(s: Site) -> SitePublic:
    return SitePublic.model_validate({k: getattr(s, k) for k in SitePublic.model_fields})


def route_public(r: Route) -> RoutePublic:
    data: dict[str, Any] = {k: getattr(r, k) for k in RoutePublic.model_fields}
    data["points"] = [tuple(p) for p in r.points]
    return RoutePublic.model_validate(data)
