"""The risk policy: every parameter of the engine, in a YAML or TOML file a user can copy.

The policy is identified by its ``version`` and by the SHA-256 of its canonical content (the
parsed document as sorted JSON), so comments and formatting do not change the hash but any
parameter does. Every computed result carries both.

Sections (the shipped file, ``default_policy.yaml``, explains each one):

* ``surface``, ``severity``, ``decay``, ``kernel``: the threat surface (a ranking of places);
  each decay component may have its own kernel bandwidth.
* ``layers.corridor``: the extra weight of incidents that targeted foreign nationals or a
  corridor project, kept apart from the surface as the named layer "threat to the corridor".
* ``probability``: the fitted models that turn the incidents near a place into the
  probability of at least one incident (any, or fatal) within ``radius_km`` in the next 30
  and 90 days (``risk.probability``).
* ``levels``: the probability bands that define ``low`` ... ``critical``.
* ``site``, ``route``, ``measures``: site and route scoring, the measures each level requires.
* ``recalibrate`` (optional): whether served figures refit the surface and probability
  parameters each quarter on the reader's own history (``risk.calibrate.served_policy``).
* ``calibration`` (optional): how the parameters were fitted (``risk calibrate``), on what data.
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
#: the probabilities every result carries: (event, horizon in days)
OUTCOMES: tuple[tuple[str, int], ...] = (("any", 30), ("any", 90), ("fatal", 30), ("fatal", 90))
EVENT_WORDS = {"any": "an incident", "fatal": "a fatal incident"}


class PolicyError(ValueError):
    """The policy file is missing a parameter or has an impossible value."""


def outcome_key(event: str, horizon_days: int) -> str:
    """``any_30``, ``fatal_90``, ...: the name of a probability model in the policy."""
    return f"{event}_{int(horizon_days)}"


@dataclass(frozen=True)
class DecayComponent:
    """One memory of the surface: weight x 0.5 ** (age / half-life), spread with its own
    Gaussian kernel of ``bandwidth_km``."""

    half_life_days: float
    weight: float
    bandwidth_km: float


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
        """The components with weights normalised to sum 1."""
        default_bw = float(self.data["kernel"]["bandwidth_km"])
        comps = [
            DecayComponent(
                float(c["half_life_days"]),
                float(c["weight"]),
                float(c.get("bandwidth_km", default_bw)),
            )
            for c in self.data["decay"]["components"]
        ]
        total = sum(c.weight for c in comps)
        return [DecayComponent(c.half_life_days, c.weight / total, c.bandwidth_km) for c in comps]

    @property
    def bandwidth_km(self) -> float:
        """The default kernel bandwidth (components may set their own)."""
        return float(self.data["kernel"]["bandwidth_km"])

    @property
    def truncate(self) -> float:
        return float(self.data["kernel"]["truncate"])

    @property
    def kernel_radius_km(self) -> float:
        """The farthest any incident adds threat: truncate x the widest bandwidth."""
        return self.truncate * max(c.bandwidth_km for c in self.decay_components)

    @property
    def probability_radius_km(self) -> float:
        return float(self.data["probability"]["radius_km"])

    @property
    def reach_km(self) -> float:
        """How far an incident can change a figure (threat or probability): pad a box of
        interest by this much before reading the incidents for it."""
        return max(self.kernel_radius_km, self.probability_radius_km)

    @property
    def severity(self) -> dict[str, Any]:
        return dict(self.data["severity"])

    @property
    def corridor_layer(self) -> dict[str, Any]:
        """``layers.corridor``: multipliers of incidents that targeted the corridor."""
        layers = self.data.get("layers") or {}
        return dict(layers.get("corridor") or {})

    @property
    def probability(self) -> dict[str, Any]:
        return dict(self.data["probability"])

    @property
    def levels(self) -> dict[str, Any]:
        return dict(self.data["levels"])

    @property
    def level_outcome(self) -> str:
        """The probability the levels are bands of, e.g. ``fatal_90``."""
        lv = self.data["levels"]
        return outcome_key(str(lv["event"]), int(lv["horizon_days"]))

    @property
    def site(self) -> dict[str, Any]:
        return dict(self.data["site"])

    @property
    def route(self) -> dict[str, Any]:
        return dict(self.data["route"])

    @property
    def recalibrate_every(self) -> str:
        """``quarter`` or ``never`` (the default: a policy without the section is served as is)."""
        return str((self.data.get("recalibrate") or {}).get("every", "never"))

    @property
    def recalibrate_min_incidents(self) -> int:
        return int((self.data.get("recalibrate") or {}).get("min_incidents", 500))

    def measures(self, level: str) -> dict[str, Any]:
        return dict(self.data["measures"][str(level)])

    def level_for(self, probability: float) -> RiskLevel:
        """The level whose band holds ``probability`` (of the ``levels`` outcome)."""
        return band(probability, self.data["levels"]["bands"])

    def with_overrides(self, **changes: Any) -> Policy:
        """A copy with some parameters changed (dotted paths: ``kernel.bandwidth_km=10``).

        ``decay_half_lives=[(365, 0.5), (90, 0.5, 3.0)]`` replaces the decay components
        (half-life, weight[, bandwidth_km]).
        """
        data = copy.deepcopy(self.data)
        for key, value in changes.items():
            if key == "decay_half_lives":
                comps = []
                for item in value:
                    comp = {"half_life_days": float(item[0]), "weight": float(item[1])}
                    if len(item) > 2:
                        comp["bandwidth_km"] = float(item[2])
                    comps.append(comp)
                data["decay"]["components"] = comps
                continue
            node = data
            parts = key.split("__") if "__" in key else key.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = value
        return policy_from_dict(data)


def canonical_hash(data: dict[str, Any]) -> str:
    """SHA-256 of the document as sorted, compact JSON (comments and layout do not count)."""
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _require(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise PolicyError(f"policy has no {path!r}")
        node = node[part]
    return node


def _number(value: Any, what: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise PolicyError(f"{what} must be a number, not {value!r}") from None
    if math.isnan(out) or math.isinf(out):
        raise PolicyError(f"{what} must be finite")
    return out


def _validate_model(name: str, model: Any, n_features: int) -> None:
    if not isinstance(model, dict):
        raise PolicyError(f"probability.models.{name} must be a mapping")
    for key in ("intercept", "coef", "iso_x", "iso_y"):
        if key not in model:
            raise PolicyError(f"probability.models.{name} has no {key!r}")
    _number(model["intercept"], f"probability.models.{name}.intercept")
    coef = model["coef"]
    if not isinstance(coef, list) or len(coef) != n_features:
        raise PolicyError(f"probability.models.{name}.coef needs {n_features} numbers")
    for c in coef:
        _number(c, f"probability.models.{name}.coef")
    xs, ys = model["iso_x"], model["iso_y"]
    if not isinstance(xs, list) or not isinstance(ys, list) or len(xs) != len(ys) or not xs:
        raise PolicyError(f"probability.models.{name}: iso_x and iso_y need the same length")
    x = [_number(v, f"probability.models.{name}.iso_x") for v in xs]
    y = [_number(v, f"probability.models.{name}.iso_y") for v in ys]
    if any(b < a for a, b in itertools.pairwise(x)) or any(b < a for a, b in itertools.pairwise(y)):
        raise PolicyError(f"probability.models.{name}: iso_x and iso_y must not decrease")
    if y[0] < 0 or y[-1] > 1:
        raise PolicyError(f"probability.models.{name}: iso_y are probabilities (0..1)")


#: ``recalibrate.every``: how often served figures refit the policy on the reader's history
RECALIBRATE_EVERY = ("quarter", "never")


def _validate(data: dict[str, Any]) -> None:
    for path in (
        "version",
        "surface.resolution",
        "surface.incident_resolution",
        "severity.event_types",
        "decay.components",
        "kernel.bandwidth_km",
        "kernel.truncate",
        "probability.radius_km",
        "probability.windows_days",
        "probability.models",
        "levels.event",
        "levels.horizon_days",
        "levels.bands",
        "site.vulnerability",
        "site.exposure",
        "route",
        "measures",
    ):
        _require(data, path)
    res = int(data["surface"]["resolution"])
    if not 0 <= res <= 15 or res > int(data["surface"]["incident_resolution"]):
        raise PolicyError("surface.resolution must be 0..15 and <= incident_resolution")
    comps = data["decay"]["components"]
    if not isinstance(comps, list) or not comps:
        raise PolicyError("decay.components must be a list of components")
    for c in comps:
        if _number(c.get("half_life_days"), "decay half_life_days") <= 0:
            raise PolicyError("decay.components need positive half_life_days")
        if _number(c.get("weight"), "decay weight") < 0:
            raise PolicyError("decay component weights must not be negative")
        if "bandwidth_km" in c and _number(c["bandwidth_km"], "decay bandwidth_km") <= 0:
            raise PolicyError("decay component bandwidth_km must be positive")
    if sum(float(c["weight"]) for c in comps) <= 0:
        raise PolicyError("decay component weights must sum to more than 0")
    if _number(data["kernel"]["bandwidth_km"], "kernel.bandwidth_km") <= 0 or (
        _number(data["kernel"]["truncate"], "kernel.truncate") <= 0
    ):
        raise PolicyError("kernel.bandwidth_km and kernel.truncate must be positive")
    layer = (data.get("layers") or {}).get("corridor") or {}
    for key in ("foreign_target", "corridor_target"):
        if key in layer and _number(layer[key], f"layers.corridor.{key}") < 1:
            raise PolicyError(f"layers.corridor.{key} is a multiplier of at least 1")
    prob = data["probability"]
    if not 0 < _number(prob["radius_km"], "probability.radius_km") <= 500:
        raise PolicyError("probability.radius_km must be in (0, 500]")
    windows = prob["windows_days"]
    if not isinstance(windows, list) or not windows or any(int(w) <= 0 for w in windows):
        raise PolicyError("probability.windows_days must be a list of positive day counts")
    models = prob["models"]
    if not isinstance(models, dict):
        raise PolicyError("probability.models must be a mapping")
    for event, horizon in OUTCOMES:
        name = outcome_key(event, horizon)
        if name not in models:
            raise PolicyError(f"probability.models lacks {name}")
        _validate_model(name, models[name], len(windows))
    lv = data["levels"]
    if str(lv["event"]) not in EVENT_WORDS:
        raise PolicyError("levels.event must be 'any' or 'fatal'")
    if outcome_key(str(lv["event"]), int(lv["horizon_days"])) not in models:
        raise PolicyError("levels.event and levels.horizon_days must name a probability model")
    bands = lv["bands"]
    missing = [lvl for lvl in LEVELS if lvl not in bands]
    if missing:
        raise PolicyError(f"levels.bands lacks {', '.join(missing)}")
    values = [_number(bands[lvl], f"levels.bands.{lvl}") for lvl in LEVELS]
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise PolicyError("levels.bands must rise strictly from low to critical")
    if values[0] != 0 or values[-1] > 1:
        raise PolicyError("levels.bands are probabilities: low starts at 0, critical <= 1")
    missing = [lvl for lvl in LEVELS if lvl not in data["measures"]]
    if missing:
        raise PolicyError(f"measures lacks {', '.join(missing)}")
    recal = data.get("recalibrate")
    if recal is not None:
        if not isinstance(recal, dict) or recal.get("every") not in RECALIBRATE_EVERY:
            raise PolicyError(f"recalibrate.every must be one of {', '.join(RECALIBRATE_EVERY)}")
        if int(_number(recal.get("min_incidents", 0), "recalibrate.min_incidents")) < 30:
            raise PolicyError("recalibrate.min_incidents must be at least 30")


def policy_from_dict(data: dict[str, Any]) -> Policy:
    _validate(data)
    return Policy(data=data, sha256=canonical_hash(data))


def default_policy_text() -> str:
    return resources.files("safecorridor.risk").joinpath(DEFAULT_POLICY_NAME).read_text("utf-8")


def parse_policy_text(text: str, *, toml: bool = False) -> Policy:
    """A policy from the text of a YAML (or TOML) document."""
    try:
        data = tomllib.loads(text) if toml else yaml.safe_load(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"the policy is not valid {'TOML' if toml else 'YAML'}: {exc}") from exc
    if not isinstance(data, dict):
        raise PolicyError("a policy is a mapping")
    return policy_from_dict(data)


def load_policy(path: str | Path | None = None) -> Policy:
    """Load a policy file (``.yaml``/``.yml`` or ``.toml``); None loads the shipped default."""
    if path is None:
        return _shipped()
    p = Path(path)
    return parse_policy_text(p.read_text("utf-8"), toml=p.suffix.lower() == ".toml")


_SHIPPED: list[Policy] = []


def _shipped() -> Policy:
    # parsed once per process: a Policy is immutable (frozen; callers copy with overrides)
    if not _SHIPPED:
        _SHIPPED.append(parse_policy_text(default_policy_text()))
    return _SHIPPED[0]


def band(score: float, thresholds: dict[str, Any]) -> RiskLevel:
    """The highest level whose threshold the score reaches."""
    level = RiskLevel.LOW
    for lvl in LEVELS:
        if score >= float(thresholds[lvl]):
            level = lvl
    return level


#: the comment written above each section by :func:`dump_policy`
SECTION_NOTES: dict[str, str] = {
    "version": (
        "SafeCorridor risk policy. Copy this file, edit it, and pass it with --policy FILE, or\n"
        "store it as the deployment's policy with `safecorridor risk policy activate FILE`.\n"
        "Every computed result records the policy's version and the SHA-256 of its content."
    ),
    "surface": (
        "H3 resolution of the threat surface (res 6: cells of ~36 km²) and of Incident.h3_cell."
    ),
    "severity": (
        "Each incident adds severity x decay x kernel(distance) to every cell within reach.\n"
        "severity = event type weight x (1 + fatality_weight x ln(1 + fatalities))."
    ),
    "decay": (
        "The memories of the surface: each component weighs an incident by\n"
        "weight x 0.5 ** (age / half_life_days) (weights are normalised to sum 1) and spreads\n"
        "it with its own Gaussian kernel (bandwidth_km; kernel.bandwidth_km when absent).\n"
        "A bandwidth well under the cell spacing (~6.4 km at res 6) keeps a memory in its cell."
    ),
    "kernel": "Gaussian exp(-d² / 2h²) between cell centres, nothing beyond truncate x h.",
    "layers": (
        "Threat to the corridor: a separate layer, not part of the surface above. An incident\n"
        "that targeted foreign nationals or a corridor project (site, convoy, workers) adds\n"
        "(multiplier - 1) x its weight to this layer; site scores use surface + layer."
    ),
    "probability": (
        "The chance of at least one incident (any_*) or fatal incident (fatal_*) within\n"
        "radius_km of a place in the next 30 or 90 days, from the incidents and fatal\n"
        "incidents within radius_km in each window before the date: a logistic regression on\n"
        "ln(1 + count), then an isotonic map (iso_x -> iso_y). Fitted by `risk calibrate`."
    ),
    "levels": (
        "A level is the band of one probability (event within the radius in horizon_days):\n"
        "a place is at a level from that band's lower bound upwards."
    ),
    "site": (
        "Site score = (threat + corridor layer) x vulnerability x exposure: a relative index\n"
        "for comparing sites and postures. A site's level is the band of its probability."
    ),
    "route": (
        "A route is sampled every sample_km; its level is the band of its riskiest stretch;\n"
        "segments of segment_km are ranked in the explanation."
    ),
    "measures": "What the policy requires for a movement at each level.",
    "recalibrate": (
        "Served figures follow the data: on the first day of each quarter (every: quarter) the\n"
        "surface and probability parameters above are fitted again, as `risk calibrate` fits\n"
        "them, on the incidents the reader may read before that day, when they number at least\n"
        "min_incidents; otherwise, or with every: never, the values above are served as they are."
    ),
    "calibration": "How this policy was fitted (`safecorridor risk calibrate`) and on what data.",
}

SECTION_ORDER = (
    "version",
    "surface",
    "severity",
    "decay",
    "kernel",
    "layers",
    "probability",
    "levels",
    "site",
    "route",
    "measures",
    "movements",
    "recalibrate",
    "calibration",
)


class _PlainDumper(yaml.SafeDumper):
    """Safe YAML without anchors and aliases (each section reads on its own)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_policy(data: dict[str, Any]) -> str:
    """The policy as YAML, a comment above each section (the hash ignores comments)."""
    keys = [k for k in SECTION_ORDER if k in data] + [k for k in data if k not in SECTION_ORDER]
    out: list[str] = []
    for key in keys:
        note = SECTION_NOTES.get(key)
        if note:
            out.extend(f"# {line}" if line else "#" for line in note.splitlines())
        value = data[key]
        out.append(
            yaml.dump(
                {key: value},
                Dumper=_PlainDumper,
                sort_keys=False,
                default_flow_style=None if isinstance(value, dict | list) else False,
                allow_unicode=True,
                width=100,
            ).rstrip()
        )
        out.append("")
    return "\n".join(out)
