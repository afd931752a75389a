"""Shapes of alert rules as a person writes them (the API's body and the web form)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class RuleCreate(BaseModel):
    kind: str
    name: str | None = Field(default=None, max_length=200)
    params: dict[str, Any] = Field(default_factory=dict)
    channels: list[str] = Field(default_factory=lambda: ["in_app"])
    recipient_roles: list[str] = Field(default_factory=list)
    emails: list[str] = Field(default_factory=list)
    webhook_url: str | None = Field(default=None, max_length=2000)
    webhook_secret: str | None = Field(default=None, max_length=200)
