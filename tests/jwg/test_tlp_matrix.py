"""The TLP matrix on every new read path: meetings, action items, measures and briefing packs,
for a user of every role in the owner, partner and outsider organisations and records of the
five markings (the personas of tests/api/conftest.py): exactly the allowed records come back,
0 leaks. RED records are granted to the partner's viewer only; packs, built for an
organisation, never hold a RED record."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from safecorridor.jwg import briefing
from safecorridor.jwg import service as jwg
from safecorridor.jwg.models import ActionItem
from safecorridor.jwg.schemas import MeetingCreate
from safecorridor.registry.measures import MeasureCreate, create_measure
from safecorridor.sharing.service import grant_record
from safecorridor.taxonomy.choices import Role
from tests.api.conftest import MARKINGS, ORGS, World, client, world

__all__ = ["client", "world"]

PERSONAS = [(org, role.value) for org in ORGS for role in Role]


def _allowed(ids: dict[str, int], org: str, role: str, red_reader: tuple[str, str]) -> set[int]:
    out = {ids["CLEAR"], ids["GREEN"]}
    if org in ("owner", "partner"):
        out.add(ids["AMBER"])
    if org == "owner":
        out.add(ids["AMBER+STRICT"])
    if (org, role) == red_reader:
        out.add(ids["RED"])
    return out


@pytest.fixture
def records(engine: Engine, world: World) -> dict[str, dict[str, int]]:
    """A meeting, an action item and a measure of each marking, owned by ``owner``."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    owner = world.orgs["owner"]
    out: dict[str, dict[str, int]] = {"meetings": {}, "actions": {}, "measures": {}}
    with factory() as s:
        for n, tlp in enumerate(MARKINGS, start=1):
            m = jwg.create_meeting(
                session=s,
                meeting_in=MeetingCreate.model_validate(
                    {
                        "number": n,
                        "held_on": f"2024-0{n}-10",
                        "venue": f"Venue {tlp}",
                        "tlp": tlp,
                        "decisions": [
                            {
                                "text": f"Decision {tlp}",
                                "actions": [
                                    {
                                        "title": f"Item {tlp}",
                                        "owner": owner,
                                        "due_on": "2030-01-01",
                                        "tlp": tlp,
                                    }
                                ],
                            }
                        ],
                    }
                ),
                viewer=None,
                owner_org_id=owner,
            )
            out["meetings"][tlp] = m.id
            out["actions"][tlp] = m.decisions[0].actions[0].id
            measure = create_measure(
                session=s,
                measure_in=MeasureCreate(
                    site_id=world.sites["CLEAR"], kind="perimeter", tlp=tlp, state="in_place"
                ),
                viewer=None,
                today=date(2024, 1, 1),
            )
            out["measures"][tlp] = measure.id
        reader = world.users[world.red_reader]
        for kind, key in (
            ("meeting", "meetings"),
            ("action_item", "actions"),
            ("measure", "measures"),
        ):
            grant_record(
                session=s,
                record_type=kind,
                record_id=out[key]["RED"],
                user_id=reader,
                granted_by="test",
                audited=False,  # a fixture, as its other rows
            )
        s.commit()
    return out


def _ids(body: dict[str, Any]) -> set[int]:
    return {int(r["id"]) for r in body["data"]}


def test_meetings_action_items_and_measures_leak_nothing(
    client: TestClient, world: World, records: dict[str, dict[str, int]]
) -> None:
    leaks = 0
    for org, role in PERSONAS:
        h = world.headers(org, role)
        who = f"{role}@{org}"
        for kind, path in (
            ("meetings", "/api/v1/meetings"),
            ("actions", "/api/v1/actions?owner=all"),
            ("measures", "/api/v1/measures"),
        ):
            allowed = _allowed(records[kind], org, role, world.red_reader)
            listed = client.get(path, headers=h)
            assert listed.status_code == 200, (who, kind)
            got = _ids(listed.json())
            leaks += len(got - allowed)
            assert got == allowed, (who, kind)
            for tlp, ident in records[kind].items():
                base = path.split("?")[0]
                r = client.get(f"{base}/{ident}", headers=h)
                assert r.status_code == (200 if ident in allowed else 404), (who, kind, tlp)
                if r.status_code == 404:
                    assert tlp not in r.text and "Item" not in r.text and "Venue" not in r.text
        # a meeting shows only the action items its reader may read
        for tlp, ident in records["meetings"].items():
            r = client.get(f"/api/v1/meetings/{ident}", headers=h)
            if r.status_code != 200:
                continue
            shown = {a["id"] for d in r.json()["decisions"] for a in d["actions"]}
            assert shown <= _allowed(records["actions"], org, role, world.red_reader), (who, tlp)
    assert leaks == 0


