"""Fast bulk inserts: COPY on PostgreSQL, executemany elsewhere (SQLite runs it in C)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table, Text, bindparam, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def bulk_insert(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts keyed by column name) into ``table`` in the session's transaction.

    Every row must have the same keys. Python-side column defaults fill the columns not given.
    """
    if not rows:
        return
    defaults: dict[str, Any] = {}
    for col in table.columns:
        if col.name in rows[0] or col.default is None:
            continue
        default: Any = col.default
        if default.is_scalar:
            defaults[col.name] = default.arg
        elif default.is_callable:
            defaults[col.name] = default.arg(None)
    if defaults:
        rows = [{**defaults, **row} for row in rows]
    insert_rows(session.connection(), table, rows)


class JSONText(str):
    """A JSON column's value already serialised (stored as it is, not serialised again)."""

    __slots__ = ()


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts keyed by column name, every row with the same keys, defaults
    already filled) into ``table`` in ``conn``'s transaction, in their order: COPY on
    PostgreSQL, executemany elsewhere. A serial id left out is given in that order on both
    (COPY and SQLite's executemany insert the rows one after the other). A JSON column's
    values are serialised here, unless the first row's is :class:`JSONText`: then every row's
    is, and goes in as it is."""
    if not rows:
        return
    columns = list(rows[0])
    json_cols = {c for c in columns if isinstance(table.c[c].type, JSON)}
    given = {c for c in json_cols if isinstance(rows[0][c], JSONText)}
    if conn.dialect.name != "postgresql":
        stmt = insert(table)
        if given:
            stmt = stmt.values({c: bindparam(c, type_=Text) for c in given})
        conn.execute(stmt, list(rows))
        return
    import psycopg  # the PostgreSQL driver, installed with the project

    raw = conn.connection.driver_connection
    quoted = ", ".join(f'"{c}"' for c in columns)
    statement = f'COPY "{table.name}" ({quoted}) FROM STDIN'
    try:
        with raw.cursor() as cur, cur.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[c])
                        if c in json_cols and c not in given and row[c] is not None
                        else row[c]
                        for c in columns
                    ]
                )
    except psycopg.IntegrityError as exc:
        # as SQLAlchemy raises it for an INSERT (a key stored meanwhile by another writer)
        raise IntegrityError(statement, None, exc) from exc
