"""A typed actor name links a new record to a stored actor only when every reader of the
record may already read that actor; otherwise the record gets an actor of its own, so the
stored spelling, aliases and description of a name known from hidden records reach nobody."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from safecorridor.incidents.actors import add_aliases
from safecorridor.incidents.models import Actor, Incident
from safecorridor.interop.intake import IntakeReport, store_actors
from safecorridor.interop.stix import ActorDraft
from safecorridor.taxonomy.choices import TLP
from tests.api.conftest import World

INCIDENT = {
    "event_date": "2023-03-01",
    "event_type": "Violence against civilians",
    "sub_event_type": "Attack",
    "latitude": 25.3,
    "longitude": 62.4,
    "location": "Gwadar",
}


def _post(client: TestClient, h: dict[str, str], key: str, **extra: Any) -> dict[str, Any]:
    r = client.post("/api/v1/incidents", json={**INCIDENT, "source_key": key, **extra}, headers=h)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _actor_of(engine: Engine, incident_id: int) -> Actor:
    with Session(engine) as s:
        inc = s.get_one(Incident, incident_id)
        assert inc.actor1 is not None
        actor = inc.actor1
        s.expunge_all()
        return actor


def _hidden_cell(client: TestClient, world: World, engine: Engine, tlp: str) -> Actor:
    """The owner's record naming "Secret Cell Omega", with an alias and a description only
    its readers may know."""
    made = _post(
        client,
        world.headers("owner", "analyst"),
        f"hidden-{tlp}",
        tlp=tlp,
        actor1="Secret Cell Omega",
    )
    with Session(engine) as s:
        actor = s.get_one(Incident, made["id"]).actor1
        assert actor is not None
        actor.description = "meets at the old quarry"
        add_aliases(s, actor, ["Omega Front"])
        s.commit()
    return _actor_of(engine, made["id"])


def test_a_name_known_only_from_hidden_records_is_not_lent_to_another_organisation(
    client: TestClient, world: World, engine: Engine
) -> None:
    hidden = _hidden_cell(client, world, engine, "AMBER+STRICT")
    outsider = world.headers("outsider", "analyst")
    theirs = _post(client, outsider, "theirs", tlp="GREEN", actor1="secret cell OMEGA")
    # their record names the name they typed, not the stored spelling of the hidden one
    assert theirs["actor1"] == "secret cell OMEGA"
    mine = _actor_of(engine, theirs["id"])
    assert mine.id != hidden.id and mine.in_register  # named by an open record
    for org in ("outsider", "partner"):
        h = world.headers(org, "viewer")
        listed = client.get("/api/v1/actors", params={"search": "omega"}, headers=h).json()
        assert [a["name"] for a in listed["data"]] == ["secret cell OMEGA"], org
        assert "Omega Front" not in json.dumps(listed)
        # the filter by name finds their record only
        found = client.get("/api/v1/incidents", params={"actor": "Omega Front"}, headers=h)
        assert found.status_code == 422, org  # the alias is the hidden record's
        found = client.get("/api/v1/incidents", params={"actor": "Secret Cell Omega"}, headers=h)
        assert {r["id"] for r in found.json()["data"]} == {theirs["id"]}, org
    # the owner reads both records: the filter by the name finds both actors' records
    h = world.headers("owner", "analyst")
    found = client.get("/api/v1/incidents", params={"actor": "Secret Cell Omega"}, headers=h)
    assert len(found.json()["data"]) == 2


def test_the_owners_next_record_of_the_same_readers_names_the_same_actor(
    client: TestClient, world: World, engine: Engine
) -> None:
    hidden = _hidden_cell(client, world, engine, "AMBER+STRICT")
    owner = world.headers("owner", "analyst")
    again = _post(client, owner, "again", tlp="AMBER+STRICT", actor1="Omega Front")
    assert _actor_of(engine, again["id"]).id == hidden.id
    assert again["actor1"] == "Secret Cell Omega"
    # a record the partner also reads (AMBER) does not take it: the partner never read it
    wider = _post(client, owner, "wider", tlp="AMBER", actor1="Secret Cell Omega")
    actor = _actor_of(engine, wider["id"])
    assert actor.id != hidden.id and not actor.in_register
    r = client.get(f"/api/v1/incidents/{wider['id']}", headers=world.headers("partner", "viewer"))
    assert r.status_code == 200 and "quarry" not in r.text and "Omega Front" not in r.text
    # and a second AMBER record of the owner takes that one (the same readers)
    third = _post(client, owner, "third", tlp="AMBER", actor1="secret cell omega")
    assert _actor_of(engine, third["id"]).id == actor.id


def test_a_register_actor_is_lent_to_records_of_any_marking(
    client: TestClient, world: World, engine: Engine
) -> None:
    with Session(engine) as s:
        s.add(Actor(name="Open Group"))
        s.flush()
        register = s.scalars(select(Actor).where(Actor.name == "Open Group")).one()
        add_aliases(s, register, ["Open Group"])
        s.commit()
        register_id = register.id
    for n, (org, tlp) in enumerate((("owner", "RED"), ("outsider", "AMBER+STRICT"))):
        made = _post(
            client, world.headers(org, "analyst"), f"open-{n}", tlp=tlp, actor1="open group"
        )
        assert _actor_of(engine, made["id"]).id == register_id
        assert made["actor1"] == "Open Group"


def test_a_clear_import_of_a_hidden_name_makes_a_register_actor_of_its_own(
    client: TestClient, world: World, engine: Engine
) -> None:
    hidden = _hidden_cell(client, world, engine, "RED")
    with Session(engine) as s:
        report = IntakeReport()
        draft = ActorDraft(
            stix_id="threat-actor--6b1f0a52-0f0f-4c5e-9a39-1d4c0b4a9e11",
            name="Secret Cell Omega",
            kind="armed_group",
            aliases=["SCO"],
            description="an open description",
            tlp=TLP.CLEAR,
        )
        ids = store_actors(s, {draft.stix_id: draft}, report)
        s.commit()
        # a new actor, in the register, and nothing lent to or taken from the hidden one
        assert report.actors_new == 1 and ids[draft.stix_id] != hidden.id
        kept = s.get_one(Actor, hidden.id)
        assert kept.description == "meets at the old quarry"
        assert sorted(a.alias for a in kept.aliases) == ["Omega Front", "Secret Cell Omega"]
    h = world.headers("outsider", "viewer")
    listed = client.get("/api/v1/actors", params={"search": "omega"}, headers=h).json()
    assert [(a["name"], sorted(a["aliases"])) for a in listed["data"]] == [
        ("Secret Cell Omega", ["SCO", "Secret Cell Omega"])
    ]
