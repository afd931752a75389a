"""A migrated SQLite database with the demo world, built once per test session and copied
for each test that needs it (loading the world takes over a second)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from safecorridor.db.engine import make_engine, migrate
from safecorridor.demo.loader import load_demo

_template: list[Path] = []


def demo_sqlite(template_dir: Path, target: Path) -> Engine:
    if not _template:
        path = template_dir / "demo-template.db"
        eng = make_engine(f"sqlite:///{path}")
        migrate(eng)
        with Session(eng) as s:
            load_demo(s)
            s.commit()
        eng.dispose()
        _template.append(path)
    shutil.copyfile(_template[0], target)
    return make_engine(f"sqlite:///{target}")
