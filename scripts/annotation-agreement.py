#!/usr/bin/env python3
"""Inter-annotator agreement between the first pass (tests/extraction/corpus/*.jsonl) and the
second, independent pass (agreement/*.second.jsonl) over the sampled ids in sample.json.

Alignment, per document, greedy:
  stage 1: same kind AND compatible date AND compatible province;
  stage 2: any remaining pair (whatever kind/date/place).
Within a stage, candidate pairs are taken in decreasing order of a similarity score
(number of agreeing comparison fields), ties by event order.

Reports: event-level F1 (aligned pairs; also a strict variant counting only stage-1 pairs),
per-field agreement over aligned pairs (null = null agrees), Cohen's kappa for kind.
Usage: python3 scripts/annotation-agreement.py [--details]
"""

import json
import os
import sys
from collections import Counter
from datetime import date

FIRST = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "tests", "extraction", "corpus"
)
HERE = os.path.join(FIRST, "agreement")
PAIRS = [
    ("news-dev", "news_dev", "news-dev.jsonl", "news-dev.second.jsonl"),
    ("satp", "satp", "satp.jsonl", "satp.second.jsonl"),
    # the third SATP sample: its first pass is in two files (development and hold-out)
    ("satp-3", "satp_3", "satp-3.jsonl,satp-holdout-3.jsonl", "satp-3.second.jsonl"),
]
FIELDS = [
    "kind",
    "event_date",
    "city",
    "province",
    "perpetrator",
    "claimed_by",
    "fatalities",
    "foreign_fatalities",
    "injured",
]


def load(paths, ids):
    """The events of each sampled id in the files."""
    out = {}
    for path in paths:
        with open(path) as fh:
            for line in fh:
                if line.strip():
                    d = json.loads(line)
                    if d["id"] in ids:
                        out[d["id"]] = d["events"]
    return out


def norm(v):
    return v.strip().casefold() if isinstance(v, str) else v


def _parse(d):
    """(year or None, month or None, day or None)."""
    if d.startswith("--"):
        m, dd = d[2:].split("-")
        return None, int(m), int(dd)
    p = [int(x) for x in d.split("-")]
    return ([*p, None, None])[:3]


def date_compatible(a, b):
    da, db = a.get("event_date"), b.get("event_date")
    if da is None or db is None:
        return True
    ya, ma, xa = _parse(da)
    yb, mb, xb = _parse(db)
    if "week" in (a.get("date_precision"), b.get("date_precision")) and None not in (
        ya,
        yb,
        ma,
        mb,
        xa,
        xb,
    ):
        return abs((date(ya, ma, xa) - date(yb, mb, xb)).days) <= 7
    for u, v in ((ya, yb), (ma, mb), (xa, xb)):
        if u is not None and v is not None and u != v:
            return False
    return True


def province_compatible(a, b):
    pa, pb = norm(a.get("province")), norm(b.get("province"))
    return pa is None or pb is None or pa == pb


def field_equal(a, b, f):
    if f == "event_date":
        return (a.get("event_date"), a.get("date_precision")) == (
            b.get("event_date"),
            b.get("date_precision"),
        )
    return norm(a.get(f)) == norm(b.get(f))


def score(a, b):
    return sum(field_equal(a, b, f) for f in FIELDS)


def align(ev1, ev2):
    """Return list of (i, j, stage) and the unmatched index lists."""
    pairs, used1, used2 = [], set(), set()
    for stage in (1, 2):
        cands = []
        for i, a in enumerate(ev1):
            for j, b in enumerate(ev2):
                if stage == 1 and not (
                    a["kind"] == b["kind"] and date_compatible(a, b) and province_compatible(a, b)
                ):
                    continue
                cands.append((-score(a, b), i, j))
        for _, i, j in sorted(cands):
            if i not in used1 and j not in used2:
                used1.add(i)
                used2.add(j)
                pairs.append((i, j, stage))
    return (
        pairs,
        [i for i in range(len(ev1)) if i not in used1],
        [j for j in range(len(ev2)) if j not in used2],
    )


def kappa(pairs):
    n = len(pairs)
    if not n:
        return float("nan")
    po = sum(a == b for a, b in pairs) / n
    c1, c2 = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    pe = sum(c1[k] * c2[k] for k in set(c1) | set(c2)) / n / n
    return (po - pe) / (1 - pe) if pe < 1 else 1.0


def f1(m, n1, n2):
    return 2 * m / (n1 + n2) if n1 + n2 else 1.0


