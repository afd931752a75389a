"""Backup and restore: a drill under write load finds every write acknowledged before the
backup and intact chains; a backup that does not check out is refused and nothing changes."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from safecorridor.cli.app import get_app
from safecorridor.db.engine import make_engine, migrate
from safecorridor.db.session import get_engine, reset_engine
from safecorridor.demo.loader import load_demo
from safecorridor.incidents.models import Actor, Incident, read_incidents_epoch
from safecorridor.incidents.service import create_incident as create_record
from safecorridor.movements.service import get_user
from safecorridor.ops.backup import MANIFEST, BackupError, backup, restore, sha256_file
from safecorridor.sharing.audit import audit_reads, flush_audit, verify_logs
from safecorridor.sharing.audit.state import verify_states
from safecorridor.sharing.policy import Viewer
from tests.factories import create_incident, incident_in
from tests.ops.aside import drop_schemas_set_aside

ANALYST = "analyst@jwg.example"


@pytest.fixture
def world(engine: Engine) -> Iterator[Engine]:
    with Session(engine) as s:
        load_demo(s)
        s.commit()
    yield engine
    drop_schemas_set_aside(engine)


class Writer(threading.Thread):
    """Records AMBER incidents as an analyst (each audited) and reads them (each read
    audited), committing one at a time; ``acked`` holds the ids whose commit returned."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(daemon=True)
        self.factory = sessionmaker(bind=engine, expire_on_commit=False)
        self.stop = threading.Event()
        self.acked: list[int] = []
        self.errors: list[BaseException] = []

    def run(self) -> None:
        try:
            with self.factory() as s:
                viewer = Viewer.of(get_user(s, ANALYST))
            i = 0
            while not self.stop.is_set():
                with self.factory() as s:
                    inc = create_record(
                        session=s,
                        incident_in=incident_in(source_key=f"drill-{i}", tlp="AMBER"),
                        viewer=viewer,
                    )
                    s.commit()
                    audit_reads(session=s, viewer=viewer, objs=[inc])
                self.acked.append(inc.id)
                i += 1
        except BaseException as exc:
            self.errors.append(exc)


def test_a_restore_drill_under_write_load_finds_every_acknowledged_write(
    world: Engine, tmp_path: Path
) -> None:
    writer = Writer(world)
    writer.start()
    while len(writer.acked) < 5:
        assert not writer.errors, writer.errors
        threading.Event().wait(0.01)
    acked_before = list(writer.acked)
    manifest = backup(world, tmp_path / "bk")
    more = len(writer.acked)
    while len(writer.acked) < more + 3 and not writer.errors:  # the load goes on after it
        threading.Event().wait(0.01)
    writer.stop.set()
    writer.join(30)
    assert not writer.errors, writer.errors
    flush_audit()

    written = json.loads((tmp_path / "bk" / MANIFEST).read_text())
    assert [f["sha256"] for f in written["files"]] == [
        sha256_file(tmp_path / "bk" / f["name"]) for f in written["files"]
    ]
    logs = {h.log: h for h in manifest.audit}
    assert logs["audit log"].count >= len(acked_before)  # one event per audited write at least

    if world.dialect.name == "sqlite":
        assert set(logs) == {"audit log", "read log"} and logs["read log"].count >= 5
        target = make_engine(f"sqlite:///{tmp_path / 'restored' / 'safecorridor.db'}")
    else:
        target = world
    try:
        before = _epoch(target)
        restore(target, tmp_path / "bk")
        with Session(target) as s:
            # cached risk surfaces of the replaced incidents can never pass for the restored
            assert read_incidents_epoch(s) > before
            ids = set(s.scalars(select(Incident.id).where(Incident.source_key.like("drill-%"))))
        assert set(acked_before) <= ids
        # nothing acknowledged after the copy was finished is in it
        assert not set(writer.acked[more + 2 :]) & ids
        reports = dict(verify_logs(target))
        assert all(r.is_intact for r in reports.values()), reports
        assert {n: r.checked for n, r in reports.items()} == {
            h.log: h.count for h in manifest.audit
        }
    finally:
        if target is not world:
            target.dispose()


def _epoch(engine: Engine) -> int:
    try:
        with Session(engine) as s:
            return read_incidents_epoch(s)
    except DBAPIError:  # no database yet
        return 0


