"""UCDP Georeferenced Event Dataset (GED) CSV, including HDX exports with an HXL hashtag row."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from safecorridor import taxonomy
from safecorridor.sources.importers.common import (
    RowValueError,
    parse_date,
    parse_float,
    parse_int,
    read_csv,
    text_or_none,
)
from safecorridor.sources.importers.store import Parsed, absent_fields, parse_rows

REQUIRED = ("id", "type_of_violence", "side_a", "side_b", "latitude", "longitude", "date_start")
_KEPT = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "low", "high")


@cache
def _mapping() -> dict[str, Any]:
    return taxonomy.load("ucdp_mapping")


#: the columns each field is read from (a file without any of them leaves the field out, and
#: a re-import keeps what is stored in it)
COLUMNS_OF: dict[str, tuple[str, ...]] = {
    "date_precision": ("date_prec",),
    "country": ("country",),
    "iso": ("iso3",),
    "region": ("region",),
    "admin1": ("adm_1",),
    "admin2": ("adm_2",),
    "location": ("where_coordinates",),
    "geo_precision": ("where_prec",),
    "fatalities": ("best",),
    "source": ("source_article", "source_headline"),
    "notes": ("source_headline",),
}


def row_to_incident(row: dict[str, str], *, dayfirst: bool = True) -> dict[str, Any]:
    g = row.get
    start = parse_date(g("date_start", ""), column="date_start", dayfirst=dayfirst)
    m = _mapping()
    tov = parse_int(g("type_of_violence"), column="type_of_violence")
    if tov not in m["type_of_violence"]:
        raise RowValueError(f"type_of_violence {g('type_of_violence')!r} is not 1, 2 or 3")
    event_type, sub = m["type_of_violence"][tov]
    prec = parse_int(g("date_prec"), column="date_prec") or 1
    where = parse_int(g("where_prec"), column="where_prec") or 1
    extra: dict[str, Any] = {k: parse_int(g(k), column=k) for k in _KEPT if g(k) not in (None, "")}
    extra["type_of_violence"] = tov
    if g("date_end"):
        end = parse_date(g("date_end", ""), column="date_end", dayfirst=dayfirst)
        if end < start:
            raise RowValueError(f"date_end {end} is before date_start {start}")
        extra["date_end"] = end.isoformat()
    if g("where_description"):
        extra["where_description"] = g("where_description", "").strip()
    if g("conflict_name"):
        extra["conflict_name"] = g("conflict_name", "").strip()
    return {
        "source_dataset": "ucdp",
        "source_key": (g("id") or "").strip() or None,
        "event_date": start,
        "date_precision": taxonomy.precision_from_ucdp(prec),
        "event_type": event_type,
        "sub_event_type": sub,
        "actor1": text_or_none(g("side_a")),
        "actor2": text_or_none(g("side_b")),
        "target_category": "civilians" if tov == 3 else None,
        "country": text_or_none(g("country")),
        "iso": text_or_none(g("iso3")),
        "region": text_or_none(g("region")),
        "admin1": text_or_none(g("adm_1")),
        "admin2": text_or_none(g("adm_2")),
        "location": text_or_none(g("where_coordinates")),
        "latitude": parse_float(g("latitude"), column="latitude"),
        "longitude": parse_float(g("longitude"), column="longitude"),
        "geo_precision": m["where_prec"].get(where, 3),
        "fatalities": parse_int(g("best"), column="best"),
        "source": text_or_none(g("source_article")) or text_or_none(g("source_headline")),
        "notes": text_or_none(g("source_headline")),
        "extra": extra,
    }


def parse(
    path: Path, *, encoding: str | None = None, dayfirst: bool = True, **_: Any
) -> Iterator[Parsed]:
    header, rows = read_csv(
        path, required=REQUIRED, encoding=encoding, skip_hxl=True, fold_case=True
    )
    return parse_rows(
        rows,
        lambda values: row_to_incident(values, dayfirst=dayfirst),
        absent=absent_fields(header, COLUMNS_OF),
    )
