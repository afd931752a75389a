"""A corpus of malformed bundles: each gets a clear error naming its problem, and the store is
left exactly as it was (through the library and through `safecorridor import stix`)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from safecorridor.cli.app import get_app
from safecorridor.interop import stix
from safecorridor.interop.extension import EXTENSION_ID
from tests.interop.conftest import (
    PARTNER_BUNDLE,
    export_bundle,
    fixed_incident,
    store_generated,
    table_counts,
)

Mutation = Callable[[dict[str, Any]], Any]


def _report(b: dict[str, Any]) -> dict[str, Any]:
    return next(o for o in b["objects"] if o["type"] == "report")


def _set(getter: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Mutation:
    def change(b: dict[str, Any]) -> dict[str, Any]:
        getter(b)[key] = value
        return b

    return change


def _threat_actor(b: dict[str, Any]) -> dict[str, Any]:
    return next(o for o in b["objects"] if o["type"] == "threat-actor")


def _ext(b: dict[str, Any]) -> dict[str, Any]:
    ext: dict[str, Any] = _report(b)["extensions"][EXTENSION_ID]
    return ext


def _drop_location(b: dict[str, Any]) -> dict[str, Any]:
    b["objects"] = [o for o in b["objects"] if o["type"] != "location"]
    return b


#: name → (how to break a good bundle, or raw bytes; what the error must say)
CORPUS: dict[str, tuple[Mutation | bytes, str]] = {
    "empty file": (b"", "is empty"),
    "invalid JSON": (b'{"type": "bundle", "objects": [', "is not JSON"),
    "JSON array": (lambda b: b["objects"], "is a JSON array"),
    "not a bundle": (lambda b: _report(b), "is not a STIX bundle"),
    "STIX 2.0 bundle": (_set(lambda b: b, "spec_version", "2.0"), "STIX 2.0 bundles"),
    "bad bundle id": (_set(lambda b: b, "id", "bundle-1"), "bundle's id"),
    "no objects": (lambda b: {k: v for k, v in b.items() if k != "objects"}, "has no 'objects'"),
    "objects not a list": (_set(lambda b: b, "objects", {"a": 1}), "must be a list"),
    "wrong spec_version": (_set(_report, "spec_version", "2.0"), "spec_version is '2.0'"),
    "object without id": (
        lambda b: {**b, "objects": [{"type": "report"}, *b["objects"]]},
        "has no 'type' and 'id'",
    ),
    "bad timestamp": (_set(_report, "published", "yesterday"), "is not valid STIX 2.1"),
    "missing required property": (
        lambda b: (_report(b).pop("name"), b)[1],
        "is not valid STIX 2.1",
    ),
    "broken reference": (_drop_location, "which is not in the bundle (a broken reference)"),
    "broken relationship": (
        lambda b: (
            next(o for o in b["objects"] if o["type"] == "relationship").update(
                target_ref="identity--00000000-0000-4000-8000-000000000000"
            ),
            b,
        )[1],
        "a broken reference",
    ),
    "unknown marking": (
        _set(
            _report,
            "object_marking_refs",
            ["marking-definition--11111111-1111-4111-8111-111111111111"],
        ),
        "object_marking_refs refers to",
    ),
    "extension: negative fatalities": (
        _set(_ext, "fatalities", -3),
        "SafeCorridor extension property fatalities",
    ),
    "extension: unknown property": (
        _set(_ext, "x_colour", "red"),
        "Additional properties are not allowed",
    ),
    "extension: bad date precision": (_set(_ext, "date_precision", "fortnight"), "date_precision"),
    "extension value not an object": (
        lambda b: (_report(b)["extensions"].update({EXTENSION_ID: [1]}), b)[1],
        "is not valid STIX 2.1",
    ),
    "nested too deeply": (b"[" * 100_000, "nested too deeply"),
    # stix2 makes "['a']" of the one and three aliases of the other, which were stored
    "actor name not text": (_set(_threat_actor, "name", ["a"]), "name must be a string"),
    "actor aliases a string": (
        _set(_threat_actor, "aliases", "abc"),
        "aliases must be a list of strings",
    ),
    "not an incident: unknown event type": (
        _set(_ext, "event_type", "Picnic"),
        "is not a valid incident",
    ),
    "not an incident: latitude out of range": (
        lambda b: (
            next(o for o in b["objects"] if o["type"] == "location").update(latitude=95.0),
            b,
        )[1],
        "is not valid STIX 2.1",
    ),
}


@pytest.fixture
def good_bundle(sqlite_engine: Engine) -> dict[str, Any]:
    store_generated(
        sqlite_engine, [fixed_incident(0), fixed_incident(1, tlp="GREEN")], ["Port Police", None]
    )
    return export_bundle(sqlite_engine)


def _raw(case: str, good: dict[str, Any]) -> bytes:
    mutation, _ = CORPUS[case]
    if isinstance(mutation, bytes):
        return mutation
    return json.dumps(mutation(copy.deepcopy(good))).encode()


def test_the_corpus_has_at_least_ten_cases() -> None:
    assert len(CORPUS) >= 10


@pytest.mark.parametrize("case", list(CORPUS))
def test_a_malformed_bundle_gets_a_clear_error_and_the_store_is_unchanged(
    case: str, good_bundle: dict[str, Any], sqlite_engine: Engine, tmp_path: Path
) -> None:
    raw = _raw(case, good_bundle)
    expected = CORPUS[case][1]
    if case.startswith("not an incident"):
        parsed = stix.parse_bundle(raw) if "event type" in case else None
        if parsed is not None:
            from safecorridor.interop.intake import record_of

            with pytest.raises(stix.StixImportError, match=expected):
                record_of(parsed.incidents[0])
    if not case.startswith("not an incident: unknown"):
        with pytest.raises(stix.StixImportError) as err:
            stix.parse_bundle(raw, label="case.json")
        assert expected in str(err.value), str(err.value)

    before = table_counts(sqlite_engine)
    path = tmp_path / "case.json"
    path.write_bytes(raw)
    result = CliRunner().invoke(get_app(), ["import", "stix", str(path)])
    assert result.exit_code == 1, result.output
    assert expected in " ".join(result.output.split()), result.output
    assert "nothing was stored" in result.output
    assert table_counts(sqlite_engine) == before


def test_the_partner_bundle_is_not_malformed(sqlite_engine: Engine) -> None:
    assert stix.parse_bundle(PARTNER_BUNDLE.read_bytes()).incidents
