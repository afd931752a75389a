"""The README documents what a user can set and run: every setting, every CLI command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from safecorridor.cli.app import get_app
from safecorridor.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"## {title}")
    end = README.find("\n## ", start + 3)
    return README[start : end if end > 0 else None]


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_in_the_configuration_table(name: str) -> None:
    variable = f"SAFECORRIDOR_{name.upper()}"
    assert f"`{variable}`" in _section("Configuration"), variable


def test_every_cli_command_is_in_the_cli_table() -> None:
    app = get_app()
    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    table = _section("The CLI")
    missing = [n for n in names if n and not re.search(rf"`safecorridor {re.escape(n)}\b", table)]
    assert names and missing == []