def test_packs_hold_exactly_what_their_organisation_may_read(
    engine: Engine, client: TestClient, world: World, records: dict[str, dict[str, int]]
) -> None:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    packs: dict[str, int] = {}
    with factory() as s:
        for org in ORGS:
            pack = briefing.build_pack(
                s,
                organisation_id=world.orgs[org],
                period_from=date(2022, 1, 1),
                period_to=date(2024, 12, 31),
                built_by="test",
                now=datetime(2025, 1, 10, tzinfo=UTC),
                with_pdf=False,
            )
            packs[org] = pack.id
            no_red = ("nobody", "nobody")  # an organisation holds no personal RED grant
            expected = {
                "incident": _allowed(world.incidents, org, "viewer", no_red),
                "action_item": _allowed(records["actions"], org, "viewer", no_red),
                "measure": _allowed(records["measures"], org, "viewer", no_red),
            }
            for kind, allowed in expected.items():
                got = set(pack.records.get(kind, []))
                if kind == "incident":
                    got |= set(pack.records["figure_incident_ids"])
                assert got == allowed, (org, kind)
            strictest = {"owner": "AMBER+STRICT", "partner": "AMBER", "outsider": "GREEN"}[org]
            assert pack.tlp == strictest, org
            for tlp in ("RED",) + (() if org == "owner" else ("AMBER+STRICT",)):
                assert f"Place {tlp}" not in pack.html, (org, tlp)
        s.commit()
    for org, role in PERSONAS:
        for pack_org, pack_id in packs.items():
            r = client.get(f"/api/v1/briefings/{pack_id}.html", headers=world.headers(org, role))
            assert r.status_code == (200 if org == pack_org else 404), (org, role, pack_org)


def test_a_person_builds_packs_for_their_own_organisation_only(
    session: Session, world: World
) -> None:
    from safecorridor.errors import NotFoundError
    from safecorridor.sharing.policy import Viewer

    partner_admin = Viewer(
        user_id=world.users[("partner", "admin")],
        organisation_id=world.orgs["partner"],
        role="admin",
        email="admin@partner.example",
    )
    with pytest.raises(NotFoundError, match="your own organisation"):
        briefing.build_pack(
            session,
            organisation_id=world.orgs["owner"],
            period_from=date(2024, 1, 1),
            period_to=date(2024, 3, 31),
            viewer=partner_admin,
            now=datetime(2024, 4, 1, tzinfo=UTC),
            with_pdf=False,
        )


def test_a_writer_reads_what_it_marks_red_and_an_item_is_marked_like_its_meeting(
    engine: Engine, client: TestClient, world: World
) -> None:
    """A RED meeting, action item or measure stays readable by the person who wrote it (RED
    is read by named readers only, and nobody was named); an action item given no marking
    takes its meeting's, so a partner does not read the AMBER+STRICT meeting's item; an
    overdue RED item alerts no organisation; a decision of a meeting a partner may not read
    is no decision to it."""
    h, partner = world.headers("owner", "analyst"), world.headers("partner", "analyst")

    def meeting(n: int, tlp: str) -> dict[str, Any]:
        body = {"number": n, "held_on": "2024-05-01", "series": "Owner review", "tlp": tlp}
        action = {"title": f"Item {tlp}", "owner": world.orgs["owner"], "due_on": "2024-06-01"}
        return {**body, "decisions": [{"text": "Decided", "actions": [action]}]}

    # an organisation named by an id no record has is refused, naming it (a huge one was a 500)
    for ref in ("9" * 23, "\u00b2"):
        body = {**meeting(9, "GREEN"), "delegations": [{"organisation": ref, "side": "host"}]}
        r = client.post("/api/v1/meetings", json=body, headers=h)
        assert r.status_code == 422 and "no organisation" in r.text, r.text
    made = {}
    for n, tlp in enumerate(("RED", "AMBER+STRICT"), start=1):
        r = client.post("/api/v1/meetings", json=meeting(n, tlp), headers=h)
        assert r.status_code == 201, r.text
        made[tlp] = r.json()
    for tlp, body in made.items():
        item = body["decisions"][0]["actions"][0]
        assert item["tlp"] == tlp  # the meeting's marking, not AMBER
        assert client.get(f"/api/v1/meetings/{body['id']}", headers=h).status_code == 200
        assert client.get(f"/api/v1/actions/{item['id']}", headers=h).status_code == 200
        for path in (f"/api/v1/meetings/{body['id']}", f"/api/v1/actions/{item['id']}"):
            assert client.get(path, headers=partner).status_code == 404, (tlp, path)
        decision = body["decisions"][0]["id"]
        r = client.post(
            f"/api/v1/decisions/{decision}/actions",
            json={"title": "x", "owner": world.orgs["partner"], "due_on": "2024-06-01"},
            headers=partner,
        )
        assert r.status_code == 404 and f"no decision with id {decision}" in r.text, r.text
    r = client.post(
        "/api/v1/measures",
        json={"site_id": world.sites["AMBER"], "kind": "cctv", "tlp": "RED"},
        headers=world.headers("owner", "site_manager"),
    )
    assert r.status_code == 201, r.text
    measure = r.json()["id"]
    r = client.get(f"/api/v1/measures/{measure}", headers=world.headers("owner", "site_manager"))
    assert r.status_code == 200, r.text
    # the RED item falls due: no organisation may read it, so none is alerted
    with sessionmaker(bind=engine)() as s:
        red_item = s.get(ActionItem, made["RED"]["decisions"][0]["actions"][0]["id"])
        strict_item = s.get(ActionItem, made["AMBER+STRICT"]["decisions"][0]["actions"][0]["id"])
        assert red_item is not None and strict_item is not None
        now = datetime(2024, 6, 2, 8, 0, tzinfo=UTC)
        assert jwg.alert_action_overdue(s, item=red_item, now=now) == 0
        assert jwg.alert_action_overdue(s, item=strict_item, now=now) >= 1  # its owner hears
        s.commit()


