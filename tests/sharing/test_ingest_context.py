"""What a new document's extraction may draw on, and what it is a duplicate of, under the TLP
matrix: the store's actor names and sites the extractor is offered, and the stored copies of
its text, are only those every reader of the new document may read. A partner's AMBER+STRICT
copy of a text neither stops another organisation's ingest nor tells it the text is held."""

from __future__ import annotations

from itertools import product

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from safecorridor.incidents.actors import add_actor
from safecorridor.incidents.models import Incident
from safecorridor.sharing.policy import shown_to_every_reader_of
from safecorridor.sources.dedup import document_key, keys_shown_to, text_sha256
from safecorridor.sources.ingest import registry_places, store_aliases
from safecorridor.sources.models import Document
from safecorridor.taxonomy.choices import TLP
from tests.api.conftest import ORGS, World
from tests.conftest import SEED_REPORT

MARKINGS = [t.value for t in TLP]
#: every kind of reader: an anonymous visitor, and a member of each organisation
READERS = ("anonymous", *ORGS)


def readers(tlp: str, owner: str | None) -> set[str] | None:
    """Who reads a record so marked and owned (``owner`` lists ``partner``). For RED, the
    grantees, whom nothing stops from being anybody signed in; ``None``: unknown as a set."""
    if tlp == "CLEAR":
        return set(READERS)
    if tlp == "GREEN":
        return set(ORGS)
    if tlp == "RED":
        return None
    if owner is None:
        return set()
    if tlp == "AMBER":
        return {owner, "partner"} if owner == "owner" else {owner}
    return {owner}


def shown(new: tuple[str, str | None], old: tuple[str, str | None]) -> bool:
    """The oracle: may every reader of ``new`` read ``old``? (A RED ``old`` is read by its
    grantees only, whom nothing promises to be the new record's readers.)"""
    theirs = readers(*old)
    if theirs is None:
        return False
    ours = readers(*new)
    return (set(ORGS) if ours is None else ours) <= theirs


def expected(new: tuple[str, str | None], old: tuple[str, str | None]) -> bool:
    """Shown, and found without following partnerships: ``old`` is open, or has ``new``'s
    owner and a marking no stricter. (An organisation's AMBER copy that every reader of
    ``new`` happens to read through the partner lists is not used: the rule errs on the side
    of reading a text again.)"""
    if old[0] in ("CLEAR", "GREEN"):
        return shown(new, old)
    same_owner = old[1] == new[1] and new[1] is not None
    return same_owner and MARKINGS.index(old[0]) <= MARKINGS.index(new[0]) < 4


OWNERS: list[str | None] = [*ORGS, None]
CASES = list(product(MARKINGS, OWNERS))


def test_a_copy_is_the_same_document_only_when_every_reader_of_the_new_one_reads_it() -> None:
    ids = {name: n for n, name in enumerate(ORGS, start=1)}
    digest = text_sha256("A bomb hit a convoy near Gwadar on Monday.")

    def key(case: tuple[str, str | None]) -> str:
        return document_key(digest, case[0], ids.get(case[1] or ""))

    for new, old in product(CASES, CASES):
        found = key(old) in keys_shown_to(digest, new[0], ids.get(new[1] or ""))
        assert not found or shown(new, old) or key(old) == key(new), (new, old)
        if expected(new, old):
            assert found, (new, old)
    # the copies under different markings or owners are different keys (both can be stored)
    assert len({key(c) for c in CASES if c[0] not in ("CLEAR", "GREEN")}) == 3 * len(ORGS) + 3
    assert document_key(digest, "CLEAR", 2) == digest  # a CLEAR copy keeps the text's digest


def test_the_query_layer_agrees_with_the_tlp_matrix(engine: Engine, world: World) -> None:
    """``shown_to_every_reader_of`` on the database: for a new record of every marking and
    owner, the stored documents it may show are those the matrix says every reader reads."""
    names = {ident: org for org, ident in world.orgs.items()}
    with Session(engine) as s:
        for n, (tlp, owner) in enumerate(CASES):
            s.add(
                Document(
                    sha256=f"{1000 + n:064d}",
                    title=f"{tlp}/{owner}",
                    tlp=tlp,
                    owner_org_id=world.orgs[owner] if owner else None,
                )
            )
        s.commit()
        stored = {
            d.id: (d.tlp, names.get(d.owner_org_id or 0))
            for d in s.scalars(select(Document).where(Document.title.contains("/")))
        }
        for tlp, owner in CASES:
            cond = shown_to_every_reader_of(Document, tlp, world.orgs[owner] if owner else None)
            got = set(s.scalars(select(Document.id).where(cond, Document.id.in_(stored))))
            may = {i for i, old in stored.items() if shown((tlp, owner), old)}
            must = {i for i, old in stored.items() if expected((tlp, owner), old)}
            assert must <= got <= may, (tlp, owner)


