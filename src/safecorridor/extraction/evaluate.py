"""Scoring an extractor against a gold file: precision, recall, F1 per field and per event."""

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
class Report:
    fields: dict[str, Score] = field(default_factory=lambda: {f: Score() for f in FIELDS})
    events: Score = field(default_factory=Score)
    documents: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "events": self.events.as_dict(),
            "fields": {k: v.as_dict() for k, v in self.fields.items()},
        }


def _date_key(ev: dict[str, Any]) -> str | None:
    value = ev.get("event_date")
    return str(value) if value else None


def _interval(ev: dict[str, Any]) -> tuple[str, str] | None:
    d = _date_key(ev)
    if not d:
        return None
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


def score_document(
    report: Report, doc_id: str, gold: list[dict[str, Any]], pred: list[dict[str, Any]]
) -> None:
    pairs = align(gold, pred)
    matched_g = {g for g, _ in pairs}
    matched_p = {p for _, p in pairs}
    for gi, pi in pairs:
        g, p = gold[gi], pred[pi]
        whole = g.get("kind") == p.get("kind") and _compatible(g, p)
        if whole:
            report.events.tp += 1
        else:
            report.events.fp += 1
            report.events.fn += 1
        for f in FIELDS:
            gv, pv = _value(g, f), _value(p, f)
            if gv is not None and pv is not None and _equal(f, gv, pv, p):
                report.fields[f].tp += 1
                continue
            if pv is not None:
                report.fields[f].fp += 1
            if gv is not None:
                report.fields[f].fn += 1
            if gv != pv:
                report.errors.append({"id": doc_id, "field": f, "gold": gv, "pred": pv})
    for gi, g in enumerate(gold):
        if gi not in matched_g:
            report.events.fn += 1
            report.errors.append(
                {"id": doc_id, "field": "event", "gold": g.get("kind"), "pred": None}
            )
            for f in FIELDS:
                if _value(g, f) is not None:
                    report.fields[f].fn += 1
    for pi, p in enumerate(pred):
        if pi not in matched_p:
            report.events.fp += 1
            report.errors.append(
                {"id": doc_id, "field": "event", "gold": None, "pred": p.get("kind")}
            )
            for f in FIELDS:
                if _value(p, f) is not None:
                    report.fields[f].fp += 1


def load_gold(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def evaluate(records: Iterable[dict[str, Any]], extractor: Extractor | None = None) -> Report:
    """Run the extractor over each gold record and score it."""
    report = Report()
    for rec in records:
        published = date.fromisoformat(rec["published"]) if rec.get("published") else None
        if extractor is None:
            events = rule_extract(rec["text"], published=published)
        else:
            events = extractor.extract(rec["text"], published=published)
        pred = [e.to_dict() for e in events]
        score_document(report, str(rec.get("id")), list(rec.get("events", [])), pred)
        report.documents += 1
    return report
