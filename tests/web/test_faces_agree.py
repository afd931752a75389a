"""The API and the web pages refuse the same input with the same status and the same message,
for every kind of write: both call the same service, and both validate with the same schemas.

Each case posts one refused input through the JSON API and through the page's form (as the
page's HTMX would), signed in as the same demo user, and compares the answers. The refusals
leave the store as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from safecorridor.incidents.models import Incident
from safecorridor.registry.models import Route, Site
from tests.conftest import SEED_REPORT
from tests.web.conftest import USERS, csrf_of

HX = {"HX-Request": "true"}
KKH = "Karakoram Highway (Islamabad–Khunjerab)"


def _depart() -> datetime:
    """03:00 the day after tomorrow by the clock the app reads, taken when a test runs."""
    return (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=3, minute=0, second=0, microsecond=0
    )


@dataclass
class Faces:
    """One user's two ways in: the API (session cookie + CSRF header) and the web forms."""

    client: TestClient

    def api(self, method: str, url: str, body: Any = None) -> Any:
        headers = {"X-CSRF-Token": csrf_of(self.client)}
        return self.client.request(method, url, json=body, headers=headers)

    def form(self, url: str, data: dict[str, str]) -> Any:
        headers = {**HX, "X-CSRF-Token": csrf_of(self.client)}
        return self.client.post(url, data=data, headers=headers)


def _same(api: Any, page: Any) -> str:
    """Both refused alike: the same status, and the API's message shown on the page."""
    assert api.status_code >= 400, api.text
    detail = api.json()["detail"]
    assert (page.status_code, True) == (api.status_code, str(escape(detail)) in page.text), (
        detail,
        page.text[:2000],
    )
    return str(detail)


def _one(engine: Engine, stmt: Any) -> Any:
    with Session(engine) as s:
        return s.scalars(stmt).first()


@pytest.fixture
def faces(web: Callable[[str], TestClient]) -> Callable[[str], Faces]:
    return lambda who: Faces(web(who))


def _jwg_incident(demo: Engine) -> Incident:
    from safecorridor.accounts.models import User

    with Session(demo) as s:
        org = s.scalars(select(User.organisation_id).where(User.email == USERS["analyst"][0]))
        inc = s.scalars(
            select(Incident).where(Incident.owner_org_id == org.one()).order_by(Incident.id)
        ).first()
        assert inc is not None
        return inc


def test_an_incident_edit_out_of_range_and_a_removed_required_value(
    faces: Callable[[str], Faces], demo: Engine
) -> None:
    analyst = faces("analyst")
    inc = _jwg_incident(demo)
    url, page = f"/api/v1/incidents/{inc.id}", f"/incidents/{inc.id}/edit"
    message = _same(
        analyst.api("PATCH", url, {"latitude": 999}), analyst.form(page, {"latitude": "999"})
    )
    assert "latitude" in message
    message = _same(
        analyst.api("PATCH", url, {"latitude": None}), analyst.form(page, {"latitude": ""})
    )
    assert "cannot be removed" in message
    message = _same(
        analyst.api("PATCH", url, {"fatalities": -1}), analyst.form(page, {"fatalities": "-1"})
    )
    assert "fatalities" in message
    with Session(demo) as s:
        assert s.get_one(Incident, inc.id).latitude == inc.latitude


def test_another_organisations_incident_is_refused_alike(
    faces: Callable[[str], Faces], demo: Engine
) -> None:
    other = faces("researcher")  # IRI's analyst: may read the JWG's CLEAR record, not change it
    with Session(demo) as s:
        inc = s.scalars(
            select(Incident).where(Incident.tlp == "CLEAR", Incident.owner_org_id.is_not(None))
        ).first()
        assert inc is not None
    api = other.api("PATCH", f"/api/v1/incidents/{inc.id}", {"notes": "x"})
    page = other.form(f"/incidents/{inc.id}/edit", {"notes": "x"})
    assert api.status_code in (403, 404)
    _same(api, page)


def test_a_site_out_of_range_a_taken_name_and_the_wrong_organisation(
    faces: Callable[[str], Faces], demo: Engine
) -> None:
    sm = faces("site_manager")
    body = {
        "name": "Test camp",
        "site_type": "camp",
        "latitude": 999,
        "longitude": 67.0,
        "tlp": "AMBER",
    }
    form = {k: str(v) for k, v in body.items()}
    message = _same(sm.api("POST", "/api/v1/sites", body), sm.form("/sites/new", form))
    assert "latitude" in message
    with Session(demo) as s:
        from safecorridor.accounts.models import User

        mine = s.scalars(select(User.organisation_id).where(User.email == USERS["site_manager"][0]))
        taken = s.scalars(select(Site.name).where(Site.owner_org_id == mine.one())).first()
    assert taken is not None  # a name its own organisation holds (another's is no conflict)
    body.update(name=taken, latitude=25.0)
    form = {k: str(v) for k, v in body.items()}
    message = _same(sm.api("POST", "/api/v1/sites", body), sm.form("/sites/new", form))
    assert "choose another name" in message
    # a site of another organisation
    with Session(demo) as s:
        from safecorridor.accounts.models import User

        org = s.scalars(select(User.organisation_id).where(User.email == USERS["site_manager"][0]))
        theirs = s.scalars(
            select(Site).where(Site.owner_org_id != org.one(), Site.tlp.in_(["CLEAR", "GREEN"]))
        ).first()
    if theirs is not None:
        _same(
            sm.api("PATCH", f"/api/v1/sites/{theirs.id}", {"project": "x"}),
            sm.form(f"/sites/{theirs.id}/edit", {"project": "x"}),
        )


