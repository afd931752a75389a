"""Server-side tests of the web pages and their HTMX partials (TestClient, demo world)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from safecorridor.incidents.models import Incident
from safecorridor.incidents.timeline import bucket
from safecorridor.registry.models import Site
from safecorridor.risk.service import monthly_days
from safecorridor.sources.models import Document
from safecorridor.web.evidence import highlight
from tests.conftest import SEED_REPORT
from tests.web.conftest import USERS, csrf_of

HX = {"HX-Request": "true"}


def _amber_of_ctd(engine: Engine) -> list[Incident]:
    with Session(engine) as s:
        return list(s.scalars(select(Incident).where(Incident.tlp.in_(["AMBER", "AMBER+STRICT"]))))


def test_pages_need_a_sign_in_and_the_index_stays_public(demo: Engine) -> None:
    from fastapi.testclient import TestClient

    from safecorridor.app import create_app

    client = TestClient(create_app())
    assert "Latest incidents" in client.get("/").text  # the public index
    for path in ("/incidents", "/review", "/sites/1", "/ingest", "/incidents/1/edit"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    r = client.get("/incidents", headers=HX)
    assert r.headers["HX-Redirect"].startswith("/login")
    assert client.get("/static/vendor/htmx/htmx.min.js").status_code == 200
    geo = client.get("/static/geo/pakistan.geojson")
    assert geo.status_code == 200 and len(geo.content) < 300_000
    names = {f["properties"]["name"] for f in geo.json()["features"]}
    assert {"Balochistan", "Sindh", "Punjab", "Khyber Pakhtunkhwa"} <= names


@pytest.mark.parametrize("who", list(USERS))
def test_every_role_signs_in_and_sees_its_name_organisation_and_the_tlp_legend(
    web: Any, who: str
) -> None:
    page = web(who).get("/").text
    assert 'id="map"' in page and "TLP legend" in page and "TLP:AMBER+STRICT" in page
    assert f'data-role="{"viewer" if who == "researcher" else who}"' in page
    assert ("/review" in page) == (who == "analyst")


def test_a_wrong_password_or_expired_form_is_refused_with_a_message(web: Any, demo: Engine) -> None:
    from fastapi.testclient import TestClient

    from safecorridor.app import create_app

    client = TestClient(create_app())
    token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(
        "/login", data={"csrf_token": token, "email": USERS["viewer"][0], "password": "nope-nope"}
    )
    assert r.status_code == 401 and "wrong" in r.text
    r = client.post("/login", data={"csrf_token": "forged", "email": "a@b.c", "password": "x"})
    assert r.status_code == 403 and "expired" in r.text


def test_the_incident_list_partial_filters_sorts_and_counts(web: Any) -> None:
    client = web("analyst")
    everything = client.get("/incidents", headers=HX)
    assert everything.status_code == 200 and "<html" not in everything.text
    bla = client.get("/incidents?actor=BLA", headers=HX).text
    total = int(everything.text.split('data-count="')[1].split('"')[0])
    n_bla = int(bla.split('data-count="')[1].split('"')[0])
    assert 0 < n_bla < total
    assert "Confucius Institute" in bla  # claimed by the BLA for its Majeed Brigade
    unknown = client.get("/incidents?actor=Nobody+Such", headers=HX).text
    assert "no actor is named" in unknown
    backwards = client.get("/incidents?since=2025-01-01&until=2020-01-01")
    assert backwards.status_code == 422 and "<html" in backwards.text
    assert "since 2025-01-01 is after until 2020-01-01" in backwards.text
    oldest = client.get("/incidents?sort=event_date", headers=HX).text
    assert oldest.index("2016-05-30") < oldest.index("2024-")
    sindh = client.get("/incidents?admin1=Sindh", headers=HX).text
    assert "Karachi" in sindh and "Gwadar" not in sindh
    full = client.get("/incidents?actor=BLA").text
    assert "<html" in full and 'value="BLA"' in full


def test_the_incident_detail_shows_sources_history_and_the_tlp_banner(web: Any) -> None:
    client = web("analyst")
    page = client.get("/incidents/13").text
    assert "tlp-banner" in page and "History of changes" in page and "dawn.com" in page
    assert "/incidents/13/edit" in page  # the JWG analyst owns it
    panel = client.get("/incidents/13/panel", headers=HX).text
    assert "<html" not in panel and "Sources" in panel


def test_a_viewer_sees_no_edit_button_and_gets_403_on_edit_urls(web: Any) -> None:
    client = web("viewer")
    page = client.get("/incidents/13").text
    assert "/incidents/13/edit" not in page
    assert client.get("/incidents/13/edit").status_code == 403
    csrf = csrf_of(client)
    r = client.post("/incidents/13/edit", data={"fatalities": "99"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 403
    for path in ("/review", "/ingest", "/sites/new", "/sites/1/edit", "/routes/new"):
        assert client.get(path).status_code == 403, path
    assert "/sites/new" not in client.get("/sites").text


def test_an_analyst_edits_an_incident_and_the_history_keeps_it(web: Any, demo: Engine) -> None:
    client = web("analyst")
    form = client.get("/incidents/13/edit")
    assert form.status_code == 200 and 'name="fatalities"' in form.text
    csrf = csrf_of(client)
    # without the CSRF header a session write is refused
    assert client.post("/incidents/13/edit", data={"injured": "5"}).status_code == 403
    r = client.post(
        "/incidents/13/edit",
        data={"injured": "5", "event_date": "2022-04-26", "tlp": "CLEAR"},
        headers={"X-CSRF-Token": csrf, **HX},
    )
    assert r.status_code == 204 and r.headers["HX-Redirect"] == "/incidents/13"
    page = client.get("/incidents/13").text
    assert "injured" in page and "4 → 5" in page
    bad = client.post(
        "/incidents/13/edit", data={"fatalities": "-3"}, headers={"X-CSRF-Token": csrf, **HX}
    )
    assert bad.status_code == 422 and "not saved" in bad.text.lower()
    # a field over the form's limit is refused with its name, never cut short and saved
    long = client.post(
        "/incidents/13/edit",
        data={"notes": "x" * 200_000, "injured": "7"},
        headers={"X-CSRF-Token": csrf, **HX},
    )
    assert long.status_code == 422 and "notes: 200000 characters, more than any field" in long.text
    with demo.connect() as conn:
        notes, injured = conn.execute(
            text("SELECT notes, injured FROM incidents WHERE id = 13")
        ).one()
    assert injured == 5 and len(notes or "") < 20_000


def test_a_third_organisation_sees_no_amber_incident_in_list_map_or_timeline(
    web: Any, demo: Engine
) -> None:
    amber = _amber_of_ctd(demo)
    assert amber, "the demo world has AMBER incidents"
    client = web("researcher")
    listing = client.get("/incidents?sort=event_date", headers=HX).text
    timeline = client.get("/timeline.json").json()
    shown = int(listing.split('data-count="')[1].split('"')[0])
    assert sum(sum(v) for v in timeline["types"].values()) == shown
    for i in amber:
        assert f'data-incident-id="{i.id}"' not in listing
        assert client.get(f"/incidents/{i.id}").status_code == 404
        assert client.get(f"/incidents/{i.id}/panel", headers=HX).status_code == 404
    # the owner's partner (JWG) reads the AMBER ones
    jwg = web("analyst").get("/incidents?sort=event_date", headers=HX).text
    assert any(f'data-incident-id="{i.id}"' in jwg for i in amber if i.tlp == "AMBER")


def test_the_timeline_buckets_by_month_and_week() -> None:
    rows = [
        (date(2022, 4, 26), "Battles", 4, 3),
        (date(2022, 4, 2), "Battles", 1, 0),
        (date(2022, 6, 1), "Riots", None, None),
    ]
    month = bucket(rows, "month")
    assert month["periods"] == ["2022-04-01", "2022-05-01", "2022-06-01"]
    assert month["types"] == {"Battles": [2, 0, 0], "Riots": [0, 0, 1]}
    assert month["fatalities"] == [5, 0, 0] and month["foreign_fatalities"] == [3, 0, 0]
    assert month["ends"][0] == "2022-04-30"
    week = bucket(rows, "week")
    assert week["periods"][0] == "2022-03-28" and week["ends"][0] == "2022-04-03"
    assert bucket([], "month")["periods"] == []


def test_evidence_spans_cut_the_text_for_highlighting() -> None:
    text = "Gunmen killed two people in Turbat."
    pieces = highlight(text, [(28, 34, "location"), (14, 17, "fatalities"), (0, 100, "bad")])
    assert "".join(p for p, _ in pieces) == text
    assert ("Turbat", "location") in pieces and ("two", "fatalities") in pieces


@pytest.mark.parametrize(
    ("today", "points", "first"),
    [
        (date(2024, 3, 15), 25, date(2022, 4, 1)),  # 24 month starts, then today
        (date(2024, 3, 1), 24, date(2022, 4, 1)),  # today is a month start: not twice
        (date(2024, 2, 29), 25, date(2022, 3, 1)),
        (date(2023, 12, 31), 25, date(2022, 1, 1)),
        (date(2024, 1, 1), 24, date(2022, 2, 1)),
    ],
)
def test_monthly_days_cover_the_last_24_months(today: date, points: int, first: date) -> None:
    days = monthly_days(today)
    assert len(days) == points and days[0] == first and days[-1] == today
    assert len({(d.year, d.month) for d in days}) == 24
    assert days == sorted(set(days))


@pytest.mark.calendar
def test_site_detail_shows_risk_explanation_and_a_trend(web: Any, demo: Engine) -> None:
    with Session(demo) as s:
        site = s.scalars(select(Site).where(Site.name == "Gwadar Port")).one()
    client = web("viewer")
    page = client.get(f"/sites/{site.id}").text
    assert "Top contributing incidents" in page and "trend-data" in page
    # the breakdown multiplies out to the score shown, corridor layer included
    line = page.split("score = (threat ")[1].split("</p>")[0]
    nums = [float(x) for x in re.findall(r"\d+\.\d+", line)]
    threat, layer, vul, exposure = nums[:4]
    shown = float(page.split("score ")[1].split(" ")[0])
    assert abs((threat + layer) * vul * exposure - shown) <= 0.01 + 0.005 * shown
    trend = json.loads(page.split('id="trend-data">')[1].split("</script>")[0])
    today = date.today()  # the clock the app reads (frozen by the calendar marker)
    assert [p["as_of"] for p in trend] == [d.isoformat() for d in monthly_days(today)]
    assert trend[-1]["as_of"] == today.isoformat()
    panel = client.get(f"/sites/{site.id}/panel", headers=HX).text
    assert "<html" not in panel and "Risk now" in panel
    route = client.get("/routes/1").text
    assert "Riskiest segments" in route
    # each segment's level is shown with the chance it stands for, as the headline gives it
    segments = route.split("Riskiest segments")[1].split("</ol>")[0]
    assert re.findall(r'class="risk risk-\w+">[^<]+</span> (?:<1%|>99%|\d+%) chance', segments)
    risk = client.get("/map/risk.json").json()
    assert str(site.id) in risk["sites"] and risk["sites"][str(site.id)]["level"]


def test_the_pages_read_the_clock_they_are_given(demo: Engine) -> None:
    """A replay: the app's injected clock, not the machine's, decides today."""
    from fastapi.testclient import TestClient

    from safecorridor.app import create_app
    from safecorridor.clock import FixedClock
    from tests.web.conftest import sign_in

    client = sign_in(TestClient(create_app(clock=FixedClock(datetime(2023, 3, 1, 8, 0)))), "viewer")
    with Session(demo) as s:
        site = s.scalars(select(Site).where(Site.name == "Gwadar Port")).one()
    page = client.get(f"/sites/{site.id}").text
    trend = json.loads(page.split('id="trend-data">')[1].split("</script>")[0])
    assert trend[-1]["as_of"] == "2023-03-01" and trend[0]["as_of"] == "2021-04-01"
    assert len(trend) == 24
    risk = client.get(f"/api/v1/sites/{site.id}/risk").json()
    assert risk["as_of"] == "2023-03-01"


def test_a_site_manager_registers_a_site_and_draws_a_route(web: Any) -> None:
    client = web("site_manager")
    csrf = {"X-CSRF-Token": csrf_of(client), **HX}
    assert client.get("/sites/new").status_code == 200
    r = client.post(
        "/sites/new",
        data={"name": "Test camp", "site_type": "camp", "latitude": "35.1", "longitude": "73.2"},
        headers=csrf,
    )
    assert r.status_code == 204, r.text
    assert client.get(r.headers["HX-Redirect"]).status_code == 200
    r = client.post(
        "/routes/new",
        data={"name": "Test road", "points": "35.1,73.2; 35.3,73.4; 35.5,73.5"},
        headers=csrf,
    )
    assert r.status_code == 204, r.text
    page = client.get(r.headers["HX-Redirect"]).text
    assert "Test road" in page and "3 points" in page
    bad = client.post("/routes/new", data={"name": "Bad", "points": "oops"}, headers=csrf)
    assert bad.status_code == 422 and "points" in bad.text
    # another organisation's site cannot be edited
    assert client.get("/sites/1/edit").status_code in (403, 404)


@pytest.mark.slow
def test_an_analyst_ingests_the_seed_report_and_accepts_its_candidates(web: Any) -> None:
    client = web("analyst")
    csrf = {"X-CSRF-Token": csrf_of(client), **HX}
    r = client.post(
        "/ingest",
        data={"text": SEED_REPORT.read_text(encoding="utf-8"), "published": "2022-09-12"},
        headers=csrf,
    )
    assert r.status_code == 200 and "candidates: 4" in r.text
    assert r.headers["HX-Trigger"] == "review-decided"
    queue = client.get("/review").text
    assert queue.count('class="candidate"') == 4 and "<mark" in queue
    assert 'data-count="4"' in client.get("/review/count").text
    ids = [int(x.split('"')[0]) for x in queue.split('data-candidate-id="')[1:]]
    accepted = client.post(f"/review/{ids[0]}/accept", headers=csrf)
    assert accepted.status_code == 200 and 'data-decided="' in accepted.text
    rejected = client.post(
        f"/review/{ids[1]}/reject", data={"reason": "not an event"}, headers=csrf
    )
    assert 'data-decided="rejected"' in rejected.text
    # the header's count comes with each decided card (out of band), never after it
    assert 'id="pending-count"' in rejected.text and 'hx-swap-oob="true"' in rejected.text
    assert 'data-count="2"' in rejected.text
    again = client.post(f"/review/{ids[1]}/accept", headers=csrf)
    assert "already rejected" in again.text


def test_a_candidate_dated_without_a_year_shows_its_day_and_month(web: Any) -> None:
    client = web("analyst")
    csrf = {"X-CSRF-Token": csrf_of(client), **HX}
    timeline = (
        "A week of incidents in Balochistan\n\n"
        "October 27: Militants attacked a Frontier Corps check post in Turbat, killing two "
        "soldiers.\n\n"
        "October 29: A roadside bomb wounded three policemen in Quetta."
    )
    r = client.post("/ingest", data={"text": timeline}, headers=csrf)
    assert r.status_code == 200 and "candidates: 2" in r.text
    queue = client.get("/review").text
    assert "--10-27 (day) no year given" in queue and "--10-29 (day) no year given" in queue
    # each card says who was hurt as well as who was killed, without opening the edit fields
    assert "<dt>Injured</dt><dd>3</dd>" in queue and "<dt>Injured</dt><dd>?</dd>" in queue


def _ingest_turbat(client: Any, csrf: dict[str, str]) -> int:
    """Ingest a one-event report through the page; the id of the candidate it made."""
    from safecorridor.db.session import session_scope
    from safecorridor.review.models import Candidate

    text = "Gunmen killed two police officers in Turbat, Kech district, on 3 May 2024."
    r = client.post("/ingest", data={"text": text, "published": "2024-05-04"}, headers=csrf)
    assert r.status_code == 200, r.text
    with session_scope() as s:
        cid = s.scalar(select(Candidate.id).order_by(Candidate.id.desc()))
    assert cid is not None
    return int(cid)


def test_a_candidate_of_another_organisation_cannot_be_decided(web: Any) -> None:
    from sqlalchemy import select, update

    from safecorridor.accounts.models import Organisation
    from safecorridor.db.session import session_scope
    from safecorridor.review.models import Candidate

    client = web("analyst")
    csrf = {"X-CSRF-Token": csrf_of(client), **HX}
    cid = _ingest_turbat(client, csrf)
    with session_scope() as s:
        other = s.scalar(select(Organisation.id).where(Organisation.name == "Sindh Police CTD"))
        s.execute(
            update(Candidate).where(Candidate.id == cid).values(owner_org_id=other, tlp="GREEN")
        )
    refused = client.post(f"/review/{cid}/accept", headers=csrf)
    assert refused.status_code == 403
    assert "belongs to another organisation" in refused.text
    with session_scope() as s:
        assert s.scalar(select(Candidate.status).where(Candidate.id == cid)) == "pending"


def test_an_incidents_sources_and_codes_read_as_sentences(web: Any, demo: Engine) -> None:
    """No dangling separators; Admiralty codes with their meaning; targets comma-spaced."""
    page = web("analyst").get("/incidents/13").text
    assert not re.search(r'class="meta">\s*·', page)  # a source with no publisher
    assert re.search(r"reliability [A-F] \((?:[a-z ]+)\)", page)
    credibility = page.split("Credibility</dt><dd>")[1].split("</dd>")[0]
    assert re.fullmatch(r"[1-6] \([a-z ]+\)", credibility.strip()), credibility
    target = page.split("Target</dt><dd>")[1].split("</dd>")[0]
    assert not re.search(r",\S", target), target


def test_a_report_dated_by_its_own_text_says_so_on_the_review_page(web: Any) -> None:
    client = web("analyst")
    csrf = {"X-CSRF-Token": csrf_of(client), **HX}
    text = (
        "Gunmen attacked a Levies check post near Panjgur on Monday night, killing two"
        " personnel.\n\nPublished in The Frontier Post, May 7th, 2024\n"
    )
    r = client.post("/ingest", data={"text": text}, headers=csrf)
    assert r.status_code == 200, r.text
    page = client.get("/review").text
    assert "published 2024-05-07, as the report gives it" in page


def _analyst_on(day: datetime) -> Any:
    """The analyst's client of an app whose clock stands at ``day``."""
    from fastapi.testclient import TestClient

    from safecorridor.app import create_app
    from safecorridor.clock import FixedClock
    from tests.web.conftest import sign_in

    return sign_in(TestClient(create_app(clock=FixedClock(day))), "analyst")


