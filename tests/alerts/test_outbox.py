"""The transactional outbox: every confirmed incident reaches the new-incident rules once,
whatever the path that inserted it and however late its transaction commits, and every
rule x recipient x incident is delivered exactly once with two workers."""

from __future__ import annotations

import email
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from safecorridor.accounts.models import Organisation
from safecorridor.alerts import service as alerts_service
from safecorridor.alerts.channels import IDEMPOTENCY_HEADER, ChannelSettings
from safecorridor.alerts.models import Alert, AlertRule, Delivery, IncidentOutbox
from safecorridor.alerts.service import idempotency_key, outbox_pending
from safecorridor.alerts.worker import WorkerContext, step_deliveries, step_new_incidents
from safecorridor.db.bulk import bulk_insert
from safecorridor.db.engine import make_engine, migrate
from safecorridor.demo.loader import load_demo
from safecorridor.incidents.models import Incident
from safecorridor.movements.service import get_user
from safecorridor.registry.models import Site
from tests.alerts.conftest import Receiver, SmtpSink
from tests.conftest import _truncate
from tests.factories import create_incident

NOW = datetime(2025, 6, 1, 12, 0)


def karot(s: Session) -> Site:
    return s.scalars(select(Site).where(Site.name == "Karot Hydropower Project")).one()


@dataclass
class Rules:
    """CTGSA's 10 km rule (webhook and e-mail) and COPHC's foreign-fatalities rule (webhook)."""

    near: AlertRule
    foreign: AlertRule
    near_hook: Receiver
    foreign_hook: Receiver
    near_emails: list[str]

    def expected(self, incidents: list[tuple[int, bool, bool]]) -> Counter[str]:
        """The idempotency key of each rule x recipient x incident that must be delivered."""
        keys: Counter[str] = Counter()
        for inc_id, near, foreign in incidents:
            if near:
                alert_key = f"rule:{self.near.id}:incident:{inc_id}"
                keys[idempotency_key(alert_key, "webhook", self.near_hook.url)] += 1
                for address in self.near_emails:
                    keys[idempotency_key(alert_key, "email", address)] += 1
            if foreign:
                alert_key = f"rule:{self.foreign.id}:incident:{inc_id}"
                keys[idempotency_key(alert_key, "webhook", self.foreign_hook.url)] += 1
        return keys


@pytest.fixture
def rules(demo: Session, webhook_receiver: Callable[..., Receiver]) -> Rules:
    s = demo
    sm = get_user(s, "site_manager@ctgsa.example")
    near_hook = webhook_receiver(secret="near-secret")
    foreign_hook = webhook_receiver(secret="foreign-secret")
    near = alerts_service.add_rule(
        session=s,
        organisation_id=sm.organisation_id,
        kind="incident_near",
        params={"km": 10},
        channels=["email", "webhook"],
        emails=["security@ctgsa.example"],
        webhook_url=near_hook.url,
        webhook_secret="near-secret",
    )
    cophc = s.scalars(select(Organisation).where(Organisation.short_name == "COPHC")).one()
    foreign = alerts_service.add_rule(
        session=s,
        organisation_id=cophc.id,
        kind="foreign_fatalities",
        channels=["webhook"],
        webhook_url=foreign_hook.url,
        webhook_secret="foreign-secret",
    )
    s.commit()
    return Rules(
        near, foreign, near_hook, foreign_hook, ["security@ctgsa.example", sm.email.lower()]
    )


def new_incident(s: Session, key: str, *, near: bool, foreign: bool) -> Incident:
    site = karot(s)
    km = 5.0 if near else 60.0
    return create_incident(
        s,
        source_key=key,
        event_date=date(2025, 5, 31),
        latitude=site.latitude + km / 111.2,
        longitude=site.longitude,
        location="near Karot" if near else "far from Karot",
        admin1="Punjab",
        admin2="Rawalpindi",
        tlp="CLEAR",
        fatalities=2,
        foreign_fatalities=1 if foreign else None,
        foreign_nationality="Chinese" if foreign else None,
    )


