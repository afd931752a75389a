"""The audit log: an append-only hash chain of every write and every read of AMBER or stricter.

Each event's ``hash`` is the sha256 of the canonical JSON (sorted keys, no spaces) of its own
fields and the previous event's hash, so changing, removing or reordering any row breaks every
link after it. :func:`verify_chain` recomputes the chain and names the first broken link.

Appending is serialised: on PostgreSQL by a transaction-level advisory lock, on SQLite by the
database write lock, which the INSERT of the new event takes before the previous hash is read.
The event is written in the caller's transaction, so it commits (or rolls back) with the
change it records.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, inspect, select, text, update
from sqlalchemy.orm import Session

from safecorridor.db.base import utcnow
from safecorridor.sharing.models import AuditEvent
from safecorridor.sharing.policy import Viewer

GENESIS = "0" * 64
#: pg_advisory_xact_lock key of the audit chain (any fixed 64-bit number)
PG_LOCK_KEY = 0x5AFEC0A0D17


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_json(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def record_state(obj: Any) -> dict[str, Any]:
    """The column values of a loaded ORM object, as JSON-able data."""
    mapper = inspect(obj).mapper
    return {attr.key: _jsonable(getattr(obj, attr.key)) for attr in mapper.column_attrs}


def state_hash(obj: Any) -> str:
    """sha256 of a record's state (its column values in canonical JSON)."""
    return sha256_json(record_state(obj))


def event_hash(
    *,
    prev_hash: str,
    occurred_at: datetime,
    user_id: int | None,
    actor: str,
    action: str,
    record_type: str,
    record_id: int | None,
    state_hash: str,
    details: dict[str, Any],
) -> str:
    return sha256_json(
        {
            "prev_hash": prev_hash,
            "occurred_at": occurred_at.isoformat(),
            "user_id": user_id,
            "actor": actor,
            "action": action,
            "record_type": record_type,
            "record_id": record_id,
            "state_hash": state_hash,
            "details": details,
        }
    )


def append_event(
    *,
    session: Session,
    viewer: Viewer | None,
    action: str,
    record_type: str,
    record_id: int | None = None,
    state: str | None = None,
    details: dict[str, Any] | None = None,
    actor: str | None = None,
) -> AuditEvent:
    """Append one event to the chain in the session's transaction.

    ``state`` is the hash of the record's new state (or of what was read); ``actor`` names a
    caller without a user (the CLI, the demo loader).
    """
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
    details = details or {}
    event = AuditEvent(
        occurred_at=utcnow(),
        user_id=viewer.user_id if viewer else None,
        actor=actor or (viewer.email if viewer else "system"),
        action=action,
        record_type=record_type,
        record_id=record_id,
        state_hash=state or sha256_json(details),
        details=details,
        prev_hash="",
        hash="",
    )
    session.add(event)
    session.flush()  # the INSERT: on SQLite this takes the write lock before the head is read
    prev = session.scalar(
        select(AuditEvent.hash)
        .where(AuditEvent.id < event.id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    event.prev_hash = prev or GENESIS
    event.hash = event_hash(
        prev_hash=event.prev_hash,
        occurred_at=event.occurred_at,
        user_id=event.user_id,
        actor=event.actor,
        action=event.action,
        record_type=event.record_type,
        record_id=event.record_id,
        state_hash=event.state_hash,
        details=event.details,
    )
    session.execute(
        update(AuditEvent)
        .where(AuditEvent.id == event.id)
        .values(prev_hash=event.prev_hash, hash=event.hash)
        .execution_options(synchronize_session=False)
    )
    return event


def audit_write(
    *, session: Session, viewer: Viewer | None, action: str, obj: Any, actor: str | None = None
) -> AuditEvent:
    """Record a write (create, update, retract, grant ...) of ``obj`` with its new state."""
    from safecorridor.sharing.policy import record_type

    session.flush()
    return append_event(
        session=session,
        viewer=viewer,
        action=action,
        record_type=record_type(type(obj)),
        record_id=obj.id,
        state=state_hash(obj),
        actor=actor,
    )


def audit_reads(
    *, session: Session, viewer: Viewer, objs: Iterable[Any], action: str = "read"
) -> AuditEvent | None:
    """Record the read of the AMBER-or-stricter objects among ``objs`` (one event per call).

    One object gives an event naming it; several give one event with their ids in
    ``details`` (a list page reads up to 500 records: one link, not 500).
    """
    from safecorridor.sharing.policy import AUDITED_TLP, record_type

    marked = [o for o in objs if str(o.tlp) in AUDITED_TLP]
    if not marked:
        return None
    kind = record_type(type(marked[0]))
    if len(marked) == 1:
        return append_event(
            session=session,
            viewer=viewer,
            action=action,
            record_type=kind,
            record_id=marked[0].id,
            state=state_hash(marked[0]),
        )
    ids = [o.id for o in marked]
    return append_event(
        session=session,
        viewer=viewer,
        action=action,
        record_type=kind,
        details={"record_ids": ids},
        state=sha256_json([state_hash(o) for o in marked]),
    )


@dataclass
class ChainReport:
    """What :func:`verify_chain` found: events checked and the first broken link, if any."""

    checked: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def is_intact(self) -> bool:
        return self.broken_id is None


def verify_chain(session: Session, *, batch: int = 5000) -> ChainReport:
    """Recompute every link in id order; stop at the first one that does not hold."""
    prev = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        if not rows:
            return ChainReport(checked=checked)
        for e in rows:
            if e.prev_hash != prev:
                return ChainReport(
                    checked, e.id, "its prev_hash does not match the previous event's hash"
                )
            expected = event_hash(
                prev_hash=e.prev_hash,
                occurred_at=e.occurred_at,
                user_id=e.user_id,
                actor=e.actor,
                action=e.action,
                record_type=e.record_type,
                record_id=e.record_id,
                state_hash=e.state_hash,
                details=e.details,
            )
            if e.hash != expected:
                return ChainReport(
                    checked, e.id, "its contents do not match its hash (the row was changed)"
                )
            prev = e.hash
            checked += 1
            last_id = e.id
        session.expunge_all()


def count_events(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
