"""An e-mail or webhook goes out when the worker sends it, which may be after its subject
was re-marked: its title and figures are the subject's content, so each is checked again then,
a person's against what they may read, an address against what its organisation may read."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import Organisation
from safecorridor.alerts import service as alerts
from safecorridor.alerts.models import Delivery
from safecorridor.alerts.worker import WorkerContext, run_step
from tests.alerts.conftest import SmtpSink
from tests.factories import create_incident

NOW = datetime(2025, 6, 1, 8, 0)


def test_a_delivery_whose_subject_was_re_marked_is_not_sent(
    demo: Session, ctx: WorkerContext, smtp_sink: SmtpSink
) -> None:
    s = demo
    ssd = s.scalars(select(Organisation).where(Organisation.short_name == "SSD")).one()
    analyst = next(u for u in alerts.members(s, ssd.id) if u.email.startswith("escort_officer"))
    incidents = []
    for n in range(2):
        incident = create_incident(
            s,
            event_date=date(2025, 5, 30),
            latitude=35.0,
            longitude=73.0,
            source_key=f"recheck-{n}",
            tlp="AMBER",
            notes="Attack on the crew bus at the quarry gate",
        )
        incident.owner_org_id = ssd.id
        incidents.append(incident)
    s.flush()
    for incident in incidents:
        r = alerts.Recipients()
        r.add_users([analyst], in_app=True, email=True)
        r.add_email("ops-room@ssd.example")
        made = alerts.create_alert(
            s,
            key=f"test:{incident.id}",
            organisation_id=ssd.id,
            kind="incident_near",
            title=f"Incident {incident.id}: attack on the crew bus",
            recipients=r,
            subject_type="incident",
            subject_id=incident.id,
            now=NOW,
        )
        assert made is not None
    # the second is made RED (read by its named readers only; nobody is named) before sending
    incidents[1].tlp = "RED"
    s.commit()

    assert run_step(ctx, "deliveries", now=NOW).found == 4
    sent = smtp_sink.to(analyst.email) + smtp_sink.to("ops-room@ssd.example")
    assert len(sent) == 2  # the first alert, to the person and to the address
    assert all(f"Incident {incidents[0].id}" in m for m in sent)
    assert not any(f"Incident {incidents[1].id}" in m for m in sent)
    s.expire_all()
    held = s.scalars(
        select(Delivery).join(Delivery.alert).where(Delivery.alert.has(subject_id=incidents[1].id))
    ).all()
    assert len(held) == 2
    assert {d.state for d in held} == {"dead"}
    assert all("no longer shared" in (d.last_error or "") for d in held)
