"""The issue's end-to-end story, through the API and the worker on both backends: a meeting
with decisions → action items with owners → one overdue, whose alert reaches the owner and
the secretariat (in-app and by e-mail over a real SMTP server) → a measure put in place lowers
the site's posture and its risk in the figures the API shows → a briefing pack for the partner
organisation leaves out the record it may not read and carries the right marking."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from safecorridor.alerts.models import Alert, Notification
from safecorridor.alerts.worker import WorkerContext, run_step
from safecorridor.app import create_app
from safecorridor.clock import FixedClock
from safecorridor.jwg import briefing
from safecorridor.sharing.models import AuditEvent
from tests.alerts.conftest import SmtpSink
from tests.jwg.conftest import JwgWorld

NOW = datetime(2024, 7, 10, 9, 0, tzinfo=UTC)


def _meeting(w: JwgWorld) -> dict[str, object]:
    return {
        "number": 9,
        "held_on": "2024-05-01",
        "venue": "Test embassy",
        "chair": "co-chaired by the two heads of delegation",
        "tlp": "GREEN",
        "delegations": [
            {"organisation": w.secretariat, "side": "secretariat", "roles": ["secretary"]},
            {"organisation": "Test Security Agency", "side": "host", "roles": ["head"]},
        ],
        "agenda": [
            {
                "title": "Security of the dam camp",
                "links": [{"record_type": "site", "record_id": w.site}],
            }
        ],
        "decisions": [
            {
                "text": "Strengthen the security of the project sites.",
                "agenda_item": 1,
                "actions": [
                    {
                        "title": "Deploy a hardened guard force at the dam camp",
                        "owner": w.agency,
                        "responsible_role": "head of site security",
                        "due_on": "2024-06-30",
                        "tlp": "AMBER",
                        "links": [{"record_type": "site", "record_id": w.site}],
                    }
                ],
            },
            {
                "text": "Promote cooperation between law-enforcement agencies.",
                "actions": [
                    {
                        "title": "Open a liaison desk",
                        "owner": "TSEC",
                        "due_on": "2024-09-30",
                        "tlp": "GREEN",
                    }
                ],
            },
        ],
    }


def test_meeting_to_overdue_alert_to_measure_to_briefing(
    engine: Engine,
    session: Session,
    jwg_world: JwgWorld,
    jwg_ctx: WorkerContext,
    smtp_sink: SmtpSink,
) -> None:
    w = jwg_world
    client = TestClient(create_app(clock=FixedClock(NOW)))

    # 1. the secretariat records the meeting, its decisions and their action items
    r = client.post("/api/v1/meetings", json=_meeting(w), headers=w.headers("sec_analyst"))
    assert r.status_code == 201, r.text
    meeting = r.json()
    assert [len(d["actions"]) for d in meeting["decisions"]] == [1, 1]
    guard_item = meeting["decisions"][0]["actions"][0]
    assert guard_item["owner"] == "Test Security Agency" and guard_item["status"] == "open"
    # the outsider reads the GREEN meeting but not the agency's AMBER item nor the AMBER site
    seen = client.get(
        f"/api/v1/meetings/{meeting['id']}", headers=w.headers("outsider_admin")
    ).json()
    assert seen["decisions"][0]["actions"] == [] and seen["agenda"][0]["links"] == []
    assert len(seen["decisions"][1]["actions"]) == 1
    # a viewer may read the item but not change it
    r = client.patch(
        f"/api/v1/actions/{guard_item['id']}",
        json={"status": "in_progress"},
        headers=w.headers("agency_viewer"),
    )
    assert r.status_code == 403

    # 2. the due date passes: the worker marks it overdue once and alerts owner and secretariat
    run = run_step(jwg_ctx, "overdue_actions", now=datetime(2024, 7, 2, 6, 0))
    assert run.status == "ok" and run.found == 1
    again = run_step(jwg_ctx, "overdue_actions", now=datetime(2024, 7, 3, 6, 0))
    assert again.found == 0
    board = client.get("/api/v1/actions?owner=mine", headers=w.headers("agency_admin")).json()
    assert [a["status"] for a in board["data"]] == ["overdue"]
    with Session(engine) as s:
        alerts = s.scalars(select(Alert).where(Alert.kind == "action_overdue")).all()
        assert {a.organisation_id for a in alerts} == {w.agency, w.secretariat}
        notified = set(s.scalars(select(Notification.user_id)))
    assert {w.users["agency_admin"], w.users["agency_viewer"], w.users["sec_analyst"]} <= notified
    assert w.users["outsider_admin"] not in notified
    run_step(jwg_ctx, "deliveries", now=datetime(2024, 7, 2, 6, 1))
    assert any("OVERDUE" in m for m in smtp_sink.to("agency_admin@jwg-test.example"))
    assert any("OVERDUE" in m for m in smtp_sink.to("sec_analyst@jwg-test.example"))
    assert not smtp_sink.to("outsider_admin@jwg-test.example")

    # 3. the planned measure: ranked by the risk it removes; put in place, it lowers the posture
    risk_url = f"/api/v1/sites/{w.site}/risk"
    before = client.get(
        risk_url, params={"as_of": "2024-07-10"}, headers=w.headers("agency_viewer")
    ).json()
    assert before["details"]["factors"]["guard_force"] == "basic"
    # an action item that does not exist is named in a 404, not a 500 from the database
    for missing in (99_999, 2**31 - 1):
        r = client.post(
            "/api/v1/measures",
            json={"site_id": w.site, "kind": "cctv", "action_item_id": missing},
            headers=w.headers("agency_manager"),
        )
        assert r.status_code == 404 and f"no action item with id {missing}" in r.text
    r = client.post(
        "/api/v1/measures",
        json={
            "site_id": w.site,
            "kind": "guard_force",
            "grade": "hardened",
            "provider": "a special security company",
            "state": "planned",
            "action_item_id": guard_item["id"],
        },
        headers=w.headers("agency_manager"),
    )
    assert r.status_code == 201, r.text
    measure = r.json()
    planned = client.get(
        "/api/v1/risk/planned-measures",
        params={"as_of": "2024-07-10"},
        headers=w.headers("agency_viewer"),
    ).json()
    assert planned["ranked"][0]["measure_id"] == measure["id"]
    assert planned["ranked"][0]["reduction"] > 0
    assert planned["sites"][0]["score_with"] < planned["sites"][0]["score_now"]
    r = client.post(
        f"/api/v1/measures/{measure['id']}/state",
        json={"state": "in_place", "effective_on": "2024-07-05"},
        headers=w.headers("agency_manager"),
    )
    assert r.status_code == 200 and r.json()["in_place_from"] == "2024-07-05"
    after = client.get(
        risk_url, params={"as_of": "2024-07-10"}, headers=w.headers("agency_viewer")
    ).json()
    assert after["details"]["factors"]["guard_force"] == "hardened"
    assert after["details"]["factors"]["measures"] == [measure["id"]]
    assert after["score"] < before["score"]
    assert after["details"]["vulnerability"] < before["details"]["vulnerability"]
    # the day matters: before it was in place the figure is what it was
    earlier = client.get(
        risk_url, params={"as_of": "2024-07-01"}, headers=w.headers("agency_viewer")
    ).json()
    assert earlier["details"]["factors"]["guard_force"] == "basic"
    posture = client.get(
        f"/api/v1/sites/{w.site}/posture",
        params={"as_of": "2024-07-10"},
        headers=w.headers("agency_viewer"),
    ).json()
    assert posture["posture"]["guard_force"] == "hardened"
    # the measure in place is the evidence that closes the item
    r = client.patch(
        f"/api/v1/actions/{guard_item['id']}",
        json={"status": "done", "evidence_measure_id": measure["id"], "note": "company deployed"},
        headers=w.headers("agency_admin"),
    )
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "done" and done["completed_on"] == "2024-07-10"
    assert [h["to"] for h in done["history"]] == ["open", "overdue", "done"]
    assert any(link["role"] == "evidence" for link in done["links"])

    # 4. the partner organisation's pack: without the secretariat's AMBER+STRICT incident
    pack = briefing.build_pack(
        session,
        organisation_id=w.agency,
        period_from=date(2024, 1, 1),
        period_to=date(2024, 6, 30),
        meeting_id=meeting["id"],
        built_by="test",
        now=NOW,
        with_pdf=False,
    )
    session.commit()
    assert w.strict_incident not in pack.records.get("incident", [])
    assert w.strict_incident not in pack.records["figure_incident_ids"]
    assert "Secret Ridge" not in pack.html
    assert pack.tlp == "AMBER"
    assert pack.html.count("TLP:AMBER") >= 3  # the top, the bottom and every printed page
    assert pack.figures["numbers"]["now"]["incidents"] == 3
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.record_type == "briefing", AuditEvent.record_id == pack.id
        )
    ).one()
    assert event.details["tlp"] == "AMBER"
    assert set(event.details["records"]["incident"]) <= set(w.incidents)
    assert w.site in event.details["records"]["site"]
    # the secretariat's own pack holds it, and is marked accordingly
    own = briefing.build_pack(
        session,
        organisation_id=w.secretariat,
        period_from=date(2024, 1, 1),
        period_to=date(2024, 6, 30),
        built_by="test",
        now=NOW,
        with_pdf=False,
    )
    assert w.strict_incident in own.records["incident"] and "Secret Ridge" in own.html
    assert own.tlp == "AMBER+STRICT"
    session.commit()
    # packs are read by their organisation only
    assert (
        client.get(f"/api/v1/briefings/{pack.id}", headers=w.headers("agency_viewer")).status_code
        == 200
    )
    assert (
        client.get(f"/api/v1/briefings/{pack.id}", headers=w.headers("sec_admin")).status_code
        == 404
    )
