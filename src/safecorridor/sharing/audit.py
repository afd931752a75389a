"""The audit log: an append-only hash chain of every write and every read of AMBER or stricter.

Each event's ``hash`` is the sha256 of the canonical JSON (sorted keys, no spaces) of its own
fields and the previous event's hash, so changing, removing or reordering any row breaks every
link after it. :func:`verify_chain` recomputes the chain and names the first broken link.

Appending is serialised: on PostgreSQL by a transaction-level advisory lock, on SQLite by the
database write lock, which the INSERT of the new event takes before the previous hash is read.
A write's event is written in the caller's transaction, so it commits (or rolls back) with the
change it records.

Reads are recorded by group commit (:class:`AuditWriter`): the request hands its event to one
writer thread per process and waits until that thread has appended it. The thread appends
everything queued meanwhile in one short transaction (``BEGIN IMMEDIATE`` on SQLite, the
advisory lock on PostgreSQL), so twenty concurrent readers cost one lock acquisition instead
of twenty, and a read transaction never has to upgrade to a write (which on SQLite in WAL mode
fails at once with "database is locked" when another process wrote since it began). No event
is lost to a crash: a reader gets its response only after its event is committed, and a
failed append fails the request instead of serving an unrecorded read.

On SQLite the reads have a log of their own: a second database file beside the first
(``safecorridor.db`` → ``safecorridor-audit-reads.db``, see :func:`read_log_url`) with the same
``audit_events`` table and its own chain. Any commit to a SQLite file makes every other
connection throw its page cache away and grows the write-ahead log that readers must search,
so with the reads' events in the records' file each audited read slowed the next ones (a list
page's query went from 1.0 to 2.7 ms, measured). A write's event stays in the records' file,
in the writing transaction (SQLite commits two files one after the other, not atomically, so
a write and its event must share one). On PostgreSQL, whose readers are not disturbed by
commits, reads and writes share one chain in one table. ``safecorridor audit verify`` checks
every log (:func:`verify_logs`).
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
import time
import weakref
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from safecorridor.db.base import utcnow
from safecorridor.db.engine import make_engine
from safecorridor.sharing.models import AuditEvent
from safecorridor.sharing.policy import AUDITED_TLP, Viewer, record_type

GENESIS = "0" * 64
#: pg_advisory_xact_lock key of the audit chain (any fixed 64-bit number)
PG_LOCK_KEY = 0x5AFEC0A0D17
#: Session.info key: this session's transaction holds the chain's lock (it appended already)
_APPENDED = "safecorridor.audit.appended"


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_json(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


#: a record state's canonical JSON: sorted keys, compact, dates and times in ISO 8601
_STATE_JSON = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def _state_digest(state: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(state, option=_STATE_JSON, default=str)).hexdigest()


def record_state(obj: Any) -> dict[str, Any]:
    """The column values of a loaded ORM object, by attribute name."""
    mapper = inspect(obj).mapper
    return {attr.key: getattr(obj, attr.key) for attr in mapper.column_attrs}


def state_hash(obj: Any) -> str:
    """sha256 of a record's state: its column values in canonical JSON (orjson, fast: a list
    page hashes every AMBER row it returns)."""
    return _state_digest(record_state(obj))


def values_state_hash(values: Any) -> str:
    """:func:`state_hash` of a record read as a row: ``values`` maps every column to its value."""
    return _state_digest(dict(values))


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
    session.info[_APPENDED] = True
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

    The transaction must hold the chain's lock (:func:`lock_chain`). One statement executed
    for each event in turn (executemany: SQLite's and psycopg's run the rows in order), so ids
    follow the chain's order on every backend.
    """
    prev = conn.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)) or GENESIS
    rows = []
    for ev in events:
        fields = asdict(ev)
        digest = event_hash(prev_hash=prev, **fields)
        rows.append({**fields, "prev_hash": prev, "hash": digest})
        prev = digest
    conn.execute(insert(AuditEvent), rows)


#: the read log's file name: the records' file's stem plus this (SQLite)
READ_LOG_STEM_SUFFIX = "-audit-reads"


