"""Real clients over real sockets: OASIS's taxii2-client against uvicorn serving the app, and
the feed pull of one SafeCorridor from a second instance (`safecorridor serve` in a process of
its own, on another port and another database)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import requests
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import selectinload, sessionmaker
from taxii2client.v21 import ApiRoot, Server, as_pages

from safecorridor.accounts.models import Organisation, User
from safecorridor.accounts.service import create_token, create_user, set_password
from safecorridor.app import create_app
from safecorridor.db.engine import make_engine, migrate
from safecorridor.db.session import session_scope
from safecorridor.interop.feeds import add_feed, poll_due_feeds, poll_feed
from safecorridor.interop.models import Feed, FeedRun
from safecorridor.review.models import Candidate
from safecorridor.settings import get_settings
from safecorridor.sharing.audit.verify import verify_all
from safecorridor.sharing.models import AuditEvent
from safecorridor.taxonomy.choices import TLP, Role
from tests.api.conftest import World, build_world
from tests.interop.conftest import PARTNER_BUNDLE, PARTNER_MISP, fixed_incident, seed_actors

#: the clock of the feed tests (after the partner's events of 2024-03-02)
NOW = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live(engine: Engine) -> Iterator[str]:
    """uvicorn serving the app over the test database, on 127.0.0.1 and a free port."""
    import uvicorn

    from safecorridor.app import create_app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


class BearerAuth(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


def test_the_taxii2_client_conversation(engine: Engine, live: str) -> None:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as s:
        world: World = build_world(s)
        user = s.get_one(User, world.users[("owner", "analyst")])
        set_password(session=s, user=user, password="owner-analyst-pass")
        s.commit()

    # discovery → API root → collections (HTTP Basic: e-mail and password)
    server = Server(f"{live}/taxii2/", user="analyst@owner.example", password="owner-analyst-pass")
    assert server.title == "SafeCorridor TAXII 2.1 server"
    [root] = server.api_roots
    assert root.versions == ["application/taxii+json;version=2.1"]
    by_alias = {c.alias: c for c in root.collections}
    assert {"clear", "green", "partners-amber", "amber-strict-owner", "red", "inbox"} == set(
        by_alias
    )

    # objects, a page at a time, then only what was added after the last page
    amber = by_alias["partners-amber"]
    pages = list(as_pages(amber.get_objects, per_request=4))
    assert len(pages) > 1 and all(len(p["objects"]) == 4 for p in pages[:-1])
    objects = [o for p in pages for o in p["objects"]]
    assert len({o["id"] for o in objects}) == len(objects)
    reports = [o for o in objects if o["type"] == "report"]
    assert len(reports) == 1 and reports[0]["object_marking_refs"] == [
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
    ]
    whole = amber.get_objects()
    assert [o["id"] for o in whole["objects"]] == [o["id"] for o in objects]
    last = max(m["date_added"] for m in amber.get_manifest()["objects"])
    assert amber.get_objects(added_after=last).get("objects", []) == []
    assert amber.get_object(reports[0]["id"])["objects"][0]["id"] == reports[0]["id"]

    # post an envelope to the inbox (a bearer token this time), then poll the status
    with factory() as s:
        token = create_token(
            session=s, user=s.get_one(User, world.users[("owner", "analyst")])
        ).token
        s.commit()
    root_tok = ApiRoot(f"{live}/taxii2/api/", auth=BearerAuth(token))
    inbox = next(c for c in root_tok.collections if c.alias == "inbox")
    assert inbox.can_write and not inbox.can_read
    envelope = {"objects": json.loads(PARTNER_BUNDLE.read_bytes())["objects"]}
    status = inbox.add_objects(envelope, wait_for_completion=False)
    assert status.status == "complete"
    polled = root_tok.get_status(status.id)
    assert polled.total_count == len(envelope["objects"])
    assert polled.success_count + polled.failure_count == polled.total_count
    assert any(s["message"].startswith("candidate #") for s in polled.successes)
    with session_scope(engine) as s:
        c = s.scalars(select(Candidate)).one()
        assert (c.tlp, c.owner_org_id) == (TLP.AMBER, world.orgs["owner"])


# ---------------------------------------------------------------------------- the second instance


@pytest.fixture
def partner(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A second SafeCorridor (its own database and process) with records of three markings,
    and an account for us at the partner whose organisation the partner lists as a partner."""
    db = tmp_path / "partner" / "partner.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as s:
        home = Organisation(name="Partner Ministry", short_name="ministry")
        us = Organisation(name="Our Agency", short_name="ours")
        s.add_all([home, us])
        s.flush()
        home.partners.append(us)
        seed_actors(s)
        from safecorridor.incidents.schemas import IncidentCreate
        from safecorridor.incidents.service import create_incident

        for n, tlp in enumerate(["CLEAR", "AMBER", "AMBER+STRICT", "AMBER"]):
            inc = create_incident(
                session=s,
                incident_in=IncidentCreate.model_validate(fixed_incident(n, tlp=tlp)),
                changed_by="partner",
            )
            inc.owner_org_id = home.id
        ours = create_user(
            session=s, email="feed@ours.example", organisation_id=us.id, role=Role.VIEWER
        )
        token = create_token(session=s, user=ours).token
        s.commit()
    engine.dispose()
    port = _free_port()
    env = {
        **os.environ,
        "SAFECORRIDOR_DATABASE_URL": f"sqlite:///{db}",
        "SAFECORRIDOR_DATA_DIR": str(tmp_path / "partner"),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "safecorridor",
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, "the partner's server stopped"
            assert time.monotonic() < deadline, "the partner's server did not start"
            time.sleep(0.2)
        yield {"url": f"http://127.0.0.1:{port}/taxii2/", "token": token, "db": db}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _candidates(engine: Engine) -> list[Candidate]:
    with session_scope(engine) as s:
        return list(
            s.scalars(
                select(Candidate).options(selectinload(Candidate.document)).order_by(Candidate.id)
            )
        )


@pytest.fixture(autouse=True)
def _partners_on_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The partner's server listens on 127.0.0.1: a deployment whose partners sit on a
    private network allows private addresses (the guard itself is tested in tests/api)."""
    monkeypatch.setenv("SAFECORRIDOR_ALLOW_PRIVATE_URLS", "true")
    get_settings.cache_clear()


def test_a_feed_pulls_a_partners_taxii_collection_with_bookmarks(
    engine: Engine, partner: dict[str, Any]
) -> None:
    with session_scope(engine) as s:
        org = Organisation(name="Our Agency")
        s.add(org)
        s.flush()
        feed = add_feed(
            s,
            kind="taxii",
            url=partner["url"],
            collection="partners-amber",
            token=partner["token"],
            owner_org_id=org.id,
            reliability="B",
        )
        feed_id, org_id = feed.id, org.id
    result = poll_feed(engine, feed_id, force=True)
    assert result is not None and result.status == "ok", result
    got = _candidates(engine)
    assert len(got) == 2  # the two AMBER records the partner shares with us; not its STRICT one
    assert {c.tlp for c in got} == {"AMBER"} and {c.owner_org_id for c in got} == {org_id}
    assert {c.document.publisher for c in got} == {"Partner Ministry"}
    assert {c.document.reliability for c in got} == {"B"}
    assert {c.event_type for c in got} == {"Explosions/Remote violence"}
    with session_scope(engine) as s:
        feed = s.get_one(Feed, feed_id)
        assert feed.bookmark and feed.last_status == "ok"
        first_bookmark = feed.bookmark
        # each document the poll created is in the audit chain, with its content hash
        audited = {
            e.record_id: e.details["sha256"]
            for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "feed-poll"))
        }
        assert audited == {c.document_id: c.document.sha256 for c in got}
    assert verify_all(engine).is_intact

    # nothing new: the bookmark keeps the next poll from storing anything
    again = poll_feed(engine, feed_id, force=True)
    assert again is not None and (again.objects, again.candidates) == (0, 0)
    assert len(_candidates(engine)) == 2

    # the partner records one more AMBER incident: only it arrives
    pengine = make_engine(f"sqlite:///{partner['db']}")
    with sessionmaker(bind=pengine)() as s:
        from safecorridor.incidents.schemas import IncidentCreate
        from safecorridor.incidents.service import create_incident

        inc = create_incident(
            session=s,
            incident_in=IncidentCreate.model_validate(fixed_incident(9, tlp="AMBER")),
            changed_by="partner",
        )
        inc.owner_org_id = s.scalar(
            select(Organisation.id).where(Organisation.name == "Partner Ministry")
        )
        s.commit()
    pengine.dispose()
    third = poll_feed(engine, feed_id, force=True)
    assert third is not None and third.candidates == 1, third
    assert len(_candidates(engine)) == 3
    with session_scope(engine) as s:
        assert cast(str, s.get_one(Feed, feed_id).bookmark) > first_bookmark
        runs = list(s.scalars(select(FeedRun).where(FeedRun.feed_id == feed_id)))
        assert [r.candidates for r in runs] == [2, 0, 1] and {r.status for r in runs} == {"ok"}


def test_a_failed_poll_keeps_the_bookmark_and_records_why(engine: Engine) -> None:
    with session_scope(engine) as s:
        feed = add_feed(
            s, kind="taxii", url=f"http://127.0.0.1:{_free_port()}/taxii2/", collection="clear"
        )
        feed_id = feed.id
    result = poll_feed(engine, feed_id, force=True)
    assert (
        result is not None
        and result.status == "failed"
        and "cannot be reached" in (result.error or "")
    )
    with session_scope(engine) as s:
        f = s.get_one(Feed, feed_id)
        assert (f.bookmark, f.last_status) == (None, "failed")
        assert s.scalar(select(func.count()).select_from(Candidate)) == 0


def test_a_misp_json_feed_from_a_file_and_the_worker_schedule(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "events.json"
    path.write_bytes(PARTNER_MISP.read_bytes())
    with session_scope(engine) as s:
        feed = add_feed(
            s,
            kind="misp-json",
            url=str(path),
            default_tlp="AMBER",
            interval_seconds=600,
            now=NOW,
        )
        feed_id = feed.id
    now = NOW + timedelta(seconds=1)
    results = poll_due_feeds(engine, now=now)
    assert [r.candidates for r in results] == [2]
    got = _candidates(engine)
    assert {c.tlp for c in got} == {"GREEN", "AMBER"}  # one tagged tlp:green, one unmarked
    assert {c.perpetrator for c in got} == {"Coastal Liberation Front", None}
    assert poll_due_feeds(engine, now=now) == []  # not due again before its interval
    with session_scope(engine) as s:
        assert s.get_one(Feed, feed_id).bookmark == "1709380800"


def test_an_unreadable_event_is_left_out_and_the_feed_goes_on(
    engine: Engine, tmp_path: Path
) -> None:
    """One event a partner got wrong (a latitude "abc") is left out with its reason; the
    others are imported, the run is closed and the feed is let go for its next poll (it was
    left claimed, with a run "running" for ever, and the good event lost)."""
    events = json.loads(PARTNER_MISP.read_text(encoding="utf-8"))
    bad = json.loads(json.dumps(events["response"][0]))
    bad["Event"]["uuid"] = "0b0b0b0b-1111-4222-8333-444455556666"
    for attr in bad["Event"]["Object"][0]["Attribute"]:
        if attr["object_relation"] == "latitude":
            attr["value"] = "abc"
    events["response"].append(bad)
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events), encoding="utf-8")
    with session_scope(engine) as s:
        feed_id = add_feed(s, kind="misp-json", url=str(path), default_tlp="AMBER", now=NOW).id
    result = poll_feed(engine, feed_id, force=True, now=NOW)
    assert result is not None and (result.status, result.candidates) == ("ok", 2), result
    with session_scope(engine) as s:
        feed = s.get_one(Feed, feed_id)
        [run] = s.scalars(select(FeedRun).where(FeedRun.feed_id == feed_id))
        assert feed.claimed_until is None and run.finished_at is not None
        assert "1 objects rejected" in (run.error or "") and "latitude 'abc'" in (run.error or "")
    later = NOW + timedelta(hours=2)
    again = poll_feed(engine, feed_id, now=later)
    assert again is not None and again.status == "ok"  # not stuck "being polled"


def test_a_partner_value_no_column_holds_skips_its_report_not_the_queue(
    engine: Engine, world: World
) -> None:
    """A MISP event whose record gives fatalities "many", or a latitude of 999, is not made a
    candidate (it was, and then every read of the review queue failed); the reason is given
    and the other events of the upload are kept."""
    events = json.loads(PARTNER_MISP.read_text(encoding="utf-8"))
    good = events["response"][0]
    many = json.loads(json.dumps(good))
    many["Event"]["uuid"] = "0c0c0c0c-1111-4222-8333-444455556666"
    record = {"fatalities": "many", "event_type": "Violence against civilians"}
    many["Event"]["Attribute"].append(
        {"type": "text", "value": json.dumps(record), "comment": "SafeCorridor record"}
    )
    far = json.loads(json.dumps(good))
    far["Event"]["uuid"] = "0d0d0d0d-1111-4222-8333-444455556666"
    for attr in far["Event"]["Object"][0]["Attribute"]:
        if attr["object_relation"] == "latitude":
            attr["value"] = "999"
    h = world.headers("owner", "analyst")
    with TestClient(create_app()) as client:
        r = client.post(
            "/api/v1/misp/events",
            content=json.dumps({"response": [good, many, far]}),
            headers={**h, "Content-Type": "application/json"},
        )
        assert r.status_code == 200, r.text
        outcomes = r.json()["outcomes"]
        assert outcomes["0c0c0c0c-1111-4222-8333-444455556666"].startswith("skipped: fatalities")
        assert "latitude" in outcomes["0d0d0d0d-1111-4222-8333-444455556666"]
        assert r.json()["candidates"] == 1
        queue = client.get("/api/v1/candidates", params={"status": "pending"}, headers=h)
        assert queue.status_code == 200 and len(queue.json()["data"]) == 1, queue.text
