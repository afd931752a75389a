"""The keyed chain: HMAC-SHA256 under a key outside the database; plain events from before it.

Rewriting the whole chain without the key fails verification (plain or under a guessed key);
plain events verify only as the first ones of a log, as many as it held when upgraded.
"""

from __future__ import annotations

import os
import stat
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safecorridor.cli.app import get_app
from safecorridor.db.engine import make_engine, migrate
from safecorridor.sharing.audit import (
    GENESIS,
    KEYED,
    PLAIN,
    append_event,
    event_hash,
    key_path,
    read_key,
    read_log_engine,
    read_log_url,
    verify_chain,
    verify_logs,
)
from safecorridor.sharing.audit.key import forget_keys
from safecorridor.sharing.models import AuditCheckpoint, AuditEvent
from tests.conftest import PG_URL

#: audit_events as it was before migration 0013 (no scheme column)
OLD_EVENTS = sa.table(
    "audit_events",
    sa.column("id", sa.Integer),
    sa.column("occurred_at", sa.DateTime),
    sa.column("user_id", sa.Integer),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("record_type", sa.String),
    sa.column("record_id", sa.Integer),
    sa.column("state_hash", sa.String),
    sa.column("details", sa.JSON),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def _old_events(n: int, prev: str = GENESIS) -> list[dict[str, object]]:
    """``n`` events chained as before 0013 (plain sha256)."""
    rows = []
    for k in range(n):
        fields: dict[str, object] = {
            "occurred_at": datetime(2025, 3, 1, 10, k),
            "user_id": None,
            "actor": "cli",
            "action": "create",
            "record_type": "incident",
            "record_id": k + 1,
            "state_hash": "ab" * 32,
            "details": {"n": k},
        }
        digest = event_hash(key=None, prev_hash=prev, **fields)  # type: ignore[arg-type]
        rows.append({**fields, "prev_hash": prev, "hash": digest})
        prev = digest
    return rows


def _rewrite(engine: Engine, key: bytes | None) -> None:
    """What someone with the database but not the key file can do: rebuild every link."""
    with Session(engine) as s, s.begin():
        prev = GENESIS
        for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id)):
            e.actor = "forger"
            e.prev_hash = prev
            e.scheme = KEYED if key else PLAIN
            e.hash = event_hash(
                key=key,
                prev_hash=prev,
                occurred_at=e.occurred_at,
                user_id=e.user_id,
                actor=e.actor,
                action=e.action,
                record_type=e.record_type,
                record_id=e.record_id,
                state_hash=e.state_hash,
                details=e.details,
            )
            prev = e.hash


def _append(session: Session, n: int) -> list[int]:
    ids = [
        append_event(session=session, viewer=None, action="create", record_type="x", record_id=k).id
        for k in range(n)
    ]
    session.commit()
    return ids


def test_new_events_are_keyed_with_the_key_outside_the_database(
    engine: Engine, session: Session
) -> None:
    ids = _append(session, 3)
    events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [e.scheme for e in events] == [KEYED] * 3
    key = read_key()
    assert key is not None and len(key) == 32
    assert stat.S_IMODE(key_path().stat().st_mode) == 0o600
    # the key is in no column of the database
    assert all(key.hex() not in repr(e.__dict__) for e in events)
    report = verify_chain(session, key=key)
    assert report.is_intact and report.checked == 3 and report.plain == 0
    # the same chain under another key does not verify
    wrong = verify_chain(session, key=os.urandom(32))
    assert wrong.broken_id == ids[0] and "do not match its hash" in wrong.reason


def test_rewriting_the_whole_chain_without_the_key_fails_verify(
    engine: Engine, session: Session
) -> None:
    ids = _append(session, 4)
    _rewrite(engine, key=None)  # a flawless plain sha256 chain
    (_, report), *_ = verify_logs(engine)
    assert report.broken_id == ids[0] and "without the key" in report.reason
    _rewrite(engine, key=os.urandom(32))  # keyed, with a key of the forger's own
    (_, report), *_ = verify_logs(engine)
    assert report.broken_id == ids[0] and "do not match its hash" in report.reason
    r = CliRunner().invoke(get_app(), ["audit", "verify"])
    assert r.exit_code == 1 and f"audit log chain broken at event {ids[0]}" in r.output


def test_a_missing_key_file_fails_the_keyed_events(engine: Engine, session: Session) -> None:
    ids = _append(session, 2)
    key_path().unlink()
    forget_keys()
    (_, report), *_ = verify_logs(engine)
    assert report.broken_id == ids[0] and "key file is missing" in report.reason
    assert not key_path().exists()  # verifying never creates a key


