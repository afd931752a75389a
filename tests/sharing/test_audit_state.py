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
    with Session(engine) as s, s.begin():  # a token's audited creation
        token = s.scalars(select(ApiToken).order_by(ApiToken.id)).first()
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
