"""The incidents' epoch behind the cached risk surfaces: raised by the database whenever
incidents change, by any process and any means, read in one primary-key look-up; and a
transaction that has written incidents neither reads nor fills the cache."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from h3.api import basic_int as h3
from sqlalchemy import Engine, Executable, Table, delete, insert, text, update
from sqlalchemy.orm import Session

from safecorridor.incidents.models import (
    Incident,
    IncidentsEpoch,
    read_incidents_epoch,
    wrote_incidents,
)
from safecorridor.risk.cache import surfaces
from safecorridor.risk.service import surface_for
from safecorridor.sharing.policy import Viewer
from tests.api.conftest import World, user_of
from tests.factories import create_incident

TABLE = cast(Table, Incident.__table__)
BOX = (66.5, 24.5, 68.0, 26.0)


def epoch(engine: Engine) -> int:
    with Session(engine) as session:
        return read_incidents_epoch(session)


def change(engine: Engine, *statements: Any) -> int:
    """Run ``statements`` in one transaction of its own (as another process would)."""
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(statement)
    return epoch(engine)


def _row(key: str) -> dict[str, Any]:
    """An incident row as plain SQL would write it (no ORM defaults)."""
    return {
        "source_dataset": "manual",
        "source_key": key,
        "event_date": date(2022, 5, 1),
        "date_precision": "day",
        "content_hash": key.ljust(64, "0"),
        "event_type": "Battles",
        "h3_cell": h3.latlng_to_cell(25.3, 67.3, 6),
        "latitude": 25.3,
        "longitude": 67.3,
        "admin1": "Sindh",
        "country": "Pakistan",
        "fatalities": 1,
        "status": "confirmed",
        "tlp": "CLEAR",
        "created_at": datetime(2022, 5, 2),
        "updated_at": datetime(2022, 5, 2),
    }


def test_every_kind_of_incident_change_raises_the_epoch_and_other_writes_do_not(
    engine: Engine, world: World
) -> None:
    start = epoch(engine)
    assert change(engine, update(IncidentsEpoch).values(epoch=IncidentsEpoch.epoch)) == start
    seen = [start]
    steps: list[list[Executable]] = [
        [insert(TABLE).values(**_row("plain-1"))],
        [insert(TABLE).values(**_row("plain-2")), insert(TABLE).values(**_row("plain-3"))],
        # plain SQL that leaves updated_at alone: the count-and-latest stamp missed it
        [text("UPDATE incidents SET fatalities = 7 WHERE source_key = 'plain-1'")],
        [delete(TABLE).where(TABLE.c.source_key == "plain-2")],
    ]
    for statements in steps:
        seen.append(change(engine, *statements))
        assert seen[-1] > seen[-2], statements


def test_a_lower_id_committed_late_still_moves_the_epoch(engine: Engine, world: World) -> None:
    """The old stamp (count, highest id, latest update) is fooled by nothing here either, but
    an epoch that moved at insert time rather than commit would be: the late commit must
    count when it lands."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite serialises writers: no transaction commits under another's")
    early = engine.connect()
    try:
        trans = early.begin()
        early.execute(insert(TABLE).values(**_row("late")))  # the lower id, not yet committed
        before = change(engine, insert(TABLE).values(**_row("on-time")))
        assert epoch(engine) == before
        trans.commit()
    finally:
        early.close()
    assert epoch(engine) > before


def test_a_missing_epoch_row_reads_as_zero_and_the_next_change_puts_it_back(
    engine: Engine, world: World
) -> None:
    change(engine, delete(IncidentsEpoch))
    assert epoch(engine) == 0
    assert change(engine, insert(TABLE).values(**_row("back"))) >= 1


def test_a_cached_surface_costs_one_epoch_read_not_a_count(
    client: TestClient, world: World, statements: list[str]
) -> None:
    surfaces.clear()
    params = {"bbox": ",".join(map(str, BOX)), "as_of": "2022-06-01"}
    headers = world.headers("owner", "viewer")
    first = client.get("/api/v1/risk/surface.geojson", params=params, headers=headers)
    assert first.status_code == 200
    statements.clear()
    again = client.get("/api/v1/risk/surface.geojson", params=params, headers=headers)
    assert again.json() == first.json()
    on_incidents = [sql for sql in statements if "incidents" in sql.lower()]
    assert sum("incidents_epoch" in sql for sql in on_incidents) == 1, on_incidents
    assert not any("count(" in sql.lower() for sql in on_incidents), on_incidents


def test_a_transaction_that_wrote_incidents_neither_reads_nor_fills_the_cache(
    engine: Engine, world: World, session: Session
) -> None:
    surfaces.clear()
    viewer = Viewer.of(user_of(session, world, "outsider", "viewer"))
    day = date(2022, 6, 1)
    cached = surface_for(session, viewer, as_of=day, box=BOX, audit=False)
    session.commit()
    assert not wrote_incidents(session)
    create_incident(session, tlp="CLEAR", source_key="pending", latitude=25.3, longitude=67.3)
    assert wrote_incidents(session)
    builds = surfaces.builds
    mine = surface_for(session, viewer, as_of=day, box=BOX, audit=False)
    assert len(mine.incidents) == len(cached.incidents) + 1  # its own pending incident counts
    assert surfaces.builds == builds  # built aside, not cached
    session.rollback()
    assert not wrote_incidents(session)
    with Session(engine) as other:
        again = surface_for(other, viewer, as_of=day, box=BOX, audit=False)
        assert len(again.incidents) == len(cached.incidents)  # the rolled-back one never shows
    # a Core update executed through the session counts as a write too
    session.execute(update(Incident).values(fatalities=Incident.fatalities))
    assert wrote_incidents(session)
    session.commit()
    assert not wrote_incidents(session)
