"""Between rounds the worker polls for new outbox events and due deliveries, so a new
incident's webhook does not wait for the next round (issue 17: article to webhook < 5 s)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safecorridor.alerts import service as alerts_service
from safecorridor.alerts.models import IncidentOutbox, WorkerRun
from safecorridor.alerts.worker import URGENT_STEPS, Worker, WorkerContext, has_urgent_work
from safecorridor.clock import FixedClock
from safecorridor.incidents.models import Incident
from safecorridor.movements.service import get_user
from safecorridor.registry.models import Site
from tests.alerts.conftest import Receiver
from tests.factories import create_incident

NOW = datetime(2025, 6, 1, 12, 0)
STRETCH_DAY = date(2025, 6, 1)


def near_karot(s: Session, key: str) -> Incident:
    site = s.scalars(select(Site).where(Site.name == "Karot Hydropower Project")).one()
    incident = create_incident(
        s,
        source_key=key,
        event_date=date(2025, 5, 31),
        latitude=site.latitude + 4 / 111.2,
        longitude=site.longitude,
        location="a road camp 4 km north of the dam",
        admin1="Punjab",
        admin2="Rawalpindi",
        tlp="CLEAR",
        fatalities=1,
        foreign_fatalities=None,
        foreign_nationality=None,
    )
    s.commit()
    return incident


@pytest.fixture
def hook(demo: Session, webhook_receiver: Callable[..., Receiver]) -> Receiver:
    receiver = webhook_receiver(secret="poll-secret")
    sm = get_user(demo, "site_manager@ctgsa.example")
    alerts_service.add_rule(
        session=demo,
        organisation_id=sm.organisation_id,
        kind="incident_near",
        params={"km": 10},
        channels=["webhook"],
        webhook_url=receiver.url,
        webhook_secret="poll-secret",
    )
    demo.commit()
    return receiver


def runs_of(s: Session, step: str) -> int:
    return int(s.scalar(select(func.count()).where(WorkerRun.step == step)) or 0)


def test_a_poll_runs_nothing_without_work_and_delivers_a_new_incident_at_once(
    demo: Session, ctx: WorkerContext, hook: Receiver
) -> None:
    worker = Worker(ctx, interval=3600, poll=1)
    worker.poll_once(NOW)  # the demo world's own incidents: evaluated (no rule hears them)
    assert not has_urgent_work(ctx, NOW)
    assert worker.poll_once(NOW) == {}
    assert runs_of(demo, "new_incidents") == 1  # an idle poll records no run

    incident = near_karot(demo, "poll-1")
    assert has_urgent_work(ctx, NOW)
    runs = worker.poll_once(NOW)
    assert tuple(runs) == URGENT_STEPS
    assert runs["new_incidents"].found == 1 and runs["deliveries"].found == 1
    (body,) = hook.processed.values()
    assert body["alert"]["subject_id"] == incident.id
    assert [r["verified"] for r in hook.requests] == [True]
    assert worker.poll_once(NOW) == {} and not has_urgent_work(ctx, NOW)
    assert runs_of(demo, "overdue_movements") == 0  # no round ran


def test_an_event_whose_evaluation_failed_waits_for_the_round(
    demo: Session, ctx: WorkerContext, hook: Receiver
) -> None:
    worker = Worker(ctx, interval=3600, poll=1)
    worker.poll_once(NOW)
    near_karot(demo, "poll-failed")
    event = demo.scalars(select(IncidentOutbox).where(IncidentOutbox.processed_at.is_(None))).one()
    event.attempts = 1  # as a failed evaluation leaves it
    demo.commit()
    assert not has_urgent_work(ctx, NOW) and worker.poll_once(NOW) == {}
    assert worker.tick(NOW)["new_incidents"].found == 1  # the round takes it
    assert len(hook.processed) == 1


def test_the_loop_delivers_between_rounds(
    demo: Session, ctx: WorkerContext, hook: Receiver
) -> None:
    """An hour between rounds, a poll every 50 ms: the incident, added after the first round,
    is delivered by a poll (the real methods, wrapped only to say when they have run)."""
    worker = Worker(ctx, interval=3600, poll=0.05, clock=FixedClock(NOW.replace(tzinfo=UTC)))
    ticked, delivered = threading.Event(), threading.Event()
    tick, handle = worker.tick, hook.handle

    def tick_and_signal(now: datetime | None = None) -> dict[str, WorkerRun]:
        runs = tick(now)
        ticked.set()
        return runs

    def handle_and_signal(headers: object, body: bytes) -> int:
        code = handle(headers, body)
        delivered.set()
        return code

    worker.tick = tick_and_signal  # type: ignore[method-assign]
    hook.handle = handle_and_signal  # type: ignore[method-assign]
    loop = threading.Thread(target=worker.run)
    loop.start()
    try:
        assert ticked.wait(120), "the loop's first round did not finish"
        incident = near_karot(demo, "poll-loop")
        assert delivered.wait(60), "no webhook from the polling loop"
    finally:
        worker.shutdown.set()
        loop.join(60)
    assert not loop.is_alive()
    (body,) = hook.processed.values()
    assert body["alert"]["subject_id"] == incident.id
    demo.expire_all()
    assert runs_of(demo, "overdue_movements") == 1  # one round only: a poll delivered it
    assert runs_of(demo, "new_incidents") >= 2


def test_the_worker_refuses_a_nonsense_interval_or_poll(ctx: WorkerContext) -> None:
    with pytest.raises(ValueError, match="interval must be > 0"):
        Worker(ctx, interval=0)
    with pytest.raises(ValueError, match="poll >= 0"):
        Worker(ctx, poll=-1)
