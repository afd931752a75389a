"""Global Terrorism Database CSV. Day or month 0 means unknown: the date is kept at month or
year precision (the first day of the period)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from safecorridor import taxonomy
from safecorridor.sources.importers.common import (
    RowValueError,
    parse_float,
    parse_int,
    read_csv,
    text_or_none,
)
from safecorridor.sources.importers.store import Parsed, absent_fields, parse_rows
from safecorridor.taxonomy.choices import DatePrecision

REQUIRED = ("eventid", "iyear", "imonth", "iday", "latitude", "longitude", "attacktype1_txt")


@cache
def _mapping() -> dict[str, Any]:
    return taxonomy.load("gtd_mapping")


def gtd_date(year: int | None, month: int | None, day: int | None) -> tuple[date, DatePrecision]:
    if not year:
        raise RowValueError("iyear is empty")
    if not month:
        return date(year, 1, 1), DatePrecision.YEAR
    if not day:
        return date(year, month, 1), DatePrecision.MONTH
    try:
        return date(year, month, day), DatePrecision.DAY
    except ValueError as exc:
        raise RowValueError(f"iyear/imonth/iday {year}-{month}-{day} is not a date") from exc


#: the columns each field is read from (a file without any of them leaves the field out, and
#: a re-import keeps what is stored in it)
COLUMNS_OF: dict[str, tuple[str, ...]] = {
    "actor1": ("gname",),
    "claimed_by": ("gname",),
    "target_category": ("targtype1_txt",),
    "country": ("country_txt",),
    "region": ("region_txt",),
    "admin1": ("provstate",),
    "location": ("city",),
    "geo_precision": ("specificity",),
    "fatalities": ("nkill",),
    "injured": ("nwound",),
    "abducted": ("nhostkid",),
    "foreign_nationality": ("natlty1_txt",),
    "notes": ("summary",),
    "source": ("scite1", "scite2", "scite3"),
}


def row_to_incident(row: dict[str, str]) -> dict[str, Any]:
    g = row.get
    m = _mapping()
    year = parse_int(g("iyear"), column="iyear")
    event_date, precision = gtd_date(
        year, parse_int(g("imonth"), column="imonth"), parse_int(g("iday"), column="iday")
    )
    attack = (g("attacktype1_txt") or "Unknown").strip()
    if attack not in m["attack_types"]:
        raise RowValueError(f"attacktype1_txt {attack!r} is not a GTD attack type")
    event_type, sub = m["attack_types"][attack]
    target = (g("targtype1_txt") or "Unknown").strip()
    if attack == "Armed Assault" and target in m["armed_clash_targets"]:
        event_type, sub = "Battles", "Armed clash"
    if sub == "Remote explosive/landmine/IED" and (g("suicide") or "").strip() == "1":
        sub = "Suicide bomb"
    targets = [m["target_types"].get(target, "other")]
    natl = text_or_none(g("natlty1_txt"))
    country = text_or_none(g("country_txt"))
    if natl and country and natl != country and natl != "Unknown":
        targets.append("foreign_nationals")
    spec = parse_int(g("specificity"), column="specificity")
    group = text_or_none(g("gname"))
    if group and group.lower() == "unknown":
        group = None
    claimed = (g("claimed") or "").strip() == "1"
    return {
        "source_dataset": "gtd",
        "source_key": (g("eventid") or "").strip() or None,
        "event_date": event_date,
        "date_precision": precision,
        "event_type": event_type,
        "sub_event_type": sub,
        "actor1": group,
        "claimed_by": group if claimed else None,
        "target_category": ",".join(dict.fromkeys(targets)),
        "country": country,
        "region": text_or_none(g("region_txt")),
        "admin1": text_or_none(g("provstate")),
        "location": text_or_none(g("city")),
        "latitude": parse_float(g("latitude"), column="latitude"),
        "longitude": parse_float(g("longitude"), column="longitude"),
        "geo_precision": m["specificity"].get(spec, 3) if spec else 1,
        "fatalities": parse_int(g("nkill"), column="nkill"),
        "injured": parse_int(g("nwound"), column="nwound"),
        "abducted": parse_int(g("nhostkid"), column="nhostkid"),
        "foreign_nationality": natl if "foreign_nationals" in targets else None,
        "notes": text_or_none(g("summary")),
        "source": "; ".join(s for s in (text_or_none(g(f"scite{i}")) for i in (1, 2, 3)) if s)
        or None,
        "extra": {"gtd_attacktype": attack, "gtd_targtype": target},
    }


def parse(path: Path, *, encoding: str | None = None, **_: Any) -> Iterator[Parsed]:
    header, rows = read_csv(path, required=REQUIRED, encoding=encoding, fold_case=True)
    return parse_rows(rows, row_to_incident, absent=absent_fields(header, COLUMNS_OF))
