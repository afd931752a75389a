"""Shapes of the API's requests and responses not owned by another concern."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from safecorridor.incidents.schemas import IncidentPublic
from safecorridor.taxonomy.choices import TLP, Role
from safecorridor.validation import Day, email_address, printable


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


#: the store keeps naive UTC; the API says so (RFC 3339 needs the offset)
UtcDatetime = Annotated[datetime, AfterValidator(_utc)]


# --- incidents ------------------------------------------------------------------------------


class IncidentsPublic(BaseModel):
    """A page of incidents: ``count`` matches the filters (null when not asked for);
    ``next_cursor`` fetches the next page."""

    data: list[IncidentPublic]
    count: int | None
    next_cursor: str | None = None


class IncidentChangePublic(BaseModel):
    changed_at: UtcDatetime
    changed_by: str
    action: str
    changes: dict[str, Any]


class IncidentDetail(IncidentPublic):
    """One incident with its owner and history."""

    owner_org_id: int | None = None
    history: list[IncidentChangePublic] = Field(default_factory=list)


class RetractIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=1000)


class GrantIn(BaseModel):
    """Name a user who may read a TLP:RED record."""

    model_config = ConfigDict(extra="forbid")

    user_id: int = Field(ge=1, le=2**31 - 1)


class CountPublic(BaseModel):
    count: int


# --- actors and documents -------------------------------------------------------------------


class ActorPublic(BaseModel):
    id: int
    name: str
    kind: str
    parent_id: int | None
    countries: str | None
    aliases: list[str]


class ActorsPublic(BaseModel):
    data: list[ActorPublic]
    count: int


class DocumentPublic(BaseModel):
    id: int
    sha256: str
    url: str | None
    publisher: str | None
    title: str | None
    published_at: UtcDatetime | None
    #: published_at was read from the report's own text, neither source nor user gave it
    published_from_text: bool = False
    language: str | None
    reliability: str
    ingested_at: UtcDatetime
    owner_org_id: int | None
    tlp: str
    text: str | None = None


class DocumentsPublic(BaseModel):
    data: list[DocumentPublic]
    count: int


class DocumentIn(BaseModel):
    """A report to ingest: its ``text``, or a ``url`` to fetch, with metadata. With both, the
    text is stored and the URL is kept as where it came from. It belongs to your organisation
    and is TLP:AMBER unless marked otherwise."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str | None = Field(default=None, max_length=2_000_000)
    url: str | None = Field(
        default=None,
        max_length=2000,
        pattern=r"^https?://[^\x00-\x20\x7f]+$",
        description="http(s) only.",
    )
    published: Day | None = Field(
        default=None, description="Publication day: relative dates in the text resolve to it."
    )
    publisher: str | None = Field(default=None, max_length=300)
    title: str | None = Field(default=None, max_length=1000)
    reliability: Literal["A", "B", "C", "D", "E", "F"] = Field(
        default="F", description="Admiralty source reliability (F: cannot be judged)."
    )
    tlp: TLP = TLP.AMBER

    # a title or publisher is shown on every page that cites the document: no NUL or escape
    _printable = field_validator("publisher", "title")(printable)

    @field_validator("url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            parts = urlsplit(v)
            host, _port = parts.hostname, parts.port
        except ValueError as exc:
            raise ValueError(f"not a valid URL: {exc}") from None
        if not host:
            raise ValueError("the URL names no host")
        return v


class EvidencePublic(BaseModel):
    """The ``[start, end)`` characters of the document's text that support a field."""

    start: int
    end: int
    text: str | None


class CandidatePublic(BaseModel):
    """An event an extractor proposed from a document, waiting for (or after) review."""

    id: int
    document_id: int
    position: int
    kind: str
    event_type: str | None
    sub_event_type: str | None
    event_date: date | None
    date_precision: str | None
    # the day and month ("--10-27") when the report gives no year; event_date is then null
    month_day: str | None = None
    location: str | None
    city: str | None
    admin1: str | None
    admin2: str | None
    country: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    perpetrator: str | None
    perpetrator_parent: str | None
    claimed_by: str | None
    actors: list[str]
    target: str | None
    fatalities: int | None
    foreign_fatalities: int | None
    foreign_nationality: str | None
    injured: int | None
    abducted: int | None
    summary: str | None
    span: list[int] | None
    evidence: dict[str, EvidencePublic]
    field_confidence: dict[str, float]
    confidence: float
    extractor: str
    extractor_version: str
    status: Literal["pending", "accepted", "rejected", "merged"]
    incident_id: int | None
    decided_by: str | None
    decided_at: UtcDatetime | None
    decision_note: str | None
    owner_org_id: int | None
    tlp: str
    created_at: UtcDatetime
    suggested_incident_id: int | None = Field(
        default=None,
        description="The incident an accept would merge into (one you may read), if any.",
    )


class CandidatesPublic(BaseModel):
    data: list[CandidatePublic]
    count: int


class DocumentIngested(BaseModel):
    """What an ingest did: ``new`` (stored and extracted), ``near_duplicate`` (stored, linked to
    the earlier copy, not extracted again) or ``duplicate`` (already stored: nothing created)."""

    status: Literal["new", "near_duplicate", "duplicate"]
    document_ids: list[int]
    documents: list[DocumentPublic]
    duplicate_of_id: int | None = Field(
        default=None, description="The stored copy of a duplicate (when you may read it)."
    )
    near_duplicate_of_id: int | None = None
    candidates: list[CandidatePublic]
    run_id: int | None


#: a reviewer's value for a field: text is parsed (``"2022-04-26"``, ``"24.94"``); "" or null
#: clears the field
EditValue = str | int | float | None


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    edits: dict[str, EditValue] = Field(
        default_factory=dict,
        max_length=30,
        description='Fields to correct first, e.g. {"latitude": 24.94, "longitude": 67.12}.',
    )


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=1000, description="Why (at least 3 characters).")


class MergeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    incident_id: int = Field(ge=1, le=2**31 - 1)
    edits: dict[str, EditValue] = Field(default_factory=dict, max_length=30)


class DecisionPublic(BaseModel):
    """A review decision: the candidate after it, and the incident it became or joined."""

    candidate: CandidatePublic
    incident_id: int | None
    created: bool = Field(description="Whether a new incident was created.")
    changes: dict[str, Any] = Field(
        default_factory=dict, description="What a merge changed on the incident."
    )
    disagreements: dict[str, Any] = Field(
        default_factory=dict, description="Where the merged sources disagree."
    )


# --- risk -----------------------------------------------------------------------------------


class RiskPublic(BaseModel):
    """A site's or route's risk: level, score, the factors, and the explanation as text."""

    kind: Literal["site", "route"]
    id: int
    name: str
    as_of: date
    level: str
    probability: float = Field(
        description="The probability the level bands: by default, of a fatal incident within "
        "the policy's radius in the next 90 days."
    )
    sentence: str = Field(description='The level with its meaning, e.g. "severe: 62% chance ..."')
    score: float
    explanation: str
    details: dict[str, Any]


# --- organisations, users, tokens -----------------------------------------------------------


class OrganisationPublic(BaseModel):
    id: int
    name: str
    short_name: str | None
    kind: str
    country: str | None
    partner_ids: list[int]


class OrganisationsPublic(BaseModel):
    data: list[OrganisationPublic]
    count: int


class PartnersIn(BaseModel):
    """The organisations yours shares TLP:AMBER records with (replaces the list)."""

    model_config = ConfigDict(extra="forbid")

    partner_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(max_length=1000)


class UserPublic(BaseModel):
    id: int
    email: str
    display_name: str
    organisation_id: int
    role: Role
    is_active: bool


class UsersPublic(BaseModel):
    data: list[UserPublic]
    count: int


class UserCreate(BaseModel):
    """A new member of your organisation (administrators only)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: Annotated[str, AfterValidator(email_address)] = Field(min_length=3, max_length=254)
    display_name: str | None = Field(default=None, max_length=200)
    role: Role = Role.VIEWER
    # as typed: sign-in does not strip it either (a stripped one refused the very password set)
    password: Annotated[str, StringConstraints(strip_whitespace=False)] | None = Field(
        default=None, min_length=10, max_length=1000
    )


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = None
    is_active: bool | None = None


class PasswordIn(BaseModel):
    """A new password, as typed (10 to 1,000 characters); ``current`` for your own."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=10, max_length=1000)
    current: str | None = Field(default=None, max_length=1000)


class LoginIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1000)


class SessionPublic(BaseModel):
    """A web session: the cookie is set; send ``csrf_token`` as X-CSRF-Token on writes."""

    user: UserPublic
    csrf_token: str


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="api", min_length=1, max_length=100)
    days: int = Field(
        default=90,
        ge=1,
        le=3650,
        description="Days until it expires: at most the deployment's SAFECORRIDOR_TOKEN_MAX_DAYS"
        " (365 unless configured otherwise; a longer lifetime is refused with that limit).",
    )


class TokenPublic(BaseModel):
    id: int
    name: str
    prefix: str
    created_at: UtcDatetime
    expires_at: UtcDatetime
    revoked_at: UtcDatetime | None
    last_used_at: UtcDatetime | None


class TokensPublic(BaseModel):
    data: list[TokenPublic]
    count: int


class TokenIssued(TokenPublic):
    """A new token: ``token`` is shown this once and cannot be recovered."""

    token: str


# --- GeoJSON --------------------------------------------------------------------------------


class Geometry(BaseModel):
    type: Literal["Point", "LineString", "Polygon"]
    coordinates: list[Any]


class Feature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: int | str | None = None
    geometry: Geometry
    properties: dict[str, Any]


class FeatureCollection(BaseModel):
    """An RFC 7946 FeatureCollection (longitude before latitude)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]
    bbox: list[float] | None = None
    properties: dict[str, Any] | None = None
