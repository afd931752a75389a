"""Shapes of the JWG's records: what a meeting, an action item or a change of status may carry,
and what is shown. The API's bodies, the web forms and the CLI are validated by these, so a
refused input reads the same on every face. Every string and list has a limit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from safecorridor.errors import InvalidInputError
from safecorridor.i18n import LOCALES, normalise
from safecorridor.jwg.choices import ActionStatus, LinkedType
from safecorridor.taxonomy.choices import TLP
from safecorridor.validation import printable

OrgRef = int | str


def _check_day(value: date | None, name: str) -> date | None:
    if value is not None and not 1900 <= value.year <= 2200:
        raise ValueError(f"{name} must lie between 1900 and 2200")
    return value


def period_begun(period_from: date, *, today: date) -> date:
    """``period_from`` if the briefing's period has begun by ``today`` (the app clock's day):
    a pack over days still to come holds nothing (its numbers, its map and its lists would
    be empty), so it is refused naming the field. The clock is the service's, not the
    schema's: :func:`jwg.briefing.build_pack` calls this for every face."""
    if period_from > today:
        msg = (
            f"{period_from} is after today ({today}): a briefing pack covers days that have "
            "begun; give a period that starts today or before"
        )
        raise InvalidInputError(
            f"field period_from: {msg}", errors=[{"loc": ["period_from"], "msg": msg}]
        )
    return period_from


def _locale(value: str) -> str:
    """The app's locale for a language tag: ``zh``, ``zh-CN`` and ``zh_Hans`` are
    ``zh_Hans``, as the CLI's ``--lang zh`` is."""
    loc = normalise(value[:40])
    if loc is None or loc not in LOCALES:
        raise ValueError(f"language must be one of {', '.join(LOCALES)} (or zh), not {value!r}")
    return loc


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    _printable = field_validator("*")(printable)  # a NUL or an escape is no meeting's text


class LinkIn(_In):
    """A record an agenda or action item is about."""

    record_type: LinkedType
    record_id: int = Field(ge=1, le=2**31 - 1)


class DelegationIn(_In):
    """An organisation at the meeting: roles sent (never names of persons)."""

    organisation: OrgRef = Field(description="Organisation id or exact name.")
    side: str = Field(default="", max_length=100)
    roles: list[str] = Field(default_factory=list, max_length=20)
    language: str = Field(default="en", description="Language of its briefing: en or zh_Hans.")

    @field_validator("roles")
    @classmethod
    def _roles(cls, v: list[str]) -> list[str]:
        out = [r.strip() for r in v if r.strip()]
        if any(len(r) > 200 for r in out):
            raise ValueError("a role is at most 200 characters")
        return out

    @field_validator("language")
    @classmethod
    def _language(cls, v: str) -> str:
        return _locale(v)


class ActionIn(_In):
    """An action item a decision creates."""

    title: str = Field(min_length=1, max_length=300)
    details: str = Field(default="", max_length=5000)
    owner: OrgRef = Field(description="The organisation that must act: id or exact name.")
    responsible_role: str = Field(default="", max_length=200)
    due_on: date
    tlp: TLP | None = Field(default=None, description="Default: the meeting's marking.")
    links: list[LinkIn] = Field(default_factory=list, max_length=50)

    @field_validator("due_on")
    @classmethod
    def _due(cls, v: date) -> date:
        _check_day(v, "due_on")
        return v


class AgendaIn(_In):
    title: str = Field(min_length=1, max_length=300)
    notes: str = Field(default="", max_length=10_000)
    links: list[LinkIn] = Field(default_factory=list, max_length=50)


class DecisionIn(_In):
    text: str = Field(min_length=1, max_length=5000)
    agenda_item: int | None = Field(
        default=None, ge=1, le=50, description="Position (1-based) of its agenda item."
    )
    actions: list[ActionIn] = Field(default_factory=list, max_length=50)


class MeetingCreate(_In):
    """A meeting with its delegations, agenda, decisions and the action items they create."""

    series: str = Field(default="JWG on Safety and Security of CPEC", min_length=1, max_length=200)
    number: int = Field(ge=1, le=10_000)
    held_on: date
    venue: str = Field(default="", max_length=300)
    chair: str = Field(default="", max_length=300, description="A role or side, not a person.")
    summary: str = Field(default="", max_length=20_000)
    tlp: TLP = TLP.GREEN
    is_illustrative: bool = False
    delegations: list[DelegationIn] = Field(default_factory=list, max_length=50)
    agenda: list[AgendaIn] = Field(default_factory=list, max_length=50)
    decisions: list[DecisionIn] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _coherent(self) -> MeetingCreate:
        _check_day(self.held_on, "held_on")
        for d in self.decisions:
            if d.agenda_item is not None and d.agenda_item > len(self.agenda):
                raise ValueError(
                    f"a decision names agenda item {d.agenda_item}; the agenda has "
                    f"{len(self.agenda)} item(s)"
                )
        return self


