"""The logging setup shared by serve, worker and the CLI: JSON or text lines with the caller's
fields, one handler however often it is configured, clear errors for bad settings, the
worker's step lines and the CLI's import lines."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from typer.testing import CliRunner

from safecorridor.alerts.worker import STEPS, WorkerContext, run_step
from safecorridor.cli.app import get_app
from safecorridor.ops.logs import (
    CURRENT,
    RequestContext,
    StderrHandler,
    accept_request_id,
    configure_logging,
)
from safecorridor.settings import Settings, get_settings
from tests.sources.conftest import ACLED_HEADER

NOW = datetime(2025, 6, 1, 12, 0)


def ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if isinstance(h, StderrHandler)]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def json_lines(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.splitlines() if line.strip()]


def test_configuring_twice_keeps_one_handler_and_others_handlers(
    restore_logging: None,
) -> None:
    other = logging.NullHandler()
    logging.getLogger().addHandler(other)
    configure_logging("json", "INFO")
    configure_logging("text", "WARNING")
    assert len(ours()) == 1
    assert other in logging.getLogger().handlers
    assert logging.getLogger().level == logging.WARNING
    # the libraries that would log URLs or SQL parameters stay at WARNING even at DEBUG
    configure_logging("json", "DEBUG")
    assert logging.getLogger("sqlalchemy").level == logging.WARNING
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("uvicorn.access").disabled


def test_json_lines_carry_the_fields_the_request_id_and_the_traceback(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("json", "INFO")
    log = logging.getLogger("safecorridor.test")
    token = CURRENT.set(RequestContext("req-abc-123"))
    try:
        log.info("plain %s", "words", extra={"rows": 3, "kind": "ucdp"})
        try:
            raise ValueError("bad row")
        except ValueError:
            log.exception("failed")
    finally:
        CURRENT.reset(token)
    log.debug("below the level")
    log.warning("outside a request")
    first, second, third = json_lines(capsys.readouterr().err)
    assert first["message"] == "plain words"
    assert (first["rows"], first["kind"], first["request_id"]) == (3, "ucdp", "req-abc-123")
    assert (first["level"], first["logger"]) == ("INFO", "safecorridor.test")
    assert second["level"] == "ERROR" and "ValueError: bad row" in second["exc_info"]
    assert third["message"] == "outside a request" and "request_id" not in third


def test_text_lines_append_the_fields(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("text", "INFO")
    token = CURRENT.set(RequestContext("req-xyz"))
    try:
        logging.getLogger("safecorridor.test").info(
            "done", extra={"found": 2, "note": "two words", "empty": ""}
        )
    finally:
        CURRENT.reset(token)
    (line,) = capsys.readouterr().err.splitlines()
    assert " INFO safecorridor.test done " in line
    assert line.endswith(' found=2 note="two words" empty="" request_id=req-xyz')


def test_request_ids_are_accepted_only_when_well_formed() -> None:
    assert accept_request_id("a" * 64) == "a" * 64
    assert accept_request_id("0af7651916cd43dd8448eb211c80319c") == (
        "0af7651916cd43dd8448eb211c80319c"
    )
    for bad in ("a" * 65, "two words", "a\r\nInjected: yes", "_x", None):
        made = accept_request_id(bad)
        assert made != bad and len(made) == 32


def test_log_settings_are_case_insensitive_and_bad_values_are_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SAFECORRIDOR_LOG_FORMAT", "JSON")
    monkeypatch.setenv("SAFECORRIDOR_LOG_LEVEL", "warning")
    s = Settings()
    assert (s.log_format, s.log_level) == ("json", "WARNING")
    monkeypatch.setenv("SAFECORRIDOR_LOG_FORMAT", "xml")
    with pytest.raises(ValidationError, match="log_format"):
        Settings()
    monkeypatch.setenv("SAFECORRIDOR_LOG_FORMAT", "text")
    monkeypatch.setenv("SAFECORRIDOR_LOG_LEVEL", "loud")
    with pytest.raises(ValidationError, match="log_level"):
        Settings()


def _failing_step(_ctx: WorkerContext, _now: datetime) -> int:
    raise RuntimeError("the step's service is down")


def test_each_worker_step_logs_one_json_line(
    sqlite_engine: Engine,
    restore_logging: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure_logging("json", "INFO")
    ctx = WorkerContext(engine=sqlite_engine, name="w-logs")
    capsys.readouterr()
    run = run_step(ctx, "review_backlog", now=NOW)
    monkeypatch.setitem(STEPS, "broken", _failing_step)
    failed = run_step(ctx, "broken", now=NOW)
    ok, bad = [r for r in json_lines(capsys.readouterr().err) if "step" in r]
    assert (ok["step"], ok["status"], ok["found"], ok["level"]) == (
        "review_backlog",
        "ok",
        run.found,
        "INFO",
    )
    assert ok["run_id"] == run.id and ok["worker"] == "w-logs"
    assert isinstance(ok["duration_ms"], float) and ok["duration_ms"] >= 0
    assert (bad["step"], bad["status"], bad["level"], bad["run_id"]) == (
        "broken",
        "error",
        "ERROR",
        failed.id,
    )
    assert "RuntimeError: the step's service is down" in bad["exc_info"]


def test_the_cli_logs_an_import_as_json_when_told(
    sqlite_engine: Engine,
    restore_logging: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SAFECORRIDOR_LOG_FORMAT", "json")
    monkeypatch.setenv("SAFECORRIDOR_DATABASE_URL", str(sqlite_engine.url))
    get_settings.cache_clear()
    path = tmp_path / "two.csv"
    path.write_text(
        ACLED_HEADER + "\n"
        "L1,2022-04-01,2022,1,,Battles,Armed clash,BLA,,,,,,,,,,Pakistan,Sindh,,,Karachi,24.94,67.12,1,,,,1,,\n"
        "L2,someday,2022,1,,Battles,Armed clash,BLA,,,,,,,,,,Pakistan,Sindh,,,Karachi,24.94,67.12,1,,,,1,,\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(get_app(), ["import", "acled", str(path)])
    assert result.exit_code == 0, result.output
    (line,) = [r for r in json_lines(result.stderr) if r.get("format") == "acled"]
    assert (line["status"], line["rows_new"], line["rows_rejected"]) == ("finished", 1, 1)
    assert line["logger"] == "safecorridor.sources.importers.store"
