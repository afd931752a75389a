"""Scoring an extractor against gold events: precision, recall and F1 per event and per field,
per outlet, the worst events with their errors, and how well field confidences are calibrated.

Events are aligned one to one per document (greedy, by kind, compatible date and province, and
agreeing fields). An aligned pair counts as a true event when the kinds agree and the dates and
provinces are compatible; otherwise it is both a false positive and a false negative. A field
is a true positive when both sides have the same value, a false positive when the prediction
has a value that is not gold's, a false negative when gold has one the prediction lacks or
gets wrong. Gold dates written ``--MM-DD`` (no year can be known, e.g. SATP) are compared on
month and day only. Places are compared by canonical name, actors by canonical name (a unit
predicted where gold names its parent counts).

Calibration: every predicted field value is judged right or wrong (a value in an event that
matches no gold event is wrong) and binned by its confidence in :data:`BANDS`; a calibrated
extractor's share right in each band lies within the band.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from safecorridor.extraction import resources as res
from safecorridor.extraction.rules import extract as rule_extract
from safecorridor.extraction.types import Extractor

FIELDS = [
    "kind",
    "date",
    "city",
    "province",
    "perpetrator",
    "claimed_by",
    "fatalities",
    "foreign_fatalities",
    "injured",
]
#: the key of a field in a prediction's ``field_confidence``
_CONFIDENCE_KEY = {"date": "event_date"}
#: confidence bands of the reliability table: [low, high), the last one closed
BANDS: list[tuple[float, float]] = [
    (0.0, 0.5),
    (0.5, 0.6),
    (0.6, 0.7),
    (0.7, 0.8),
    (0.8, 0.9),
    (0.9, 1.0),
]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fp + self.fn

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass
class EventOutcome:
    """One gold or predicted event after alignment, with what it got wrong."""

    id: str
    outlet: str
    gold_kind: str | None
    pred_kind: str | None
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "outlet": self.outlet,
            "gold_kind": self.gold_kind,
            "pred_kind": self.pred_kind,
            "errors": self.errors,
        }


@dataclass
class Judgement:
    """A predicted field value, its confidence, and whether gold agrees."""

    field: str
    confidence: float
    correct: bool
    basis: str | None = None  # the evidence the confidence rests on (the calibration key)


@dataclass
class Report:
    fields: dict[str, Score] = field(default_factory=lambda: {f: Score() for f in FIELDS})
    events: Score = field(default_factory=Score)
    documents: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    outcomes: list[EventOutcome] = field(default_factory=list)
    judgements: list[Judgement] = field(default_factory=list)
    outlets: dict[str, Report] = field(default_factory=dict)

    @property
    def mean_field_f1(self) -> float:
        """Mean F1 of the fields that have any gold or predicted value (all when none do)."""
        scored = [s.f1 for s in self.fields.values() if s.support] or [
            s.f1 for s in self.fields.values()
        ]
        return sum(scored) / len(scored)

    def worst(self, n: int = 10) -> list[EventOutcome]:
        """The ``n`` events with the most errors (ties in document order)."""
        wrong = [o for o in self.outcomes if o.errors]
        return sorted(wrong, key=lambda o: -len(o.errors))[:n]

    def by_kind(self) -> list[dict[str, Any]]:
        """Per event kind (gold or predicted): how many gold events, how many predicted, how
        many found whole (same kind, compatible date and province), and their P, R and F1:
        which kinds of event the extractor misses or invents, without reading one error."""
        kinds = sorted({k for o in self.outcomes for k in (o.gold_kind, o.pred_kind) if k})
        rows = []
        for kind in kinds:
            s = Score()
            for o in self.outcomes:
                whole = o.gold_kind == o.pred_kind and not any(
                    e.get("field") == "event" for e in o.errors
                )
                if o.gold_kind == kind and o.pred_kind == kind and whole:
                    s.tp += 1
                    continue
                s.fn += o.gold_kind == kind
                s.fp += o.pred_kind == kind
            rows.append(
                {"kind": kind, "gold": s.tp + s.fn, "predicted": s.tp + s.fp, **s.as_dict()}
            )
        return rows

    def _bands(self, field_name: str | None) -> list[tuple[str, list[Judgement]]]:
        out = []
        for i, (low, high) in enumerate(BANDS):
            last = i == len(BANDS) - 1
            js = [
                j
                for j in self.judgements
                if (field_name is None or j.field == field_name)
                and low <= j.confidence
                and (j.confidence < high or (last and j.confidence <= high))
            ]
            out.append((f"{low:.1f}-{high:.1f}", js))
        return out

    def reliability(self, field_name: str | None = None) -> list[dict[str, Any]]:
        """Per confidence band: how many values, how many right, the share right and the
        mean confidence (``field_name``: one field only)."""
        rows = []
        for band, js in self._bands(field_name):
            right = sum(j.correct for j in js)
            conf = sum(j.confidence for j in js)
            rows.append(
                {
                    "band": band,
                    "count": len(js),
                    "correct": right,
                    "share_correct": round(right / len(js), 3) if js else None,
                    "mean_confidence": round(conf / len(js), 3) if js else None,
                }
            )
        return rows

    def calibration_error(self, field_name: str | None = None) -> float | None:
        """Expected calibration error: the count-weighted mean gap between each band's share
        right and its mean confidence (None without judgements)."""
        bands = self._bands(field_name)
        total = sum(len(js) for _band, js in bands)
        if not total:
            return None
        gap = sum(
            abs(sum(j.correct for j in js) - sum(j.confidence for j in js)) for _b, js in bands
        )
        return round(gap / total, 3)

    def ranking(self, field_name: str | None = None) -> float | None:
        """How well the confidences rank right values above wrong ones: the area under the ROC
        curve (0.5: no better than chance; None without both right and wrong values)."""
        js = [j for j in self.judgements if field_name is None or j.field == field_name]
        if len({j.correct for j in js}) < 2:
            return None
        from sklearn.metrics import roc_auc_score  # lazy: only when a report is scored

        return round(float(roc_auc_score([j.correct for j in js], [j.confidence for j in js])), 3)

    def add(self, other: Report) -> None:
        """Add another report's counts, errors, outcomes and judgements to this one."""
        self.events.add(other.events)
        for name, s in other.fields.items():
            self.fields[name].add(s)
        self.documents += other.documents
        self.errors.extend(other.errors)
        self.outcomes.extend(other.outcomes)
        self.judgements.extend(other.judgements)

    def summary(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "events": self.events.as_dict(),
            "fields": {k: v.as_dict() for k, v in self.fields.items()},
            "mean_field_f1": round(self.mean_field_f1, 3),
        }

    def as_dict(self, worst: int = 10) -> dict[str, Any]:
        data = self.summary()
        data["outlets"] = {
            name: {
                "documents": r.documents,
                "events": r.events.as_dict(),
                "mean_field_f1": round(r.mean_field_f1, 3),
            }
            for name, r in sorted(self.outlets.items())
        }
        data["kinds"] = self.by_kind()
        data["worst"] = [o.as_dict() for o in self.worst(worst)]
        data["reliability"] = {
            "all": self.reliability(),
            "calibration_error": self.calibration_error(),
            "ranking_auc": self.ranking(),
            "fields": {f: self.reliability(f) for f in FIELDS},
        }
        return data


