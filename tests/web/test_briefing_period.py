"""The briefing page refuses a period that starts after today (the app clock's) as the API
does: the same status, the same message naming ``period_from``; no pack is built."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from safecorridor.app import create_app
from safecorridor.clock import FixedClock
from safecorridor.jwg.models import BriefingPack
from tests.web.conftest import csrf_of, sign_in

HX = {"HX-Request": "true"}


def test_the_briefing_page_and_the_api_refuse_a_future_period_alike(demo: Engine) -> None:
    clock = FixedClock(datetime(2024, 6, 1, 9, 0, tzinfo=UTC))
    client = sign_in(TestClient(create_app(clock=clock)), "analyst")
    csrf = {"X-CSRF-Token": csrf_of(client)}
    period = {"period_from": "2027-01-01", "period_to": "2027-02-01"}
    api = client.post("/api/v1/briefings", json=period, headers=csrf)
    page = client.post("/briefing", data=period, headers={**HX, **csrf})
    assert api.status_code == page.status_code == 422, api.text
    detail = api.json()["detail"]
    assert detail.startswith("field period_from: 2027-01-01 is after today (2024-06-01)")
    assert str(escape(detail)) in page.text
    with Session(demo) as s:
        assert s.scalar(select(func.count()).select_from(BriefingPack)) == 0
