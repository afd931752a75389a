"""Extraction: pure functions from news text to candidate events (no database access)."""

from safecorridor.extraction.rules import (
    MAX_REPORT_CHARS,
    NAME,
    VERSION,
    RuleExtractor,
    extract,
    too_long,
)
from safecorridor.extraction.types import CandidateEvent, Extractor, cut_date

__all__ = [
    "MAX_REPORT_CHARS",
    "NAME",
    "VERSION",
    "CandidateEvent",
    "Extractor",
    "RuleExtractor",
    "cut_date",
    "extract",
    "too_long",
]
