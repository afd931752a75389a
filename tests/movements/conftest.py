from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from safecorridor.db.session import reset_engine
from tests.world import demo_copy, demo_in, stretch_day


@pytest.fixture
def demo(
    request: pytest.FixtureRequest, session: Session, tmp_path_factory: pytest.TempPathFactory
) -> Session:
    """The demo world on each backend (SQLite, and PostgreSQL when configured), with a violent
    stretch of the Karakoram Highway before the test module's ``STRETCH_DAY`` (else today).
    On SQLite it is a copy of the run's template; PostgreSQL loads it."""
    return demo_in(session, tmp_path_factory.getbasetemp(), stretch_day(request))


@pytest.fixture
def lite(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Session]:
    """The demo world on SQLite only, for checks that do not depend on the backend."""
    eng = demo_copy(tmp_path_factory.getbasetemp(), tmp_path / "lite.db", stretch_day(request))
    reset_engine(eng)
    with sessionmaker(bind=eng, expire_on_commit=False)() as s:
        yield s
    eng.dispose()
