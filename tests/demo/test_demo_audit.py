"""The demo load puts every record it writes into the audit chain, in its transaction: a
marking changed in a table afterwards is named by `safecorridor audit verify`, and the writes
that follow a load (the worker's overdue marking, the CLI's changes) keep the chain and the
rows in agreement."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast

from sqlalchemy import Engine, Table, func, select, text
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation, User
from safecorridor.demo import DEMO_DATASET, load_demo
from safecorridor.incidents.models import Incident
from safecorridor.jwg import service as jwg
from safecorridor.jwg.choices import ActionStatus
from safecorridor.jwg.models import ActionItem, Meeting
from safecorridor.jwg.schemas import ActionChange
from safecorridor.registry.measures import MeasureChangeIn, MeasureState, ProtectiveMeasure
from safecorridor.registry.measures import change_state as change_measure_state
from safecorridor.registry.models import Route, Site
from safecorridor.sharing.audit.state import last_audited_states, verify_states
from safecorridor.sharing.audit.verify import verify_all
from safecorridor.sharing.models import AuditEvent
from tests.ingestion.conftest import invoke

#: the load's clock: after the 9th meeting, before its open items fall due (2023-03-31,
#: 2023-06-30)
LOADED_AT = datetime(2023, 1, 15, 9, 0, tzinfo=UTC)
AUDITED = (Organisation, User, Site, Route, Incident, Meeting, ActionItem, ProtectiveMeasure)


def _loaded(engine: Engine) -> None:
    with Session(engine) as s:
        load_demo(s, now=LOADED_AT)
        s.commit()


def _event_count(engine: Engine) -> int:
    with Session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_every_record_of_the_demo_has_its_state_in_the_chain(engine: Engine) -> None:
    _loaded(engine)
    with Session(engine) as s:
        audited = last_audited_states(s)
        for model in AUDITED:
            table = cast(Table, model.__table__).name
            ids = set(s.scalars(select(model.id)))
            assert ids, table
            assert ids <= {i for t, i in audited if t == table}, table
        keys = set(
            s.scalars(select(Incident.source_key).where(Incident.source_dataset == DEMO_DATASET))
        )
        assert len(keys) >= 15
    report = verify_all(engine)
    assert report.is_intact, report
    # a second load writes nothing, so it appends nothing
    before = _event_count(engine)
    _loaded(engine)
    assert _event_count(engine) == before
    assert verify_all(engine).is_intact


def test_a_marking_changed_in_a_demo_table_is_named_by_verify(engine: Engine) -> None:
    _loaded(engine)
    with Session(engine) as s:
        incident = s.scalars(
            select(Incident).where(Incident.source_dataset == DEMO_DATASET).order_by(Incident.id)
        ).first()
        site = s.scalars(select(Site).order_by(Site.id)).first()
        item = s.scalars(select(ActionItem).order_by(ActionItem.id)).first()
        assert incident is not None and site is not None and item is not None
        audited = last_audited_states(s)
        last = {
            "incident": audited[(Incident.__tablename__, incident.id)].event_id,
            "site": audited[(Site.__tablename__, site.id)].event_id,
            "action_item": audited[(ActionItem.__tablename__, item.id)].event_id,
        }
        ids = {"incident": incident.id, "site": site.id, "action_item": item.id}
        marks = {"incident": incident.tlp, "site": site.tlp, "action_item": item.tlp}
    assert verify_states(engine) == []
    with engine.begin() as conn:  # what the services never do
        for kind, table in (
            ("incident", Incident.__tablename__),
            ("site", Site.__tablename__),
            ("action_item", ActionItem.__tablename__),
        ):
            conn.execute(
                text(f"UPDATE {table} SET tlp = :t WHERE id = :id"),
                {"t": "RED" if marks[kind] != "RED" else "CLEAR", "id": ids[kind]},
            )
    assert sorted(verify_states(engine)) == sorted(
        f"{kind} {ids[kind]} differs from its last audited state (event {last[kind]}): "
        "field tlp changed outside the audited services"
        for kind in ids
    )
    code, out = invoke("audit", "verify")
    assert code == 1
    for kind in ids:
        assert f"{kind} {ids[kind]} differs" in out, out
    assert "audit log chain intact" in out


def test_the_workers_overdue_marking_and_trusted_changes_are_audited(engine: Engine) -> None:
    """Demo items that fall due after the load are marked overdue by the worker; the CLI
    changes items and measures without a signed-in reader: each is an audited write, so
    `audit verify` still finds every row as its last audited state."""
    _loaded(engine)
    later = date(2023, 7, 1)
    with Session(engine) as s, s.begin():
        due = jwg.due_overdue_actions(s, today=later)
        assert len(due) == 2  # the open and the in-progress item of the 9th meeting
        for action_id in due:
            assert jwg.mark_overdue(
                session=s, action_id=action_id, today=later, now=datetime(2023, 7, 1, 6, 0)
            )
    with Session(engine) as s:
        overdue = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "overdue").order_by(AuditEvent.id)
        ).all()
        assert [(e.record_id, e.actor) for e in overdue] == [(i, "worker") for i in due]
    assert verify_states(engine) == []
    # what `actions update` and `measures state` do: no viewer, a named actor
    with Session(engine) as s, s.begin():
        item = jwg.update_action(
            session=s,
            action_id=due[0],
            change=ActionChange(status=ActionStatus.IN_PROGRESS, note="resumed"),
            viewer=None,
            today=later,
            actor="cli",
        )
        assert item.status == ActionStatus.IN_PROGRESS
        measure = s.scalars(
            select(ProtectiveMeasure)
            .where(ProtectiveMeasure.state == MeasureState.IN_PLACE)
            .order_by(ProtectiveMeasure.id)
        ).first()
        assert measure is not None
        change_measure_state(
            session=s,
            measure_id=measure.id,
            change=MeasureChangeIn(state=MeasureState.LAPSED, effective_on=later),
            viewer=None,
            today=later,
            actor="cli",
        )
        measure_id = measure.id
    with Session(engine) as s:
        cli = s.execute(
            select(AuditEvent.record_type, AuditEvent.record_id)
            .where(AuditEvent.actor == "cli", AuditEvent.action == "update")
            .order_by(AuditEvent.id)
        ).all()
    assert [tuple(r) for r in cli] == [("action_item", due[0]), ("measure", measure_id)]
    report = verify_all(engine)
    assert report.is_intact, report
