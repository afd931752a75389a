"""The read log: on a SQLite file, the audited reads are chained in a file of their own.

A second database file beside the first (``safecorridor.db`` → ``safecorridor-audit-reads.db``,
see :func:`read_log_url`) holds the same ``audit_events`` table with its own chain. Any commit
to a SQLite file makes every other connection throw its page cache away and grows the
write-ahead log that readers must search, so with the reads' events in the records' file each
audited read slowed the next ones (a list page's query went from 1.0 to 2.7 ms, measured). A
write's event stays in the records' file, in the writing transaction (SQLite commits two files
one after the other, not atomically, so a write and its event must share one). On PostgreSQL,
whose readers are not disturbed by commits, reads and writes share one chain in one table.

A read log from before the keyed chain (no ``scheme`` column) is upgraded when first opened:
the column is added (its events marked plain sha256) and the number of those events recorded
in the records' database (an ``audit_checkpoints`` row of kind "legacy", log "read log"), the
only plain events the read log may ever hold.

Invariant: one engine per records' engine (:func:`read_log_engine`), never the records'
engine's pool (requests waiting for the writer hold its connections).
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, insert, inspect, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from safecorridor.db.base import utcnow
from safecorridor.db.engine import make_engine
from safecorridor.sharing.models import AuditCheckpoint, AuditEvent

#: the read log's name in reports and checkpoints
READ_LOG = "read log"
#: the records' database's log
AUDIT_LOG = "audit log"

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
                _create_read_log(own, engine)
            _read_logs[engine] = own
        return own


def _create_read_log(engine: Engine, records: Engine) -> None:
    """The read log's table and indexes (the same as the records' ``audit_events``)."""
    table = AuditEvent.metadata.tables[AuditEvent.__tablename__]
    for attempt in range(2):
        try:
            AuditEvent.metadata.create_all(engine, tables=[table])
            break
        except OperationalError:  # another process created it between check and create
            if attempt:
                raise
    _upgrade_read_log(engine, records)


def _upgrade_read_log(engine: Engine, records: Engine) -> None:
    """Give a read log from before the keyed chain its ``scheme`` column; record its count."""
    columns = {c["name"] for c in inspect(engine).get_columns(AuditEvent.__tablename__)}
    if "scheme" in columns:
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        columns = {c["name"] for c in inspect(conn).get_columns(AuditEvent.__tablename__)}
        if "scheme" in columns:  # another process upgraded it meanwhile
            conn.rollback()
            return
        conn.exec_driver_sql(
            "ALTER TABLE audit_events ADD COLUMN scheme VARCHAR(16) NOT NULL DEFAULT 'sha256'"
        )
        count = conn.scalar(select(func.count()).select_from(AuditEvent)) or 0
        head = conn.execute(
            select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
        ).first()
        if count and head is not None and inspect(records).has_table("audit_checkpoints"):
            with records.begin() as rconn:
                rconn.execute(
                    insert(AuditCheckpoint).values(
                        created_at=utcnow(),
                        kind="legacy",
                        log=READ_LOG,
                        event_count=count,
                        head_id=head.id,
                        head_hash=head.hash,
                        mac=None,
                    )
                )
        conn.commit()


def has_read_log(engine: Engine) -> bool:
    """Whether ``engine``'s reads are chained in a log of their own (a SQLite file)."""
    return read_log_url(engine.url) is not None


def audit_logs(engine: Engine) -> list[tuple[str, Engine]]:
    """The logs of ``engine``'s database, each a chain: ``[(name, engine), ...]``.

    "audit log" is the records' database; "read log" the reads' file where there is one
    (a read log not yet created holds nothing and is not listed).
    """
    logs = [(AUDIT_LOG, engine)]
    url = read_log_url(engine.url)
    if url is not None and url.database and Path(url.database).exists():
        logs.append((READ_LOG, read_log_engine(engine)))
    return logs
