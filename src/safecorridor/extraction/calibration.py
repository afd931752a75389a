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

The map's shares come from text the rules were written on, so they overstate how often a value
is right in an article the rules have never seen (on such articles the shares hardly separate
right values from wrong ones). An article (a report of at least :data:`ARTICLE_WORDS` words; an
incident paragraph such as SATP's is shorter, and there the map holds on unseen paragraphs) is
therefore given a second step, the **transfer**: a logistic recalibration of the map's
confidence, ``logit(p') = slope * logit(p) + intercept``, fitted on the map's confidences and
the judgements of a set of articles the rules were never fitted to and whose errors are never
read (``tests/extraction/calibration``; ``eval fit-confidence --unseen``).

Invariants: every value in the map is in [``FLOOR``, ``CEILING``], and so is every transferred
confidence; applying the map changes confidences only, never a value.
"""

from __future__ import annotations

import json
import math
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
#: a report this long or longer is an article: its confidences take the transfer step
ARTICLE_WORDS = 150


def is_article(text: str, min_words: int = ARTICLE_WORDS) -> bool:
    """Whether ``text`` is long enough to be an article (its confidences take the transfer)."""
    return len(text.split()) >= min_words


@dataclass(frozen=True)
class Transfer:
    """The recalibration of an article's confidences: ``logit(p') = slope * logit(p) +
    intercept``, clipped to [``FLOOR``, ``CEILING``]."""

    slope: float
    intercept: float
    min_words: int = ARTICLE_WORDS

    def applies_to(self, text: str) -> bool:
        """Whether ``text`` is an article (at least :attr:`min_words` words)."""
        return is_article(text, self.min_words)

    def adjust(self, p: float) -> float:
        z = self.slope * _logit(p) + self.intercept
        return min(CEILING, max(FLOOR, 1.0 / (1.0 + math.exp(-z))))


@dataclass(frozen=True)
class CalibrationMap:
    """Fitted shares: by evidence (``bases``) and by field (``fields``); the ``transfer`` of
    an article's confidences (None: none)."""

    bases: dict[str, float]
    fields: dict[str, float]
    transfer: Transfer | None = None

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
    return read_map(json.loads(path.read_text("utf-8")))


def read_map(data: dict[str, Any]) -> CalibrationMap:
    """The map of a fitted document (as :func:`fit` and :func:`with_transfer` write it)."""
    t = data.get("transfer")
    transfer = (
        Transfer(float(t["slope"]), float(t["intercept"]), int(t["min_words"]))
        if isinstance(t, dict)
        else None
    )
    return CalibrationMap(
        {str(k): float(v) for k, v in data.get("bases", {}).items()},
        {str(k): float(v) for k, v in data.get("fields", {}).items()},
        transfer,
    )


def apply(
    events: Iterable[CandidateEvent],
    table: CalibrationMap | None = None,
    *,
    text: str = "",
) -> None:
    """Replace the raw field confidences of ``events`` by the fitted ones (then, when the
    ``text`` they come from is an article, by their transfer), and each event's overall
    confidence by the mean of its fields' (event and sub-event type left out)."""
    table = table or shipped_map()
    bases, fields = table.bases, table.fields
    transfer = table.transfer if table.transfer and table.transfer.applies_to(text) else None
    for ev in events:
        fc, cb = ev.field_confidence, ev.confidence_basis
        for name in fc:
            basis = cb.get(name)
            fitted = bases.get(basis) if basis is not None else None
            if fitted is None:
                fitted = fields.get(name)
            if fitted is not None:  # a field the map does not know keeps its raw value
                fc[name] = round(transfer.adjust(fitted) if transfer else fitted, 2)
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


def with_transfer(
    table: dict[str, Any], judgements: Iterable[tuple[float, bool]], *, about: str
) -> dict[str, Any]:
    """``table`` with the transfer fitted on (map confidence, right) judgements of articles
    the rules were never fitted to: a logistic regression of right on the confidence's logit."""
    from sklearn.linear_model import LogisticRegression  # lazy: fitting only, never applying

    pairs = list(judgements)
    if len({right for _p, right in pairs}) < 2:
        raise ValueError("the transfer needs right and wrong values among the judgements")
    x = [[_logit(p)] for p, _right in pairs]
    y = [int(right) for _p, right in pairs]
    model = LogisticRegression(C=100.0).fit(x, y)
    return {
        **table,
        "transfer": {
            "about": about,
            "values": len(pairs),
            "share_right": round(sum(y) / len(y), 3),
            "slope": round(float(model.coef_[0][0]), 4),
            "intercept": round(float(model.intercept_[0]), 4),
            "min_words": ARTICLE_WORDS,
        },
    }


def _logit(p: float) -> float:
    p = min(1 - 1e-3, max(1e-3, p))
    return math.log(p / (1 - p))


def _clip(p: float) -> float:
    return round(min(CEILING, max(FLOOR, p)), 3)
