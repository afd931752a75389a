"""/api/v1/movements and /api/v1/alerts through the app, with bearer tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from safecorridor.accounts.service import create_token
from safecorridor.app import create_app
from safecorridor.movements.service import get_user


def app_with_routes() -> TestClient:
    return TestClient(create_app())


def bearer(s: Session, email: str) -> dict[str, str]:
    token = create_token(session=s, user=get_user(s, email)).token
    s.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.calendar
def test_a_movement_through_the_api(lite: Session) -> None:
    sm = bearer(lite, "site_manager@ctgsa.example")
    eo = bearer(lite, "escort_officer@ssd.example")
    viewer = bearer(lite, "viewer@moi.example")
    day = (datetime.now(UTC) + timedelta(days=2)).date()
    with app_with_routes() as client:
        r = client.post(
            "/api/v1/movements?submit=true",
            headers=sm,
            json={
                "headcount": {"CN": 3},
                "route": "Karakoram Highway (Islamabad",
                "vehicle_count": 1,
                "armoured_count": 1,
                "planned_departure": f"{day}T03:00:00Z",
                "planned_arrival": f"{day}T10:00:00Z",
            },
        )
        assert r.status_code == 201, r.text
        m = r.json()
        assert m["state"] == "submitted" and m["risk_level"]
        assert [h["action"] for h in m["history"]] == ["request", "submit"]
        url = f"/api/v1/movements/{m['id']}"

        assert client.get(url, headers=viewer).status_code == 404  # AMBER, not shared
        # before any approval the approver's list shows the level their page shows (it was
        # empty: nothing stored for their organisation yet)
        pending = client.get("/api/v1/movements?state=submitted", headers=eo).json()["data"]
        level = client.get(url, headers=eo).json()["risk_level"]
        assert level and [x["risk_level"] for x in pending if x["id"] == m["id"]] == [level]
        r = client.post(f"{url}/start", headers=sm)
        assert r.status_code == 409 and "needs state 'approved'" in r.json()["detail"]
        approval = {
            "escort": {"callsign": "Falcon-1", "vehicles": 6},
            "override_reason": "authorised by the JWG",
        }
        r = client.post(f"{url}/approve", headers=sm, json=approval)
        assert r.status_code == 403 and "needs the role 'escort_officer'" in r.json()["detail"]
        r = client.post(f"{url}/approve", headers=eo, json=approval)
        assert r.status_code == 200, r.text
        assert r.json()["escort_callsign"] == "Falcon-1"
        assert client.post(f"{url}/start", headers=sm).status_code == 200
        r = client.post(f"{url}/checkins", headers=eo, json={"latitude": 33.99, "longitude": 72.91})
        assert r.status_code == 201 and r.json()["checkins"][0]["km_along"] > 60
        listed = client.get("/api/v1/movements?state=under_way", headers=eo).json()
        # the demo world has a movement of its own on the road
        assert m["id"] in [x["id"] for x in listed["data"]]
        assert {x["state"] for x in listed["data"]} == {"under_way"}

        r = client.get("/api/v1/alerts", headers=sm)
        assert r.status_code == 200 and r.json()["unread"] == 0
        r = client.post(
            "/api/v1/alert-rules", headers=sm, json={"kind": "incident_near", "params": {"km": 5}}
        )
        assert r.status_code == 403
        admin = bearer(lite, "admin@jwg.example")
        r = client.post(
            "/api/v1/alert-rules",
            headers=admin,
            json={
                "kind": "foreign_fatalities",
                "channels": ["webhook"],
                "webhook_url": "https://example.org/hook",
            },
        )
        assert r.status_code == 201 and len(r.json()["webhook_secret"]) == 64
        assert client.get("/api/v1/alert-rules", headers=admin).json()[0]["webhook_secret"] is None