def test_the_ingest_form_refuses_a_publication_day_after_today_or_before_1900(
    demo: Engine,
) -> None:
    """As the CLI and the API refuse it (it was taken: a report dated 2099)."""
    client = _analyst_on(datetime(2024, 6, 1, 9, 0))
    csrf = {"X-CSRF-Token": csrf_of(client), **HX}
    text = "Gunmen killed two policemen in Turbat on Monday."
    for day, said in (
        ("2024-06-02", "field published: 2024-06-02 is after today (2024-06-01): not a day yet"),
        ("0001-01-01", "field published: 0001-01-01 is before 1900"),
    ):
        r = client.post("/ingest", data={"text": text, "published": day}, headers=csrf)
        assert r.status_code == 422 and said in r.text, r.text
        assert 'role="alert"' in r.text and "candidates:" not in r.text
    r = client.post("/ingest", data={"text": text, "published": "2024-06-01"}, headers=csrf)
    assert r.status_code == 200 and "candidates: 1" in r.text, r.text


def test_the_ingest_form_leaves_the_publication_day_to_the_report(demo: Engine) -> None:
    """Filled with today, the field dated every pasted report today (a 2024 article's
    'Thursday' counted back from now): it is empty, and says what empty means."""
    form = _analyst_on(datetime(2024, 6, 1, 9, 0)).get("/ingest").text
    field = re.search(r'<input id="published"[^>]*>', form)
    assert field is not None and "value=" not in field.group(0), form
    assert 'max="2024-06-01"' in field.group(0)
    assert "Published (optional)" in form and "Leave it empty to use the date the report" in form