def evaluate(docs1, docs2, ids):
    st = Counter()
    agree = Counter()
    kinds = []
    details = []
    for doc in ids:
        e1, e2 = docs1.get(doc, []), docs2.get(doc, [])
        pairs, un1, un2 = align(e1, e2)
        st["n1"] += len(e1)
        st["n2"] += len(e2)
        st["matched"] += len(pairs)
        st["strict"] += sum(1 for *_, s in pairs if s == 1)
        st["docs_same_count"] += len(e1) == len(e2)
        for i, j, s in pairs:
            a, b = e1[i], e2[j]
            kinds.append((a["kind"], b["kind"]))
            diffs = []
            for f in FIELDS:
                ok = field_equal(a, b, f)
                agree[f] += ok
                if not ok:
                    if f == "event_date":
                        diffs.append(
                            (
                                f,
                                f"{a.get('event_date')}/{a.get('date_precision')}",
                                f"{b.get('event_date')}/{b.get('date_precision')}",
                            )
                        )
                    else:
                        diffs.append((f, a.get(f), b.get(f)))
            details.append((doc, "pair", s, i, j, diffs, a.get("note"), b.get("note")))
        for i in un1:
            details.append(
                (
                    doc,
                    "only_first",
                    None,
                    i,
                    None,
                    [
                        ("kind", e1[i]["kind"], None),
                        ("event_date", e1[i].get("event_date"), None),
                        ("recalled", e1[i].get("recalled"), None),
                    ],
                    e1[i].get("note"),
                    None,
                )
            )
        for j in un2:
            details.append(
                (
                    doc,
                    "only_second",
                    None,
                    None,
                    j,
                    [
                        ("kind", None, e2[j]["kind"]),
                        ("event_date", None, e2[j].get("event_date")),
                        ("recalled", None, e2[j].get("recalled")),
                    ],
                    None,
                    e2[j].get("note"),
                )
            )
    return st, agree, kinds, details


def table(name, st, agree, kinds, ndocs):
    m = st["matched"]
    lines = [
        f"### {name}",
        "",
        f"- documents: {ndocs}; events first pass: {st['n1']}, second pass: {st['n2']}; "
        f"documents with the same event count: {st['docs_same_count']}/{ndocs}",
        f"- aligned pairs: {m} (stage 1, same kind + compatible date/province: {st['strict']})",
        f"- event-level F1 (any alignment): {f1(m, st['n1'], st['n2']):.3f}"
        f"  (P of second vs first {m / st['n2'] if st['n2'] else 0:.3f}, R {m / st['n1'] if st['n1'] else 0:.3f})",
        f"- event-level F1 (strict, stage-1 pairs only): {f1(st['strict'], st['n1'], st['n2']):.3f}",
        f"- Cohen's kappa, kind, over aligned events: {kappa(kinds):.3f}",
        "",
        "| field | agree / aligned | share |",
        "| --- | --- | --- |",
    ]
    for f in FIELDS:
        label = "event_date + precision" if f == "event_date" else f
        lines.append(f"| {label} | {agree[f]}/{m} | {agree[f] / m if m else float('nan'):.3f} |")
    return lines


def main():
    sample = json.load(open(os.path.join(HERE, "sample.json")))
    out = ["## Agreement figures (generated by agreement.py)", ""]
    tot_st, tot_agree, tot_kinds, all_details = Counter(), Counter(), [], []
    ndocs = 0
    for name, key, f1name, f2name in PAIRS:
        ids = sample[key]
        d1 = load([os.path.join(FIRST, f) for f in f1name.split(",")], set(ids))
        d2 = load([os.path.join(HERE, f2name)], set(ids))
        missing = [i for i in ids if i not in d1 or i not in d2]
        if missing:
            out.append(f"(missing ids in {name}: {missing})")
        st, agree, kinds, details = evaluate(d1, d2, ids)
        out += [*table(name, st, agree, kinds, len(ids)), ""]
        tot_st += st
        tot_agree += agree
        tot_kinds += kinds
        ndocs += len(ids)
        all_details += details
    out += [*table("both corpora", tot_st, tot_agree, tot_kinds, ndocs), ""]
    conf = Counter(tot_kinds)
    out += [
        "Kind confusion over aligned pairs (first → second, off-diagonal only): "
        + (", ".join(f"{a}→{b} ×{n}" for (a, b), n in conf.most_common() if a != b) or "none"),
        "",
    ]
    print("\n".join(out))
    if "--details" in sys.argv:
        print("## Per-document differences\n")
        for doc, typ, s, i, j, diffs, n1, n2 in all_details:
            if typ == "pair" and not diffs:
                continue
            print(
                f"- {doc} {typ} stage={s} i={i} j={j}: "
                + "; ".join(f"{f}: {a!r} | {b!r}" for f, a, b in diffs)
                + (f"  [1st note: {n1}]" if n1 else "")
                + (f"  [2nd note: {n2}]" if n2 else "")
            )


if __name__ == "__main__":
    main()
