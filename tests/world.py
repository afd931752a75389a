"""The demo world on SQLite, built once per test run and copied for each test that needs it.

Loading the world (its organisations, users, sites, routes and some thousand incidents, each
write audited) takes seconds; copying a file takes milliseconds. A template is kept per
"violent stretch" day (the fatal clashes near Dasu that the movement tests need, dated from a
module's ``STRETCH_DAY`` or from today), with the audit key its chain was sealed under: a
copy verifies only under that key, so the key's bytes go to the copying test's key file.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, Integer, text
from sqlalchemy.orm import Session

from safecorridor.db.base import Base
from safecorridor.db.engine import make_engine, migrate
from safecorridor.demo.loader import load_demo
from safecorridor.settings import get_settings
from safecorridor.sharing.audit.readlog import READ_LOG_STEM_SUFFIX
from tests.factories import violent_stretch


@dataclass(frozen=True)
class Template:
    database: Path
    key: bytes


#: (violent stretch day or None for no stretch) -> its template
_TEMPLATES: dict[date | None, Template] = {}
#: the same on PostgreSQL: a schema of its own in the test database, and the key
_PG_TEMPLATES: dict[date, tuple[str, bytes]] = {}


def _read_log(db: Path) -> Path:
    return db.with_name(db.stem + READ_LOG_STEM_SUFFIX + db.suffix)


def copy_sqlite(src: Path, dst: Path) -> None:
    """A consistent copy of a SQLite file (its write-ahead log included), by the backup API.
    The target's content is replaced."""
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


def template(base: Path, stretch: date | None) -> Template:
    """The demo world (with a violent stretch before ``stretch``, if given), built at most
    once per run under ``base``."""
    if stretch not in _TEMPLATES:
        db = base / f"demo-{stretch or 'plain'}.db"
        engine = make_engine(f"sqlite:///{db}")
        migrate(engine)
        with Session(engine) as session:
            load_demo(session)
            if stretch is not None:
                violent_stretch(session, today=stretch)
            session.commit()
        engine.dispose()
        key = get_settings().effective_audit_key_file.read_bytes()
        _TEMPLATES[stretch] = Template(db, key)
    return _TEMPLATES[stretch]


def install(world: Template, target: Path) -> None:
    """Put a copy of ``world`` at ``target`` (replacing what is there), with its read log, and
    its audit key in this test's key file."""
    copy_sqlite(world.database, target)
    if _read_log(world.database).exists():
        copy_sqlite(_read_log(world.database), _read_log(target))
    key_file = get_settings().effective_audit_key_file
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_bytes(world.key)
    key_file.chmod(0o600)


def demo_copy(base: Path, target: Path, stretch: date | None = None) -> Engine:
    """A new engine on a fresh copy of the demo world at ``target``."""
    install(template(base, stretch), target)
    return make_engine(f"sqlite:///{target}")


def refill_sqlite(engine: Engine, base: Path, stretch: date | None) -> None:
    """Replace the content of the migrated, empty SQLite database behind ``engine`` with the
    demo world (the engine's pooled connections are closed first)."""
    database = engine.url.database
    assert database and database != ":memory:", "refill_sqlite needs a SQLite file"
    engine.dispose()
    install(template(base, stretch), Path(database))


def _pg_template(engine: Engine, stretch: date) -> tuple[str, bytes]:
    """The demo world in a PostgreSQL schema of its own, built at most once per run."""
    if stretch not in _PG_TEMPLATES:
        schema = f"sc_tpl_{uuid.uuid4().hex[:10]}"
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = engine.url.render_as_string(hide_password=False)
        world = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
        try:
            migrate(world)
            with Session(world) as session:
                load_demo(session)
                violent_stretch(session, today=stretch)
                session.commit()
        finally:
            world.dispose()
        key = get_settings().effective_audit_key_file.read_bytes()
        _PG_TEMPLATES[stretch] = (schema, key)
    return _PG_TEMPLATES[stretch]


def refill_pg(engine: Engine, stretch: date) -> None:
    """Copy the demo world's rows into the empty migrated PostgreSQL schema behind ``engine``,
    table by table in dependency order, with triggers off (the outbox rows are copied, not
    queued again), then move each id sequence past the copied ids."""
    schema, key = _pg_template(engine, stretch)
    tables = Base.metadata.sorted_tables
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        # a TRUNCATE of the incidents puts the incidents' epoch row back (its trigger)
        conn.execute(text('DELETE FROM "incidents_epoch"'))
        for table in tables:
            conn.execute(
                text(f'INSERT INTO "{table.name}" SELECT * FROM "{schema}"."{table.name}"')
            )
        for table in tables:
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and isinstance(pk[0].type, Integer):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence(:t, :c), "
                        f'COALESCE(MAX("{pk[0].name}"), 1), MAX("{pk[0].name}") IS NOT NULL) '
                        f'FROM "{table.name}"'
                    ),
                    {"t": f'"{table.name}"', "c": pk[0].name},
                )
    key_file = get_settings().effective_audit_key_file
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_bytes(key)
    key_file.chmod(0o600)


def drop_pg_templates(engine: Engine) -> None:
    """Drop the run's PostgreSQL templates (at the end of the test session)."""
    with engine.begin() as conn:
        for schema, _key in _PG_TEMPLATES.values():
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    _PG_TEMPLATES.clear()


def demo_in(session: Session, base: Path, stretch: date) -> Session:
    """The demo world with a violent stretch before ``stretch``, in the empty migrated
    database behind ``session``: a copy of the run's template (a file copy on SQLite, row
    copies from a template schema on PostgreSQL)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    if engine.dialect.name == "sqlite":
        refill_sqlite(engine, base, stretch)
    else:
        refill_pg(engine, stretch)
    return session


def stretch_day(request: pytest.FixtureRequest) -> date:
    """The day the test module's violent stretch ends (``STRETCH_DAY``, else today)."""
    return getattr(request.module, "STRETCH_DAY", None) or date.today()