def _date_key(ev: dict[str, Any]) -> str | None:
    value = ev.get("event_date")
    return str(value) if value else None


def _interval(ev: dict[str, Any]) -> tuple[str, str] | None:
    d = _date_key(ev)
    if not d or d.startswith("--"):
        return None  # no year: compatible with any date (compared on month and day as a field)
    prec = ev.get("date_precision") or "day"
    if prec == "year" or len(d) == 4:
        return d[:4] + "-01-01", d[:4] + "-12-31"
    if prec == "month" or len(d) == 7:
        return d[:7] + "-01", d[:7] + "-31"
    if prec == "week":
        start = date.fromisoformat(d[:10])
        return d[:10], date.fromordinal(start.toordinal() + 6).isoformat()
    return d[:10], d[:10]


def _place(ev: dict[str, Any], key: str) -> str | None:
    value = ev.get(key)
    if not value:
        return None
    if key == "province":
        return res.province_names().get(res.norm(str(value)), str(value))
    city, _prov = res.canonical_place(str(value))
    return res.norm(city or str(value))


def _actor(value: Any) -> str | None:
    return res.canonical_actor(str(value)) or (str(value) if value else None)


def _value(ev: dict[str, Any], name: str) -> Any:
    if name == "date":
        d = _date_key(ev)
        return (d, ev.get("date_precision") or "day") if d else None
    if name in ("city", "province"):
        return _place(ev, name)
    if name in ("perpetrator", "claimed_by"):
        return _actor(ev.get(name))
    return ev.get(name)


def _equal(name: str, gold: Any, pred: Any, pred_ev: dict[str, Any]) -> bool:
    if name in ("perpetrator", "claimed_by") and gold is not None and pred is not None:
        return bool(gold == pred or res.parent_of(pred) == gold)
    if name == "date" and gold is not None and pred is not None and str(gold[0]).startswith("--"):
        # month and day only: "--11-24" against a predicted day "YYYY-11-24" or "--11-24"
        full_day = pred[1] == "day" and len(pred[0]) == 10 and pred[0][4:] == gold[0][1:]
        return bool(gold == pred or full_day)
    return bool(gold == pred)


