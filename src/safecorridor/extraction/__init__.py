"""Extraction: pure functions from news text to candidate events (no database access)."""

from safecorridor.extraction.rules import NAME, VERSION, RuleExtractor, extract, report_published
from safecorridor.extraction.types import CandidateEvent, Extractor, cut_date

__all__ = [
    "NAME",
    "VERSION",
    "CandidateEvent",
    "Extractor",
    "RuleExtractor",
    "cut_date",
    "extract",
    "report_published",
]
