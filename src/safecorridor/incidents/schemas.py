"""Validated shapes of incident data coming in (imports, CLI, API) and going out."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from safecorridor import taxonomy
from safecorridor.geo import check_coordinates
from safecorridor.taxonomy.choices import TLP, DatePrecision


class IncidentBase(BaseModel):
    """The fields of an incident as data: actors are named, not linked."""

    model_config = ConfigDict(str_strip_whitespace=True)

    event_date: date
    date_precision: DatePrecision = DatePrecision.DAY
    event_type: str
    sub_event_type: str | None = None
    disorder_type: str | None = None
    actor1: str | None = None
    assoc_actor_1: str | None = None
    inter1: str | None = None
    actor2: str | None = None
    assoc_actor_2: str | None = None
    inter2: str | None = None
    interaction: str | None = None
    civilian_targeting: str | None = None
    claimed_by: str | None = None
    target_category: str | None = None
    iso: str | None = None
    region: str | None = None
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    location: str | None = None
    latitude: float
    longitude: float
    geo_precision: int = Field(default=1, ge=1, le=3)
    fatalities: int | None = Field(default=None, ge=0)
    foreign_fatalities: int | None = Field(default=None, ge=0)
    foreign_nationality: str | None = None
    injured: int | None = Field(default=None, ge=0)
    abducted: int | None = Field(default=None, ge=0)
    source: str | None = None
    source_scale: str | None = None
    notes: str | None = None
    tags: str | None = None
    credibility: str = "6"
    tlp: TLP = TLP.CLEAR
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator(
        "sub_event_type",
        "actor1",
        "actor2",
        "claimed_by",
        "admin1",
        "admin2",
        "admin3",
        "location",
        "country",
        "assoc_actor_1",
        "assoc_actor_2",
        "notes",
        "source",
        "tags",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, v: Any) -> Any:
        if isinstance(v, str) and not v.strip():
            return None
        return v

    @field_validator("credibility")
    @classmethod
    def _credibility_code(cls, v: str) -> str:
        if v not in taxonomy.credibility_codes():
            raise ValueError(f"credibility must be an Admiralty code 1-6, not {v!r}")
        return v

    @field_validator("target_category")
    @classmethod
    def _targets(cls, v: str | None) -> str | None:
        return taxonomy.check_targets(v)

    @model_validator(mode="after")
    def _check(self) -> IncidentBase:
        self.event_type, self.sub_event_type = taxonomy.check_event_type(
            self.event_type, self.sub_event_type
        )
        if self.disorder_type is None:
            self.disorder_type = taxonomy.disorder_type(self.event_type)
        check_coordinates(self.latitude, self.longitude)
        if (
            self.fatalities is not None
            and self.foreign_fatalities is not None
            and self.foreign_fatalities > self.fatalities
        ):
            raise ValueError(
                f"foreign_fatalities ({self.foreign_fatalities}) "
                f"exceed fatalities ({self.fatalities})"
            )
        return self


class IncidentCreate(IncidentBase):
    """An incident to store; ``source_dataset`` and ``source_key`` make imports idempotent."""

    source_dataset: str = "manual"
    source_key: str | None = None
    source_urls: list[str] = Field(default_factory=list)


class IncidentUpdate(BaseModel):
    """A partial change; only the fields given are changed."""

    model_config = ConfigDict(extra="forbid")

    event_date: date | None = None
    date_precision: DatePrecision | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    fatalities: int | None = Field(default=None, ge=0)
    foreign_fatalities: int | None = Field(default=None, ge=0)
    foreign_nationality: str | None = None
    injured: int | None = Field(default=None, ge=0)
    abducted: int | None = Field(default=None, ge=0)
    location: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    notes: str | None = None
    target_category: str | None = None
    tlp: TLP | None = None
    credibility: str | None = None


class IncidentPublic(IncidentBase):
    """An incident as shown to a reader."""

    id: int
    status: str
    source_dataset: str
    source_key: str
    h3_cell: int
    source_urls: list[str] = Field(default_factory=list)
