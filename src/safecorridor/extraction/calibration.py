"""Calibration: a field's confidence as the share of such values found right when fitted.

Every rule stage gives the fields it sets a raw confidence from :mod:`confidence` and the
evidence that confidence rests on (:attr:`CandidateEvent.confidence_basis`, e.g.
``event_date:relative:day:new`` or ``city:cued:town:violent``). The map in
``data/calibration.json`` turns each evidence into the share of values resting on it that the
annotations confirmed when the map was fitted, so that within each confidence band the share
of right values matches the band (``safecorridor eval extraction`` prints the reliability
table that checks it, and ``--auto-accept X`` relies on it).

The map is fitted on the development annotations only: news-dev's dev split and the SATP
annotations (never the frozen test split), by ``make calibrate SHARED=...``, which runs
``safecorridor eval fit-confidence``. Shares are smoothed towards the field's
overall share (:data:`SMOOTHING` pseudo-counts), so evidence seen rarely stays near it.
Evidence the map has not seen takes the field's overall share; a field the map does not know
keeps its raw confidence.

Invariants: every value in the map is in [``FLOOR``, ``CEILING``]; applying the map changes
confidences only, never a value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from safecorridor.extraction.types import CandidateEvent

#: pseudo-counts pulling an evidence's share towards its field's share
SMOOTHING = 5
#: no fitted confidence is below or above these (a sample never proves certainty)
FLOOR = 0.05
CEILING = 0.97
#: the file the map is read from and written to
MAP_FILE = "calibration.json"


@dataclass(frozen=True)
class CalibrationMap:
    """Fitted shares: by evidence (``bases``) and by field (``fields``)."""

    bases: dict[str, float]
    fields: dict[str, float]

    def confidence(self, name: str, basis: str | None, raw: float) -> float:
        """The calibrated confidence of field ``name`` resting on ``basis``."""
        if basis is not None and basis in self.bases:
            return self.bases[basis]
        return self.fields.get(name, raw)


EMPTY = CalibrationMap({}, {})


@cache
def shipped_map() -> CalibrationMap:
    """The map shipped with the package (empty when the file is absent)."""
    path = files("safecorridor.extraction").joinpath("data", MAP_FILE)
    if not path.is_file():
        return EMPTY
    data = json.loads(path.read_text("utf-8"))
    return CalibrationMap(
        {str(k): float(v) for k, v in data.get("bases", {}).items()},
        {str(k): float(v) for k, v in data.get("fields", {}).items()},
    )


def apply(events: Iterable[CandidateEvent], table: CalibrationMap | None = None) -> None:
    """Replace the raw field confidences of ``events`` by the fitted ones, and each event's
    overall confidence by the mean of its fields' (event and sub-event type left out)."""
    table = table or shipped_map()
    bases, fields = table.bases, table.fields
    for ev in events:
        fc, cb = ev.field_confidence, ev.confidence_basis
        for name in fc:
            basis = cb.get(name)
            fitted = bases.get(basis) if basis is not None else None
            if fitted is None:
                fitted = fields.get(name)
            if fitted is not None:  # a field the map does not know keeps its raw value
                fc[name] = round(fitted, 2)
        confs = [
            v for k, v in ev.field_confidence.items() if k not in ("event_type", "sub_event_type")
        ]
        if confs:
            ev.confidence = round(sum(confs) / len(confs), 2)


def fit(judgements: Iterable[tuple[str, str | None, bool]]) -> dict[str, Any]:
    """The map from (field, basis, right) judgements: each field's share right, and each
    basis's share smoothed towards its field's."""
    by_field: dict[str, list[int]] = {}
    by_basis: dict[str, tuple[str, list[int]]] = {}
    for name, basis, right in judgements:
        f = by_field.setdefault(name, [0, 0])
        f[0] += int(right)
        f[1] += 1
        if basis:
            b = by_basis.setdefault(basis, (name, [0, 0]))[1]
            b[0] += int(right)
            b[1] += 1
    fields = {name: _clip(r / n) for name, (r, n) in by_field.items() if n}
    bases = {
        basis: _clip((r + SMOOTHING * fields[name]) / (n + SMOOTHING))
        for basis, (name, (r, n)) in by_basis.items()
    }
    return {
        "about": "fitted by safecorridor eval fit-confidence on the development "
        "annotations (news-dev dev split and SATP), never on the test split",
        "smoothing": SMOOTHING,
        "counts": {basis: n for basis, (_name, (_r, n)) in sorted(by_basis.items())},
        "fields": dict(sorted(fields.items())),
        "bases": dict(sorted(bases.items())),
    }


def _clip(p: float) -> float:
    return round(min(CEILING, max(FLOOR, p)), 3)
