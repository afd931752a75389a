"""Appending to the audit chain: the chain's lock, one event in the caller's transaction, the
written states of many records in the caller's transaction (bulk imports, the demo loader,
feed polls), or a batch of reads in a transaction of its own.

Appending is serialised: on PostgreSQL by a transaction-level advisory lock, on SQLite by the
database write lock, which the INSERT of the new event takes before the previous hash is read.
A write's event is written in the caller's transaction, so it commits (or rolls back) with the
change it records. Every event appended is keyed (HMAC-SHA256 under :func:`.key.signing_key`,
scheme "hmac-sha256"). Rows are only ever inserted (and, in :func:`append_event`, given their
links in the same transaction); nothing here updates or deletes a committed event.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, select, text, update
from sqlalchemy.orm import Session

from safecorridor.db.base import utcnow
from safecorridor.db.bulk import JSONText, insert_rows
from safecorridor.sharing.audit.chain import (
    GENESIS,
    KEYED,
    canonical_json,
    event_hash,
    keyed_event_hash,
    record_state,
    row_state,
    sha256_json,
    values_field_digests,
    values_state_hash,
)
from safecorridor.sharing.audit.key import signing_key
from safecorridor.sharing.models import AuditEvent
from safecorridor.sharing.policy import Viewer, record_type

#: pg_advisory_xact_lock key of the audit chain (any fixed 64-bit number)
PG_LOCK_KEY = 0x5AFEC0A0D17
#: a write event's details: the record's table and its fields' digests
STATE_TABLE = "table"
STATE_FIELDS = "fields"
#: Session.info key: this session's transaction holds the chain's lock (it appended already)
APPENDED = "safecorridor.audit.appended"
AUDIT_EVENTS: Table = AuditEvent.__table__  # type: ignore[assignment]


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
    session.info[APPENDED] = True
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
        scheme=KEYED,
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
        key=signing_key(),
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
    *,
    session: Session,
    viewer: Viewer | None,
    action: str,
    obj: Any,
    actor: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record a write (create, update, retract, grant, delete ...) of ``obj`` with its state
    (for a delete: its last state, written before the row is deleted).

    The event's ``state_hash`` is the record's :func:`state_hash`; its details name the table
    and keep each field's digest (:func:`field_digests`), so ``audit verify`` can compare the
    row as it is now with its last audited state and name the fields that differ. ``details``
    adds what else the event should say about the record.
    """
    session.flush()
    st = written_state(obj)
    return append_event(
        session=session,
        viewer=viewer,
        action=action,
        record_type=st.record_type,
        record_id=st.record_id,
        state=values_state_hash(st.values),
        details={**(details or {}), **_state_details(st)},
        actor=actor,
    )


@dataclass(frozen=True)
class EventData:
    """The fields of an event before it is chained (what a reader hands the writer)."""

    occurred_at: datetime
    user_id: int | None
    actor: str
    action: str
    record_type: str
    record_id: int | None
    state_hash: str
    details: dict[str, Any]


_EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(EventData))


def _fields_of(event: EventData) -> dict[str, Any]:
    """The event's fields as a dict, shallow (``dataclasses.asdict`` deep-copies the details:
    most of the cost of a bulk import's events)."""
    return {name: getattr(event, name) for name in _EVENT_FIELDS}


