"""Builders of test records with sensible defaults (override any field)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from safecorridor.incidents.models import Incident
from safecorridor.incidents.schemas import IncidentCreate
from safecorridor.incidents.service import create_incident as _create


def incident_in(**overrides: Any) -> IncidentCreate:
    data: dict[str, Any] = {
        "event_date": date(2022, 4, 26),
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Suicide bomb",
        "actor1": "Majeed Brigade",
        "claimed_by": "Baloch Liberation Army",
        "target_category": "foreign_nationals,civilians",
        "country": "Pakistan",
        "admin1": "Sindh",
        "admin2": "Karachi East",
        "location": "Karachi University",
        "latitude": 24.9418,
        "longitude": 67.1207,
        "fatalities": 4,
        "foreign_fatalities": 3,
        "foreign_nationality": "Chinese",
    }
    data.update(overrides)
    return IncidentCreate(**data)


def create_incident(session: Session, **overrides: Any) -> Incident:
    return _create(session=session, incident_in=incident_in(**overrides), changed_by="test")
