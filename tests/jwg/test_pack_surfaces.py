"""A briefing pack computes its two surfaces from one read of the incidents and one grid of
cells (``risk.service.surfaces_for``); its figures are those of one surface per day, computed
the plain way (``risk.service.surface_for``): the map's cells, values, probabilities and levels,
the sites and routes whose level rose with their reasons, and the planned measures ranked."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from safecorridor.incidents.models import Incident
from safecorridor.jwg import briefing
from safecorridor.jwg.pack import MAP_BOX, Used
from safecorridor.registry.measures import MeasureCreate, create_measure
from safecorridor.registry.models import Route
from safecorridor.risk import service as risk
from safecorridor.risk.cache import day_surfaces
from safecorridor.risk.surface import ThreatSurface
from safecorridor.sharing.policy import Viewer
from tests.factories import create_incident
from tests.jwg.conftest import SITE, JwgWorld

PERIOD = (date(2024, 1, 1), date(2024, 3, 31))


def assert_same_surface(fast: ThreatSurface, slow: ThreatSurface) -> None:
    assert np.array_equal(fast.cells, slow.cells)
    assert np.allclose(fast.values, slow.values, rtol=1e-12, atol=0)
    assert np.allclose(fast.corridor, slow.corridor, rtol=1e-12, atol=0)
    assert np.array_equal(fast.prob_cells, slow.prob_cells)
    for k in slow.prob:
        # the same counts; the logistic's matrix product may round in another order
        assert np.allclose(fast.prob[k], slow.prob[k], rtol=1e-12, atol=1e-15), k
    for e in slow.counts:
        assert np.array_equal(fast.counts[e], slow.counts[e]), e
    assert list(fast.level_of_cells(fast.cells)) == list(slow.level_of_cells(slow.cells))
    assert fast.to_dict() == slow.to_dict()
    assert sorted(fast.incidents.ids.tolist()) == sorted(slow.incidents.ids.tolist())


def _world(engine: Engine, w: JwgWorld) -> None:
    """Violence that grows around the site over the period, some elsewhere, a route past the
    site and a planned measure on it."""
    rng = np.random.default_rng(5)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as s:
        for i in range(90):
            near = i % 3 != 0
            day = date(2022, 1, 1).toordinal() + int(rng.integers(0, 730))
            if i >= 60:  # a surge near the site in the period
                near, day = True, date(2024, 1, 2).toordinal() + int(rng.integers(0, 88))
            inc = create_incident(
                s,
                event_date=date.fromordinal(day),
                latitude=(SITE[0] if near else 33.6) + float(rng.normal(0, 0.08)),
                longitude=(SITE[1] if near else 71.5) + float(rng.normal(0, 0.08)),
                fatalities=int(rng.integers(1 if i >= 60 else 0, 4)),
                foreign_fatalities=0,
                target_category="corridor_project" if i % 7 == 0 else "civilians",
                location=f"Place {i}",
                admin1="Khyber Pakhtunkhwa",
                tlp="AMBER" if i % 4 == 0 else "GREEN",
                source_key=f"pack-surfaces-{i}",
            )
            inc.owner_org_id = w.secretariat if i % 4 == 0 else None
        s.add(
            Route(
                name="Valley road",
                points=[[SITE[0] - 0.3, SITE[1] - 0.3], [SITE[0], SITE[1]], [33.6, 71.5]],
                length_km=250.0,
                tlp="GREEN",
            )
        )
        create_measure(
            session=s,
            measure_in=MeasureCreate.model_validate(
                {"site_id": w.site, "kind": "perimeter", "grade": "hardened", "tlp": "AMBER"}
            ),
            viewer=None,
            today=PERIOD[0],
        )
        s.commit()


def _planned(view: Any) -> list[tuple[Any, ...]]:
    return [(e.measure_id, e.level_now, e.level_with, e.score_now, e.score_with) for e in view]


def test_the_pack_shows_the_figures_of_one_surface_per_day(
    engine: Engine, jwg_world: JwgWorld
) -> None:
    w = jwg_world
    _world(engine, w)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    start, end = PERIOD
    with factory() as s:
        for org in (w.secretariat, w.agency):
            data = briefing.collect(s, organisation_id=org, period_from=start, period_to=end)
            reader = Viewer.for_organisation(org)
            after = date(2024, 4, 1)
            slow_end = risk.surface_for(s, reader, as_of=after, box=MAP_BOX, audit=False)
            slow_start = risk.surface_for(s, reader, as_of=start, box=MAP_BOX, audit=False)
            assert len(slow_end.incidents) > len(slow_start.incidents) > 20
            assert_same_surface(data.surface, slow_end)
            risen = briefing._risen(
                s, reader, start, end, Used(), before_surface=slow_start, after_surface=slow_end
            )
            assert risen, "the test world must have a level that rose"
            assert data.risen == risen
            view = risk.planned_measures_view(s, reader, as_of=after, surface=slow_end)
            assert view.ranked
            assert [
                (p["measure_id"], p["level_now"], p["level_with"], p["score_now"], p["score_with"])
                for p in data.planned
            ] == _planned(view.ranked[:8])


def test_surfaces_of_several_days_are_those_of_one_day_each(
    engine: Engine, jwg_world: JwgWorld
) -> None:
    w = jwg_world
    _world(engine, w)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    days = [date(2022, 6, 1), date(2023, 1, 1), date(2024, 1, 1), date(2024, 4, 1)]
    box = (70.0, 32.0, 75.0, 36.5)
    with factory() as s:
        for reader in (None, Viewer.for_organisation(w.outsider)):
            fast = risk.surfaces_for(s, reader, days=days, box=box, audit=False)
            assert len(fast) == len(days)
            for day, surface in zip(days, fast, strict=True):
                slow = risk.surface_for(s, reader, as_of=day, box=box, audit=False)
                assert_same_surface(surface, slow)
                assert np.datetime64(day, "D") == surface.as_of
        assert risk.surfaces_for(s, None, days=[], box=box) == []


def test_a_pack_built_again_reuses_its_surfaces_until_an_incident_changes(
    engine: Engine, jwg_world: JwgWorld
) -> None:
    w = jwg_world
    _world(engine, w)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    days = [PERIOD[0], date(2024, 4, 1)]
    day_surfaces.clear()
    built = day_surfaces.builds
    with factory() as s:
        sec, outsider = Viewer.for_organisation(w.secretariat), Viewer.for_organisation(w.outsider)
        first = risk.surfaces_for(s, sec, days=days, box=MAP_BOX, audit=False, cached=True)
        again = risk.surfaces_for(s, sec, days=days, box=MAP_BOX, audit=False, cached=True)
        assert all(a is b for a, b in zip(first, again, strict=True))
        assert day_surfaces.builds == built + 1
        # another organisation reads other incidents: its own surfaces
        other = risk.surfaces_for(s, outsider, days=days, box=MAP_BOX, audit=False, cached=True)
        assert day_surfaces.builds == built + 2
        hidden = s.scalar(  # AMBER of the secretariat
            select(Incident.id).where(Incident.source_key == "pack-surfaces-0")
        )
        assert hidden in first[1].incidents.ids.tolist()
        assert hidden not in other[1].incidents.ids.tolist()

        # a new incident not yet committed is in this transaction's figures, built aside: the
        # cache neither serves them nor keeps them (nobody else may see it yet)
        def add(key: str) -> Incident:
            return create_incident(
                s,
                event_date=date(2024, 3, 30),
                latitude=SITE[0],
                longitude=SITE[1],
                tlp="GREEN",
                source_key=key,
            )

        new = add("pack-surfaces-new")
        fresh = risk.surfaces_for(s, sec, days=days, box=MAP_BOX, audit=False, cached=True)
        assert day_surfaces.builds == built + 2
        assert new.id in fresh[1].incidents.ids.tolist()
        assert new.id not in first[1].incidents.ids.tolist()
        slow = risk.surface_for(s, sec, as_of=days[1], box=MAP_BOX, audit=False)
        assert_same_surface(fresh[1], slow)
        s.rollback()
        # rolled back: the cached surfaces serve again
        after = risk.surfaces_for(s, sec, days=days, box=MAP_BOX, audit=False, cached=True)
        assert all(a is b for a, b in zip(first, after, strict=True))
        # committed: the incidents' epoch moved, so the next call builds again, with it
        kept = add("pack-surfaces-kept")
        s.commit()
        rebuilt = risk.surfaces_for(s, sec, days=days, box=MAP_BOX, audit=False, cached=True)
        assert day_surfaces.builds == built + 3
        assert kept.id in rebuilt[1].incidents.ids.tolist()
    day_surfaces.clear()
