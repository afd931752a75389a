"""MISP event JSON: built and read with pymisp, a lossless round trip for what MISP can hold,
MISP's own templates and taxonomies, and a misp-stix conversion that agrees with our STIX."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from misp_stix_converter import MISPtoSTIX21Parser
from pymisp import MISPEvent
from sqlalchemy import Engine

from safecorridor.db.session import session_scope
from safecorridor.interop import misp, stix
from safecorridor.interop.intake import IntakeReport, store_actors, store_records
from safecorridor.interop.markings import tlp_of_refs
from safecorridor.taxonomy.choices import TLP
from tests.interop.conftest import (
    PARTNER_MISP,
    clear,
    export_bundle,
    export_misp,
    fixed_incident,
    incident_data,
    records,
    store_generated,
    validator_findings,
)


def import_misp_text(engine: Engine, text: str) -> IntakeReport:
    events = misp.read_events(text)
    report = IntakeReport()
    with session_scope(engine) as s:
        for ev in events:
            store_actors(s, misp.actors_of(ev), report)
        drafts = [d for d in (misp.draft_of(ev) for ev in events) if d is not None]
        store_records(s, [d for d in drafts if d.complete], changed_by="import misp", report=report)
    return report


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_safecorridor_to_misp_json_to_safecorridor_keeps_every_record_field(
    engine: Engine, data: st.DataObject
) -> None:
    clear(engine)
    n = data.draw(st.integers(1, 5), label="incidents")
    items = [data.draw(incident_data(i), label=f"incident {i}") for i in range(n)]
    owners = [
        data.draw(st.sampled_from([None, "Port Police", "Corridor Secretariat"])) for _ in items
    ]
    store_generated(engine, items, owners)
    before = records(engine)
    text = export_misp(engine)
    clear(engine)
    report = import_misp_text(engine, text)
    assert report.new == n
    assert records(engine) == before


def test_an_event_uses_misps_own_templates_taxonomies_and_galaxies(engine: Engine) -> None:
    store_generated(engine, [fixed_incident(0, tlp="AMBER+STRICT")], ["Port Police"])
    [item] = json.loads(export_misp(engine))["response"]
    # the event and its parts carry the record's time (a partner's feed bookmark reads it)
    assert int(item["Event"]["timestamp"]) > 0
    assert all(int(a["timestamp"]) > 0 for a in item["Event"]["Attribute"])
    ev = MISPEvent()
    ev.load(item)
    tags = {t.name for t in ev.tags}
    assert "tlp:amber+strict" in tags
    assert 'admiralty-scale:information-credibility="2"' in tags
    assert ev.Orgc.name == "Port Police" and ev.distribution == 0
    geo = next(o for o in ev.objects if o.name == "geolocation")
    values = {a.object_relation: a.value for a in geo.attributes}
    assert (float(values["latitude"]), float(values["longitude"])) == (25.12, 62.33)
    assert values["countrycode"] == "PK" and values["region"] == "Balochistan"
    assert {o.name for o in ev.objects} == {"geolocation", "victim", "annotation"}
    clusters = {c.value: c for g in ev.galaxies for c in g.clusters}
    assert set(clusters) == {"Alpha Front", "Alpha Front Coastal Unit"}  # armed groups only
    unit = clusters["Alpha Front Coastal Unit"]
    elements = {(e.key, e.value) for e in unit.cluster_elements}
    assert ("synonyms", "AFCU") in elements and ("parent", "Alpha Front") in elements
    assert unit.tag_name == 'misp-galaxy:threat-actor="Alpha Front Coastal Unit"'
    actors = {a.value: {t.name for t in a.tags} for a in ev.attributes if a.type == "threat-actor"}
    assert actors["Alpha Front Coastal Unit"] == {'safecorridor:actor-role="actor1"'}
    assert actors["Local civilians"] == {'safecorridor:actor-role="actor2"'}
    link = next(a for a in ev.attributes if a.type == "link")
    assert link.value == "https://news.example/convoy/0"
    record = next(a for a in ev.attributes if a.comment == misp.RECORD_COMMENT)
    assert json.loads(record.value)["fatalities"] == 3


def test_a_misp_stix_conversion_of_our_misp_export_is_valid_and_agrees_with_our_stix(
    engine: Engine,
) -> None:
    items = [
        fixed_incident(0),
        fixed_incident(1, tlp="GREEN", actor1="Valley Movement"),
        fixed_incident(2, tlp="AMBER"),
    ]
    store_generated(engine, items, [None, "Port Police", "Port Police"])
    ours = export_bundle(engine)
    our_reports = {o["id"]: o for o in ours["objects"] if o["type"] == "report"}
    our_objects = {o["id"]: o for o in ours["objects"]}
    for item in json.loads(export_misp(engine))["response"]:
        parser = MISPtoSTIX21Parser()
        parser.parse_misp_event(item)
        converted = json.loads(parser.bundle.serialize())
        errors, _warnings = validator_findings(converted)
        assert errors == []
        by_type: dict[str, list[dict[str, Any]]] = {}
        for o in converted["objects"]:
            by_type.setdefault(o["type"], []).append(o)
        [container] = by_type["report"]
        assert container["id"] in our_reports  # the same uuid names the same incident
        mine = our_reports[container["id"]]
        assert tlp_of_refs(container["object_marking_refs"]) == tlp_of_refs(
            mine["object_marking_refs"]
        )
        [place] = by_type["location"]
        our_place = our_objects[mine["object_refs"][0]]
        assert (place["latitude"], place["longitude"]) == (
            our_place["latitude"],
            our_place["longitude"],
        )
        # the galaxy clusters come back as threat actors with our actors' uuids (a unit is an
        # intrusion set in our export, a threat actor in misp-stix's)
        ours_by_uuid = {k.split("--")[1]: v for k, v in our_objects.items()}
        their_actors = {o["id"].split("--")[1]: o["name"] for o in by_type.get("threat-actor", [])}
        assert their_actors
        for uuid, name in their_actors.items():
            assert ours_by_uuid[uuid]["name"] == name


def test_a_partners_misp_events_become_drafts_with_their_tlp_and_place() -> None:
    events = misp.read_events(PARTNER_MISP.read_bytes())
    drafts = [misp.draft_of(ev) for ev in events]
    assert drafts[2] is None  # no geolocation
    first, second = drafts[0], drafts[1]
    assert first is not None and second is not None
    assert not first.complete and first.tlp == TLP.GREEN and second.tlp is None
    assert first.producer == "Coastal Security Partners"
    assert (first.data["latitude"], first.data["country"]) == (25.3019, "Pakistan")
    assert first.data["actor1"] == "Coastal Liberation Front" and first.data["credibility"] == "3"
    assert [s.url for s in first.sources] == ["https://news.example/coastal/survey-team"]
    assert str(first.data["event_date"]) == "2024-02-27"


def test_bad_misp_json_is_refused_with_a_clear_error() -> None:
    import pytest

    for raw, message in [
        (b"", "is empty"),
        (b"[1, 2", "is not JSON"),
        (b'{"response": [{"Attribute": []}]}', "is not a MISP event"),
        (
            b'{"Event": {"uuid": "7c1e2d3f-4a5b-4c6d-8e7f-8091a2b3c4d5", "date": "2024-01-01"}}',
            "info field",
        ),
        (b'{"Event": {"info": "x", "date": "not a date"}}', "Invalid format for the date"),
        # parts of the wrong shape are named, not pymisp's methods or its list of types
        (b'{"Event": {"info": "x", "Attribute": "oops"}}', "Attribute must be a list"),
        (b'{"Event": {"info": "x", "Attribute": [{"value": "x"}]}}', "attribute 1 has no type"),
        (
            b'{"Event": {"info": "x", "Attribute": [{"type": "nosuch", "value": "x"}]}}',
            "type 'nosuch', which MISP does not know$",
        ),
        (b'{"Event": {"info": "x", "Object": [{"Attribute": [3]}]}}', "object 1: attribute 1 is"),
        (b'{"Event": {"info": ["x"], "uuid": 3}}', "info must be a string"),
        (b'{"Event": {"info": "x", "Tag": [1, 2]}}', "Tag must be a list of tags"),
    ]:
        with pytest.raises(stix.StixImportError, match=message):
            misp.read_events(raw)
