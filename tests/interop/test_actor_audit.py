"""Actors created as a side effect of an import are chained with their state, in the import's
transaction: those a STIX or MISP bundle describes (``store_actors``), and those the names of
imported rows resolve into (``add_actor`` through the ``ActorResolver``). So `audit verify`
names an actor whose name or kind is changed in its table afterwards, on both databases."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from safecorridor.db.session import session_scope
from safecorridor.incidents.actors import add_actor
from safecorridor.incidents.models import Actor
from safecorridor.interop.intake import IntakeReport, store_actors
from safecorridor.interop.stix import ActorDraft
from safecorridor.sharing.audit.state import verify_states
from safecorridor.sharing.audit.verify import verify_all
from safecorridor.sharing.models import AuditEvent
from safecorridor.taxonomy.choices import TLP, ActorKind
from tests.ingestion.conftest import invoke
from tests.interop.conftest import PARTNER_MISP, partner_bundle_marked
from tests.sources.conftest import write_acled


def _actor_events(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(
            s.scalars(
                select(AuditEvent).where(AuditEvent.record_type == "actor").order_by(AuditEvent.id)
            )
        )


def _actors(engine: Engine) -> dict[int, str]:
    with Session(engine) as s:
        return {a.id: a.name for a in s.scalars(select(Actor))}


def _rename(engine: Engine, actor_id: int) -> None:
    """What the services never do: an actor renamed and re-kinded in the table itself."""
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE actors SET name = 'Somebody else', kind = 'state_force' WHERE id = :id"),
            {"id": actor_id},
        )


def _changed(actor_id: int, event_id: int) -> str:
    return (
        f"actor {actor_id} differs from its last audited state (event {event_id}): "
        "fields kind, name changed outside the audited services"
    )


def test_the_actors_a_stix_import_creates_are_chained_and_a_renamed_one_is_named(
    engine: Engine, tmp_path: Path
) -> None:
    bundle = partner_bundle_marked(tmp_path, TLP.GREEN)  # GREEN: its actors join the register
    code, out = invoke("import", "stix", str(bundle))
    assert code == 0, out
    actors = _actors(engine)
    events = _actor_events(engine)
    assert actors and sorted(e.record_id or 0 for e in events) == sorted(actors)
    assert {(e.action, e.actor) for e in events} == {("create", "import stix")}
    assert all(e.details["table"] == "actors" and "name" in e.details["fields"] for e in events)
    assert verify_all(engine).is_intact

    # importing the bundle again creates no actor, and chains nothing more of them
    code, out = invoke("import", "stix", str(bundle))
    assert code == 0, out
    assert len(_actor_events(engine)) == len(events)

    first = events[0]
    _rename(engine, first.record_id or 0)
    assert verify_states(engine) == [_changed(first.record_id or 0, first.id)]
    code, out = invoke("audit", "verify")
    assert code == 1 and f"actor {first.record_id} differs" in out, out


def test_the_actors_a_misp_import_creates_are_chained(engine: Engine) -> None:
    code, out = invoke("import", "misp", str(PARTNER_MISP))
    assert code == 0, out
    events = _actor_events(engine)
    assert _actors(engine) and sorted(e.record_id or 0 for e in events) == sorted(_actors(engine))
    assert {(e.action, e.actor) for e in events} == {("create", "import misp")}
    assert verify_all(engine).is_intact


def test_an_existing_actor_a_bundle_gives_a_parent_is_chained_as_updated(engine: Engine) -> None:
    with session_scope(engine) as s:
        unit = add_actor(s, "Coastal Unit", kind=ActorKind.ARMED_GROUP, changed_by="test")
        unit_id = unit.id
    drafts = {
        "threat-actor--1": ActorDraft("threat-actor--1", "Alpha Front", "armed_group"),
        "threat-actor--2": ActorDraft(
            "threat-actor--2", "Coastal Unit", "armed_group", parent_stix_id="threat-actor--1"
        ),
    }
    with session_scope(engine) as s:
        ids = store_actors(s, drafts, IntakeReport(), actor="feed:partner")
    events = _actor_events(engine)
    assert [(e.action, e.actor, e.record_id) for e in events] == [
        ("create", "test", unit_id),
        ("create", "feed:partner", ids["threat-actor--1"]),
        ("update", "feed:partner", unit_id),
    ]
    assert verify_all(engine).is_intact  # the parent given is in the chained state


def test_the_actors_imported_rows_name_are_chained_by_the_import(
    engine: Engine, tmp_path: Path
) -> None:
    code, out = invoke("import", "acled", str(write_acled(tmp_path / "acled.csv")))
    assert code == 0, out
    actors = _actors(engine)
    events = _actor_events(engine)
    assert actors and sorted(e.record_id or 0 for e in events) == sorted(actors)
    assert {e.action for e in events} == {"create"}
    assert {e.actor for e in events} == {
        e.actor for e in _all_events(engine) if e.record_type == "incident" and e.action == "import"
    }  # the same name as the import's incidents
    assert verify_all(engine).is_intact
    last = events[-1]
    _rename(engine, last.record_id or 0)
    assert verify_states(engine) == [_changed(last.record_id or 0, last.id)]


def test_add_actor_chains_a_new_or_changed_actor_for_an_audited_caller_only(
    engine: Engine,
) -> None:
    with session_scope(engine) as s:
        add_actor(s, "Fixture Front")  # a caller that audits nothing itself (a fixture)
    assert _actor_events(engine) == []
    with session_scope(engine) as s:
        add_actor(s, "Valley Movement", changed_by="test")
    with session_scope(engine) as s:
        add_actor(s, "Valley Movement", changed_by="test")  # the same: nothing to chain
    with session_scope(engine) as s:
        add_actor(s, "Valley Movement", description="A movement.", changed_by="test")
    assert [e.action for e in _actor_events(engine)] == ["create", "update"]
    assert verify_all(engine).is_intact


def _all_events(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _alias_events(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(
            s.scalars(
                select(AuditEvent)
                .where(AuditEvent.record_type == "actor_alias")
                .order_by(AuditEvent.id)
            )
        )


def test_an_alias_given_to_an_existing_actor_is_chained_and_a_changed_alias_is_named(
    engine: Engine,
) -> None:
    with session_scope(engine) as s:
        add_actor(s, "Valley Movement", changed_by="test")
    with session_scope(engine) as s:
        # no column of the actor changes: the alias alone is the write
        add_actor(s, "Valley Movement", aliases=["VM"], changed_by="review")
    events = _alias_events(engine)
    assert [(e.action, e.actor) for e in events] == [("create", "test"), ("create", "review")]
    assert events[-1].details["table"] == "actor_aliases"
    assert verify_all(engine).is_intact

    # an alias pointed at another name in the table itself is named by verify
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE actor_aliases SET alias = 'Somebody', key = 'somebody' WHERE id = :id"),
            {"id": events[-1].record_id},
        )
    problems = verify_states(engine)
    assert len(problems) == 1 and f"actor_alias {events[-1].record_id} differs" in problems[0]


def test_the_aliases_a_bundle_gives_are_chained_by_the_import(engine: Engine) -> None:
    with session_scope(engine) as s:
        add_actor(s, "Coastal Unit", kind=ActorKind.ARMED_GROUP, changed_by="test")
    drafts = {
        "threat-actor--2": ActorDraft(
            "threat-actor--2", "Coastal Unit", "armed_group", aliases=["Coast Brigade"]
        ),
    }
    with session_scope(engine) as s:
        store_actors(s, drafts, IntakeReport(), actor="feed:partner")
    assert [(e.action, e.actor) for e in _alias_events(engine)] == [
        ("create", "test"),
        ("create", "feed:partner"),
    ]
    assert verify_all(engine).is_intact
