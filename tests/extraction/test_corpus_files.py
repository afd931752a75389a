"""The committed annotation files are well formed: every line parses, every event carries the
guide's fields with allowed values, ids are unique, and the SATP hold-out shares no row with
the development annotations (a hold-out that repeats a development row is not held out).

Only the annotations are read (they are in the repository); the texts stay in ``../shared``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).parent / "corpus"
KINDS = {
    "suicide_attack",
    "bombing",
    "attack",
    "armed_clash",
    "abduction",
    "arrest",
    "threat",
    "meeting",
    "agreement",
    "other",
}
KEYS = [
    "kind",
    "event_date",
    "date_precision",
    "city",
    "district",
    "province",
    "country",
    "perpetrator",
    "claimed_by",
    "fatalities",
    "foreign_fatalities",
    "foreign_nationality",
    "injured",
    "attackers_killed",
    "recalled",
]
DATE = re.compile(r"^(?:--\d\d-\d\d|\d{4}(?:-\d\d(?:-\d\d)?)?)$")
PRECISIONS = {"day", "week", "month", "year", None}
COUNTS = ("fatalities", "foreign_fatalities", "injured", "attackers_killed")


#: every file of annotated SATP paragraphs, development sets and hold-outs
SATP_FILES = (
    "satp.jsonl",
    "satp-holdout.jsonl",
    "satp-2.jsonl",
    "satp-holdout-2.jsonl",
    "satp-3.jsonl",
    "satp-holdout-3.jsonl",
)


def _records(name: str) -> list[dict[str, Any]]:
    lines = (CORPUS / name).read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.parametrize(
    "name",
    [
        "news-dev.jsonl",
        *SATP_FILES,
        "../calibration/gold.jsonl",
        "../unseen/p8a/gold.jsonl",
        "../unseen/p8b/gold.jsonl",
        "../unseen/p9/gold.jsonl",
        "../unseen/p10/gold.jsonl",
        "../unseen/p11/gold.jsonl",
        "../unseen/p12a/gold.jsonl",
        "../unseen/p12b/gold.jsonl",
        "../unseen/p13a/gold.jsonl",
        "../unseen/p13b/gold.jsonl",
        "../unseen/p14/gold.jsonl",
        "../unseen/p15a/gold.jsonl",
        "../unseen/p15b/gold.jsonl",
        "../unseen/p16a/gold.jsonl",
        "../unseen/p16b/gold.jsonl",
        "../unseen/p17a/gold.jsonl",
        "../unseen/p17b/gold.jsonl",
    ],
)
def test_annotation_file_is_well_formed(name: str) -> None:
    records = _records(name)
    assert records, name
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), f"{name}: an id is annotated twice"
    for r in records:
        assert isinstance(r["events"], list), r["id"]
        for e in r["events"]:
            where = f"{name} {r['id']}"
            missing = [k for k in KEYS if k not in e]
            assert not missing, f"{where}: missing {missing}"
            assert e["kind"] in KINDS, f"{where}: kind {e['kind']!r}"
            assert e["date_precision"] in PRECISIONS, where
            if e["event_date"] is None:
                assert e["date_precision"] is None, f"{where}: a precision without a date"
            else:
                assert DATE.match(e["event_date"]), f"{where}: date {e['event_date']!r}"
                assert e["date_precision"] is not None, f"{where}: a date without precision"
            for k in COUNTS:
                v = e[k]
                assert v is None or (isinstance(v, int) and 0 <= v < 10_000), f"{where}: {k}={v!r}"
            if e["foreign_fatalities"] is not None and e["fatalities"] is not None:
                assert e["foreign_fatalities"] <= e["fatalities"], where
            assert len(str(e.get("note") or "").split()) <= 15, f"{where}: note over 15 words"


def test_satp_holdout_repeats_no_development_row() -> None:
    dev = {r["id"] for r in _records("satp.jsonl")}
    holdout = {r["id"] for r in _records("satp-holdout.jsonl")}
    assert len(holdout) == 58
    assert not dev & holdout
    assert all(re.fullmatch(r"(?:train|dev):\d+", i) for i in holdout)


def test_the_later_satp_samples_repeat_no_row_of_another_file() -> None:
    files = SATP_FILES
    ids = {name: {r["id"] for r in _records(name)} for name in files}
    assert (len(ids["satp-2.jsonl"]), len(ids["satp-holdout-2.jsonl"])) == (44, 44)
    assert (len(ids["satp-3.jsonl"]), len(ids["satp-holdout-3.jsonl"])) == (40, 40)
    for i, a in enumerate(files):
        for b in files[i + 1 :]:
            assert not ids[a] & ids[b], (a, b)
