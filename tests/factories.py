"""Builders of test records with sensible defaults (override any field)."""

from __future__ import annotations

from datetime import date, timedelta
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


def violent_stretch(session: Session, *, today: date | None = None, n: int = 20) -> None:
    """``n`` fatal clashes near Dasu on the Karakoram Highway in the 90 days before ``today``
    (real ones, not the few of the demo world): with them the calibrated policy rates that
    stretch ``severe``, as the movement tests need. Flushed, not committed."""
    today = today or date.today()
    for i in range(n):
        create_incident(
            session,
            event_date=today - timedelta(days=1 + (i * 89) // n),
            latitude=35.25 + 0.01 * (i % 5),
            longitude=73.0 + 0.01 * (i % 7),
            fatalities=3,
            foreign_fatalities=None,
            foreign_nationality=None,
            source_key=f"violent-stretch-{i}",
            tlp="CLEAR",
            location="near Dasu",
            admin1="Khyber Pakhtunkhwa",
            admin2="Upper Kohistan",
            event_type="Battles",
            sub_event_type="Armed clash",
            actor1=None,
            claimed_by=None,
            target_category=None,
        )
