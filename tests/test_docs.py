"""Guard against drift: every setting and every CLI command is documented in the README."""

from __future__ import annotations

from pathlib import Path

from safecorridor.alerts.channels import ChannelSettings
from safecorridor.cli.app import get_app
from safecorridor.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_configuration_table() -> None:
    names = [*Settings.model_fields, *ChannelSettings.model_fields]
    missing = [
        f"SAFECORRIDOR_{n.upper()}" for n in names if f"SAFECORRIDOR_{n.upper()}" not in README
    ]
    assert missing == []


def test_every_top_level_command_is_in_the_readme() -> None:
    app = get_app()
    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert names, "the CLI registered no commands"
    missing = [n for n in names if n and f"safecorridor {n}" not in README]
    assert missing == []
