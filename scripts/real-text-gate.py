"""Does a change to the extractor change real reporting, and for the better? (``make gate``)

Rules read off invented reports fit how their authors write: the twenty-second round's rules
raised every set they were read off and changed the output of five of the 1,280 real texts we
may read, while the frozen real split lost three events. So a rule lands only when it changes
real reporting, and for the better. This script is that gate.

It runs the extractor of a base revision (``--base``, default ``HEAD``: the last commit) and
that of the working tree over every real text a developer may read:

* the articles of the news-dev **dev** split (``split.json``; the frozen test split is never
  read, not even its ids' texts);
* the SATP paragraphs outside the three holdout sets (``satp-holdout*.jsonl``), annotated or
  not;
* the headlines of UCDP GED's Pakistan events (``scripts/ucdp-headlines.py``: both sets), each
  read alone as published the day after its event began.

It prints each text whose events changed (the events before and after, as fields; of an
article or a paragraph never its sentences, of a headline the headline), the event and field
F1 of both revisions on the annotated readable sets (the dev split, ``satp``, ``satp-2``,
``satp-3``), and how many headlines give a violent event, of those with a province how many
agree with UCDP's, and of those with a death count how many fall within UCDP's estimate.
Nothing is written.

    .venv/bin/python scripts/real-text-gate.py --shared ../shared [--base REV]

The base revision's ``src`` is exported with ``git archive`` into a temporary folder and run in
a child process (``PYTHONPATH``), so both revisions score the same annotations.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tarfile
import tempfile
from datetime import date, timedelta
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from safecorridor.extraction.corpus import SATP_REFERENCE, Texts, read_index, read_split
from safecorridor.extraction.evaluate import FIELDS as SCORED_FIELDS
from safecorridor.extraction.evaluate import Report, score_document
from safecorridor.extraction.rules import RuleExtractor

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "extraction" / "corpus"
#: annotated readable sets scored for both revisions: (name, gold file, news-dev?)
SCORED = (
    ("news-dev dev split", "news-dev.jsonl", True),
    ("satp", "satp.jsonl", False),
    ("satp-2", "satp-2.jsonl", False),
    ("satp-3", "satp-3.jsonl", False),
)
HOLDOUTS = ("satp-holdout.jsonl", "satp-holdout-2.jsonl", "satp-holdout-3.jsonl")
SATP_FILES = ("train", "dev")
#: the fields compared (the scored ones, the date's precision and the attackers killed, which
#: a reviewer sees though no annotation scores it); confidences are not
FIELDS = (
    *("event_date" if f == "date" else f for f in SCORED_FIELDS),
    "date_precision",
    "attackers_killed",
)


def _ids(path: Path) -> set[str]:
    return {
        str(json.loads(line)["id"]) for line in path.read_text("utf-8").splitlines() if line.strip()
    }


def readable_texts(shared: Path, corpus: Path = CORPUS) -> dict[str, dict[str, Any]]:
    """key -> {"text", "published"} of every real text a developer may read: the news-dev dev
    split (``news:ID``) and the SATP rows outside the holdouts (``satp:FILE:LINE``). The test
    split's texts and the holdouts' rows are never opened."""
    news = shared / "data" / "news-dev"
    dev = read_split(corpus / "split.json", "dev")
    index = read_index(news / "index.jsonl")
    source = Texts(news)
    out: dict[str, dict[str, Any]] = {}
    for doc_id in sorted(dev.ids):
        out[f"news:{doc_id}"] = {
            "text": source.text(doc_id),
            "published": index.get(doc_id, {}).get("published"),
        }
    blind: set[str] = set()
    for name in HOLDOUTS:
        if (corpus / name).is_file():
            blind |= _ids(corpus / name)
    satp = shared / "data" / "satp-dev"
    for name in SATP_FILES:
        path = satp / f"{name}.tsv"
        if not path.is_file():
            continue
        for n, row in enumerate(path.read_text("utf-8").split("\n"), 1):
            key = f"{name}:{n}"
            if key in blind or not row.strip():
                continue
            out[f"satp:{key}"] = {
                "text": row.split("\t", 1)[0],
                "published": SATP_REFERENCE.isoformat(),
            }
    ucdp = shared / "data" / "ucdp-ged-pakistan"
    if ucdp.is_dir():
        probe = _ucdp_probe()
        for n, h in enumerate([*probe.headlines(ucdp), *probe.headlines(ucdp, articles=True)]):
            out[f"ucdp:{n}"] = {
                "text": h.text,
                "published": (h.began + timedelta(days=1)).isoformat(),
                "province": h.province,
                "deaths": h.deaths,
            }
    return out


@cache
def _ucdp_probe() -> Any:
    """scripts/ucdp-headlines.py, loaded as a module."""
    path = ROOT / "scripts" / "ucdp-headlines.py"
    spec = importlib.util.spec_from_file_location("ucdp_headlines", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ucdp_headlines"] = module
    spec.loader.exec_module(module)
    return module


def headline_figures(
    outputs: dict[str, list[dict[str, Any]]], texts: dict[str, dict[str, Any]]
) -> tuple[int, int, int, int, int]:
    """Of the UCDP headlines in ``texts``: how many there are, how many give a violent event,
    how many of those give a province UCDP's agrees with (of how many give one), and how many
    death counts fall within UCDP's low-high estimate (the probe's own count,
    ``ucdp-headlines.tally``)."""
    t = _ucdp_probe().tally(
        (rec["text"], rec.get("province"), rec.get("deaths"), outputs.get(key, []))
        for key, rec in texts.items()
        if key.startswith("ucdp:")
    )
    return t.headlines, t.found, t.agree, t.agree + t.differ, t.counted - len(t.outside)


def brief(events: list[dict[str, Any]]) -> list[str]:
    """Each event as one line of its compared fields."""
    return [" ".join(f"{k}={ev[k]}" for k in FIELDS if ev.get(k) is not None) for ev in events]


def changes(
    before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]
) -> dict[str, tuple[list[str], list[str]]]:
    """key -> (events only before, events only after) of each text whose events changed (a
    text missing from one side counts as no events there)."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for key in sorted(set(before) | set(after)):
        b, a = brief(before.get(key, [])), brief(after.get(key, []))
        if sorted(b) != sorted(a):
            out[key] = ([x for x in b if x not in a], [x for x in a if x not in b])
    return out


