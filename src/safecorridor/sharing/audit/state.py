"""The records' current state against their last audited state.

Every write through a service ends in :func:`.store.audit_write`, whose event keeps the
record's state hash and each field's digest. A row changed behind the services' back (an
UPDATE in the table, a restored backup) no longer matches its last such event: for each record
with one, :func:`verify_states` recomputes the state from the row as it is now and names the
record and the fields that differ. A record whose last event is a delete must be gone; one
whose row is gone without a delete event is reported too.

Bookkeeping columns a worker moves on between audited writes (an alert rule's cursor) are
named by the model's ``__audit_volatile__`` and are not compared. Columns a migration added
to an audited table (``__audit_added__``: column → revision) are compared from the record's
first audited write that holds them: an event written before the migration has no digest of
them, and the migration's own backfill is no change behind the services' back.

A row that no event names at all, in a table whose records decide what is known and who
reads it (:data:`EVERY_ROW_AUDITED`: incidents, sites, routes, grants of RED records,
organisations, users ...), was added behind the services' back (an INSERT of a forged
incident or grant) and is named too; rows older than the table's first audited creation
(written before this version audited them all) are not. An organisation's audited state holds
its partners and escorts, so a partnership added in its table is a changed field.

Only writes audited with field digests (since migration 0013) are compared: older events kept
the state hash alone, and the events written by other paths (sign-ins, timelines, briefings)
hash something other than a row. Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from safecorridor.db.base import Base
from safecorridor.sharing.audit.chain import field_digests, state_hash
from safecorridor.sharing.audit.store import STATE_FIELDS, STATE_TABLE
from safecorridor.sharing.models import AuditEvent
from safecorridor.sharing.policy import record_type

#: actions after which the record is expected to be gone
DELETES = frozenset({"delete"})

#: tables every row of which an audited service writes: a newer row no event names was added
#: outside them (what is known: incidents, actors and their aliases, sites, routes, meetings,
#: items, measures, movements; who reads it: organisations, users, tokens, the grants of RED
#: records)
EVERY_ROW_AUDITED = frozenset(
    {
        "incidents",
        "actors",
        "actor_aliases",
        "movements",
        "sites",
        "routes",
        "jwg_meetings",
        "jwg_action_items",
        "protective_measures",
        "organisations",
        "users",
        "api_tokens",
        "record_grants",
    }
)


@dataclass(frozen=True)
class _Audited:
    event_id: int
    action: str
    record_type: str
    state_hash: str
    fields: dict[str, str]


def _models() -> dict[str, Any]:
    """Every mapped table's model (the caller imports :mod:`safecorridor.models` first, so
    that none is missing)."""
    return {m.local_table.name: m.class_ for m in Base.registry.mappers}  # type: ignore[attr-defined]


def last_audited_states(session: Session, *, batch: int = 5000) -> dict[tuple[str, int], _Audited]:
    """The last write event with field digests of each record, by (table, id)."""
    last: dict[tuple[str, int], _Audited] = {}
    after = 0
    while True:
        rows = session.execute(
            select(
                AuditEvent.id,
                AuditEvent.action,
                AuditEvent.record_type,
                AuditEvent.record_id,
                AuditEvent.state_hash,
                AuditEvent.details,
            )
            .where(AuditEvent.id > after, AuditEvent.record_id.is_not(None))
            .order_by(AuditEvent.id)
            .limit(batch)
        ).all()
        if not rows:
            return last
        for row in rows:
            details = row.details if isinstance(row.details, dict) else {}
            table, fields = details.get(STATE_TABLE), details.get(STATE_FIELDS)
            if isinstance(table, str) and isinstance(fields, dict):
                last[(table, int(row.record_id))] = _Audited(
                    row.id, row.action, row.record_type, row.state_hash, fields
                )
        after = rows[-1].id


@dataclass(frozen=True)
class StateProblem:
    """A record whose row is not its last audited state: its table and id (None: a table this
    version does not know), and the sentence that says how."""

    table: str
    record_id: int | None
    message: str


def verify_states(engine: Engine, *, chunk: int = 500) -> list[str]:
    """One sentence per record whose row is not its last audited state."""
    return [p.message for p in state_problems(engine, chunk=chunk)]


def state_problems(engine: Engine, *, chunk: int = 500) -> list[StateProblem]:
    """Each record whose row is not its last audited state (:func:`verify_states`' records),
    by table and id: what ``restore`` names of a backup before it takes it."""
    models = _models()
    problems: list[StateProblem] = []
    with Session(engine) as session:
        audited = last_audited_states(session)
        by_table: dict[str, list[int]] = {}
        for table, record_id in audited:
            by_table.setdefault(table, []).append(record_id)
        problems += _emptied_log(session, models) + _unaudited_rows(session, models)
        for table, ids in sorted(by_table.items()):
            model = models.get(table)
            if model is None:
                problems.append(
                    StateProblem(table, None, f"audited records of an unknown table {table!r}")
                )
                continue
            for start in range(0, len(ids), chunk):
                part = sorted(ids)[start : start + chunk]
                rows = {
                    obj.id: obj for obj in session.scalars(select(model).where(model.id.in_(part)))
                }
                volatile = frozenset(getattr(model, "__audit_volatile__", ()))
                added = frozenset(getattr(model, "__audit_added__", {}))
                for record_id in part:
                    last = audited[(table, record_id)]
                    # a column added since that event was written: no digest to compare
                    skip = volatile | (added - last.fields.keys())
                    problems.extend(
                        StateProblem(table, record_id, message)
                        for message in _compare(last, record_id, rows.get(record_id), skip)
                    )
                session.expunge_all()
    return problems


def _emptied_log(session: Session, models: dict[str, Any]) -> list[StateProblem]:
    """When the log holds no event at all: that the tables of :data:`EVERY_ROW_AUDITED` hold
    records all the same (a log emptied behind the services)."""
    if session.scalar(select(AuditEvent.id).limit(1)) is not None:
        return []
    held = {
        table: n
        for table in sorted(EVERY_ROW_AUDITED)
        if (n := session.scalar(select(func.count()).select_from(models[table]))) or 0
    }
    if not held:
        return []
    counts = ", ".join(f"{n} {table}" for table, n in held.items())
    return [
        StateProblem(
            "audit_events",
            None,
            f"the audit log holds no event, yet the store holds records ({counts}): "
            "the log was emptied, or the records were written around it",
        )
    ]


def _unaudited_rows(session: Session, models: dict[str, Any]) -> list[StateProblem]:
    """The rows of :data:`EVERY_ROW_AUDITED` newer than their table's first audited creation
    that no event names (not even one without field digests)."""
    problems: list[StateProblem] = []
    for table in sorted(EVERY_ROW_AUDITED):
        model = models[table]
        kind = record_type(model)
        first = session.scalar(
            select(func.min(AuditEvent.record_id)).where(
                AuditEvent.record_type == kind, AuditEvent.action.in_(CREATIONS)
            )
        )
        if first is None:
            continue
        named = select(AuditEvent.record_id).where(
            AuditEvent.record_type == kind, AuditEvent.record_id > first
        )
        rows = session.scalars(
            select(model.id)
            .where(model.id > first, model.id.not_in(named))
            .order_by(model.id)
            .limit(MAX_UNAUDITED + 1)
        ).all()
        for record_id in rows[:MAX_UNAUDITED]:
            problems.append(
                StateProblem(
                    table,
                    record_id,
                    f"{kind} {record_id} has no audited write: it was added outside the "
                    "audited services",
                )
            )
        if len(rows) > MAX_UNAUDITED:
            problems.append(StateProblem(table, None, f"more {table} rows have no audited write"))
    return problems


#: the actions of events that create a record: the first of a table marks where every later
#: row has its event (the rows before were written before this version audited them)
CREATIONS = ("create", "created", "import", "imported", "accept", "accepted", "grant")

#: unaudited rows named per table (a bulk INSERT behind the services' back: the first few)
MAX_UNAUDITED = 20


def _compare(last: _Audited, record_id: int, obj: Any, skip: frozenset[str]) -> list[str]:
    """How ``obj`` differs from its last audited state, its fields ``skip`` aside (bookkeeping,
    and columns that state has no digest of)."""
    name = f"{last.record_type} {record_id}"
    if last.action in DELETES:
        if obj is None:
            return []
        return [f"{name} exists, yet its last audited event ({last.event_id}) deleted it"]
    if obj is None:
        return [f"{name} is gone, yet no audited event deleted it (last: {last.event_id})"]
    if state_hash(obj) == last.state_hash:
        return []
    now = field_digests(obj)
    differ = sorted(
        k
        for k in now.keys() | last.fields.keys()
        if now.get(k) != last.fields.get(k) and k not in skip
    )
    if not differ and skip:
        return []
    return [
        f"{name} differs from its last audited state (event {last.event_id}): "
        f"field{'s' if len(differ) > 1 else ''} {', '.join(differ) or '(none named)'} "
        "changed outside the audited services"
    ]
