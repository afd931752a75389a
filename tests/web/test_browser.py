"""The web app in a real browser: Debian's headless Chromium driven by Playwright, against
uvicorn serving the demo world. Screenshots of the main pages go to docs/screenshots/."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor.incidents.models import Incident
from safecorridor.registry.models import Site
from tests.conftest import SEED_REPORT
from tests.web.conftest import _LIVE, USERS, map_ready, shoot

pytestmark = pytest.mark.browser


def _count(page: Any, what: str) -> int:
    return int(page.eval_on_selector("#map", f"e => Number(e.dataset.{what})"))


def _visible_ids(page: Any) -> set[int]:
    return set(page.evaluate("Object.keys(window.sc.incidents).map(Number)"))


def _incidents(**where: Any) -> list[Incident]:
    with Session(_LIVE["engine"]) as s:
        q = select(Incident)
        for k, v in where.items():
            q = q.where(getattr(Incident, k) == v)
        return list(s.scalars(q))


@pytest.mark.parametrize("who", ["analyst", "site_manager", "escort_officer", "viewer", "admin"])
def test_each_role_signs_in_and_the_map_shows_the_demo_incidents_and_sites(
    open_as: Any, who: str
) -> None:
    started = time.monotonic()
    page = open_as(who)
    map_ready(page)
    assert time.monotonic() - started < 10
    assert _count(page, "incidents") >= 15 and _count(page, "sites") == 18
    assert _count(page, "routes") == 5
    header = page.get_by_role("banner")
    assert USERS[who][0].split("@")[0].replace("_", " ")[:4].lower() in header.inner_text().lower()
    assert page.get_by_text("TLP legend").is_visible()
    if who == "analyst":
        page.wait_for_function("() => window.sc.risk !== null")
        shoot(page, "map")
    assert page.js_errors == []


def test_filtering_by_actor_changes_the_map_and_the_list(open_as: Any) -> None:
    page = open_as("analyst")
    map_ready(page)
    everything = _visible_ids(page)
    page.get_by_label("Actor").fill("Baloch Liberation Army")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_function("() => document.querySelector('#map').dataset.loaded === 'true'")
    page.wait_for_function(
        "n => Number(document.querySelector('#map').dataset.incidents) < n", arg=len(everything)
    )
    bla = _visible_ids(page)
    assert bla and bla < everything
    page.wait_for_function(
        "n => Number(document.querySelector('#list .count').dataset.count) === n", arg=len(bla)
    )
    listed = {
        int(x)
        for x in page.eval_on_selector_all(
            "#list [data-incident-id]", "rows => rows.map(r => r.dataset.incidentId)"
        )
    }
    assert listed == bla
    assert "actor=Baloch" in page.url
    # a period picked in the timeline filters too
    page.wait_for_function("() => window.sc.chart !== undefined")
    page.evaluate("window.sc.selectPeriod(window.sc.chart.data.labels.indexOf('2022-04-01'))")
    page.wait_for_function("() => document.querySelector('#map').dataset.incidents === '1'")
    assert page.get_by_text("Period: 2022-04-01 to 2022-04-30").is_visible()


def test_clicking_an_incident_opens_its_record_with_sources(open_as: Any) -> None:
    page = open_as("viewer")
    map_ready(page)
    ku = next(i for i in _incidents() if i.location and "Confucius" in i.location)
    page.evaluate(f"window.sc.incidents[{ku.id}].fire('click')")
    panel = page.locator("#panel")
    panel.get_by_text("Sources").wait_for()
    assert "Confucius Institute" in panel.inner_text()
    assert panel.get_by_role("link", name="Edit").count() == 0


def test_an_analyst_ingests_the_seed_report_and_the_attack_appears_on_the_map(
    open_as: Any,
) -> None:
    page = open_as("analyst")
    page.goto("/ingest")
    page.get_by_label("Text").fill(SEED_REPORT.read_text(encoding="utf-8"))
    page.get_by_label("Published").fill("2022-09-12")
    page.get_by_label("TLP").select_option("GREEN")
    page.get_by_role("button", name="Ingest").click()
    page.locator(".new-candidate").first.wait_for(timeout=60_000)
    assert page.locator(".new-candidate").count() == 4
    shoot(page, "ingest")

    page.goto("/review")
    page.on("dialog", lambda d: d.accept("not an incident"))
    cards = page.locator(".candidate:not(.decided)")
    assert cards.count() == 4
    assert page.locator("mark").count() >= 4
    shoot(page, "review-queue")
    bomb = page.get_by_role("article", name=re.compile("suicide attack"))
    bomb.click(position={"x": 5, "y": 5})
    page.keyboard.press("a")
    page.locator(".candidate[data-decided]").first.wait_for()
    text = page.locator(".candidate.decided").first.inner_text()
    assert re.search(r"(accepted as new incident|merged into incident) #\d+", text), text
    incident_id = int(re.findall(r"#(\d+)", text)[-1])
    # the rest: j/k move, r rejects (the prompt is answered by the dialog handler)
    page.keyboard.press("j")
    page.keyboard.press("r")
    page.wait_for_function("() => document.querySelectorAll('.candidate.decided').length === 2")
    # the count is swapped in after the cards: wait for it rather than read it at once
    expect(page.locator("#pending-count")).to_have_text(re.compile(r"^\s*[12]\s*$"))

    page.goto("/")
    map_ready(page)
    assert incident_id in _visible_ids(page)
    with Session(_LIVE["engine"]) as s:
        inc = s.get(Incident, incident_id)
        assert inc is not None and "Karachi" in (inc.location or "") + (inc.admin2 or "")
    page.goto(f"/incidents/{incident_id}")
    assert page.get_by_text("History of changes").is_visible()
    assert page.locator(".evidence mark").count() >= 1
    shoot(page, "incident-detail")


def test_a_viewer_cannot_see_edit_buttons_or_reach_edit_urls(open_as: Any) -> None:
    page = open_as("viewer")
    page.goto("/incidents/13")
    assert page.locator("a.edit").count() == 0
    for path in ("/incidents/13/edit", "/sites/1/edit", "/routes/new", "/review", "/ingest"):
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        assert page.get_by_role("heading", name="Not allowed (403)").is_visible()
    assert page.locator("nav").get_by_role("link", name="Review").count() == 0


def test_a_third_organisation_sees_no_amber_incident_anywhere(open_as: Any) -> None:
    amber = [i for i in _incidents() if i.tlp in ("AMBER", "AMBER+STRICT")]
    assert amber
    page = open_as("researcher")
    map_ready(page)
    page.locator("#list .count").wait_for()
    ids = _visible_ids(page)
    html = page.content()
    for i in amber:
        assert i.id not in ids
        assert f'data-incident-id="{i.id}"' not in html
        if i.location:
            assert i.location not in html
    page.goto("/incidents")
    html = page.content()
    assert "TLP:AMBER</span>" not in html.replace("TLP:AMBER</span></dt>", "")
    for i in amber:
        assert f'/incidents/{i.id}"' not in html


def test_screenshots_of_the_incident_list_and_a_site(open_as: Any) -> None:
    page = open_as("analyst")
    page.goto("/incidents")
    page.locator("table.data").wait_for()
    shoot(page, "incidents")
    with Session(_LIVE["engine"]) as s:
        site = s.scalars(select(Site).where(Site.name == "Gwadar Port")).one()
    page.goto(f"/sites/{site.id}")
    page.wait_for_function("() => window.scTrend !== undefined")
    page.wait_for_timeout(300)
    shoot(page, "site-detail")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
