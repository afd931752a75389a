"""The register of measures and the posture it derives: dates, lapses, caps, planned measures,
what a reader may read; the write rules; and migration 0011, which turns the postures typed on
sites before the register into measures in place, so no figure changes at upgrade."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import Connection, Table, insert, select, text
from sqlalchemy.orm import Session

from safecorridor.db.engine import make_engine, migrate
from safecorridor.errors import ConflictError, ForbiddenError, InvalidInputError, NotFoundError
from safecorridor.registry.measures import (
    MeasureChangeIn,
    MeasureCreate,
    ProtectiveMeasure,
    change_state,
    create_measure,
    postures_at,
    route_cover,
)
from safecorridor.registry.models import Site
from safecorridor.risk import service as risk
from safecorridor.sharing.policy import Viewer
from tests.jwg.conftest import JwgWorld

DAY = date(2024, 7, 10)


def _add(session: Session, w: JwgWorld, **kw: object) -> ProtectiveMeasure:
    data: dict[str, object] = {"site_id": w.site, "kind": "perimeter", "tlp": "AMBER"}
    data.update(kw)
    return create_measure(
        session=session, measure_in=MeasureCreate.model_validate(data), viewer=None, today=DAY
    )


def _viewer(w: JwgWorld, who: str, org: int, role: str) -> Viewer:
    return Viewer(user_id=w.users[who], organisation_id=org, role=role, email=f"{who}@x")


def test_the_posture_is_the_highest_grade_in_place_on_the_day(
    session: Session, jwg_world: JwgWorld
) -> None:
    w = jwg_world
    fence = _add(
        session, w, kind="cctv", grade="hardened", state="in_place", in_place_from=date(2024, 1, 1)
    )
    wall = _add(
        session,
        w,
        kind="perimeter",
        grade="hardened",
        state="in_place",
        in_place_from=date(2024, 5, 1),
    )
    guards = _add(session, w, kind="guard_force", grade="hardened", state="planned")
    p = postures_at(session, [w.site], day=date(2024, 3, 1), reader=None)[w.site]
    assert (p.perimeter, p.guard_force) == ("standard", "basic")  # CCTV is capped at standard
    assert p.measure_ids == [fence.id]
    p = postures_at(session, [w.site], day=DAY, reader=None)[w.site]
    assert p.perimeter == "hardened" and sorted(p.measure_ids) == [fence.id, wall.id]
    planned = postures_at(session, [w.site], day=DAY, reader=None, with_planned=True)[w.site]
    assert planned.guard_force == "hardened" and guards.id in planned.measure_ids
    # the wall lapses: from that day it protects no more
    change_state(
        session=session,
        measure_id=wall.id,
        change=MeasureChangeIn(state="lapsed", effective_on=date(2024, 6, 1)),
        viewer=None,
        today=DAY,
    )
    assert (
        postures_at(session, [w.site], day=date(2024, 5, 15), reader=None)[w.site].perimeter
        == "hardened"
    )
    assert postures_at(session, [w.site], day=DAY, reader=None)[w.site].perimeter == "standard"
    assert [h.to_state for h in wall.history] == ["in_place", "lapsed"]
    with pytest.raises(ConflictError, match="can become"):
        change_state(
            session=session,
            measure_id=fence.id,
            change=MeasureChangeIn(state="in_progress"),
            viewer=None,
            today=DAY,
        )
    with pytest.raises(InvalidInputError, match="before it"):
        change_state(
            session=session,
            measure_id=fence.id,
            change=MeasureChangeIn(state="lapsed", effective_on=date(2023, 1, 1)),
            viewer=None,
            today=DAY,
        )


def test_a_reader_counts_only_the_measures_they_may_read(
    session: Session, jwg_world: JwgWorld
) -> None:
    w = jwg_world
    _add(session, w, kind="guard_force", grade="hardened", state="in_place", tlp="AMBER+STRICT")
    session.commit()
    own = _viewer(w, "agency_viewer", w.agency, "viewer")
    partner = _viewer(w, "sec_analyst", w.secretariat, "analyst")
    assert postures_at(session, [w.site], day=DAY, reader=own)[w.site].guard_force == "hardened"
    assert postures_at(session, [w.site], day=DAY, reader=partner)[w.site].guard_force == "basic"
    site = session.get(Site, w.site)
    assert site is not None
    mine = risk.record_risk(session, own, site, as_of=DAY)
    theirs = risk.record_risk(session, partner, site, as_of=DAY)
    assert mine.risk.factors["guard_force"] == "hardened"  # type: ignore[union-attr]
    assert theirs.risk.factors["guard_force"] == "basic"  # type: ignore[union-attr]
    assert theirs.risk.factors["measures"] == []  # type: ignore[union-attr]


def test_only_the_owners_site_managers_record_measures(
    session: Session, jwg_world: JwgWorld
) -> None:
    w = jwg_world
    body = MeasureCreate(site_id=w.site, kind="cctv")
    with pytest.raises(ForbiddenError, match="cannot change measures"):
        create_measure(
            session=session,
            measure_in=body,
            viewer=_viewer(w, "agency_admin", w.agency, "admin"),
            today=DAY,
        )
    with pytest.raises(NotFoundError, match="that you may read"):
        create_measure(
            session=session,
            measure_in=body,
            viewer=_viewer(w, "outsider_admin", w.outsider, "site_manager"),
            today=DAY,
        )
    made = create_measure(
        session=session,
        measure_in=body,
        viewer=_viewer(w, "agency_manager", w.agency, "site_manager"),
        today=DAY,
    )
    assert made.owner_org_id == w.agency and made.state == "planned"
    with pytest.raises(ValueError, match="one site or one route"):
        MeasureCreate(kind="cctv")


def test_route_measures_are_compared_with_what_the_policy_requires(
    session: Session, jwg_world: JwgWorld
) -> None:
    m = ProtectiveMeasure(
        kind="escort", strength=2, state="in_place", in_place_from=date(2024, 1, 1)
    )
    a = ProtectiveMeasure(kind="armoured_transport", state="planned")
    cover = route_cover(
        [m, a], {"escort_vehicles": 4, "armoured_vehicles": True, "daylight_only": False}, day=DAY
    )
    assert cover["escort_vehicles"] == {"required": 4, "in_place": 2, "met": False}
    assert cover["armoured_vehicles"]["met"] is False  # planned, not in place
    assert cover["daylight_only"]["met"] is True


def test_migration_0011_carries_the_typed_posture_over(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0007")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organisations (name, kind, created_at) VALUES ('Old', 'agency', '2024-01-01')"
            )
        )
        conn.execute(
            insert(cast(Table, Site.__table__)).values(
                id=1,
                name="Old Site",
                site_type="port",
                latitude=25.1,
                longitude=62.3,
                personnel_foreign=10,
                personnel_local=10,
                personnel_is_illustrative=False,
                perimeter="hardened",
                guard_force="basic",
                hardening="standard",
                h3_cell=1,
                tlp="GREEN",
                owner_org_id=1,
            )
        )
    migrate(engine)
    with Session(engine) as s:
        rows = s.scalars(select(ProtectiveMeasure).order_by(ProtectiveMeasure.kind)).all()
        assert [(m.kind, m.grade, m.state, m.tlp) for m in rows] == [
            ("hardened_accommodation", "standard", "in_place", "GREEN"),
            ("perimeter", "hardened", "in_place", "GREEN"),
        ]
        assert all(m.is_carried_over and m.in_place_from is None for m in rows)
        p = postures_at(s, [1], day=DAY, reader=None)[1]
        assert (p.perimeter, p.guard_force, p.hardening) == ("hardened", "basic", "standard")
    engine.dispose()


def _two_organisations(conn: Connection) -> None:
    """Organisations 1 and 2, written as the migrated schema holds them."""
    for name in ("One", "Two"):
        conn.execute(
            text(
                "INSERT INTO organisations (name, kind, created_at) "
                f"VALUES ('{name}', 'agency', '2024-01-01')"
            )
        )


def test_migration_0021_frees_site_names_across_organisations_and_keeps_what_refers_to_them(
    tmp_path: Path,
) -> None:
    """The migration copies the sites and routes tables on SQLite to change their unique
    constraint: the old tables' drop must not cascade to the measures of the sites (it did,
    with foreign keys on: every protective measure was deleted)."""
    from sqlalchemy.exc import IntegrityError

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0020")
    site = {
        "site_type": "port",
        "latitude": 25.1,
        "longitude": 62.3,
        "personnel_foreign": 10,
        "personnel_local": 10,
        "personnel_is_illustrative": False,
        "h3_cell": 1,
        "tlp": "GREEN",
    }
    with engine.begin() as conn:
        _two_organisations(conn)
        conn.execute(
            insert(cast(Table, Site.__table__)).values(id=1, name="Port", owner_org_id=1, **site)
        )
        conn.execute(
            insert(cast(Table, ProtectiveMeasure.__table__)).values(
                site_id=1, kind="perimeter", grade="hardened", state="in_place", owner_org_id=1
            )
        )
    migrate(engine)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT site_id FROM protective_measures")).scalars().all() == [1]
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1  # on again
        conn.execute(
            insert(cast(Table, Site.__table__)).values(id=2, name="Port", owner_org_id=2, **site)
        )
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            insert(cast(Table, Site.__table__)).values(id=3, name="Port", owner_org_id=1, **site)
        )
    engine.dispose()


def test_migration_0022_keeps_meetings_and_frees_their_numbers_across_organisations(
    tmp_path: Path,
) -> None:
    """The migration copies the meetings table on SQLite to change its unique constraint: a
    meeting's decisions and action items stay, and two organisations may then each record
    the same meeting, while one still may not record it twice."""
    from sqlalchemy.exc import IntegrityError

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0021")
    meeting = "INSERT INTO jwg_meetings (series, number, held_on, tlp, is_illustrative, "
    with engine.begin() as conn:
        _two_organisations(conn)
        conn.execute(
            text(
                meeting + "owner_org_id, venue, chair, summary, created_at, updated_at) VALUES "
                "('JWG', 9, '2024-05-01', 'GREEN', 0, 1, '', '', '', '2024-05-01', '2024-05-01')"
            )
        )
        conn.execute(
            text("INSERT INTO jwg_decisions (meeting_id, position, text) VALUES (1, 1, 'Decided')")
        )
    migrate(engine)
    insert_second = (
        meeting + "owner_org_id, venue, chair, summary, created_at, updated_at) VALUES "
        "('JWG', 9, '2024-05-01', 'GREEN', 0, {org}, '', '', '', '2024-05-01', '2024-05-01')"
    )
    with engine.begin() as conn:
        assert conn.execute(text("SELECT meeting_id FROM jwg_decisions")).scalars().all() == [1]
        conn.execute(text(insert_second.format(org=2)))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text(insert_second.format(org=1)))
    engine.dispose()
