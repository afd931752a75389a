"""TLP 2.0 as the official STIX 2.1 marking-definition objects and as MISP tags.

The five marking definitions are the ones OASIS publishes for TLP 2.0 (fixed ids, created
2022-10-01, the ``tlp_2_0`` property extension); a consumer recognises them by id. MISP marks
events with the ``tlp:`` taxonomy's tags (``tlp:amber+strict`` and so on).
"""

from __future__ import annotations

from typing import Any

from safecorridor.taxonomy.choices import TLP

#: the extension definition under which the TLP 2.0 marking definitions carry their level
TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

MARKING_IDS: dict[TLP, str] = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
TLP_OF_MARKING: dict[str, TLP] = {v: k for k, v in MARKING_IDS.items()}

#: TLP 1.0 definitions of the STIX 2.1 specification, read as their TLP 2.0 successors
TLP1_MARKING_IDS: dict[str, TLP] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLP.CLEAR,  # white
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLP.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLP.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLP.RED,
}

MISP_TAGS: dict[TLP, str] = {
    TLP.CLEAR: "tlp:clear",
    TLP.GREEN: "tlp:green",
    TLP.AMBER: "tlp:amber",
    TLP.AMBER_STRICT: "tlp:amber+strict",
    TLP.RED: "tlp:red",
}
#: MISP tags (TLP 2.0, and TLP 1.0's ``tlp:white``) to our marking
TLP_OF_MISP_TAG: dict[str, TLP] = {
    **{v: k for k, v in MISP_TAGS.items()},
    "tlp:white": TLP.CLEAR,
    "tlp:ex:chr": TLP.RED,
}


def marking_definition(tlp: str) -> dict[str, Any]:
    """The official TLP 2.0 marking-definition object of ``tlp`` as STIX 2.1 JSON."""
    level = TLP(tlp)
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": MARKING_IDS[level],
        "created": "2022-10-01T00:00:00.000Z",
        "name": f"TLP:{level.value}",
        "extensions": {
            TLP2_EXTENSION_ID: {
                "extension_type": "property-extension",
                "tlp_2_0": level.value.lower(),
            }
        },
    }


def tlp_of_refs(refs: list[str] | None) -> TLP | None:
    """The strictest TLP among marking ids (TLP 2.0 or 1.0); None when none is a TLP marking."""
    found = [TLP_OF_MARKING.get(r) or TLP1_MARKING_IDS.get(r) for r in refs or []]
    levels = [t for t in found if t is not None]
    if not levels:
        return None
    order = list(TLP)
    return max(levels, key=order.index)


def tlp_of_misp_tags(tags: list[str]) -> TLP | None:
    """The strictest TLP among MISP tag names; None when there is no TLP tag."""
    levels = [
        TLP_OF_MISP_TAG[t.strip().lower()] for t in tags if t.strip().lower() in TLP_OF_MISP_TAG
    ]
    if not levels:
        return None
    order = list(TLP)
    return max(levels, key=order.index)
