"""Does a learned component beat the extraction rules on the dev split? (``make learned``)

Trains two small scikit-learn models on real labelled data and compares them with the rules by
five-fold cross-validation, documents kept apart (a document's events are never both trained
on and scored):

* **kind**: a logistic regression over the words of each violent event the rules find (and
  the rules' own kind as a feature) predicting the annotated kind; it overrides the rules'
  kind when its probability reaches a threshold. Trained on the annotations of the news-dev
  dev split and of SATP; optionally also on SATP's own four labels for the rows we did not
  annotate (``--weak``: l1 encounter, l2 blast, l3 abduction, l4 attack).
* **filter**: a logistic regression over each candidate's kind, evidence, fields and first
  words, predicting whether it matches an annotated event; candidates below a threshold are
  dropped.

Only the dev split of news-dev is read (the frozen test split never is); SATP rows are read
from ``satp-dev``. It prints, per threshold, the rules' figure and the learned one. Nothing
is written: a model is shipped only when it beats the rules (see bench/RESULTS.md).

    .venv/bin/python scripts/learned-extraction.py --shared ../shared [--weak]
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date
from pathlib import Path
from typing import Any

try:
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
except ImportError:  # the learning experiment lives in the learn extra, not the runtime
    MISSING = "scikit-learn is missing: pip install -e '.[learn]' (or make learned)"
    raise SystemExit(MISSING) from None

from safecorridor.extraction.corpus import SATP_REFERENCE, load_records, read_split
from safecorridor.extraction.evaluate import _compatible, align
from safecorridor.extraction.rules import RuleExtractor
from safecorridor.extraction.types import CandidateEvent

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "extraction" / "corpus"
VIOLENT = {"suicide_attack", "bombing", "attack", "armed_clash", "abduction"}
SATP_LABELS = {0: "armed_clash", 1: "bombing", 2: "abduction", 3: "attack"}
RULES = RuleExtractor(calibrated=False)
FOLDS = 5


def _events(rec: dict[str, Any]) -> list[CandidateEvent]:
    pub = date.fromisoformat(rec["published"]) if rec["published"] else None
    return RULES.extract(rec["text"], published=pub)


def _words(text: str, ev: CandidateEvent) -> str:
    s, e = ev.span or (0, 0)
    return text[s:e][:600].lower() + f" rulekind_{ev.kind}"


def kind_examples(records: list[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """(doc id, words, rules' kind, annotated kind) of each violent event matched to one."""
    out = []
    for rec in records:
        evs = _events(rec)
        preds = [e.to_dict() for e in evs]
        for gi, pi in align(rec["events"], preds):
            gold, ev = rec["events"][gi], evs[pi]
            if gold["kind"] in VIOLENT and ev.kind in VIOLENT:
                out.append((rec["id"], _words(rec["text"], ev), ev.kind, gold["kind"]))
    return out


def weak_examples(satp: Path, annotated: set[str]) -> list[tuple[str, str, str, str]]:
    """Violent events of the SATP rows we did not annotate, with SATP's own single label."""
    out = []
    for name in ("train", "dev"):
        rows = (satp / f"{name}.tsv").read_text("utf-8").split("\n")
        for i, row in enumerate(rows, 1):
            cols = row.split("\t")
            if f"{name}:{i}" in annotated or len(cols) < 5:
                continue
            labels = [int(c) for c in cols[1:5] if c.strip().isdigit()]
            if len(labels) != 4 or sum(labels) != 1:
                continue
            evs = [e for e in RULES.extract(cols[0], published=SATP_REFERENCE) if e.kind in VIOLENT]
            if evs:
                gold = SATP_LABELS[labels.index(1)]
                out.append((f"{name}:{i}", _words(cols[0], evs[0]), evs[0].kind, gold))
    return out


def filter_examples(records: list[dict[str, Any]]) -> list[tuple[str, dict[str, float], int]]:
    """(doc id, features, matched?) of every candidate the rules give."""
    out = []
    for rec in records:
        evs = _events(rec)
        preds = [e.to_dict() for e in evs]
        good = {
            pi
            for gi, pi in align(rec["events"], preds)
            if rec["events"][gi]["kind"] == preds[pi]["kind"]
            and _compatible(rec["events"][gi], preds[pi])
        }
        for i, ev in enumerate(evs):
            f: dict[str, float] = {f"kind={ev.kind}": 1.0, "first": float(i == 0)}
            f.update({f"b={b}": 1.0 for b in ev.confidence_basis.values()})
            f["pos"] = i / max(1, len(evs))
            s, _e = ev.span or (0, 0)
            for w in rec["text"][s : s + 200].lower().split()[:25]:
                f["w=" + w.strip('.,;:"()')] = 1.0
            out.append((rec["id"], f, int(i in good)))
    return out


def _folds(ids: list[str]) -> list[set[str]]:
    ids = sorted(set(ids))
    random.Random(7).shuffle(ids)
    return [set(ids[i::FOLDS]) for i in range(FOLDS)]


def cv_kind(data: list[Any], extra: list[Any], threshold: float) -> tuple[int, int, int]:
    """(rules right, learned right, events) of the kinds of ``data`` by cross-validation."""
    rules = learned = 0
    for fold in _folds([d[0] for d in data]):
        test = [d for d in data if d[0] in fold]
        train = [d for d in data if d[0] not in fold] + extra
        vec = CountVectorizer(ngram_range=(1, 2), min_df=2, max_features=4000)
        clf = LogisticRegression(max_iter=2000).fit(
            vec.fit_transform([t[1] for t in train]), [t[3] for t in train]
        )
        probs = clf.predict_proba(vec.transform([t[1] for t in test]))
        for t, p in zip(test, probs, strict=True):
            k = clf.classes_[int(np.argmax(p))]
            kind = k if p.max() >= threshold else t[2]
            rules += t[2] == t[3]
            learned += kind == t[3]
    return rules, learned, len(data)


def cv_filter(
    data: list[Any], extra: list[Any], threshold: float, gold: int
) -> tuple[float, float]:
    """(rules' event F1, filtered event F1) of ``data`` by cross-validation."""
    tp = fp = 0
    for fold in _folds([d[0] for d in data]):
        test = [d for d in data if d[0] in fold]
        train = [d for d in data if d[0] not in fold] + extra
        vec = DictVectorizer()
        clf = LogisticRegression(max_iter=3000, C=0.5).fit(
            vec.fit_transform([t[1] for t in train]), [t[2] for t in train]
        )
        for t, q in zip(
            test, clf.predict_proba(vec.transform([t[1] for t in test]))[:, 1], strict=True
        ):
            if q >= threshold:
                tp += t[2]
                fp += 1 - t[2]
    tp0 = sum(d[2] for d in data)
    fp0 = len(data) - tp0

    def f1(a: int, b: int) -> float:
        return 2 * a / (2 * a + b + (gold - a))

    return f1(tp0, fp0), f1(tp, fp)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, required=True)
    ap.add_argument("--weak", action="store_true", help="also train on SATP's own labels")
    args = ap.parse_args()
    news, satp = args.shared / "data" / "news-dev", args.shared / "data" / "satp-dev"
    if not news.is_dir() or not satp.is_dir():
        print(f"learned-extraction: {args.shared}/data is absent: nothing to learn from")
        return 0
    dev = load_records(
        CORPUS / "news-dev.jsonl", texts=news, split=read_split(CORPUS / "split.json", "dev")
    )
    sat = load_records(CORPUS / "satp.jsonl", texts=satp)
    kd, ks = kind_examples(dev), kind_examples(sat)
    weak = weak_examples(satp, {r["id"] for r in sat}) if args.weak else []
    print(f"kind: {len(kd)} dev and {len(ks)} SATP violent events matched; {len(weak)} weak rows")
    for thr in (0.5, 0.7, 0.9):
        d = cv_kind(kd, ks + weak, thr)
        s = cv_kind(ks, kd + weak, thr)
        figures = f"dev {d[0]}/{d[1]} of {d[2]}, SATP {s[0]}/{s[1]} of {s[2]}"
        print(f"  threshold {thr}: kinds right, rules/learned: {figures}")
    fd, fs = filter_examples(dev), filter_examples(sat)
    gd = sum(len(r["events"]) for r in dev)
    gs = sum(len(r["events"]) for r in sat)
    print(f"filter: {len(fd)} dev and {len(fs)} SATP candidates")
    for thr in (0.2, 0.3, 0.5):
        a, b = cv_filter(fd, fs, thr, gd)
        c, e = cv_filter(fs, fd, thr, gs)
        figures = f"dev {a:.3f}/{b:.3f}, SATP {c:.3f}/{e:.3f}"
        print(f"  threshold {thr}: event F1, rules/filtered: {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
