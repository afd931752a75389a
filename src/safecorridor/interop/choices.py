"""Fixed vocabularies of the interop package."""

from __future__ import annotations

from enum import StrEnum


class FeedKind(StrEnum):
    TAXII = "taxii"
    MISP_JSON = "misp-json"


class FeedRunStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
