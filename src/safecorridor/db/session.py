"""Session factory bound to the configured engine."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from safecorridor.db.engine import make_engine

_engine: Engine | None = None


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = make_engine()
    return _engine


def reset_engine(engine: Engine | None = None) -> None:
    """Replace the process-wide engine (tests, CLI --database)."""
    global _engine
    _engine = engine


_factories: weakref.WeakKeyDictionary[Engine, sessionmaker[Session]] = weakref.WeakKeyDictionary()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """The session factory of ``engine`` (one per engine: a sessionmaker builds a class)."""
    factory = _factories.get(engine)
    if factory is None:
        factory = _factories[engine] = sessionmaker(bind=engine, expire_on_commit=False)
    return factory


@contextmanager
def session_scope(engine: Engine | None = None, *, write: bool = False) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on error.

    ``write``: the transaction will write, so on SQLite it starts with ``BEGIN IMMEDIATE``
    (taking the write lock first, waiting up to busy_timeout). A deferred transaction that
    reads and then writes fails at once with "database is locked" when another connection
    wrote in between (WAL snapshot); reads stay deferred so they never wait for writers.
    """
    with session_factory(engine or get_engine())() as session, session.begin():
        if write:
            conn = session.connection()
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield session