def read_log_url(url: URL) -> URL | None:
    """Where the reads of the database at ``url`` are chained, if not in that database.

    A SQLite file ``dir/name.db`` has its read log in ``dir/name-audit-reads.db``; PostgreSQL
    and in-memory SQLite keep reads in their own ``audit_events`` (None).
    """
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:") or url.query.get("uri"):
        return None  # a URI filename (shared memory, read-only ...): keep one database
    path = Path(database)
    return url.set(database=str(path.with_name(path.stem + READ_LOG_STEM_SUFFIX + path.suffix)))


_read_logs: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
_read_logs_guard = threading.Lock()


def read_log_engine(engine: Engine) -> Engine:
    """An engine of its own for appending read events of ``engine``'s database.

    On a SQLite file, an engine on its read log (created, with its table, on first use);
    elsewhere, a second engine on the same database. Either way not ``engine``'s pool: the
    requests waiting for the writer each hold one of its connections, so taking the writer's
    connection from that pool could wait for them forever.
    """
    with _read_logs_guard:
        own = _read_logs.get(engine)
        if own is None:
            url = read_log_url(engine.url)
            if url is None:
                own = create_engine(engine.url, pool=engine.pool.recreate())
            else:
                own = make_engine(url.render_as_string(hide_password=False))
                _create_read_log(own)
            _read_logs[engine] = own
        return own


def _create_read_log(engine: Engine) -> None:
    """The read log's table and indexes (the same as the records' ``audit_events``)."""
    table = AuditEvent.metadata.tables[AuditEvent.__tablename__]
    for attempt in range(2):
        try:
            AuditEvent.metadata.create_all(engine, tables=[table])
            return
        except OperationalError:  # another process created it between check and create
            if attempt:
                raise


def has_read_log(engine: Engine) -> bool:
    """Whether ``engine``'s reads are chained in a log of their own (a SQLite file)."""
    return read_log_url(engine.url) is not None


_Item = tuple[Engine, EventData, "Future[None]"]


