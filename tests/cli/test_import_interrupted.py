"""An import whose process is killed ends as `interrupted` when the next import, `audit
verify` or the worker finds it dead (a real process, killed with SIGKILL mid-import)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from safecorridor.alerts.worker import WorkerContext, run_once
from safecorridor.sharing.models import AuditEvent
from safecorridor.sources.models import ImportRun, IngestRun
from safecorridor.sources.runs import mark_interrupted_imports
from tests.ingestion.conftest import invoke
from tests.sources.conftest import write_acled

#: a process that starts an import and hangs in the middle of reading its rows
HANGING_IMPORT = """
import sys, time
from pathlib import Path
from safecorridor.db.engine import make_engine
from safecorridor.sources.importers.store import import_rows

url, schema, flag = sys.argv[1:4]
engine = make_engine(url, **({"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}))

def rows():
    Path(flag).write_text("reading")
    time.sleep(600)
    yield from ()

import_rows(rows(), kind="csv", path=Path("hanging.csv"), engine=engine)
"""


def _schema(engine: Engine) -> str:
    if engine.dialect.name != "postgresql":
        return ""
    with engine.connect() as conn:
        return str(conn.scalar(text("SELECT current_schema()")))


def _killed(engine: Engine, tmp_path: Path, script: str, model: type[Any]) -> Iterator[int]:
    """The id of a run of ``model`` whose process (running ``script``) was killed while it
    read its input."""
    flag = tmp_path / "reading"
    url = engine.url.render_as_string(hide_password=False)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", script, url, _schema(engine), str(flag)], env=env
    )
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert proc.poll() is None, "the process ended early"
            assert time.monotonic() < deadline, "the process never started reading"
            time.sleep(0.05)
        with Session(engine) as s:
            run = s.scalars(select(model)).one()
            assert (run.status, run.pid) == ("running", proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        yield run.id
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture
def killed_import(engine: Engine, tmp_path: Path) -> Iterator[int]:
    """The id of an import run whose process was killed mid-import."""
    yield from _killed(engine, tmp_path, HANGING_IMPORT, ImportRun)


def _run(engine: Engine, run_id: int) -> ImportRun:
    with Session(engine) as s:
        return s.get_one(ImportRun, run_id)


def test_the_next_import_marks_a_killed_import_interrupted(
    engine: Engine, killed_import: int, tmp_path: Path
) -> None:
    assert _run(engine, killed_import).status == "running"  # nothing noticed yet
    code, out = invoke("import", "acled", str(write_acled(tmp_path / "acled.csv")))
    assert code == 0, out
    dead = _run(engine, killed_import)
    assert dead.status == "interrupted" and dead.finished_at is not None
    with Session(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "interrupted")).one()
    assert (event.record_type, event.record_id) == ("import_run", killed_import)
    code, out = invoke("audit", "verify")
    assert code == 0, out


def test_audit_verify_marks_a_killed_import_interrupted(engine: Engine, killed_import: int) -> None:
    code, out = invoke("audit", "verify")
    assert code == 0, out
    assert f"import run {killed_import} found dead: marked interrupted" in out
    assert _run(engine, killed_import).status == "interrupted"
    assert mark_interrupted_imports(engine) == []  # once


def test_the_worker_marks_a_killed_import_interrupted(engine: Engine, killed_import: int) -> None:
    runs = run_once(WorkerContext(engine=engine), steps=["interrupted_imports"])
    assert runs["interrupted_imports"].status == "ok"
    assert runs["interrupted_imports"].found == 1
    assert _run(engine, killed_import).status == "interrupted"


def test_a_live_import_is_left_running(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        # a run of a process that is alive: this test's parent (not this process)
        s.add(ImportRun(kind="csv", path="x.csv", pid=os.getppid(), hostname=os.uname().nodename))
    assert mark_interrupted_imports(engine) == []
    with Session(engine) as s:
        assert s.scalars(select(ImportRun.status)).one() == "running"


#: a process that starts an ingest and hangs while its source is read
HANGING_INGEST = """
import sys, time
from pathlib import Path
from safecorridor.db.engine import make_engine
import safecorridor.sources.ingest as ingest_module
from safecorridor.sources.ingest import IngestOptions, ingest

url, schema, flag = sys.argv[1:4]
engine = make_engine(url, **({"connect_args": {"options": f"-csearch_path={schema}"}} if schema else {}))

def hanging(source, opts):
    Path(flag).write_text("reading")
    time.sleep(600)
    yield from ()

ingest_module.read_source = hanging
ingest(engine=engine, sources=["report.txt"], options=IngestOptions())
"""


@pytest.fixture
def killed_ingest(engine: Engine, tmp_path: Path) -> Iterator[int]:
    """The id of an ingest run whose process was killed while reading its source."""
    yield from _killed(engine, tmp_path, HANGING_INGEST, IngestRun)


def _ingest_status(engine: Engine, run_id: int) -> str:
    with Session(engine) as s:
        return s.get_one(IngestRun, run_id).status


def test_the_next_ingest_marks_a_killed_ingest_interrupted(
    engine: Engine, killed_ingest: int, tmp_path: Path
) -> None:
    assert _ingest_status(engine, killed_ingest) == "running"
    report = tmp_path / "report.txt"
    report.write_text("Gunmen shot dead two policemen in Bannu on Monday.\n")
    code, out = invoke("ingest", str(report), "--published", "2024-05-08")
    assert code == 0, out
    assert _ingest_status(engine, killed_ingest) == "interrupted"
    with Session(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "interrupted")).one()
    assert (event.record_type, event.record_id, event.actor) == (
        "ingest_run",
        killed_ingest,
        "ingest",
    )
    assert invoke("audit", "verify")[0] == 0


def test_audit_verify_marks_a_killed_ingest_interrupted(engine: Engine, killed_ingest: int) -> None:
    code, out = invoke("audit", "verify")
    assert code == 0 and f"ingest run {killed_ingest} found dead: marked interrupted" in out
    assert _ingest_status(engine, killed_ingest) == "interrupted"


def test_the_worker_marks_a_killed_ingest_interrupted(engine: Engine, killed_ingest: int) -> None:
    runs = run_once(WorkerContext(engine=engine), steps=["interrupted_imports"])
    assert (runs["interrupted_imports"].status, runs["interrupted_imports"].found) == ("ok", 1)
    assert _ingest_status(engine, killed_ingest) == "interrupted"
