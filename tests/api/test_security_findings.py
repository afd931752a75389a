"""Regression tests of the findings of the attack on the sharing rules (issue 12): each test
reproduces a finding and fails on the code before its fix.

Personas: ``owner`` (records of every marking), ``partner`` (owner lists it), ``outsider``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation, User
from safecorridor.alerts import service as alerts_service
from safecorridor.alerts.models import Alert, AlertRule, Delivery
from safecorridor.incidents.models import Incident
from safecorridor.sources.models import Document
from tests.api.conftest import World

#: a departure two days ahead of the app's clock (the system's, as the tokens' lifetimes), at
#: 03:00 UTC: daylight on the corridor (a request for a past or far-off day is refused)
DEPART = datetime.now(UTC).replace(hour=3, minute=0, second=0, microsecond=0) + timedelta(days=2)


def _movement_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "headcount": {"CN": 2},
        "planned_departure": DEPART.isoformat(),
        "planned_arrival": (DEPART + timedelta(hours=4)).isoformat(),
    }
    body.update(over)
    return body


def test_a_name_lookup_never_names_a_record_the_reader_may_not_read(
    client: TestClient, world: World
) -> None:
    """Before: 422 "3 sites match 'Site': Site AMBER, Site AMBER+STRICT, Site RED..."."""
    for org in ("owner", "partner", "outsider"):
        h = world.headers(org, "site_manager")
        readable = {
            f"Site {t}"
            for t, i in world.sites.items()
            if i in world.allowed("sites", org, "site_manager")
        }
        r = client.post(
            "/api/v1/movements", json=_movement_body(from_site="Site", to_site="Site"), headers=h
        )
        assert r.status_code == 422, r.text
        detail = r.json()["detail"]
        named = {f"Site {t}" for t in world.sites if f"Site {t}" in detail}
        assert named <= readable, (org, detail)
        hidden = {f"Site {t}" for t in world.sites} - readable
        for name in hidden:  # an exact hidden name is no match, and is not echoed back as one
            r = client.post(
                "/api/v1/movements", json=_movement_body(from_site=name, to_site=name), headers=h
            )
            assert r.status_code == 422 and "that you may read" in r.json()["detail"], (org, name)
        route_hidden = {f"Route {t}" for t, i in world.routes.items()} - {
            f"Route {t}"
            for t, i in world.routes.items()
            if i in world.allowed("routes", org, "site_manager")
        }
        for name in route_hidden:
            r = client.post("/api/v1/movements", json=_movement_body(route=name), headers=h)
            assert r.status_code == 422 and "that you may read" in r.json()["detail"]


def test_an_alert_rule_cannot_watch_a_hidden_site_or_route(
    client: TestClient, world: World, engine: Engine
) -> None:
    """Before: an outsider's ``incident_near {"sites": [id]}`` on an AMBER+STRICT site gave
    "7.2 km from site ...", and ``risk_rising`` reported its level."""
    for org in ("owner", "partner", "outsider"):
        h = world.headers(org, "admin")
        # the organisation (not a person: no RED grant) reads CLEAR, GREEN, AMBER by sharing
        org_reads = world.allowed("sites", org, "nobody")
        for tlp, site_id in world.sites.items():
            for kind, params in (
                ("incident_near", {"km": 10, "sites": [site_id]}),
                ("risk_rising", {"sites": [site_id]}),
            ):
                r = client.post(
                    "/api/v1/alert-rules", json={"kind": kind, "params": params}, headers=h
                )
                if site_id in org_reads:
                    assert r.status_code == 201, (org, tlp, r.text)
                else:
                    assert r.status_code == 422, (org, tlp, r.text)
                    assert f"Site {tlp}" not in r.json()["detail"]
    # a rule stored before the check (or edited in the database) still watches nothing hidden
    with Session(engine) as s:
        outsider = world.orgs["outsider"]
        rule = AlertRule(
            organisation_id=outsider,
            name="old",
            kind="risk_rising",
            params={"sites": list(world.sites.values())},
            channels=["in_app"],
        )
        s.add(rule)
        s.flush()
        sites, _routes = alerts_service.watched(s, rule)
        assert {x.tlp for x in sites} <= {"CLEAR", "GREEN"}


@pytest.mark.parametrize(
    ("params", "why"),
    [
        ({"km": "abc"}, "km"),
        ({"km": float("nan")}, "km"),
        ({"km": 1e308}, "km"),
        ({"km": 10, "sites": "abc"}, "sites"),
        ({"km": 10, "sites": 5}, "sites"),
        ({"km": 10, "sites": [2**70]}, "sites"),
        ({"km": 10, "colour": "red"}, "colour"),
    ],
)
def test_alert_rule_parameters_are_checked_by_kind(
    client: TestClient, world: World, params: dict[str, Any], why: str
) -> None:
    """Before: ``km:"abc"`` and ``sites:5`` gave 500s; ``hours: nan`` was accepted."""
    r = client.post(
        "/api/v1/alert-rules",
        content=__import__("json").dumps({"kind": "incident_near", "params": params}),
        headers={**world.headers("owner", "admin"), "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and why in r.json()["detail"], r.text


def test_review_backlog_hours_nan_is_refused_and_a_broken_rule_stops_nobody(
    client: TestClient, world: World, engine: Engine
) -> None:
    r = client.post(
        "/api/v1/alert-rules",
        json={"kind": "review_backlog", "params": {"hours": "nan"}},
        headers=world.headers("outsider", "admin"),
    )
    assert r.status_code == 422 and "hours" in r.json()["detail"]
    # a rule broken in the store (as one written before the checks) fails alone
    with Session(engine) as s:
        s.add(
            AlertRule(
                organisation_id=world.orgs["outsider"],
                name="broken",
                kind="review_backlog",
                params={"hours": "nan?"},
                channels=["in_app"],
            )
        )
        good = alerts_service.add_rule(
            session=s,
            organisation_id=world.orgs["owner"],
            kind="review_backlog",
            params={"hours": 1},
        )
        s.commit()
        made = alerts_service.evaluate_backlog_rules(s, now=datetime(2030, 1, 1))
        s.commit()
        broken = s.scalars(select(AlertRule).where(AlertRule.name == "broken")).one()
        assert broken.memory.get("error"), "the broken rule is marked with its error"
        assert s.get(AlertRule, good.id) is not None and made >= 0


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9999/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/hook",
        "http://[::1]:8080/x",
        "http://10.0.0.5/x",
        "javascript:alert(1)",
        "http://user:pw@example.org/x",
    ],
)
def test_a_webhook_on_a_private_address_is_refused(
    client: TestClient, world: World, url: str
) -> None:
    """Before: private webhook URLs were accepted and called; their HTTP status answered."""
    r = client.post(
        "/api/v1/alert-rules",
        json={"kind": "foreign_fatalities", "channels": ["webhook"], "webhook_url": url},
        headers=world.headers("owner", "admin"),
    )
    assert r.status_code == 422, r.text
    assert "webhook_url" in r.json()["detail"]


def test_a_stored_private_webhook_is_never_called() -> None:
    """The delivery is refused at connection time (the address reached, after DNS)."""
    import socket
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from safecorridor.alerts.channels import (
        DeliveryError,
        Message,
        get_channel_settings,
        send_webhook,
    )

    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        for host in ("127.0.0.1", "localhost"):
            message = Message(
                recipient=f"http://{host}:{port}/hook",
                subject="x",
                text="x",
                data={"x": 1},
                secret="s",
                idempotency_key="k",
            )
            with pytest.raises(DeliveryError, match="private or local address"):
                send_webhook(message, get_channel_settings())
        assert hits == [] and socket.gethostname()
    finally:
        server.shutdown()
        server.server_close()


def test_logout_ends_the_session_everywhere(
    client: TestClient, world: World, engine: Engine
) -> None:
    """Before: the old cookie still worked after /logout and could mint a 3,650-day token."""
    from safecorridor.accounts.security import hash_password

    with Session(engine) as s:
        user = s.get_one(User, world.users[("owner", "analyst")])
        user.password_hash = hash_password("a-long-password-1")
        email = user.email
        s.commit()
    r = client.post("/api/v1/auth/login", json={"email": email, "password": "a-long-password-1"})
    assert r.status_code == 200
    csrf = r.json()["csrf_token"]
    cookie = client.cookies.get("sc_session")
    assert client.get("/api/v1/users/me").status_code == 200
    # a token lives at most token_max_days
    r = client.post(
        "/api/v1/users/me/tokens", json={"name": "x", "days": 3650}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 422 and "days" in r.json()["detail"]
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    # the stolen cookie, replayed
    other = TestClient(client.app)
    other.cookies.set("sc_session", cookie or "")
    assert other.get("/api/v1/users/me").status_code == 401
    r = other.post("/api/v1/users/me/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 401


def test_a_token_cannot_mint_a_token(client: TestClient, world: World) -> None:
    r = client.post(
        "/api/v1/users/me/tokens", json={"name": "x"}, headers=world.headers("owner", "analyst")
    )
    assert r.status_code == 403 and "signed-in web session" in r.json()["detail"]


def test_merging_never_lowers_a_marking(client: TestClient, world: World, engine: Engine) -> None:
    """Before: an AMBER+STRICT document's candidate merged into a CLEAR incident, showing its
    title and publisher to everyone who reads the incident."""
    h = world.headers("owner", "analyst")
    r = client.post(
        "/api/v1/documents",
        json={
            "text": "Gunmen attacked a police post in Turbat on Monday, killing two constables.",
            "published": "2022-01-05",
            "tlp": "AMBER+STRICT",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    (cand,) = [c["id"] for c in r.json()["candidates"]][:1]
    clear = world.incidents["CLEAR"]
    r = client.post(f"/api/v1/candidates/{cand}/merge", json={"incident_id": clear}, headers=h)
    assert r.status_code == 409, r.text
    assert "TLP:AMBER+STRICT" in r.json()["detail"] and "TLP:CLEAR" in r.json()["detail"]
    with Session(engine) as s:
        assert len(s.get_one(Incident, clear).documents) == 0


def test_the_urls_a_red_incident_cites_stay_red(
    client: TestClient, world: World, engine: Engine
) -> None:
    """Before: ``source_urls`` of a RED incident became CLEAR ownerless documents."""
    r = client.post(
        "/api/v1/incidents",
        json={
            "event_date": "2022-03-01",
            "event_type": "Battles",
            "sub_event_type": "Armed clash",
            "latitude": 26.0,
            "longitude": 63.0,
            "tlp": "RED",
            "source_urls": ["https://secret.example/JWG-RED"],
        },
        headers=world.headers("owner", "analyst"),
    )
    assert r.status_code == 201, r.text
    with Session(engine) as s:
        doc = s.scalars(
            select(Document).where(Document.url == "https://secret.example/JWG-RED")
        ).one()
        assert doc.tlp == "RED" and doc.owner_org_id == world.orgs["owner"]
    for org in ("partner", "outsider"):
        body = client.get("/api/v1/documents", headers=world.headers(org, "analyst")).json()
        assert "secret.example" not in str(body)


def test_approval_is_for_the_designated_escort_organisations(
    client: TestClient, world: World, engine: Engine
) -> None:
    """Before: any organisation's admin could create an escort officer who then listed and
    approved every organisation's submitted movements."""
    r = client.post(
        "/api/v1/movements?submit=true",
        json=_movement_body(polyline=[[25.0, 62.0], [25.5, 63.0]]),
        headers=world.headers("owner", "site_manager"),
    )
    assert r.status_code == 201, r.text
    mid = r.json()["id"]
    approval = {"escort": {"callsign": "X-1", "vehicles": 6}, "override_reason": "test"}
    # the outsider's escort officer: not designated by the owner
    h = world.headers("outsider", "escort_officer")
    assert all(m["id"] != mid for m in client.get("/api/v1/movements", headers=h).json()["data"])
    assert (
        client.post(f"/api/v1/movements/{mid}/approve", json=approval, headers=h).status_code == 404
    )
    # once the owner designates the outsider, its escort officer decides
    with Session(engine) as s:
        owner = s.get_one(Organisation, world.orgs["owner"])
        owner.escorts.append(s.get_one(Organisation, world.orgs["outsider"]))
        s.commit()
    r = client.post(f"/api/v1/movements/{mid}/approve", json=approval, headers=h)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/incidents/99999999999999999999", None),
        ("GET", "/api/v1/sites/9223372036854775808", None),
        (
            "GET",
            "/api/v1/incidents?cursor=LWV2ZW50X2RhdGV8MjAyMi0wMS0wMXw5OTk5OTk5OTk5OTk5OTk5OTk5OQ",
            None,
        ),
        ("PATCH", "/api/v1/incidents/{CLEAR}", {"latitude": None}),
        ("PATCH", "/api/v1/incidents/{CLEAR}", {"event_date": None}),
        ("PATCH", "/api/v1/incidents/{CLEAR}", {"fatalities": 2**70}),
        ("POST", "/api/v1/movements", {"headcount": {"CN": 2**70}, "route": "x"}),
        ("POST", "/api/v1/candidates/1/merge", {"incident_id": 2**70}),
    ],
)
def test_out_of_range_input_is_a_4xx_never_a_500(
    client: TestClient, world: World, method: str, path: str, body: Any
) -> None:
    h = world.headers("owner", "analyst")
    r = client.request(method, path.format(**world.incidents), json=body, headers=h)
    assert 400 <= r.status_code < 500, (path, r.status_code, r.text)


