"""Values of the wrong form in what partners send, and in what a TAXII client sends back, get
a 4xx naming the field (never a 500), and nothing of them is stored: names and aliases that
are no text in a STIX bundle (stix2 made "['a']" and "5" of them, and three aliases of "abc"),
MISP times out of range, a MISP organisation whose name is a list, a galaxy cluster without a
uuid (read, as MISP's own clusters), and a TAXII ``next`` cursor out of range."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from safecorridor.db.session import session_scope
from safecorridor.incidents.models import Actor
from safecorridor.interop.markings import MARKING_IDS
from safecorridor.interop.taxii import MEDIA_TAXII
from safecorridor.review.models import Candidate
from safecorridor.taxonomy.choices import TLP
from tests.api.conftest import World
from tests.interop.conftest import PARTNER_BUNDLE, PARTNER_MISP

ROOT = "/taxii2/api/"
CLF = "threat-actor--1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c01"


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    from safecorridor.app import create_app

    with TestClient(create_app()) as c:
        yield c


def _actor_names(engine: Engine) -> set[str]:
    with session_scope(engine) as s:
        return set(s.scalars(select(Actor.name)))


def _candidates(engine: Engine) -> int:
    with session_scope(engine) as s:
        return len(s.scalars(select(Candidate.id)).all())


# ---------------------------------------------------------------------------- STIX names


def _partner_bundle(**actor: Any) -> dict[str, Any]:
    """The partner's bundle, its report marked GREEN (so its actors would join the register,
    which every user reads), its threat actor "Coastal Liberation Front" changed by
    ``actor``."""
    raw = PARTNER_BUNDLE.read_text(encoding="utf-8")
    bundle: dict[str, Any] = json.loads(raw.replace(MARKING_IDS[TLP.AMBER], MARKING_IDS[TLP.GREEN]))
    for obj in bundle["objects"]:
        if obj["id"] == CLF:
            obj.update(actor)
    return bundle


STIX_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "aliases a string": ({"aliases": "abc"}, "aliases must be a list of strings"),
    "aliases not strings": ({"aliases": [1, {"x": 1}, None]}, "aliases must be a list of strings"),
    "name a list": ({"name": ["a"]}, "name must be a string, not list"),
    "name a number": ({"name": 5}, "name must be a string, not int"),
    "description a list": ({"description": ["a"]}, "description must be a string, not list"),
}


@pytest.mark.parametrize("case", list(STIX_CASES))
def test_a_stix_name_or_alias_that_is_no_text_is_refused_naming_it(
    engine: Engine, world: World, client: TestClient, case: str
) -> None:
    change, expected = STIX_CASES[case]
    before = _actor_names(engine)
    r = client.post(
        "/api/v1/stix/bundle",
        headers=world.headers("owner", "analyst"),
        content=json.dumps(_partner_bundle(**change)),
    )
    assert r.status_code == 422, r.text
    assert f"{CLF}: {expected}" in r.json()["detail"], r.text
    assert _actor_names(engine) == before and _candidates(engine) == 0
    # through the TAXII inbox, the object fails alone and is stored under no name
    envelope = {"objects": _partner_bundle(**change)["objects"]}
    h = {**world.headers("owner", "analyst"), "Accept": MEDIA_TAXII, "Content-Type": MEDIA_TAXII}
    r = client.post(f"{ROOT}collections/inbox/objects/", headers=h, content=json.dumps(envelope))
    assert r.status_code == 202, r.text
    failures = {f["id"]: f["message"] for f in r.json()["failures"]}
    assert expected in failures[CLF], failures
    stored = _actor_names(engine) - before
    assert not stored & {"a", "b", "c", "1", "None", "{'x': 1}", "['a']", "5"}, stored


def test_the_partner_bundle_with_text_names_still_imports(
    engine: Engine, world: World, client: TestClient
) -> None:
    r = client.post(
        "/api/v1/stix/bundle",
        headers=world.headers("outsider", "analyst"),
        content=json.dumps(_partner_bundle(aliases=["CLF"])),
    )
    assert r.status_code == 200 and r.json()["candidates"] == 1, r.text


# ---------------------------------------------------------------------------- MISP events

Change = Callable[[dict[str, Any]], None]


def _event(change: Change) -> bytes:
    events = json.loads(PARTNER_MISP.read_bytes())
    item = copy.deepcopy(events["response"][0])
    change(item["Event"])
    return json.dumps({"response": [item]}).encode()


def _set_attribute(key: str, value: Any) -> Change:
    return lambda ev: ev["Attribute"][0].update({key: value})


def _set_event(key: str, value: Any) -> Change:
    return lambda ev: ev.update({key: value})


def _galaxy(**cluster: Any) -> Change:
    def change(ev: dict[str, Any]) -> None:
        ev["Galaxy"] = [
            {
                "type": "threat-actor",
                "name": "Threat Actor",
                "GalaxyCluster": [
                    {
                        "type": "threat-actor",
                        "value": "Harbour Night Brigade",
                        "tag_name": 'misp-galaxy:threat-actor="Harbour Night Brigade"',
                        "description": "A brigade.",
                        "GalaxyElement": [{"key": "synonyms", "value": "HNB"}],
                        **cluster,
                    }
                ],
            }
        ]

    return change


MISP_CASES: dict[str, tuple[Change, str]] = {
    "attribute timestamp past any date": (
        _set_attribute("timestamp", "99999999999999999"),
        "event 1: attribute 1: timestamp 99999999999999999 is not a Unix time between 1970 and",
    ),
    "event timestamp past any date": (
        _set_event("timestamp", "99999999999999999999"),
        "event 1: timestamp 99999999999999999999 is not a Unix time",
    ),
    "event timestamp in the year 5138": (
        _set_event("timestamp", "99999999999"),
        "event 1: timestamp 99999999999 is not a Unix time between 1970 and 2200",
    ),
    "event timestamp negative": (
        _set_event("timestamp", -5),
        "event 1: timestamp must be a Unix time in whole seconds",
    ),
    "object timestamp past any date": (
        lambda ev: ev["Object"][0].update({"timestamp": "99999999999999999"}),
        "event 1, object 1: timestamp 99999999999999999 is not a Unix time",
    ),
    "organisation name a list": (
        _set_event("Orgc", {"name": ["x"]}),
        "event 1: Orgc: name must be a string",
    ),
    "organisation not an object": (_set_event("Orgc", ["x"]), "event 1: Orgc must be an object"),
    "threat actor value a number": (
        _set_attribute("value", 5),
        "event 1: attribute 1: its value must be a string, not int",
    ),
    "threat actor aliases a list": (
        _set_attribute("comment", ["CLF"]),
        "event 1: attribute 1: comment must be a string",
    ),
    "cluster value a list": (
        _galaxy(value=["a"]),
        "event 1: galaxy 1, cluster 1: value must be a string",
    ),
    "cluster synonym a list": (
        _galaxy(GalaxyElement=[{"key": "synonyms", "value": ["a", "b"]}]),
        "event 1: galaxy 1, cluster 1, element 1: value must be a string",
    ),
}


@pytest.mark.parametrize("case", list(MISP_CASES))
def test_a_misp_value_of_the_wrong_form_is_refused_naming_the_field(
    engine: Engine, world: World, client: TestClient, case: str
) -> None:
    change, expected = MISP_CASES[case]
    before = _actor_names(engine)
    r = client.post(
        "/api/v1/misp/events", headers=world.headers("owner", "analyst"), content=_event(change)
    )
    assert r.status_code == 422, r.text
    assert expected in r.json()["detail"], r.text
    assert _actor_names(engine) == before and _candidates(engine) == 0


def test_a_galaxy_cluster_without_a_uuid_is_read_by_its_name(
    engine: Engine, world: World, client: TestClient
) -> None:
    r = client.post(
        "/api/v1/misp/events",
        headers=world.headers("owner", "analyst"),
        content=_event(_galaxy()),  # no uuid
    )
    assert r.status_code == 200, r.text
    assert r.json()["candidates"] == 1
    listed = client.get(
        "/api/v1/actors",
        params={"search": "Harbour Night"},
        headers=world.headers("outsider", "viewer"),
    ).json()["data"]
    [brigade] = [a for a in listed if a["name"] == "Harbour Night Brigade"]  # a GREEN event's
    assert "HNB" in brigade["aliases"]


def test_a_partner_event_with_times_in_range_still_imports(
    world: World, client: TestClient
) -> None:
    def change(ev: dict[str, Any]) -> None:
        ev["timestamp"] = 1709294400  # a number, as some producers write it
        ev["Attribute"][0]["timestamp"] = "1709294400"
        ev["publish_timestamp"] = "0"  # an event not yet published

    r = client.post(
        "/api/v1/misp/events", headers=world.headers("owner", "analyst"), content=_event(change)
    )
    assert r.status_code == 200 and r.json()["candidates"] == 1, r.text


# ---------------------------------------------------------------------------- TAXII cursor


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _uncursor(value: str) -> list[str]:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode().split("|")


def test_a_next_cursor_out_of_range_is_a_400_naming_next(world: World, client: TestClient) -> None:
    h = {**world.headers("owner", "admin"), "Accept": MEDIA_TAXII}
    url = f"{ROOT}collections/green/objects/"
    first = client.get(url, headers=h, params={"limit": 2}).json()
    assert first["more"] is True
    added, ident, offset = _uncursor(first["next"])
    assert int(offset) == 2  # within the first incident's objects
    cases = {
        "an incident id past any integer": f"2026-01-01T00:00:00|{'9' * 23}|0",
        "a position past any integer": f"{added}|{ident}|{'9' * 23}",
        "a negative position": f"{added}|{ident}|-2",  # it sent the page's objects again
        "a negative incident id": f"{added}|-1|0",
        "a time with a zone": f"{added}+05:00|{ident}|0",
    }
    for case, cursor in cases.items():
        r = client.get(url, headers=h, params={"next": _cursor(cursor), "limit": 2})
        assert r.status_code == 400, (case, r.text)
        assert r.headers["content-type"] == MEDIA_TAXII
        body = r.json()
        assert body["title"] == "Bad next" and body["description"].startswith("next "), body
    # the cursor the server gave goes on from where the first page ended
    again = client.get(url, headers=h, params={"next": first["next"], "limit": 2}).json()
    assert not {o["id"] for o in again["objects"]} & {o["id"] for o in first["objects"]}
