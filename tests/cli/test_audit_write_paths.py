"""Every write path appends audit events, through the CLI as through the API: imports, ingest,
review decisions (by hand and automatic), alert rules. And `audit verify` then still passes:
the rows are what their last audited writes say."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation
from safecorridor.alerts.service import add_rule
from safecorridor.review.models import Candidate
from safecorridor.sharing.audit.state import verify_states
from safecorridor.sharing.models import AuditEvent
from safecorridor.sources.ingest import IngestOptions, ingest
from safecorridor.sources.models import ImportRun
from tests.conftest import SEED_REPORT
from tests.ingestion.conftest import invoke
from tests.sources.conftest import write_acled


def _events(engine: Engine, **where: object) -> list[AuditEvent]:
    with Session(engine) as s:
        q = select(AuditEvent).order_by(AuditEvent.id)
        for name, value in where.items():
            q = q.where(getattr(AuditEvent, name) == value)
        return list(s.scalars(q))


def _verified() -> None:
    code, out = invoke("audit", "verify")
    assert code == 0, out


def test_a_cli_import_is_audited_per_batch_per_update_and_at_its_end(
    engine: Engine, tmp_path: Path
) -> None:
    path = write_acled(tmp_path / "acled.csv")
    code, out = invoke("import", "acled", str(path))
    assert code == 0, out
    with Session(engine) as s:
        run = s.scalars(select(ImportRun)).one()
    batch, end = _events(engine, record_type="import_run")
    assert (batch.action, batch.record_id, batch.actor) == ("import", run.id, "import")
    assert batch.details["new"] == 3 and len(batch.details["new_ids"]) == 3
    assert (end.action, end.record_id) == ("finished", run.id)
    _verified()
    # a second run that changes one row: that incident's new state is audited
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[1][rows[0].index("fatalities")] = "99"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    code, out = invoke("import", "acled", str(path))
    assert code == 0 and "0 new, 1 updated" in out, out
    (reimport,) = _events(engine, action="reimport")
    assert reimport.record_type == "incident" and reimport.details["fields"]
    _verified()


def test_cli_ingest_is_audited(engine: Engine) -> None:
    code, out = invoke("ingest", str(SEED_REPORT), "--published", "2022-09-12")
    assert code == 0, out
    (event,) = _events(engine, record_type="ingest_run")
    assert event.action == "ingest" and event.details["new"] == 1
    assert event.details["candidates"] == 4 and len(event.details["documents"]) == 1
    _verified()


def test_cli_review_decisions_and_auto_accept_are_audited(engine: Engine) -> None:
    ingest(
        engine=engine,
        sources=[str(SEED_REPORT)],
        options=IngestOptions(published=date(2022, 9, 12)),
    )
    with Session(engine) as s:
        by_kind = {c.kind: c.id for c in s.scalars(select(Candidate))}
    code, out = invoke(
        "review", "reject", str(by_kind["other"]), "--reason", "not an event", "--reviewer", "ana"
    )
    assert code == 0, out
    (reject,) = _events(engine, action="reject")
    assert (reject.record_type, reject.record_id) == ("candidate", by_kind["other"])
    assert reject.actor == "ana"  # the reviewer named, never a default
    code, out = invoke("review", "accept", str(by_kind["suicide_attack"]), "--reviewer", "bo")
    assert code == 0, out
    accepted = _events(engine, action="accepted")
    assert [e.record_id for e in accepted] == [by_kind["suicide_attack"]]
    assert {e.actor for e in accepted} == {"bo"}
    assert len(_events(engine, action="review")) == 1
    code, out = invoke("review", "auto", "--min-confidence", "0.5")
    assert code == 0, out
    auto = _events(engine, actor="auto-accept")
    assert auto and {e.record_type for e in auto} == {"incident", "candidate"}
    _verified()


def test_an_alert_rule_is_audited_and_its_cursor_is_bookkeeping(
    engine: Engine, session: Session
) -> None:
    org = Organisation(name="Corridor Security", short_name="CS")
    session.add(org)
    session.flush()
    rule = add_rule(
        session=session,
        organisation_id=org.id,
        kind="review_backlog",
        params={"hours": 24},
        created_by="cli",
    )
    session.commit()
    (event,) = _events(engine, record_type="alert_rule")
    assert (event.action, event.record_id, event.actor) == ("create", rule.id, "cli")
    with engine.begin() as conn:  # what the worker does between audited writes
        conn.execute(text("UPDATE alert_rules SET cursor = cursor + 7, revision = revision + 1"))
    assert verify_states(engine) == []
    with engine.begin() as conn:  # what nobody may do unaudited
        conn.execute(text("UPDATE alert_rules SET emails = '[\"x@evil.example\"]'"))
    (problem,) = verify_states(engine)
    assert f"alert_rule {rule.id} differs" in problem and "field emails changed" in problem
