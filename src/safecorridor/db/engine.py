"""Engines for SQLite (embedded, WAL) and PostgreSQL, and schema migration with Alembic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from safecorridor.settings import get_settings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: SQLite memory-mapped I/O window and page cache per connection
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
SQLITE_CACHE_KIB = 16 * 1024


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA foreign_keys=ON")
    # reads straight from the OS page cache (shared by every connection and process), a
    # larger private cache and in-memory temporary b-trees (ORDER BY / DISTINCT spills)
    cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cur.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cur.execute("PRAGMA temp_store=MEMORY")
    cur.close()


def json_loads(text: str | bytes) -> Any:
    """JSON columns' decoder: orjson (a list page decodes one ``extra`` per row), falling back
    to the standard module for what orjson refuses (``NaN``, which ``json.dumps`` writes)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` (default: the configured database).

    SQLite gets WAL, a busy timeout and foreign keys on every connection; its parent
    directory is created if missing.
    """
    settings = get_settings()
    url = url or settings.effective_database_url
    kwargs.setdefault("json_deserializer", json_loads)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "heads") -> None:
    """Bring the schema to ``revision`` (idempotent).

    On SQLite, foreign keys are off while it runs: a migration that changes a table's
    constraints copies the table and drops the old one, and dropping it with foreign keys on
    would delete (ON DELETE CASCADE) or empty (SET NULL) every row that refers to it, a
    site's protective measures with the site. The references are checked before it commits.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:  # (a no-op inside a transaction: before one begins)
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            conn.commit()
        try:
            with conn.begin():
                cfg = alembic_config(engine)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(
                            f"the migration left {len(broken)} broken reference(s), e.g. "
                            f"{tuple(broken[0])}: nothing was changed"
                        )
        finally:
            if sqlite:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()


def is_schema_current(engine: Engine) -> bool:
    script = ScriptDirectory.from_config(alembic_config(engine))
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    return set(current) == set(script.get_heads())
