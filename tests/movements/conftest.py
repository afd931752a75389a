from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from safecorridor.db.session import reset_engine
from safecorridor.demo.loader import load_demo
from tests.movements.world import demo_sqlite


@pytest.fixture
def demo(session: Session) -> Session:
    """The demo world on each backend (SQLite, and PostgreSQL when configured)."""
    load_demo(session)
    session.commit()
    return session


@pytest.fixture
def lite(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    """The demo world on SQLite only, for checks that do not depend on the backend."""
    eng = demo_sqlite(tmp_path_factory.getbasetemp(), tmp_path / "lite.db")
    reset_engine(eng)
    with sessionmaker(bind=eng, expire_on_commit=False)() as s:
        yield s
    eng.dispose()
