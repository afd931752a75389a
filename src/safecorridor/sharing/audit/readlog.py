"""The read log: on a SQLite file, the audited reads are chained in a file of their own.

A second database file beside the first (``safecorridor.db`` → ``safecorridor-audit-reads.db``,
see :func:`read_log_url`) holds the same ``audit_events`` table with its own chain. Any commit
to a SQLite file makes every other connection throw its page cache away and grows the
write-ahead log that readers must search, so with the reads' events in the records' file each
audited read slowed the next ones (a list page's query went from 1.0 to 2.7 ms, measured). A
write's event stays in the records' file, in the writing transaction (SQLite commits two files
one after the other, not atomically, so a write and its event must share one). On PostgreSQL,
whose readers are not disturbed by commits, reads and writes share one chain in one table.

Invariant: one engine per records' engine (:func:`read_log_engine`), never the records'
engine's pool (requests waiting for the writer hold its connections).
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from safecorridor.db.engine import make_engine
from safecorridor.sharing.models import AuditEvent

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
