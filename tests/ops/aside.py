"""What a PostgreSQL restore leaves behind: the schemas it set aside, dropped after a test."""

from __future__ import annotations

from sqlalchemy import Engine, text


def drop_schemas_set_aside(engine: Engine) -> None:
    """Drop the schemas a restore set aside beside the test's schema (nothing on SQLite)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        for (name,) in conn.execute(
            text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"),
            {"p": f"{schema}_before_restore_%"},
        ):
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