def test_unbounded_writes_are_refused(client: TestClient, world: World) -> None:
    """Before: a 10 MB ``notes`` made every list page 15.5 MB; 20,000 ``source_urls`` held
    the write lock for 21 s."""
    h = world.headers("owner", "analyst")
    base = {
        "event_date": "2022-03-01",
        "event_type": "Battles",
        "latitude": 26.0,
        "longitude": 63.0,
        "tlp": "GREEN",
    }
    r = client.post("/api/v1/incidents", json={**base, "notes": "x" * 10_000_000}, headers=h)
    assert r.status_code == 413
    r = client.post("/api/v1/incidents", json={**base, "notes": "x" * 30_000}, headers=h)
    assert r.status_code == 422 and "notes" in r.json()["detail"]
    urls = [f"https://example.org/{i}" for i in range(20_000)]
    r = client.post("/api/v1/incidents", json={**base, "source_urls": urls}, headers=h)
    assert r.status_code in (413, 422)
    urls = [f"https://example.org/{i}" for i in range(51)]
    r = client.post("/api/v1/incidents", json={**base, "source_urls": urls}, headers=h)
    assert r.status_code == 422 and "source_urls" in r.json()["detail"]
    r = client.post(
        "/api/v1/incidents", json={**base, "source_urls": ["javascript:alert(1)"]}, headers=h
    )
    assert r.status_code == 422


