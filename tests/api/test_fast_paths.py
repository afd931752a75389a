"""The hot read paths: the list built from rows, audit by group commit, cached risk surfaces."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any, cast

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from safecorridor.incidents.models import Incident
from safecorridor.incidents.service import IncidentFilter, list_incidents, to_public
from safecorridor.risk.cache import surfaces
from safecorridor.risk.service import current_policy, pad_box, visible_incidents
from safecorridor.risk.surface import compute_surface
from safecorridor.sharing.audit import (
    append_event,
    audit_logs,
    has_read_log,
    read_key,
    record_read,
    sha256_json,
    state_hash,
    verify_chain,
    verify_logs,
)
from safecorridor.sharing.models import AuditEvent
from safecorridor.sharing.policy import Viewer
from tests.api.conftest import World, user_of
from tests.auditlog import all_events
from tests.factories import create_incident


def _add_cited(session: Session, world: World) -> None:
    """Two more AMBER incidents of the owner, with sources and actors, for the list."""
    for n, urls in enumerate((["https://a.example/1", "https://a.example/2"], [])):
        inc = create_incident(
            session,
            tlp="AMBER",
            source_key=f"cited-{n}",
            source_urls=urls,
            actor2="Pakistan Army",
            event_date=date(2023, 3, 1 + n),
        )
        inc.owner_org_id = world.orgs["owner"]
    session.commit()


def test_list_pages_equal_the_validated_records(
    client: TestClient, world: World, session: Session
) -> None:
    _add_cited(session, world)
    viewer = Viewer.of(user_of(session, world, "owner", "analyst"))
    h = world.headers("owner", "analyst")
    cases: list[tuple[dict[str, Any], IncidentFilter]] = [
        ({}, IncidentFilter()),
        ({"event_type": "battles"}, IncidentFilter(event_types=["battles"])),
        ({"since": "2022-01-03"}, IncidentFilter(date_from=date(2022, 1, 3))),
        ({"near": "25.2,67.2", "km": 50}, IncidentFilter(near=(25.2, 67.2), km=50)),
        ({"actor": "Pakistan Army"}, IncidentFilter(actor="Pakistan Army")),
    ]
    for params, flt in cases:
        body = client.get("/api/v1/incidents", params=params, headers=h).json()
        expected = [
            to_public(i).model_dump(mode="json")
            for i in list_incidents(session, flt, viewer=viewer)
        ]
        assert body["data"] == expected, params
        assert body["count"] == len(expected)
    urls = {r["source_key"]: r["source_urls"] for r in body["data"]}
    assert urls == {"cited-0": ["https://a.example/1", "https://a.example/2"], "cited-1": []}
    # keyset pages of 2 give the same records in the same order
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "count": "false", **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/incidents", params=params, headers=h).json()
        assert page["count"] is None
        seen += [r["id"] for r in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    everything = client.get("/api/v1/incidents", headers=h).json()["data"]
    assert seen == [r["id"] for r in everything]


def test_audited_states_are_those_of_the_records_read(
    client: TestClient, world: World, session: Session, engine: Engine
) -> None:
    """A list page's event hashes the states of the AMBER rows it showed, and an incident
    read on its own hashes the same state: rows and loaded objects hash alike."""
    _add_cited(session, world)
    h = world.headers("owner", "analyst")
    assert client.get("/api/v1/incidents", headers=h).status_code == 200
    amber = world.incidents["AMBER"]
    assert client.get(f"/api/v1/incidents/{amber}", headers=h).status_code == 200
    events = all_events(engine)
    (listed,) = [e for e in events if e.action == "list"]
    (read,) = [e for e in events if e.action == "read"]
    ids = listed.details["record_ids"]
    assert amber in ids and len(ids) >= 3
    session.expire_all()
    incidents = {i: session.get(Incident, i) for i in ids}
    assert listed.state_hash == sha256_json([state_hash(incidents[i]) for i in ids])
    assert read.state_hash == state_hash(incidents[amber])
    # and the state is the record's: another value, another hash
    assert (
        client.patch(f"/api/v1/incidents/{amber}", json={"injured": 7}, headers=h).status_code
        == 200
    )
    session.expire_all()
    assert state_hash(session.get(Incident, amber)) != read.state_hash


def test_concurrent_amber_reads_all_land_in_one_valid_chain(
    client: TestClient, world: World, engine: Engine
) -> None:
    h = world.headers("owner", "analyst")
    amber = world.incidents["AMBER"]

    def read(n: int) -> int:
        path = "/api/v1/incidents" if n % 2 else f"/api/v1/incidents/{amber}"
        return cast(int, client.get(path, headers=h).status_code)

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(read, range(40)))
    assert codes == [200] * 40
    # each response left after its event was committed: nothing to wait for
    (name, reads), *_ = reversed(audit_logs(engine))  # the read log, where there is one
    with Session(reads) as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        report = verify_chain(s, key=read_key())
    assert sorted(e.action for e in events) == ["list"] * 20 + ["read"] * 20, name
    assert {e.user_id for e in events} == {world.users[("owner", "analyst")]}
    assert report.is_intact and report.checked == 40


def test_group_commit_and_in_transaction_appends_chain_writes_and_reads(engine: Engine) -> None:
    """Writes' events in the writing transactions and reads' by group commit, from six
    threads at once: every event in a valid chain (on SQLite the reads in their own log)."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    viewer = Viewer(user_id=None, organisation_id=None)

    def work(n: int) -> None:
        for k in range(5):
            with factory() as s, s.begin():
                if (n + k) % 3 == 0:  # a write's event, in the writing transaction
                    append_event(
                        session=s, viewer=viewer, action="create", record_type="x", record_id=k
                    )
                    # a read in a transaction that already holds the chain's lock
                    record_read(session=s, viewer=viewer, action="read", record_type="x")
                else:
                    s.execute(select(AuditEvent.id).limit(1))  # a reader's open snapshot
                    record_read(
                        session=s, viewer=viewer, action="read", record_type="x", record_id=n
                    )

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(work, range(6)))
    writes = sum(1 for n in range(6) for k in range(5) if (n + k) % 3 == 0)
    reports = dict(verify_logs(engine))
    assert all(r.is_intact for r in reports.values())
    assert sum(r.checked for r in reports.values()) == 30 + writes
    if has_read_log(engine):
        assert reports["audit log"].checked == writes  # the reads went to the read log


