"""Reads are recorded by group commit: one writer thread per process appends them.

The request hands its event to the process's :class:`AuditWriter` and waits until that thread
has appended it. The thread appends everything queued meanwhile in one short transaction
(``BEGIN IMMEDIATE`` on SQLite, the advisory lock on PostgreSQL), so twenty concurrent readers
cost one lock acquisition instead of twenty, and a read transaction never has to upgrade to a
write (which on SQLite in WAL mode fails at once with "database is locked" when another
process wrote since it began). No event is lost to a crash: a reader gets its response only
after its event is committed, and a failed append fails the request instead of serving an
unrecorded read.

Invariants: no thread is started at import (the writer is created, and its thread started, by
the first :meth:`AuditWriter.submit`); a reader whose transaction already holds the chain's
lock appends in that transaction instead (waiting for the writer would deadlock).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from safecorridor.db.base import utcnow
from safecorridor.sharing.audit.chain import sha256_json, state_hash
from safecorridor.sharing.audit.readlog import has_read_log, read_log_engine
from safecorridor.sharing.audit.store import (
    APPENDED,
    EventData,
    append_batch,
    append_event,
    lock_chain,
)
from safecorridor.sharing.policy import AUDITED_TLP, Viewer, record_type

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


_writer = AuditWriter()  # no thread yet: the first submit starts it


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
    if session.info.get(APPENDED):
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
