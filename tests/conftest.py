"""Shared fixtures: an engine per backend (SQLite always, PostgreSQL when configured).

The PostgreSQL case runs whenever ``SAFECORRIDOR_TEST_PG_URL`` is set (CI sets it). Each test
session works in its own PostgreSQL schema, so parallel runs never see each other's rows.
The schema is built with ``alembic upgrade head``, never ``create_all``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from safecorridor import datasets
from safecorridor.db.base import Base
from safecorridor.db.engine import make_engine, migrate
from safecorridor.db.session import reset_engine
from safecorridor.risk import cache as risk_cache
from tests.world import drop_pg_templates

FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: a report of the 9th JWG meeting written for these tests (published Monday 2022-09-12): the
#: meeting, the April 2022 suicide attack at Karachi University it recalls, the BLA's threat
#: and a rejected request, with the phrasing problems the extractor must handle
SEED_REPORT = FIXTURES / "jwg-meeting-report.txt"
#: the shipped UCDP GED Pakistan 1989-2016 data set (facts and figures, CC BY 4.0)
UCDP_CSV = datasets.path("ucdp-pakistan")
PG_URL = os.environ.get("SAFECORRIDOR_TEST_PG_URL")

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]

#: the days on which a test marked ``calendar`` runs again, besides the real today: the first
#: and the last day of a month, 29 February and New Year's Eve
FROZEN_DAYS = ("2026-12-01", "2027-01-31", "2028-02-29", "2027-12-31")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("calendar"):
        metafunc.parametrize(
            "frozen_day", [None, *FROZEN_DAYS], indirect=True, ids=["today", *FROZEN_DAYS]
        )


@pytest.fixture(autouse=True)
def frozen_day(request: pytest.FixtureRequest) -> Iterator[date | None]:
    """For tests marked ``calendar``: the clock stands at 09:30 UTC on each of FROZEN_DAYS
    (and runs on from there), so a result that depends on the day is checked on the days
    that break date arithmetic."""
    day = getattr(request, "param", None)
    if day is None:
        yield None
        return
    with time_machine.travel(datetime.fromisoformat(f"{day}T09:30:00+00:00"), tick=True):
        yield date.fromisoformat(day)


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own data directory; nothing leaks into ./var."""
    from safecorridor.interop.stix import named_actors
    from safecorridor.settings import get_settings

    monkeypatch.setenv("SAFECORRIDOR_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SAFECORRIDOR_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    reset_engine(None)
    for cache in (
        risk_cache.surfaces,
        risk_cache.day_surfaces,
        risk_cache.figure_surfaces,
        risk_cache.wide_surfaces,
        named_actors,
    ):
        # the PostgreSQL schema is emptied between tests with its ids restarted: a stamp of
        # the incidents (count, last id, last change) could repeat from one test to the next
        cache.clear()
    yield
    get_settings.cache_clear()
    reset_engine(None)


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    if not PG_URL:
        pytest.skip("SAFECORRIDOR_TEST_PG_URL is not set")
    schema = f"sc_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    migrate(engine)
    yield engine
    engine.dispose()
    drop_pg_templates(admin)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _truncate(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(
                text(
                    "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
                )
            )
        else:
            for t in tables:
                conn.execute(text(f'DELETE FROM "{t}"'))


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        migrate(eng)
        reset_engine(eng)
        yield eng
        eng.dispose()
    else:
        eng = request.getfixturevalue("pg_engine")
        _truncate(eng)
        reset_engine(eng)
        yield eng
        _truncate(eng)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database only (for tests that need no PostgreSQL twin)."""
    eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    migrate(eng)
    reset_engine(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as s:
        yield s
