"""One typed settings object, read from ``SAFECORRIDOR_*`` environment variables.

Every secret also accepts ``SAFECORRIDOR_<NAME>_FILE`` naming a file that holds it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

from pydantic import AliasChoices, Field, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
#: the log levels, least severe first
LOG_LEVELS: tuple[str, ...] = get_args(LogLevel)


class Settings(BaseSettings):
    """Runtime configuration; every variable is described in the README (Configuration)."""

    model_config = SettingsConfigDict(
        env_prefix="SAFECORRIDOR_", extra="ignore", populate_by_name=True
    )

    data_dir: Path = Field(default=Path("var"), description="Where the embedded database lives.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; unset means SQLite in DATA_DIR/safecorridor.db.",
    )
    secret_key: str = Field(default="dev-insecure-secret", description="Signs web sessions.")
    audit_key_file: Path | None = Field(
        default=None,
        description="The file holding the audit chain's HMAC key, kept outside the database; "
        "unset means DATA_DIR's sibling <data dir>-audit.key (created, mode 0600, by `init` "
        "or the first audited write).",
    )
    environment: str = Field(default="development", description="development or production.")
    host: str = Field(default="127.0.0.1", description="Address `serve` binds to.")
    port: int = Field(default=8000, description="Port `serve` listens on.")
    workers: int = Field(
        default=1,
        ge=1,
        description="Worker processes `serve` runs (one per core is a good start; each gets "
        "its own listening socket on the port, so connections are spread evenly).",
    )
    import_batch_size: int = Field(default=2000, description="Rows per transaction in imports.")
    h3_incident_resolution: int = Field(default=7, description="H3 resolution of incident cells.")
    ingest_max_bytes: int = Field(
        default=10_000_000,
        description="Largest source (file, page, feed or JSONL record) `ingest` reads, in bytes.",
    )
    tile_url: str = Field(
        default="",
        description="Online map tiles for the web map, e.g. "
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png; empty keeps the map offline.",
    )
    allow_private_urls: bool = Field(
        default=False,
        validation_alias=AliasChoices(
            "SAFECORRIDOR_ALLOW_PRIVATE_URLS", "SAFECORRIDOR_INGEST_ALLOW_PRIVATE_URLS"
        ),
        description="Let the server call private or local addresses (ingest URLs, webhooks, "
        "feeds); off guards against server-side request forgery.",
    )
    session_hours: int = Field(default=12, description="Lifetime of a web session (hours).")
    token_days: int = Field(default=90, description="Default lifetime of an API token (days).")
    token_max_days: int = Field(
        default=365, ge=1, le=3650, description="Longest lifetime an API token may be given (days)."
    )
    token_fresh_minutes: int = Field(
        default=15,
        ge=1,
        description="A token is created only within this many minutes of signing in.",
    )
    login_window_minutes: int = Field(
        default=15, description="Window over which failed sign-ins are counted."
    )
    login_max_failures_per_account: int = Field(
        default=5,
        description="Failed sign-ins for one account from one address within the window before "
        "a doubling back-off (429).",
    )
    login_max_failures_per_account_all_addresses: int = Field(
        default=50,
        description="Failed sign-ins for one account from any addresses within the window before "
        "429, except from a browser that signed in as that account before.",
    )
    login_max_failures_per_address: int = Field(
        default=20, description="Failed sign-ins from one address within the window before 429."
    )
    briefing_days_before: int = Field(
        default=7,
        ge=0,
        le=90,
        description="Days before a JWG meeting the worker builds and e-mails each delegation "
        "its briefing pack.",
    )
    worker_runs_keep_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days the worker keeps the record of its step runs (`worker_runs`); older "
        "rows are deleted by its prune_runs step.",
    )
    backup_every_hours: float | None = Field(
        default=None,
        gt=0,
        le=24 * 366,
        description="Hours between the worker's scheduled backups (with BACKUP_DIR); unset: "
        "the worker takes none. `worker --backup-every` overrides it.",
    )
    backup_dir: Path | None = Field(
        default=None,
        description="Where the worker's scheduled backups go, one `safecorridor-<UTC stamp>` "
        "folder each. `worker --backup-dir` overrides it.",
    )
    backup_keep: int = Field(
        default=14,
        ge=1,
        le=1000,
        description="How many scheduled backups the worker keeps (the oldest beyond are "
        "deleted). `worker --backup-keep` overrides it.",
    )

    dask_timeout: float = Field(
        default=20.0,
        gt=0,
        le=600,
        description="Seconds to wait for a Dask scheduler named by --dask before giving up.",
    )

    metrics_token: str | None = Field(
        default=None,
        description="Bearer token the Prometheus scraper sends to GET /metrics (the operator "
        "organisation's admins may read it with their own token or session); unset: those "
        "admins only.",
    )

    operator_org: str | None = Field(
        default=None,
        max_length=200,
        description="The organisation that runs this server (its short name or name): its "
        "admins may read GET /metrics, which counts every organisation's activity; unset: the "
        "first organisation created.",
    )

    log_format: Literal["json", "text"] = Field(
        default="text",
        description="Log lines on standard error: json (one object a line, for a log shipper) "
        "or text (for a terminal).",
    )
    log_level: LogLevel = Field(
        default="INFO", description="The least severe log level written (serve, worker, CLI)."
    )

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _case_insensitive(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        return value.strip().upper() if info.field_name == "log_level" else value.strip().lower()

    @model_validator(mode="before")
    @classmethod
    def _read_secret_files(cls, data: dict[str, object]) -> dict[str, object]:
        for name in ("secret_key", "database_url", "metrics_token"):
            path = os.environ.get(f"SAFECORRIDOR_{name.upper()}_FILE")
            if path and name not in data:
                data[name] = Path(path).read_text(encoding="utf-8").strip()
        return data

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == "dev-insecure-secret":
            raise ValueError(
                "SAFECORRIDOR_SECRET_KEY must be set to a real secret when "
                "SAFECORRIDOR_ENVIRONMENT=production"
            )
        return self

    @property
    def effective_audit_key_file(self) -> Path:
        if self.audit_key_file is not None:
            return self.audit_key_file
        data_dir = self.data_dir.resolve()
        return data_dir.with_name(data_dir.name + "-audit.key")

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'safecorridor.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