def test_the_extractor_is_offered_only_the_names_and_sites_every_reader_may_read(
    engine: Engine, world: World
) -> None:
    """An armed group named only by the owner's AMBER+STRICT incident (a name the extractor's
    own table does not know) and the owner's sites of each marking."""
    with Session(engine) as s:
        for tlp in MARKINGS:
            cell = add_actor(  # a record's actor (as one typed into it), not the register's
                s,
                f"Cell {tlp}",
                kind="armed_group",
                aliases=[f"Cell {tlp} Front"],
                in_register=False,
            )
            s.flush()
            s.get_one(Incident, world.incidents[tlp]).actor1_id = cell.id
        s.commit()
        for tlp, owner in CASES:
            org = world.orgs[owner] if owner else None
            named = {v for v in store_aliases(s, tlp, org).values() if v.startswith("Cell ")}
            sites = {p["name"] for p in registry_places(s, tlp, org)}
            may = {m for m in MARKINGS if shown((tlp, owner), (m, "owner"))}
            must = {m for m in MARKINGS if expected((tlp, owner), (m, "owner"))}
            for prefix, got in (("Cell", named), ("Site", sites)):
                assert {f"{prefix} {m}" for m in must} <= got, (tlp, owner)
                assert got <= {f"{prefix} {m}" for m in may}, (tlp, owner)


SEED = {
    "text": SEED_REPORT.read_text(encoding="utf-8"),
    "published": "2022-09-12",
    "publisher": "Example Wire",
    "reliability": "B",
}


@pytest.mark.parametrize("held", ["AMBER+STRICT", "AMBER", "RED"])
def test_a_text_another_organisation_holds_privately_is_stored_and_read_for_the_ingester(
    client: TestClient, world: World, held: str
) -> None:
    owner, outsider = world.headers("owner", "analyst"), world.headers("outsider", "analyst")
    first = client.post("/api/v1/documents", json={**SEED, "tlp": held}, headers=owner)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "new" and first.json()["candidates"]

    r = client.post("/api/v1/documents", json={**SEED, "tlp": "GREEN"}, headers=outsider)
    assert r.status_code == 201, r.text
    body = r.json()
    # not "duplicate" (which would tell the outsider the owner holds the text), and read
    assert body["status"] == "new" and body["duplicate_of_id"] is None
    assert body["near_duplicate_of_id"] is None
    assert len(body["candidates"]) == len(first.json()["candidates"])
    assert set(body["document_ids"]).isdisjoint(first.json()["document_ids"])

    # a syndicated copy, edited: not a near-duplicate of the owner's either
    edited = SEED["text"].replace("Pakistan", "Islamabad", 1) + "\nThe talks went on.\n"
    r = client.post(
        "/api/v1/documents", json={**SEED, "text": edited, "tlp": "AMBER"}, headers=outsider
    )
    assert r.status_code == 201, r.text
    assert r.json()["near_duplicate_of_id"] in (None, *body["document_ids"])

    # the outsider's own copy is a duplicate for the outsider, and names it
    again = client.post("/api/v1/documents", json={**SEED, "tlp": "GREEN"}, headers=outsider)
    assert again.status_code == 200, again.text
    assert again.json()["status"] == "duplicate"
    assert again.json()["duplicate_of_id"] == body["document_ids"][0]


def test_a_copy_every_reader_may_read_is_still_a_duplicate(
    client: TestClient, world: World
) -> None:
    """The owner's GREEN copy makes the partner's AMBER ingest of the same text a duplicate,
    and says of which document."""
    first = client.post(
        "/api/v1/documents",
        json={**SEED, "tlp": "GREEN"},
        headers=world.headers("owner", "analyst"),
    )
    assert first.status_code == 201, first.text
    r = client.post(
        "/api/v1/documents",
        json={**SEED, "tlp": "AMBER"},
        headers=world.headers("partner", "analyst"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "duplicate"
    assert r.json()["duplicate_of_id"] == first.json()["document_ids"][0]