def lock_chain(conn: Connection) -> None:
    """Take the chain's lock at the start of ``conn``'s transaction (before any read).

    SQLite: ``BEGIN IMMEDIATE`` (the database write lock, waiting up to busy_timeout);
    PostgreSQL: the transaction-level advisory lock.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})


def append_batch(conn: Connection, events: list[EventData]) -> None:
    """Chain ``events`` in order after the last event, in ``conn``'s transaction.

    The transaction must hold the chain's lock (:func:`lock_chain`). The rows go in in order
    (:func:`~safecorridor.db.bulk.insert_rows`: SQLite's executemany, PostgreSQL's COPY), so
    ids follow the chain's order on every backend.
    """
    prev = conn.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS
    key = signing_key()
    rows = []
    for ev in events:
        fields = _fields_of(ev)
        # the details' canonical JSON, serialised once: hashed, and stored as it is
        details = fields["details"] = JSONText(canonical_json(ev.details))
        digest = keyed_event_hash(
            key=key,
            prev_hash=prev,
            occurred_at=ev.occurred_at,
            user_id=ev.user_id,
            actor=ev.actor,
            action=ev.action,
            record_type=ev.record_type,
            record_id=ev.record_id,
            state_hash=ev.state_hash,
            details_json=details,
        )
        rows.append({**fields, "prev_hash": prev, "hash": digest, "scheme": KEYED})
        prev = digest
    insert_rows(conn, AUDIT_EVENTS, rows)


@dataclass(frozen=True)
class WrittenState:
    """A record's state after a write, as :func:`audit_write` records it: its record type,
    table and id, and every column's value by attribute name."""

    record_type: str
    table: str
    record_id: int
    values: dict[str, Any]


def written_state(obj: Any) -> WrittenState:
    """The state of a loaded ORM object (flushed: it has its id and its defaults)."""
    return WrittenState(record_type(type(obj)), obj.__table__.name, obj.id, record_state(obj))


def _state_details(
    st: WrittenState, memo: dict[tuple[type, Any], str] | None = None
) -> dict[str, Any]:
    """What a write's event keeps of the record's state for verification: its table and each
    field's digest (``memo``: digests already made in the batch)."""
    return {STATE_TABLE: st.table, STATE_FIELDS: values_field_digests(st.values, memo)}


def written_rows(model: type[Any], rows: Iterable[Mapping[str, Any]]) -> list[WrittenState]:
    """The states of records read back as Core rows of ``model``'s table (keyed by column
    name), as the table holds them: no ORM object is loaded."""
    kind, table = record_type(model), model.__table__.name
    return [WrittenState(kind, table, int(row["id"]), row_state(model, row)) for row in rows]


def _lock_in_session(session: Session) -> Connection:
    """Take the chain's lock in the session's transaction before the head is read.

    PostgreSQL: the advisory lock. SQLite: the database write lock, which a transaction that
    wrote already holds; one that has not written yet starts with ``BEGIN IMMEDIATE``.
    """
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
    elif conn.dialect.name == "sqlite" and not getattr(
        conn.connection.dbapi_connection, "in_transaction", True
    ):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    session.info[APPENDED] = True
    return conn


def audit_writes(
    *,
    session: Session,
    viewer: Viewer | None,
    action: str,
    states: Iterable[WrittenState],
    actor: str | None = None,
    details: Callable[[WrittenState], dict[str, Any]] | None = None,
) -> int:
    """Record the writes of many records at once, in the session's transaction: one event per
    record, each as :func:`audit_write` makes it (the record's state hash, its table and each
    field's digest, so ``audit verify`` names a record changed in the table afterwards), and
    chained with one bulk insert (:func:`append_batch`: executemany on SQLite, COPY on
    PostgreSQL) instead of three statements per event. ``details`` adds what else an event
    should say about its record. Returns how many events were appended.
    """
    session.flush()
    at = utcnow()
    memo: dict[tuple[type, Any], str] = {}
    events = [
        EventData(
            occurred_at=at,
            user_id=viewer.user_id if viewer else None,
            actor=actor or (viewer.email if viewer else "system"),
            action=action,
            record_type=st.record_type,
            record_id=st.record_id,
            state_hash=values_state_hash(st.values),
            details={
                **(details(st) if details is not None else {}),
                **_state_details(st, memo),
            },
        )
        for st in states
    ]
    if not events:
        return 0
    append_batch(_lock_in_session(session), events)
    return len(events)


def audit_objects(
    *,
    session: Session,
    viewer: Viewer | None,
    action: str,
    objs: Iterable[Any],
    actor: str | None = None,
    details: Callable[[WrittenState], dict[str, Any]] | None = None,
) -> int:
    """:func:`audit_writes` of loaded ORM objects (flushed first), in the given order."""
    session.flush()
    return audit_writes(
        session=session,
        viewer=viewer,
        action=action,
        states=[written_state(o) for o in objs],
        actor=actor,
        details=details,
    )