def both(*calls: Callable[[], Any]) -> None:
    """Run the calls in threads started together; re-raise the first error."""
    barrier = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(fn: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            fn()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f,)) for f in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if errors:
        raise errors[0]


def work(ctx: WorkerContext) -> Callable[[], None]:
    def round_() -> None:
        step_new_incidents(ctx, NOW, batch=2)
        step_deliveries(ctx, NOW)

    return round_


def sent_keys(rules: Rules, smtp: SmtpSink) -> Counter[str]:
    keys = Counter(r["key"] for r in rules.near_hook.requests + rules.foreign_hook.requests)
    for envelope in smtp.messages:
        header = email.message_from_bytes(envelope.content)[IDEMPOTENCY_HEADER]
        keys["".join(str(header).split())] += 1  # unfolded
    return keys


_example = iter(range(10**6))

writers_st = st.lists(
    st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=3),
    min_size=2,
    max_size=3,
)


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(writers=writers_st, late=st.integers(min_value=0, max_value=2), rounds=st.integers(1, 2))
def test_every_rule_recipient_and_incident_is_delivered_exactly_once(
    engine: Engine,
    rules: Rules,
    channel_settings: ChannelSettings,
    smtp_sink: SmtpSink,
    writers: list[list[tuple[bool, bool]]],
    late: int,
    rounds: int,
) -> None:
    """Writers insert incidents concurrently; one of them (``late``) inserts first and
    commits last, after the others committed and two workers evaluated and delivered
    (on SQLite, where its write lock holds the others back, it commits after a pause).
    Then the workers drain the outbox: each expected delivery arrives exactly once."""
    late %= len(writers)
    run = next(_example)
    rules.near_hook.requests.clear()
    rules.foreign_hook.requests.clear()
    smtp_sink.messages.clear()
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    one = WorkerContext(engine=engine, settings=channel_settings, name="worker-1")
    two = WorkerContext(engine=engine, settings=channel_settings, name="worker-2")
    written: list[tuple[int, bool, bool]] = []
    guard = threading.Lock()

    def write(w: int, s: Session) -> None:
        for j, (near, foreign) in enumerate(writers[w]):
            inc = new_incident(s, f"prop-{run}-{w}-{j}", near=near, foreign=foreign)
            with guard:
                written.append((inc.id, near, foreign))

    late_session = factory()
    write(late, late_session)  # flushed, not committed: the lowest ids of this example
    late_ids = {i for i, _, _ in written}
    others_done = threading.Event()

    def others() -> None:
        def writer(w: int) -> Callable[[], None]:
            def go() -> None:
                with factory() as s:
                    write(w, s)
                    s.commit()

            return go

        both(*(writer(w) for w in range(len(writers)) if w != late))
        for _ in range(rounds):
            both(work(one), work(two))
        others_done.set()

    t = threading.Thread(target=others)
    t.start()
    is_pg = engine.dialect.name == "postgresql"
    # PostgreSQL: wait until the others committed and were evaluated; SQLite: they wait for
    # this transaction's write lock, so commit after a pause
    assert others_done.wait(30 if is_pg else 0.3) or not is_pg
    if is_pg:  # the later ids were evaluated while the late ones were still invisible
        with factory() as s:
            evaluated = s.scalars(
                select(IncidentOutbox.incident_id).where(IncidentOutbox.processed_at.is_not(None))
            ).all()
            assert max(evaluated) > max(late_ids)
            assert not late_ids & set(evaluated)
    late_session.commit()
    late_session.close()
    t.join(60)
    assert not t.is_alive()
    for _ in range(3):
        both(work(one), work(two))

    assert sent_keys(rules, smtp_sink) == rules.expected(written)
    with factory() as s:
        assert outbox_pending(s) == 0
        ids = [i for i, _, _ in written]
        alerts = s.scalars(select(Alert).where(Alert.subject_id.in_(ids))).all()
        assert len(alerts) == sum(n for _, n, _ in written) + sum(f for _, _, f in written)
        states = s.scalars(
            select(Delivery.state).where(Delivery.alert_id.in_([a.id for a in alerts]))
        ).all()
        assert set(states) <= {"delivered"}


