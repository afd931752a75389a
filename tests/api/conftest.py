"""Personas for the API tests: three organisations, a user of every role in each, records of
every TLP marking owned by the first organisation, and a bearer token per user.

``owner`` lists ``partner`` as a partner; ``outsider`` is a third organisation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from safecorridor.accounts.models import Organisation, User
from safecorridor.accounts.service import create_token, create_user
from safecorridor.app import create_app
from safecorridor.geo import cell_of
from safecorridor.registry.models import Route, Site
from safecorridor.sharing.service import grant_record
from safecorridor.sources.models import Document
from safecorridor.taxonomy.choices import TLP, Role
from tests.factories import create_incident

ORGS = ("owner", "partner", "outsider")
MARKINGS = [t.value for t in TLP]


@dataclass
class World:
    """Who is who and which record has which marking (ids by TLP value)."""

    orgs: dict[str, int] = field(default_factory=dict)
    users: dict[tuple[str, str], int] = field(default_factory=dict)  # (org, role) -> id
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)
    incidents: dict[str, int] = field(default_factory=dict)
    sites: dict[str, int] = field(default_factory=dict)
    routes: dict[str, int] = field(default_factory=dict)
    documents: dict[str, int] = field(default_factory=dict)
    #: the one user (besides none) granted each RED record
    red_reader: tuple[str, str] = ("partner", "viewer")

    def headers(self, org: str, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[(org, role)]}"}

    def allowed(self, kind: str, org: str, role: str) -> set[int]:
        """The ids of ``kind`` that (org, role) may read under the TLP rules."""
        ids: dict[str, int] = getattr(self, kind)
        out = {ids["CLEAR"], ids["GREEN"]}
        if org in ("owner", "partner"):
            out.add(ids["AMBER"])
        if org == "owner":
            out.add(ids["AMBER+STRICT"])
        if (org, role) == self.red_reader:
            out.add(ids["RED"])
        return out


def build_world(session: Session) -> World:
    w = World()
    orgs = {name: Organisation(name=f"{name.title()} Agency", short_name=name) for name in ORGS}
    session.add_all(orgs.values())
    session.flush()
    orgs["owner"].partners.append(orgs["partner"])
    w.orgs = {k: o.id for k, o in orgs.items()}
    for org in ORGS:
        for role in Role:
            user = create_user(
                session=session,
                email=f"{role.value}@{org}.example",
                organisation_id=w.orgs[org],
                role=role,
            )
            w.users[(org, role.value)] = user.id
            w.tokens[(org, role.value)] = create_token(session=session, user=user).token
    owner = w.orgs["owner"]
    for n, tlp in enumerate(MARKINGS):
        inc = create_incident(
            session,
            tlp=tlp,
            location=f"Place {tlp}",
            event_date=date(2022, 1, 1 + n),
            latitude=25.0 + n / 10,
            longitude=67.0 + n / 10,
            source_key=f"k-{tlp}",
        )
        inc.owner_org_id = owner
        w.incidents[tlp] = inc.id
        site = Site(
            name=f"Site {tlp}",
            site_type="port",
            latitude=25.0 + n / 10,
            longitude=62.0,
            h3_cell=cell_of(25.0 + n / 10, 62.0),
            tlp=tlp,
            owner_org_id=owner,
        )
        route = Route(
            name=f"Route {tlp}",
            points=[[25.0, 62.0 + n / 10], [25.5, 63.0]],
            length_km=100.0,
            tlp=tlp,
            owner_org_id=owner,
        )
        doc = Document(sha256=f"{n:064d}", title=f"Report {tlp}", tlp=tlp, owner_org_id=owner)
        session.add_all([site, route, doc])
        session.flush()
        w.sites[tlp], w.routes[tlp], w.documents[tlp] = site.id, route.id, doc.id
    reader = w.users[w.red_reader]
    for kind, ids in (
        ("incident", w.incidents),
        ("site", w.sites),
        ("route", w.routes),
        ("document", w.documents),
    ):
        grant_record(
            session=session,
            record_type=kind,
            record_id=ids["RED"],
            user_id=reader,
            granted_by="test",
            audited=False,  # a fixture, as its other rows
        )
    # an imported record without an owner, marked AMBER: nobody may read it
    orphan = create_incident(session, tlp="AMBER", location="Orphan", source_key="orphan")
    assert orphan.owner_org_id is None
    session.commit()
    return w


@pytest.fixture
def world(engine: Engine) -> World:
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as s:
        return build_world(s)


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def user_of(session: Session, world: World, org: str, role: str) -> User:
    user = session.get(User, world.users[(org, role)])
    assert user is not None
    return user


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL every connection of ``engine`` runs, as it runs."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)
