"""An alert's title, body and figures are its subject's content: once the subject is
re-marked so that the alert's reader may no longer read it, the inbox keeps only that an alert
was made (API, page, acknowledgement and the CLI's inbox alike)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safecorridor.alerts.service import WITHHELD_TITLE, Recipients, create_alert
from safecorridor.cli.app import get_app
from safecorridor.incidents.models import Incident
from tests.api.conftest import World, user_of


def _alert_partner_of(engine: Engine, world: World) -> int:
    """An alert to the partner's viewer about the owner's AMBER incident (which it reads)."""
    with Session(engine) as s:
        inc = s.get_one(Incident, world.incidents["AMBER"])
        inc.location = "Quarry Road"
        made = create_alert(
            s,
            key="test:narrowed",
            organisation_id=world.orgs["partner"],
            kind="incident_near",
            title="Attack at Quarry Road, 4 killed",
            body="Quarry Road, 12 km from the camp",
            subject_type="incident",
            subject_id=inc.id,
            payload={"fatalities": 4, "tlp": "AMBER", "location": "Quarry Road"},
            recipients=Recipients(users=[user_of(s, world, "partner", "viewer")]),
        )
        s.commit()
        assert made is not None
        return made


def test_an_alert_whose_incident_was_narrowed_keeps_only_that_it_was_made(
    client: TestClient, world: World, engine: Engine
) -> None:
    alert_id = _alert_partner_of(engine, world)
    h = world.headers("partner", "viewer")
    before = client.get("/api/v1/alerts", headers=h).json()["data"]
    assert [a["title"] for a in before] == ["Attack at Quarry Road, 4 killed"]
    # the owner narrows the incident to its own organisation
    owner = world.headers("owner", "analyst")
    r = client.patch(
        f"/api/v1/incidents/{world.incidents['AMBER']}",
        json={"tlp": "AMBER+STRICT"},
        headers=owner,
    )
    assert r.status_code == 200, r.text
    after = client.get("/api/v1/alerts", headers=h).json()
    (shown,) = after["data"]
    assert shown["id"] == alert_id and shown["title"] == WITHHELD_TITLE
    assert shown["subject_id"] is None and shown["payload"] == {} and shown["body"] == ""
    assert "Quarry" not in json.dumps(after) and after["unread"] == 1
    page = client.get("/alerts", headers={**h, "Accept": "text/html"})
    assert page.status_code == 200 and WITHHELD_TITLE in page.text and "Quarry" not in page.text
    acked = client.post(f"/api/v1/alerts/{alert_id}/ack", headers=h)
    assert acked.status_code == 200 and "Quarry" not in acked.text
    cli = CliRunner().invoke(
        get_app(), ["alerts", "list", "--as", "viewer@partner.example", "--json"]
    )
    assert cli.exit_code == 0, cli.output
    assert "Quarry" not in cli.output and WITHHELD_TITLE in cli.output
    # the owner's own readers, had they an alert, would still read theirs: widen it again
    r = client.patch(
        f"/api/v1/incidents/{world.incidents['AMBER']}", json={"tlp": "AMBER"}, headers=owner
    )
    assert r.status_code == 200
    again = client.get("/api/v1/alerts", headers=h).json()["data"]
    assert again[0]["title"] == "Attack at Quarry Road, 4 killed"