def _surface(client: TestClient, world: World, org: str = "owner") -> dict[str, Any]:
    params = {"bbox": "66.5,24.5,68,26", "as_of": "2022-06-01"}
    r = client.get(
        "/api/v1/risk/surface.geojson", params=params, headers=world.headers(org, "viewer")
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_the_surface_cache_is_refreshed_when_an_incident_changes(
    client: TestClient, world: World, session: Session
) -> None:
    surfaces.clear()
    first = _surface(client, world)
    builds = surfaces.builds
    assert _surface(client, world) == first and surfaces.builds == builds  # served cached
    added = create_incident(session, tlp="CLEAR", source_key="new", latitude=25.3, longitude=67.3)
    session.commit()
    second = _surface(client, world)
    assert surfaces.builds == builds + 1
    assert second["properties"]["incidents"] == first["properties"]["incidents"] + 1
    assert second["features"] != first["features"]
    added.tlp = "AMBER+STRICT"  # now only the owner organisation may see it
    added.owner_org_id = world.orgs["owner"]
    session.commit()
    assert _surface(client, world, "outsider")["properties"]["incidents"] == 2
    assert _surface(client, world)["properties"]["incidents"] == 5


def test_a_cached_surface_slice_equals_the_surface_of_the_box(
    client: TestClient, world: World, session: Session
) -> None:
    surfaces.clear()
    body = _surface(client, world)
    box = (66.5, 24.5, 68.0, 26.0)
    viewer = Viewer.of(user_of(session, world, "owner", "viewer"))
    policy = current_policy()
    arrays, _ = visible_incidents(
        session, viewer, as_of=date(2022, 6, 1), box=pad_box(box, policy.kernel_radius_km)
    )
    direct = compute_surface(arrays, as_of=np.datetime64("2022-06-01"), policy=policy)
    geo = direct.to_geojson()
    expected = {}
    for f in geo["features"]:
        ring = f["geometry"]["coordinates"][0][:-1]
        lon, lat = np.mean([p[0] for p in ring]), np.mean([p[1] for p in ring])
        if box[0] - 0.2 <= lon <= box[2] + 0.2 and box[1] - 0.2 <= lat <= box[3] + 0.2:
            expected[f["properties"]["h3"]] = f["properties"]
    got = {f["id"]: f["properties"] for f in body["features"]}
    assert got and set(got) <= set(expected)
    for cell, props in got.items():
        assert props == expected[cell]
    assert body["properties"]["incidents"] == len(arrays) == 4
    assert body["bbox"] == list(box)
