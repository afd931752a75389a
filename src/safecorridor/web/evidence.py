"""Evidence as the pages show it: a candidate's fields with the text that supports each, and a
source text cut into pieces so the evidence spans can be highlighted."""

from __future__ import annotations

from typing import Any

from safecorridor.review.models import Candidate


def evidence_fields(c: Candidate) -> list[dict[str, Any]]:
    """Each field of ``c`` that has evidence: name, value, supporting text, confidence."""
    fields = []
    for name, span in sorted((c.evidence or {}).items(), key=lambda kv: kv[1][0]):
        text = c.evidence_text(name)
        if text is None:
            continue
        fields.append(
            {
                "name": name,
                "value": getattr(c, name, None),
                "text": text,
                "confidence": (c.field_confidence or {}).get(name),
                "span": span,
            }
        )
    return fields


def highlight(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, str | None]]:
    """``text`` cut into (piece, field or None) so the evidence spans can be marked."""
    pieces: list[tuple[str, str | None]] = []
    pos = 0
    for start, end, name in sorted(spans):
        if start < pos or end <= start or end > len(text):
            continue
        if start > pos:
            pieces.append((text[pos:start], None))
        pieces.append((text[start:end], name))
        pos = end
    if pos < len(text):
        pieces.append((text[pos:], None))
    return pieces
