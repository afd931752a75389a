"""Movement requests: risk at the departure date, the measures the policy requires, the
state machine with its roles, check-ins and progress."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safecorridor.errors import InvalidInputError
from safecorridor.movements import service as ms
from safecorridor.movements.checks import (
    MovementPolicy,
    expected_km,
    is_daylight,
    movement_policy,
    overdue_reason,
    project_on_route,
)
from safecorridor.movements.models import Movement, MovementTransition
from safecorridor.movements.schemas import EscortAssignment, MovementCreate
from safecorridor.risk import cache as risk_cache
from safecorridor.risk.policies import active_policy
from safecorridor.risk.policy import PolicyError, load_policy
from safecorridor.risk.service import routes_surfaces
from safecorridor.sharing.models import AuditEvent

KKH = "Karakoram Highway (Islamabad–Khunjerab)"
DEPART = datetime(2025, 6, 10, 2, 0)  # 06:52 local solar time at Islamabad
#: the violent stretch of the Karakoram Highway the fixtures add ends the day before departure
STRETCH_DAY = DEPART.date()
ARRIVE = datetime(2025, 6, 10, 11, 0)  # 16:02 at Khunjerab
NOW = datetime(2025, 6, 1, 8, 0)


def plan(**overrides: Any) -> MovementCreate:
    data: dict[str, Any] = {
        "purpose": "Crew rotation to Dasu",
        "headcount": {"CN": 4, "PK": 2},
        "route": KKH,
        "vehicle_count": 2,
        "armoured_count": 2,
        "planned_departure": DEPART,
        "planned_arrival": ARRIVE,
    }
    data.update(overrides)
    return MovementCreate(**data)


def user(session: Session, email: str) -> Any:
    return ms.get_user(session, email)


def requested(session: Session, now: datetime = NOW, **overrides: Any) -> Any:
    m = ms.request_movement(
        session=session,
        user=user(session, "site_manager@ctgsa.example"),
        movement_in=plan(**overrides),
        now=now,
    )
    session.commit()
    return m


def submitted(session: Session, now: datetime = NOW, **overrides: Any) -> Any:
    m = requested(session, now, **overrides)
    ms.submit_movement(
        session=session, movement_id=m.id, user=user(session, "site_manager@ctgsa.example"), now=now
    )
    session.commit()
    return m


ESCORT = EscortAssignment(callsign="Falcon-7", vehicles=4, contact_email="falcon7@ssd.example")


def test_a_request_gets_the_route_risk_as_of_its_departure_and_the_required_measures(
    lite: Session,
) -> None:
    m = requested(lite)
    assert m.state == "draft"
    assert m.risk_as_of.isoformat() == "2025-06-10"
    assert m.risk_level == "severe"
    assert m.required_measures["escort_vehicles"] == 4
    assert m.required_measures["armoured_vehicles"] is True
    assert m.required_measures["daylight_only"] is True
    assert m.route_length_km == pytest.approx(614.7, abs=1)
    assert m.policy_sha256 == load_policy().sha256
    assert [i["code"] for i in m.issues] == ["escort_required"]  # a note, not a blocker
    assert m.headcount == {"CN": 4, "PK": 2} and m.people == 6


def test_the_same_route_before_the_attacks_along_it_is_low(lite: Session) -> None:
    m = requested(
        lite,
        datetime(2019, 6, 1, 8),
        planned_departure=datetime(2019, 6, 10, 2),
        planned_arrival=datetime(2019, 6, 10, 11),
        armoured_count=0,
    )
    assert m.risk_level == "low"
    assert m.issues == []


def test_unarmoured_vehicles_and_a_night_plan_on_a_severe_route_are_flagged(
    lite: Session,
) -> None:
    m = requested(
        lite,
        armoured_count=0,
        planned_departure=datetime(2025, 6, 10, 16, 0),  # 20:52 local
        planned_arrival=datetime(2025, 6, 11, 1, 0),
    )
    codes = {i["code"]: i["message"] for i in m.issues}
    assert "0 of 2 vehicle(s) are armoured" in codes["armoured_vehicles"]
    assert "daylight only" in codes["daylight_only"]
    assert (
        "departure at 20:5" in codes["daylight_only"]
        and "local solar time" in codes["daylight_only"]
    )


def test_a_drawn_polyline_and_two_sites_are_routes_too(lite: Session) -> None:
    drawn = requested(lite, route=None, polyline=[[33.6844, 73.0479], [34.1688, 73.2215]])
    assert drawn.route_id is None and drawn.route_name == "drawn route"
    assert drawn.route_length_km == pytest.approx(56, abs=3)
    sites = requested(lite, route=None, from_site="Karot", to_site="Dasu Hydropower")
    assert sites.from_site_id and sites.to_site_id
    assert "straight line" in sites.route_name
    with pytest.raises(InvalidInputError, match="starts and ends at Dasu Hydropower"):
        requested(lite, route=None, from_site="Dasu Hydropower", to_site="Dasu Hydropower")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"headcount": {}}, "at least one nationality"),
        ({"headcount": {"China": 2}}, "two-letter country code"),
        ({"route": None}, "give a route, a polyline"),
        ({"planned_arrival": DEPART - timedelta(hours=1)}, "arrival must be after"),
        ({"armoured_count": 3}, "more armoured vehicles than vehicles"),
    ],
)
def test_an_incomplete_request_is_refused(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan(**overrides)


def test_the_whole_life_of_a_movement_is_kept_in_its_history_and_the_audit_log(
    demo: Session,
) -> None:
    m = submitted(demo)
    eo = user(demo, "escort_officer@ssd.example")
    sm = user(demo, "site_manager@ctgsa.example")
    ms.approve_movement(session=demo, movement_id=m.id, user=eo, escort=ESCORT, now=NOW)
    assert m.state == "approved" and m.escort_callsign == "Falcon-7"
    assert m.escort_org.short_name == "SSD" and m.escort_vehicles == 4
    ms.start_movement(session=demo, movement_id=m.id, user=sm, now=DEPART)
    ci = ms.check_in(
        session=demo,
        movement_id=m.id,
        user=eo,
        latitude=33.9946,
        longitude=72.9106,
        note="Haripur",
        now=DEPART + timedelta(hours=1),
    )
    ms.complete_movement(session=demo, movement_id=m.id, user=sm, now=ARRIVE)
    demo.commit()
    assert ci.km_along == pytest.approx(64.6, abs=1)  # Islamabad → Hasan Abdal → Haripur
    assert ci.expected_km == pytest.approx(614.7 / 9, abs=1)
    history = demo.scalars(
        select(MovementTransition)
        .where(MovementTransition.movement_id == m.id)
        .order_by(MovementTransition.id)
    ).all()
    assert [(h.action, h.from_state, h.to_state) for h in history] == [
        ("request", None, "draft"),
        ("submit", "draft", "submitted"),
        ("approve", "submitted", "approved"),
        ("start", "approved", "under_way"),
        ("complete", "under_way", "completed"),
    ]
    assert history[2].actor == "escort_officer@ssd.example"
    audit = demo.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.record_type == "movement", AuditEvent.record_id == m.id)
        .order_by(AuditEvent.id)
    ).all()
    assert list(audit) == ["create", "submit", "approve", "start", "checkin", "complete"]


def test_approving_with_too_small_an_escort_is_refused_unless_overridden(lite: Session) -> None:
    m = submitted(lite)
    eo = user(lite, "escort_officer@ssd.example")
    small = EscortAssignment(callsign="Falcon-2", vehicles=2)
    with pytest.raises(ms.TransitionError, match="requires 4 escort vehicle\\(s\\); 2 assigned"):
        ms.approve_movement(session=lite, movement_id=m.id, user=eo, escort=small, now=NOW)
    ms.approve_movement(
        session=lite,
        movement_id=m.id,
        user=eo,
        escort=small,
        override_reason="two more vehicles join at Havelian",
        now=NOW,
    )
    lite.commit()
    assert m.state == "approved"
    assert m.decision_note == "two more vehicles join at Havelian"


def test_a_rejection_needs_a_reason_and_is_final(demo: Session) -> None:
    m = submitted(demo)
    eo = user(demo, "escort_officer@ssd.example")
    ms.reject_movement(session=demo, movement_id=m.id, user=eo, reason="no escort available")
    demo.commit()
    assert m.state == "rejected" and m.decision_note == "no escort available"
    with pytest.raises(
        ms.TransitionError,
        match=r"site_manager@ctgsa.example \(site_manager\) cannot complete movement \d+ in"
        r" state 'rejected': complete needs state 'under_way' or 'overdue'",
    ):
        ms.complete_movement(
            session=demo, movement_id=m.id, user=user(demo, "site_manager@ctgsa.example")
        )


def test_an_escort_officer_cannot_approve_their_own_request(demo: Session) -> None:
    eo = user(demo, "escort_officer@ssd.example")
    m = ms.request_movement(session=demo, user=eo, movement_in=plan(), now=NOW)
    ms.submit_movement(session=demo, movement_id=m.id, user=eo, now=NOW)
    demo.commit()
    with pytest.raises(
        ms.TransitionError,
        match=r"escort_officer@ssd.example \(escort_officer\) cannot approve movement \d+ in"
        r" state 'submitted': an escort officer cannot approve a request they made themselves",
    ):
        ms.approve_movement(session=demo, movement_id=m.id, user=eo, escort=ESCORT)


def test_a_viewer_can_do_nothing(demo: Session) -> None:
    m = submitted(demo)
    viewer = user(demo, "viewer@moi.example")
    with pytest.raises(
        ms.TransitionError,
        match=r"viewer@moi.example \(viewer\) cannot approve movement \d+ in state"
        r" 'submitted': approve needs the role 'escort_officer'",
    ):
        ms.approve_movement(session=demo, movement_id=m.id, user=viewer, escort=ESCORT)
    with pytest.raises(ms.TransitionError, match=r"\(viewer\) cannot cancel movement"):
        ms.cancel_movement(session=demo, movement_id=m.id, user=viewer)
    with pytest.raises(ms.TransitionError, match=r"viewer\) cannot request a movement"):
        ms.request_movement(session=demo, user=viewer, movement_in=plan())


def test_no_state_can_be_skipped(demo: Session) -> None:
    m = requested(demo)
    eo = user(demo, "escort_officer@ssd.example")
    sm = user(demo, "site_manager@ctgsa.example")
    with pytest.raises(
        ms.TransitionError,
        match=r"\(escort_officer\) cannot approve movement \d+ in state 'draft': approve needs"
        r" state 'submitted'",
    ):
        ms.approve_movement(session=demo, movement_id=m.id, user=eo, escort=ESCORT)
    with pytest.raises(
        ms.TransitionError, match=r"cannot start movement \d+ in state 'draft'.*'approved'"
    ):
        ms.start_movement(session=demo, movement_id=m.id, user=sm)
    assert m.state == "draft"


def test_another_organisations_site_manager_cannot_move_it(lite: Session) -> None:
    from safecorridor.accounts.models import Organisation, User

    cophc = lite.scalars(select(Organisation).where(Organisation.short_name == "COPHC")).one()
    other = User(
        email="sm@cophc.example",
        display_name="x",
        organisation_id=cophc.id,
        role="site_manager",
    )
    lite.add(other)
    m = requested(lite)
    with pytest.raises(ms.TransitionError, match="belongs to another organisation"):
        ms.submit_movement(session=lite, movement_id=m.id, user=other)


def test_a_cancelled_movement_stays_cancelled(lite: Session) -> None:
    m = submitted(lite)
    sm = user(lite, "site_manager@ctgsa.example")
    eo = user(lite, "escort_officer@ssd.example")
    with pytest.raises(ms.RoleError, match=r"site manager, not an escort officer$"):
        ms.cancel_movement(session=lite, movement_id=m.id, user=eo, reason="no escort free")
    ms.cancel_movement(session=lite, movement_id=m.id, user=sm, reason="postponed")
    lite.commit()
    with pytest.raises(ms.TransitionError, match="in state 'cancelled'"):
        ms.submit_movement(session=lite, movement_id=m.id, user=sm)


def test_an_escort_officer_sees_submitted_requests_but_not_drafts(lite: Session) -> None:
    draft = requested(lite)
    sub = submitted(lite)
    eo = user(lite, "escort_officer@ssd.example")
    seen = {m.id for m in ms.list_movements(lite, user=eo)}
    assert sub.id in seen and draft.id not in seen
    viewer_moi = user(lite, "viewer@moi.example")
    assert ms.list_movements(lite, user=viewer_moi) == []  # AMBER, CTGSA does not share


# --- pure checks ---------------------------------------------------------------------------


def test_expected_progress_is_linear_between_departure_and_arrival() -> None:
    pts = [[0.0, 10.0], [0.0, 11.0]]  # ~111 km along the equator
    d, a = datetime(2025, 1, 1, 6), datetime(2025, 1, 1, 8)
    assert expected_km(pts, d, a, d - timedelta(hours=1)) == 0
    assert expected_km(pts, d, a, d + timedelta(hours=1)) == pytest.approx(55.6, abs=0.2)
    assert expected_km(pts, d, a, a + timedelta(hours=5)) == pytest.approx(111.2, abs=0.2)
    km, off = project_on_route(pts, 0.05, 10.5)
    assert km == pytest.approx(55.6, abs=0.3) and off == pytest.approx(5.5, abs=0.2)


def test_daylight_is_local_solar_time_at_the_ends_of_the_route() -> None:
    mp = MovementPolicy()
    assert is_daylight(datetime(2025, 6, 1, 2, 0), 73.0, mp)  # 06:52
    assert not is_daylight(datetime(2025, 6, 1, 0, 30), 73.0, mp)  # 05:22


def test_overdue_after_the_interval_without_check_in_or_past_arrival() -> None:
    mp = MovementPolicy(checkin_interval_minutes=60)
    d, a = datetime(2025, 1, 1, 6), datetime(2025, 1, 1, 12)
    kw: dict[str, Any] = {
        "started_at": d,
        "planned_departure": d,
        "planned_arrival": a,
        "mp": mp,
    }
    assert overdue_reason(now=d + timedelta(minutes=59), last_checkin_at=None, **kw) is None
    assert "no check-in for 61 min" in str(
        overdue_reason(now=d + timedelta(minutes=61), last_checkin_at=None, **kw)
    )
    assert "past its planned arrival" in str(
        overdue_reason(now=a + timedelta(minutes=1), last_checkin_at=a, **kw)
    )


def test_the_movement_parameters_come_from_the_policy_file() -> None:
    base = load_policy()
    assert movement_policy(base) == MovementPolicy()
    custom = base.with_overrides(movements={"checkin_interval_minutes": 30})
    assert movement_policy(custom).checkin_interval_minutes == 30
    with pytest.raises(PolicyError, match="unknown key"):
        movement_policy(base.with_overrides(movements={"checkin_every": 30}))


def test_a_boards_routes_are_scored_on_one_read_of_the_incidents_as_each_on_its_own(
    demo: Session,
) -> None:
    """The board scores the routes of a quarter's departure days on surfaces over all of
    them, from one read of the incidents; the surface is local, so each level and score is
    the one the movement's page computes on the route's own surface."""
    later = {
        "planned_departure": DEPART + timedelta(days=2),
        "planned_arrival": ARRIVE + timedelta(days=2),
    }
    routes: list[dict[str, Any]] = [
        {},  # the Karakoram Highway
        {"route": None, "polyline": [[33.6844, 73.0479], [34.1688, 73.2215]]},
        {"route": None, "from_site": "Karot", "to_site": "Dasu Hydropower", **later},
        {**later},
    ]
    moves = [submitted(demo, **r) for r in routes]
    eo = user(demo, "escort_officer@ssd.example")
    board = [m for m in ms.list_movements(demo, user=eo) if m.id in {x.id for x in moves}]
    assert len(board) == 4 and all(ms.stored_level_for(m, eo) is None for m in board)
    assert len({m.planned_departure.date() for m in board}) == 2
    caches = (risk_cache.figure_surfaces, risk_cache.wide_surfaces, risk_cache.day_surfaces)
    for c in caches:
        c.clear()
    before = sum(c.builds for c in caches)
    levels = ms.levels_seen_by(demo, board, eo)
    assert sum(c.builds for c in caches) - before == 1  # one read and grid, not one per route
    assert ms.levels_seen_by(demo, board, eo) == levels  # and kept for the next load
    assert sum(c.builds for c in caches) - before == 1
    shared = routes_surfaces(
        demo,
        ms._viewer(eo),
        routes={
            day: [m.route_points for m in board if m.planned_departure.date() == day]
            for day in {m.planned_departure.date() for m in board}
        },
        policy=active_policy(demo),
    )
    for m in board:
        own = ms.risk_seen_by(demo, m, eo)  # the movement's page: the route's own surface
        assert levels[m.id] == own["level"]
        on_shared = ms.risk_seen_by(demo, m, eo, surface=shared[m.planned_departure.date()])
        assert on_shared["score"] == pytest.approx(own["score"], rel=1e-9, abs=1e-12)
        for key in ("max_threat", "mean_threat", "route_probabilities"):
            assert on_shared["details"][key] == pytest.approx(
                own["details"][key], rel=1e-9, abs=1e-12
            ), key
    assert {levels[m.id] for m in board} != {None}


def attacks_along_the_road(session: Session, tlp: str) -> list[Any]:
    """Twenty fatal clashes on the Karakoram Highway near Besham in the 80 days before
    2019-06-09 (a quiet stretch then), marked ``tlp``."""
    from tests.factories import create_incident

    return [
        create_incident(
            session,
            event_date=datetime(2019, 6, 9).date() - timedelta(days=1 + 4 * i),
            latitude=35.25 + 0.01 * (i % 5),
            longitude=73.0 + 0.01 * (i % 7),
            fatalities=3,
            source_key=f"{tlp.lower()}-{i}",
            tlp=tlp,
            event_type="Battles",
            sub_event_type="Armed clash",
        )
        for i in range(20)
    ]


def test_the_approvers_figure_is_shown_to_the_approvers_organisation_only(lite: Session) -> None:
    """SSD's escort officer approves, naming CTD Sindh as the escort, and decides on SSD's
    AMBER+STRICT record of attacks along the road (a route the requester rates low). Only SSD
    is shown the approval's figure; CTD Sindh, which may not read those records, is shown its
    own; the requester keeps its own issues (SSD's "armour required" said how SSD rates it)."""
    from safecorridor.accounts.models import Organisation, User
    from safecorridor.accounts.service import create_user

    ssd, ctd = (
        lite.scalars(select(Organisation).where(Organisation.short_name == name)).one()
        for name in ("SSD", "CTD Sindh")
    )
    for secret in attacks_along_the_road(lite, "AMBER+STRICT"):
        secret.owner_org_id = ssd.id
    ctd_officer: User = create_user(
        session=lite,
        email="escort_officer@ctd.example",
        organisation_id=ctd.id,
        role="escort_officer",
    )
    lite.commit()
    m = submitted(
        lite,
        datetime(2019, 6, 1, 8),
        planned_departure=datetime(2019, 6, 10, 2),
        planned_arrival=datetime(2019, 6, 10, 11),
        armoured_count=0,
    )
    assert m.risk_level == "low" and m.issues == []
    eo = user(lite, "escort_officer@ssd.example")
    ms.approve_movement(
        session=lite,
        movement_id=m.id,
        user=eo,
        escort=EscortAssignment(callsign="Indus-3", vehicles=4, organisation="CTD Sindh"),
        override_reason="armour joins at Besham",
        now=NOW,
    )
    lite.commit()
    assert m.escort_org_id == ctd.id and m.approval_risk_level not in (None, "low")
    assert m.issues == []  # the requester's own figure is low: nothing it does not meet

    theirs = ms.risk_seen_by(lite, m, eo)
    assert (theirs["seen_as"], theirs["level"]) == ("approval", m.approval_risk_level)
    assert ms.stored_level_for(m, eo) == m.approval_risk_level
    escort = ms.risk_seen_by(lite, m, ctd_officer)
    assert (escort["seen_as"], escort["level"]) == ("reader", "low")
    assert ms.stored_level_for(m, ctd_officer) is None
    assert ms.levels_seen_by(lite, [m], ctd_officer) == {m.id: "low"}  # the board: its own
    [approval] = [t for t in m.transitions if t.action == "approve"]
    assert "armour joins at Besham" in (approval.note or "")
    # SSD's other members still see the movement their officer approved (CTD escorts it now)
    ssd_analyst = create_user(
        session=lite, email="analyst@ssd.example", organisation_id=ssd.id, role="analyst"
    )
    assert m.id in [r.id for r in ms.list_movements(lite, user=ssd_analyst)]
    assert ms.stored_level_for(m, ssd_analyst) == m.approval_risk_level


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"planned_departure": NOW - timedelta(days=2), "planned_arrival": NOW},
            "field planned_departure: 2025-05-30 08:00 is past (now 2025-06-01 08:00 UTC)",
        ),
        (
            {
                "planned_departure": datetime(2125, 6, 10, 2),
                "planned_arrival": datetime(2125, 6, 10, 9),
            },
            "field planned_departure: 2125-06-10 is more than 366 days ahead",
        ),
        ({"planned_arrival": DEPART + timedelta(days=20)}, "a trip of 20 days"),
        (
            {"route": None, "polyline": [[35.0, 73.0], [35.0, 73.0]]},
            "field polyline: the route has no length",
        ),
        (
            {"route": None, "polyline": [[35.0, 73.0], [-35.0, -73.0]]},
            "a route of 16,9",
        ),
    ],
)
def test_a_plan_no_escort_could_run_is_refused_naming_the_field(
    lite: Session, overrides: dict[str, Any], message: str
) -> None:
    """Found by a new user: a departure six years past, one a century ahead, and routes of
    0 km and of 16,934 km were requested, approved and started."""
    before = lite.scalar(select(func.count()).select_from(Movement))
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        requested(lite, **overrides)
    lite.rollback()
    assert lite.scalar(select(func.count()).select_from(Movement)) == before
    # a departure earlier today (a request made on the road) and one 300 days ahead are fine
    for day in (NOW - timedelta(hours=5), NOW + timedelta(days=300)):
        m = requested(lite, planned_departure=day, planned_arrival=day + timedelta(hours=9))
        assert m.id is not None


