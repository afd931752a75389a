from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from safecorridor.db.session import reset_engine
from safecorridor.demo.loader import load_demo
from tests.factories import violent_stretch
from tests.movements.world import demo_sqlite


@pytest.fixture
def demo(request: pytest.FixtureRequest, session: Session) -> Session:
    """The demo world on each backend (SQLite, and PostgreSQL when configured), with a violent
    stretch of the Karakoram Highway before the test module's ``STRETCH_DAY`` (else today)."""
    load_demo(session)
    violent_stretch(session, today=getattr(request.module, "STRETCH_DAY", None))
    session.commit()
    return session


@pytest.fixture
def lite(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Session]:
    """The demo world on SQLite only, for checks that do not depend on the backend."""
    eng = demo_sqlite(tmp_path_factory.getbasetemp(), tmp_path / "lite.db")
    reset_engine(eng)
    with sessionmaker(bind=eng, expire_on_commit=False)() as s:
        violent_stretch(s, today=getattr(request.module, "STRETCH_DAY", None))
        s.commit()
        yield s
    eng.dispose()
