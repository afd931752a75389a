"""The record store, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid
from datetime import date
from pathlib import Path

import h3
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from pydantic import ValidationError
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safecorridor.db.base import Base
from safecorridor.db.engine import is_schema_current, make_engine, migrate
from safecorridor.errors import InvalidInputError
from safecorridor.incidents.actors import add_actor, alias_key, find_actor
from safecorridor.incidents.models import Incident, IncidentChange
from safecorridor.incidents.schemas import IncidentUpdate
from safecorridor.incidents.service import (
    IncidentFilter,
    IncidentNotFoundError,
    UnknownActorError,
    count_incidents,
    get_incident,
    list_incidents,
    retract_incident,
    update_incident,
)
from tests.factories import create_incident, incident_in


def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert is_schema_current(engine)


def test_incidents_store_their_h3_cell_as_an_indexed_integer(
    engine: Engine, session: Session
) -> None:
    inc = create_incident(session)
    session.commit()
    assert inc.h3_cell == h3.str_to_int(h3.latlng_to_cell(24.9418, 67.1207, 7))
    assert h3.get_resolution(h3.int_to_str(inc.h3_cell)) == 7
    indexes = {ix["name"]: ix["column_names"] for ix in inspect(engine).get_indexes("incidents")}
    assert ["h3_cell"] in indexes.values()


def test_a_new_incident_has_a_created_history_entry(session: Session) -> None:
    inc = create_incident(session)
    session.commit()
    history = session.scalars(
        select(IncidentChange).where(IncidentChange.incident_id == inc.id)
    ).all()
    assert [h.action for h in history] == ["created"]


def test_updates_record_old_and_new_values(session: Session) -> None:
    inc = create_incident(session, fatalities=3)
    session.commit()
    update_incident(
        session=session,
        incident_id=inc.id,
        incident_in=IncidentUpdate(fatalities=4),
        changed_by="analyst@jwg",
    )
    session.commit()
    again = get_incident(session, inc.id)
    assert again.fatalities == 4
    assert again.history[-1].action == "updated"
    assert again.history[-1].changes == {"fatalities": [3, 4]}
    assert again.history[-1].changed_by == "analyst@jwg"


def test_an_update_that_would_break_the_record_is_refused(session: Session) -> None:
    inc = create_incident(session, fatalities=4, foreign_fatalities=3)
    session.commit()
    with pytest.raises(InvalidInputError, match="exceed fatalities"):
        update_incident(
            session=session,
            incident_id=inc.id,
            incident_in=IncidentUpdate(fatalities=1),
            changed_by="a",
        )
    session.rollback()
    assert get_incident(session, inc.id).fatalities == 4


def test_retracted_incidents_leave_the_list_but_keep_their_history(session: Session) -> None:
    inc = create_incident(session)
    session.commit()
    retract_incident(session=session, incident_id=inc.id, changed_by="a", reason="duplicate report")
    session.commit()
    assert list_incidents(session) == []
    assert count_incidents(session, IncidentFilter(include_retracted=True)) == 1
    assert get_incident(session, inc.id).history[-1].changes["reason"] == "duplicate report"


def test_missing_incident_raises(session: Session) -> None:
    with pytest.raises(IncidentNotFoundError, match="no incident with id 999"):
        get_incident(session, 999)


def test_near_query_finds_what_is_within_the_radius_only(session: Session) -> None:
    create_incident(session, location="Karachi University")  # 24.94, 67.12
    create_incident(
        session,
        location="Port Qasim",
        latitude=24.7856,
        longitude=67.3464,
        sub_event_type="Suicide bomb",
    )
    create_incident(session, location="Gwadar", latitude=25.1216, longitude=62.3254)
    session.commit()
    near = list_incidents(session, IncidentFilter(near=(24.94, 67.12), km=10))
    assert [i.location for i in near] == ["Karachi University"]
    wide = list_incidents(session, IncidentFilter(near=(24.94, 67.12), km=40))
    assert {i.location for i in wide} == {"Karachi University", "Port Qasim"}
    # a radius too large for an H3 disk falls back to a bounding box, same answer shape
    country = list_incidents(session, IncidentFilter(near=(24.94, 67.12), km=600))
    assert len(country) == 3
    assert count_incidents(session, IncidentFilter(near=(24.94, 67.12), km=40)) == 2


def test_actor_filter_includes_the_units_of_an_organisation(session: Session) -> None:
    bla = add_actor(session, "Baloch Liberation Army", kind="armed_group", aliases=["BLA"])
    add_actor(session, "Majeed Brigade", kind="armed_group", aliases=["Majid Brigade"], parent=bla)
    add_actor(session, "Tehrik-i-Taliban Pakistan", kind="armed_group", aliases=["TTP"])
    create_incident(session, actor1="Majid Brigade", claimed_by=None, location="Karachi University")
    create_incident(
        session, actor1="BLA", claimed_by=None, location="Gwadar", latitude=25.12, longitude=62.32
    )
    create_incident(
        session, actor1="TTP", claimed_by=None, location="Besham", latitude=34.93, longitude=72.87
    )
    session.commit()
    by_bla = list_incidents(session, IncidentFilter(actor="Baloch Liberation Army"))
    assert {i.location for i in by_bla} == {"Karachi University", "Gwadar"}
    by_unit = list_incidents(session, IncidentFilter(actor="majeed brigade"))
    assert [i.location for i in by_unit] == ["Karachi University"]
    with pytest.raises(UnknownActorError, match="no actor is named"):
        list_incidents(session, IncidentFilter(actor="Nobody Army"))


def test_aliases_resolve_whatever_the_spelling(session: Session) -> None:
    add_actor(
        session,
        "Baloch Liberation Army",
        kind="armed_group",
        aliases=["BLA", "BLA: Baloch Liberation Army"],
    )
    session.commit()
    assert alias_key("The Baloch Liberation Army") == "baloch liberation army"
    found = find_actor(session, "BLA: Baloch Liberation Army")
    assert found is not None and found.name == "Baloch Liberation Army"
    assert find_actor(session, " bla ") is found


def test_an_alias_cannot_name_two_actors(session: Session) -> None:
    add_actor(session, "Baloch Liberation Army", aliases=["BLA"])
    with pytest.raises(ValueError, match="already belongs"):
        add_actor(session, "Baloch Liberation Front", aliases=["BLA"])


def test_filters_by_date_type_and_province(session: Session) -> None:
    create_incident(
        session,
        event_date=date(2021, 7, 14),
        admin1="Khyber Pakhtunkhwa",
        latitude=35.28,
        longitude=73.2,
    )
    create_incident(session, event_date=date(2022, 4, 26))
    create_incident(
        session,
        event_date=date(2023, 8, 13),
        event_type="Battles",
        sub_event_type="Armed clash",
        admin1="Balochistan",
        latitude=25.12,
        longitude=62.32,
    )
    session.commit()
    assert len(list_incidents(session, IncidentFilter(date_from=date(2022, 1, 1)))) == 2
    assert len(list_incidents(session, IncidentFilter(date_to=date(2021, 12, 31)))) == 1
    assert len(list_incidents(session, IncidentFilter(event_types=["battles"]))) == 1
    assert len(list_incidents(session, IncidentFilter(admin1="sindh"))) == 1
    dates = [i.event_date for i in list_incidents(session)]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"event_type": "Terrorism"}, "not a known ACLED event type"),
        ({"latitude": 95.0}, "coordinates out of range"),
        ({"latitude": 0.0, "longitude": 0.0}, "0,0"),
        ({"fatalities": -1}, "greater than or equal to 0"),
        ({"target_category": "aliens"}, "not a target category"),
        ({"credibility": "9"}, "Admiralty code"),
    ],
)
def test_invalid_incidents_are_refused_with_a_reason(
    override: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        incident_in(**override)


def test_sqlite_runs_in_wal_mode(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_incident_ordering_is_deterministic(session: Session) -> None:
    a = create_incident(session)
    b = create_incident(session, location="Karachi University gate")
    session.commit()
    assert [i.id for i in list_incidents(session)] == [b.id, a.id]
    assert session.scalar(select(Incident.id).order_by(Incident.id)) == a.id


def test_storing_the_same_incident_twice_is_refused_clearly(session: Session) -> None:
    from safecorridor.incidents.service import DuplicateIncidentError

    create_incident(session)
    with pytest.raises(DuplicateIncidentError, match="already stored as #"):
        create_incident(session)


def test_re_adding_a_unit_without_a_parent_keeps_its_parent(session: Session) -> None:
    bla = add_actor(session, "Baloch Liberation Army", aliases=["BLA"])
    add_actor(session, "Majeed Brigade", parent=bla)
    unit = add_actor(session, "Majeed Brigade", aliases=["Majid Brigade"])
    assert unit.parent is bla


def test_acled_state_force_periods_resolve_to_the_same_actor(session: Session) -> None:
    police = add_actor(session, "Police Forces of Pakistan", kind="state_force")
    assert find_actor(session, "Police Forces of Pakistan (2018-)") is police
    assert find_actor(session, "Police Forces of Pakistan (2008-2013)") is police


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_migration_0025_puts_in_the_register_the_actors_every_user_read(
    tmp_path: Path, backend: str
) -> None:
    """Before 0025 an actor was in the register while no incident named it. The flag keeps
    every actor's readers: in the register the actors named by no incident and those an
    open incident names; out of it those only restricted incidents name. Names may then
    repeat (a record's own actor of a hidden name), alias keys too, but not on one actor."""
    schema = f"sc_actors_old_{uuid.uuid4().hex[:10]}"
    url = os.environ.get("SAFECORRIDOR_TEST_PG_URL")
    if backend == "postgresql":
        if not url:
            pytest.skip("SAFECORRIDOR_TEST_PG_URL is not set")
        with make_engine(url).begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        eng = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    else:
        eng = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        _migrate_actors_past_0025(eng)
    finally:
        eng.dispose()
        if backend == "postgresql":
            with make_engine(str(url)).begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def _migrate_actors_past_0025(eng: Engine) -> None:
    migrate(eng, "0024")
    names = ["Nobody's", "Open", "Hidden", "Both"]
    with eng.begin() as conn:
        for n, name in enumerate(names, start=1):
            conn.execute(
                text(
                    "INSERT INTO actors (id, name, kind, created_at) "
                    "VALUES (:i, :n, 'armed_group', '2024-01-01')"
                ),
                {"i": n, "n": name},
            )
            conn.execute(
                text("INSERT INTO actor_aliases (actor_id, alias, key) VALUES (:i, :n, :k)"),
                {"i": n, "n": name, "k": alias_key(name)},
            )
    with Session(eng) as s:
        for key, tlp in (("a", "GREEN"), ("b", "AMBER+STRICT"), ("c", "RED"), ("d", "CLEAR")):
            create_incident(s, source_key=key, tlp=tlp, actor1=None, claimed_by=None)
        s.commit()
    with eng.begin() as conn:
        for key, column, actor in (("a", "actor1_id", 2), ("b", "claimed_by_id", 3)):
            conn.execute(
                text(f"UPDATE incidents SET {column} = :a WHERE source_key = :k"),
                {"a": actor, "k": key},
            )
        conn.execute(text("UPDATE incidents SET actor2_id = 4 WHERE source_key IN ('c', 'd')"))
    migrate(eng)
    with eng.begin() as conn:
        rows = conn.execute(text("SELECT name, in_register FROM actors")).all()
        assert {str(n): bool(f) for n, f in rows} == {
            "Nobody's": True,
            "Open": True,
            "Hidden": False,
            "Both": True,
        }
        # a second actor of a name, with the same alias key, is now allowed
        conn.execute(
            text(
                "INSERT INTO actors (id, name, kind, created_at, in_register) "
                "VALUES (5, 'Hidden', 'other', '2024-01-02', true)"
            )
        )
        conn.execute(
            text("INSERT INTO actor_aliases (actor_id, alias, key) VALUES (5, 'Hidden', 'hidden')")
        )
    with pytest.raises(IntegrityError), eng.begin() as conn:  # but not twice on one actor
        conn.execute(
            text("INSERT INTO actor_aliases (actor_id, alias, key) VALUES (5, 'HIDDEN', 'hidden')")
        )
