"""STIX 2.1: the exported bundle validates, the round trip is lossless on both backends, a
partner's threat report imports what maps and says why the rest was skipped."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select, text

from safecorridor.app import create_app
from safecorridor.db.session import session_scope
from safecorridor.incidents.actors import add_actor
from safecorridor.incidents.models import Actor, Incident
from safecorridor.interop import stix
from safecorridor.interop.extension import EXTENSION_ID, check_properties, extension_definition
from safecorridor.interop.intake import (
    CandidateOptions,
    IntakeReport,
    store_actors,
    store_candidates,
    store_records,
)
from safecorridor.interop.markings import MARKING_IDS
from safecorridor.review.models import Candidate
from safecorridor.sharing.audit.state import verify_states
from safecorridor.taxonomy.choices import TLP, ActorKind
from tests.api.conftest import World
from tests.interop.conftest import (
    PARTNER_BUNDLE,
    assert_valid_bundle,
    clear,
    export_bundle,
    fixed_incident,
    incident_data,
    only_in_records,
    partner_bundle_marked,
    records,
    store_generated,
)


def import_own(engine: Engine, bundle: dict[str, Any]) -> IntakeReport:
    parsed = stix.parse_bundle(json.dumps(bundle))
    report = IntakeReport()
    records = [d for d in parsed.incidents if d.complete]
    with session_scope(engine) as s:
        store_actors(s, parsed.actors, report, records=records)
        store_records(
            s,
            records,
            report=report,
            producer_created=parsed.producer_created,
        )
    return report


ROUND_TRIP = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@ROUND_TRIP
@given(data=st.data())
def test_export_import_export_gives_the_same_records_and_objects(
    engine: Engine, data: st.DataObject
) -> None:
    clear(engine)
    n = data.draw(st.integers(1, 6), label="incidents")
    items = [data.draw(incident_data(i), label=f"incident {i}") for i in range(n)]
    owners = [
        data.draw(st.sampled_from([None, "Port Police", "Energy Security Unit"])) for _ in items
    ]
    store_generated(engine, items, owners)
    before = records(engine)
    first = export_bundle(engine)
    assert_valid_bundle(first)

    clear(engine)  # an empty store
    report = import_own(engine, first)
    assert report.new == n

    assert records(engine) == before  # field by field, markings and owners included
    second = export_bundle(engine)
    assert {o["id"]: o for o in second["objects"]} == {o["id"]: o for o in first["objects"]}


def test_a_bundle_carries_tlp2_markings_the_extension_and_the_owner(engine: Engine) -> None:
    item = fixed_incident(0, tlp="AMBER+STRICT")
    store_generated(engine, [item], ["Port Police"])
    only_in_records(engine, "Alpha Front", "Alpha Front Coastal Unit")
    bundle = export_bundle(engine)
    assert_valid_bundle(bundle)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for o in bundle["objects"]:
        by_type.setdefault(o["type"], []).append(o)
    [report] = by_type["report"]
    assert report["object_marking_refs"] == [MARKING_IDS[TLP.AMBER_STRICT]]
    strict = next(
        o for o in by_type["marking-definition"] if o["id"] == MARKING_IDS[TLP.AMBER_STRICT]
    )
    assert strict["name"] == "TLP:AMBER+STRICT"
    owner = next(o for o in by_type["identity"] if o["id"] == report["created_by_ref"])
    assert owner["name"] == "Port Police" and owner["identity_class"] == "organization"
    assert by_type["extension-definition"] == [extension_definition()]
    ext = report["extensions"][EXTENSION_ID]
    check_properties(ext, "report")
    assert ext["event_type"] == item["event_type"] and ext["source_key"] == "key-0"
    # the unit is an intrusion set attributed to its parent threat actor
    [unit] = by_type["intrusion-set"]
    parent = next(o for o in by_type["threat-actor"] if o["name"] == "Alpha Front")
    assert unit["name"] == "Alpha Front Coastal Unit" and unit["aliases"] == ["AFCU"]
    assert {
        (r["relationship_type"], r["source_ref"], r["target_ref"])
        for r in by_type["relationship"]
        if r["source_ref"] == unit["id"] and r["target_ref"] == parent["id"]
    } == {("attributed-to", unit["id"], parent["id"])}
    # the unit and its parent (the claimant) are named only by this AMBER+STRICT incident, so
    # their objects and the relationship naming them carry its marking; the register's
    # "Provincial Police", which no incident names, would be CLEAR (see the next test)
    unit_of = next(r for r in by_type["relationship"] if r["source_ref"] == unit["id"])
    for obj in (unit, unit_of, parent):
        assert obj["object_marking_refs"] == [MARKING_IDS[TLP.AMBER_STRICT]], obj["name"]
    [location] = by_type["location"]
    assert (location["latitude"], location["longitude"]) == (item["latitude"], item["longitude"])
    assert {r["relationship_type"] for r in by_type["relationship"]} <= {
        "targets",
        "located-at",
        "attributed-to",
        "related-to",
    }


def test_an_imported_reports_sources_keep_its_marking_and_owner(engine: Engine) -> None:
    """The URLs a partner's AMBER+STRICT report cites become documents of that marking and
    owner, not CLEAR documents every organisation reads (a source's address may be the
    secret)."""
    item = {**fixed_incident(0, tlp="AMBER+STRICT"), "source_urls": ["https://example.org/a"]}
    store_generated(engine, [item], ["Port Police"])
    bundle = export_bundle(engine)
    clear(engine)
    assert import_own(engine, bundle).new == 1
    with session_scope(engine) as s:
        [incident] = s.scalars(select(Incident)).all()
        [doc] = incident.documents
        assert doc.url == "https://example.org/a"
        assert (doc.tlp, doc.owner_org_id) == ("AMBER+STRICT", incident.owner_org_id)
        assert incident.owner_org_id is not None


def test_reimporting_our_bundle_adds_nothing(engine: Engine) -> None:
    store_generated(engine, [fixed_incident(i) for i in range(3)], [None, None, None])
    bundle = export_bundle(engine)
    report = import_own(engine, bundle)
    assert (report.new, report.updated, report.unchanged) == (0, 0, 3)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Incident)) == 3


def test_a_changed_record_is_updated_with_a_history_entry(engine: Engine) -> None:
    store_generated(engine, [fixed_incident(0, fatalities=2, foreign_fatalities=1)], [None])
    bundle = export_bundle(engine)
    report_obj = next(o for o in bundle["objects"] if o["type"] == "report")
    report_obj["extensions"][EXTENSION_ID]["fatalities"] = 5
    report = import_own(engine, bundle)
    assert report.updated == 1
    with session_scope(engine) as s:
        inc = s.scalars(select(Incident)).one()
        assert inc.fatalities == 5
        assert inc.history[-1].action == "reimported"
        assert inc.history[-1].changes["fatalities"] == [2, 5]
        iid = inc.id
    # the imported state is in the audit chain: a marking changed in the table is named
    assert verify_states(engine) == []
    with engine.begin() as conn:
        conn.execute(text("UPDATE incidents SET tlp = 'AMBER' WHERE id = :id"), {"id": iid})
    assert any(f"incident {iid} differs" in p and "tlp" in p for p in verify_states(engine))


def test_a_partner_threat_report_imports_what_maps_and_says_why_the_rest_was_skipped() -> None:
    parsed = stix.parse_bundle(PARTNER_BUNDLE.read_bytes(), label="partner")
    lines = "\n".join(parsed.summary_lines())
    assert "report: 1 imported, 1 skipped (1 has no location with coordinates" in lines
    assert "indicator: 0 imported, 1 skipped (1 indicators of compromise" in lines
    assert "campaign: 0 imported, 1 skipped" in lines
    assert "individual" in lines  # the person and the actor attributed to a person
    names = {a.name: a for a in parsed.actors.values()}
    assert set(names) == {"Coastal Liberation Front", "Harbour Brigade"}
    assert names["Coastal Liberation Front"].aliases == ["CLF", "Sahil Front"]
    assert names["Harbour Brigade"].parent_stix_id == names["Coastal Liberation Front"].stix_id
    [draft] = parsed.incidents
    assert not draft.complete
    assert draft.tlp == TLP.AMBER and draft.producer == "Provincial Counter-Terrorism Cell"
    assert str(draft.data["event_date"]) == "2024-02-28"
    assert draft.data["actor1"] == "Harbour Brigade"
    assert draft.data["country"] == "Pakistan"
    assert [s.url for s in draft.sources] == ["https://news.example/coastal/convoy-attack"]


def test_a_partner_report_becomes_a_candidate_never_an_incident(
    engine: Engine, tmp_path: Path
) -> None:
    # GREEN: every user may read the report, so its actors join the register (see below)
    parsed = stix.parse_bundle(partner_bundle_marked(tmp_path, TLP.GREEN).read_bytes())
    with session_scope(engine) as s:
        report = IntakeReport()
        store_actors(s, parsed.actors, report)
        store_candidates(
            s,
            parsed.incidents,
            CandidateOptions(owner_org_id=None, source_label="partner"),
            report=report,
        )
        store_candidates(
            s,
            parsed.incidents,
            CandidateOptions(owner_org_id=None, source_label="partner"),
            report=report,
        )
    assert (report.candidates, report.duplicates) == (1, 1)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Incident)) == 0
        c = s.scalars(select(Candidate)).one()
        assert (c.tlp, c.perpetrator, c.status) == ("GREEN", "Harbour Brigade", "pending")
        assert c.document.publisher == "Provincial Counter-Terrorism Cell"
        unit = s.scalars(select(Actor).where(Actor.name == "Harbour Brigade")).one()
        assert unit.parent is not None and unit.parent.name == "Coastal Liberation Front"
        assert {a.alias for a in unit.parent.aliases} == {
            "Coastal Liberation Front",
            "CLF",
            "Sahil Front",
        }


def test_an_actor_is_exported_clear_once_a_clear_incident_names_it(
    engine: Engine,
) -> None:
    """An actor's object is as open as the most open record that names it: the unit of an
    AMBER+STRICT incident is CLEAR once a CLEAR incident names it too, while the claimant
    only the strict incident names keeps that incident's marking."""
    strict, open_ = fixed_incident(0, tlp="AMBER+STRICT"), fixed_incident(1, tlp="CLEAR")
    open_["claimed_by"] = None
    store_generated(engine, [strict, open_], ["Port Police", "Port Police"])
    names = ("Alpha Front Coastal Unit", "Alpha Front")
    # as the actor table seeds them, both are in the register, whose names every user reads
    objects = {o.get("name"): o for o in export_bundle(engine)["objects"] if "name" in o}
    assert {objects[n]["object_marking_refs"][0] for n in names} == {MARKING_IDS[TLP.CLEAR]}
    only_in_records(engine, *names)
    objects = {o.get("name"): o for o in export_bundle(engine)["objects"] if "name" in o}
    marked = {
        name: objects[name]["object_marking_refs"]
        for name in ("Alpha Front Coastal Unit", "Alpha Front")
    }
    assert marked == {
        "Alpha Front Coastal Unit": [MARKING_IDS[TLP.CLEAR]],  # the CLEAR incident's actor
        "Alpha Front": [MARKING_IDS[TLP.AMBER_STRICT]],  # the strict incident's claimant only
    }


