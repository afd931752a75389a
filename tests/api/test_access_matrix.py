"""The access-control matrix: every role of the owner, partner and outsider organisations,
every TLP marking, on list, get, count, GeoJSON layer and export, on both backends.

Exactly the allowed records come back: CLEAR and GREEN to all, AMBER to owner and partner,
AMBER+STRICT to the owner, RED to the one named user (the partner's viewer).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from safecorridor.incidents.actors import alias_key
from safecorridor.incidents.models import Actor, ActorAlias, Incident
from safecorridor.taxonomy.choices import Role
from tests.api.conftest import MARKINGS, ORGS, World

PERSONAS = [(org, role.value) for org in ORGS for role in Role]
#: a movement's day: two days ahead of the app's clock (the system's, as the tokens' lifetimes)
DAY = (datetime.now(UTC) + timedelta(days=2)).date()


def _ids(body: dict[str, Any]) -> set[int]:
    return {int(r["id"]) for r in body["data"]}


def _feature_ids(body: dict[str, Any]) -> set[int]:
    return {int(f["id"]) for f in body["features"]}


def test_each_persona_reads_exactly_the_allowed_records(client: TestClient, world: World) -> None:
    key_of = {v: f"k-{k}" for k, v in world.incidents.items()}
    for org, role in PERSONAS:
        h = world.headers(org, role)
        who = f"{role}@{org}"
        allowed = world.allowed("incidents", org, role)

        listed = client.get("/api/v1/incidents", headers=h)
        assert listed.status_code == 200, who
        assert _ids(listed.json()) == allowed, who
        assert listed.json()["count"] == len(allowed), who
        count = client.get("/api/v1/incidents/count", headers=h).json()["count"]
        assert count == len(allowed), who
        geo = client.get("/api/v1/incidents.geojson", headers=h).json()
        assert geo["type"] == "FeatureCollection"
        assert _feature_ids(geo) == allowed, who
        export = client.get("/api/v1/incidents/export", params={"format": "jsonl"}, headers=h)
        keys = {json.loads(line)["source_key"] for line in export.text.splitlines()}
        assert keys == {key_of[i] for i in allowed}, who
        csv_rows = client.get("/api/v1/incidents/export", headers=h).text.splitlines()
        assert len(csv_rows) == 1 + len(allowed), who
        for tlp, ident in world.incidents.items():
            r = client.get(f"/api/v1/incidents/{ident}", headers=h)
            assert r.status_code == (200 if ident in allowed else 404), (who, tlp)
            if r.status_code == 404:
                assert "Place" not in r.text and tlp not in r.json()["detail"]

        for kind in ("sites", "routes", "documents"):
            allowed = world.allowed(kind, org, role)
            listed = client.get(f"/api/v1/{kind}", headers=h).json()
            assert _ids(listed) == allowed, (who, kind)
            assert listed["count"] == len(allowed), (who, kind)
            for tlp, ident in getattr(world, kind).items():
                r = client.get(f"/api/v1/{kind}/{ident}", headers=h)
                assert r.status_code == (200 if ident in allowed else 404), (who, kind, tlp)
            if kind != "documents":
                geo = client.get(f"/api/v1/{kind}.geojson", headers=h).json()
                assert _feature_ids(geo) == allowed, (who, kind)


@pytest.mark.parametrize("path", ["/api/v1/incidents", "/api/v1/sites", "/api/v1/routes"])
def test_an_outsider_sees_no_amber_or_stricter_record(
    client: TestClient, world: World, path: str
) -> None:
    body = client.get(path, headers=world.headers("outsider", "admin")).json()
    assert {r["tlp"] for r in body["data"]} <= {"CLEAR", "GREEN"}


def test_an_ownerless_amber_record_is_shown_to_nobody(client: TestClient, world: World) -> None:
    for org, role in PERSONAS:
        body = client.get("/api/v1/incidents", headers=world.headers(org, role)).json()
        assert "Orphan" not in {r["location"] for r in body["data"]}


def test_risk_surface_counts_only_the_readers_incidents(client: TestClient, world: World) -> None:
    params = {"bbox": "66.5,24.5,68,26", "as_of": "2022-06-01"}
    seen = {}
    for org in ORGS:
        r = client.get(
            "/api/v1/risk/surface.geojson", params=params, headers=world.headers(org, "viewer")
        )
        assert r.status_code == 200, r.text
        seen[org] = r.json()["properties"]["incidents"]
    # owner: CLEAR, GREEN, AMBER, AMBER+STRICT; partner: CLEAR, GREEN, AMBER (+RED grant
    # held by the partner's viewer); outsider: CLEAR, GREEN
    assert seen == {"owner": 4, "partner": 4, "outsider": 2}


def test_review_suggestions_name_only_incidents_the_reviewer_may_read_and_change(
    client: TestClient, world: World
) -> None:
    """A candidate right at each incident: its suggested incident, for each organisation's
    analyst, is one they may read and change, or none."""
    suggested_to_owner = 0
    for org in ORGS:
        h = world.headers(org, "analyst")
        for n, tlp in enumerate(MARKINGS):
            text = (
                "A suicide bomber struck near Karachi University in Karachi on "
                f"{1 + n} January 2022, killing four people."
            )
            r = client.post(
                "/api/v1/documents",
                json={
                    "text": text + f" ({org}-{n})",
                    "published": "2022-01-03",
                    "tlp": "AMBER+STRICT",
                },
                headers=h,
            )
            assert r.status_code in (200, 201), r.text
            for c in r.json()["candidates"]:
                got = client.get(f"/api/v1/candidates/{c['id']}", headers=h).json()
                suggested = got["suggested_incident_id"]
                if suggested is not None:
                    # owned by the reviewer's organisation and readable by them
                    assert org == "owner", (org, tlp, suggested)
                    assert suggested in world.allowed("incidents", org, "analyst")
                    suggested_to_owner += 1
    assert suggested_to_owner > 0  # the owner is offered its own records


def test_movements_are_seen_by_their_organisation_its_partners_and_its_escorts(
    client: TestClient, world: World
) -> None:
    body = {
        "headcount": {"PK": 2},
        "polyline": [[25.0, 62.0], [25.5, 63.0]],
        "planned_departure": f"{DAY}T03:00:00Z",
        "planned_arrival": f"{DAY}T08:00:00Z",
    }
    r = client.post(
        "/api/v1/movements?submit=true", json=body, headers=world.headers("owner", "site_manager")
    )
    assert r.status_code == 201, r.text
    mid = r.json()["id"]
    for org, role in PERSONAS:
        r = client.get(f"/api/v1/movements/{mid}", headers=world.headers(org, role))
        listed = client.get("/api/v1/movements", headers=world.headers(org, role)).json()
        seen = org in ("owner", "partner")  # AMBER: the owner and the organisation it lists
        assert r.status_code == (200 if seen else 404), (org, role)
        assert (mid in {m["id"] for m in listed["data"]}) == seen, (org, role)
        if seen and org != "owner":
            # the partner's figure is its own (computed from what it may read), never the owner's
            assert r.json()["risk_level"] is not None


def test_an_actor_named_only_by_records_a_reader_may_not_read_is_not_shown_to_them(
    client: TestClient, world: World, engine: Engine
) -> None:
    with Session(engine) as s:
        cells = {}
        for tlp, ident in world.incidents.items():
            actor = Actor(name=f"Cell {tlp}", in_register=False)  # a record's, as typed
            s.add(actor)
            s.flush()
            s.add(ActorAlias(actor_id=actor.id, alias=actor.name, key=alias_key(actor.name)))
            inc = s.get(Incident, ident)
            assert inc is not None
            # named as the actor for some markings, as the claimant for others
            if tlp in ("CLEAR", "AMBER", "RED"):
                inc.actor1_id = actor.id
            else:
                inc.claimed_by_id = actor.id
            cells[tlp] = actor.id
        s.add(Actor(name="Cell Register"))  # in the register, named by no incident
        s.commit()
    for org, role in PERSONAS:
        h = world.headers(org, role)
        who = f"{role}@{org}"
        readable = world.allowed("incidents", org, role)
        expected = {f"Cell {t}" for t, i in world.incidents.items() if i in readable}
        body = client.get("/api/v1/actors", params={"search": "cell"}, headers=h).json()
        assert {a["name"] for a in body["data"]} == expected | {"Cell Register"}, who
        assert body["count"] == len(expected) + 1, who
        for tlp, actor_id in cells.items():
            r = client.get(f"/api/v1/actors/{actor_id}", headers=h)
            shown = world.incidents[tlp] in readable
            assert r.status_code == (200 if shown else 404), (who, tlp)
            assert shown or f"Cell {tlp}" not in r.text
            # filtering incidents by the name: refused as a name never heard of, not "0 found"
            r = client.get("/api/v1/incidents", params={"actor": f"Cell {tlp}"}, headers=h)
            never = client.get("/api/v1/incidents", params={"actor": "Cell Nowhere"}, headers=h)
            if shown:
                assert r.status_code == 200 and r.json()["count"] == 1, (who, tlp)
            else:
                assert r.status_code == never.status_code == 422, (who, tlp)
                message = r.json()["detail"].replace(f"Cell {tlp}", "Cell Nowhere")
                assert message == never.json()["detail"], (who, tlp)
