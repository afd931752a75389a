"""Fixed vocabularies of the review workflow."""

from __future__ import annotations

from enum import StrEnum


class CandidateStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MERGED = "merged"


class IngestStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"  # some sources failed, the rest was stored
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # its process died (sources/runs.py)


# extractor kinds that are violent events (incidents in their own right)
INCIDENT_KINDS = frozenset(
    {"attack", "bombing", "suicide_attack", "armed_clash", "abduction", "arrest"}
)
# kinds that are ACLED "Strategic developments": incidents only when they have a place
STRATEGIC_KINDS = frozenset({"meeting", "agreement", "threat", "other"})
