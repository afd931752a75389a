"""Calibration of field confidences: fitting shares from judgements, applying the map, the
shipped map, and the command that fits it (which needs ../shared and says so when absent)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from safecorridor.cli.extract import app
from safecorridor.extraction import RuleExtractor, extract
from safecorridor.extraction.calibration import (
    CEILING,
    FLOOR,
    SMOOTHING,
    CalibrationMap,
    apply,
    fit,
    shipped_map,
)

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


def test_fit_confidence_fits_on_the_dev_part_only(tmp_path: Path) -> None:
    # our own small corpus in the news-dev and SATP layouts, with a dev and a test part
    fix = Path(__file__).parent / "fixtures"
    data = tmp_path / "shared" / "data"
    shutil.copytree(fix / "newsdev", data / "news-dev")
    shutil.copytree(fix / "satp", data / "satp-dev")
    (data / "news-dev" / "texts" / "003.txt").unlink()  # the test part: fitting must not need it
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, source in (
        ("news-dev.jsonl", "newsdev.jsonl"),
        ("satp.jsonl", "satp.jsonl"),
        ("split.json", "split.json"),
    ):
        shutil.copy(fix / source, corpus / name)
    out = tmp_path / "map.json"
    args = ["eval", "fit-confidence", "--corpus", str(corpus), "--shared", str(tmp_path / "shared")]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = json.loads(out.read_text())
    assert set(table["fields"]) >= {"kind", "event_date", "city"}
    assert all(FLOOR <= v <= CEILING for v in table["bases"].values())
