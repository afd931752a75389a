"""One name, two actors: an actor known only from one organisation's AMBER+STRICT records and
the register's actor of the same name (migration 0025) are two STIX objects with two ids, in
the STIX bundle, through TAXII ``match[id]`` and as MISP galaxy clusters. The register's keeps
the id of its name alone (the same in every instance's export); the other's id cannot be
computed from the name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from safecorridor.db.session import session_scope
from safecorridor.incidents.actors import add_aliases
from safecorridor.incidents.models import Actor, Incident
from safecorridor.incidents.service import create_incident
from safecorridor.interop.extension import EXTENSION_ID, object_id
from safecorridor.interop.markings import MARKING_IDS
from safecorridor.interop.taxii import MEDIA_TAXII
from safecorridor.taxonomy.choices import TLP
from tests.api.conftest import World
from tests.factories import incident_in
from tests.interop.conftest import clear, export_bundle, records
from tests.interop.test_stix import import_own

NAME = "Zarghun Shadow Front"
HIDDEN_ALIAS = "ZSF Night Cell"
ROOT = "/taxii2/api/"


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    from safecorridor.app import create_app

    with TestClient(create_app()) as c:
        yield c


def two_actors_of_one_name(engine: Engine, world: World) -> tuple[int, int]:
    """The owner's AMBER+STRICT incident names NAME first (a hidden actor, with an alias of
    its own), then the outsider's GREEN incident names it (the register's actor)."""
    with session_scope(engine) as s:
        strict = create_incident(
            session=s,
            incident_in=incident_in(
                actor1=NAME, claimed_by=None, tlp="AMBER+STRICT", source_key="zsf-strict"
            ),
            owner_org_id=world.orgs["owner"],
            changed_by="test",
        )
        hidden = s.get_one(Actor, strict.actor1_id)
        add_aliases(s, hidden, [HIDDEN_ALIAS])
        green = create_incident(
            session=s,
            incident_in=incident_in(
                actor1=NAME, claimed_by=None, tlp="GREEN", source_key="zsf-green"
            ),
            owner_org_id=world.orgs["outsider"],
            changed_by="test",
        )
        public = s.get_one(Actor, green.actor1_id)
        assert (hidden.in_register, public.in_register) == (False, True)
        return hidden.id, public.id


def _named(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for o in objects if o.get("name") == NAME]


def _report_actor(objects: list[dict[str, Any]], key: str) -> str:
    report = next(
        o
        for o in objects
        if o["type"] == "report" and o["extensions"][EXTENSION_ID]["source_key"] == key
    )
    ref: str = report["extensions"][EXTENSION_ID]["actor1_ref"]
    return ref


NAME_ID = object_id("threat-actor", "actor:zarghun shadow front")


def test_two_actors_of_one_name_are_two_objects_each_with_its_marking_and_aliases(
    engine: Engine, world: World, client: TestClient
) -> None:
    two_actors_of_one_name(engine, world)
    r = client.get("/api/v1/stix/bundle", headers=world.headers("owner", "analyst"))
    assert r.status_code == 200, r.text
    objects = r.json()["objects"]
    named = {o["object_marking_refs"][0]: o for o in _named(objects)}
    assert len(_named(objects)) == 2 and len({o["id"] for o in named.values()}) == 2
    hidden = named[MARKING_IDS[TLP.AMBER_STRICT]]
    public = named[MARKING_IDS[TLP.GREEN]]
    assert hidden["aliases"] == [HIDDEN_ALIAS] and "aliases" not in public
    # each report points at its own actor: the GREEN one at a GREEN object
    assert _report_actor(objects, "zsf-strict") == hidden["id"]
    assert _report_actor(objects, "zsf-green") == public["id"]
    # the register's actor keeps the id of its name (partners' exports of it agree); the
    # hidden one's is not that of its name, under any type
    assert public["id"] == NAME_ID
    assert hidden["id"] not in {
        object_id(t, "actor:zarghun shadow front")
        for t in ("threat-actor", "intrusion-set", "identity")
    }
    # stable: the next export gives the same ids
    again = client.get("/api/v1/stix/bundle", headers=world.headers("owner", "analyst")).json()
    assert {o["id"] for o in _named(again["objects"])} == {hidden["id"], public["id"]}


def test_a_reader_of_the_green_record_gets_the_register_actor_only(
    engine: Engine, world: World, client: TestClient
) -> None:
    two_actors_of_one_name(engine, world)
    hidden_id = _report_actor(export_bundle(engine)["objects"], "zsf-strict")  # every record
    r = client.get("/api/v1/stix/bundle", headers=world.headers("outsider", "viewer"))
    assert r.status_code == 200, r.text
    [public] = _named(r.json()["objects"])
    assert public["id"] == NAME_ID != hidden_id
    assert public["object_marking_refs"] == [MARKING_IDS[TLP.GREEN]]
    assert HIDDEN_ALIAS not in r.text and hidden_id not in r.text


def test_taxii_match_id_finds_each_actor_in_its_own_collection(
    engine: Engine, world: World, client: TestClient
) -> None:
    two_actors_of_one_name(engine, world)
    objects = client.get("/api/v1/stix/bundle", headers=world.headers("owner", "analyst")).json()
    hidden_id = _report_actor(objects["objects"], "zsf-strict")
    h = {**world.headers("owner", "analyst"), "Accept": MEDIA_TAXII}

    def match(collection: str, sid: str) -> list[dict[str, Any]]:
        r = client.get(
            f"{ROOT}collections/{collection}/objects/", headers=h, params={"match[id]": sid}
        )
        assert r.status_code == 200, r.text
        found: list[dict[str, Any]] = r.json().get("objects", [])
        return found

    [green] = match("green", NAME_ID)
    assert green["object_marking_refs"] == [MARKING_IDS[TLP.GREEN]] and "aliases" not in green
    [strict] = match("amber-strict-owner", hidden_id)
    assert strict["aliases"] == [HIDDEN_ALIAS]
    assert strict["object_marking_refs"] == [MARKING_IDS[TLP.AMBER_STRICT]]
    assert match("green", hidden_id) == []
    # the outsider asks for the hidden actor's id: nothing, in any collection it reads
    outsider = {**world.headers("outsider", "viewer"), "Accept": MEDIA_TAXII}
    for collection in ("clear", "green", "partners-amber", "amber-strict-outsider", "red"):
        r = client.get(
            f"{ROOT}collections/{collection}/objects/",
            headers=outsider,
            params={"match[id]": hidden_id},
        )
        assert r.status_code == 200 and not r.json().get("objects"), (collection, r.text)


def test_the_misp_export_gives_each_actor_its_own_cluster(
    engine: Engine, world: World, client: TestClient
) -> None:
    two_actors_of_one_name(engine, world)
    r = client.get("/api/v1/misp/events", headers=world.headers("owner", "analyst"))
    assert r.status_code == 200, r.text
    clusters = [
        c
        for item in r.json()["response"]
        for g in item["Event"].get("Galaxy", [])
        for c in g["GalaxyCluster"]
        if c["value"] == NAME
    ]
    assert len(clusters) == 2 and len({c["uuid"] for c in clusters}) == 2
    assert NAME_ID.split("--")[1] in {c["uuid"] for c in clusters}
    assert json.dumps(clusters).count(HIDDEN_ALIAS) == 1


def test_an_export_of_both_imports_into_an_empty_store_without_an_orphan_actor(
    engine: Engine, world: World
) -> None:
    """Our export holds both objects now; imported into an empty store (``import stix`` of
    our own bundle), the register's actor is made from its object and keeps the id of its
    name, and the restricted one of that name is withheld rather than made as an actor that
    no record names and nobody reads."""
    two_actors_of_one_name(engine, world)
    bundle = export_bundle(engine)
    before = records(engine)
    clear(engine)
    report = import_own(engine, bundle)
    assert report.new == len(before) and records(engine) == before
    hidden_object = _report_actor(bundle["objects"], "zsf-strict")
    assert report.outcomes[hidden_object].startswith("not added to the actor register")
    with session_scope(engine) as s:
        actors = list(s.scalars(select(Actor).where(Actor.name == NAME)))
        assert [a.in_register for a in actors] == [True]
        named = {
            i
            for row in s.execute(
                select(Incident.actor1_id, Incident.actor2_id, Incident.claimed_by_id)
            )
            for i in row
        }
        orphans = [a.name for a in s.scalars(select(Actor)) if not (a.in_register or a.id in named)]
        assert orphans == []
        assert HIDDEN_ALIAS not in {x.alias for a in actors for x in a.aliases}
    again = export_bundle(engine)["objects"]
    assert _report_actor(again, "zsf-green") == NAME_ID  # the same id in this instance
