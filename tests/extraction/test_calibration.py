"""Calibration of field confidences: fitting shares from judgements, applying the map, the
shipped map, and the command that fits it (which needs ../shared and says so when absent)."""

from __future__ import annotations

import json
import math
import random
import shutil
from datetime import date
from importlib.resources import files
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safecorridor.cli.extract import app
from safecorridor.extraction import RuleExtractor, extract
from safecorridor.extraction.calibration import (
    ARTICLE_WORDS,
    CEILING,
    FLOOR,
    SMOOTHING,
    CalibrationMap,
    Transfer,
    apply,
    fit,
    is_article,
    read_map,
    shipped_map,
    with_transfer,
)
from safecorridor.extraction.corpus import load_records
from safecorridor.extraction.evaluate import evaluate

TEXT = (
    "A suicide bomber blew himself up at a checkpost in Bannu on Tuesday, killing two "
    "policemen. The TTP claimed responsibility."
)
WED = date(2024, 5, 8)


def test_fit_shares_are_smoothed_towards_the_fields_share() -> None:
    judgements = [("city", "city:cued", True)] * 8 + [("city", "city:cued", False)] * 2
    judgements += [("city", "city:rare", False)]
    table = fit(judgements)
    field = 8 / 11
    assert table["fields"]["city"] == round(field, 3)
    assert table["bases"]["city:cued"] == round((8 + SMOOTHING * field) / (10 + SMOOTHING), 3)
    rare = table["bases"]["city:rare"]
    assert 0.5 < rare < field  # one wrong value pulls it down only a little
    assert table["counts"] == {"city:cued": 10, "city:rare": 1}


def test_fit_never_claims_certainty() -> None:
    table = fit([("kind", "kind:x", True)] * 50 + [("injured", "injured:y", False)] * 50)
    assert table["bases"]["kind:x"] == CEILING and table["bases"]["injured:y"] == FLOOR


def test_apply_uses_the_basis_then_the_field_then_the_raw_value() -> None:
    (ev,) = RuleExtractor(calibrated=False).extract(TEXT, published=WED)
    raw_district = ev.field_confidence["district"]
    table = CalibrationMap({ev.confidence_basis["kind"]: 0.42}, {"city": 0.31})
    apply([ev], table)
    assert ev.field_confidence["kind"] == 0.42  # its evidence
    assert ev.field_confidence["city"] == 0.31  # evidence unseen: the field's share
    assert ev.field_confidence["district"] == raw_district  # a field the map does not know
    fields = [
        v for k, v in ev.field_confidence.items() if k not in ("event_type", "sub_event_type")
    ]
    assert ev.confidence == round(sum(fields) / len(fields), 2)


def test_the_shipped_map_is_in_bounds_and_used_by_default() -> None:
    table = shipped_map()
    assert table.bases and table.fields
    assert all(FLOOR <= v <= CEILING for v in [*table.bases.values(), *table.fields.values()])
    (ev,) = extract(TEXT, published=WED)
    basis = ev.confidence_basis["event_date"]
    fitted = table.confidence("event_date", basis, 0.0)
    assert ev.field_confidence["event_date"] == round(fitted, 2)


def test_fit_confidence_says_when_the_corpus_is_absent(tmp_path: Path) -> None:
    corpus = Path(__file__).parent / "corpus"
    out = tmp_path / "map.json"
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "fit-confidence",
            "--corpus",
            str(corpus),
            "--shared",
            str(tmp_path),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 2 and "nothing to fit" in result.output
    assert not out.exists()


def _small_corpus(tmp_path: Path) -> list[str]:
    """Our own small corpus in the news-dev and SATP layouts, with a dev and a test part,
    under ``tmp_path``; the arguments of ``eval fit-confidence`` that read it."""
    fix = Path(__file__).parent / "fixtures"
    data = tmp_path / "shared" / "data"
    shutil.copytree(fix / "newsdev", data / "news-dev")
    shutil.copytree(fix / "satp", data / "satp-dev")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, source in (
        ("news-dev.jsonl", "newsdev.jsonl"),
        ("satp.jsonl", "satp.jsonl"),
        ("split.json", "split.json"),
    ):
        shutil.copy(fix / source, corpus / name)
    return ["eval", "fit-confidence", "--corpus", str(corpus), "--shared", str(tmp_path / "shared")]


def test_fit_confidence_fits_on_the_dev_part_only(tmp_path: Path) -> None:
    args = _small_corpus(tmp_path)
    # the test part: fitting must not need it
    (tmp_path / "shared" / "data" / "news-dev" / "texts" / "003.txt").unlink()
    out = tmp_path / "map.json"
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = json.loads(out.read_text())
    assert set(table["fields"]) >= {"kind", "event_date", "city"}
    assert all(FLOOR <= v <= CEILING for v in table["bases"].values())