class AuditWriter:
    """One thread per process that appends queued read events by group commit.

    :meth:`submit` queues an event and returns a future that completes when the event is
    committed (or fails with the database's error). The thread takes everything queued, up to
    ``max_batch`` events, and appends it in one transaction per database, to its read log
    (:func:`read_log_engine`); attempts that find the log locked beyond its busy timeout are
    retried twice.
    """

    def __init__(self, max_batch: int = 500) -> None:
        self.max_batch = max_batch
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()

    def submit(self, engine: Engine, event: EventData) -> Future[None]:
        done: Future[None] = Future()
        with self._guard:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="safecorridor-audit-writer", daemon=True
                )
                self._thread.start()
            self._queue.put((engine, event, done))
        return done

    def flush(self) -> None:
        """Return once every event submitted so far is committed (or has failed)."""
        self._queue.join()

    def stop(self) -> None:
        """Append what is queued, then end the thread (the next submit starts a new one)."""
        with self._guard:
            thread, self._thread = self._thread, None
            if thread is None or not thread.is_alive():
                return
            self._queue.put(None)
        thread.join()

    def _run(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            batch: list[_Item] = []
            if first is None:
                stop = True
            else:
                batch.append(first)
            while not stop and len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                else:
                    batch.append(item)
            by_engine: dict[Engine, list[_Item]] = {}
            for item in batch:
                by_engine.setdefault(item[0], []).append(item)
            for engine, items in by_engine.items():
                try:
                    self._commit(engine, [ev for _, ev, _ in items])
                except Exception as exc:  # handed to each waiting request
                    for _, _, done in items:
                        done.set_exception(exc)
                else:
                    for _, _, done in items:
                        done.set_result(None)
            for _ in range(len(batch) + (1 if stop else 0)):
                self._queue.task_done()

    def _commit(self, engine: Engine, events: list[EventData]) -> None:
        own = read_log_engine(engine)
        for attempt in range(3):
            try:
                with own.connect() as conn:
                    lock_chain(conn)
                    append_batch(conn, events)
                    conn.commit()
                return
            except OperationalError:
                if attempt == 2:
                    raise
                time.sleep(0.05 * (attempt + 1))


_writer = AuditWriter()


def audit_writer() -> AuditWriter:
    """The process's read-event writer."""
    return _writer


def flush_audit() -> None:
    """Wait until every queued read event is committed (tests, shutdown)."""
    _writer.flush()


def stop_audit_writer() -> None:
    """Commit what is queued and stop the writer thread (the app's shutdown)."""
    _writer.stop()


def _holds_chain_lock(session: Session) -> bool:
    """Whether the session's transaction holds (or may hold) the lock the writer needs."""
    if session.info.get(_APPENDED):
        return True
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        # pysqlite opens a transaction at the first INSERT/UPDATE/DELETE (or BEGIN IMMEDIATE)
        return bool(getattr(conn.connection.dbapi_connection, "in_transaction", True))
    return False


def record_read(
    *,
    session: Session,
    viewer: Viewer | None,
    action: str,
    record_type: str,
    record_id: int | None = None,
    state: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append a read event and wait until it is committed.

    Through the process's :class:`AuditWriter` (its own short transaction, batched with other
    readers'), unless reads share the records' chain and the session's transaction already
    writes: then in that transaction, as :func:`append_event` (waiting for a writer that waits
    for us would deadlock).
    """
    pending = submit_read(
        session=session,
        viewer=viewer,
        action=action,
        record_type=record_type,
        record_id=record_id,
        state=state,
        details=details,
    )
    if pending is not None:
        pending.result(timeout=120)


def submit_read(
    *,
    session: Session,
    viewer: Viewer | None,
    action: str,
    record_type: str,
    record_id: int | None = None,
    state: str | None = None,
    details: dict[str, Any] | None = None,
) -> Future[None] | None:
    """:func:`record_read` without the wait: the future completes when the event is committed.

    The caller must not answer the request before the future has completed without error
    (an async endpoint awaits it after closing its session, so no thread or connection is
    held meanwhile). None when the event was appended in the session's own transaction
    (it then commits with the session): where reads share the records' chain and the
    transaction already holds the chain's lock, which the writer would wait for.
    """
    bind = session.get_bind()
    if not isinstance(bind, Engine) or (not has_read_log(bind) and _holds_chain_lock(session)):
        append_event(
            session=session,
            viewer=viewer,
            action=action,
            record_type=record_type,
            record_id=record_id,
            state=state,
            details=details,
        )
        return None
    details = details or {}
    event = EventData(
        occurred_at=utcnow(),
        user_id=viewer.user_id if viewer else None,
        actor=viewer.email if viewer else "system",
        action=action,
        record_type=record_type,
        record_id=record_id,
        state_hash=state or sha256_json(details),
        details=details,
    )
    return _writer.submit(bind, event)


def audit_write(
    *, session: Session, viewer: Viewer | None, action: str, obj: Any, actor: str | None = None
) -> AuditEvent:
    """Record a write (create, update, retract, grant ...) of ``obj`` with its new state."""
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
) -> bool:
    """Record the read of the AMBER-or-stricter objects among ``objs`` (one event per call).

    One object gives an event naming it; several give one event with their ids in
    ``details`` (a list page reads up to 500 records: one link, not 500). Returns whether an
    event was recorded; it is committed when this returns (:func:`record_read`).
    """
    marked = [o for o in objs if str(o.tlp) in AUDITED_TLP]
    if not marked:
        return False
    kind = record_type(type(marked[0]))
    if len(marked) == 1:
        record_read(
            session=session,
            viewer=viewer,
            action=action,
            record_type=kind,
            record_id=marked[0].id,
            state=state_hash(marked[0]),
        )
        return True
    ids = [o.id for o in marked]
    record_read(
        session=session,
        viewer=viewer,
        action=action,
        record_type=kind,
        details={"record_ids": ids},
        state=sha256_json([state_hash(o) for o in marked]),
    )
    return True


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


def audit_logs(engine: Engine) -> list[tuple[str, Engine]]:
    """The logs of ``engine``'s database, each a chain: ``[(name, engine), ...]``.

    "audit log" is the records' database; "read log" the reads' file where there is one
    (a read log not yet created holds nothing and is not listed).
    """
    logs = [("audit log", engine)]
    url = read_log_url(engine.url)
    if url is not None and url.database and Path(url.database).exists():
        logs.append(("read log", read_log_engine(engine)))
    return logs


def verify_logs(engine: Engine) -> list[tuple[str, ChainReport]]:
    """Verify the chain of every log of ``engine``'s database: ``[(name, report), ...]``."""
    reports = []
    for name, bind in audit_logs(engine):
        with Session(bind) as session:
            reports.append((name, verify_chain(session)))
    return reports


def count_events(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