@pytest.mark.parametrize(
    "address", ["falcon7", "falcon7@ssd.example\nBcc: all@x.example", "a b@c.de"]
)
def test_an_escort_contact_that_is_no_email_address_is_refused(address: str) -> None:
    """Alert mail goes to it when the movement is overdue: a line break would be a header."""
    with pytest.raises(ValueError, match="contact_email"):
        EscortAssignment(callsign="Falcon-7", vehicles=4, contact_email=address)
    assert EscortAssignment(callsign="F", vehicles=1, contact_email=" ").contact_email is None


def test_a_persons_red_grants_stay_out_of_the_figures_their_organisation_is_shown(
    lite: Session,
) -> None:
    """The stored request and approval figures are shown to every member of the requesting
    and the approving organisation: a RED record granted to the requester or the approver
    alone (here, attacks along a road that is otherwise quiet) counts in neither."""
    from safecorridor.accounts.service import create_user
    from safecorridor.sharing.service import grant_record

    sm, eo = user(lite, "site_manager@ctgsa.example"), user(lite, "escort_officer@ssd.example")
    for secret in attacks_along_the_road(lite, "RED"):
        lite.flush()
        for reader in (sm, eo):
            grant_record(
                session=lite,
                record_type="incident",
                record_id=secret.id,
                user_id=reader.id,
                granted_by="test",
                audited=False,
            )
    lite.commit()
    m = submitted(
        lite,
        datetime(2019, 6, 1, 8),
        planned_departure=datetime(2019, 6, 10, 2),
        planned_arrival=datetime(2019, 6, 10, 11),
        armoured_count=0,
    )
    # the requester's own view of the road counts the RED attacks ...
    mine = ms.assess(
        lite,
        reader=sm,
        points=m.route_points,
        name=KKH,
        route_id=m.route_id,
        as_of=datetime(2019, 6, 10).date(),
        policy=active_policy(lite),
    )
    assert mine["level"] != "low"
    # ... the stored figures, shown to the whole organisation, do not
    assert (m.risk_level, m.issues) == ("low", [])
    ms.approve_movement(
        session=lite, movement_id=m.id, user=eo, escort=ESCORT, now=datetime(2019, 6, 2, 8)
    )
    lite.commit()
    assert m.approval_risk_level == "low"
    colleague = create_user(
        session=lite,
        email="analyst@ctgsa.example",
        organisation_id=sm.organisation_id,
        role="analyst",
    )
    assert ms.risk_seen_by(lite, m, colleague)["level"] == "low"