@pytest.mark.parametrize("tlp", [TLP.AMBER, TLP.AMBER_STRICT, TLP.RED])
def test_a_marked_partner_reports_actors_stay_out_of_the_register(
    engine: Engine, tmp_path: Path, world: World, tlp: TLP
) -> None:
    """The register is read by every user: the threat actors a partner's AMBER, AMBER+STRICT
    or RED report names (unmarked themselves) are not added to it, nor do their aliases join
    an actor already there; the candidate keeps the names, and the uploader is told."""
    with session_scope(engine) as s:
        add_actor(s, "Coastal Liberation Front", kind=ActorKind.ARMED_GROUP)
    bundle = partner_bundle_marked(tmp_path, tlp)
    with TestClient(create_app()) as client:
        r = client.post(
            "/api/v1/stix/bundle",
            content=bundle.read_bytes(),
            headers={**world.headers("owner", "analyst"), "Content-Type": "application/json"},
        )
        assert r.status_code == 200, r.text
        assert "2 marked actors not added to the register" in r.json()["summary"], r.text
        assert (
            f"marked TLP:{tlp}"
            in r.json()["outcomes"]["threat-actor--1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c01"]
        )
        for org in ("owner", "partner", "outsider"):
            listed = client.get(
                "/api/v1/actors", params={"search": "a"}, headers=world.headers(org, "viewer")
            ).json()["data"]
            names = {a["name"] for a in listed}
            assert "Harbour Brigade" not in names
            clf = next(a for a in listed if a["name"] == "Coastal Liberation Front")
            assert clf["aliases"] == ["Coastal Liberation Front"]  # not "CLF", "Sahil Front"
    with session_scope(engine) as s:
        c = s.scalars(select(Candidate)).one()
        assert (c.tlp, c.perpetrator) == (str(tlp), "Harbour Brigade")


@pytest.mark.parametrize(
    "confidence,code", [(95, "1"), (70, "2"), (50, "3"), (30, "4"), (5, "5"), (None, "6")]
)
def test_stix_confidence_maps_to_admiralty_credibility(confidence: int | None, code: str) -> None:
    assert stix.credibility_of_confidence(confidence) == code
    if code != "6":
        assert stix.credibility_of_confidence(stix.CONFIDENCE_OF_CREDIBILITY[code]) == code


def test_an_actor_named_with_a_control_character_is_skipped(engine: Engine) -> None:
    drafts = {
        "threat-actor--1": stix.ActorDraft("threat-actor--1", "Ctl\x00Cell", "armed_group"),
        "threat-actor--2": stix.ActorDraft("threat-actor--2", "Plain Cell", "armed_group"),
    }
    report = IntakeReport()
    with session_scope(engine) as s:
        store_actors(s, drafts, report)
    assert report.outcomes["threat-actor--1"].startswith("skipped: its name, an alias")
    with session_scope(engine) as s:
        assert set(s.scalars(select(Actor.name))) == {"Plain Cell"}
