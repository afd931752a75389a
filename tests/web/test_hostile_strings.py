"""Hostile strings in every field a user can write, rendered by every page and every map
tooltip in Chromium: nothing runs.

Records are written through the API (as their owners would), each text field holding script
tags, event handlers and ``javascript:`` URLs that would set ``window.__xss`` if run. Every
page is then opened by users of several organisations, every tooltip of the maps is opened,
and ``window.__xss`` must stay undefined, no dialog may open, and the strings must show as
text. The run is made twice: with the app's Content-Security-Policy, and with the browser
told to ignore it, so that the escaping alone is shown to hold.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from safecorridor.app import create_app
from safecorridor.db.session import reset_engine
from tests.web.conftest import CHROMIUM, USERS, csrf_of, demo_engine, sign_in

pytestmark = pytest.mark.browser

HOSTILE = [
    '<img src=x onerror="window.__xss=(window.__xss||0)+1">',
    '"><script>window.__xss=1</script>',
    "javascript:window.__xss=1",
    "</textarea><svg onload=window.__xss=1>",
    "'-alert(1)-'",
]
PAYLOAD = " | ".join(HOSTILE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _write_hostile_records(client: TestClient) -> dict[str, int]:
    """As the demo's users: a site, a route, an incident, a report and its candidates, a
    movement, an alert rule, all carrying :data:`HOSTILE`. Returns their ids."""
    ids: dict[str, int] = {}
    sm = sign_in(TestClient(client.app), "site_manager")
    h = {"X-CSRF-Token": csrf_of(sm)}
    r = sm.post(
        "/api/v1/sites",
        json={
            "name": f"Site {PAYLOAD}"[:300],
            "project": PAYLOAD[:300],
            "site_type": "camp",
            "latitude": 25.5,
            "longitude": 66.9,
            "admin1": HOSTILE[0][:100],
            "description": PAYLOAD,
            "tlp": "GREEN",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    ids["site"] = r.json()["id"]
    r = sm.post(
        "/api/v1/routes",
        json={
            "name": f"Route {PAYLOAD}"[:300],
            "origin": HOSTILE[1][:200],
            "destination": HOSTILE[0][:200],
            "points": [[25.5, 66.9], [25.9, 67.3]],
            "description": PAYLOAD,
            "tlp": "GREEN",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    ids["route"] = r.json()["id"]
    depart = datetime.now(UTC) + timedelta(days=1)
    r = sm.post(
        "/api/v1/movements",
        json={
            "purpose": PAYLOAD[:300],
            "route": str(ids["route"]),
            "headcount": {"CN": 2},
            "planned_departure": depart.isoformat(),
            "planned_arrival": (depart + timedelta(hours=3)).isoformat(),
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    ids["movement"] = r.json()["id"]

    analyst = sign_in(TestClient(client.app), "analyst")
    h = {"X-CSRF-Token": csrf_of(analyst)}
    r = analyst.post(
        "/api/v1/incidents",
        json={
            "event_date": "2024-05-01",
            "event_type": "Battles",
            "sub_event_type": "Armed clash",
            "latitude": 25.6,
            "longitude": 67.0,
            "location": HOSTILE[0][:300],
            "admin1": HOSTILE[1][:100],
            "actor1": f"Group {HOSTILE[0]}"[:300],
            "notes": PAYLOAD,
            "foreign_nationality": HOSTILE[3][:100],
            "tlp": "GREEN",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    ids["incident"] = r.json()["id"]
    r = analyst.post(
        "/api/v1/documents",
        json={
            "text": f"Gunmen attacked a police post in Turbat on Monday, killing two. {PAYLOAD}",
            "published": "2024-05-06",
            "publisher": PAYLOAD[:300],
            "title": PAYLOAD,
            "tlp": "GREEN",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text

    admin = sign_in(TestClient(client.app), "admin")
    r = admin.post(
        "/api/v1/alert-rules",
        json={"kind": "foreign_fatalities", "name": PAYLOAD[:200]},
        headers={"X-CSRF-Token": csrf_of(admin)},
    )
    assert r.status_code == 201, r.text
    return ids


@pytest.fixture(scope="module")
def hostile_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, dict[str, int], Engine]]:
    import uvicorn

    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    engine = demo_engine(tmp_path_factory.mktemp("hostile") / "safecorridor.db")
    reset_engine(engine)
    app = create_app()
    ids = _write_hostile_records(TestClient(app))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", ids, engine
    server.should_exit = True
    thread.join(timeout=10)
    reset_engine(None)
    engine.dispose()


def _open_tooltips(page: Any) -> int:
    """Open every tooltip of the page's Leaflet layers; how many were opened."""
    return int(
        page.evaluate(
            """() => {
              let n = 0;
              const open = (layer) => {
                if (layer && layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); n++; }
                if (layer && layer.eachLayer) { layer.eachLayer(open); }
              };
              const sc = window.sc || {};
              for (const group of ['incidents', 'sites', 'routes']) {
                Object.values(sc[group] || {}).forEach(open);
              }
              return n;
            }"""
        )
    )


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_no_hostile_string_runs_on_any_page_or_tooltip(
    hostile_server: tuple[str, dict[str, int], Any], browser: Any, bypass_csp: bool
) -> None:
    base, ids, engine = hostile_server
    reset_engine(engine)  # the server in this process reads the hostile world
    pages = [
        "/",
        "/incidents",
        f"/incidents/{ids['incident']}",
        f"/incidents/{ids['incident']}/panel",
        "/sites",
        f"/sites/{ids['site']}",
        f"/sites/{ids['site']}/panel",
        "/routes",
        f"/routes/{ids['route']}",
        "/movements",
        f"/movements/{ids['movement']}",
        "/movements/new",
        "/review",
        "/alerts",
        "/ingest",
        f"/sites/{ids['site']}/edit",
        f"/routes/{ids['route']}/edit",
        f"/incidents/{ids['incident']}/edit",
    ]
    opened = 0
    for who in ("analyst", "site_manager", "admin"):
        context = browser.new_context(base_url=base, bypass_csp=bypass_csp)
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d, seen=dialogs: (seen.append(d.message), d.dismiss()))
        email, password = USERS[who]
        page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base + "/")
        for path in pages:
            response = page.goto(path)
            assert response is not None
            if response.status >= 400:
                continue  # a page this role may not open: nothing rendered to run
            page.wait_for_load_state("networkidle")
            if path == "/":
                page.wait_for_selector('#map[data-loaded="true"]', timeout=45_000)
                opened += _open_tooltips(page)
            if path.startswith("/movements"):
                opened += _open_tooltips(page)
            assert page.evaluate("() => window.__xss") is None, (who, path)
            assert dialogs == [], (who, path, dialogs)
        # the strings are there, as text
        page.goto(f"/sites/{ids['site']}")
        assert "<img src=x" in page.inner_text("main")
        context.close()
    assert opened > 20  # the tooltips of incidents, sites, routes and movements were opened
