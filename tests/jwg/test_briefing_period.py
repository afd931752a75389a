"""A briefing pack over days still to come is refused, by the app clock's today.

The probe: ``POST /api/v1/briefings`` for 2027-01-01..2027-02-01 answered 201 with an empty
pack. The schema cannot know "today" (the app's clock is injected), so the service checks it
for every face (API, web, CLI, worker) and names the field.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from safecorridor.alerts.worker import WorkerContext, run_step
from safecorridor.app import create_app
from safecorridor.clock import FixedClock
from safecorridor.errors import InvalidInputError
from safecorridor.jwg import briefing
from safecorridor.jwg import service as jwg
from safecorridor.jwg.models import BriefingPack
from safecorridor.jwg.schemas import MeetingCreate, period_begun
from safecorridor.sharing.models import AuditEvent
from tests.jwg.conftest import JwgWorld

NOW = datetime(2024, 7, 10, 9, 0, tzinfo=UTC)


def _packs(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(BriefingPack)) or 0)


def test_a_period_that_starts_after_today_is_refused_naming_the_field(
    engine: Engine, jwg_world: JwgWorld
) -> None:
    client = TestClient(create_app(clock=FixedClock(NOW)))
    h = jwg_world.headers("agency_admin")
    for period in (
        ("2027-01-01", "2027-02-01"),  # the probe's
        ("2024-07-11", "2024-07-31"),  # from tomorrow
    ):
        body = {"period_from": period[0], "period_to": period[1]}
        r = client.post("/api/v1/briefings", json=body, headers=h)
        assert r.status_code == 422, r.text
        problem = r.json()
        assert problem["detail"].startswith(f"field period_from: {period[0]} is after today")
        assert "(2024-07-10)" in problem["detail"]
        assert [e["loc"] for e in problem["errors"]] == [["period_from"]]
    assert _packs(engine) == 0
    with Session(engine) as s:
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "briefing")).all() == []
    # a period that starts today (or before) and runs on is built as before
    r = client.post(
        "/api/v1/briefings",
        json={"period_from": "2024-07-10", "period_to": "2024-08-10"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    assert _packs(engine) == 1


def test_the_service_refuses_it_for_every_caller(session: Session, jwg_world: JwgWorld) -> None:
    """The CLI and the worker call the service too: the refusal is the service's."""
    with pytest.raises(InvalidInputError, match="period_from: 2024-07-11 is after today"):
        briefing.build_pack(
            session,
            organisation_id=jwg_world.agency,
            period_from=date(2024, 7, 11),
            period_to=date(2024, 7, 12),
            built_by="cli",
            now=NOW,
            with_pdf=False,
        )
    assert period_begun(date(2024, 7, 10), today=date(2024, 7, 10)) == date(2024, 7, 10)


def test_the_worker_builds_no_pack_of_the_future_when_the_last_meeting_is_ahead_too(
    engine: Engine, session: Session, jwg_world: JwgWorld, jwg_ctx: WorkerContext
) -> None:
    """Two meetings of a series within the days before: the second's "since the last
    meeting" would start after today; its pack starts today instead (and the step runs)."""
    w = jwg_world
    for number, held_on in ((10, "2024-07-12"), (11, "2024-07-15")):
        jwg.create_meeting(
            session=session,
            meeting_in=MeetingCreate.model_validate(
                {
                    "number": number,
                    "held_on": held_on,
                    "delegations": [{"organisation": w.agency}],
                }
            ),
            viewer=None,
            owner_org_id=w.secretariat,
        )
    session.commit()
    run = run_step(jwg_ctx, "briefings", now=datetime(2024, 7, 10, 5, 0))
    assert run.status == "ok", run.error
    assert run.found == 2
    with Session(engine) as s:
        periods = sorted((p.period_from, p.period_to) for p in s.scalars(select(BriefingPack)))
    today = date(2024, 7, 10)
    # the 10th: the 90 days before; the 11th: from today (the 10th is still ahead)
    assert periods == [(date(2024, 4, 11), date(2024, 7, 9)), (today, today)]