def test_every_answer_carries_the_security_headers(client: TestClient, world: World) -> None:
    for path in ("/", "/login", "/api/v1/incidents", "/api/v1/docs", "/healthz"):
        r = client.get(path, headers=world.headers("owner", "viewer"))
        csp = r.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0], path
        assert r.headers.get("x-content-type-options") == "nosniff", path
        assert r.headers.get("referrer-policy") == "same-origin", path
        # a reader's pages and answers are not kept by the browser (Back after sign-out)
        assert r.headers.get("cache-control") == "no-store", path
    docs = client.get("/api/v1/docs").text
    assert "cdn." not in docs and "<script>" not in docs
    script = client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert script.status_code == 200 and "no-store" not in script.headers.get("cache-control", "")


def test_hsts_and_secure_cookies_in_production(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    from safecorridor.app import create_app
    from safecorridor.settings import get_settings

    monkeypatch.setenv("SAFECORRIDOR_ENVIRONMENT", "production")
    monkeypatch.setenv("SAFECORRIDOR_SECRET_KEY", "a-real-secret-for-this-test-only-0123456789")
    get_settings.cache_clear()
    client = TestClient(create_app(), base_url="https://testserver")
    r = client.get("/login")
    assert "max-age" in r.headers.get("strict-transport-security", "")
    cookie = r.headers.get("set-cookie", "")
    assert "sc_login_csrf" in cookie and "Secure" in cookie
    get_settings.cache_clear()


def test_days_and_moments_outside_1900_2200_are_refused(client: TestClient, world: World) -> None:
    """Before: an incident dated 0001-01-01, a report published then and a movement leaving
    in 9999 were stored (201); actions and measures already refused such dates."""
    h = world.headers("owner", "analyst")
    for day in ("0001-01-01", "2999-11-01"):
        r = client.post(
            "/api/v1/incidents",
            json={
                "event_date": day,
                "event_type": "Battles",
                "latitude": 30.0,
                "longitude": 70.0,
            },
            headers=h,
        )
        assert r.status_code == 422 and "between 1900 and 2200" in r.text, r.text
    r = client.post(
        "/api/v1/movements",
        json=_movement_body(
            planned_departure="9999-12-10T06:00:00Z", planned_arrival="9999-12-10T09:00:00Z"
        ),
        headers=world.headers("owner", "site_manager"),
    )
    assert r.status_code == 422 and "between 1900 and 2200" in r.text, r.text


def test_a_review_backlog_counts_only_what_the_organisation_may_decide(
    world: World, engine: Engine
) -> None:
    """The owner's GREEN candidate is read by every organisation but decided only by the
    owner's analysts: it is the owner's backlog, not the partner's (an alert about a queue it
    cannot work). A candidate of no owner (open data) is anyone's who reads it."""
    from safecorridor.review.models import Candidate

    with Session(engine) as s:
        for owner, doc in ((world.orgs["owner"], world.documents["GREEN"]), (None, None)):
            if doc is None:
                orphan = Document(sha256="f" * 64, title="open data", tlp="GREEN")
                s.add(orphan)
                s.flush()
                doc = orphan.id
            s.add(
                Candidate(
                    document_id=doc,
                    kind="attack",
                    extractor="test",
                    extractor_version="1",
                    tlp="GREEN",
                    owner_org_id=owner,
                    created_at=datetime(2029, 1, 1),
                )
            )
        s.commit()
        later = datetime(2030, 1, 1)
        counts = {
            org: alerts_service.pending_candidates(s, organisation_id=ident, older_than=later)[0]
            for org, ident in world.orgs.items()
        }
    assert counts == {"owner": 2, "partner": 1, "outsider": 1}


def test_where_a_rule_sends_is_for_administrators_and_local_hooks_are_refused_at_once(
    client: TestClient, world: World
) -> None:
    """A Slack-style hook URL is a credential: members who are not administrators saw it
    (and the e-mail addresses) in the list of rules, while deliveries are for administrators
    only. A hook at 127.1, 2130706433, 0 or "localhost." passed the check at creation and then
    failed every delivery."""
    admin = world.headers("owner", "admin")
    hook = "https://hooks.example.org/services/T000/B000/secret-part"
    r = client.post(
        "/api/v1/alert-rules",
        json={"kind": "foreign_fatalities", "channels": ["webhook"], "webhook_url": hook},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    seen = {
        role: client.get("/api/v1/alert-rules", headers=world.headers("owner", role)).json()
        for role in ("admin", "analyst", "viewer")
    }
    assert [x["webhook_url"] for x in seen["admin"]] == [hook]
    assert [x["webhook_url"] for x in seen["analyst"] + seen["viewer"]] == [None, None]
    for url in ("http://127.1/", "http://2130706433/", "http://0/", "http://localhost./x"):
        r = client.post(
            "/api/v1/alert-rules",
            json={"kind": "foreign_fatalities", "channels": ["webhook"], "webhook_url": url},
            headers=admin,
        )
        assert r.status_code == 422 and "private or local address" in r.text, (url, r.text)


def test_an_administrator_stops_a_rule_and_its_unsent_deliveries_are_dropped(
    client: TestClient, world: World, engine: Engine
) -> None:
    """A rule pointed at the wrong hook could not be removed or disabled anywhere: its
    AMBER+STRICT payloads went on being sent there."""
    admin = world.headers("owner", "admin")
    r = client.post(
        "/api/v1/alert-rules",
        json={
            "kind": "foreign_fatalities",
            "channels": ["webhook"],
            "webhook_url": "https://wrong.example.org/hook",
        },
        headers=admin,
    )
    rule_id = r.json()["id"]
    with Session(engine) as s:
        alert = Alert(
            key=f"test:{rule_id}",
            organisation_id=world.orgs["owner"],
            kind="foreign_fatalities",
            title="t",
            body="b",
            rule_id=rule_id,
        )
        s.add(alert)
        s.flush()
        s.add(
            Delivery(
                alert_id=alert.id,
                channel="webhook",
                recipient="https://wrong.example.org/hook",
                idempotency_key=f"k{rule_id}",
            )
        )
        s.commit()
        alert_id = alert.id
    for who in (("owner", "analyst"), ("partner", "admin")):
        r = client.delete(f"/api/v1/alert-rules/{rule_id}", headers=world.headers(*who))
        assert r.status_code in (403, 404), (who, r.text)
    r = client.delete(f"/api/v1/alert-rules/{rule_id}", headers=admin)
    assert r.status_code == 200 and r.json()["is_active"] is False, r.text
    with Session(engine) as s:
        states = s.scalars(select(Delivery.state).where(Delivery.alert_id == alert_id)).all()
        assert states == ["dead"]
