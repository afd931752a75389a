"""The interim HTTP service: index page, health, and public-only incident lists."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from safecorridor.api.app import create_app
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


def test_amber_records_never_leave_without_sign_in(session: Session) -> None:
    public = create_incident(
        session, location="Gwadar", latitude=25.12, longitude=62.32, tlp="GREEN"
    )
    secret = create_incident(
        session, location="Safe house", latitude=24.86, longitude=67.0, tlp="AMBER"
    )
    session.commit()
    client = TestClient(create_app())
    listed = client.get("/api/v1/incidents").json()
    assert [r["id"] for r in listed["data"]] == [public.id]
    assert listed["count"] == 1
    assert client.get(f"/api/v1/incidents/{secret.id}").status_code == 404
    geo = client.get("/api/v1/incidents.geojson").json()
    assert [f["id"] for f in geo["features"]] == [public.id]
    assert "Safe house" not in client.get("/").text


def test_errors_are_problem_json(session: Session) -> None:
    client = TestClient(create_app())
    r = client.get("/api/v1/incidents/12345")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"] == "no incident with id 12345"
    r = client.get("/api/v1/incidents", params={"actor": "Nobody"})
    assert r.status_code == 422 and "no actor is named" in r.json()["detail"]
