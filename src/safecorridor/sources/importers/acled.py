"""ACLED CSV: the columns as ACLED spells them, plus SafeCorridor's own (``sc_*``) on re-import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from safecorridor import taxonomy
from safecorridor.sources.importers.common import (
    RowValueError,
    from_spreadsheet_safe,
    parse_date,
    parse_float,
    parse_int,
    read_csv,
    text_or_none,
)
from safecorridor.sources.importers.store import Parsed, absent_fields, parse_rows

ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
REQUIRED = ("event_date", "event_type", "latitude", "longitude")
# what SafeCorridor adds to an ACLED-style export, so that a re-import loses nothing
SC_COLUMNS = [
    "sc_source_dataset",
    "sc_date_precision",
    "sc_claimed_by",
    "sc_target_category",
    "sc_foreign_fatalities",
    "sc_foreign_nationality",
    "sc_injured",
    "sc_abducted",
    "sc_credibility",
    "sc_tlp",
    "sc_source_urls",
    "sc_extra",
]
_TEXT = [
    "disorder_type",
    "assoc_actor_1",
    "inter1",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "source",
    "source_scale",
    "notes",
    "tags",
]


#: the columns each field is read from (a file without any of them leaves the field out, and
#: a re-import keeps what is stored in it)
COLUMNS_OF: dict[str, tuple[str, ...]] = {
    **{name: (name,) for name in _TEXT},
    "date_precision": ("sc_date_precision", "time_precision"),
    "sub_event_type": ("sub_event_type",),
    "actor1": ("actor1",),
    "actor2": ("actor2",),
    "geo_precision": ("geo_precision",),
    "fatalities": ("fatalities",),
    "target_category": ("civilian_targeting", "sc_target_category"),
    "extra": ("timestamp", "sc_extra"),
    **{
        name: (f"sc_{name}",)
        for name in (
            "claimed_by",
            "foreign_nationality",
            "credibility",
            "tlp",
            "foreign_fatalities",
            "injured",
            "abducted",
            "source_urls",
        )
    },
}
#: fields an empty cell leaves at their default rather than empty (they are never empty)
_NEVER_EMPTY = ("credibility", "tlp")


def row_to_incident(row: dict[str, str], *, dayfirst: bool = True) -> dict[str, Any]:
    # our own export writes "'=..." for a text a spreadsheet would run as a formula
    g = {k: from_spreadsheet_safe(v) if isinstance(v, str) else v for k, v in row.items()}.get
    data: dict[str, Any] = {name: text_or_none(g(name)) for name in _TEXT}
    data["event_date"] = parse_date(g("event_date", ""), column="event_date", dayfirst=dayfirst)
    if g("sc_date_precision"):
        data["date_precision"] = g("sc_date_precision")
    else:
        tp = parse_int(g("time_precision"), column="time_precision")
        data["date_precision"] = taxonomy.precision_from_acled(tp)
    data["event_type"] = g("event_type", "")
    data["sub_event_type"] = text_or_none(g("sub_event_type"))
    data["actor1"] = text_or_none(g("actor1"))
    data["actor2"] = text_or_none(g("actor2"))
    data["latitude"] = parse_float(g("latitude"), column="latitude")
    data["longitude"] = parse_float(g("longitude"), column="longitude")
    gp = parse_int(g("geo_precision"), column="geo_precision")
    data["geo_precision"] = gp if gp in (1, 2, 3) else 1
    data["fatalities"] = parse_int(g("fatalities"), column="fatalities")
    data["target_category"] = None
    if data["civilian_targeting"] and "civilian" in data["civilian_targeting"].lower():
        data["target_category"] = "civilians"
    extra: dict[str, Any] = {}
    if g("timestamp"):
        extra["acled_timestamp"] = g("timestamp", "").strip()
    # SafeCorridor's own columns, present in our exports
    if g("sc_extra"):
        try:
            extra = json.loads(g("sc_extra", "{}"))
        except json.JSONDecodeError as exc:
            raise RowValueError(f"sc_extra is not JSON: {exc}") from exc
    data["extra"] = extra
    # an empty cell of a column the file has says the value is unknown (None); the parser
    # leaves out the fields of columns it lacks
    for name in ("claimed_by", "foreign_nationality", "credibility", "tlp"):
        if g(f"sc_{name}") or name not in _NEVER_EMPTY:
            data[name] = text_or_none(g(f"sc_{name}"))
    if g("sc_target_category"):
        data["target_category"] = text_or_none(g("sc_target_category"))
    for name in ("foreign_fatalities", "injured", "abducted"):
        data[name] = parse_int(g(f"sc_{name}"), column=f"sc_{name}")
    if g("sc_source_urls"):
        data["source_urls"] = [u for u in g("sc_source_urls", "").split(" ") if u]
    data["source_dataset"] = text_or_none(g("sc_source_dataset")) or "acled"
    if g("event_id_cnty"):
        data["source_key"] = g("event_id_cnty", "").strip()
    return data


def parse(
    path: Path, *, encoding: str | None = None, dayfirst: bool = True, **_: Any
) -> Iterator[Parsed]:
    """Check the header now (raising ImportFormatError); return the parsed rows, lazily."""
    header, rows = read_csv(path, required=REQUIRED, encoding=encoding, fold_case=True)
    return parse_rows(
        rows,
        lambda values: row_to_incident(values, dayfirst=dayfirst),
        absent=absent_fields(header, COLUMNS_OF),
    )
