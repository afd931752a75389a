"""A small JWG world for the tests, in our own words: a secretariat, an agency that owns a
project site (it lists the secretariat as a partner, and the secretariat lists it), an outsider;
a user of each role that matters; incidents near the site, one of them AMBER+STRICT of the
secretariat (which the agency may not read). Real local SMTP from the alert tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from safecorridor.accounts.models import Organisation
from safecorridor.accounts.service import create_token, create_user
from safecorridor.alerts.channels import ChannelSettings
from safecorridor.alerts.worker import WorkerContext
from safecorridor.geo import cell_of
from safecorridor.registry.models import Site
from safecorridor.taxonomy.choices import Role
from tests.alerts.conftest import SmtpSink, smtp_sink
from tests.factories import create_incident

__all__ = ["JwgWorld", "smtp_sink"]

SITE = (35.33, 73.33)  # a dam in the mountains (our own test site)


@dataclass
class JwgWorld:
    secretariat: int
    agency: int
    outsider: int
    site: int
    users: dict[str, int]
    tokens: dict[str, str]
    strict_incident: int
    incidents: list[int]

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def build(session: Session) -> JwgWorld:
    sec = Organisation(name="Test Secretariat", short_name="TSEC", kind="secretariat")
    agency = Organisation(name="Test Security Agency", short_name="TSA", kind="agency")
    outsider = Organisation(name="Test Outsider", short_name="OUT", kind="research")
    session.add_all([sec, agency, outsider])
    session.flush()
    agency.partners.append(sec)
    sec.partners.append(agency)
    users: dict[str, int] = {}
    tokens: dict[str, str] = {}
    for key, org, role in (
        ("sec_analyst", sec, Role.ANALYST),
        ("sec_admin", sec, Role.ADMIN),
        ("agency_admin", agency, Role.ADMIN),
        ("agency_manager", agency, Role.SITE_MANAGER),
        ("agency_viewer", agency, Role.VIEWER),
        ("outsider_admin", outsider, Role.ADMIN),
    ):
        u = create_user(
            session=session, email=f"{key}@jwg-test.example", organisation_id=org.id, role=role
        )
        users[key] = u.id
        tokens[key] = create_token(session=session, user=u).token
    site = Site(
        name="Test Dam Camp",
        site_type="dam",
        latitude=SITE[0],
        longitude=SITE[1],
        h3_cell=cell_of(*SITE),
        personnel_foreign=300,
        personnel_local=900,
        tlp="AMBER",
        owner_org_id=agency.id,
    )
    session.add(site)
    ids = []
    for n, (day, tlp, owner) in enumerate(
        [
            (date(2024, 2, 10), "GREEN", None),
            (date(2024, 3, 5), "AMBER", agency.id),
            (date(2024, 4, 20), "GREEN", None),
            (date(2023, 11, 1), "GREEN", None),
        ]
    ):
        inc = create_incident(
            session,
            event_date=day,
            latitude=SITE[0] + 0.01 * n,
            longitude=SITE[1] - 0.01 * n,
            location=f"Valley road {n}",
            admin1="Khyber Pakhtunkhwa",
            tlp=tlp,
            source_key=f"jwg-test-{n}",
        )
        inc.owner_org_id = owner
        ids.append(inc.id)
    strict = create_incident(
        session,
        event_date=date(2024, 4, 2),
        latitude=SITE[0] - 0.02,
        longitude=SITE[1] + 0.02,
        location="Secret Ridge",
        admin1="Khyber Pakhtunkhwa",
        tlp="AMBER+STRICT",
        fatalities=7,
        foreign_fatalities=2,
        source_key="jwg-test-strict",
    )
    strict.owner_org_id = sec.id
    session.commit()
    return JwgWorld(
        secretariat=sec.id,
        agency=agency.id,
        outsider=outsider.id,
        site=site.id,
        users=users,
        tokens=tokens,
        strict_incident=strict.id,
        incidents=ids,
    )


@pytest.fixture
def jwg_world(engine: Engine) -> JwgWorld:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as s:
        return build(s)


@pytest.fixture
def jwg_ctx(engine: Engine, smtp_sink: SmtpSink) -> WorkerContext:
    settings = ChannelSettings(
        smtp_host="127.0.0.1", smtp_port=smtp_sink.port, smtp_timeout=5, delivery_max_attempts=3
    )
    return WorkerContext(engine=engine, settings=settings, name="jwg-test", briefing_days_before=7)