@pytest.fixture
def pg_world(
    pg_engine: Engine, request: pytest.FixtureRequest
) -> Iterator[tuple[Engine, Session, int]]:
    """The test PostgreSQL schema, emptied, with the demo world and a CTGSA 10 km rule."""
    _truncate(pg_engine)
    s = Session(pg_engine, expire_on_commit=False)
    load_demo(s)
    sm = get_user(s, "site_manager@ctgsa.example")
    rule = alerts_service.add_rule(
        session=s, organisation_id=sm.organisation_id, kind="incident_near", params={"km": 10}
    )
    s.commit()
    yield pg_engine, s, rule.id
    s.close()
    _truncate(pg_engine)


@pytest.mark.postgres
def test_a_lower_id_committed_late_is_still_alerted_on_postgresql(
    pg_world: tuple[Engine, Session, int], channel_settings: ChannelSettings
) -> None:
    """The case "highest id seen" missed: id n+1 commits and is evaluated while id n's
    transaction is still open."""
    engine, s, rule_id = pg_world
    ctx = WorkerContext(engine=engine, settings=channel_settings, name="w")
    step_new_incidents(ctx, NOW)
    early = Session(engine, expire_on_commit=False)
    low = new_incident(early, "late-low", near=True, foreign=False)  # not committed yet
    high = new_incident(s, "early-high", near=True, foreign=False)
    s.commit()
    assert low.id < high.id
    assert step_new_incidents(ctx, NOW) == 1
    early.commit()
    early.close()
    assert step_new_incidents(ctx, NOW) == 1
    keys = set(s.scalars(select(Alert.key).where(Alert.rule_id == rule_id)))
    assert keys == {f"rule:{rule_id}:incident:{low.id}", f"rule:{rule_id}:incident:{high.id}"}


def test_every_path_that_inserts_a_confirmed_incident_queues_it(
    demo: Session, rules: Rules
) -> None:
    """The trigger fills the outbox in the inserting transaction: ORM and bulk (COPY on
    PostgreSQL) inserts, a status turned back to confirmed; a rollback leaves nothing."""
    s = demo
    before = int(s.scalar(select(func.max(IncidentOutbox.id))) or 0)
    orm = new_incident(s, "path-orm", near=True, foreign=False)
    s.rollback()
    assert int(s.scalar(select(func.max(IncidentOutbox.id))) or 0) == before
    orm = new_incident(s, "path-orm", near=True, foreign=False)
    row = {
        c.name: getattr(orm, c.key)
        for c in Incident.__table__.columns
        if c.name != "id" and hasattr(orm, c.key)
    }
    bulk_insert(s, Incident.__table__, [{**row, "source_key": "path-bulk"}])  # type: ignore[arg-type]
    retracted = new_incident(s, "path-retracted", near=True, foreign=False)
    s.execute(text("UPDATE incidents SET status = 'retracted' WHERE id = :i"), {"i": retracted.id})
    s.execute(text("UPDATE incidents SET status = 'confirmed' WHERE id = :i"), {"i": retracted.id})
    s.commit()
    bulk_id = s.scalar(select(Incident.id).where(Incident.source_key == "path-bulk"))
    queued = s.scalars(
        select(IncidentOutbox.incident_id)
        .where(IncidentOutbox.id > before)
        .order_by(IncidentOutbox.id)
    ).all()
    assert queued == [orm.id, bulk_id, retracted.id, retracted.id]


