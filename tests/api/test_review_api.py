"""/api/v1/documents (ingest) and /api/v1/candidates (review) over HTTP: the seed report in,
its candidates accepted, rejected and merged, under the TLP read rules and write rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from safecorridor.app import create_app
from safecorridor.clock import FixedClock
from safecorridor.review.models import Candidate
from safecorridor.sources.models import Document
from tests.api.conftest import World
from tests.auditlog import all_events
from tests.conftest import SEED_REPORT

SEED = {
    "text": SEED_REPORT.read_text(encoding="utf-8"),
    "published": "2022-09-12",
    "publisher": "Example Wire",
    "title": "CPEC security",
    "reliability": "B",
    "tlp": "AMBER",
}


def _ingest(client: TestClient, world: World, **extra: Any) -> dict[str, Any]:
    r = client.post(
        "/api/v1/documents", json={**SEED, **extra}, headers=world.headers("owner", "analyst")
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _count(engine: Engine, model: Any) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_an_analyst_ingests_the_seed_report_and_reviews_its_candidates(
    client: TestClient, world: World, engine: Engine
) -> None:
    analyst = world.headers("owner", "analyst")
    body = _ingest(client, world)
    assert body["status"] == "new" and len(body["document_ids"]) == 1
    [doc_id] = body["document_ids"]
    doc = body["documents"][0]
    assert doc["owner_org_id"] == world.orgs["owner"] and doc["tlp"] == "AMBER"
    assert doc["title"] == "CPEC security" and doc["reliability"] == "B"
    assert doc["published_at"].startswith("2022-09-12") and not doc["published_from_text"]
    cands = {c["kind"]: c for c in body["candidates"]}
    assert len(body["candidates"]) == 4, body["candidates"]
    bomb = cands["suicide_attack"]
    assert bomb["city"] == "Karachi" and bomb["perpetrator"] == "Majeed Brigade"
    assert bomb["status"] == "pending" and bomb["tlp"] == "AMBER"
    assert bomb["owner_org_id"] == world.orgs["owner"]

    # reading: the document's candidates, the queue, one candidate with its evidence
    r = client.get(f"/api/v1/documents/{doc_id}/candidates", headers=analyst)
    assert r.status_code == 200 and r.json()["count"] == 4
    r = client.get("/api/v1/candidates", params={"status": "pending"}, headers=analyst)
    assert r.json()["count"] == 4
    r = client.get(f"/api/v1/candidates/{bomb['id']}", headers=analyst)
    assert r.status_code == 200, r.text
    one = r.json()
    assert one["evidence"]["perpetrator"]["text"] == "Majeed Brigade"
    assert 0 < one["confidence"] <= 1 and one["field_confidence"]
    assert "Karachi University" in SEED["text"][one["span"][0] : one["span"][1]]

    # accept: a new incident owned by the organisation, with the document as its source
    r = client.post(f"/api/v1/candidates/{bomb['id']}/accept", json={}, headers=analyst)
    assert r.status_code == 200, r.text
    decided = r.json()
    assert decided["created"] and decided["candidate"]["status"] == "accepted"
    incident_id = decided["incident_id"]
    r = client.get(f"/api/v1/incidents/{incident_id}", headers=analyst)
    assert r.status_code == 200 and r.json()["owner_org_id"] == world.orgs["owner"]
    r = client.post(f"/api/v1/candidates/{bomb['id']}/accept", headers=analyst)
    assert r.status_code == 409 and "already accepted" in r.json()["detail"]
    assert r.headers["content-type"].startswith("application/problem+json")

    # reject with a reason
    threat = cands["threat"]
    r = client.post(
        f"/api/v1/candidates/{threat['id']}/reject",
        json={"reason": "a warning, not an event"},
        headers=analyst,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "rejected"
    assert r.json()["decision_note"] == "a warning, not an event"

    # a candidate without a place cannot be accepted until it is given one
    other = cands["other"]
    r = client.post(f"/api/v1/candidates/{other['id']}/accept", headers=analyst)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "cannot become an incident without coordinates (latitude and longitude)" in detail
    r = client.post(
        f"/api/v1/candidates/{other['id']}/accept",
        json={"edits": {"latitude": 120, "longitude": 67.1}},
        headers=analyst,
    )
    assert r.status_code == 422 and "latitude" in r.json()["detail"]
    r = client.post(
        f"/api/v1/candidates/{other['id']}/accept",
        json={"edits": {"colour": "red"}},
        headers=analyst,
    )
    assert r.status_code == 422 and "cannot be set" in r.json()["detail"]

    # merge into an incident the analyst names
    r = client.post(
        f"/api/v1/candidates/{other['id']}/merge",
        json={"incident_id": incident_id},
        headers=analyst,
    )
    assert r.status_code == 200, r.text
    merged = r.json()
    assert merged["incident_id"] == incident_id and not merged["created"]
    assert merged["candidate"]["status"] == "merged"
    r = client.post(
        f"/api/v1/candidates/{cands['meeting']['id']}/merge",
        json={"incident_id": world.incidents["AMBER+STRICT"] + 1000},
        headers=analyst,
    )
    assert r.status_code == 404

    r = client.get("/api/v1/candidates", params={"status": "all"}, headers=analyst)
    assert {c["status"] for c in r.json()["data"]} == {"accepted", "rejected", "merged", "pending"}
    r = client.get("/api/v1/candidates", headers=analyst)
    assert [c["kind"] for c in r.json()["data"]] == ["meeting"]

    # the writes and the AMBER reads are in the audit log
    actions = {e.action for e in all_events(engine) if e.actor == "analyst@owner.example"}
    assert {"ingest", "review", "accepted", "reject", "merged", "read", "list"} <= actions

    # the same text again: a duplicate, nothing created
    before = (_count(engine, Document), _count(engine, Candidate))
    r = client.post("/api/v1/documents", json=SEED, headers=analyst)
    assert r.status_code == 200, r.text
    again = r.json()
    assert again["status"] == "duplicate" and again["document_ids"] == []
    assert again["candidates"] == [] and again["duplicate_of_id"] == doc_id
    assert (_count(engine, Document), _count(engine, Candidate)) == before


def test_who_may_ingest_read_and_decide(client: TestClient, world: World) -> None:
    body = _ingest(client, world)
    [doc_id] = body["document_ids"]
    cand = body["candidates"][0]["id"]
    decisions = {
        "accept": {},
        "reject": {"reason": "not relevant"},
        "merge": {"incident_id": world.incidents["GREEN"]},
    }
    # a viewer reads (own organisation) but writes nothing
    viewer = world.headers("owner", "viewer")
    r = client.post("/api/v1/documents", json={**SEED, "text": "Another report."}, headers=viewer)
    assert r.status_code == 403 and "your role" in r.json()["detail"]
    for action, payload in decisions.items():
        r = client.post(f"/api/v1/candidates/{cand}/{action}", json=payload, headers=viewer)
        assert r.status_code == 403, (action, r.text)
    assert client.get(f"/api/v1/candidates/{cand}", headers=viewer).status_code == 200

    # a partner reads the AMBER candidates but does not decide them
    partner = world.headers("partner", "analyst")
    r = client.get(f"/api/v1/documents/{doc_id}/candidates", headers=partner)
    assert r.status_code == 200 and r.json()["count"] == 4
    r = client.post(f"/api/v1/candidates/{cand}/reject", json={"reason": "no"}, headers=partner)
    assert r.status_code == 403  # the permission is checked before the reason
    r = client.post(
        f"/api/v1/candidates/{cand}/reject", json={"reason": "not ours"}, headers=partner
    )
    assert r.status_code == 403 and "another organisation" in r.json()["detail"]

    # a third organisation sees nothing of the AMBER document
    outsider = world.headers("outsider", "analyst")
    r = client.get(f"/api/v1/documents/{doc_id}/candidates", headers=outsider)
    assert r.status_code == 404
    assert client.get(f"/api/v1/candidates/{cand}", headers=outsider).status_code == 404
    r = client.post(f"/api/v1/candidates/{cand}/accept", json={}, headers=outsider)
    assert r.status_code == 404
    assert client.get("/api/v1/candidates", headers=outsider).json()["count"] == 0

    # signed out: 401
    assert client.post("/api/v1/documents", json=SEED).status_code == 401
    assert client.get("/api/v1/candidates").status_code == 401


def test_a_document_needs_text_or_an_http_url(client: TestClient, world: World) -> None:
    analyst = world.headers("owner", "analyst")
    for body in (
        {},
        {"text": "   "},
        {"url": "file:///etc/passwd"},
        {"url": "/etc/passwd"},
        {"text": "x", "tlp": "PURPLE"},
    ):
        r = client.post("/api/v1/documents", json=body, headers=analyst)
        assert r.status_code == 422, (body, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")


def test_a_day_and_month_without_a_year_waits_for_the_reviewer_to_give_the_year(
    client: TestClient, world: World
) -> None:
    analyst = world.headers("owner", "analyst")
    timeline = (
        "A week of incidents in Balochistan\n\n"
        "October 27: Militants attacked a Frontier Corps check post in Turbat, killing two "
        "soldiers.\n\n"
        "October 29: A roadside bomb wounded three policemen in Quetta."
    )
    body = _ingest(client, world, text=timeline, published=None)
    first, second = sorted(body["candidates"], key=lambda c: c["position"])
    # the report gives no year: none is made up, the day and month are kept
    assert (first["event_date"], first["month_day"]) == (None, "--10-27")
    assert (second["event_date"], second["month_day"]) == (None, "--10-29")
    r = client.post(f"/api/v1/candidates/{first['id']}/accept", headers=analyst)
    assert r.status_code == 422
    assert "the report gives only --10-27: event_date YYYY-10-27" in r.json()["detail"]
    r = client.post(
        f"/api/v1/candidates/{first['id']}/accept",
        json={"edits": {"event_date": "2024-10-27"}},
        headers=analyst,
    )
    assert r.status_code == 200, r.text
    assert r.json()["candidate"]["status"] == "accepted"


def test_a_document_without_a_publication_date_takes_the_one_its_text_gives(
    client: TestClient, world: World
) -> None:
    text = (
        "Gunmen attacked a Levies check post near Panjgur on Monday night, killing two"
        " personnel.\n\nPublished in The Frontier Post, May 7th, 2024\n"
    )
    body = _ingest(client, world, text=text, published=None)
    doc = body["documents"][0]
    assert doc["published_at"].startswith("2024-05-07") and doc["published_from_text"]
    r = client.get(f"/api/v1/documents/{doc['id']}", headers=world.headers("owner", "analyst"))
    assert r.status_code == 200 and r.json()["published_from_text"] is True
    assert [c["event_date"] for c in body["candidates"]] == ["2024-05-06"]


def test_a_publication_date_after_today_or_before_1900_is_refused_naming_the_field(
    engine: Engine, world: World
) -> None:
    """As the CLI refuses it: a report is not published tomorrow, nor in the year 1."""
    clock = FixedClock(datetime(2024, 6, 1, 9, 0, tzinfo=UTC))
    analyst = world.headers("owner", "analyst")
    before = _count(engine, Document)
    with TestClient(create_app(clock=clock)) as client:
        for day, said in (
            ("2024-06-02", "field published: 2024-06-02 is after today (2024-06-01)"),
            ("0001-01-01", "field published: must lie between 1900 and 2200"),
        ):
            r = client.post("/api/v1/documents", json={**SEED, "published": day}, headers=analyst)
            assert r.status_code == 422, r.text
            assert r.headers["content-type"].startswith("application/problem+json")
            assert r.json()["detail"].startswith(said), r.json()
            assert "published" in r.json()["errors"][0]["loc"]
        assert _count(engine, Document) == before
        r = client.post(
            "/api/v1/documents", json={**SEED, "published": "2024-06-01"}, headers=analyst
        )
        assert r.status_code == 201, r.text


def test_a_candidate_dated_in_the_year_1_can_still_be_read(
    client: TestClient, world: World, engine: Engine
) -> None:
    """Stored before such a publication date was refused: it must not break the API."""
    analyst = world.headers("owner", "analyst")
    body = _ingest(client, world)
    bomb = next(c for c in body["candidates"] if c["kind"] == "suicide_attack")
    with Session(engine) as s:
        s.get_one(Candidate, bomb["id"]).event_date = date(1, 4, 1)
        s.commit()
    r = client.get(f"/api/v1/candidates/{bomb['id']}", headers=analyst)
    assert r.status_code == 200 and r.json()["event_date"] == "0001-04-01", r.text


def test_an_incident_cannot_be_marked_more_openly_than_a_source_it_rests_on(
    client: TestClient, world: World
) -> None:
    analyst = world.headers("owner", "analyst")
    body = _ingest(client, world, tlp="AMBER+STRICT", title="Informant report XY")
    bomb = next(c for c in body["candidates"] if c["kind"] == "suicide_attack")
    r = client.post(f"/api/v1/candidates/{bomb['id']}/accept", json={}, headers=analyst)
    incident_id = r.json()["incident_id"]
    for lower in ("GREEN", "CLEAR", "AMBER"):
        r = client.patch(f"/api/v1/incidents/{incident_id}", json={"tlp": lower}, headers=analyst)
        assert r.status_code == 409, (lower, r.text)
        assert "marked TLP:AMBER+STRICT" in r.json()["detail"]
    # nothing changed: an outsider still cannot read the incident or its source's title
    outsider = world.headers("outsider", "analyst")
    assert client.get(f"/api/v1/incidents/{incident_id}", headers=outsider).status_code == 404
    assert "Informant report XY" not in client.get("/api/v1/incidents", headers=outsider).text
    r = client.get(f"/api/v1/incidents/{incident_id}", headers=analyst)
    assert r.json()["tlp"] == "AMBER+STRICT"
    # marking it more strictly is allowed
    r = client.patch(f"/api/v1/incidents/{incident_id}", json={"tlp": "RED"}, headers=analyst)
    assert r.status_code == 200 and r.json()["tlp"] == "RED"
