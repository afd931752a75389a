"""Registering and removing a feed are audited with its state (its token only as whether one is
set). A feed poll writes one audit event per document it creates (its state and content hash, the
feed, the run, the candidate), in the poll's transaction: the chain verifies, and a document
whose marking is changed in its table afterwards is named by `safecorridor audit verify`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation
from safecorridor.db.session import session_scope
from safecorridor.interop.feeds import add_feed, poll_due_feeds, poll_feed
from safecorridor.interop.models import FeedRun
from safecorridor.review.models import Candidate
from safecorridor.sharing.audit.chain import values_field_digests
from safecorridor.sharing.audit.state import verify_states
from safecorridor.sharing.audit.verify import verify_all
from safecorridor.sharing.models import AuditEvent
from safecorridor.sources.models import Document
from tests.ingestion.conftest import invoke
from tests.interop.conftest import PARTNER_MISP

POLLED_AT = datetime(2024, 3, 4, 8, 0, tzinfo=UTC)


def _poll_events(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(
            s.scalars(
                select(AuditEvent).where(AuditEvent.action == "feed-poll").order_by(AuditEvent.id)
            )
        )


def _misp_feed(engine: Engine, path: Path) -> int:
    path.write_bytes(PARTNER_MISP.read_bytes())
    with session_scope(engine) as s:
        feed = add_feed(s, kind="misp-json", url=str(path), default_tlp="AMBER", name="partner")
        feed.next_poll_at = POLLED_AT.replace(tzinfo=None)  # due at the test's clock
        return feed.id


def test_a_poll_audits_each_document_it_creates(engine: Engine, tmp_path: Path) -> None:
    feed_id = _misp_feed(engine, tmp_path / "events.json")
    result = poll_feed(engine, feed_id, now=POLLED_AT, force=True)
    assert result is not None and result.status == "ok" and result.candidates == 2, result
    with Session(engine) as s:
        docs = {d.id: d for d in s.scalars(select(Document))}
        made = {c.document_id: c.id for c in s.scalars(select(Candidate))}
        (run,) = s.scalars(select(FeedRun)).all()
    events = _poll_events(engine)
    assert len(docs) == 2 and sorted(cast(int, e.record_id) for e in events) == sorted(docs)
    for e in events:
        assert e.record_id is not None
        doc = docs[e.record_id]
        assert (e.record_type, e.actor) == ("document", "feed:partner")
        assert e.details["sha256"] == doc.sha256  # the content hash of what arrived
        assert (e.details["feed"], e.details["feed_run"]) == (feed_id, run.id)
        assert e.details["candidates"] == [made[doc.id]]
        assert e.details["table"] == "documents" and "tlp" in e.details["fields"]
    report = verify_all(engine)
    assert report.is_intact, report

    # the next poll finds nothing new: no document, no event
    again = poll_feed(engine, feed_id, now=POLLED_AT + timedelta(hours=2), force=True)
    assert again is not None and (again.status, again.candidates) == ("ok", 0)
    assert len(_poll_events(engine)) == 2

    # a document's marking lowered in the table is named, with the poll's event
    amber = next(e for e in events if docs[e.record_id or 0].tlp == "AMBER")
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE documents SET tlp = 'CLEAR' WHERE id = :id"), {"id": amber.record_id}
        )
    assert verify_states(engine) == [
        f"document {amber.record_id} differs from its last audited state (event {amber.id}): "
        "field tlp changed outside the audited services"
    ]
    code, out = invoke("audit", "verify")
    assert code == 1 and f"document {amber.record_id} differs" in out, out


def test_the_workers_poll_and_the_cli_poll_are_audited_alike(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "events.json"
    first = _misp_feed(engine, path)
    (result,) = poll_due_feeds(engine, now=POLLED_AT)  # the worker's step
    assert result.candidates == 2
    with session_scope(engine) as s:
        org = Organisation(name="Port Police")
        s.add(org)
        s.flush()
        # the same file for another organisation: its documents are its own
        second = add_feed(s, kind="misp-json", url=str(path), name="ours", owner_org_id=org.id).id
    code, out = invoke("feeds", "poll", "ours")  # `safecorridor feeds poll`
    assert code == 0 and "2 new candidates" in out, out
    events = _poll_events(engine)
    assert [(e.details["feed"], e.actor) for e in events] == [
        (first, "feed:partner"),
        (first, "feed:partner"),
        (second, "feed:ours"),
        (second, "feed:ours"),
    ]
    with Session(engine) as s:
        assert sorted(cast(int, e.record_id) for e in events) == sorted(
            s.scalars(select(Document.id))
        )
    assert verify_all(engine).is_intact


SECRET = "partner-secret-token-6c1f"


def _feed_events(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(
            s.scalars(
                select(AuditEvent).where(AuditEvent.record_type == "feed").order_by(AuditEvent.id)
            )
        )


def test_registering_and_removing_a_feed_are_audited_without_its_token(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "events.json"
    path.write_bytes(PARTNER_MISP.read_bytes())
    with session_scope(engine) as s:
        org = Organisation(name="Port Police")
        s.add(org)
    code, out = invoke(
        "feeds", "add", "misp-json", str(path), "--name", "coastal", "--token", SECRET,
        "--org", "Port Police", "--tlp", "amber", "--reliability", "b", "--every", "600",
    )  # fmt: skip
    assert code == 0 and "'coastal' registered" in out, out
    (added,) = _feed_events(engine)
    assert (added.action, added.actor) == ("create", "cli")
    with Session(engine) as s:
        org_id = s.scalars(select(Organisation.id)).one()
    assert {k: v for k, v in added.details.items() if k not in ("table", "fields")} == {
        "name": "coastal",
        "kind": "misp-json",
        "url": str(path.resolve()),
        "collection": None,
        "owner_org_id": org_id,
        "default_tlp": "AMBER",
        "reliability": "B",
        "interval_seconds": 600,
        "token_set": True,
    }
    assert added.details["table"] == "feeds" and "url" in added.details["fields"]
    # neither the token nor a digest of it is kept: the state has whether one is set
    with engine.connect() as conn:
        dumped = " ".join(
            str(v) for row in conn.execute(text("SELECT * FROM audit_events")) for v in row
        )
    assert SECRET not in dumped
    assert added.details["fields"]["token"] == values_field_digests({"token": True})["token"]
    assert verify_all(engine).is_intact

    # a poll moves the feed's bookmark and schedule on: not a change outside the services
    result = poll_feed(engine, added.record_id or 0, now=POLLED_AT, force=True)
    assert result is not None and result.status == "ok" and result.candidates == 2, result
    assert verify_all(engine).is_intact

    # its URL pointed elsewhere in the table is named
    with engine.begin() as conn:
        conn.execute(text("UPDATE feeds SET url = 'https://attacker.example/x.json'"))
    assert verify_states(engine) == [
        f"feed {added.record_id} differs from its last audited state (event {added.id}): "
        "field url changed outside the audited services"
    ]
    with engine.begin() as conn:
        conn.execute(text("UPDATE feeds SET url = :u"), {"u": str(path.resolve())})

    code, out = invoke("feeds", "remove", "coastal")
    assert code == 0 and f"feed #{added.record_id} 'coastal' removed" in out, out
    _, removed = _feed_events(engine)
    assert (removed.action, removed.actor, removed.record_id) == ("delete", "cli", added.record_id)
    assert removed.details["name"] == "coastal" and removed.details["token_set"] is True
    assert verify_all(engine).is_intact  # gone, as its last event says
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Candidate)) == 2  # the queue stays


def test_removing_an_unknown_feed_says_so_and_writes_nothing(engine: Engine) -> None:
    code, out = invoke("feeds", "remove", "nowhere")
    assert code == 1 and "no feed 'nowhere'" in out and "Traceback" not in out, out
    assert _feed_events(engine) == []


def test_a_refused_registration_writes_no_event(engine: Engine, tmp_path: Path) -> None:
    code, out = invoke("feeds", "add", "misp-json", str(tmp_path / "nope.json"))
    assert code == 1 and "no such file" in out, out
    assert _feed_events(engine) == []


def test_a_secret_in_a_feeds_url_stays_out_of_the_audit_trail(engine: Engine) -> None:
    # (a user name or password in a feed's URL is refused before this: net.check_url)
    url = "https://misp.example.org/events.json?authkey=k3y-value&format=json"
    with session_scope(engine) as s:
        add_feed(s, kind="misp-json", url=url, name="keyed", actor="cli")
    (added,) = _feed_events(engine)
    assert added.details["url"] == ("https://misp.example.org/events.json?authkey=***&format=***")
    with engine.connect() as conn:
        dumped = " ".join(
            str(v) for row in conn.execute(text("SELECT * FROM audit_events")) for v in row
        )
    assert "k3y-value" not in dumped
    assert verify_all(engine).is_intact
