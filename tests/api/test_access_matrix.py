"""The access-control matrix: every role of the owner, partner and outsider organisations,
every TLP marking, on list, get, count, GeoJSON layer and export, on both backends.

Exactly the allowed records come back: CLEAR and GREEN to all, AMBER to owner and partner,
AMBER+STRICT to the owner, RED to the one named user (the partner's viewer).
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from safecorridor.taxonomy.choices import Role
from tests.api.conftest import ORGS, World

PERSONAS = [(org, role.value) for org in ORGS for role in Role]


def _ids(body: dict[str, object]) -> set[int]:
    return {int(r["id"]) for r in body["data"]}  # type: ignore[index, union-attr]


def _feature_ids(body: dict[str, object]) -> set[int]:
    return {int(f["id"]) for f in body["features"]}  # type: ignore[index, union-attr]


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