class ActionCreate(ActionIn):
    """An action item added to an existing decision."""


class ActionChange(_In):
    """A change of an action item: its status (with a note), evidence, or due date."""

    status: ActionStatus | None = None
    note: str = Field(default="", max_length=2000)
    evidence_note: str | None = Field(default=None, max_length=5000)
    evidence_url: str | None = Field(default=None, max_length=2000)
    evidence_measure_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    due_on: date | None = None
    effective_on: date | None = None

    @model_validator(mode="after")
    def _coherent(self) -> ActionChange:
        _check_day(self.due_on, "due_on")
        _check_day(self.effective_on, "effective_on")
        if self.status == ActionStatus.OVERDUE:
            raise ValueError("overdue is set by the worker when the due date passes")
        if self.evidence_url and not self.evidence_url.startswith(("http://", "https://")):
            raise ValueError("evidence_url must be an http(s) address")
        return self


# --- what is shown -------------------------------------------------------------------------


class LinkPublic(BaseModel):
    record_type: str
    record_id: int
    label: str
    role: str


class ActionPublic(BaseModel):
    id: int
    meeting_id: int | None = Field(
        description="The meeting that decided it; null for a reader who may not read that "
        "meeting (an item may be shared more widely than its meeting)."
    )
    decision_id: int | None = Field(
        description="The decision it carries out; null, as the meeting, for a reader who may "
        "not read the meeting."
    )
    title: str
    details: str
    owner_org_id: int
    owner: str
    responsible_role: str
    due_on: date
    status: str
    overdue_since: date | None
    completed_on: date | None
    evidence_note: str | None
    evidence_url: str | None
    tlp: str
    open_since: str | None = Field(
        default=None, description="The meeting it has been open since, when it carried over."
    )
    links: list[LinkPublic] = Field(default_factory=list)
    history: list[dict[str, Any]] = Field(default_factory=list)


class ActionsPublic(BaseModel):
    data: list[ActionPublic]
    count: int


class DecisionPublic(BaseModel):
    id: int
    position: int
    text: str
    agenda_item_id: int | None
    actions: list[ActionPublic]


class AgendaPublic(BaseModel):
    id: int
    position: int
    title: str
    notes: str
    links: list[LinkPublic]


class DelegationPublic(BaseModel):
    organisation_id: int
    organisation: str
    side: str
    roles: list[str]
    language: str


class MeetingPublic(BaseModel):
    id: int
    series: str
    number: int
    held_on: date
    venue: str
    chair: str
    summary: str
    tlp: str
    owner_org_id: int | None
    is_illustrative: bool
    delegations: list[DelegationPublic] = Field(default_factory=list)
    agenda: list[AgendaPublic] = Field(default_factory=list)
    decisions: list[DecisionPublic] = Field(default_factory=list)
    carried_over: list[ActionPublic] = Field(default_factory=list)


class MeetingsPublic(BaseModel):
    data: list[MeetingPublic]
    count: int


class BriefingRequest(_In):
    """A pack over ``period_from..period_to`` for your organisation (a period that starts
    after today is refused by the service, which knows the app's clock: :func:`period_begun`).
    """

    period_from: date
    period_to: date
    language: str = Field(default="en", description="en or zh_Hans (zh, zh-CN are zh_Hans).")
    meeting_id: int | None = Field(default=None, ge=1, le=2**31 - 1)

    @field_validator("language")
    @classmethod
    def _language(cls, v: str) -> str:
        return _locale(v)

    @model_validator(mode="after")
    def _coherent(self) -> BriefingRequest:
        _check_day(self.period_from, "period_from")
        _check_day(self.period_to, "period_to")
        if self.period_to < self.period_from:
            raise ValueError("period_to is before period_from")
        if (self.period_to - self.period_from).days > 3660:
            raise ValueError("a briefing covers at most ten years")
        return self


class BriefingPublic(BaseModel):
    id: int
    owner_org_id: int
    meeting_id: int | None
    period_from: date
    period_to: date
    language: str
    tlp: str
    built_at: datetime
    built_by: str
    records: dict[str, Any]
    figures: dict[str, Any]
    sha256: str
    has_pdf: bool


class BriefingsPublic(BaseModel):
    data: list[BriefingPublic]
    count: int