def test_the_upgrade_keeps_each_rules_place(tmp_path: Any) -> None:
    """Migration 0014 queues what some rule had not evaluated and moves each cursor from
    "highest incident id" to "last event": a rule hears of exactly the incidents after its
    old cursor."""
    eng = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(eng, "0011")
    with Session(eng) as s:
        org = Organisation(name="Org", short_name="ORG")
        s.add(org)
        s.flush()
        # no actors: the current model's actor row does not fit the old table
        ids = [
            create_incident(s, source_key=f"old-{i}", actor1=None, claimed_by=None).id
            for i in range(4)
        ]
        for cursor, kind in ((ids[1], "foreign_fatalities"), (ids[2], "foreign_fatalities")):
            s.add(AlertRule(organisation_id=org.id, name=kind, kind=kind, params={}, cursor=cursor))
        s.commit()
    migrate(eng)
    ctx = WorkerContext(engine=eng, settings=ChannelSettings(), name="w")
    step_new_incidents(ctx, NOW)
    with Session(eng) as s:
        heard = {(a.rule_id, a.subject_id) for a in s.scalars(select(Alert).order_by(Alert.id))}
        first, second = s.scalars(select(AlertRule.id).order_by(AlertRule.id)).all()
    assert heard == {(first, ids[2]), (first, ids[3]), (second, ids[3])}
    eng.dispose()


def test_an_incident_widened_to_a_rules_organisation_reaches_the_rule(
    demo: Session, rules: Rules
) -> None:
    """SSD's AMBER+STRICT incident near Karot with a foreign death is no business of CTGSA's
    or COPHC's rules; once SSD marks it GREEN they may read it, and their rules hear of it
    (the outbox was filled only when an incident was confirmed, so they never did). A change
    that widens nothing, or a second evaluation, makes no new alert."""
    s = demo
    ssd = s.scalars(select(Organisation).where(Organisation.short_name == "SSD")).one()
    inc = new_incident(s, "widened", near=True, foreign=True)
    inc.tlp, inc.owner_org_id = "AMBER+STRICT", ssd.id
    s.commit()

    def alerted() -> set[int | None]:
        return set(
            s.scalars(
                select(Alert.rule_id).where(
                    Alert.subject_type == "incident", Alert.subject_id == inc.id
                )
            ).all()
        ) - {None}

    alerts_service.evaluate_incident_rules(s, now=NOW)
    s.commit()
    assert alerted() == set()
    s.execute(text("UPDATE incidents SET tlp = 'GREEN' WHERE id = :i"), {"i": inc.id})
    s.commit()
    alerts_service.evaluate_incident_rules(s, now=NOW)
    s.commit()
    assert alerted() == {rules.near.id, rules.foreign.id}
    before = int(s.scalar(select(func.max(IncidentOutbox.id))) or 0)
    s.execute(text("UPDATE incidents SET tlp = 'GREEN', notes = 'x' WHERE id = :i"), {"i": inc.id})
    s.commit()
    assert int(s.scalar(select(func.max(IncidentOutbox.id))) or 0) == before  # nothing widened


def test_a_new_partner_hears_of_the_amber_incidents_it_may_now_read(
    demo: Session, rules: Rules
) -> None:
    """SSD's AMBER incident near Karot is read by SSD's partners only; once SSD lists CTGSA
    as a partner, CTGSA may read it, and its rule near Karot hears of it (nothing queued it
    before). Listing the partner again queues nothing more."""
    s = demo
    ssd = s.scalars(select(Organisation).where(Organisation.short_name == "SSD")).one()
    ctgsa = s.get_one(Organisation, rules.near.organisation_id)
    inc = new_incident(s, "amber-of-ssd", near=True, foreign=False)
    inc.tlp, inc.owner_org_id = "AMBER", ssd.id
    s.commit()
    ssd.partners = [p for p in ssd.partners if p.id != ctgsa.id]
    s.commit()
    alerts_service.evaluate_incident_rules(s, now=NOW)
    s.commit()
    key = f"rule:{rules.near.id}:incident:{inc.id}"
    assert s.scalar(select(Alert.id).where(Alert.key == key)) is None
    ssd.partners = [*ssd.partners, ctgsa]
    s.commit()
    alerts_service.evaluate_incident_rules(s, now=NOW)
    s.commit()
    assert s.scalar(select(Alert.id).where(Alert.key == key)) is not None
    before = int(s.scalar(select(func.max(IncidentOutbox.id))) or 0)
    ssd.partners = list(ssd.partners)  # the same list again: no row inserted
    s.commit()
    assert int(s.scalar(select(func.max(IncidentOutbox.id))) or 0) == before