@pytest.fixture
def lite_backup(sqlite_engine: Engine, tmp_path: Path) -> Path:
    with Session(sqlite_engine) as s:
        load_demo(s)
        s.commit()
        viewer = Viewer.of(get_user(s, ANALYST))
        amber = s.scalars(select(Incident).where(Incident.tlp == "AMBER")).first()
        assert amber is not None
        audit_reads(session=s, viewer=viewer, objs=[amber])
    flush_audit()
    backup(sqlite_engine, tmp_path / "bk")
    return tmp_path / "bk"


def _target(tmp_path: Path) -> Engine:
    """A live database with one incident of its own."""
    eng = make_engine(f"sqlite:///{tmp_path / 'live' / 'safecorridor.db'}")
    migrate(eng)
    with Session(eng) as s:
        create_incident(s, source_key="live-1")
        s.commit()
    return eng


def _live_keys(eng: Engine) -> list[str]:
    with Session(eng) as s:
        return list(s.scalars(select(Incident.source_key).order_by(Incident.id)))


def test_a_backup_with_a_changed_file_is_refused_and_nothing_changes(
    lite_backup: Path, tmp_path: Path
) -> None:
    live = _target(tmp_path)
    with (lite_backup / "test.db").open("r+b") as f:  # the records file of sqlite_engine
        f.seek(5000)
        f.write(b"tampered")
    with pytest.raises(BackupError, match=r"test\.db does not match its sha256"):
        restore(live, lite_backup)
    assert _live_keys(live) == ["live-1"]
    live.dispose()


def test_a_backup_with_a_broken_chain_is_refused_and_nothing_changes(
    lite_backup: Path, tmp_path: Path
) -> None:
    live = _target(tmp_path)
    copy = lite_backup / "test-audit-reads.db"
    conn = sqlite3.connect(copy)
    conn.execute("UPDATE audit_events SET actor = 'someone else' WHERE id = 1")
    conn.commit()
    conn.close()
    manifest = json.loads((lite_backup / MANIFEST).read_text())
    for f in manifest["files"]:  # the digest made to match: only the chain can tell
        f["sha256"] = sha256_file(lite_backup / f["name"])
    (lite_backup / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match=r"read log chain of .* is broken at event 1"):
        restore(live, lite_backup)
    assert _live_keys(live) == ["live-1"]
    assert not list((tmp_path / "live").glob("*restoring*"))
    live.dispose()


def test_a_backup_never_overwrites_and_restore_needs_a_manifest(
    lite_backup: Path, sqlite_engine: Engine, tmp_path: Path
) -> None:
    with pytest.raises(BackupError, match="not an empty directory"):
        backup(sqlite_engine, lite_backup)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(BackupError, match=r"has no manifest\.json"):
        restore(sqlite_engine, empty)


