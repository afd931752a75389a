from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from safecorridor.settings import Settings


def test_sqlite_in_the_data_dir_is_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SAFECORRIDOR_DATA_DIR", str(tmp_path))
    s = Settings()
    assert s.effective_database_url == f"sqlite:///{tmp_path.resolve() / 'safecorridor.db'}"


def test_database_url_selects_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFECORRIDOR_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert Settings().effective_database_url == "postgresql+psycopg://u@h/db"


def test_secrets_can_come_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "key"
    secret.write_text("s3cr3t-from-file\n")
    monkeypatch.setenv("SAFECORRIDOR_SECRET_KEY_FILE", str(secret))
    assert Settings().secret_key == "s3cr3t-from-file"


def test_production_refuses_the_placeholder_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAFECORRIDOR_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="SAFECORRIDOR_SECRET_KEY"):
        Settings()