def test_a_candidate_dated_in_the_year_1_does_not_break_the_review_queue(web: Any) -> None:
    """Stored before such a publication date was refused, it made /review a 500 for all."""
    from sqlalchemy import update

    from safecorridor.db.session import session_scope
    from safecorridor.review.models import Candidate

    client = web("analyst")
    csrf = {"X-CSRF-Token": csrf_of(client), **HX}
    cid = _ingest_turbat(client, csrf)
    with session_scope() as s:
        s.execute(update(Candidate).where(Candidate.id == cid).values(event_date=date(1, 5, 3)))
    r = client.get("/review")
    assert r.status_code == 200 and f'data-candidate-id="{cid}"' in r.text


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_an_unknown_address_is_a_page_for_a_browser_and_a_problem_for_a_client(
    web: Any,
) -> None:
    from fastapi.testclient import TestClient

    from safecorridor.app import create_app

    anonymous = TestClient(create_app())
    analyst = web("analyst")
    for client in (anonymous, analyst):
        r = client.get("/nope", headers=BROWSER)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert "There is no page at this address" in r.text and "no such endpoint" not in r.text
    assert "who-name" in analyst.get("/nope", headers=BROWSER).text  # the reader's header
    assert "who-name" not in anonymous.get("/nope", headers=BROWSER).text
    chinese = anonymous.get("/nope", headers={**BROWSER, "Accept-Language": "zh-CN"})
    assert chinese.status_code == 404 and "There is no page" not in chinese.text
    # an API path, or a client that does not ask for HTML (curl's */*), keeps the problem
    for path, headers in (("/api/v1/nope", BROWSER), ("/nope", {"Accept": "*/*"})):
        r = anonymous.get(path, headers=headers)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith("application/problem+json"), path
        assert "no such endpoint" in r.json()["detail"]


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("99999999999999999999", "edits: fatalities is too large: at most 2,147,483,647"),
        ("-1", "edits: fatalities must be a whole number of 0 or more"),
    ],
)
def test_a_count_out_of_range_in_the_review_form_says_which_bound(
    web: Any, value: str, said: str
) -> None:
    """A count too large was told it 'must be a whole number of 0 or more'."""
    from safecorridor.db.session import session_scope
    from safecorridor.review.models import Candidate

    client = web("analyst")
    csrf = {"X-CSRF-Token": csrf_of(client), **HX}
    text = "Gunmen killed two police officers in Turbat, Kech district, on 3 May 2024."
    r = client.post("/ingest", data={"text": text, "published": "2024-05-04"}, headers=csrf)
    assert r.status_code == 200, r.text
    with session_scope() as s:
        cid = s.scalar(select(Candidate.id).order_by(Candidate.id.desc()))
    r = client.post(f"/review/{cid}/accept", data={"fatalities": value}, headers=csrf)
    assert r.status_code == 422 and said in r.text, r.text
    # the reviewer's edit stays in the open edit fields, to be corrected rather than retyped
    fields = re.search(r'<fieldset class="edit-fields"( hidden)?>', r.text)
    assert fields is not None and fields.group(1) is None
    assert f'name="fatalities" value="{value}"' in r.text
    with session_scope() as s:
        assert s.get_one(Candidate, cid).status == "pending"