def _compatible(g: dict[str, Any], p: dict[str, Any]) -> bool:
    gi, pi = _interval(g), _interval(p)
    if gi and pi and (pi[1] < gi[0] or gi[1] < pi[0]):
        return False
    gp, pp = _place(g, "province"), _place(p, "province")
    return not (gp and pp and gp != pp)


def align(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Greedy one-to-one assignment of predicted to gold events by a compatibility score."""
    pairs: list[tuple[float, int, int]] = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            same_kind = g.get("kind") == p.get("kind")
            if not _compatible(g, p) and not same_kind:
                continue
            score = 3.0 * same_kind + 2.0 * _compatible(g, p)
            score += sum(
                _equal(f, _value(g, f), _value(p, f), p)
                for f in ("date", "city", "province", "fatalities")
            )
            pairs.append((score, gi, pi))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_g: set[int] = set()
    used_p: set[int] = set()
    out: list[tuple[int, int]] = []
    for _score, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gi, pi))
    return out


def _judge(report: Report, p: dict[str, Any], f: str, correct: bool) -> None:
    key = _CONFIDENCE_KEY.get(f, f)
    conf = (p.get("field_confidence") or {}).get(key)
    basis = (p.get("confidence_basis") or {}).get(key)
    if isinstance(conf, int | float):
        report.judgements.append(Judgement(f, float(conf), correct, basis))


def score_document(
    report: Report,
    doc_id: str,
    gold: list[dict[str, Any]],
    pred: list[dict[str, Any]],
    outlet: str = "-",
) -> None:
    """Score one document's predicted events against its gold events into ``report``."""
    pairs = align(gold, pred)
    matched_g = {g for g, _ in pairs}
    matched_p = {p for _, p in pairs}
    for gi, pi in pairs:
        g, p = gold[gi], pred[pi]
        outcome = EventOutcome(doc_id, outlet, g.get("kind"), p.get("kind"))
        whole = g.get("kind") == p.get("kind") and _compatible(g, p)
        if whole:
            report.events.tp += 1
        else:
            report.events.fp += 1
            report.events.fn += 1
            outcome.errors.append({"field": "event", "error": "kind, date or province clash"})
        for f in FIELDS:
            gv, pv = _value(g, f), _value(p, f)
            if gv is not None and pv is not None and _equal(f, gv, pv, p):
                report.fields[f].tp += 1
                _judge(report, p, f, True)
                continue
            if pv is not None:
                report.fields[f].fp += 1
                _judge(report, p, f, False)
            if gv is not None:
                report.fields[f].fn += 1
            if gv != pv:
                report.errors.append({"id": doc_id, "field": f, "gold": gv, "pred": pv})
                outcome.errors.append({"field": f, "gold": gv, "pred": pv})
        report.outcomes.append(outcome)
    for gi, g in enumerate(gold):
        if gi not in matched_g:
            report.events.fn += 1
            report.errors.append(
                {"id": doc_id, "field": "event", "gold": g.get("kind"), "pred": None}
            )
            outcome = EventOutcome(doc_id, outlet, g.get("kind"), None)
            outcome.errors.append({"field": "event", "error": "missed"})
            for f in FIELDS:
                gv = _value(g, f)
                if gv is not None:
                    report.fields[f].fn += 1
                    outcome.errors.append({"field": f, "gold": gv, "pred": None})
            report.outcomes.append(outcome)
    for pi, p in enumerate(pred):
        if pi not in matched_p:
            report.events.fp += 1
            report.errors.append(
                {"id": doc_id, "field": "event", "gold": None, "pred": p.get("kind")}
            )
            outcome = EventOutcome(doc_id, outlet, None, p.get("kind"))
            outcome.errors.append({"field": "event", "error": "spurious"})
            for f in FIELDS:
                pv = _value(p, f)
                if pv is not None:
                    report.fields[f].fp += 1
                    _judge(report, p, f, False)
                    outcome.errors.append({"field": f, "gold": None, "pred": pv})
            report.outcomes.append(outcome)


def load_gold(path: Path) -> list[dict[str, Any]]:
    """Records of a gold JSONL file that carries its texts (``id``, ``text``, ``published``,
    ``events``); for annotations keyed by id see :func:`corpus.load_records`."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def evaluate(records: Iterable[dict[str, Any]], extractor: Extractor | None = None) -> Report:
    """Run the extractor over each gold record and score it (overall and per ``outlet``)."""
    report = Report()
    for rec in records:
        published = date.fromisoformat(rec["published"]) if rec.get("published") else None
        if extractor is None:
            events = rule_extract(rec["text"], published=published)
        else:
            events = extractor.extract(rec["text"], published=published)
        pred = [e.to_dict() for e in events]
        outlet = str(rec.get("outlet") or "-")
        doc = Report(documents=1)
        score_document(doc, str(rec.get("id")), list(rec.get("events", [])), pred, outlet)
        report.add(doc)
        report.outlets.setdefault(outlet, Report()).add(doc)
    return report