def test_a_route_edited_to_points_off_the_globe_is_refused_on_both_faces(
    faces: Callable[[str], Faces], demo: Engine
) -> None:
    """The web edit form once had a write path of its own that stored such points."""
    sm = faces("site_manager")
    created = sm.api(
        "POST",
        "/api/v1/routes",
        {"name": "Test road", "points": [[24.9, 67.0], [25.1, 67.2]], "tlp": "AMBER"},
    )
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    message = _same(
        sm.api("PATCH", f"/api/v1/routes/{rid}", {"points": [[999, 999], [1000, -1000]]}),
        sm.form(f"/routes/{rid}/edit", {"points": "999,999;1000,-1000"}),
    )
    assert "latitude" in message or "-90" in message
    _same(
        sm.api("PATCH", f"/api/v1/routes/{rid}", {"points": [[24.9, 67.0]]}),
        sm.form(f"/routes/{rid}/edit", {"points": "24.9,67.0"}),
    )
    with Session(demo) as s:
        assert s.get_one(Route, rid).points == [[24.9, 67.0], [25.1, 67.2]]
    # and a good edit of the points goes through on the web and sets the length
    ok = sm.form(f"/routes/{rid}/edit", {"points": "24.9,67.0;25.5,67.5"})
    assert ok.status_code == 204, ok.text
    with Session(demo) as s:
        route = s.get_one(Route, rid)
        assert route.points == [[24.9, 67.0], [25.5, 67.5]] and route.length_km > 70


def _candidates(analyst: Faces) -> dict[str, dict[str, Any]]:
    r = analyst.api(
        "POST",
        "/api/v1/documents",
        {"text": SEED_REPORT.read_text(encoding="utf-8"), "published": "2022-09-12"},
    )
    assert r.status_code == 201, r.text
    return {c["kind"]: c for c in r.json()["candidates"]}


def test_review_decisions_and_ingest_are_refused_alike(faces: Callable[[str], Faces]) -> None:
    analyst = faces("analyst")
    found = _candidates(analyst)
    threat = found["threat"]["id"]
    message = _same(
        analyst.api("POST", f"/api/v1/candidates/{threat}/reject", {"reason": ""}),
        analyst.form(f"/review/{threat}/reject", {"reason": ""}),
    )
    assert "needs a reason" in message
    message = _same(
        analyst.api("POST", f"/api/v1/candidates/{threat}/accept", {"edits": {"latitude": 120}}),
        analyst.form(f"/review/{threat}/accept", {"latitude": "120"}),
    )
    assert "latitude" in message
    other = found["other"]["id"]
    message = _same(
        analyst.api("POST", f"/api/v1/candidates/{other}/merge", {"incident_id": 999999}),
        analyst.form(f"/review/{other}/merge", {"incident_id": "999999"}),
    )
    assert "999999" in message
    message = _same(analyst.api("POST", "/api/v1/documents", {}), analyst.form("/ingest", {}))
    assert "text, a URL or a file" in message
    # a viewer may not ingest: the same refusal
    viewer = faces("viewer")
    _same(
        viewer.api("POST", "/api/v1/documents", {"text": "Gunmen attacked a post."}),
        viewer.form("/ingest", {"text": "Gunmen attacked a post."}),
    )


