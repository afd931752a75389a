"""Any CSV, through a column mapping: ``--map event_date=Date --map latitude=Lat ...``.

Rows that are not records (totals, notes, section headings) are rejected with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from safecorridor.incidents.schemas import IncidentCreate
from safecorridor.sources.importers.common import (
    ImportFormatError,
    RowValueError,
    parse_date,
    parse_float,
    parse_int,
    read_csv,
    text_or_none,
)
from safecorridor.sources.importers.store import Parsed, parse_rows

FIELDS = set(IncidentCreate.model_fields) - {"extra", "source_urls"}
COUNT_FIELDS = {"fatalities", "foreign_fatalities", "injured", "abducted", "geo_precision"}
REQUIRED_FIELDS = ("event_date", "latitude", "longitude")
_TOTAL = re.compile(r"^\s*(grand\s+)?(sub)?totals?\b|^\s*sum\b", re.IGNORECASE)


def load_mapping_file(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """A YAML/JSON mapping file: ``{map: {field: column}, defaults: {field: value}}``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ImportFormatError(f"{path}: mapping file cannot be read: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("map"), dict):
        raise ImportFormatError(f"{path}: mapping file needs a 'map:' section of field: column")
    return {str(k): str(v) for k, v in data["map"].items()}, {
        str(k): str(v) for k, v in (data.get("defaults") or {}).items()
    }


def check_mapping(
    mapping: dict[str, str], defaults: dict[str, str], header: list[str], path: Path
) -> None:
    unknown = sorted((set(mapping) | set(defaults)) - FIELDS)
    if unknown:
        raise ImportFormatError(
            f"unknown field(s) in the mapping: {', '.join(unknown)} "
            f"(fields: {', '.join(sorted(FIELDS))})"
        )
    absent = sorted(c for c in mapping.values() if c not in header)
    if absent:
        raise ImportFormatError(f"{path}: mapped column(s) not in the file: {', '.join(absent)}")
    needed = [f for f in (*REQUIRED_FIELDS, "event_type") if f not in mapping and f not in defaults]
    if needed:
        raise ImportFormatError(
            f"the mapping must give {', '.join(needed)} "
            "(as --map FIELD=COLUMN or --default FIELD=VALUE)"
        )
    if "source_key" in mapping and not ({"source_dataset"} & (mapping.keys() | defaults.keys())):
        # every mapped file would share the dataset "csv": one agency's row 1 would overwrite
        # another's (keys are unique within a dataset, never across files of different origin)
        raise ImportFormatError(
            f"--map source_key={mapping['source_key']} needs the dataset its keys belong to: "
            "add --default source_dataset=NAME (one name per source of files; rows of another "
            "file with the same key and name are updated, never those of another name)"
        )


def not_a_record(values: dict[str, str], date_column: str) -> str | None:
    """Why a row is a total, a note or a heading rather than an event (None if it is a record)."""
    cells = [v.strip() for v in values.values() if v and v.strip()]
    if any(_TOTAL.match(c) for c in cells):
        return "a totals row, not an event"
    if not (values.get(date_column) or "").strip() and len(cells) <= 2:
        return f"a note or heading ({len(cells)} filled cell(s), no date), not an event"
    return None


def convert(
    values: dict[str, str], mapping: dict[str, str], defaults: dict[str, str], dayfirst: bool
) -> dict[str, Any]:
    reason = not_a_record(values, mapping.get("event_date", ""))
    if reason:
        raise RowValueError(reason)
    raw: dict[str, str | None] = {f: v for f, v in defaults.items()}
    for field, column in mapping.items():
        raw[field] = values.get(column)
    data: dict[str, Any] = {}
    for field, value in raw.items():
        col = mapping.get(field, f"default {field}")
        if field == "event_date":
            data[field] = parse_date(value or "", column=col, dayfirst=dayfirst)
        elif field in ("latitude", "longitude"):
            data[field] = parse_float(value, column=col)
        elif field in COUNT_FIELDS:
            data[field] = parse_int(value, column=col)
        else:
            data[field] = text_or_none(value)
    if data.get("geo_precision") is None:
        data.pop("geo_precision", None)
    data.setdefault("source_dataset", "csv")
    return data


def parse(
    path: Path,
    *,
    mapping: dict[str, str] | None = None,
    defaults: dict[str, str] | None = None,
    mapping_file: Path | None = None,
    dayfirst: bool = True,
    encoding: str | None = None,
    **_: Any,
) -> Iterator[Parsed]:
    mapping = dict(mapping or {})
    defaults = dict(defaults or {})
    if mapping_file:
        file_map, file_defaults = load_mapping_file(mapping_file)
        mapping = {**file_map, **mapping}
        defaults = {**file_defaults, **defaults}
    header, rows = read_csv(path, encoding=encoding)
    check_mapping(mapping, defaults, header, path)
    return parse_rows(rows, lambda values: convert(values, mapping, defaults, dayfirst))