def test_the_cli_backs_up_and_restores_keeping_the_replaced_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    app = get_app()
    data = tmp_path / "var"
    assert runner.invoke(app, ["demo"]).exit_code == 0
    done = runner.invoke(app, ["backup", str(tmp_path / "bk")])
    assert done.exit_code == 0, done.output
    assert "audit log:" in done.output and "backup written to" in done.output
    reset_engine(None)
    refused = runner.invoke(app, ["restore", str(tmp_path / "bk")], input="n\n")
    assert refused.exit_code != 0 and "restore cancelled, nothing changed" in refused.output
    unasked = runner.invoke(app, ["restore", str(tmp_path / "bk")])  # no terminal, no input
    assert unasked.exit_code != 0 and "--yes restores without asking" in unasked.output
    assert not list(data.glob("*before-restore*"))
    shutil.copy(tmp_path / "bk" / MANIFEST, tmp_path / "manifest-copy.json")
    restored = runner.invoke(app, ["restore", str(tmp_path / "bk"), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "restored" in restored.output
    assert list(data.glob("safecorridor.db.before-restore-*"))
    reset_engine(None)
    verify = runner.invoke(app, ["audit", "verify"])
    assert verify.exit_code == 0 and "audit log chain intact" in verify.output
    broken = runner.invoke(app, ["restore", str(tmp_path / "nowhere"), "--yes"])
    assert broken.exit_code == 1 and "restore refused" in broken.output


@pytest.mark.postgres
def test_a_database_in_the_public_schema_is_backed_up_and_restored(tmp_path: Path) -> None:
    """The usual deployment: the tables in ``public`` (pg_dump leaves its CREATE SCHEMA out),
    in a database of this test's own."""
    url = os.environ.get("SAFECORRIDOR_TEST_PG_URL")
    if not url:
        pytest.skip("SAFECORRIDOR_TEST_PG_URL is not set")
    name = f"sc_ops_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng = make_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
    try:
        migrate(eng)
        with Session(eng) as s:
            load_demo(s)
            s.commit()
            viewer = Viewer.of(get_user(s, ANALYST))
        with Session(eng) as s:
            kept = create_record(
                session=s, incident_in=incident_in(source_key="kept", tlp="AMBER"), viewer=viewer
            )
            s.commit()
        manifest = backup(eng, tmp_path / "bk")
        assert manifest.schema == "public" and manifest.audit[0].count >= 1
        with Session(eng) as s:
            create_record(session=s, incident_in=incident_in(source_key="after"), viewer=viewer)
            s.commit()
        replaced = restore(eng, tmp_path / "bk")
        assert "schema public" in replaced[0]
        with Session(eng) as s:
            keys = set(s.scalars(select(Incident.source_key)))
        assert "kept" in keys and "after" not in keys and kept is not None
        assert all(r.is_intact for _, r in verify_logs(eng))
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _tamper(engine: Engine) -> list[str]:
    """Two incidents' markings lowered and an actor renamed in the tables themselves, as the
    services never do; the records as a refused restore names them."""
    with Session(engine) as s:
        amber = list(
            s.scalars(select(Incident.id).where(Incident.tlp == "AMBER").order_by(Incident.id))
        )[:2]
        actor = s.scalars(select(Actor.id).order_by(Actor.id)).first()
    assert len(amber) == 2 and actor is not None
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE incidents SET tlp = 'CLEAR' WHERE id IN (:a, :b)"),
            {"a": amber[0], "b": amber[1]},
        )
        conn.execute(text("UPDATE actors SET name = 'Renamed' WHERE id = :id"), {"id": actor})
    return [f"actors {actor}", *(f"incidents {i}" for i in amber)]


def test_a_backup_whose_records_differ_from_its_chain_is_refused_unless_accepted(
    world: Engine, tmp_path: Path
) -> None:
    named = _tamper(world)
    backup(world, tmp_path / "bk")  # the chain verifies: only the records tell
    if world.dialect.name == "sqlite":
        target = _target(tmp_path)
    else:
        target = world
        with Session(target) as s:
            create_incident(s, source_key="live-1")
            s.commit()
    try:
        with pytest.raises(BackupError) as refused:
            restore(target, tmp_path / "bk")
        message = str(refused.value)
        assert message == (
            f"3 records of {tmp_path / 'bk'}"
            + (f"{os.sep}test.db" if world.dialect.name == "sqlite" else "")
            + f" differ from their last audited state in the backup's own audit chain "
            f"({', '.join(named)}): changed outside the audited services; "
            "--accept-tampered restores it anyway"
        )
        # nothing changed: the live records, no staged copy, no old copy set aside
        assert "live-1" in _live_keys(target)
        assert not list((tmp_path / "live").glob("*restoring*"))
        assert not list((tmp_path / "live").glob("*before-restore*"))
        if target.dialect.name == "postgresql":
            with target.connect() as conn:
                aside = conn.execute(
                    text("SELECT count(*) FROM pg_namespace WHERE nspname LIKE :p"),
                    {"p": "%_before_restore_%"},
                ).scalar_one()
            assert aside == 0

        done = restore(target, tmp_path / "bk", accept_tampered=True)
        assert done[0].startswith("--accept-tampered: 3 records of ") and named[0] in done[0]
        assert "live-1" not in _live_keys(target)  # the backup's records are in
        assert len(verify_states(target)) == 3  # as they were: `audit verify` names them
    finally:
        if target is not world:
            target.dispose()


def test_the_cli_refuses_a_tampered_backup_in_one_line_and_takes_it_when_told(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    app = get_app()
    assert runner.invoke(app, ["demo"]).exit_code == 0
    named = _tamper(get_engine())
    assert runner.invoke(app, ["backup", str(tmp_path / "bk")]).exit_code == 0
    reset_engine(None)
    refused = runner.invoke(app, ["restore", str(tmp_path / "bk"), "--yes"])
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    (line,) = refused.output.strip().splitlines()  # one line
    assert line.startswith("error: restore refused: 3 records of ")
    assert ", ".join(named) in line and "--accept-tampered" in line
    assert not list((tmp_path / "var").glob("*before-restore*"))
    taken = runner.invoke(app, ["restore", str(tmp_path / "bk"), "--yes", "--accept-tampered"])
    assert taken.exit_code == 0, taken.output
    assert "--accept-tampered: 3 records" in " ".join(taken.output.split())
    reset_engine(None)
    verify = runner.invoke(app, ["audit", "verify"])
    assert verify.exit_code == 1 and "field tlp changed" in verify.output