def test_the_ingest_form_reads_no_file_of_the_server_through_its_url_field(
    web: Any, demo: Engine, tmp_path: Path
) -> None:
    """The URL field took a server path: ``ingest`` reads files and folders, and the page
    passed the field on unchecked, so an analyst could store any file the server may read
    (the API's schema refused it). Now both refuse anything but an http(s) URL, and a pasted
    text's URL is checked alike; nothing is stored."""
    secret = tmp_path / "secret.txt"
    secret.write_text("Gunmen killed two policemen in Turbat on Monday.", encoding="utf-8")
    client = web("analyst")
    csrf = {"X-CSRF-Token": csrf_of(client), **HX}
    with Session(demo) as s:
        before = s.scalar(select(func.count(Document.id)))
    for data in (
        {"url": str(secret)},
        {"url": str(tmp_path)},
        {"url": f"file://{secret}"},
        {"text": "A blast in Quetta.", "url": "javascript:alert(1)"},
        {"text": "A blast in Quetta.", "url": "notaurl"},
    ):
        r = client.post("/ingest", data=data, headers=csrf)
        assert r.status_code == 422 and "is not an http(s) URL" in r.text, r.text
        assert "candidates:" not in r.text
    api = client.post("/api/v1/documents", json={"url": str(secret)}, headers=csrf)
    assert api.status_code == 422
    with Session(demo) as s:
        assert s.scalar(select(func.count(Document.id))) == before