def annotated(corpus: Path = CORPUS) -> dict[str, list[tuple[str, str, list[dict[str, Any]]]]]:
    """Each annotated readable set's documents: (output key, document id, gold events); the
    news-dev records of the dev split only."""
    dev = read_split(corpus / "split.json", "dev").ids if (corpus / "split.json").is_file() else ()
    out: dict[str, list[tuple[str, str, list[dict[str, Any]]]]] = {}
    for name, gold, is_news in SCORED:
        path = corpus / gold
        if not path.is_file():
            continue
        docs = out.setdefault(name, [])
        for line in path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            doc_id = str(rec["id"])
            if is_news and doc_id not in dev:
                continue  # the frozen test split: never scored here
            key = f"news:{doc_id}" if is_news else f"satp:{doc_id}"
            docs.append((key, doc_id, rec.get("events", [])))
    return out


def score(
    outputs: dict[str, list[dict[str, Any]]],
    gold: dict[str, list[tuple[str, str, list[dict[str, Any]]]]],
) -> dict[str, tuple[float, float]]:
    """Event F1 and mean field F1 of ``outputs`` on each annotated readable set."""
    out: dict[str, tuple[float, float]] = {}
    for name, docs in gold.items():
        report = Report()
        for key, doc_id, events in docs:
            doc = Report(documents=1)
            score_document(doc, doc_id, events, outputs.get(key, []))
            report.add(doc)
        out[name] = (round(report.events.f1, 3), round(report.mean_field_f1, 3))
    return out


def _worker(texts_path: Path, out_path: Path) -> None:
    """Run the extractor importable here over the texts; write key -> events."""
    extractor = RuleExtractor()
    texts = json.loads(texts_path.read_text("utf-8"))
    out = {}
    for key, rec in texts.items():
        pub = date.fromisoformat(rec["published"]) if rec.get("published") else None
        out[key] = [e.to_dict() for e in extractor.extract(rec["text"], published=pub)]
    out_path.write_text(json.dumps(out, default=str), "utf-8")


def _run(src: Path, texts_path: Path, out_path: Path) -> dict[str, list[dict[str, Any]]]:
    cmd = [sys.executable, __file__, "--worker", str(texts_path), str(out_path)]
    subprocess.run(cmd, check=True, env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"})
    result: dict[str, list[dict[str, Any]]] = json.loads(out_path.read_text("utf-8"))
    return result


def _export(rev: str, into: Path) -> Path:
    """The ``src`` folder of revision ``rev``, written under ``into``."""
    data = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", rev, "src"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, help="the folder holding data/news-dev, satp-dev")
    parser.add_argument("--base", default="HEAD", help="the revision to compare with")
    parser.add_argument("--worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(*args.worker)
        return 0
    if args.shared is None or not (args.shared / "data" / "news-dev").is_dir():
        print(f"real-text-gate: no data/news-dev under {args.shared}: no real text to run on")
        return 0
    texts = readable_texts(args.shared)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "texts.json").write_text(json.dumps(texts), "utf-8")
        base = _run(_export(args.base, folder / "base"), folder / "texts.json", folder / "b")
        here = _run(ROOT / "src", folder / "texts.json", folder / "h")
    news = sum(k.startswith("news:") for k in texts)
    heads = sum(k.startswith("ucdp:") for k in texts)
    print(
        f"{len(texts):,} real texts read: {news} articles of the news-dev dev split, "
        f"{len(texts) - news - heads:,} SATP rows outside the holdouts and {heads:,} UCDP "
        "headlines"
    )
    diff = changes(base, here)
    print(f"{len(diff)} changed between {args.base} and the working tree")
    for key, (gone, new) in diff.items():
        print(f"  {key}" + (f": {texts[key]['text']}" if key.startswith("ucdp:") else ""))
        for line in gone:
            print(f"    - {line}")
        for line in new:
            print(f"    + {line}")
    gold = annotated()
    before, after = score(base, gold), score(here, gold)
    print(f"\n{'set':<22}{'event F1':>18}{'field F1':>18}")
    for name in after:
        (e0, f0), (e1, f1) = before[name], after[name]
        print(f"{name:<22}{e0:>9.3f} -> {e1:.3f}{f0:>9.3f} -> {f1:.3f}")
    if heads:
        print(f"\n{'UCDP headlines':<22}{'base':>10}{'here':>10}")
        b, h = headline_figures(base, texts), headline_figures(here, texts)
        for i, what in enumerate(
            ("headlines", "a violent event", "province agrees", "province given", "deaths within")
        ):
            print(f"{what:<22}{b[i]:>10,}{h[i]:>10,}")
    if not diff:
        print("\nno real text changes: the change has no evidence on real reporting")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
