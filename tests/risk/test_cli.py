"""`risk site`, `risk route`, `risk surface` and `risk backtest` against a small store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safecorridor.cli.risk import app
from safecorridor.geo import cell_of, polyline_length_km
from safecorridor.incidents.models import Incident
from safecorridor.registry.models import Route, Site
from safecorridor.risk.data import read_store
from safecorridor.risk.models import RiskResult
from tests.conftest import UCDP_CSV

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
    assert "#1 2021-07-14" in out  # the attack on the bus, before as_of
    assert "2023-01-01" not in out  # after as_of
    stored = world.scalars(select(RiskResult)).all()
    assert len(stored) == 1 and stored[0].policy_sha256 and stored[0].kind == "site"


def test_risk_route_prints_the_level_and_the_measures(world: Session) -> None:
    result = runner.invoke(app, ["route", "karakoram", "--as-of", "2022-01-01", "--no-save"])
    assert result.exit_code == 0, result.output
    assert "Karakoram Highway:" in result.output
    assert "escort vehicle" in result.output and "riskiest segments" in result.output
    assert "near Dasu Hydropower Project" in result.output or "near " in result.output


def test_lookups_by_id_and_ambiguity(world: Session) -> None:
    site_id = world.scalars(select(Site.id).where(Site.name == "Gwadar Port")).one()
    ok = runner.invoke(app, ["site", str(site_id), "--json", "--no-save"])
    assert ok.exit_code == 0 and '"name": "Gwadar Port"' in ok.output
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


@pytest.mark.slow
def test_risk_backtest_on_ucdp_beats_the_count_baselines_on_h3(sqlite_engine: object) -> None:
    result = runner.invoke(
        app,
        [
            "backtest",
            "--data",
            str(UCDP_CSV),
            "--train-until",
            "2015-01-01",
            "--test-until",
            "2016-01-01",
            "--level",
            "h3",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = {
        line.split("|")[3].strip(): line.split("|")
        for line in result.output.splitlines()
        if line.startswith("| h3")
    }
    auc = {k: float(v[-2]) for k, v in rows.items()}
    assert auc["model"] > auc["all-history counts"] > auc["uniform"]