def test_a_meeting_number_another_organisation_holds_unread_is_free(
    client: TestClient, world: World
) -> None:
    """The owner's AMBER+STRICT record of the 5th meeting of a series made a partner's 409
    ("recorded already"), telling it the hidden meeting existed. A number is now refused
    only for the writer's own record, or one it may read (which it would have to tell apart
    from its own)."""
    body = {"series": "Corridor review", "number": 5, "held_on": "2024-05-01"}
    owner, partner = world.headers("owner", "analyst"), world.headers("partner", "analyst")
    r = client.post("/api/v1/meetings", json={**body, "tlp": "AMBER+STRICT"}, headers=owner)
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/meetings", json={**body, "tlp": "AMBER+STRICT"}, headers=partner)
    assert r.status_code == 201, r.text  # the hidden record is no clash
    again = client.post("/api/v1/meetings", json={**body, "tlp": "GREEN"}, headers=partner)
    assert again.status_code == 409 and "change it" in again.text  # its own is
    r = client.post("/api/v1/meetings", json={**body, "number": 6, "tlp": "GREEN"}, headers=owner)
    assert r.status_code == 201, r.text
    seen = client.post("/api/v1/meetings", json={**body, "number": 6}, headers=partner)
    assert seen.status_code == 409 and "by another organisation" in seen.text  # it reads it


def test_an_item_shared_beyond_its_meeting_names_the_meeting_to_no_one_else(
    engine: Engine, client: TestClient, world: World
) -> None:
    """The owner records, at an AMBER+STRICT meeting, an item another organisation carries
    out: that organisation reads the item, its alert and its API record, but not which meeting
    (nor decision) it came from; the recording organisation reads the item's overdue alert in
    full, though the item's marking alone would not show it the item (it owns the item's
    meeting, not the item)."""
    from safecorridor.accounts.models import User
    from safecorridor.alerts import service as alerts

    h = world.headers("owner", "analyst")
    action = {
        "title": "Fence the quarry",
        "owner": world.orgs["outsider"],
        "due_on": "2024-06-01",
        "tlp": "AMBER+STRICT",
    }
    body = {
        "number": 41,
        "held_on": "2024-05-01",
        "series": "Owner review",
        "tlp": "AMBER+STRICT",
        "decisions": [{"text": "Decided", "actions": [action]}],
    }
    r = client.post("/api/v1/meetings", json=body, headers=h)
    assert r.status_code == 201, r.text
    meeting = r.json()
    item_id = meeting["decisions"][0]["actions"][0]["id"]
    outsider = world.headers("outsider", "analyst")
    assert client.get(f"/api/v1/meetings/{meeting['id']}", headers=outsider).status_code == 404
    r = client.get(f"/api/v1/actions/{item_id}", headers=outsider)
    assert r.status_code == 200, r.text
    assert (r.json()["meeting_id"], r.json()["decision_id"]) == (None, None)
    mine = client.get(f"/api/v1/actions/{item_id}", headers=h).json()
    assert (mine["meeting_id"], mine["decision_id"]) == (
        meeting["id"],
        meeting["decisions"][0]["id"],
    )

    with sessionmaker(bind=engine)() as s:
        item = s.get(ActionItem, item_id)
        assert item is not None
        assert jwg.alert_action_overdue(s, item=item, now=datetime(2024, 6, 2, tzinfo=UTC)) == 2
        s.commit()
        theirs = s.get(User, world.users[("outsider", "analyst")])
        ours = s.get(User, world.users[("owner", "analyst")])
        assert theirs is not None and ours is not None
        (seen,) = alerts.inbox_entries(s, theirs)
        assert not isinstance(seen.alert, alerts.WithheldAlert)
        assert seen.alert.payload["meeting_id"] is None
        assert "41st" not in seen.alert.body and "meeting" not in seen.alert.body
        (recorded,) = alerts.inbox_entries(s, ours)
        assert not isinstance(recorded.alert, alerts.WithheldAlert), "the recorder lost it"
        assert recorded.alert.payload["meeting_id"] == meeting["id"]
        assert "(from the 41st meeting)" in recorded.alert.body
