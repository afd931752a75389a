"""Shapes of alert rules as a person writes them (the API's body and the web form)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class RuleCreate(BaseModel):
    """A rule: its kind, parameters checked by kind (``km``, ``hours``, ``sites``, ``routes``),
    channels and recipients."""

    kind: str = Field(max_length=40)
    name: str | None = Field(default=None, max_length=200)
    params: dict[str, Any] = Field(default_factory=dict, max_length=10)
    channels: list[str] = Field(default_factory=lambda: ["in_app"], max_length=5)
    recipient_roles: list[str] = Field(default_factory=list, max_length=10)
    emails: list[str] = Field(default_factory=list, max_length=50)
    webhook_url: str | None = Field(default=None, max_length=2000)
    webhook_secret: str | None = Field(default=None, max_length=200)
