"""An ended session meets a button: the sign-in brings the person back to the page they were
on, never to the button's POST-only address; and a browser asking an address with a method it
does not take (or meeting another HTTP error in a page) gets an HTML page, not problem+json.

A probe signed out, clicked "approve" (HTMX, with the CSRF header) and was sent to
``/login?next=/movements/2/approve``; after signing in, the browser opened that address and
got the API's JSON 405 pointing to ``/api/v1/openapi.json``. ``GET /logout`` did the same.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from safecorridor.app import create_app
from safecorridor.clock import FixedClock
from safecorridor.movements.models import Movement
from safecorridor.settings import get_settings
from safecorridor.web.errors import PageRoute
from tests.web.conftest import USERS, csrf_of, sign_in

HX = {"HX-Request": "true"}
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
BASE = "http://testserver"
#: the buttons of the probe: an HTMX POST each, to an address no browser may open
BUTTONS = ("/movements/2/approve", "/review/3/accept", "/alerts/4/ack", "/measures/5/state")


def _signed_out(client: TestClient) -> str:
    """Sign out (keeping the cookie, as a second tab would) and return the old CSRF token."""
    csrf = csrf_of(client)
    kept = client.cookies.get("sc_session")
    r = client.post("/logout", follow_redirects=False)
    assert r.status_code == 303
    assert kept is not None
    client.cookies.set("sc_session", kept)  # the browser's other tab still sends it
    return csrf


def _next_of(url: str) -> str:
    parts = urlsplit(url)
    assert parts.path == "/login", url
    return parse_qs(parts.query)["next"][0]


@pytest.mark.parametrize("button", BUTTONS)
def test_a_button_after_sign_out_returns_to_the_page_it_was_on(web: Any, button: str) -> None:
    client = web("escort_officer")
    csrf = _signed_out(client)
    page = "/movements/2?tab=history"
    r = client.post(
        button,
        headers={**HX, "X-CSRF-Token": csrf, "HX-Current-URL": BASE + page},
        follow_redirects=False,
    )
    assert r.status_code == 204, r.text
    assert _next_of(r.headers["HX-Redirect"]) == page
    # without HTMX's header, the Referer says where the button was
    r = client.post(
        button,
        headers={"X-CSRF-Token": csrf, "Referer": BASE + "/alerts"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and _next_of(r.headers["location"]) == "/alerts"


@pytest.mark.parametrize(
    "came_from",
    [
        None,  # nothing says where the button was
        "http://elsewhere.example/movements/2",  # another site
        "https://testserver.evil.example/movements/2",
        BASE + "/movements/2/approve",  # a button's address is no page
        BASE + "/api/v1/movements/2",  # the JSON API is no page
        BASE + "/logout",
        BASE + "/login?next=/movements/2",
        BASE + "/no/such/page",
        "javascript:alert(1)",
        "/\\elsewhere.example/",
    ],
)
def test_a_button_that_came_from_no_page_of_this_site_returns_to_the_map(
    web: Any, came_from: str | None
) -> None:
    client = web("analyst")
    csrf = _signed_out(client)
    headers = {**HX, "X-CSRF-Token": csrf}
    if came_from is not None:
        headers["HX-Current-URL"] = came_from
        headers["Referer"] = came_from
    r = client.post("/review/3/accept", headers=headers, follow_redirects=False)
    assert r.status_code == 204
    assert _next_of(r.headers["HX-Redirect"]) == "/"


def test_an_expired_session_signs_in_again_and_lands_on_the_movement(demo: Engine) -> None:
    """The whole walk of the probe, with the session expired by the app's clock: the button
    sends to the sign-in, the sign-in to the movement's page, which answers 200."""
    with Session(demo) as s:
        movement = s.scalars(select(Movement.id).order_by(Movement.id)).first()
    assert movement is not None
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    client = sign_in(TestClient(create_app(clock=clock)), "escort_officer")
    csrf = csrf_of(client)
    clock.advance(timedelta(hours=get_settings().session_hours, minutes=1))
    r = client.post(
        f"/movements/{movement}/approve",
        headers={**HX, "X-CSRF-Token": csrf, "HX-Current-URL": f"{BASE}/movements/{movement}"},
        follow_redirects=False,
    )
    assert r.status_code == 204
    login = client.get(r.headers["HX-Redirect"], headers=HTML)
    assert login.status_code == 200
    assert f'name="next" value="/movements/{movement}"' in login.text
    token = login.text.split('name="csrf_token" value="')[1].split('"')[0]
    email, password = USERS["escort_officer"]
    r = client.post(
        "/login",
        data={
            "csrf_token": token,
            "email": email,
            "password": password,
            "next": f"/movements/{movement}",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/movements/{movement}"
    landed = client.get(r.headers["location"], headers=HTML)
    assert landed.status_code == 200
    assert landed.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "next_url",
    [
        "/movements/2/approve",  # a stale link of the old redirect
        "/logout",
        "//elsewhere.example/",
        "/\\elsewhere.example/",
        "https://elsewhere.example/",
        "/api/v1/users/me",
    ],
)
def test_the_sign_in_never_goes_next_to_a_button_or_another_site(
    demo: Engine, next_url: str
) -> None:
    client = TestClient(create_app())
    form = client.get("/login", params={"next": next_url})
    assert 'name="next" value="/"' in form.text
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    email, password = USERS["viewer"]
    r = client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password, "next": next_url},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_the_sign_in_keeps_a_page_and_its_query(demo: Engine) -> None:
    client = TestClient(create_app())
    form = client.get("/login", params={"next": "/incidents?type=Battles&page=2"})
    assert 'name="next" value="/incidents?type=Battles&amp;page=2"' in form.text


