"""Validated shapes of incident data coming in (imports, CLI, API) and going out."""

from __future__ import annotations

import json
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from safecorridor import taxonomy
from safecorridor.geo import check_coordinates
from safecorridor.taxonomy.choices import TLP, DatePrecision
from safecorridor.validation import Day, WebUrl, printable

#: the largest count (fatalities, injured, ...) a record holds
MAX_COUNT = 2**31 - 1
#: the most JSON an incident's ``extra`` holds
MAX_EXTRA_CHARS = 20_000


class IncidentBase(BaseModel):
    """The fields of an incident as data: actors are named, not linked."""

    model_config = ConfigDict(str_strip_whitespace=True)

    event_date: Day
    date_precision: DatePrecision = DatePrecision.DAY
    event_type: str = Field(max_length=60)
    sub_event_type: str | None = Field(default=None, max_length=60)
    disorder_type: str | None = Field(default=None, max_length=60)
    actor1: str | None = Field(default=None, max_length=300)
    assoc_actor_1: str | None = Field(default=None, max_length=500)
    inter1: str | None = Field(default=None, max_length=60)
    actor2: str | None = Field(default=None, max_length=300)
    assoc_actor_2: str | None = Field(default=None, max_length=500)
    inter2: str | None = Field(default=None, max_length=60)
    interaction: str | None = Field(default=None, max_length=60)
    civilian_targeting: str | None = Field(default=None, max_length=40)
    claimed_by: str | None = Field(default=None, max_length=300)
    target_category: str | None = Field(default=None, max_length=200)
    iso: str | None = Field(default=None, max_length=3)
    region: str | None = Field(default=None, max_length=100)
    country: str | None = Field(default=None, max_length=100)
    admin1: str | None = Field(default=None, max_length=100)
    admin2: str | None = Field(default=None, max_length=100)
    admin3: str | None = Field(default=None, max_length=100)
    location: str | None = Field(default=None, max_length=300)
    latitude: float = Field(allow_inf_nan=False)
    longitude: float = Field(allow_inf_nan=False)
    geo_precision: int = Field(default=1, ge=1, le=3)
    fatalities: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    foreign_fatalities: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    foreign_nationality: str | None = Field(default=None, max_length=100)
    injured: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    abducted: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    source: str | None = Field(default=None, max_length=20000)
    source_scale: str | None = Field(default=None, max_length=100)
    notes: str | None = Field(default=None, max_length=20000)
    tags: str | None = Field(default=None, max_length=20000)
    credibility: str = Field(default="6", max_length=1)
    tlp: TLP = TLP.CLEAR
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("extra")
    @classmethod
    def _extra_size(cls, v: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(v, default=str)) > MAX_EXTRA_CHARS:
            raise ValueError(f"extra holds more than {MAX_EXTRA_CHARS:,} characters of JSON")
        return v

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
        given = set(self.model_fields_set)
        self.event_type, self.sub_event_type = taxonomy.check_event_type(
            self.event_type, self.sub_event_type
        )
        if self.disorder_type is None:
            self.disorder_type = taxonomy.disorder_type(self.event_type)
        # the fields a caller gave stay those it gave (normalising one gives no other): an
        # import of a file without some columns keeps the stored values of those
        object.__setattr__(self, "__pydantic_fields_set__", given)
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

    source_dataset: str = Field(default="manual", max_length=20)
    source_key: str | None = Field(default=None, max_length=100)
    source_urls: list[WebUrl] = Field(default_factory=list, max_length=50)

    _printable = field_validator("*")(printable)  # what is stored is checked; what is read not


class NewIncident(IncidentCreate):
    """An incident as a caller of the API sends it: a field the record does not have
    (``fatalites``, ``city``) is refused, naming it, instead of being dropped unseen. Imports
    keep :class:`IncidentCreate`, which ignores the columns a file carries beside the record's
    (an export's ``id``, a spreadsheet's own notes)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IncidentUpdate(BaseModel):
    """A partial change; only the fields given are changed (with the same limits as a new
    incident's, and the whole record is checked again after the change)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    event_date: Day | None = None
    date_precision: DatePrecision | None = None
    event_type: str | None = Field(default=None, max_length=60)
    sub_event_type: str | None = Field(default=None, max_length=60)
    fatalities: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    foreign_fatalities: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    foreign_nationality: str | None = Field(default=None, max_length=100)
    injured: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    abducted: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    location: str | None = Field(default=None, max_length=300)
    admin1: str | None = Field(default=None, max_length=100)
    admin2: str | None = Field(default=None, max_length=100)
    latitude: float | None = Field(default=None, allow_inf_nan=False)
    longitude: float | None = Field(default=None, allow_inf_nan=False)
    notes: str | None = Field(default=None, max_length=20_000)
    target_category: str | None = Field(default=None, max_length=200)
    tlp: TLP | None = None
    credibility: str | None = Field(default=None, max_length=1)

    _printable = field_validator("*")(printable)


class IncidentPublic(IncidentBase):
    """An incident as shown to a reader."""

    id: int
    status: str
    source_dataset: str
    source_key: str
    h3_cell: int
    source_urls: list[str] = Field(default_factory=list)
