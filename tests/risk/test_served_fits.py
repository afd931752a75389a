"""Served fits kept in the store: a quarter's policy, fitted once on a reader group's history
(by the worker or `risk warm`), is read by every process instead of being fitted again, and
only by readers whose own readable history is that very one."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from safecorridor.accounts.models import User
from safecorridor.alerts.worker import FITS_KEEP_DAYS, WorkerContext, run_step
from safecorridor.cli.risk import app
from safecorridor.db.session import session_scope
from safecorridor.risk import calibrate as calibration
from safecorridor.risk import policies
from safecorridor.risk import service as risk
from safecorridor.risk.cache import served_policies
from safecorridor.risk.calibrate import FitKey, content_sha256, quarter_start, served_policy
from safecorridor.risk.models import ServedFit
from safecorridor.risk.policies import DatabaseFits, prune_fits
from safecorridor.risk.policy import Policy, dump_policy, load_policy, policy_from_dict
from safecorridor.sharing.policy import Viewer
from tests.api.conftest import World, build_world
from tests.factories import create_incident
from tests.risk.synthetic import store_history

AS_OF = date(2022, 2, 15)
QUARTER = quarter_start(AS_OF)
NOW = datetime(2022, 2, 15, 9, 0)


def _quarterly(min_incidents: int = 50) -> Policy:
    data = copy.deepcopy(load_policy().data)
    data["recalibrate"] = {"every": "quarter", "min_incidents": min_incidents}
    return policy_from_dict(data)


def _forget() -> None:
    """What a new process knows: nothing fitted."""
    calibration._served.clear()
    served_policies.clear()
    policies._cache.clear()


@pytest.fixture
def world(engine: Engine, request: pytest.FixtureRequest) -> Iterator[World]:
    """The API tests' organisations and users, and a history of 100 incidents, 40 of them
    marked AMBER (or the test's ``hidden_tlp``)."""
    _forget()
    with sessionmaker(bind=engine, expire_on_commit=False)() as s:
        w = build_world(s)
        store_history(
            s, w.orgs["owner"], tlp=getattr(request, "param", "AMBER"), seed=11, prefix="fits"
        )
    yield w
    _forget()


def _viewer(s: Session, world: World, org: str) -> Viewer:
    return Viewer.of(s.get_one(User, world.users[(org, "analyst")]))


def _rows(engine: Engine) -> list[ServedFit]:
    with sessionmaker(bind=engine)() as s:
        return list(s.scalars(select(ServedFit).order_by(ServedFit.id)))


def test_a_warmed_fit_is_read_by_a_new_process_instead_of_fitted_again(
    engine: Engine, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = _quarterly()
    with session_scope(engine) as s:
        warmed = risk.warm_fits(
            s, lambda: session_scope(engine, write=True), as_of=AS_OF, policy=base, now=NOW
        )
        fitted = {
            org: risk.policy_for(s, _viewer(s, world, org), as_of=AS_OF, policy=base)
            for org in ("owner", "outsider")
        }
    assert warmed and all(w.version == f"{base.version}@{QUARTER}" for w in warmed if w.stored)
    rows = _rows(engine)
    # one row per distinct readable history, each keyed by the content hash of that history
    assert len(rows) == len({r.data_sha256 for r in rows}) == sum(w.stored for w in warmed) >= 2
    assert {r.quarter for r in rows} == {QUARTER} and {r.policy_sha256 for r in rows} == {
        base.sha256
    }

    _forget()

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("fitted again instead of reading the stored fit")

    monkeypatch.setattr(calibration, "calibrate", refuse)
    with session_scope(engine) as s:
        for org in ("owner", "outsider"):
            again = risk.policy_for(s, _viewer(s, world, org), as_of=AS_OF, policy=base)
            assert again.sha256 == fitted[org].sha256
            assert again.data == fitted[org].data
        # the figures shown are computed with it
        surf = risk.surface_for(
            s, _viewer(s, world, "outsider"), as_of=AS_OF, box=None, policy=base, audit=False
        )
        assert surf.policy.sha256 == fitted["outsider"].sha256


@pytest.mark.parametrize("world", ["AMBER", "AMBER+STRICT", "RED"], indirect=True)
def test_a_reader_is_never_served_a_fit_made_on_a_history_it_may_not_read(
    engine: Engine, world: World
) -> None:
    """Only the trusted fit (forty AMBER, AMBER+STRICT or RED incidents in it) is in the store:
    the outsider, who reads sixty of the hundred, gets a fit of its own, made on exactly
    those sixty."""
    base = _quarterly()
    with session_scope(engine) as s:
        incidents, _ = risk.visible_incidents(s, None, as_of=QUARTER, box=None)
        served_policy(
            incidents,
            base,
            as_of=AS_OF,
            store=DatabaseFits(s, lambda: session_scope(engine, write=True), now=NOW),
        )
    (row,) = _rows(engine)
    assert row.incidents == 100  # (the API world's own five are dated in the quarter)
    _forget()
    with session_scope(engine) as s:
        outsider = _viewer(s, world, "outsider")
        theirs = risk.policy_for(s, outsider, as_of=AS_OF, policy=base)
        visible, _ = risk.visible_incidents(s, outsider, as_of=QUARTER, box=None)
    assert theirs.sha256 != row.sha256
    assert theirs.data["calibration"]["data"]["incidents"] == 60
    assert theirs.data["calibration"]["data"]["sha256"] == content_sha256(visible)
    assert len(_rows(engine)) == 1  # reading a figure wrote nothing


def test_a_stored_fit_that_does_not_match_its_hash_is_fitted_again(
    engine: Engine, world: World
) -> None:
    base = _quarterly()
    with session_scope(engine) as s:
        risk.warm_fits(
            s, lambda: session_scope(engine, write=True), as_of=AS_OF, policy=base, now=NOW
        )
        good = risk.policy_for(s, _viewer(s, world, "outsider"), as_of=AS_OF, policy=base)
    with session_scope(engine, write=True) as s:  # someone edits the stored documents
        edited = func.replace(ServedFit.document, good.version, good.version + "-edited")
        s.execute(update(ServedFit).values(document=edited))
        assert all(good.version + "-edited" in d for d in s.scalars(select(ServedFit.document)))
    _forget()
    with session_scope(engine) as s:
        again = risk.policy_for(s, _viewer(s, world, "outsider"), as_of=AS_OF, policy=base)
    assert again.sha256 == good.sha256  # fitted again from the incidents, not the edited text


def test_the_worker_warms_each_quarter_once_and_again_when_the_history_changes(
    engine: Engine, world: World
) -> None:
    ctx = WorkerContext(engine=engine, name="fits-test", policy=_quarterly())
    first = run_step(ctx, "risk_fits", now=NOW)
    assert first.status == "ok", first.error
    written = len(_rows(engine))
    assert first.found == written >= 2
    # nothing changed: nothing loaded or fitted
    assert run_step(ctx, "risk_fits", now=NOW + timedelta(minutes=15)).found == 0
    # a late report of an incident before the quarter changes every reader's history
    with sessionmaker(bind=engine, expire_on_commit=False)() as s:
        create_incident(
            s,
            tlp="CLEAR",
            event_date=date(2021, 12, 20),
            latitude=25.21,
            longitude=66.19,
            source_key="fits-late",
        )
        s.commit()
    again = run_step(ctx, "risk_fits", now=NOW + timedelta(minutes=30))
    assert again.found == written  # each group's history changed: each fitted anew
    # a new quarter: fitted for it
    later = run_step(ctx, "risk_fits", now=datetime(2022, 4, 2, 9, 0))
    assert later.found >= 2
    assert {r.quarter for r in _rows(engine)} == {QUARTER, date(2022, 4, 1)}
    # half a year on, the first quarter's fits are pruned
    run_step(ctx, "risk_fits", now=NOW + timedelta(days=FITS_KEEP_DAYS + 1))
    assert date(2022, 1, 1) not in {r.quarter for r in _rows(engine)}


def test_a_policy_served_as_it_is_stores_nothing(engine: Engine, world: World) -> None:
    data = copy.deepcopy(load_policy().data)
    data["recalibrate"] = {"every": "never", "min_incidents": 500}
    ctx = WorkerContext(engine=engine, name="fits-test", policy=policy_from_dict(data))
    assert run_step(ctx, "risk_fits", now=NOW).found == 0
    # too few readable incidents for a fit: served as it is, nothing stored
    ctx = WorkerContext(engine=engine, name="fits-test", policy=_quarterly(min_incidents=5000))
    assert run_step(ctx, "risk_fits", now=NOW).found == 0
    assert _rows(engine) == []


def test_two_stores_writing_the_same_fit_keep_one_row(engine: Engine, world: World) -> None:
    base = _quarterly()
    with session_scope(engine) as s:
        incidents, _ = risk.visible_incidents(s, None, as_of=QUARTER, box=None)
        fitted = served_policy(incidents, base, as_of=AS_OF)
        key = FitKey(
            base.sha256,
            QUARTER,
            content_sha256(incidents.select(incidents.date < np.datetime64(QUARTER, "D"))),
        )
        one = DatabaseFits(s, lambda: session_scope(engine, write=True), now=NOW)
        two = DatabaseFits(s, lambda: session_scope(engine, write=True), now=NOW)
        assert one.save(key, fitted, incidents=len(incidents)) is True
        assert two.save(key, fitted, incidents=len(incidents)) is False
        assert DatabaseFits(s).save(key, fitted, incidents=len(incidents)) is False  # reads only
        kept = one.load(key)
        assert kept is not None and kept.sha256 == fitted.sha256
    assert len(_rows(engine)) == 1
    with session_scope(engine, write=True) as s:
        assert prune_fits(s, before=NOW) == 0
        assert prune_fits(s, before=NOW + timedelta(seconds=1)) == 1


def test_risk_warm_prints_what_it_fitted(engine: Engine, world: World, tmp_path: Path) -> None:
    policy_file = tmp_path / "quarterly.yaml"
    policy_file.write_text(dump_policy(_quarterly().data), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["warm", "--as-of", "2022-02-15", "--policy", str(policy_file)])
    assert result.exit_code == 0, result.output
    assert "organisation" in result.output and "stored" in result.output
    assert "60 incidents readable before the quarter" in result.output
    again = runner.invoke(app, ["warm", "--as-of", "2022-02-15", "--policy", str(policy_file)])
    assert again.exit_code == 0, again.output
    assert "already in the store" in again.output and ", stored" not in again.output
