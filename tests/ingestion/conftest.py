"""Helpers of the ingestion and review tests: the CLI runner and the seed report's variants."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from safecorridor.cli.app import get_app
from tests.conftest import SEED_REPORT

runner = CliRunner()

SYNDICATED_FIRST_SENTENCE = (
    "Pakistan and China agreed to strengthen the protection of corridor projects against "
    "hostile elements, state radio said on Monday."
)


def invoke(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(get_app(), [str(a) for a in args])
    return result.exit_code, result.output


def seed_text() -> str:
    return SEED_REPORT.read_text("utf-8")


def write_syndicated_copy(path: Path) -> Path:
    """The seed report with its first sentence rewritten (a syndicated, edited copy)."""
    _, rest = seed_text().split("\n", 1)
    path.write_text(SYNDICATED_FIRST_SENTENCE + "\n" + rest, "utf-8")
    return path


def write_reflowed_copy(path: Path) -> Path:
    """The seed report with different line breaks and doubled spaces (the same text)."""
    text = seed_text().replace(". ", ".  \n   ").replace("\n", "\r\n")
    path.write_text("\n\n  " + text + "  \n\n", "utf-8")
    return path
