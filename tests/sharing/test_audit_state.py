"""`audit verify` compares each audited record's row with its last audited state."""

from __future__ import annotations

import subprocess
import sys

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safecorridor.accounts.models import ApiToken
from safecorridor.cli.app import get_app
from safecorridor.incidents.models import Incident
from safecorridor.sharing.audit import audit_write
from safecorridor.sharing.audit.state import verify_states
from safecorridor.sharing.models import AuditEvent
from tests.api.conftest import World

runner = CliRunner()


def _patched(client: TestClient, world: World, engine: Engine) -> tuple[int, int]:
    """An incident changed through the API: its id and the id of the write's event."""
    iid = world.incidents["GREEN"]
    h = world.headers("owner", "analyst")
    r = client.patch(f"/api/v1/incidents/{iid}", json={"injured": 4}, headers=h)
    assert r.status_code == 200, r.text
    with Session(engine) as s:
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.record_id == iid)
        ).one()
        assert event.details["table"] == "incidents" and "tlp" in event.details["fields"]
        return iid, event.id


def test_rows_written_through_the_services_match_their_audited_state(
    client: TestClient, world: World, engine: Engine
) -> None:
    _patched(client, world, engine)
    assert verify_states(engine) == []
    r = runner.invoke(get_app(), ["audit", "verify"])
    assert r.exit_code == 0, r.output


def test_a_tlp_changed_in_the_table_is_named_by_verify(
    client: TestClient, world: World, engine: Engine
) -> None:
    iid, event_id = _patched(client, world, engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE incidents SET tlp = 'CLEAR' WHERE id = :id"), {"id": iid})
    assert verify_states(engine) == [
        f"incident {iid} differs from its last audited state (event {event_id}): "
        "field tlp changed outside the audited services"
    ]
    r = runner.invoke(get_app(), ["audit", "verify"])
    assert r.exit_code == 1
    assert f"incident {iid} differs" in r.output and "field tlp changed" in r.output
    # the chain itself is sound: only the row was touched
    assert "audit log chain intact" in r.output


def test_several_fields_and_a_deleted_row_are_reported(
    client: TestClient, world: World, engine: Engine
) -> None:
    iid, event_id = _patched(client, world, engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE incidents SET fatalities = coalesce(fatalities, 0) + 1, tlp = 'RED' WHERE id = :id"
            ),
            {"id": iid},
        )
    (problem,) = verify_states(engine)
    assert "fields fatalities, tlp changed" in problem
    with engine.begin() as conn:
        for table in ("incident_changes", "incident_documents"):
            conn.execute(text(f"DELETE FROM {table} WHERE incident_id = :id"), {"id": iid})
        conn.execute(text("DELETE FROM incidents WHERE id = :id"), {"id": iid})
    assert verify_states(engine) == [
        f"incident {iid} is gone, yet no audited event deleted it (last: {event_id})"
    ]


def test_a_tokens_last_use_is_bookkeeping_but_its_expiry_is_not(
    client: TestClient, world: World, engine: Engine
) -> None:
    # a token's audited creation (the newest: the fixture's older tokens predate auditing)
    with Session(engine) as s, s.begin():
        token = s.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
        assert token is not None
        audit_write(session=s, viewer=None, action="create", obj=token, actor="test")
        token_id = token.id
    with engine.begin() as conn:  # what every authenticated request does
        conn.execute(text("UPDATE api_tokens SET last_used_at = created_at"))
    assert verify_states(engine) == []
    with engine.begin() as conn:  # what nobody may do unaudited
        conn.execute(
            text("UPDATE api_tokens SET expires_at = created_at WHERE id = :id"), {"id": token_id}
        )
    (problem,) = verify_states(engine)
    assert f"api_token {token_id} differs" in problem and "field expires_at changed" in problem


