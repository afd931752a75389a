"""A movement along the Karakoram Highway from request to escalation, on a controlled clock:
the escort unit gets an e-mail (local SMTP server) and a signed webhook (local receiver),
and the administrator gets the escalation after the further interval."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import User
from safecorridor.alerts import service as alerts_service
from safecorridor.alerts.models import Alert, Delivery, WorkerRun
from safecorridor.alerts.worker import WorkerContext, run_once, run_step
from safecorridor.movements import service as ms
from safecorridor.movements.models import MovementTransition
from safecorridor.movements.schemas import EscortAssignment, MovementCreate
from tests.alerts.conftest import Receiver, SmtpSink

KKH = "Karakoram Highway (Islamabad–Khunjerab)"
DEPART = datetime(2025, 6, 10, 2, 0)
#: the violent stretch of the Karakoram Highway the fixtures add ends the day before departure
STRETCH_DAY = DEPART.date()
ARRIVE = datetime(2025, 6, 10, 11, 0)


def test_a_movement_that_misses_its_check_in_alerts_the_escort_then_the_admin(
    demo: Session,
    ctx: WorkerContext,
    smtp_sink: SmtpSink,
    webhook_receiver: Callable[..., Receiver],
) -> None:
    s = demo
    sm = ms.get_user(s, "site_manager@ctgsa.example")
    eo = ms.get_user(s, "escort_officer@ssd.example")
    admin = ms.get_user(s, "admin@jwg.example")
    hook = webhook_receiver(secret="ssd-ops-secret")
    alerts_service.add_rule(
        session=s,
        organisation_id=eo.organisation_id,
        kind="movement_overdue",
        name="SSD ops room",
        channels=["webhook"],
        webhook_url=hook.url,
        webhook_secret="ssd-ops-secret",
    )
    # requested, its risk computed as of the departure, submitted, approved with an escort
    m = ms.request_movement(
        session=s,
        user=sm,
        movement_in=MovementCreate(
            purpose="Crew rotation",
            headcount={"CN": 4, "PK": 2},
            route=KKH,
            vehicle_count=2,
            armoured_count=2,
            planned_departure=DEPART,
            planned_arrival=ARRIVE,
        ),
        now=datetime(2025, 6, 1, 9),
    )
    assert (m.risk_level, m.required_measures["escort_vehicles"]) == ("severe", 4)
    ms.submit_movement(session=s, movement_id=m.id, user=sm, now=datetime(2025, 6, 1, 9, 5))
    ms.approve_movement(
        session=s,
        movement_id=m.id,
        user=eo,
        escort=EscortAssignment(
            callsign="Falcon-7", vehicles=4, contact_email="falcon7@ssd.example"
        ),
        now=datetime(2025, 6, 2, 10),
    )
    ms.start_movement(session=s, movement_id=m.id, user=sm, now=DEPART)
    ms.check_in(
        session=s,
        movement_id=m.id,
        user=eo,
        latitude=33.9946,
        longitude=72.9106,
        note="Haripur, all well",
        now=DEPART + timedelta(minutes=50),
    )
    s.commit()

    # 40 min after the check-in: nothing to do
    runs = run_once(ctx, now=DEPART + timedelta(minutes=90))
    assert runs["overdue_movements"].found == 0
    s.expire_all()
    assert ms.get_movement(s, m.id).state == "under_way"

    # the next check-in (due 60 min after the last) is missed: overdue, escort alerted
    t1 = DEPART + timedelta(minutes=111)
    runs = run_once(ctx, now=t1)
    assert runs["overdue_movements"].found == 1
    assert runs["deliveries"].found == 3  # e-mail to Falcon-7, to the escort officer; webhook
    s.expire_all()
    m = ms.get_movement(s, m.id)
    assert m.state == "overdue" and m.escalation_level == 1 and m.overdue_since == t1

    mails = smtp_sink.to("falcon7@ssd.example")
    assert len(mails) == 1
    assert "OVERDUE" in mails[0] and "Falcon-7" in mails[0] and "no check-in for 61 min" in mails[0]
    assert len(smtp_sink.to("escort_officer@ssd.example")) == 1
    assert [r["verified"] for r in hook.requests] == [True]
    (body,) = hook.processed.values()
    assert body["alert"]["payload"]["movement_id"] == m.id
    assert body["alert"]["payload"]["escort"] == "Falcon-7"
    assert alerts_service.unread_count(s, eo) == 1
    # the escort unit reads it in full: the movement is its to escort, though the requesting
    # company is no partner of its agency (the marking rule alone would withhold it)
    (seen,) = alerts_service.inbox_entries(s, eo)
    assert not isinstance(seen.alert, alerts_service.WithheldAlert)
    assert "OVERDUE" in seen.alert.title and seen.alert.payload["headcount"] == {"CN": 4, "PK": 2}
    assert alerts_service.unread_count(s, admin) == 0
    assert smtp_sink.to("admin@jwg.example") == []

    # 19 min later: not yet escalated
    runs = run_once(ctx, now=t1 + timedelta(minutes=19))
    assert runs["overdue_movements"].found == 0

    # after the further interval (30 min): the admin gets the escalation
    runs = run_once(ctx, now=t1 + timedelta(minutes=31))
    assert runs["overdue_movements"].found == 1
    assert runs["deliveries"].found == 1
    admin_mail = smtp_sink.to("admin@jwg.example")
    assert len(admin_mail) == 1 and "ESCALATION" in admin_mail[0]
    assert alerts_service.unread_count(s, admin) == 1
    (note,) = alerts_service.inbox(s, admin)
    assert note.alert.subject_id == m.id

    # nothing more is sent however often the worker runs
    for minutes in (40, 60, 120):
        run_once(ctx, now=t1 + timedelta(minutes=minutes))
    assert len(smtp_sink.messages) == 3 and len(hook.requests) == 1

    # the admin acknowledges; the unread count drops and the acknowledgement is kept
    alert = alerts_service.acknowledge(
        s, alert_id=note.alert_id, user=admin, now=t1 + timedelta(hours=1)
    )
    s.commit()
    assert alerts_service.unread_count(s, admin) == 0
    assert alert.acknowledged_by_id == admin.id
    # another organisation's user gets the answer an alert that does not exist gets: the
    # refusal tells nothing of which ids other organisations' alerts have
    outsider = s.scalars(select(User).where(User.email == "researcher@iri.example")).one()
    refusals = []
    for ident in (note.alert_id, 10**9):
        with pytest.raises(alerts_service.AcknowledgeError) as exc:
            alerts_service.acknowledge(s, alert_id=ident, user=outsider)
        refusals.append(str(exc.value).replace(str(ident), "N"))
    assert refusals[0] == refusals[1] == "no alert N for researcher@iri.example"

    s.expire_all()
    history = s.scalars(
        select(MovementTransition.action)
        .where(MovementTransition.movement_id == m.id)
        .order_by(MovementTransition.id)
    ).all()
    assert list(history) == [
        "request",
        "submit",
        "approve",
        "start",
        "mark_overdue",
        "escalate",
    ]
    assert s.scalar(select(Alert.id).where(Alert.key.like("%:admin")))
    assert all(d.state == "delivered" for d in s.scalars(select(Delivery)))
    recorded = s.scalars(select(WorkerRun).where(WorkerRun.step == "overdue_movements")).all()
    assert len(recorded) == 7 and all(r.status == "ok" and r.finished_at for r in recorded)
    assert [r.found for r in recorded] == [0, 1, 0, 1, 0, 0, 0]

    # a late check-in before the planned arrival brings it back under way
    ms.check_in(
        session=s, movement_id=m.id, user=sm, note="radio was down", now=t1 + timedelta(hours=2)
    )
    s.commit()
    assert ms.get_movement(s, m.id).state == "under_way"
    assert ms.get_movement(s, m.id).escalation_level == 0
    assert run_step(ctx, "overdue_movements", now=t1 + timedelta(hours=2, minutes=5)).found == 0