def test_init_creates_the_key_file_once_with_owner_only_permissions(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(get_app(), ["init"])
    assert r.exit_code == 0, r.output
    path = key_path()
    assert path.parent == (tmp_path / "var").parent and path.name == "var-audit.key"
    assert "Audit key created" in r.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first = path.read_bytes()
    r = runner.invoke(get_app(), ["init"])
    assert r.exit_code == 0 and "Audit key kept" in r.output
    assert path.read_bytes() == first


def test_the_key_file_can_be_named_by_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: Engine, session: Session
) -> None:
    from safecorridor.settings import get_settings

    monkeypatch.setenv("SAFECORRIDOR_AUDIT_KEY_FILE", str(tmp_path / "keys" / "audit.key"))
    get_settings.cache_clear()
    _append(session, 1)
    assert (tmp_path / "keys" / "audit.key").exists()
    assert read_key() == read_key(tmp_path / "keys" / "audit.key")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database at revision 0011 (before the keyed chain), in a file or a schema of its own."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        migrate(eng, "0011")
        yield eng
        eng.dispose()
        return
    if not PG_URL:
        pytest.skip("SAFECORRIDOR_TEST_PG_URL is not set")
    schema = f"sc_audit_old_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    migrate(eng, "0011")
    yield eng
    eng.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_plain_events_from_before_0013_still_verify_and_no_more_can_be_added(
    old_engine: Engine,
) -> None:
    with old_engine.begin() as conn:
        conn.execute(sa.insert(OLD_EVENTS), _old_events(3))
    migrate(old_engine)
    with Session(old_engine) as s:
        assert [e.scheme for e in s.scalars(select(AuditEvent))] == [PLAIN] * 3
        legacy = s.scalars(select(AuditCheckpoint)).one()
        assert (legacy.kind, legacy.log, legacy.event_count) == ("legacy", "audit log", 3)
        ids = _append(s, 2)  # new events are keyed, chained after the plain ones
    (_, report), *_ = verify_logs(old_engine)
    assert report.is_intact and report.checked == 5 and report.plain == 3
    # a plain event after the keyed ones is a forgery
    last = _old_events(1, prev=_head(old_engine))[0]
    with old_engine.begin() as conn:
        conn.execute(sa.insert(AuditEvent).values(**last, scheme=PLAIN))
    (_, report), *_ = verify_logs(old_engine)
    assert report.broken_id == ids[-1] + 1 and "without the key" in report.reason


def test_plain_events_beyond_the_upgraded_count_are_refused(old_engine: Engine) -> None:
    with old_engine.begin() as conn:
        conn.execute(sa.insert(OLD_EVENTS), _old_events(2))
    migrate(old_engine)
    # two more plain links forged after the upgrade, before any keyed event
    with old_engine.begin() as conn:
        rows = _old_events(4)
        conn.execute(sa.insert(AuditEvent), [{**r, "scheme": PLAIN} for r in rows[2:]])
    (_, report), *_ = verify_logs(old_engine)
    assert report.checked == 2 and report.broken_id is not None
    assert "2 plain events predate the keyed chain" in report.reason


def test_an_old_read_log_is_upgraded_with_its_plain_count(sqlite_engine: Engine) -> None:
    url = read_log_url(sqlite_engine.url)
    assert url is not None and url.database
    old = make_engine(url.render_as_string(hide_password=False))
    with old.begin() as conn:  # the read log as 0011 made it
        conn.execute(
            text(
                "CREATE TABLE audit_events (id INTEGER PRIMARY KEY, occurred_at DATETIME, "
                "user_id INTEGER, actor VARCHAR(254), action VARCHAR(20), "
                "record_type VARCHAR(30), record_id INTEGER, state_hash VARCHAR(64), "
                "details JSON, prev_hash VARCHAR(64), hash VARCHAR(64))"
            )
        )
        conn.execute(sa.insert(OLD_EVENTS), _old_events(3))
    old.dispose()
    log = read_log_engine(sqlite_engine)
    with Session(sqlite_engine) as s:
        legacy = s.scalars(select(AuditCheckpoint).where(AuditCheckpoint.log == "read log")).one()
        assert legacy.event_count == 3
    with Session(log) as s:
        assert {e.scheme for e in s.scalars(select(AuditEvent))} == {PLAIN}
    reports = dict(verify_logs(sqlite_engine))
    assert reports["read log"].is_intact and reports["read log"].plain == 3


def _head(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)))
