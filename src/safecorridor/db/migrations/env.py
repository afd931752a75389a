"""Alembic environment: runs on the engine/connection handed over by safecorridor.db.engine."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import safecorridor.models  # noqa: F401  (registers every table)
from safecorridor.db.base import Base
from safecorridor.db.engine import make_engine

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = config.attributes.get("engine") or make_engine()
    with engine.begin() as conn:
        _run(conn)


run_migrations_online()