def test_audit_verify_sees_every_table_when_its_command_is_loaded_alone() -> None:
    # a process that loads only the `audit` command still compares every mapped table, not
    # just those its own imports happened to map
    code = (
        "import safecorridor.cli.audit\n"
        "from safecorridor.sharing.audit.state import _models\n"
        "n = len(_models())\n"
        "import safecorridor.models\n"
        "from safecorridor.db.base import Base\n"
        "print(n, len(Base.registry.mappers))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert int(out[0]) == int(out[1]) and int(out[0]) >= 40, out


def test_a_column_a_migration_added_is_compared_from_the_first_write_that_holds_it(
    engine: Engine,
) -> None:
    """Migration 0025 added ``actors.in_register`` and set it from the incidents: an actor
    whose last audited write is older holds no digest of it, and that backfill is no change
    behind the services' back; once a write holds the column, a change to it is named."""
    from safecorridor.incidents.actors import add_actor
    from safecorridor.incidents.models import Actor

    with Session(engine) as s:
        actor = add_actor(s, "Old Front", changed_by="test")
        s.commit()
        actor_id = actor.id
        event = s.scalars(
            select(AuditEvent).where(
                AuditEvent.record_type == "actor", AuditEvent.record_id == actor_id
            )
        ).one()
        assert "in_register" in event.details["fields"]
        event_id = event.id
    assert "in_register" in Actor.__audit_added__
    with engine.begin() as conn:
        conn.execute(text("UPDATE actors SET in_register = false WHERE id = :i"), {"i": actor_id})
    changed = (
        f"actor {actor_id} differs from its last audited state (event {event_id}): "
        "field in_register changed outside the audited services"
    )
    assert verify_states(engine) == [changed]
    # the same event as written before the migration: without the column's digest
    with Session(engine) as s:
        old = s.get_one(AuditEvent, event_id)
        fields = dict(old.details["fields"])
        del fields["in_register"]
        old.details = {**old.details, "fields": fields}
        s.commit()
    assert verify_states(engine) == []
    # another field changed behind the services' back is still named
    with engine.begin() as conn:
        conn.execute(text("UPDATE actors SET kind = 'company' WHERE id = :i"), {"i": actor_id})
    assert verify_states(engine) == [changed.replace("in_register", "kind")]


def test_rows_added_behind_the_services_are_named_by_verify(
    client: TestClient, world: World, engine: Engine
) -> None:
    """A forged grant of a RED record, a forged incident and a partnership added in its
    table: none has an audited write, and each changes what somebody reads."""
    owner = world.headers("owner", "analyst")
    made = client.post(
        "/api/v1/incidents",
        json={
            "event_date": "2023-03-01",
            "event_type": "Battles",
            "sub_event_type": "Armed clash",
            "latitude": 25.3,
            "longitude": 62.4,
            "tlp": "RED",
            "source_key": "audited-red",
            "actor1": "Audited Cell",
        },
        headers=owner,
    )
    assert made.status_code == 201, made.text
    red = made.json()["id"]
    partners = client.put(
        f"/api/v1/organisations/{world.orgs['owner']}/partners",
        json={"partner_ids": [world.orgs["partner"]]},
        headers=world.headers("owner", "admin"),
    )
    assert partners.status_code == 200, partners.text
    assert verify_states(engine) == []  # the writer's grant and the partners are audited
    outsider = world.users[("outsider", "viewer")]
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO record_grants (record_type, record_id, user_id, granted_by, "
                "granted_at) VALUES ('incident', :r, :u, 'x', '2026-12-07')"
            ),
            {"r": red, "u": outsider},
        )
        # a copy of the RED incident, marked CLEAR for every user to read
        columns = [c.name for c in Incident.__table__.columns if c.name != "id"]
        copied = ", ".join({"source_key": "'forged'", "tlp": "'CLEAR'"}.get(c, c) for c in columns)
        conn.execute(
            text(
                f"INSERT INTO incidents ({', '.join(columns)}) "
                f"SELECT {copied} FROM incidents WHERE id = :r"
            ),
            {"r": red},
        )
        # a forged alias: a name typed into any record would then link to that actor
        conn.execute(
            text(
                "INSERT INTO actor_aliases (actor_id, alias, key) "
                "SELECT actor_id, 'Forged Front', 'forged front' FROM actor_aliases LIMIT 1"
            )
        )
        alias = conn.execute(
            text("SELECT id FROM actor_aliases WHERE key = 'forged front'")
        ).scalar()
        conn.execute(
            text("INSERT INTO organisation_partners (organisation_id, partner_id) VALUES (:o, :p)"),
            {"o": world.orgs["owner"], "p": world.orgs["outsider"]},
        )
        forged = conn.execute(text("SELECT id FROM incidents WHERE source_key = 'forged'")).scalar()
        grant = conn.execute(
            text("SELECT id FROM record_grants WHERE user_id = :u"), {"u": outsider}
        ).scalar()
    problems = verify_states(engine)
    assert (
        f"incident {forged} has no audited write: it was added outside the audited services"
        in problems
    )
    assert (
        f"record_grant {grant} has no audited write: it was added outside the audited services"
        in problems
    )
    (partner,) = [p for p in problems if p.startswith(f"organisation {world.orgs['owner']} ")]
    assert "field partners changed outside the audited services" in partner
    assert (
        f"actor_alias {alias} has no audited write: it was added outside the audited services"
        in problems
    )
    assert len(problems) == 4


def test_an_emptied_audit_log_is_no_intact_one(
    client: TestClient, world: World, engine: Engine
) -> None:
    _patched(client, world, engine)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_checkpoints"))
        conn.execute(text("DELETE FROM audit_events"))
    (problem,) = verify_states(engine)
    assert problem.startswith("the audit log holds no event, yet the store holds records (")
    assert "incidents" in problem and "users" in problem
    r = runner.invoke(get_app(), ["audit", "verify"])
    assert r.exit_code == 1 and "holds no event" in r.output
