"""The extractor's output type and the protocol every extractor implements."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol, runtime_checkable

Span = tuple[int, int]


def cut_date(value: date | None, precision: str | None) -> str | None:
    """ISO date cut to its precision: ``2022-04`` for a month, ``2022`` for a year, the Monday
    of the week for a week, the full date for a day."""
    if value is None:
        return None
    if precision == "year":
        return f"{value.year:04d}"
    if precision == "month":
        return f"{value.year:04d}-{value.month:02d}"
    if precision == "week":
        return (value - timedelta(days=value.weekday())).isoformat()
    return value.isoformat()


@dataclass
class CandidateEvent:
    """One event a text reports, with the character span and confidence of each field."""

    kind: str
    event_type: str | None = None
    sub_event_type: str | None = None
    event_date: date | None = None
    date_precision: str | None = None
    # a day and month whose year cannot be known ("--10-27": a report with no publication
    # date that gives no year); event_date stays None, so nothing downstream takes a year
    month_day: str | None = None
    location_name: str | None = None
    city: str | None = None
    district: str | None = None
    province: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    perpetrator: str | None = None
    perpetrator_parent: str | None = None
    claimed_by: str | None = None
    actors: list[str] = field(default_factory=list)
    target: list[str] = field(default_factory=list)
    fatalities: int | None = None
    foreign_fatalities: int | None = None
    foreign_nationality: str | None = None
    injured: int | None = None
    abducted: int | None = None
    attackers_killed: int | None = None
    # ACLED counts every death in an event, attackers and militants included; ``fatalities``
    # keeps the victims only (security forces, civilians) and ``attackers_killed`` the
    # militants, so this is their sum when either is known
    total_fatalities: int | None = None
    summary: str | None = None
    span: Span | None = None
    evidence: dict[str, Span] = field(default_factory=dict)
    # why a value was read as it was, or a number was not taken ("fatalities_rejected":
    # "2022: a year, not a count"), in words, keyed like ``evidence``
    notes: dict[str, str] = field(default_factory=dict)
    # the evidence each field's confidence rests on ("date:relative:day"), the key of the
    # calibration map (:mod:`calibration`)
    confidence_basis: dict[str, str] = field(default_factory=dict)
    field_confidence: dict[str, float] = field(default_factory=dict)
    confidence: float = 0.0
    extractor: str = ""
    extractor_version: str = ""

    def set(
        self,
        name: str,
        value: Any,
        span: Span | None,
        confidence: float,
        basis: str | None = None,
    ) -> None:
        """Set a field with its evidence span, confidence and the evidence that confidence
        rests on (``basis``; by default the field and the raw confidence). A None value is
        left unset."""
        if value is None:
            return
        setattr(self, name, value)
        if span is not None:
            self.evidence[name] = span
        conf = round(confidence, 2)
        self.field_confidence[name] = conf
        self.confidence_basis[name] = basis or f"{name}:{conf}"

    def unset(self, name: str) -> None:
        """Clear a field with its evidence, confidence, basis and note (the event date with
        its ``month_day``)."""
        setattr(self, name, None)
        if name == "event_date":
            self.month_day = None
        for d in (self.evidence, self.field_confidence, self.confidence_basis, self.notes):
            d.pop(name, None)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: dates cut to their precision (a day and month of an unknown
        year as ``--MM-DD``), spans as [start, end] lists."""
        data = asdict(self)
        data["event_date"] = cut_date(self.event_date, self.date_precision) or self.month_day
        data["target"] = ",".join(self.target) or None
        data["span"] = list(self.span) if self.span else None
        data["evidence"] = {k: [s, e] for k, (s, e) in self.evidence.items()}
        return data


@runtime_checkable
class Extractor(Protocol):
    """Anything that turns a text into candidate events (rule, statistical or LLM-backed)."""

    name: str
    version: str

    def extract(
        self,
        text: str,
        *,
        published: date | None = None,
        extra_places: list[dict[str, Any]] | None = None,
        extra_aliases: dict[str, str] | None = None,
    ) -> list[CandidateEvent]: ...
