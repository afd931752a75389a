"""The JWG's pages in a real browser (Debian's headless Chromium through Playwright, against
uvicorn serving the demo world): the meeting page, the action board, the register of
measures, risk with planned measures and the switch to Simplified Chinese; and server-side,
that every page answers in both languages and refuses what a role may not do."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor.jwg.models import Meeting
from tests.web.conftest import _LIVE, csrf_of, shoot

HX = {"HX-Request": "true"}


def _meeting_id(number: int) -> int:
    with Session(_LIVE["engine"]) as s:
        return int(s.scalars(select(Meeting.id).where(Meeting.number == number)).one())


@pytest.mark.browser
def test_the_meeting_page_shows_decisions_items_and_what_carried_over(open_as: Any) -> None:
    page = open_as("analyst")
    page.goto("/meetings")
    page.get_by_role("link", name="the 9th meeting").click()
    page.wait_for_url(re.compile(r"/meetings/\d+$"))
    assert page.get_by_role("heading", name="The 9th meeting").is_visible()
    assert "Chinese Embassy Security Office" in page.locator("#delegations").inner_text()
    decisions = page.locator(".decision")
    assert decisions.count() == 2
    assert "Strengthen the security of CPEC projects" in decisions.nth(0).inner_text()
    assert page.locator(".decision .action").count() == 4
    shoot(page, "jwg-meeting")
    page.goto(f"/meetings/{_meeting_id(10)}")
    carried = page.locator("#carried-over .action")
    assert carried.count() >= 1
    assert "open since the 9th meeting" in carried.first.inner_text()
    assert page.js_errors == []


@pytest.mark.browser
def test_the_action_board_of_an_organisation_and_a_status_change(open_as: Any) -> None:
    page = open_as("escort_officer")  # the SSD: it owns two items of the 9th meeting
    page.goto("/actions")
    overdue = page.locator("#col-overdue .action")
    done = page.locator("#col-done .action")
    assert overdue.count() == 1 and done.count() == 1
    title = overdue.first.locator("h3").inner_text()
    assert "Dasu" in title
    shoot(page, "jwg-action-board")
    page.locator("#col-overdue").get_by_role("button", name="Mark in progress").click()
    page.wait_for_selector("#col-in_progress .action")
    assert title in page.locator("#col-in_progress").inner_text()
    assert page.locator("#col-overdue .action").count() == 0
    # the item's page keeps the history of the change
    page.locator("#col-in_progress .action h3 a").first.click()
    page.wait_for_url(re.compile(r"/actions/\d+$"))
    assert "overdue → in progress" in page.locator(".history").inner_text()
    assert page.js_errors == []


@pytest.mark.browser
def test_the_measures_register_and_a_measure_put_in_place(open_as: Any) -> None:
    page = open_as("site_manager")  # CTGSA: it owns the Karot site
    page.goto("/measures")
    assert page.locator(".register").count() >= 10
    dasu = page.locator(".register", has_text="Dasu Hydropower Project").first
    assert "guard force hardened" in dasu.locator(".posture").inner_text()
    shoot(page, "jwg-measures")
    page.select_option("#subject", label="Karot Hydropower Project")
    page.select_option("#kind", value="perimeter")
    page.select_option("#grade", value="hardened")
    page.select_option("#state", value="in_place")
    page.fill("#description", "A wall around the camp, put in place in the browser test.")
    page.get_by_role("button", name="Record", exact=True).click()
    page.get_by_text("A wall around the camp").wait_for()  # the register, reloaded
    karot = page.locator(".register", has_text="Karot Hydropower Project").first
    assert "perimeter hardened" in karot.locator(".posture").inner_text()
    assert "A wall around the camp" in karot.inner_text()
    assert page.js_errors == []


@pytest.mark.browser
def test_risk_with_the_planned_measures(open_as: Any) -> None:
    page = open_as("analyst")
    page.goto("/measures/planned")
    rows = page.locator("#planned-sites tbody tr")
    assert rows.count() >= 2
    scores = []  # (score now, score with the planned measures) of every site
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        scores.append((float(cells.nth(3).inner_text()), float(cells.nth(4).inner_text())))
    # planned measures never raise a site's risk, and lower it where there is a threat
    assert all(later <= now for now, later in scores)
    assert any(later < now for now, later in scores if now > 0)
    first = page.locator("#ranked li").first.inner_text()
    assert "removes" in first
    shoot(page, "jwg-planned-measures")
    assert page.js_errors == []


@pytest.mark.browser
def test_the_language_switch_turns_the_pages_chinese(open_as: Any) -> None:
    page = open_as("viewer")
    page.goto("/meetings")
    assert page.get_by_role("heading", name="Meetings of the Joint Working Group").is_visible()
    page.select_option("[data-testid=language]", value="zh_Hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    assert page.get_by_role("heading", name="联合工作组会议").is_visible()
    assert page.get_by_role("link", name="第9次会议").is_visible()
    nav = page.get_by_role("navigation").first.inner_text()
    assert "会议" in nav and "防护措施" in nav
    page.goto(f"/meetings/{_meeting_id(9)}")
    assert "2022年9月7日" in page.locator(".lead").inner_text()
    shoot(page, "jwg-meeting-zh")
    # the choice is kept on the account: a new page is still in Chinese
    page.goto("/actions")
    assert page.get_by_role("heading", name="行动项看板").is_visible()
    page.select_option("[data-testid=language]", value="en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.get_by_role("heading", name="Action board").is_visible()
    assert page.js_errors == []


# --- server-side ------------------------------------------------------------------------------


def test_every_jwg_page_answers_in_both_languages(web: Any) -> None:
    client: TestClient = web("analyst")
    for path in (
        "/meetings",
        "/meetings/1",
        "/actions",
        "/actions?scope=all",
        "/measures",
        "/measures/planned",
        "/briefing",
    ):
        english = client.get(path)
        assert english.status_code == 200, path
        chinese = client.get(path, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        assert chinese.status_code == 200 and 'lang="zh-Hans"' in chinese.text, path
        assert re.search(r"[\u4e00-\u9fff]{2,}", chinese.text), path


def test_a_visitor_chooses_a_language_before_signing_in(demo: Any) -> None:
    from safecorridor.app import create_app

    client = TestClient(create_app())
    r = client.post("/language", data={"language": "zh_Hans", "next": "/login"})
    assert r.status_code == 204 and r.headers["HX-Refresh"] == "true"
    assert client.cookies.get("sc_lang") == "zh_Hans"
    assert 'lang="zh-Hans"' in client.get("/login").text
    assert client.post("/language", data={"language": "klingon"}).status_code == 422


def test_roles_are_refused_what_they_may_not_do(web: Any) -> None:
    viewer: TestClient = web("viewer")
    assert viewer.get("/meetings/new").status_code == 403
    r = viewer.post(
        "/measures/new",
        data={"subject": "site:1", "kind": "cctv"},
        headers={**HX, "X-CSRF-Token": csrf_of(viewer)},
    )
    assert r.status_code == 403 and "cannot change measures" in r.text
    analyst: TestClient = web("analyst")
    r = analyst.post(
        "/briefing",
        data={"period_from": "2022-09-01", "period_to": "2022-01-01"},
        headers={**HX, "X-CSRF-Token": csrf_of(analyst)},
    )
    assert r.status_code == 422 and "before period_from" in r.text


def test_an_analyst_records_a_meeting_and_adds_an_action_item(web: Any) -> None:
    analyst: TestClient = web("analyst")
    token = csrf_of(analyst)
    r = analyst.post(
        "/meetings/new",
        data={
            "number": "11",
            "held_on": "2030-03-01",
            "venue": "Beijing",
            "tlp": "GREEN",
            "org_1": "on",
            "agenda": "Review\nMeasures",
            "decisions": "Keep the liaison cell",
        },
        headers={**HX, "X-CSRF-Token": token},
    )
    assert r.status_code == 204, r.text
    url = r.headers["HX-Redirect"]
    page = analyst.get(url)
    assert "Keep the liaison cell" in page.text and "Measures" in page.text
    decision = re.search(r'id="decision-(\d+)"', page.text)
    assert decision is not None
    r = analyst.post(
        f"{url}/decisions/{decision.group(1)}/actions",
        data={"title": "Staff the cell", "owner": "2", "due_on": "2030-06-30", "tlp": "GREEN"},
        headers={**HX, "X-CSRF-Token": token},
    )
    assert r.status_code == 204, r.text
    assert "Staff the cell" in analyst.get(url).text
    # the address names the meeting too: a decision of another meeting is not found there
    other = url.rsplit("/", 1)[0] + f"/{int(url.rsplit('/', 1)[1]) + 1000}"
    r = analyst.post(
        f"{other}/decisions/{decision.group(1)}/actions",
        data={"title": "Misfiled item", "owner": "2", "due_on": "2030-06-30", "tlp": "GREEN"},
        headers={**HX, "X-CSRF-Token": token},
    )
    assert r.status_code == 404 and "in meeting" in r.text
    assert "Misfiled item" not in analyst.get(url).text
    r = analyst.post(
        "/meetings/new",
        data={"number": "11", "held_on": "2030-03-01"},
        headers={**HX, "X-CSRF-Token": token},
    )
    assert r.status_code == 409 and "recorded already" in r.text
    # a refused form keeps the delegations and the languages of their briefings
    languages = re.findall(r'<option value="([^"]+)"', analyst.get("/meetings/new").text)
    other = next(code for code in dict.fromkeys(languages) if code != languages[0])
    r = analyst.post(
        "/meetings/new",
        data={"number": "11", "held_on": "2030-03-01", "org_1": "on", "lang_1": other},
        headers={**HX, "X-CSRF-Token": token},
    )
    assert r.status_code == 409
    chosen = re.search(r'<select name="lang_1"[^>]*>(.*?)</select>', r.text, re.S)
    assert chosen is not None
    assert re.search(rf'<option value="{other}" selected>', chosen.group(1)), chosen.group(1)


def test_a_meeting_form_with_too_many_or_too_long_lines_is_refused_not_cut(web: Any) -> None:
    """51 decisions, or an agenda item of 301 characters: the form says which field, and no
    meeting is recorded with some of them silently dropped or cut."""
    analyst: TestClient = web("analyst")
    token = csrf_of(analyst)
    for field, text, words in (
        ("decisions", "\n".join(f"Decision {i}" for i in range(51)), "decisions"),
        ("agenda", "x" * 301, "agenda"),
    ):
        r = analyst.post(
            "/meetings/new",
            data={"number": "12", "held_on": "2030-03-02", "tlp": "GREEN", field: text},
            headers={**HX, "X-CSRF-Token": token},
        )
        assert r.status_code == 422 and words in r.text, (field, r.status_code)
    # nothing was recorded: the same number is still free
    r = analyst.post(
        "/meetings/new",
        data={"number": "12", "held_on": "2030-03-02", "tlp": "GREEN", "decisions": "One"},
        headers={**HX, "X-CSRF-Token": token},
    )
    assert r.status_code == 204, r.text


def test_an_id_field_that_is_no_id_is_named_not_a_500(web: Any) -> None:
    """A superscript digit ("²" passes str.isdigit, int() refuses it) or an id far past any
    record's, in a form's id field, is refused naming the field."""
    manager: TestClient = web("site_manager")
    analyst: TestClient = web("analyst")
    for client, path, data, field in (
        (manager, "/measures/new", {"subject": "site:\u00b2", "kind": "cctv"}, "subject"),
        (manager, "/measures/new", {"subject": "site:" + "9" * 30, "kind": "cctv"}, "subject"),
        (
            analyst,
            "/briefing",
            {"meeting_id": "\u00b3", "period_from": "2024-01-01", "period_to": "2024-02-01"},
            "meeting_id",
        ),
        (
            analyst,
            "/actions/1",
            {"status": "done", "evidence_measure_id": "\u00b2"},
            "evidence_measure_id",
        ),
    ):
        r = client.post(path, data=data, headers={**HX, "X-CSRF-Token": csrf_of(client)})
        assert r.status_code == 422 and field in r.text, (path, r.status_code, r.text[:300])


def test_a_planned_measure_past_its_date_is_flagged(web: Any, demo: Any) -> None:
    """The register says when a measure planned for a day now past is still not in place."""
    from datetime import date

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from safecorridor.registry.measures import PLANNED_STATES, ProtectiveMeasure

    with Session(demo) as s:
        late = s.scalars(
            select(ProtectiveMeasure.id).where(
                ProtectiveMeasure.state.in_(PLANNED_STATES),
                ProtectiveMeasure.planned_for < date.today(),  # the app's clock (see conftest)
            )
        ).all()
    page = web("analyst").get("/measures").text
    assert late, "the demo register has measures planned for past days"
    shown = [mid for mid in late if f'data-measure-id="{mid}"' in page]  # those it may read
    assert shown
    for mid in shown:
        row = page.split(f'data-measure-id="{mid}"')[1].split("</tr>")[0]
        assert "date passed" in row


def test_an_organisation_without_items_opens_the_board_on_all_it_may_read(web: Any) -> None:
    """The JWG analyst's organisation owns no action item: the board shows all it may read,
    and says so; asked for its own, it shows none."""
    client: TestClient = web("analyst")
    board = client.get("/actions").text
    assert "owns no action items" in board and 'class="action' in board
    own = client.get("/actions?scope=mine").text
    assert "owns no action items" not in own and 'class="action' not in own
    escort = web("escort_officer").get("/actions").text  # the SSD owns some: its own
    assert "owns no action items" not in escort and 'class="action' in escort
