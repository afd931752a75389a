"""Checkpoints: a log's count and head, kept by partners and in the database.

A chain that verifies link by link can still have lost its last events, or (SQLite) its whole
read log; checked against a checkpoint, `audit verify` names the loss.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safecorridor.cli.app import get_app
from safecorridor.db.base import utcnow
from safecorridor.db.engine import make_engine
from safecorridor.incidents.models import Incident
from safecorridor.sharing.audit import (
    EventData,
    append_batch,
    append_event,
    has_read_log,
    lock_chain,
    read_log_engine,
    read_log_url,
    record_read,
)
from safecorridor.sharing.models import AuditCheckpoint, AuditEvent
from tests.api.conftest import World

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    r = runner.invoke(get_app(), list(args))
    return r.exit_code, r.output


def _activity(client: TestClient, world: World) -> None:
    """Two writes and two audited reads."""
    h = world.headers("owner", "analyst")
    for injured in (2, 3):
        r = client.patch(
            f"/api/v1/incidents/{world.incidents['GREEN']}", json={"injured": injured}, headers=h
        )
        assert r.status_code == 200, r.text
    for tlp in ("AMBER", "AMBER+STRICT"):
        assert client.get(f"/api/v1/incidents/{world.incidents[tlp]}", headers=h).status_code == 200


def _notes(engine: Engine, n: int) -> None:
    """``n`` events that name no record's state (a sign-in, a briefing): only the chain and
    the checkpoints can tell if they go missing (a write's loss shows in its record too)."""
    with Session(engine) as s:
        for k in range(n):
            append_event(session=s, viewer=None, action="login", record_type="user", record_id=k)
        s.commit()


def _drop_last_events(engine: Engine, n: int) -> None:
    with Session(engine) as s, s.begin():
        ids = s.scalars(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(n)).all()
        s.execute(delete(AuditEvent).where(AuditEvent.id.in_(ids)))


def test_checkpoint_writes_each_logs_head_and_keeps_it(
    client: TestClient, world: World, engine: Engine, tmp_path: Path
) -> None:
    _activity(client, world)
    out = tmp_path / "partners" / "cp.json"
    code, text_out = invoke("audit", "checkpoint", "--out", str(out))
    assert code == 0, text_out
    doc = json.loads(out.read_text())
    logs = {entry["log"]: entry for entry in doc["logs"]}
    with Session(engine) as s:
        writes = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        stored = s.scalars(select(AuditCheckpoint).where(AuditCheckpoint.kind == "checkpoint"))
        assert {c.log: (c.event_count, c.head_hash) for c in stored} == {
            k: (v["event_count"], v["head_hash"]) for k, v in logs.items()
        }
    if has_read_log(engine):
        assert set(logs) == {"audit log", "read log"}
        assert logs["audit log"]["event_count"] == 2 and logs["read log"]["event_count"] == 2
    else:
        assert set(logs) == {"audit log"} and logs["audit log"]["event_count"] == 4
    assert logs["audit log"]["head_hash"] == writes[-1].hash
    assert len(doc["mac"]) == 64 and doc["created_at"].endswith("Z")
    code, text_out = invoke("audit", "verify", "--checkpoint", str(out))
    assert code == 0, text_out
    assert f"the logs still hold everything {out} names" in text_out


def test_deleting_a_write_event_shows_in_its_record_too(
    client: TestClient, world: World, engine: Engine
) -> None:
    _activity(client, world)
    with Session(engine) as s, s.begin():
        last = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "update").order_by(AuditEvent.id.desc())
        ).first()
        assert last is not None
        s.delete(last)
    code, out = invoke("audit", "verify")
    assert code == 1 and "differs from its last audited state" in out


def test_deleting_the_last_events_fails_verify_against_the_partners_checkpoint(
    client: TestClient, world: World, engine: Engine, tmp_path: Path
) -> None:
    _activity(client, world)
    _notes(engine, 2)
    cp = tmp_path / "cp.json"
    assert invoke("audit", "checkpoint", "--out", str(cp))[0] == 0
    # whoever truncates the log also removes the database's own checkpoints
    _drop_last_events(engine, 1)
    with engine.begin() as conn:
        conn.execute(delete(AuditCheckpoint))
    code, out = invoke("audit", "verify")
    assert code == 0, out  # what remains is a sound chain: the links alone cannot tell
    code, out = invoke("audit", "verify", "--checkpoint", str(cp))
    assert code == 1
    assert "audit log truncated" in out and "the checkpoint file" in out


