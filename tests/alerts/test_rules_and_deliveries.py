"""Alert rules fire once per event, rule and recipient, even with two workers; deliveries
retry with back-off, are idempotent and end in the dead-letter list."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from safecorridor.alerts import service as alerts_service
from safecorridor.alerts.channels import ChannelSettings, sign, verify
from safecorridor.alerts.models import Alert, Delivery, IncidentOutbox, Notification
from safecorridor.alerts.worker import (
    WorkerContext,
    backoff,
    run_step,
    step_deliveries,
    step_new_incidents,
)
from safecorridor.db.session import reset_engine
from safecorridor.movements.service import get_user
from safecorridor.registry.models import Site
from tests.alerts.conftest import Receiver, SmtpSink
from tests.factories import create_incident
from tests.world import demo_copy

NOW = datetime(2025, 6, 1, 12, 0)


def count(s: Session, model: Any) -> int:
    return int(s.scalar(select(func.count()).select_from(model)) or 0)


def karot(s: Session) -> Site:
    return s.scalars(select(Site).where(Site.name == "Karot Hydropower Project")).one()


def incident_near_karot(s: Session, km: float = 5.0, **kw: Any) -> Any:
    site = karot(s)
    inc = create_incident(
        s,
        event_date=datetime(2025, 5, 31).date(),
        latitude=site.latitude + km / 111.2,
        longitude=site.longitude,
        location="near Karot",
        admin1="Punjab",
        admin2="Rawalpindi",
        **kw,
    )
    s.commit()
    return inc


def alert_near_karot(s: Session, ctx: WorkerContext, **rule: Any) -> None:
    """A 10 km incident_near rule of CTGSA's (``rule``: its channels), an incident 5 km from
    Karot, and the worker step that turns it into an alert and its deliveries."""
    sm = get_user(s, "site_manager@ctgsa.example")
    alerts_service.add_rule(
        session=s,
        organisation_id=sm.organisation_id,
        kind="incident_near",
        params={"km": 10},
        **rule,
    )
    s.commit()
    incident_near_karot(s)
    step_new_incidents(ctx, NOW)


def concurrently(*calls: Callable[[], Any]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i: int, fn: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[i] = fn()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_an_incident_5_km_from_a_site_alerts_once_even_with_two_workers(
    demo: Session,
    engine: Engine,
    channel_settings: ChannelSettings,
    smtp_sink: SmtpSink,
    webhook_receiver: Callable[..., Receiver],
) -> None:
    s = demo
    sm = get_user(s, "site_manager@ctgsa.example")
    hook = webhook_receiver(secret="ctgsa-secret")
    rule = alerts_service.add_rule(
        session=s,
        organisation_id=sm.organisation_id,
        kind="incident_near",
        name="Near our sites",
        params={"km": 10},
        channels=["in_app", "email", "webhook"],
        emails=["security@ctgsa.example"],
        webhook_url=hook.url,
        webhook_secret="ctgsa-secret",
    )
    s.commit()
    incident_near_karot(s, 25)  # too far: no alert
    inc = incident_near_karot(s, 5)
    one = WorkerContext(engine=engine, settings=channel_settings, name="worker-1")
    two = WorkerContext(engine=engine, settings=channel_settings, name="worker-2")

    made = concurrently(lambda: step_new_incidents(one, NOW), lambda: step_new_incidents(two, NOW))
    assert sorted(made) == [0, 1]
    # and interleaved, again: nothing new
    assert step_new_incidents(two, NOW) == 0 and step_new_incidents(one, NOW) == 0

    s.expire_all()
    (alert,) = s.scalars(select(Alert)).all()
    assert alert.rule_id == rule.id and alert.subject_id == inc.id
    assert "5.0 km from site Karot Hydropower Project" in alert.title
    assert count(s, Notification) == 1  # CTGSA's one member, in-app
    deliveries = s.scalars(select(Delivery).order_by(Delivery.channel, Delivery.recipient)).all()
    assert [(d.channel, d.recipient) for d in deliveries] == [
        ("email", "security@ctgsa.example"),
        ("email", "site_manager@ctgsa.example"),
        ("webhook", hook.url),
    ]
    # both incidents' outbox events were evaluated (once), none is left pending
    events = s.scalars(select(IncidentOutbox).order_by(IncidentOutbox.id)).all()
    assert [e.incident_id for e in events][-1] == inc.id
    assert all(e.processed_at == NOW and e.attempts == 0 for e in events)
    assert alerts_service.outbox_pending(s) == 0

    sent = concurrently(lambda: step_deliveries(one, NOW), lambda: step_deliveries(two, NOW))
    assert sum(sent) == 3
    assert len(smtp_sink.to("site_manager@ctgsa.example")) == 1
    assert len(smtp_sink.to("security@ctgsa.example")) == 1
    assert len(hook.requests) == 1 and hook.requests[0]["verified"]
    assert step_deliveries(one, NOW + timedelta(hours=1)) == 0


def test_two_rules_of_one_organisation_each_alert(lite: Session, lite_ctx: WorkerContext) -> None:
    sm = get_user(lite, "site_manager@ctgsa.example")
    for km in (10, 20):
        alerts_service.add_rule(
            session=lite,
            organisation_id=sm.organisation_id,
            kind="incident_near",
            params={"km": km},
        )
    alerts_service.add_rule(
        session=lite, organisation_id=sm.organisation_id, kind="foreign_fatalities"
    )
    lite.commit()
    incident_near_karot(lite, 5, foreign_fatalities=2, fatalities=3)
    incident_near_karot(lite, 15, foreign_fatalities=None)
    assert run_step(lite_ctx, "new_incidents", now=NOW).found == 4
    lite.expire_all()
    titles = sorted(a.title for a in lite.scalars(select(Alert)))
    assert sum("km from site Karot" in t for t in titles) == 3
    assert sum("2 Chinese national(s) killed" in t for t in titles) == 1


def test_a_route_counts_as_near_along_its_whole_length(
    lite: Session, lite_ctx: WorkerContext
) -> None:
    jwg = get_user(lite, "admin@jwg.example")  # the JWG owns the demo routes
    alerts_service.add_rule(
        session=lite, organisation_id=jwg.organisation_id, kind="incident_near", params={"km": 3}
    )
    lite.commit()
    # between Chilas and Raikot Bridge on the Karakoram Highway, 2 km off the road
    create_incident(lite, latitude=35.45 + 2 / 111.2, longitude=74.34, location="KKH")
    lite.commit()
    assert run_step(lite_ctx, "new_incidents", now=NOW).found == 1
    lite.expire_all()
    (alert,) = lite.scalars(select(Alert)).all()
    assert "route Karakoram Highway (Islamabad–Khunjerab)" in alert.title


def test_a_receiver_that_fails_twice_then_succeeds_gets_the_alert_once(
    lite: Session,
    lite_ctx: WorkerContext,
    webhook_receiver: Callable[..., Receiver],
) -> None:
    hook = webhook_receiver(secret="k", fail_first=2)
    alert_near_karot(lite, lite_ctx, channels=["webhook"], webhook_url=hook.url, webhook_secret="k")
    t = NOW
    assert step_deliveries(lite_ctx, t) == 1  # attempt 1: HTTP 500
    assert step_deliveries(lite_ctx, t + timedelta(seconds=59)) == 0  # not due yet
    t += timedelta(seconds=60)
    assert step_deliveries(lite_ctx, t) == 1  # attempt 2: HTTP 500, next in 120 s
    lite.expire_all()
    (d,) = lite.scalars(select(Delivery)).all()
    assert (d.state, d.attempts, d.response_code) == ("retrying", 2, 500)
    assert d.next_attempt_at == t + timedelta(seconds=120)
    t += timedelta(seconds=120)
    assert step_deliveries(lite_ctx, t) == 1  # attempt 3: 200
    assert step_deliveries(lite_ctx, t + timedelta(days=1)) == 0
    lite.expire_all()
    d = lite.scalars(select(Delivery)).one()
    assert (d.state, d.attempts, d.delivered_at) == ("delivered", 3, t)
    assert [r["key"] for r in hook.requests] == [d.idempotency_key] * 3
    assert all(r["verified"] for r in hook.requests)
    assert list(hook.processed) == [d.idempotency_key]


def test_a_receiver_that_always_fails_ends_in_the_dead_letter_list(
    lite: Session,
    lite_ctx: WorkerContext,
    webhook_receiver: Callable[..., Receiver],
) -> None:
    hook = webhook_receiver(secret="k", always_fail=True)
    alert_near_karot(lite, lite_ctx, channels=["webhook"], webhook_url=hook.url, webhook_secret="k")
    t = NOW
    for _ in range(10):
        step_deliveries(lite_ctx, t)
        t += timedelta(hours=2)
    lite.expire_all()
    (dead,) = alerts_service.list_deliveries(lite, state="dead")
    assert dead.attempts == 4 and "HTTP 500" in (dead.last_error or "")
    assert len(hook.requests) == 4
    assert hook.processed == {}


def test_an_unreachable_smtp_server_is_retried(lite: Session, tmp_path: Path) -> None:
    settings = ChannelSettings(smtp_port=1, smtp_timeout=1, delivery_max_attempts=2)
    ctx = WorkerContext(engine=lite.get_bind(), settings=settings)  # type: ignore[arg-type]
    alert_near_karot(lite, ctx, channels=["email"])
    step_deliveries(ctx, NOW)
    lite.expire_all()
    d = lite.scalars(select(Delivery)).one()
    assert d.state == "retrying" and "SMTP 127.0.0.1:1" in (d.last_error or "")


def test_back_off_doubles_and_is_capped() -> None:
    st = ChannelSettings(delivery_retry_base_seconds=60, delivery_retry_max_seconds=300)
    assert [backoff(st, n).total_seconds() for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 300, 300]


def test_a_signature_verifies_only_with_the_secret_and_within_the_window() -> None:
    body = b'{"a":1}'
    sig = sign("secret", 1_700_000_000, body)
    assert verify("secret", timestamp="1700000000", body=body, signature=sig, now=1_700_000_100)
    assert not verify("other", timestamp="1700000000", body=body, signature=sig, now=1_700_000_100)
    assert not verify(
        "secret", timestamp="1700000000", body=b'{"a":2}', signature=sig, now=1_700_000_100
    )
    assert not verify("secret", timestamp="1700000000", body=body, signature=sig, now=1_700_000_400)


def test_a_risk_level_rise_alerts_once(lite: Session, lite_ctx: WorkerContext) -> None:
    sm = get_user(lite, "site_manager@ctgsa.example")
    alerts_service.add_rule(session=lite, organisation_id=sm.organisation_id, kind="risk_rising")
    lite.commit()
    quiet = datetime(2019, 6, 1)
    assert run_step(lite_ctx, "risk_levels", now=quiet).found == 0  # first look: records
    for i in range(3):
        create_incident(
            lite,
            event_date=datetime(2019, 6, 2).date(),
            location=f"Karot camp {i}",
            latitude=karot(lite).latitude + 0.01,
            longitude=karot(lite).longitude,
            fatalities=10,
            foreign_fatalities=5,
        )
    lite.commit()
    assert run_step(lite_ctx, "risk_levels", now=quiet + timedelta(days=2)).found == 1
    assert run_step(lite_ctx, "risk_levels", now=quiet + timedelta(days=2)).found == 0
    lite.expire_all()
    (alert,) = lite.scalars(select(Alert)).all()
    assert "site Karot Hydropower Project: risk rose from" in alert.title


def test_a_review_backlog_alerts_once_a_day(lite: Session, lite_ctx: WorkerContext) -> None:
    from safecorridor.review.models import Candidate
    from safecorridor.sources.models import Document

    admin = get_user(lite, "admin@jwg.example")
    alerts_service.add_rule(
        session=lite,
        organisation_id=admin.organisation_id,
        kind="review_backlog",
        params={"hours": 24},
    )
    doc = Document(
        title="report",
        text="text",
        sha256="0" * 64,
    )
    lite.add(doc)
    lite.flush()
    lite.add(
        Candidate(
            document_id=doc.id,
            kind="attack",
            extractor="rules",
            extractor_version="1",
            created_at=NOW - timedelta(hours=30),
        )
    )
    lite.commit()
    assert run_step(lite_ctx, "review_backlog", now=NOW - timedelta(hours=10)).found == 0
    assert run_step(lite_ctx, "review_backlog", now=NOW).found == 1
    assert run_step(lite_ctx, "review_backlog", now=NOW + timedelta(hours=1)).found == 0
    lite.expire_all()
    (alert,) = lite.scalars(select(Alert)).all()
    assert "1 candidate(s) awaiting review for over 24 h" in alert.title
    assert alerts_service.unread_count(lite, admin) == 1


def test_rules_refuse_what_they_cannot_do(lite: Session) -> None:
    org = get_user(lite, "site_manager@ctgsa.example").organisation_id
    with pytest.raises(alerts_service.AlertRuleError, match="needs km"):
        alerts_service.add_rule(session=lite, organisation_id=org, kind="incident_near")
    with pytest.raises(alerts_service.AlertRuleError, match="unknown rule kind"):
        alerts_service.add_rule(session=lite, organisation_id=org, kind="sunspots")
    with pytest.raises(alerts_service.AlertRuleError, match="webhook URL"):
        alerts_service.add_rule(
            session=lite, organisation_id=org, kind="foreign_fatalities", channels=["webhook"]
        )
    rule = alerts_service.add_rule(
        session=lite,
        organisation_id=org,
        kind="foreign_fatalities",
        channels=["webhook"],
        webhook_url="https://example.org/hook",
    )
    assert rule.webhook_secret and len(rule.webhook_secret) == 64


def test_a_worker_step_that_fails_is_recorded_with_its_error(
    lite: Session, lite_ctx: WorkerContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safecorridor.alerts import worker

    def boom(ctx: WorkerContext, now: datetime) -> int:
        raise RuntimeError("database on fire")

    monkeypatch.setitem(worker.STEPS, "new_incidents", boom)
    run = run_step(lite_ctx, "new_incidents", now=NOW)
    assert run.status == "error" and "database on fire" in (run.error or "")


@pytest.fixture
def lite(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    eng = demo_copy(tmp_path_factory.getbasetemp(), tmp_path / "lite.db")
    reset_engine(eng)
    with sessionmaker(bind=eng, expire_on_commit=False)() as s:
        yield s
    eng.dispose()


@pytest.fixture
def lite_ctx(lite: Session, tmp_path: Path) -> WorkerContext:
    settings = ChannelSettings(delivery_max_attempts=4, delivery_retry_base_seconds=60)
    return WorkerContext(engine=lite.get_bind(), settings=settings, name="lite")  # type: ignore[arg-type]


def test_the_smtp_password_is_read_from_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "smtp_password"
    secret.write_text("s3cret from a file\n")
    monkeypatch.setenv("SAFECORRIDOR_SMTP_PASSWORD_FILE", str(secret))
    assert ChannelSettings().smtp_password == "s3cret from a file"
    monkeypatch.setenv("SAFECORRIDOR_SMTP_PASSWORD", "from the environment")
    assert ChannelSettings().smtp_password == "from the environment"