def _movement(sm: Faces, demo: Engine) -> int:
    rid = _one(demo, select(Route.id).where(Route.name == KKH))
    r = sm.api(
        "POST",
        "/api/v1/movements?submit=true",
        {
            "purpose": "Crew rotation",
            "route": str(rid),
            "headcount": {"CN": 4, "PK": 2},
            "vehicle_count": 2,
            "armoured_count": 2,
            "planned_departure": _depart().isoformat(),
            "planned_arrival": (_depart() + timedelta(hours=7)).isoformat(),
        },
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_movement_writes_are_refused_alike(faces: Callable[[str], Faces], demo: Engine) -> None:
    sm, eo, viewer = faces("site_manager"), faces("escort_officer"), faces("viewer")
    mid = _movement(sm, demo)
    message = _same(
        eo.api("POST", f"/api/v1/movements/{mid}/reject", {"reason": ""}),
        eo.form(f"/movements/{mid}/reject", {"reason": ""}),
    )
    assert "needs a reason" in message
    # a check-in before the start: the state refuses it
    _same(
        sm.api("POST", f"/api/v1/movements/{mid}/checkins", {"latitude": 34.0, "longitude": 73.0}),
        sm.form(f"/movements/{mid}/checkin", {"latitude": "34.0", "longitude": "73.0"}),
    )
    # a viewer may not request a movement
    plan = {
        "planned_departure": _depart().isoformat(),
        "planned_arrival": (_depart() + timedelta(hours=2)).isoformat(),
    }
    fields = {
        "planned_departure": _depart().strftime("%Y-%m-%dT%H:%M"),
        "planned_arrival": (_depart() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    message = _same(
        viewer.api("POST", "/api/v1/movements", {"route": "1", "headcount": {"PK": 1}, **plan}),
        viewer.form("/movements/new", {"route": "1", "hc_PK": "1", **fields}),
    )
    assert "cannot request" in message
    # a route name that matches nothing the requester may read
    data = {
        "route": "No such road anywhere",
        "headcount": {"PK": 1},
        "planned_departure": _depart().isoformat(),
        "planned_arrival": (_depart() + timedelta(hours=2)).isoformat(),
    }
    message = _same(
        sm.api("POST", "/api/v1/movements", data),
        sm.form(
            "/movements/new",
            {
                "route": "No such road anywhere",
                "hc_PK": "1",
                "planned_departure": _depart().strftime("%Y-%m-%dT%H:%M"),
                "planned_arrival": (_depart() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            },
        ),
    )
    assert "No such road anywhere" in message


def test_alert_writes_are_refused_alike(faces: Callable[[str], Faces]) -> None:
    admin, viewer = faces("admin"), faces("viewer")
    message = _same(
        admin.api("POST", "/api/v1/alert-rules", {"kind": "incident_near", "params": {}}),
        admin.form("/alerts/rules", {"kind": "incident_near"}),
    )
    assert "km" in message
    _same(
        viewer.api("POST", "/api/v1/alert-rules", {"kind": "foreign_fatalities"}),
        viewer.form("/alerts/rules", {"kind": "foreign_fatalities"}),
    )
    _same(admin.api("POST", "/api/v1/alerts/999999/ack"), admin.form("/alerts/999999/ack", {}))


def _of_users_org(demo: Engine, model: Any, who: str) -> Any:
    """The first record of ``model`` owned by the organisation of demo user ``who``."""
    from safecorridor.accounts.models import User

    with Session(demo) as s:
        org = s.scalars(select(User.organisation_id).where(User.email == USERS[who][0])).one()
        row = s.scalars(select(model).where(model.owner_org_id == org).order_by(model.id)).first()
        assert row is not None, (model, who)
        return row


def test_jwg_writes_are_refused_alike(faces: Callable[[str], Faces], demo: Engine) -> None:
    from safecorridor.jwg.models import ActionItem
    from safecorridor.registry.measures import ProtectiveMeasure

    analyst, viewer, sm = faces("analyst"), faces("viewer"), faces("site_manager")
    # a viewer may not record a meeting
    message = _same(
        viewer.api("POST", "/api/v1/meetings", {"number": 10, "held_on": "2024-11-01"}),
        viewer.form("/meetings/new", {"number": "10", "held_on": "2024-11-01"}),
    )
    assert "meeting" in message
    # a meeting numbered 0
    message = _same(
        analyst.api("POST", "/api/v1/meetings", {"number": 0, "held_on": "2024-11-01"}),
        analyst.form("/meetings/new", {"number": "0", "held_on": "2024-11-01"}),
    )
    assert "number" in message
    # an action item set overdue by hand (the worker's to set; refused before who may change it)
    item = _one(demo, select(ActionItem).order_by(ActionItem.id))
    message = _same(
        analyst.api("PATCH", f"/api/v1/actions/{item.id}", {"status": "overdue"}),
        analyst.form(f"/actions/{item.id}", {"status": "overdue"}),
    )
    assert "overdue" in message
    # a measure moved to a state that does not exist
    measure = _of_users_org(demo, ProtectiveMeasure, "site_manager")
    message = _same(
        sm.api("POST", f"/api/v1/measures/{measure.id}/state", {"state": "finished"}),
        sm.form(f"/measures/{measure.id}/state", {"state": "finished"}),
    )
    assert "state" in message
    # a briefing whose period ends before it starts
    period = {"period_from": "2024-09-30", "period_to": "2024-07-01"}
    message = _same(
        analyst.api("POST", "/api/v1/briefings", period),
        analyst.form("/briefing", period),
    )
    assert "period_to is before period_from" in message
