"""The risk policy: every parameter of the engine, in a YAML or TOML file a user can copy.

The policy is identified by its ``version`` and by the SHA-256 of its canonical content (the
parsed document as sorted JSON), so comments and formatting do not change the hash but any
parameter does. Every computed result carries both.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from safecorridor.taxonomy.choices import RiskLevel

DEFAULT_POLICY_NAME = "default_policy.yaml"
LEVELS: tuple[RiskLevel, ...] = tuple(RiskLevel)


class PolicyError(ValueError):
    """The policy file is missing a parameter or has an impossible value."""


@dataclass(frozen=True)
class DecayComponent:
    half_life_days: float
    weight: float


@dataclass(frozen=True)
class Policy:
    """A parsed, validated risk policy. ``data`` is the raw document; ``sha256`` its hash."""

    data: dict[str, Any]
    sha256: str

    # --- accessors -------------------------------------------------------------------------
    @property
    def version(self) -> str:
        return str(self.data["version"])

    @property
    def resolution(self) -> int:
        return int(self.data["surface"]["resolution"])

    @property
    def incident_resolution(self) -> int:
        return int(self.data["surface"]["incident_resolution"])

    @property
    def decay_components(self) -> list[DecayComponent]:
        comps = [
            DecayComponent(float(c["half_life_days"]), float(c["weight"]))
            for c in self.data["decay"]["components"]
        ]
        total = sum(c.weight for c in comps)
        return [DecayComponent(c.half_life_days, c.weight / total) for c in comps]

    @property
    def bandwidth_km(self) -> float:
        return float(self.data["kernel"]["bandwidth_km"])

    @property
    def kernel_radius_km(self) -> float:
        return float(self.data["kernel"]["truncate"]) * self.bandwidth_km

    @property
    def severity(self) -> dict[str, Any]:
        return dict(self.data["severity"])

    @property
    def site(self) -> dict[str, Any]:
        return dict(self.data["site"])

    @property
    def route(self) -> dict[str, Any]:
        return dict(self.data["route"])

    def measures(self, level: str) -> dict[str, Any]:
        return dict(self.data["measures"][str(level)])

    def with_overrides(self, **changes: Any) -> Policy:
        """A copy with some parameters changed (dotted paths: ``kernel.bandwidth_km=10``).

        ``decay_half_lives=[(365, 0.5), (90, 0.5)]`` replaces the decay components.
        """
        data = copy.deepcopy(self.data)
        for key, value in changes.items():
            if key == "decay_half_lives":
                data["decay"]["components"] = [
                    {"half_life_days": float(h), "weight": float(w)} for h, w in value
                ]
                continue
            node = data
            parts = key.split("__") if "__" in key else key.split(".")
            for part in parts[:-1]:
                node = node[part]
            node[parts[-1]] = value
        return policy_from_dict(data)


def _canonical_hash(data: dict[str, Any]) -> str:
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _require(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise PolicyError(f"policy has no {path!r}")
        node = node[part]
    return node


def _validate(data: dict[str, Any]) -> None:
    for path in (
        "version",
        "surface.resolution",
        "surface.incident_resolution",
        "severity.event_types",
        "decay.components",
        "kernel.bandwidth_km",
        "kernel.truncate",
        "site.vulnerability",
        "site.exposure",
        "site.thresholds",
        "route.thresholds",
        "measures",
    ):
        _require(data, path)
    res = int(data["surface"]["resolution"])
    if not 0 <= res <= 15 or res > int(data["surface"]["incident_resolution"]):
        raise PolicyError("surface.resolution must be 0..15 and <= incident_resolution")
    comps = data["decay"]["components"]
    if not comps or any(float(c["half_life_days"]) <= 0 for c in comps):
        raise PolicyError("decay.components need positive half_life_days")
    if sum(float(c["weight"]) for c in comps) <= 0:
        raise PolicyError("decay component weights must sum to more than 0")
    if float(data["kernel"]["bandwidth_km"]) <= 0 or float(data["kernel"]["truncate"]) <= 0:
        raise PolicyError("kernel.bandwidth_km and kernel.truncate must be positive")
    for section in ("site", "route"):
        th = data[section]["thresholds"]
        missing = [lvl for lvl in LEVELS if lvl not in th]
        if missing:
            raise PolicyError(f"{section}.thresholds lacks {', '.join(missing)}")
        values = [float(th[lvl]) for lvl in LEVELS]
        if any(b < a for a, b in itertools.pairwise(values)) or any(math.isnan(v) for v in values):
            raise PolicyError(f"{section}.thresholds must rise from low to critical")
    missing = [lvl for lvl in LEVELS if lvl not in data["measures"]]
    if missing:
        raise PolicyError(f"measures lacks {', '.join(missing)}")


def policy_from_dict(data: dict[str, Any]) -> Policy:
    _validate(data)
    return Policy(data=data, sha256=_canonical_hash(data))


def default_policy_text() -> str:
    return resources.files("safecorridor.risk").joinpath(DEFAULT_POLICY_NAME).read_text("utf-8")


def load_policy(path: str | Path | None = None) -> Policy:
    """Load a policy file (``.yaml``/``.yml`` or ``.toml``); None loads the shipped default."""
    if path is None:
        data = yaml.safe_load(default_policy_text())
    else:
        p = Path(path)
        text = p.read_text("utf-8")
        data = tomllib.loads(text) if p.suffix.lower() == ".toml" else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise PolicyError("a policy is a mapping")
    return policy_from_dict(data)


def band(score: float, thresholds: dict[str, Any]) -> RiskLevel:
    """The highest level whose threshold the score reaches."""
    level = RiskLevel.LOW
    for lvl in LEVELS:
        if score >= float(thresholds[lvl]):
            level = lvl
    return level