def test_deleting_the_last_events_fails_verify_against_the_stored_checkpoint(
    client: TestClient, world: World, engine: Engine
) -> None:
    _activity(client, world)
    _notes(engine, 2)
    assert invoke("audit", "checkpoint")[0] == 0
    assert invoke("audit", "verify")[0] == 0
    _notes(engine, 3)  # events after the checkpoint may come and go unseen by it
    _drop_last_events(engine, 1)
    assert invoke("audit", "verify")[0] == 0
    with Session(engine) as s:
        now = s.scalar(select(func.count()).select_from(AuditEvent)) or 0
        seen = s.scalar(
            select(AuditCheckpoint.event_count).where(AuditCheckpoint.log == "audit log")
        )
    assert seen is not None and now > seen
    _drop_last_events(engine, now - seen + 1)  # now into what the checkpoint saw (a note)
    code, out = invoke("audit", "verify")
    assert code == 1 and "audit log truncated" in out


def test_a_stored_checkpoint_not_sealed_by_the_key_is_reported(
    client: TestClient, world: World, engine: Engine
) -> None:
    _activity(client, world)
    assert invoke("audit", "checkpoint")[0] == 0
    with engine.begin() as conn:  # lowered to fit a truncated log
        conn.execute(update(AuditCheckpoint).values(event_count=AuditCheckpoint.event_count - 1))
    code, out = invoke("audit", "verify")
    assert code == 1 and "is not sealed by the audit key" in out


def _direct_activity(engine: Engine) -> None:
    """A write's event and two reads' (through the writer: on SQLite, into the read log)."""
    with Session(engine) as s:
        append_event(session=s, viewer=None, action="update", record_type="incident", record_id=1)
        s.commit()
        for n in (1, 2):
            record_read(session=s, viewer=None, action="read", record_type="incident", record_id=n)
            s.rollback()


def test_a_deleted_read_log_fails_verify(sqlite_engine: Engine, tmp_path: Path) -> None:
    """SQLite only: PostgreSQL keeps reads in the records' chain (no read log to lose)."""
    _direct_activity(sqlite_engine)
    cp = tmp_path / "cp.json"
    assert invoke("audit", "checkpoint", "--out", str(cp))[0] == 0
    log = read_log_url(sqlite_engine.url)
    assert log is not None and log.database
    read_log_engine(sqlite_engine).dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(log.database + suffix).unlink(missing_ok=True)
    code, out = invoke("audit", "verify")
    assert code == 1
    assert "the read log file is missing" in out and "held 2 events" in out
    code, out = invoke("audit", "verify", "--checkpoint", str(cp))
    assert code == 1 and "the checkpoint file says it held 2 events" in out


def test_a_replaced_read_log_fails_verify(sqlite_engine: Engine) -> None:
    _direct_activity(sqlite_engine)
    assert invoke("audit", "checkpoint")[0] == 0
    log = read_log_url(sqlite_engine.url)
    assert log is not None and log.database
    read_log_engine(sqlite_engine).dispose()
    for suffix in ("", "-wal", "-shm"):
        Path(log.database + suffix).unlink(missing_ok=True)
    fresh = make_engine(log.render_as_string(hide_password=False))  # a sound chain of its own
    AuditEvent.metadata.create_all(fresh, tables=[AuditEvent.__table__])  # type: ignore[list-item]
    event = EventData(utcnow(), None, "x", "read", "incident", 1, "ab" * 32, {})
    with fresh.connect() as conn:
        lock_chain(conn)
        append_batch(conn, [event, event, event])
        conn.commit()
    fresh.dispose()
    with Session(read_log_engine(sqlite_engine)) as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 3
    code, out = invoke("audit", "verify")
    assert code == 1 and "read log replaced or rewritten" in out


def test_a_bad_checkpoint_file_gets_a_clear_error(engine: Engine, tmp_path: Path) -> None:
    bad = tmp_path / "cp.json"
    bad.write_text('{"format": "something else"}')
    code, out = invoke("audit", "verify", "--checkpoint", str(bad))
    assert code == 1 and "not a safecorridor-audit-checkpoint/1 document" in out
    bad.write_text("not json")
    code, out = invoke("audit", "verify", "--checkpoint", str(bad))
    assert code == 1 and "not JSON" in out
    code, out = invoke("audit", "verify", "--checkpoint", str(tmp_path / "none.json"))
    assert code == 1 and "cannot be read" in out
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_checkpoints")).scalar() == 0


def test_many_records_written_outside_the_audit_are_counted_not_all_printed(
    client: TestClient, world: World, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import safecorridor.cli.audit as audit_cli

    monkeypatch.setattr(audit_cli, "_SHOWN_PROBLEMS", 2)
    h = world.headers("owner", "analyst")
    audited = [world.incidents[t] for t in ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT")]
    for ident in audited:  # an audited state for each
        r = client.patch(f"/api/v1/incidents/{ident}", json={"injured": 1}, headers=h)
        assert r.status_code == 200, r.text
    with Session(engine) as s, s.begin():
        s.execute(update(Incident).values(notes="changed behind the audit's back"))
    code, out = invoke("audit", "verify")
    n = len(audited)
    assert code == 1
    assert f"{n} problems:" in out and f"and {n - 2} more problems" in out
    assert out.count("differs from its last audited state") == 2
