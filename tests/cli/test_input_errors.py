"""A mistyped option value is a one-line error naming it and what is expected, never a filter
that silently matches nothing; it exits 1, a bad choice as any other refused value (--status,
--tlp, --reliability, --near, a date...)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from safecorridor.cli.app import get_app, main
from tests.sources.conftest import write_acled

runner = CliRunner()

EVENT_TYPES = (
    "Battles, Explosions/Remote violence, Violence against civilians, Protests, Riots, "
    "Strategic developments"
)


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(get_app(), list(args))
    return result.exit_code, result.output


def error_line(out: str) -> str:
    """The one line of the error (the test fails if there is none, or more than one)."""
    lines = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, out
    assert "Traceback" not in out
    return lines[0]


def test_export_refuses_an_unknown_event_type(sqlite_engine: Engine, tmp_path: Path) -> None:
    code, out = invoke("import", "acled", str(write_acled(tmp_path / "acled.csv")))
    assert code == 0, out
    target = tmp_path / "out.jsonl"
    code, out = invoke("export", "jsonl", str(target), "--type", "Bogus")
    assert code == 1
    assert error_line(out) == f"error: --type must be one of {EVENT_TYPES}, not 'Bogus'"
    assert not target.exists()
    # a known type in any case filters as before; a known type with no incidents is no error
    code, out = invoke("export", "jsonl", str(target), "--type", "explosions/remote VIOLENCE")
    assert code == 0 and "3 incidents written" in out, out
    code, out = invoke("export", "jsonl", str(target), "--type", "Battles")
    assert code == 0 and "0 incidents written" in out, out


def test_incidents_list_refuses_an_unknown_event_type(sqlite_engine: Engine) -> None:
    code, out = invoke("incidents", "list", "--type", "Riots", "--type", "riot")
    assert code == 1
    assert error_line(out) == f"error: --type must be one of {EVENT_TYPES}, not 'riot'"


def test_actions_list_refuses_an_unknown_status(sqlite_engine: Engine) -> None:
    code, out = invoke("actions", "list", "--status", "bogus")
    assert code == 1
    assert error_line(out) == (
        "error: --status must be one of open, in_progress, done, cancelled, overdue, not 'bogus'"
    )
    code, out = invoke("actions", "list", "--status", "OPEN", "--status", "overdue", "--json")
    assert code == 0, out
    assert json.loads(out) == []


def test_measures_list_refuses_an_unknown_state(sqlite_engine: Engine) -> None:
    code, out = invoke("measures", "list", "--state", "in-place")
    assert code == 1
    assert error_line(out) == (
        "error: --state must be one of planned, in_progress, in_place, lapsed, not 'in-place'"
    )
    code, out = invoke("measures", "list", "--state", "in_place", "--json")
    assert code == 0 and json.loads(out) == [], out


@pytest.mark.parametrize("period", ["2024-01-01", "2024-01-01..", "2024-01-01/2024-03-31"])
def test_briefing_period_says_the_format_expected(period: str) -> None:
    code, out = invoke("briefing", "--period", period, "--for", "Anyone", "--format", "html")
    assert code == 1
    assert error_line(out) == (
        "error: --period must be FROM..TO as YYYY-MM-DD..YYYY-MM-DD "
        f"(e.g. 2022-07-01..2022-09-30), not {period!r}"
    )


def test_briefing_period_backwards_is_named() -> None:
    code, out = invoke(
        "briefing", "--period", "2022-09-30..2022-07-01", "--for", "Anyone", "--format", "html"
    )
    assert code == 1
    assert error_line(out) == "error: --period 2022-09-30..2022-07-01: it ends before it starts"


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("stix", "a STIX bundle file (JSON)"), ("misp", "a MISP event file (JSON)")],
)
def test_import_of_a_directory_says_a_file_is_expected(
    sqlite_engine: Engine, tmp_path: Path, kind: str, expected: str
) -> None:
    folder = tmp_path / "bundles"
    folder.mkdir()
    code, out = invoke("import", kind, str(folder))
    assert code == 1
    assert error_line(out) == f"error: {folder}: is a directory; {expected} is expected"
    code, out = invoke("import", kind, str(folder / "nope.json"))
    assert code == 1
    assert error_line(out) == f"error: {folder / 'nope.json'}: no such file"


@pytest.mark.parametrize(
    ("km", "shown"), [("-5", "-5"), ("0", "0"), ("501", "501"), ("nan", "nan"), ("inf", "inf")]
)
def test_incidents_near_refuses_a_radius_that_is_no_distance(km: str, shown: str) -> None:
    """-5 km reached H3 and ended in its traceback; the API's km takes more than 0 to 500."""
    code, out = invoke("incidents", "list", "--near", "24.9,67.1", "--km", km)
    assert code == 1
    assert error_line(out) == f"error: --km must be more than 0 and at most 500, not {shown}"


def test_incidents_near_takes_a_radius_up_to_500_km(sqlite_engine: Engine) -> None:
    code, out = invoke("incidents", "list", "--near", "24.9,67.1", "--km", "500")
    assert code == 0 and "0 of 0 incidents" in out, out


@pytest.mark.parametrize("command", [("incidents", "list"), ("export", "jsonl", "out.jsonl")])
def test_since_after_until_is_refused_rather_than_matching_nothing(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    args = [str(tmp_path / a) if a.endswith(".jsonl") else a for a in command]
    code, out = invoke(*args, "--since", "2025-01-01", "--until", "2020-01-01")
    assert code == 1
    assert error_line(out) == (
        "error: --since 2025-01-01 is after --until 2020-01-01: no day lies between them"
    )
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(
    "command", [("review",), ("incidents", "list"), ("risk", "policy", "list")]
)
@pytest.mark.parametrize("limit", ["-1", "0", "1000001", "99999999999999999999"])
def test_a_limit_is_at_least_1_and_at_most_a_million(command: tuple[str, ...], limit: str) -> None:
    """-1 was taken (review listed its whole queue); a number past 64 bits is no SQL limit."""
    code, out = invoke(*command, "--limit", limit)
    assert code == 1
    assert error_line(out) == f"error: --limit must be between 1 and 1,000,000, not {limit}"


def test_a_limit_of_1_is_taken(sqlite_engine: Engine) -> None:
    code, out = invoke("review", "--limit", "1")
    assert code == 0 and "no pending candidates" in out, out


def test_an_id_past_any_records_is_named_not_a_traceback(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An id option no 64-bit integer holds (SQLite refuses to bind it) ends with one line
    saying so, not an OverflowError's traceback."""
    monkeypatch.setattr(sys, "argv", ["safecorridor", "measures", "state", "9" * 25, "in_place"])
    with pytest.raises(SystemExit) as stop:
        main()
    assert stop.value.code == 2
    assert "larger than any id or count a record holds" in capsys.readouterr().err


def test_stopping_an_unknown_rule_is_named(sqlite_engine: Engine) -> None:
    code, out = invoke("alerts", "rules", "stop", "999999")
    assert code == 1 and "no alert rule with id 999999" in out


def test_a_meeting_file_that_holds_no_meeting_is_named(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """Plain text or a list was refused as "Input should be a valid dictionary or instance
    of MeetingCreate"."""
    for name, content in (("notes.txt", "minutes of the meeting"), ("list.json", "[1, 2]")):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        code, out = invoke("meetings", "add", str(path), "--owner", "1")
        assert code == 1 and "holds no meeting" in out, out
