"""The journey-management and alerts pages: the movement board, the request form, the
approval view, the check-in page and the notifications, server-side (TestClient) for each
role, and the whole journey once in a real browser."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from safecorridor.alerts import service as ar
from safecorridor.movements import service as ms
from safecorridor.movements.models import Movement
from safecorridor.registry.models import Route
from safecorridor.web.pages.movements import headcount_of, point_at_km
from tests.web.conftest import _LIVE, VIEWPORT, csrf_of, shoot

HX = {"HX-Request": "true"}
KKH = "Karakoram Highway (Islamabad–Khunjerab)"


def _tomorrow() -> str:
    """Tomorrow by the clock the app reads, taken when a test runs (not when this module was
    imported: a run that crosses midnight would request a movement for today)."""
    return (datetime.now(UTC) + timedelta(days=1)).date().isoformat()


def _kkh_id(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalars(select(Route.id).where(Route.name == KKH)).one())


def _post(client: TestClient, url: str, data: dict[str, str] | None = None) -> Any:
    return client.post(url, data=data or {}, headers={**HX, "X-CSRF-Token": csrf_of(client)})


def _request(client: TestClient, engine: Engine, **over: str) -> tuple[int, Any]:
    data = {
        "purpose": "Crew rotation to Dasu",
        "route": str(_kkh_id(engine)),
        "hc_CN": "4",
        "hc_PK": "2",
        "vehicle_count": "2",
        "armoured_count": "2",
        "planned_departure": f"{_tomorrow()}T03:00",
        "planned_arrival": f"{_tomorrow()}T10:00",
    }
    data.update(over)
    r = _post(client, "/movements/new", data)
    assert r.status_code == 200, r.text
    return int(r.text.split('data-movement-id="')[1].split('"')[0]), r


def test_the_pages_need_a_sign_in_and_a_viewer_may_not_request_or_approve(
    web: Any, demo: Engine
) -> None:
    from safecorridor.app import create_app

    anonymous = TestClient(create_app())
    for path in ("/movements", "/movements/new", "/movements/1", "/alerts"):
        r = anonymous.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login"), path
    sm = web("site_manager")
    mid, _ = _request(sm, demo)
    assert _post(sm, f"/movements/{mid}/submit").status_code == 204
    viewer = web("viewer")
    board = viewer.get("/movements")
    assert board.status_code == 200 and "Movement board" in board.text
    assert "Request a movement" not in board.text
    assert f'data-movement-id="{mid}"' not in board.text  # AMBER, CTGSA's, not shared with MoI
    r = viewer.get("/movements/new")
    assert r.status_code == 403 and "cannot request a movement" in r.text
    # a movement the viewer may not see: not found, as through the API
    r = _post(viewer, f"/movements/{mid}/approve", {"callsign": "X", "escort_vehicles": "4"})
    assert r.status_code == 404 and "that you may see" in r.text
    r = viewer.post(
        "/movements/new", data={"hc_CN": "1"}, headers={"X-CSRF-Token": csrf_of(viewer)}
    )
    assert r.status_code == 422  # an incomplete request, refused before the role (as the API)
    assert viewer.get(f"/movements/{mid}").status_code == 404
    # the requester's header links the board and the alerts with the unread badge
    page = sm.get("/movements").text
    assert 'href="/alerts"' in page and 'id="alert-count"' in page and 'data-count="0"' in page


def test_a_request_shows_its_risk_measures_and_flags_and_bad_input_the_reason(
    web: Any, demo: Engine
) -> None:
    sm = web("site_manager")
    form = sm.get("/movements/new").text
    assert 'id="draw-map"' in form and KKH in form and "/static/js/draw.js" in form
    mid, r = _request(
        sm, demo, planned_departure=f"{_tomorrow()}T15:00", planned_arrival=f"{_tomorrow()}T22:00"
    )
    assert "<html" not in r.text
    assert 'data-risk-level="severe"' in r.text
    assert "4 escort vehicle(s)" in r.text and "daylight only" in r.text
    assert 'data-code="daylight_only"' in r.text and "Blocking" in r.text
    assert "Submit for approval" in r.text
    bad = _post(
        sm,
        "/movements/new",
        {
            "route": "",
            "points": "",
            "hc_CN": "2",
            "planned_departure": f"{_tomorrow()}T10:00",
            "planned_arrival": f"{_tomorrow()}T09:00",
        },
    )
    assert bad.status_code == 422 and "Not requested" in bad.text
    assert "give a route, a polyline" in bad.text or "arrival must be after" in bad.text
    drawn = _post(
        sm,
        "/movements/new",
        {
            "points": "24.86,67.01; 25.12,62.33",
            "hc_PK": "3",
            "vehicle_count": "1",
            "armoured_count": "0",
            "planned_departure": f"{_tomorrow()}T03:00",
            "planned_arrival": f"{_tomorrow()}T12:00",
        },
    )
    assert drawn.status_code == 200 and "drawn route" in drawn.text
    with Session(demo) as s:
        m = s.get(Movement, mid)
        assert m is not None and m.state == "draft" and m.headcount == {"CN": 4, "PK": 2}


def test_an_escort_officer_cannot_approve_their_own_request(web: Any, demo: Engine) -> None:
    eo = web("escort_officer")
    mid, r = _request(eo, demo)
    assert _post(eo, f"/movements/{mid}/submit").status_code == 204
    page = eo.get(f"/movements/{mid}").text
    assert "an escort officer cannot approve a request they made themselves" in page
    assert f'hx-post="/movements/{mid}/approve"' not in page
    r = _post(eo, f"/movements/{mid}/approve", {"callsign": "Falcon-1", "escort_vehicles": "4"})
    assert r.status_code == 403
    assert "cannot approve a request they made themselves" in r.text
    with Session(demo) as s:
        assert s.get(Movement, mid).state == "submitted"  # type: ignore[union-attr]


def test_approval_start_checkin_and_the_board(web: Any, demo: Engine) -> None:
    sm, eo = web("site_manager"), web("escort_officer")
    mid, _ = _request(sm, demo)
    # a draft is the site manager's: the escort officer does not see it yet
    assert eo.get(f"/movements/{mid}").status_code == 404
    assert _post(sm, f"/movements/{mid}/submit").status_code == 204
    page = eo.get(f"/movements/{mid}").text
    assert "Approve with an escort unit" in page and "Rejection reason" in page
    # the approver's board shows the level their page shows (computed from what they read)
    shown = re.search(
        r'class="risk risk-(\w+)"', page.split("Risk now")[-1] if "Risk now" in page else page
    )
    row = eo.get("/movements").text.split(f'data-movement-id="{mid}"')[1].split("</tr>")[0]
    assert shown and f'class="risk risk-{shown.group(1)}"' in row
    assert "Start the movement" not in page
    # too small an escort is a blocking flag: refused with the service's message
    r = _post(eo, f"/movements/{mid}/approve", {"callsign": "Falcon-7", "escort_vehicles": "1"})
    assert r.status_code == 409 and "requires 4 escort vehicle(s)" in r.text  # as the API
    r = _post(eo, f"/movements/{mid}/reject", {"reason": ""})
    assert r.status_code == 422 and "needs a reason" in r.text
    r = _post(eo, f"/movements/{mid}/approve", {"callsign": "Falcon-7", "escort_vehicles": "4"})
    assert r.status_code == 204 and r.headers["HX-Redirect"] == f"/movements/{mid}"
    page = sm.get(f"/movements/{mid}").text
    assert "Falcon-7" in page and "Start the movement" in page
    assert [a for a in re.findall(r'<li data-action="(\w+)"', page)] == [
        "request",
        "submit",
        "approve",
    ]
    r = _post(sm, f"/movements/{mid}/approve", {"callsign": "X", "escort_vehicles": "4"})
    assert r.status_code == 409 and "approve needs state" in r.text  # approved already
    assert _post(sm, f"/movements/{mid}/start").status_code == 204
    checkin = sm.get(f"/movements/{mid}/checkin").text
    assert "Check in at my position" in checkin and "/static/js/checkin.js" in checkin
    r = _post(
        sm, f"/movements/{mid}/checkin", {"latitude": "34.05", "longitude": "73.16", "note": "ok"}
    )
    assert r.status_code == 201 and "Checked in at" in r.text and "km" in r.text
    r = _post(sm, f"/movements/{mid}/checkin", {"latitude": "34.05", "note": "half"})
    assert r.status_code == 422 and "both latitude and longitude" in r.text
    board = sm.get("/movements").text
    on_road = board.split('id="section-on_road"')[1].split("</section>")[0]
    assert f'data-movement-id="{mid}"' in on_road
    data = board.split('id="movement-data">')[1].split("</script>")[0]
    assert f'"id": {mid}' in data and '"lat": 34.05' in data and '"expected": [' in data
    # overdue movements are highlighted on the board
    with Session(demo) as s:
        assert ms.mark_overdue(session=s, movement_id=mid, reason="test")
        s.commit()
    board = eo.get("/movements").text
    assert f'data-movement-id="{mid}" data-state="overdue" class="overdue"' in board
    assert "1 overdue" in board


def test_notifications_with_the_unread_badge_acknowledgement_and_rules(
    web: Any, demo: Engine
) -> None:
    sm = web("site_manager")
    with Session(demo) as s:
        user = ms.get_user(s, "site_manager@ctgsa.example")
        alert_id = ar.create_alert(
            s,
            key="test-web-1",
            organisation_id=user.organisation_id,
            kind="movement_overdue",
            title="Movement overdue on the KKH",
            body="No check-in for 75 min.",
            recipients=ar.Recipients(users=[user]),
        )
        s.commit()
    page = sm.get("/alerts").text
    assert 'id="alert-count"' in page and 'data-count="1"' in page
    assert "Movement overdue on the KKH" in page and "Acknowledge" in page
    assert "Add a rule" not in page and "administrators add rules" in page
    r = _post(sm, f"/alerts/{alert_id}/ack")
    assert r.status_code == 200 and r.headers["HX-Trigger"] == "alerts-changed"
    assert "Acknowledged" in r.text and "<html" not in r.text
    assert 'data-count="0"' in sm.get("/alerts/count").text
    r = _post(sm, "/alerts/rules", {"kind": "incident_near", "km": "10"})
    assert r.status_code == 403 and "cannot add alert rules" in r.text
    admin = web("admin")
    assert "Add a rule" in admin.get("/alerts").text
    r = _post(admin, "/alerts/rules", {"kind": "incident_near", "km": "0"})
    assert r.status_code == 422 and "incident_near needs km" in r.text
    r = _post(
        admin,
        "/alerts/rules",
        {"kind": "incident_near", "name": "Near our sites", "km": "15", "role_analyst": "1"},
    )
    assert r.status_code == 200 and "Near our sites" in r.text and "km=15.0" in r.text


def test_helpers() -> None:
    assert headcount_of({"hc_CN": "4", "hc_PK": "", "hc_other": "GB", "hc_other_n": "1"}) == {
        "CN": 4,
        "GB": 1,
    }
    line = [[0.0, 0.0], [0.0, 1.0]]
    mid = point_at_km(line, 55.6)
    assert mid is not None and abs(mid[1] - 0.5) < 0.01
    assert point_at_km(line, 500) == [0.0, 1.0] and point_at_km(line, 0) == [0.0, 0.0]


# --- in the browser ---------------------------------------------------------------------------


@pytest.mark.browser
def test_a_movement_from_request_to_the_map_in_the_browser(open_as: Any) -> None:
    sm = open_as("site_manager")
    sm.goto("/movements/new")
    sm.get_by_label("Route", exact=True).select_option(label=KKH)
    sm.get_by_label("Purpose").fill("Crew rotation to Dasu")
    sm.get_by_label("Chinese (CN)").fill("4")
    sm.get_by_label("Pakistani (PK)").fill("2")
    sm.get_by_role("button", name="Request").click()
    result = sm.locator(".requested")
    result.wait_for(timeout=30_000)
    assert result.locator(".risk").first.inner_text() == "severe"
    assert "4 escort vehicle(s)" in result.inner_text()
    mid = int(result.get_attribute("data-movement-id") or 0)
    sm.wait_for_timeout(200)
    shoot(sm, "movement-request")
    sm.get_by_role("button", name="Submit for approval").click()
    sm.wait_for_url(f"**/movements/{mid}")

    eo = open_as("escort_officer")
    eo.goto(f"/movements/{mid}")
    eo.get_by_label("Escort callsign").fill("Falcon-7")
    eo.get_by_role("button", name="Approve").click()
    eo.locator(".mv-state.mv-approved").wait_for()
    assert "Falcon-7" in eo.locator("dl.fields").inner_text()

    sm.goto(f"/movements/{mid}")
    sm.get_by_role("button", name="Start the movement").click()
    sm.locator(".mv-state.mv-under_way").wait_for()
    sm.set_viewport_size({"width": 390, "height": 844})
    sm.get_by_role("link", name="Check in").click()
    sm.wait_for_url(f"**/movements/{mid}/checkin")
    assert sm.get_by_role("button", name="Check in at my position").is_visible()
    sm.get_by_text("Enter the position by hand").click()
    sm.get_by_label("Latitude").fill("34.05")
    sm.get_by_label("Longitude").fill("73.16")
    sm.get_by_label("Note").fill("passed Abbottabad, all well")
    sm.get_by_role("button", name="Send check-in").click()
    sm.locator("[data-checkin=ok]").wait_for()
    assert sm.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(sm, "movement-checkin")

    sm.set_viewport_size(VIEWPORT)
    sm.goto("/movements")
    sm.wait_for_selector('#movement-map[data-loaded="true"]', timeout=20_000)
    assert int(sm.eval_on_selector("#movement-map", "e => Number(e.dataset.underWay)")) >= 1
    assert sm.locator(f'#section-on_road [data-movement-id="{mid}"]').is_visible()
    sm.wait_for_timeout(300)
    shoot(sm, "movement-board")
    assert sm.js_errors == [] and eo.js_errors == []
    with Session(_LIVE["engine"]) as s:
        m = s.get(Movement, mid)
        assert m is not None and m.state == "under_way" and len(m.checkins) == 1
