"""`risk site`, `risk route`, `risk surface` and `risk backtest` against a small store."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import h3
import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safecorridor.cli.risk import app
from safecorridor.geo import cell_of, polyline_length_km
from safecorridor.incidents.models import Incident
from safecorridor.registry.models import Route, Site
from safecorridor.risk.backtest import evaluate, event_area
from safecorridor.risk.data import read_store
from safecorridor.risk.models import RiskResult
from tests.risk.synthetic import hotspots

runner = CliRunner()
KKH = [[33.99, 72.93], [34.33, 73.2], [35.29, 73.29], [35.42, 74.1], [35.92, 74.31]]


def _incident(n: int, lat: float, lon: float, day: date, **over: object) -> Incident:
    fields: dict[str, object] = dict(
        source_dataset="manual",
        source_key=f"t{n}",
        content_hash=f"{n:064d}",
        event_date=day,
        event_type="Explosions/Remote violence",
        latitude=lat,
        longitude=lon,
        h3_cell=cell_of(lat, lon),
        fatalities=3,
        location=f"place {n}",
        admin2="Kohistan",
    )
    fields.update(over)
    return Incident(**fields)


@pytest.fixture
def world(session: Session) -> Session:
    session.add_all(
        [
            Site(
                name="Dasu Hydropower Project",
                site_type="dam",
                latitude=35.29,
                longitude=73.29,
                h3_cell=cell_of(35.29, 73.29),
                personnel_foreign=500,
                personnel_local=3000,
            ),
            Site(
                name="Gwadar Port",
                site_type="port",
                latitude=25.12,
                longitude=62.33,
                h3_cell=cell_of(25.12, 62.33),
                personnel_foreign=100,
                personnel_local=600,
                perimeter="hardened",
            ),
            Route(name="Karakoram Highway", points=KKH, length_km=polyline_length_km(KKH)),
            _incident(
                1,
                35.30,
                73.28,
                date(2021, 7, 14),
                target_category="foreign_nationals,corridor_project",
                foreign_fatalities=9,
                fatalities=13,
            ),
            _incident(2, 35.10, 73.20, date(2020, 3, 1)),
            _incident(3, 35.31, 73.30, date(2023, 1, 1), source_dataset="ucdp"),
            _incident(4, 25.13, 62.32, date(2019, 5, 11)),
        ]
    )
    session.commit()
    return session


def test_risk_site_prints_a_level_a_score_and_the_explanation(world: Session) -> None:
    result = runner.invoke(app, ["site", "Dasu", "--as-of", "2022-01-01"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Dasu Hydropower Project:" in out
    assert "score" in out and "top contributing incidents" in out
    assert any(lvl.upper() in out for lvl in ("low", "moderate", "high", "severe", "critical"))
    # the level comes with the probability it stands for
    assert re.search(
        r"\n  (low|moderate|high|severe|critical): (<1|>99|\d+)% chance of a fatal"
        r" incident within 25 km in 90 days\n",
        out,
    ), out
    assert "corridor layer" in out  # the bus attack targeted foreign nationals
    assert "#1 2021-07-14" in out  # the attack on the bus, before as_of
    assert "2023-01-01" not in out  # after as_of
    stored = world.scalars(select(RiskResult)).all()
    assert len(stored) == 1 and stored[0].policy_sha256 and stored[0].kind == "site"


def test_risk_route_prints_the_level_and_the_measures(world: Session) -> None:
    result = runner.invoke(app, ["route", "karakoram", "--as-of", "2022-01-01", "--no-save"])
    assert result.exit_code == 0, result.output
    assert "Karakoram Highway:" in result.output
    assert "escort vehicle" in result.output and "riskiest segments" in result.output
    assert "chance of a fatal incident within 25 km of its riskiest stretch" in result.output
    assert "anywhere along the route" in result.output
    assert "near Dasu Hydropower Project" in result.output or "near " in result.output


def test_lookups_by_id_and_ambiguity(world: Session) -> None:
    site_id = world.scalars(select(Site.id).where(Site.name == "Gwadar Port")).one()
    ok = runner.invoke(app, ["site", str(site_id), "--json", "--no-save"])
    assert ok.exit_code == 0 and '"name": "Gwadar Port"' in ok.output
    data = json.loads(ok.output)
    assert data["sentence"].startswith(data["level"] + ": ")
    assert 0 <= data["probabilities"]["fatal_90"] <= 1
    missing = runner.invoke(app, ["site", "Nowhere"])
    assert missing.exit_code == 1


def test_the_store_reader_honours_as_of_and_the_dataset(world: Session) -> None:
    assert len(read_store(world, as_of=date(2022, 1, 1))) == 3
    assert len(read_store(world)) == 4
    only = read_store(world, source_dataset="ucdp")
    assert len(only) == 1
    foreign = read_store(world, as_of=date(2022, 1, 1))
    assert foreign.foreign_target.sum() == 1 and foreign.corridor_target.sum() == 1


def test_risk_surface_writes_geojson_and_png(world: Session, tmp_path: Path) -> None:
    out = tmp_path / "surf"
    result = runner.invoke(app, ["surface", "--as-of", "2024-01-01", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "surf.geojson").stat().st_size > 100
    assert (tmp_path / "surf.png").stat().st_size > 1000
    assert "cells within reach per level:" in result.output
    assert "chance of a fatal incident within 25 km in 90 days" in result.output
    geo = json.loads((tmp_path / "surf.geojson").read_text())
    assert {"level", "fatal_90", "any_30"} <= set(geo["features"][0]["properties"])


def test_risk_backtest_on_the_store(world: Session) -> None:
    result = runner.invoke(
        app,
        [
            "backtest",
            "--source",
            "manual",
            "--train-until",
            "2021-01-01",
            "--test-until",
            "2022-01-01",
            "--no-validate",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "| model |" in result.output and "| uniform |" in result.output
    assert "| last-3-years counts |" in result.output
    assert "Brier of base rate" in result.output and "fatal_90" in result.output


@pytest.mark.slow
def test_risk_backtest_on_ucdp_2016_beats_both_count_baselines(sqlite_engine: object) -> None:
    """Calibrated on 1989-2015 only, the surface of 2016-01-01 beats the all-history and the
    last-3-years counts on AUC and PAI@5% (H3 res 6, cells with an incident + 2 rings) and
    its probabilities beat the base rate (bench/RESULTS-risk.md has every year)."""
    result = runner.invoke(
        app,
        [
            "backtest",
            "--data",
            "ucdp-pakistan",
            "--train-until",
            "2016-01-01",
            "--test-until",
            "2017-01-01",
            "--level",
            "h3",
        ],
    )
    assert result.exit_code == 0, result.output
    row = next(x for x in result.output.splitlines() if x.startswith("| h3 | 2016 |"))
    assert row.split("|")[11].strip() == "yes", row
    brier = next(x for x in result.output.splitlines() if "| fatal_90 |" in x).split("|")
    assert float(brier[6]) < float(brier[7])  # Brier < Brier of the base rate


def _store_history(session: Session) -> None:
    inc = hotspots()
    rows = [
        Incident(
            source_dataset="synthetic",
            source_key=f"s{i}",
            content_hash=f"{i:064d}",
            event_date=np.datetime64(d, "D").astype(object),
            event_type=str(t),
            latitude=float(la),
            longitude=float(lo),
            h3_cell=cell_of(float(la), float(lo)),
            fatalities=int(f),
            location="somewhere",
        )
        for i, (d, t, la, lo, f) in enumerate(
            zip(inc.date, inc.event_type, inc.lat, inc.lon, inc.fatalities, strict=True)
        )
    ]
    session.add_all(rows)
    session.commit()


@pytest.mark.slow
def test_calibrate_activate_and_backtest_what_is_served(session: Session, tmp_path: Path) -> None:
    _store_history(session)
    out = tmp_path / "ours.yaml"
    cal = runner.invoke(
        app,
        [
            "calibrate",
            "--source",
            "synthetic",
            "--train-until",
            "2015-01-01",
            "--version",
            "ours-2015",
            "--out",
            str(out),
            "--activate",
        ],
    )
    assert cal.exit_code == 0, cal.output
    assert "active policy: ours-2015" in cal.output
    text = out.read_text()
    assert (
        "command: safecorridor risk calibrate --source synthetic --train-until 2015-01-01" in text
    )
    listed = runner.invoke(app, ["policy", "list"])
    assert listed.output.startswith("* #") and "ours-2015" in listed.output
    assert "fitted before 2015-01-01 on synthetic" in listed.output
    shown = runner.invoke(app, ["policy", "show"])
    assert shown.output.rstrip("\n") == text.rstrip("\n")
    # the served surface is what the backtest scores, with the active policy
    surf = tmp_path / "surf"
    served = runner.invoke(
        app, ["surface", "--as-of", "2015-01-01", "--out", str(surf), "--no-png", "--no-save"]
    )
    assert served.exit_code == 0 and "policy ours-2015" in served.output
    bt = runner.invoke(
        app,
        [
            "backtest",
            "--surface-as-served",
            "--source",
            "synthetic",
            "--train-until",
            "2015-01-01",
            "--test-until",
            "2016-01-01",
        ],
    )
    assert bt.exit_code == 0, bt.output
    assert "served surface: ours-2015" in bt.output
    auc = float(
        next(x for x in bt.output.splitlines() if x.startswith("| h3 ") and "| model |" in x).split(
            "|"
        )[-2]
    )
    geo = json.loads(surf.with_suffix(".geojson").read_text())
    threat = {
        h3.str_to_int(f["properties"]["h3"]): f["properties"]["threat"] for f in geo["features"]
    }
    incidents = read_store(session, source_dataset="synthetic")
    units = event_area(incidents.cells(6))
    hits = np.zeros(len(units))
    test = incidents.between("2015-01-01", "2016-01-01")
    np.add.at(hits, np.searchsorted(units, incidents.cells(6)[test]), 1.0)
    scores = np.array([threat.get(int(u), 0.0) for u in units])
    assert evaluate("geojson", scores, hits).auc == pytest.approx(auc, abs=5e-4)
    assert "reliability of fatal_90 from 2015-01-01, by level band" in bt.output
    # back to the shipped default, then to ours again by version
    assert runner.invoke(app, ["policy", "activate", "default"]).exit_code == 0
    assert (
        runner.invoke(app, ["policy", "list"]).output.split("\n")[0].endswith("the shipped default")
    )
    again = runner.invoke(app, ["policy", "activate", "ours-2015"])
    assert again.exit_code == 0 and "active policy: ours-2015" in again.output
    missing = runner.invoke(app, ["policy", "activate", "nothing-1"])
    assert missing.exit_code == 1 and "no stored policy" in missing.output
