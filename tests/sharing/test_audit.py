"""The audit chain: writes and AMBER-or-stricter reads append links; tampering is found."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from safecorridor.cli.app import get_app
from safecorridor.sharing.audit import (
    GENESIS,
    append_event,
    audit_logs,
    has_read_log,
    read_key,
    verify_chain,
    verify_logs,
)
from safecorridor.sharing.models import AuditEvent
from safecorridor.sharing.policy import Viewer
from tests.api.conftest import World, build_world
from tests.auditlog import all_events, events_by_log


def _events(session: Session) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_writes_and_amber_reads_are_chained(
    client: TestClient, world: World, engine: Engine
) -> None:
    h = world.headers("owner", "analyst")
    client.get(f"/api/v1/incidents/{world.incidents['CLEAR']}", headers=h)  # not audited
    client.get(f"/api/v1/incidents/{world.incidents['AMBER']}", headers=h)
    client.patch(f"/api/v1/incidents/{world.incidents['GREEN']}", json={"injured": 2}, headers=h)
    events = all_events(engine)
    assert [(e.action, e.record_type, e.record_id) for e in events] == [
        ("read", "incident", world.incidents["AMBER"]),
        ("update", "incident", world.incidents["GREEN"]),
    ]
    logs = events_by_log(engine)
    if has_read_log(engine):  # SQLite: the read in the reads' file, the write with the records
        assert [e.action for e in logs["read log"]] == ["read"]
        assert [e.action for e in logs["audit log"]] == ["update"]
    else:  # PostgreSQL: one chain
        assert [e.action for e in logs["audit log"]] == ["read", "update"]
    for chain in logs.values():
        assert chain[0].prev_hash == GENESIS
        assert all(b.prev_hash == a.hash for a, b in pairwise(chain))
    assert events[0].user_id == world.users[("owner", "analyst")]
    assert all(len(e.state_hash) == 64 for e in events)
    client.get("/api/v1/incidents", headers=h)  # a page with AMBER records: one more link
    last = all_events(engine)[-1]
    assert last.action == "list" and len(last.details["record_ids"]) == 2
    assert all(report.is_intact for _, report in verify_logs(engine))


def test_verify_names_the_row_edited_behind_the_apis_back(
    client: TestClient, world: World, engine: Engine
) -> None:
    h = world.headers("owner", "analyst")
    for tlp in ("AMBER", "AMBER+STRICT", "AMBER"):
        client.get(f"/api/v1/incidents/{world.incidents[tlp]}", headers=h)
    client.patch(f"/api/v1/incidents/{world.incidents['GREEN']}", json={"injured": 2}, headers=h)
    runner = CliRunner()
    r = runner.invoke(get_app(), ["audit", "verify"])
    assert r.exit_code == 0, r.output
    if has_read_log(engine):
        assert "audit log chain intact: 1 event\n" in r.output
        assert "read log chain intact: 3 events" in r.output
    else:
        assert "audit log chain intact: 4 events" in r.output
    # a read's event edited behind the API's back, in whichever log holds the reads
    name, reads = audit_logs(engine)[-1]
    with reads.begin() as conn:
        ids = conn.execute(text("SELECT id FROM audit_events WHERE action = 'read' ORDER BY id"))
        victim = ids.scalars().all()[1]
        conn.execute(text("UPDATE audit_events SET record_id = 999 WHERE id = :id"), {"id": victim})
    r = runner.invoke(get_app(), ["audit", "verify"])
    assert r.exit_code == 1
    assert f"{name} chain broken at event {victim}" in r.output and "changed" in r.output
    # and a write's event, in the records' database
    with engine.begin() as conn:
        update = conn.execute(text("SELECT id FROM audit_events WHERE action = 'update'")).scalar()
        conn.execute(
            text("UPDATE audit_events SET actor = 'nobody' WHERE id = :id"), {"id": update}
        )
    r = runner.invoke(get_app(), ["audit", "verify"])
    assert r.exit_code == 1 and "audit log chain broken at event" in r.output


def test_a_deleted_link_breaks_the_chain_after_it(engine: Engine, session: Session) -> None:
    for n in range(4):
        append_event(session=session, viewer=None, action="create", record_type="x", record_id=n)
    session.commit()
    ids = [e.id for e in _events(session)]
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[1]})
    report = verify_chain(session, key=read_key())
    assert report.broken_id == ids[2] and "prev_hash" in report.reason


def test_concurrent_appends_keep_one_chain(engine: Engine) -> None:
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    def work(n: int) -> None:
        for k in range(5):
            with factory() as s, s.begin():
                append_event(
                    session=s,
                    viewer=Viewer(user_id=None, organisation_id=None),
                    action="read",
                    record_type="incident",
                    record_id=n * 100 + k,
                )

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(work, range(4)))
    with factory() as s:
        report = verify_chain(s, key=read_key())
        assert report.is_intact and report.checked == 20


def test_building_a_world_writes_no_audit_rows(engine: Engine) -> None:
    """Services called directly (fixtures, imports) leave auditing to their callers."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as s:
        build_world(s)
        assert _events(s) == []
