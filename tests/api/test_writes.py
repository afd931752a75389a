"""Write rules by role: who may create and change incidents, sites, routes, users."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from safecorridor.app import create_app
from safecorridor.clock import FixedClock
from tests.api.conftest import World

INCIDENT = {
    "event_date": "2023-03-01",
    "event_type": "Battles",
    "sub_event_type": "Armed clash",
    "latitude": 25.3,
    "longitude": 62.4,
    "location": "Gwadar",
    "tlp": "AMBER",
}
SITE = {"name": "New camp", "site_type": "camp", "latitude": 25.1, "longitude": 62.3}
ROUTE = {"name": "New road", "points": [[25.1, 62.3], [25.5, 63.0]]}

WRITERS = {
    "incident": {"analyst"},
    "site": {"site_manager"},
    "route": {"site_manager"},
    "user": {"admin"},
}


def _create(client: TestClient, kind: str, headers: dict[str, str], n: int) -> Any:
    if kind == "incident":
        body: dict[str, Any] = {**INCIDENT, "source_key": f"w{n}"}
        return client.post("/api/v1/incidents", json=body, headers=headers)
    if kind == "site":
        return client.post("/api/v1/sites", json={**SITE, "name": f"Camp {n}"}, headers=headers)
    if kind == "route":
        return client.post("/api/v1/routes", json={**ROUTE, "name": f"Road {n}"}, headers=headers)
    return client.post(
        "/api/v1/users", json={"email": f"new{n}@x.example", "role": "viewer"}, headers=headers
    )


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_only_the_writing_role_creates_records(client: TestClient, world: World, kind: str) -> None:
    n = 0
    for org in ("owner", "outsider"):
        for role in ("admin", "analyst", "site_manager", "escort_officer", "viewer"):
            n += 1
            r = _create(client, kind, world.headers(org, role), n)
            if role in WRITERS[kind]:
                assert r.status_code == 201, (org, role, r.text)
            else:
                assert r.status_code == 403, (org, role, r.text)
                assert r.headers["content-type"].startswith("application/problem+json")
                assert "your role" in r.json()["detail"]


def test_a_new_record_belongs_to_the_writers_organisation(client: TestClient, world: World) -> None:
    r = _create(client, "incident", world.headers("outsider", "analyst"), 1)
    created = r.json()
    assert created["owner_org_id"] == world.orgs["outsider"]
    assert created["history"][0]["action"] == "created"
    # AMBER of the outsider: the owner organisation cannot read it
    r = client.get(f"/api/v1/incidents/{created['id']}", headers=world.headers("owner", "admin"))
    assert r.status_code == 404


def test_analysts_change_only_their_organisations_incidents(
    client: TestClient, world: World
) -> None:
    ident = world.incidents["GREEN"]
    r = client.patch(
        f"/api/v1/incidents/{ident}",
        json={"fatalities": 9},
        headers=world.headers("partner", "analyst"),
    )
    assert r.status_code == 403 and "another organisation" in r.json()["detail"]
    r = client.patch(
        f"/api/v1/incidents/{ident}",
        json={"fatalities": 9},
        headers=world.headers("owner", "analyst"),
    )
    assert r.status_code == 200
    assert r.json()["fatalities"] == 9
    assert r.json()["history"][-1]["changes"]["fatalities"] == [4, 9]
    r = client.post(
        f"/api/v1/incidents/{ident}/retract",
        json={"reason": "duplicate report"},
        headers=world.headers("owner", "analyst"),
    )
    assert r.json()["status"] == "retracted"
    # invisible records are not found, not forbidden
    r = client.patch(
        f"/api/v1/incidents/{world.incidents['AMBER+STRICT']}",
        json={"fatalities": 1},
        headers=world.headers("partner", "analyst"),
    )
    assert r.status_code == 404


def test_a_red_incident_is_read_by_its_author_and_the_users_named(
    client: TestClient, world: World
) -> None:
    author = world.headers("owner", "analyst")
    r = client.post("/api/v1/incidents", json={**INCIDENT, "tlp": "RED"}, headers=author)
    ident = r.json()["id"]
    assert client.get(f"/api/v1/incidents/{ident}", headers=author).status_code == 200
    other = world.headers("owner", "admin")
    assert client.get(f"/api/v1/incidents/{ident}", headers=other).status_code == 404
    r = client.post(
        f"/api/v1/incidents/{ident}/grants",
        json={"user_id": world.users[("owner", "admin")]},
        headers=author,
    )
    assert r.status_code == 204
    assert client.get(f"/api/v1/incidents/{ident}", headers=other).status_code == 200


def test_site_managers_change_only_their_organisations_sites(
    client: TestClient, world: World
) -> None:
    ident = world.sites["CLEAR"]
    r = client.patch(
        f"/api/v1/sites/{ident}",
        json={"personnel_foreign": 12},
        headers=world.headers("outsider", "site_manager"),
    )
    assert r.status_code == 403
    r = client.patch(
        f"/api/v1/sites/{ident}",
        json={"personnel_foreign": 12},
        headers=world.headers("owner", "site_manager"),
    )
    assert r.status_code == 200 and r.json()["personnel_foreign"] == 12


def test_admins_manage_their_own_organisation_only(client: TestClient, world: World) -> None:
    admin = world.headers("owner", "admin")
    r = client.patch(
        f"/api/v1/users/{world.users[('outsider', 'viewer')]}",
        json={"role": "admin"},
        headers=admin,
    )
    assert r.status_code == 404
    r = client.patch(
        f"/api/v1/users/{world.users[('owner', 'viewer')]}", json={"role": "analyst"}, headers=admin
    )
    assert r.status_code == 200 and r.json()["role"] == "analyst"
    r = client.put(
        f"/api/v1/organisations/{world.orgs['outsider']}/partners",
        json={"partner_ids": [world.orgs["owner"]]},
        headers=world.headers("outsider", "viewer"),
    )
    assert r.status_code == 403
    # the owner stops sharing with the partner: its AMBER incident disappears for the partner
    r = client.put(
        f"/api/v1/organisations/{world.orgs['owner']}/partners",
        json={"partner_ids": []},
        headers=admin,
    )
    assert r.status_code == 200 and r.json()["partner_ids"] == []
    r = client.get(
        f"/api/v1/incidents/{world.incidents['AMBER']}", headers=world.headers("partner", "viewer")
    )
    assert r.status_code == 404


@pytest.mark.parametrize(("kind", "body"), [("sites", SITE), ("routes", ROUTE)])
def test_a_record_its_writer_marks_red_stays_readable_by_them_and_no_one_else(
    client: TestClient, world: World, kind: str, body: dict[str, Any]
) -> None:
    writer = world.headers("owner", "site_manager")
    r = client.post(
        f"/api/v1/{kind}", json={**body, "name": "Red one", "tlp": "RED"}, headers=writer
    )
    assert r.status_code == 201, r.text
    ident = r.json()["id"]
    assert client.get(f"/api/v1/{kind}/{ident}", headers=writer).status_code == 200
    for org, role in (("owner", "analyst"), ("partner", "site_manager"), ("outsider", "admin")):
        r = client.get(f"/api/v1/{kind}/{ident}", headers=world.headers(org, role))
        assert r.status_code == 404, (org, role)
    # and a record marked RED later stays readable by the one who marked it
    r = client.post(f"/api/v1/{kind}", json={**body, "name": "Later red"}, headers=writer)
    later = r.json()["id"]
    r = client.patch(f"/api/v1/{kind}/{later}", json={"tlp": "RED"}, headers=writer)
    assert r.status_code == 200, r.text
    assert client.get(f"/api/v1/{kind}/{later}", headers=writer).status_code == 200


def test_an_incident_dated_after_today_or_holding_a_control_character_is_refused(
    engine: Engine, world: World
) -> None:
    """Nothing has happened tomorrow (a day's grace: Pakistan's day starts before UTC's); a
    NUL or an escape in a field is refused naming the field, and the record is unchanged."""
    clock = FixedClock(datetime(2024, 6, 1, 22, 0, tzinfo=UTC))
    h = world.headers("owner", "analyst")
    with TestClient(create_app(clock=clock)) as client:
        r = client.post(
            "/api/v1/incidents", json={**INCIDENT, "event_date": "2024-06-02"}, headers=h
        )
        assert r.status_code == 201, r.text
        ident = r.json()["id"]
        r = client.post(
            "/api/v1/incidents", json={**INCIDENT, "event_date": "2024-06-03"}, headers=h
        )
        assert r.status_code == 422 and "event_date" in r.text and "2024-06-03" in r.text
        for field, value in (("notes", "two\x00dead"), ("location", "Gwadar\x1b[31m")):
            r = client.post("/api/v1/incidents", json={**INCIDENT, field: value}, headers=h)
            assert r.status_code == 422 and field in r.text and "control character" in r.text
        # a misspelt field is named, not dropped: the record would lose its figure unseen
        r = client.post("/api/v1/incidents", json={**INCIDENT, "fatalites": 3}, headers=h)
        assert r.status_code == 422 and "fatalites" in r.text, r.text
        for change in ({"event_date": "2042-06-01"}, {"notes": "a\x00"}):
            r = client.patch(f"/api/v1/incidents/{ident}", json=change, headers=h)
            assert r.status_code == 422, r.text
        body = client.get(f"/api/v1/incidents/{ident}", headers=h).json()
        assert (body["event_date"], body["notes"]) == ("2024-06-02", None)
        assert [c["action"] for c in body["history"]] == ["created"]
        # tomorrow comes: the same day is accepted
        clock.advance(timedelta(days=1))
        r = client.post(
            "/api/v1/incidents", json={**INCIDENT, "event_date": "2024-06-03"}, headers=h
        )
        assert r.status_code == 201, r.text


def test_a_site_name_another_organisation_holds_is_free_and_found_per_organisation(
    client: TestClient, engine: Engine, world: World
) -> None:
    """The owner's sites are named "Site <marking>". Another organisation's site manager may
    use the names of those it may not read (a 409 told it that they existed), not of those it
    reads (two records it would have to tell apart); the owner's may not use its own twice. A
    name two readable organisations hold is the reader's own organisation's when it has one,
    else refused naming the ids."""
    from sqlalchemy.orm import Session

    from safecorridor.registry.models import Site
    from safecorridor.registry.service import LookupFailedError, find_named
    from safecorridor.sharing.policy import Viewer

    def create(org: str, name: str) -> Any:
        return client.post(
            "/api/v1/sites",
            json={**SITE, "name": name, "tlp": "GREEN"},
            headers=world.headers(org, "site_manager"),
        )

    # the outsider reads neither the owner's AMBER nor its AMBER+STRICT site
    for name in ("Site AMBER", "Site AMBER+STRICT"):
        r = create("outsider", name)
        assert r.status_code == 201, (name, r.text)
    r = create("outsider", "site green")  # one it reads
    assert r.status_code == 409 and "a site you can read is named" in r.text
    r = create("owner", "site red")
    assert r.status_code == 409 and "your organisation has a site named" in r.text
    with Session(engine) as s:

        def viewer(org: str) -> Viewer:
            return Viewer(world.users[(org, "viewer")], world.orgs[org])

        # the owner reads its own AMBER site and the outsider's GREEN one: its own
        assert find_named(s, Site, "Site AMBER", viewer=viewer("owner")).id == world.sites["AMBER"]
        mine = find_named(s, Site, "Site AMBER+STRICT", viewer=viewer("outsider"))
        assert mine.owner_org_id == world.orgs["outsider"]
        # the partner reads both "Site AMBER"s, neither its own: it must give the id
        several = r"several sites that you may read are named 'Site AMBER'.*give the site's id"
        with pytest.raises(LookupFailedError, match=several):
            find_named(s, Site, "Site AMBER", viewer=viewer("partner"))
        # a part of a name has a letter: "-1" is no id and names no site (it was the one
        # site whose name held "-1"); a word of a name still finds it
        r = create("owner", "Block B-17 quarry")
        assert r.status_code == 201, r.text
        for ref in ("-1", "17", "  -  "):
            with pytest.raises(LookupFailedError, match="has the id or the name"):
                find_named(s, Site, ref, viewer=viewer("owner"))
        assert find_named(s, Site, "b-17", viewer=viewer("owner")).name == "Block B-17 quarry"


def test_a_misspelt_event_type_filter_is_named_not_answered_with_nothing(
    client: TestClient, world: World
) -> None:
    h = world.headers("owner", "viewer")
    r = client.get("/api/v1/incidents", params={"event_type": "Batles"}, headers=h)
    assert r.status_code == 422 and "'Batles' is not a known ACLED event type" in r.text
    assert "Battles" in r.text  # the types it may be
    # a known type in any case is read (the world's incidents are explosions)
    r = client.get(
        "/api/v1/incidents", params={"event_type": "explosions/remote violence"}, headers=h
    )
    assert r.status_code == 200 and r.json()["count"] > 0


def test_a_route_of_no_length_is_refused(client: TestClient, world: World) -> None:
    h = world.headers("owner", "site_manager")
    r = client.post(
        "/api/v1/routes", json={**ROUTE, "points": [[25.1, 62.3], [25.1, 62.3]]}, headers=h
    )
    assert r.status_code == 422 and "no length" in r.text and "points" in r.text
    r = client.post("/api/v1/routes", json=ROUTE, headers=h)
    assert r.status_code == 201, r.text
    r = client.patch(
        f"/api/v1/routes/{r.json()['id']}", json={"points": [[25.0, 62.0], [25.0, 62.0]]}, headers=h
    )
    assert r.status_code == 422 and "no length" in r.text
