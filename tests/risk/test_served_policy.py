"""Served figures follow the data: a policy with ``recalibrate: {every: quarter}`` is served
calibrated on the reader's own history before the quarter's first day, as the backtest
validates it year by year, and never on an incident the reader may not read."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import numpy as np
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from safecorridor.accounts.models import User
from safecorridor.risk import service as risk
from safecorridor.risk.calibrate import (
    calibrate,
    content_sha256,
    quarter_start,
    served_policy,
)
from safecorridor.risk.data import IncidentArrays
from safecorridor.risk.policy import Policy, PolicyError, load_policy, policy_from_dict
from safecorridor.risk.surface import compute_surface
from safecorridor.sharing.policy import Viewer
from tests.api.conftest import World, build_world
from tests.risk.synthetic import hotspots, store_history


def _with(policy: Policy, **recalibrate: object) -> Policy:
    data = copy.deepcopy(policy.data)
    data["recalibrate"] = recalibrate
    return policy_from_dict(data)


def _calibrated(incidents: IncidentArrays, base: Policy, until: date) -> Policy:
    return calibrate(
        incidents,
        base=base,
        train_until=until,
        dataset="synthetic",
        source="tests",
        command=f"safecorridor risk calibrate --train-until {until}",
    ).policy


@pytest.fixture(scope="module")
def history() -> IncidentArrays:
    return hotspots()


def test_quarters_start_on_the_first_of_january_april_july_october() -> None:
    assert quarter_start(date(2015, 1, 1)) == date(2015, 1, 1)
    assert quarter_start(date(2015, 3, 31)) == date(2015, 1, 1)
    assert quarter_start(date(2015, 4, 1)) == date(2015, 4, 1)
    assert quarter_start("2016-08-15") == date(2016, 7, 1)
    assert quarter_start(np.datetime64("2016-12-31")) == date(2016, 10, 1)


def test_the_shipped_policy_asks_to_be_recalibrated_each_quarter() -> None:
    pol = load_policy()
    assert pol.recalibrate_every == "quarter"
    assert pol.recalibrate_min_incidents >= 30


def test_a_quarter_is_served_calibrated_on_the_history_before_it(history: IncidentArrays) -> None:
    inc = history
    base = _with(load_policy(), every="quarter", min_incidents=100)
    served = served_policy(inc, base, as_of=date(2015, 2, 10))
    cal = served.data["calibration"]
    assert cal["train_until"] == "2015-01-01"
    assert cal["command"].startswith("served:")
    assert served.version == f"{base.version}@2015-01-01"
    before = inc.select(inc.date < np.datetime64("2015-01-01"))
    assert cal["data"]["incidents"] == len(before)
    assert cal["data"]["sha256"] == content_sha256(before)
    # the same fit as `risk calibrate --train-until` the quarter's first day
    by_hand = _calibrated(before, base, date(2015, 1, 1))
    assert served.data["decay"] == by_hand.data["decay"]
    assert served.probability["models"] == by_hand.probability["models"]
    # kept for the quarter; the next quarter is fitted again, on a longer history
    assert served_policy(inc, base, as_of=date(2015, 3, 31)) is served
    april = served_policy(inc, base, as_of=date(2015, 4, 1))
    assert april.data["calibration"]["train_until"] == "2015-04-01"
    assert april.data["calibration"]["data"]["incidents"] > len(before)
    # a surface served at a date uses the quarter's policy's probabilities
    surf = compute_surface(inc, as_of="2015-02-10", policy=served)
    assert surf.policy.sha256 == served.sha256 != base.sha256


def test_too_short_a_history_or_never_serves_the_policy_as_it_is(history: IncidentArrays) -> None:
    inc = history
    pol = load_policy()
    never = _with(pol, every="never", min_incidents=30)
    assert served_policy(inc, never, as_of=date(2015, 2, 10)) is never
    n = int(np.count_nonzero(inc.date < np.datetime64("2015-01-01")))
    thin = _with(pol, every="quarter", min_incidents=n + 1)
    assert served_policy(inc, thin, as_of=date(2015, 2, 10)) is thin
    # a policy without the section (an older file) is served as it is
    data = copy.deepcopy(pol.data)
    data.pop("recalibrate", None)
    old = policy_from_dict(data)
    assert served_policy(inc, old, as_of=date(2015, 2, 10)) is old


def test_a_policy_calibrated_on_that_very_history_is_served_as_it_is(
    history: IncidentArrays,
) -> None:
    inc = history
    base = _with(load_policy(), every="quarter", min_incidents=100)
    fitted = _calibrated(inc, base, date(2015, 1, 1))  # `risk calibrate --activate`
    assert served_policy(inc, fitted, as_of=date(2015, 2, 1)) is fitted


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"every": "monthly", "min_incidents": 500}, "recalibrate.every"),
        ({"every": "quarter", "min_incidents": 5}, "min_incidents must be at least 30"),
        ("quarterly", "recalibrate.every"),
    ],
)
def test_a_bad_recalibrate_section_is_refused(section: object, message: str) -> None:
    data = copy.deepcopy(load_policy().data)
    data["recalibrate"] = section
    with pytest.raises(PolicyError, match=message):
        policy_from_dict(data)


def test_each_reader_is_served_a_policy_fitted_on_what_they_may_read(engine: Engine) -> None:
    """Forty AMBER incidents of one organisation and sixty CLEAR ones: the owner's policy is
    fitted on all hundred, a third organisation's on the sixty it may read."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    as_of = date(2022, 2, 15)
    with factory() as s:
        world: World = build_world(s)
        store_history(s, world.orgs["owner"])
        base = _with(load_policy(), every="quarter", min_incidents=50)
        owner = Viewer.of(s.get_one(User, world.users[("owner", "analyst")]))
        outsider = Viewer.of(s.get_one(User, world.users[("outsider", "analyst")]))
        mine = risk.policy_for(s, owner, as_of=as_of, policy=base)
        theirs = risk.policy_for(s, outsider, as_of=as_of, policy=base)
        visible, _ = risk.visible_incidents(s, outsider, as_of=date(2022, 1, 1), box=None)
        assert mine.data["calibration"]["data"]["incidents"] == 100
        assert theirs.data["calibration"]["data"]["incidents"] == 60
        assert theirs.data["calibration"]["data"]["sha256"] == content_sha256(visible)
        # and the figures they see are computed with it
        surf = risk.surface_for(s, outsider, as_of=as_of, box=None, policy=base, audit=False)
        assert surf.policy.sha256 == theirs.sha256


def test_a_date_after_today_is_served_todays_quarter(engine: Engine) -> None:
    """A planned departure next quarter or a date years ahead: today's quarter's policy, not
    one fitted on the empty months between today and then."""
    from safecorridor.clock import FixedClock

    factory = sessionmaker(bind=engine, expire_on_commit=False)
    clock = FixedClock(datetime(2022, 2, 15, 9, 0, tzinfo=UTC))
    with factory() as s:
        world: World = build_world(s)
        store_history(s, world.orgs["owner"])
        base = _with(load_policy(), every="quarter", min_incidents=50)
        now = risk.policy_for(s, None, as_of=date(2022, 2, 15), policy=base, clock=clock)
        assert now.data["calibration"]["train_until"] == "2022-01-01"
        for later in (date(2022, 4, 2), date(2030, 1, 1)):
            ahead = risk.policy_for(s, None, as_of=later, policy=base, clock=clock)
            assert ahead.sha256 == now.sha256
        # the past stays the past: an earlier quarter is served its own fit
        past = risk.policy_for(s, None, as_of=date(2021, 8, 1), policy=base, clock=clock)
        assert past.data["calibration"]["train_until"] == "2021-07-01"
