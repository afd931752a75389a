"""Fast bulk inserts: COPY on PostgreSQL, executemany elsewhere (SQLite runs it in C)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table, insert
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
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    json_cols = {c for c in columns if isinstance(table.c[c].type, JSON)}
    raw = conn.connection.driver_connection
    quoted = ", ".join(f'"{c}"' for c in columns)
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[c]) if c in json_cols and row[c] is not None else row[c]
                    for c in columns
                ]
            )