@pytest.mark.parametrize("address", [*BUTTONS, "/logout"])
@pytest.mark.parametrize("who", [None, "viewer"])
def test_a_browser_opening_a_buttons_address_gets_an_html_page(
    web: Any, demo: Engine, address: str, who: str | None
) -> None:
    client = web(who) if who else TestClient(create_app())
    r = client.get(address, headers=HTML)
    assert r.status_code == 405, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "POST" in r.headers["allow"]
    assert "openapi" not in r.text
    assert f"{address} is what a button of a page does, not a page to open" in r.text
    assert '<a href="/">' in r.text  # the way back
    if who is not None:  # the header of the signed-in reader
        assert 'data-role="viewer"' in r.text


def test_htmx_and_api_clients_get_their_own_answers_to_a_wrong_method(web: Any) -> None:
    client = web("viewer")
    r = client.get("/movements/2/approve", headers=HX)
    assert r.status_code == 405 and 'class="error refusal"' in r.text
    assert "<html" not in r.text  # the refusal partial, not a whole page
    # a page that takes GET, posted to: it says so
    csrf = csrf_of(client)
    r = client.put("/incidents", headers={**HTML, "X-CSRF-Token": csrf})
    assert r.status_code == 405 and r.headers["content-type"].startswith("text/html")
    assert "/incidents does not take a PUT request" in r.text
    # an API client (curl's */*, or JSON) keeps problem+json
    for accept in ("*/*", "application/json"):
        r = client.get("/movements/2/approve", headers={"Accept": accept})
        assert r.status_code == 405
        assert r.headers["content-type"].startswith("application/problem+json")
    r = client.get("/api/v1/auth/logout", headers=HTML)
    assert r.status_code == 405
    assert r.headers["content-type"].startswith("application/problem+json")


def test_an_http_error_raised_in_a_page_is_an_html_page(web: Any) -> None:
    """A form of more fields than a form may post is refused by the form parser with an
    HTTP 400: a browser gets the error page."""
    client = web("viewer")
    csrf = csrf_of(client)
    fields = {f"f{n}": "x" for n in range(300)}
    r = client.post("/language", data=fields, headers={**HTML, "X-CSRF-Token": csrf})
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "Bad request" in r.text and '<a href="/">' in r.text


def test_an_unexpected_failure_of_a_page_is_an_html_page_for_a_browser(demo: Engine) -> None:
    router = APIRouter(route_class=PageRoute)

    @router.get("/fails")
    def fails() -> None:
        raise RuntimeError("a bug")

    app = FastAPI()
    app.include_router(router)
    client = TestClient(app, raise_server_exceptions=False)
    r = client.get("/fails", headers=HTML)
    assert r.status_code == 500 and r.headers["content-type"].startswith("text/html")
    assert "the server failed to answer this request" in r.text and "a bug" not in r.text
    with pytest.raises(RuntimeError):  # an API client: the app's own handler answers
        TestClient(app).get("/fails", headers={"Accept": "application/json"})
