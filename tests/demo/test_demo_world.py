"""The demo world (CPEC) loads, is idempotent, and its data is geographically sane."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation, User
from safecorridor.demo import DEMO_DATASET, DemoWorldError, demo_world_path, load_demo, read_world
from safecorridor.geo import cell_of, haversine_km, polyline_length_km
from safecorridor.incidents.actors import actor_with_units, find_actor
from safecorridor.incidents.models import Actor, Incident
from safecorridor.incidents.service import IncidentFilter, list_incidents
from safecorridor.registry.models import Route, Site

# Pakistan's bounding box (with a small margin)
LAT_MIN, LAT_MAX = 23.5, 37.2
LON_MIN, LON_MAX = 60.8, 77.9
KU = (24.94, 67.12)  # University of Karachi


def in_pakistan(lat: float, lon: float) -> bool:
    return LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX


def count(session: Session, model: type[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def loaded(session: Session) -> Session:
    load_demo(session)
    session.commit()
    return session


def test_world_loads_with_minimum_counts(session: Session) -> None:
    summary = load_demo(session)
    session.commit()
    assert count(session, Site) >= 15
    assert count(session, Route) >= 3
    assert count(session, Actor) >= 12
    n_incidents = session.scalar(
        select(func.count()).select_from(Incident).where(Incident.source_dataset == DEMO_DATASET)
    )
    assert n_incidents is not None and n_incidents >= 15
    assert summary.counts["incidents"].new == n_incidents
    assert summary.counts["sites"].new == count(session, Site)
    assert summary.counts["incidents"].unchanged == 0


def test_loading_twice_adds_nothing(session: Session) -> None:
    first = load_demo(session)
    session.commit()
    models = (Organisation, User, Actor, Site, Route, Incident)
    before = {m.__name__: count(session, m) for m in models}
    partners_before = sum(len(o.partners) for o in session.scalars(select(Organisation)))
    second = load_demo(session)
    session.commit()
    after = {m.__name__: count(session, m) for m in models}
    assert after == before
    assert sum(len(o.partners) for o in session.scalars(select(Organisation))) == partners_before
    assert second.total_new == 0
    for kind, c in second.counts.items():
        assert c.unchanged == first.counts[kind].new + first.counts[kind].unchanged, kind


def test_majeed_brigade_is_a_unit_of_the_bla(loaded: Session) -> None:
    brigade = find_actor(loaded, "Majid Brigade")
    bla = find_actor(loaded, "BLA: Baloch Liberation Army")
    assert brigade is not None and bla is not None
    assert brigade.name == "Majeed Brigade"
    assert brigade.parent_id == bla.id
    assert brigade.id in actor_with_units(loaded, bla.id)


def test_ssd_sits_under_the_army_and_acled_spellings_resolve(loaded: Session) -> None:
    ssd = find_actor(loaded, "SSD")
    army = find_actor(loaded, "Military Forces of Pakistan")
    assert ssd is not None and army is not None and ssd.parent_id == army.id
    for spelling, name in [
        ("TTP", "Tehrik-i-Taliban Pakistan"),
        ("BRAS", "Baloch Raaji Aajoi Sangar"),
        ("BRA", "Baloch Republican Army"),
        ("BLF", "Balochistan Liberation Front"),
        ("ISIS-K", "Islamic State Khorasan Province"),
        ("Government of Pakistan", "Government of Pakistan"),
    ]:
        actor = find_actor(loaded, spelling)
        assert actor is not None and actor.name == name, spelling


def test_actor_filter_on_bla_finds_unit_attacks(loaded: Session) -> None:
    rows = list_incidents(loaded, IncidentFilter(actor="BLA"), limit=None)
    keys = {i.source_key for i in rows}
    assert "2022-04-26-karachi-university-confucius-institute-bombing" in keys
    assert "2017-05-13-gwadar-labourers-shooting" in keys  # actor1 is the BLA itself
    # `actors list` counts the same incidents for the BLA
    from safecorridor.cli.records import incidents_naming
    from safecorridor.incidents.actors import find_actor

    bla = find_actor(loaded, "BLA")
    assert bla is not None and incidents_naming(loaded, bla.id) == len(rows) > 1


def test_every_incident_has_a_source_and_coordinates_in_pakistan(loaded: Session) -> None:
    q = select(Incident).where(Incident.source_dataset == DEMO_DATASET)
    incidents = list(loaded.scalars(q))
    assert incidents
    for inc in incidents:
        assert inc.documents, inc.source_key
        assert all(d.url and d.url.startswith("http") for d in inc.documents), inc.source_key
        assert in_pakistan(inc.latitude, inc.longitude), inc.source_key
        assert inc.country == "Pakistan"
        assert inc.owner_org_id is not None, inc.source_key


def test_karachi_university_attack(loaded: Session) -> None:
    inc = loaded.scalar(
        select(Incident).where(
            Incident.source_dataset == DEMO_DATASET,
            Incident.source_key == "2022-04-26-karachi-university-confucius-institute-bombing",
        )
    )
    assert inc is not None
    assert haversine_km(inc.latitude, inc.longitude, *KU) <= 3.0
    assert inc.fatalities == 4
    assert inc.foreign_fatalities == 3
    assert inc.foreign_nationality == "Chinese"
    assert inc.sub_event_type == "Suicide bomb"
    assert inc.actor1 is not None and inc.actor1.name == "Majeed Brigade"
    assert inc.claimed_by is not None and inc.claimed_by.name == "Baloch Liberation Army"


def test_sharing_markings_exercise_amber(loaded: Session) -> None:
    ctd = loaded.scalar(select(Organisation).where(Organisation.name == "Sindh Police CTD"))
    assert ctd is not None
    amber = list(loaded.scalars(select(Incident).where(Incident.tlp == "AMBER")))
    assert len(amber) >= 2
    assert sum(1 for i in amber if i.owner_org_id == ctd.id) >= 2
    strict = select(func.count()).select_from(Incident).where(Incident.tlp == "AMBER+STRICT")
    assert loaded.scalar(strict) == 1
    outsider = loaded.scalar(
        select(Organisation).where(Organisation.name == "Independent Research Institute")
    )
    assert outsider is not None and outsider.partners == []
    for org in loaded.scalars(select(Organisation)):
        assert outsider not in org.partners, org.name


def test_users_one_per_role_with_passwords(session: Session) -> None:
    summary = load_demo(session)
    roles = {u.role for u in summary.users}
    assert roles == {"admin", "analyst", "site_manager", "escort_officer", "viewer"}
    assert all(u.password.startswith("demo-") for u in summary.users)
    analyst = next(u for u in summary.users if u.role == "analyst")
    assert analyst.email == "analyst@jwg.example" and analyst.password == "demo-analyst-2024"
    assert count(session, User) == len(summary.users)


def test_sites_inside_pakistan_with_h3_cells(loaded: Session) -> None:
    sites = list(loaded.scalars(select(Site)))
    assert len(sites) >= 15
    for s in sites:
        assert in_pakistan(s.latitude, s.longitude), s.name
        assert s.h3_cell == cell_of(s.latitude, s.longitude, 7), s.name
        assert s.personnel_is_illustrative
        assert {s.perimeter, s.guard_force, s.hardening} <= {"basic", "standard", "hardened"}
        assert s.source_url and s.source_url.startswith("http"), s.name
    ku = next(s for s in sites if "Confucius" in s.name)
    assert haversine_km(ku.latitude, ku.longitude, *KU) <= 3.0


def test_route_points_are_ordered_and_in_pakistan(loaded: Session) -> None:
    routes = list(loaded.scalars(select(Route)))
    assert len(routes) >= 3
    for r in routes:
        assert len(r.points) >= 8, r.name
        for (a_lat, a_lon), (b_lat, b_lon) in zip(r.points, r.points[1:], strict=False):
            assert haversine_km(a_lat, a_lon, b_lat, b_lon) <= 150.0, r.name
        assert all(in_pakistan(lat, lon) for lat, lon in r.points), r.name
        assert r.length_km == pytest.approx(polyline_length_km(r.points), abs=0.1)
    kkh = next(r for r in routes if r.name.startswith("Karakoram Highway"))
    # it climbs from Islamabad to the Khunjerab Pass, so it ends far north of where it starts
    assert kkh.points[-1][0] - kkh.points[0][0] > 3.0
    # straight segments between towns: shorter than the ~880 km road, but the right order
    assert 550 < kkh.length_km < 1000


# --- validation: errors name the offending item -----------------------------------------


def _world() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(demo_world_path().read_text("utf-8"))
    return data


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    p = tmp_path / "world.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return p


def test_wrong_event_type_names_the_incident(tmp_path: Path) -> None:
    data = _world()
    data["incidents"][0]["event_type"] = "Explosions"
    with pytest.raises(DemoWorldError, match=data["incidents"][0]["key"]):
        read_world(_write(tmp_path, data))


def test_unknown_actor_and_bad_parent_are_rejected(tmp_path: Path) -> None:
    data = _world()
    data["incidents"][1]["actor1"] = "Nobody In Particular"
    with pytest.raises(DemoWorldError, match="not an actor"):
        read_world(_write(tmp_path, data))
    data = _world()
    data["actors"][1]["parent"] = "No Such Group"
    with pytest.raises(DemoWorldError, match="unknown parent"):
        read_world(_write(tmp_path, data))


def test_packaged_world_has_unique_keys_and_sources() -> None:
    world = read_world()
    keys = [i.key for i in world.incidents]
    assert len(keys) == len(set(keys)) >= 15
    assert all(i.data.source_urls for i in world.incidents)
    assert all(a.source_url for a in world.actors)
