"""The real-text gate (scripts/real-text-gate.py): which texts it may read, what counts as a
change, and how it scores, on a small shared folder written here (a test never needs
../shared)."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.extraction import load_script

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gate() -> ModuleType:
    return load_script("real-text-gate.py")


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """A shared folder (three articles, four SATP rows) and a corpus folder that puts one
    article in the test split and one SATP row in a holdout."""
    news = tmp_path / "shared" / "data" / "news-dev"
    (news / "texts").mkdir(parents=True)
    for i in ("001", "002", "003"):
        (news / "texts" / f"{i}.txt").write_text(f"article {i}", "utf-8")
    _jsonl(
        news / "index.jsonl",
        [{"id": i, "outlet": "O", "published": "2024-05-08"} for i in ("001", "002", "003")],
    )
    satp = tmp_path / "shared" / "data" / "satp-dev"
    satp.mkdir(parents=True)
    (satp / "train.tsv").write_text("row one\t0\nrow two\t1\n\nrow four\t0", "utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "split.json").write_text(json.dumps({"dev": ["001", "003"], "test": ["002"]}))
    _jsonl(corpus / "satp-holdout.jsonl", [{"id": "train:2", "events": []}])
    return tmp_path / "shared", corpus


def test_the_gate_reads_the_dev_split_and_satp_outside_the_holdouts_only(
    gate: ModuleType, folders: tuple[Path, Path]
) -> None:
    shared, corpus = folders
    texts = gate.readable_texts(shared, corpus)
    assert sorted(texts) == ["news:001", "news:003", "satp:train:1", "satp:train:4"]
    assert texts["news:003"] == {"text": "article 003", "published": "2024-05-08"}
    assert texts["satp:train:4"]["text"] == "row four"
    # the test split's article and the holdout's row are never opened
    assert not any("article 002" in t["text"] or "row two" in t["text"] for t in texts.values())


def test_a_change_is_a_compared_field_not_a_confidence_or_the_order(gate: ModuleType) -> None:
    a = {"kind": "attack", "city": "Quetta", "fatalities": 2, "confidence": 0.5}
    b = {"kind": "bombing", "city": "Turbat"}
    before = {"x": [a, b], "y": [a], "z": [b]}
    after = {
        "x": [b, {**a, "confidence": 0.9}],  # reordered, a confidence moved: no change
        "y": [{**a, "fatalities": 3}],
        "w": [b],  # a text only the new revision has events for
        "v": [{**b, "attackers_killed": 2}],  # unscored, but a reviewer sees it
    }
    before["v"] = [b]
    diff = gate.changes(before, after)
    assert sorted(diff) == ["v", "w", "y", "z"]
    assert diff["v"][1] == ["kind=bombing city=Turbat attackers_killed=2"]
    assert diff["y"] == (
        ["kind=attack city=Quetta fatalities=2"],
        ["kind=attack city=Quetta fatalities=3"],
    )
    assert diff["z"] == (["kind=bombing city=Turbat"], [])


def test_the_gate_scores_the_dev_split_never_the_test_split(
    gate: ModuleType, folders: tuple[Path, Path]
) -> None:
    _shared, corpus = folders
    bombing = {"kind": "bombing", "event_date": "2024-05-07", "province": "Balochistan"}
    _jsonl(
        corpus / "news-dev.jsonl",
        [
            {"id": "001", "events": [bombing]},
            {"id": "002", "events": [bombing]},  # test split: not scored
            {"id": "003", "events": [bombing]},
        ],
    )
    gold = gate.annotated(corpus)
    right = gate.score({"news:001": [bombing], "news:003": [bombing]}, gold)
    half = gate.score({"news:001": [bombing], "news:002": [bombing]}, gold)
    assert right["news-dev dev split"][0] == 1.0
    assert half["news-dev dev split"][0] == pytest.approx(0.667, abs=0.001)
    assert "satp" not in right  # no satp.jsonl in this corpus: nothing scored for it


def test_headline_figures_count_violent_events_provinces_and_deaths(gate: ModuleType) -> None:
    texts = {
        "ucdp:0": {"text": "a", "province": "Sindh", "deaths": (2, 4)},
        "ucdp:1": {"text": "b", "province": "Punjab", "deaths": (1, 1)},
        "ucdp:2": {"text": "c", "province": None, "deaths": None},
        "news:001": {"text": "not a headline"},
    }
    outputs = {
        "ucdp:0": [{"kind": "attack", "province": "Sindh", "fatalities": 2, "attackers_killed": 1}],
        "ucdp:1": [{"kind": "meeting"}, {"kind": "bombing", "province": "Sindh", "fatalities": 5}],
        "ucdp:2": [{"kind": "arrest"}],
        "news:001": [{"kind": "attack", "province": "Sindh"}],
    }
    # three headlines, two with a violent event; both give a province, one agrees; 2+1 dead
    # falls within 2-4, 5 not within 1-1
    assert gate.headline_figures(outputs, texts) == (3, 2, 1, 2, 1)
