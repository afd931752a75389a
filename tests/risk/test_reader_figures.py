"""Every figure shown to someone derives only from records they may read: for each restricted
marking, an incident right next to a site and on a route moves the owner's figures and none of
a third organisation's (surface cell, site score, route score, movement score, trend point,
the levels an alert rule sees), on both backends.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from safecorridor.accounts.models import User
from safecorridor.alerts.service import org_viewer
from safecorridor.geo import cell_of
from safecorridor.registry.models import Route, Site
from safecorridor.risk import service as risk
from safecorridor.sharing.policy import Viewer
from tests.api.conftest import World, build_world
from tests.factories import create_incident

AS_OF = date(2022, 6, 1)
SITE = (25.2, 66.2)


def _figures(s: Session, reader: Viewer, site: Site, route: Route) -> dict[str, float]:
    surface = risk.surface_for(s, reader, as_of=AS_OF, box=risk.record_box(site), audit=False)
    trend = risk.risk_trend(s, reader, site, [date(2022, 5, 1), AS_OF])
    levels = risk.registry_levels(s, reader, as_of=AS_OF, sites=[site], routes=[route], audit=False)
    movement = risk.polyline_risk(
        s,
        reader,
        points=[[p[0], p[1]] for p in route.points],
        name="a movement",
        route_id=None,
        as_of=AS_OF,
    )
    return {
        "cell": surface.value_at(*SITE),
        "site": risk.record_risk(s, reader, site, as_of=AS_OF).score,
        "route": risk.record_risk(s, reader, route, as_of=AS_OF).score,
        "movement": float(movement.score),
        "trend": trend[-1].score,
        "alert_site": levels["sites"][str(site.id)][1],
        "alert_route": levels["routes"][str(route.id)][1],
    }


@pytest.mark.parametrize("marking", ["AMBER", "AMBER+STRICT", "RED"])
def test_a_hidden_incident_moves_no_figure_of_a_third_organisation(
    engine: Engine, marking: str
) -> None:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as s:
        world: World = build_world(s)
        site = Site(
            name="Open camp",
            site_type="camp",
            latitude=SITE[0],
            longitude=SITE[1],
            h3_cell=cell_of(*SITE),
            tlp="GREEN",
            owner_org_id=world.orgs["partner"],
            personnel_foreign=20,
        )
        route = Route(
            name="Open road",
            points=[[SITE[0] - 0.3, SITE[1]], [SITE[0] + 0.3, SITE[1]]],
            length_km=66.0,
            tlp="GREEN",
            owner_org_id=world.orgs["partner"],
        )
        s.add_all([site, route])
        s.commit()
        owner = Viewer.of(s.get_one(User, world.users[("owner", "analyst")]))
        outsider = Viewer.of(s.get_one(User, world.users[("outsider", "analyst")]))
        readers = {
            "owner": owner,
            "outsider": outsider,
            "outsider-org": org_viewer(world.orgs["outsider"]),
        }
        before = {who: _figures(s, v, site, route) for who, v in readers.items()}
        hidden = create_incident(
            s,
            tlp=marking,
            event_date=date(2022, 5, 20),
            latitude=SITE[0],
            longitude=SITE[1],
            fatalities=9,
            source_key=f"hidden-{marking}",
        )
        hidden.owner_org_id = world.orgs["owner"]
        s.commit()
        if marking == "RED":  # the owner's analyst is named, so the owner's figures move
            from safecorridor.sharing.service import grant_record

            grant_record(
                session=s,
                record_type="incident",
                record_id=hidden.id,
                user_id=owner.user_id or 0,
                granted_by="test",
                audited=False,  # a fixture, as its other rows
            )
            s.commit()
        after = {who: _figures(s, v, site, route) for who, v in readers.items()}
    # the owner sees its incident in every figure
    assert all(after["owner"][k] > before["owner"][k] for k in before["owner"]), (
        before["owner"],
        after["owner"],
    )
    # a third organisation's figures do not move, to the last digit
    assert after["outsider"] == before["outsider"]
    assert after["outsider-org"] == before["outsider-org"]