# --- the transfer of an article's confidences -------------------------------------------------

CALIBRATION_SET = Path(__file__).parent / "calibration"
#: a report long enough to be an article (our own words; the event is the same as TEXT's)
ARTICLE = (
    TEXT
    + " "
    + " ".join(
        f"Officials in the district reviewed the security of roads and markets for the {n} time, "
        "and traders said shops would stay open through the week."
        for n in ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
    )
)


def test_with_transfer_recovers_a_known_recalibration() -> None:
    rng = random.Random(7)
    slope, intercept = 0.5, 0.3
    judgements = []
    for _ in range(20_000):
        p = rng.uniform(0.55, 0.97)
        z = slope * math.log(p / (1 - p)) + intercept
        judgements.append((p, rng.random() < 1 / (1 + math.exp(-z))))
    t = with_transfer({"bases": {}}, judgements, about="test")["transfer"]
    assert abs(t["slope"] - slope) < 0.08 and abs(t["intercept"] - intercept) < 0.12
    assert t["values"] == 20_000 and t["min_words"] == ARTICLE_WORDS


def test_with_transfer_needs_right_and_wrong_values() -> None:
    with pytest.raises(ValueError, match="right and wrong"):
        with_transfer({}, [(0.9, True)] * 10, about="test")


def test_an_articles_confidences_take_the_transfer_and_a_short_reports_do_not() -> None:
    assert len(TEXT.split()) < ARTICLE_WORDS <= len(ARTICLE.split())
    (short,) = RuleExtractor(calibrated=False).extract(TEXT, published=WED)
    basis = short.confidence_basis["kind"]
    flat = Transfer(slope=0.0, intercept=0.0)  # every confidence becomes one half
    table = CalibrationMap({basis: 0.9}, {}, flat)
    (ev,) = RuleExtractor(table=table).extract(TEXT, published=WED)
    assert ev.field_confidence["kind"] == 0.9
    (ev,) = RuleExtractor(table=table).extract(ARTICLE, published=WED)
    assert ev.field_confidence["kind"] == 0.5
    assert Transfer(slope=1.0, intercept=10.0).adjust(0.5) == CEILING
    assert Transfer(slope=1.0, intercept=-10.0).adjust(0.5) == FLOOR


def test_the_shipped_transfer_is_the_fit_on_the_shipped_calibration_set() -> None:
    """The rules changed since the map was fitted if this fails: run ``make calibrate``."""
    table = shipped_map()
    assert table.transfer is not None and table.transfer.min_words == ARTICLE_WORDS
    doc = json.loads(
        files("safecorridor.extraction").joinpath("data", "calibration.json").read_text("utf-8")
    )
    articles = [
        r
        for r in load_records(CALIBRATION_SET / "gold.jsonl", texts=CALIBRATION_SET)
        if is_article(r["text"])
    ]
    assert len(articles) == 40
    without = CalibrationMap(table.bases, table.fields)
    mapped = evaluate(articles, RuleExtractor(table=without))
    refit = with_transfer(doc, ((j.confidence, j.correct) for j in mapped.judgements), about="")
    assert abs(refit["transfer"]["slope"] - table.transfer.slope) < 0.1
    assert abs(refit["transfer"]["intercept"] - table.transfer.intercept) < 0.2
    # and the extractor applies it: on those articles the shipped confidences are calibrated
    shipped = evaluate(articles)
    error = shipped.calibration_error()
    assert error is not None and error < 0.05
    assert shipped.calibration_error() != mapped.calibration_error()


def test_fit_confidence_fits_the_transfer_on_unseen_articles(tmp_path: Path) -> None:
    args = _small_corpus(tmp_path)
    out = tmp_path / "map.json"
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--unseen", str(CALIBRATION_SET)])
    assert result.exit_code == 0, result.output
    transfer = json.loads(out.read_text())["transfer"]
    assert transfer["values"] > 500 and 0 < transfer["share_right"] < 1
    assert read_map(json.loads(out.read_text())).transfer is not None
    assert "transfer fitted on" in result.output
    # a folder without gold, or with no article in it, is refused and nothing is written
    out.unlink()
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--unseen", str(tmp_path)])
    assert result.exit_code == 2 and "no gold.jsonl" in result.output and not out.exists()
    short = tmp_path / "short"
    short.mkdir()
    (short / "gold.jsonl").write_text(
        json.dumps({"id": "s1", "text": TEXT, "published": "2024-05-08", "events": []}) + "\n"
    )
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--unseen", str(short)])
    assert result.exit_code == 2 and "no article" in result.output and not out.exists()
