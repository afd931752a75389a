"""The HTTP service: index page, health, problem+json errors, and nothing without sign-in."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from safecorridor.app import create_app
from tests.api.conftest import World
from tests.factories import create_incident


def test_index_health_and_readiness(session: Session) -> None:
    create_incident(session)
    session.commit()
    client = TestClient(create_app())
    page = client.get("/")
    assert page.status_code == 200
    assert "Karachi University" in page.text
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    assert client.get("/api/v1/openapi.json").json()["openapi"].startswith("3.1")


def test_the_index_shows_anonymous_visitors_only_clear_records(session: Session) -> None:
    create_incident(session, location="Gwadar", latitude=25.12, longitude=62.32, tlp="CLEAR")
    create_incident(session, location="Safe house", latitude=24.86, longitude=67.0, tlp="AMBER")
    create_incident(session, location="Green place", latitude=24.8, longitude=67.1, tlp="GREEN")
    session.commit()
    text = TestClient(create_app()).get("/").text
    assert "Gwadar" in text
    assert "Safe house" not in text and "Green place" not in text


def test_unauthenticated_requests_get_401_without_record_data(
    client: TestClient, world: World
) -> None:
    for path in (
        "/api/v1/incidents",
        f"/api/v1/incidents/{world.incidents['CLEAR']}",
        "/api/v1/incidents.geojson",
        "/api/v1/incidents/export",
        "/api/v1/sites",
        "/api/v1/routes.geojson",
        "/api/v1/documents",
        "/api/v1/users/me",
    ):
        r = client.get(path)
        assert r.status_code == 401, path
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "Place" not in r.text and "Site" not in r.text
        assert "sign in" in r.json()["detail"]
    r = client.get("/api/v1/incidents", headers={"Authorization": "Bearer sc_nonsense"})
    assert r.status_code == 401 and "unknown, expired or revoked" in r.json()["detail"]


def test_errors_are_problem_json(client: TestClient, world: World) -> None:
    h = world.headers("owner", "analyst")
    r = client.get("/api/v1/incidents/12345", headers=h)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"] == "no incident with id 12345 that you may read"
    r = client.get("/api/v1/incidents", params={"actor": "Nobody"}, headers=h)
    assert r.status_code == 422 and "no actor is named" in r.json()["detail"]
    r = client.get("/api/v1/incidents", params={"limit": 0}, headers=h)
    assert r.status_code == 422 and "query parameter limit" in r.json()["detail"]
    since_after_until = {"since": "2025-01-01", "until": "2020-01-01"}
    r = client.get("/api/v1/incidents", params=since_after_until, headers=h)
    assert r.status_code == 422 and "since 2025-01-01 is after until" in r.json()["detail"]
    r = client.get("/api/v1/risk/surface.geojson", params={"bbox": "1,2,3"}, headers=h)
    assert r.status_code == 422 and "minLon,minLat,maxLon,maxLat" in r.json()["detail"]
    r = client.get("/api/v1/nowhere", headers=h)
    assert r.status_code == 404 and "openapi.json" in r.json()["detail"]


def test_a_body_a_date_or_a_value_that_is_not_one_is_said_plainly(
    client: TestClient, world: World
) -> None:
    h = {**world.headers("owner", "analyst"), "Content-Type": "application/json"}
    r = client.post("/api/v1/documents", content=b'{"text": "x",', headers=h)
    assert r.status_code == 422
    assert r.json()["detail"].startswith("request body: not valid JSON")
    report = {"text": "A bomb went off in Quetta on Monday.", "published": 20260101}
    r = client.post("/api/v1/documents", json=report, headers=h)
    assert r.status_code == 422
    assert r.json()["detail"] == "field published: a date is written YYYY-MM-DD, not '20260101'"
    r = client.post("/api/v1/documents", json={**report, "published": "2024-02-30"}, headers=h)
    assert r.json()["detail"] == "field published: 2024-02-30 is no day of the calendar"
    # a title or publisher holding a NUL or an escape is named (they were stored as given)
    for field in ("title", "publisher"):
        r = client.post("/api/v1/documents", json={**report, field: "x\x1b[2J"}, headers=h)
        assert r.status_code == 422 and field in r.json()["detail"], r.text
    admin = world.headers("owner", "admin")
    r = client.get("/api/v1/alert-deliveries", params={"state": "bogus"}, headers=admin)
    assert r.status_code == 422 and "state" in r.json()["detail"], r.text
    r = client.post(
        "/api/v1/alert-rules",
        json={"kind": "foreign_fatalities", "channels": ["in_app", "in_app"]},
        headers=admin,
    )
    assert r.status_code == 201 and r.json()["channels"] == ["in_app"], r.text


def test_cursor_pagination_walks_every_record_once(client: TestClient, world: World) -> None:
    h = world.headers("owner", "analyst")
    for sort in ("-event_date", "event_date"):
        seen: list[int] = []
        cursor = None
        while True:
            params: dict[str, str | int] = {"limit": 2, "sort": sort}
            if cursor:
                params["cursor"] = cursor
            body = client.get("/api/v1/incidents", params=params, headers=h).json()
            seen += [r["id"] for r in body["data"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 4
        dates = [client.get(f"/api/v1/incidents/{i}", headers=h).json()["event_date"] for i in seen]
        assert dates == sorted(dates, reverse=sort.startswith("-"))
    bad = client.get("/api/v1/incidents", params={"cursor": "xyz"}, headers=h)
    assert bad.status_code == 422 and "next_cursor" in bad.json()["detail"]


def test_site_and_route_risk_come_with_an_explanation(client: TestClient, world: World) -> None:
    h = world.headers("owner", "viewer")
    r = client.get(f"/api/v1/sites/{world.sites['CLEAR']}/risk", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "site" and body["level"] and "threat" in body["explanation"]
    r = client.get(f"/api/v1/routes/{world.routes['CLEAR']}/risk", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["details"]["length_km"] > 0
