"""The SafeCorridor STIX 2.1 property extension: its definition object, its committed JSON
schema (``data/safecorridor-incident-extension.schema.json``), and the producer identity.

Fields that STIX 2.1 has no place for (ACLED type and sub-type, casualties with the foreign
breakdown, date and geo precision, Admiralty grading, provenance) travel in this registered
extension instead of ad-hoc ``x_`` properties. The definition's id and the producer identity's
id are fixed: every SafeCorridor instance writes the same ones, so consumers recognise them.

Identifiers of exported objects are derived from stable keys (:func:`object_id`), in the
version-4 layout STIX asks SDOs to use, so re-exporting a record gives the same id (a new
version, by ``modified``, when it changed) and a partner's import stays idempotent.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jsonschema

EXTENSION_ID = "extension-definition--d8920ec5-a601-4cc4-815b-e3d0f4e6a5cd"
EXTENSION_VERSION = "1.0"
SCHEMA_FILE = "safecorridor-incident-extension.schema.json"
#: SafeCorridor as a producer: the creator of the extension and of records without an owner
PRODUCER_IDENTITY_ID = "identity--429f7516-473a-4cb2-aaea-12ea64982fac"
PRODUCER_NAME = "SafeCorridor"
_NAMESPACE = uuid.UUID("92213ea2-1a40-41d2-a0e2-22b4a2e52b40")
#: when the extension and the producer identity were defined (fixed: they never change)
DEFINED = "2026-12-01T00:00:00.000Z"


class ExtensionError(ValueError):
    """Extension properties do not follow the committed schema."""


def object_id(stix_type: str, key: str) -> str:
    """A stable identifier for ``key``: a hash of it laid out as a version-4 UUID."""
    digest = hashlib.sha256(f"{_NAMESPACE}|{stix_type}|{key}".encode()).digest()
    return f"{stix_type}--{uuid.UUID(bytes=digest[:16], version=4)}"


@cache
def schema() -> dict[str, Any]:
    """The committed JSON schema of the extension's properties."""
    text = files("safecorridor.interop").joinpath("data", SCHEMA_FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema  # 4 s at import (its format checkers' grammars): on first use only

    return jsonschema.Draft202012Validator(
        schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def check_properties(props: dict[str, Any], where: str) -> None:
    """Raise ExtensionError naming the first problem of ``props`` under the schema."""
    errors = sorted(_validator().iter_errors(props), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        path = ".".join(str(p) for p in err.absolute_path) or "(extension)"
        raise ExtensionError(f"{where}: SafeCorridor extension property {path}: {err.message}")


def producer_identity() -> dict[str, Any]:
    """SafeCorridor as a STIX identity (class ``system``)."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": PRODUCER_IDENTITY_ID,
        "created": DEFINED,
        "modified": DEFINED,
        "name": PRODUCER_NAME,
        "identity_class": "system",
        "description": "SafeCorridor, a security-coordination platform for infrastructure "
        "corridors: the producer of records without an owner organisation.",
    }


def extension_definition() -> dict[str, Any]:
    """The extension-definition object (STIX 2.1 section 7.3) of our property extension."""
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": EXTENSION_ID,
        "created_by_ref": PRODUCER_IDENTITY_ID,
        "created": DEFINED,
        "modified": DEFINED,
        "name": "SafeCorridor incident",
        "description": "Incident properties STIX 2.1 lacks: ACLED event type and sub-type, "
        "fatalities with the foreign breakdown, date precision, geo precision, Admiralty source "
        "reliability and information credibility, and the record's dataset and key. On report "
        "objects (one per incident); actor kind and countries on threat-actor, intrusion-set "
        "and identity objects.",
        "schema": "JSON Schema (draft 2020-12) shipped with SafeCorridor as "
        f"safecorridor/interop/data/{SCHEMA_FILE}; every property is optional, others are "
        "refused.",
        "version": EXTENSION_VERSION,
        "extension_types": ["property-extension"],
    }
