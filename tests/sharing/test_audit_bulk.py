"""The audit chain's bulk path (bulk imports, the demo loader, feed polls): many records'
written states chained at once, in the writing transaction, exactly as one `audit_write`
each would chain them."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation
from safecorridor.incidents.models import Incident
from safecorridor.incidents.schemas import IncidentCreate
from safecorridor.incidents.service import create_incident
from safecorridor.sharing.audit import (
    audit_objects,
    audit_write,
    record_state,
    state_hash,
    written_rows,
)
from safecorridor.sharing.audit.chain import (
    canonical_json,
    event_hash,
    field_digests,
    keyed_event_hash,
    row_state,
    values_field_digests,
)
from safecorridor.sharing.audit.state import verify_states
from safecorridor.sharing.audit.verify import verify_all
from safecorridor.sharing.models import AuditEvent

KEY = bytes(range(32))
AT = datetime(2024, 5, 6, 7, 8, 9, 123456)


@pytest.mark.parametrize(
    ("actor", "record_id", "user_id", "details"),
    [
        ("import", 7, None, {"table": "incidents", "fields": {"tlp": "0123456789abcdef"}}),
        ('feed:"quoted" \\ back', None, 12, {}),
        ("行动者 é\n\t\x01", 2**62, 0, {"z": [1.5, None, True], "a": {"ü": "\u2028"}, "n": 1e-05}),
    ],
)
def test_the_batch_hash_is_the_single_events_hash(
    actor: str, record_id: int | None, user_id: int | None, details: dict[str, object]
) -> None:
    fields = {
        "prev_hash": "ab" * 32,
        "occurred_at": AT,
        "user_id": user_id,
        "actor": actor,
        "action": "import",
        "record_type": "incident",
        "record_id": record_id,
        "state_hash": "cd" * 32,
    }
    expected = event_hash(key=KEY, details=details, **fields)  # type: ignore[arg-type]
    got = keyed_event_hash(key=KEY, details_json=canonical_json(details), **fields)  # type: ignore[arg-type]
    assert got == expected
    # and it depends on every field: a different actor is a different hash
    other = keyed_event_hash(
        key=KEY,
        details_json=canonical_json(details),
        **{**fields, "actor": actor + "x"},  # type: ignore[arg-type]
    )
    assert other != expected


def _incidents(session: Session, n: int) -> list[Incident]:
    out = []
    for i in range(n):
        out.append(
            create_incident(
                session=session,
                incident_in=IncidentCreate.model_validate(
                    {
                        "event_date": "2024-03-26",
                        "event_type": "Explosions/Remote violence",
                        "latitude": 34.93 + i / 100,
                        "longitude": 72.876,
                        "location": f"Besham {i}",
                        "fatalities": i,
                        "tlp": "AMBER" if i % 2 else "GREEN",
                        "source_dataset": "test",
                        "source_key": f"k{i}",
                        "extra": {"n": i, "note": "ü"},
                    }
                ),
                changed_by="test",
            )
        )
    session.flush()
    return out


def test_a_row_read_back_has_the_state_of_its_orm_object(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        ids = [i.id for i in _incidents(s, 3)]
    table = Incident.__table__
    with Session(engine) as s:
        result = s.execute(select(table).where(table.c.id.in_(ids)).order_by(table.c.id))
        columns = list(result.keys())
        rows = [dict(zip(columns, r, strict=True)) for r in result]
        objs = list(s.scalars(select(Incident).where(Incident.id.in_(ids)).order_by(Incident.id)))
        states = written_rows(Incident, rows)
        for obj, row, st in zip(objs, rows, states, strict=True):
            assert row_state(Incident, row) == record_state(obj)
            assert st.record_id == obj.id and st.table == "incidents"
            assert values_field_digests(st.values, {}) == field_digests(obj)


def test_many_states_chained_at_once_verify_as_single_writes_do(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        objs = _incidents(s, 5)
        audit_write(session=s, viewer=None, action="create", obj=objs[0], actor="test")
        assert audit_objects(session=s, viewer=None, action="import", objs=objs, actor="t") == 5
        ids = [o.id for o in objs]
        single = {o.id: state_hash(o) for o in objs}
    with Session(engine) as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [(e.action, e.record_id) for e in events] == [("create", ids[0])] + [
        ("import", i) for i in ids
    ]
    assert all(e.state_hash == single[e.record_id or 0] for e in events)
    assert events[0].details == events[1].details  # the same digests as audit_write's
    report = verify_all(engine)
    assert report.is_intact, report
    with engine.begin() as conn:
        conn.execute(text("UPDATE incidents SET tlp = 'CLEAR' WHERE id = :id"), {"id": ids[3]})
    assert verify_states(engine) == [
        f"incident {ids[3]} differs from its last audited state (event {events[4].id}): "
        "field tlp changed outside the audited services"
    ]


def test_chaining_before_any_write_takes_the_lock_first(engine: Engine) -> None:
    """A transaction that has written nothing yet takes the chain's lock before it reads the
    chain's head (SQLite: BEGIN IMMEDIATE), so the events follow the last one."""
    with Session(engine) as s, s.begin():
        org = Organisation(name="Port Police")
        s.add(org)
        s.flush()
        audit_write(session=s, viewer=None, action="create", obj=org, actor="test")
    with Session(engine) as s, s.begin():
        org = s.scalars(select(Organisation)).one()
        assert audit_objects(session=s, viewer=None, action="update", objs=[org]) == 1
        assert audit_objects(session=s, viewer=None, action="update", objs=[]) == 0
    with Session(engine) as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [e.actor for e in events] == ["test", "system"]
    assert events[1].prev_hash == events[0].hash
    assert verify_all(engine).is_intact
