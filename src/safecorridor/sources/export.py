"""Export of incidents to ACLED-style CSV (plus ``sc_*`` columns) and to JSON Lines.

Either file imports back (``import acled`` / ``import jsonl``) to the same records.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session, selectinload

from safecorridor import taxonomy
from safecorridor.incidents.models import Incident
from safecorridor.incidents.service import IncidentFilter, filtered_query, to_create
from safecorridor.sharing.policy import Viewer
from safecorridor.sources.importers.acled import ACLED_COLUMNS, SC_COLUMNS
from safecorridor.sources.importers.common import spreadsheet_safe


def iter_incidents(
    session: Session,
    flt: IncidentFilter | None = None,
    chunk: int = 1000,
    *,
    viewer: Viewer | None = None,
) -> Iterator[Incident]:
    """Incidents oldest first; only those ``viewer`` may read when given (see sharing.policy)."""
    q = (
        filtered_query(session, flt or IncidentFilter(), viewer=viewer)
        .order_by(Incident.event_date, Incident.id)
        .options(
            selectinload(Incident.actor1),
            selectinload(Incident.actor2),
            selectinload(Incident.claimed_by),
            selectinload(Incident.documents),
        )
        .execution_options(yield_per=chunk)
    )
    yield from session.scalars(q)


def acled_row(incident: Incident) -> dict[str, Any]:
    d = to_create(incident)
    row: dict[str, Any] = {c: d.get(c) for c in ACLED_COLUMNS if c in d}
    row["event_id_cnty"] = incident.source_key
    row["event_date"] = incident.event_date.isoformat()
    row["year"] = incident.event_date.year
    row["time_precision"] = taxonomy.acled_time_precision(incident.date_precision)
    row["actor1"] = d["actor1"]
    row["actor2"] = d["actor2"]
    row["timestamp"] = (incident.extra or {}).get("acled_timestamp", "")
    row.update(
        sc_source_dataset=incident.source_dataset,
        sc_date_precision=incident.date_precision,
        sc_claimed_by=d["claimed_by"],
        sc_target_category=incident.target_category,
        sc_foreign_fatalities=incident.foreign_fatalities,
        sc_foreign_nationality=incident.foreign_nationality,
        sc_injured=incident.injured,
        sc_abducted=incident.abducted,
        sc_credibility=incident.credibility,
        sc_tlp=incident.tlp,
        sc_source_urls=" ".join(d["source_urls"]),
        sc_extra=json.dumps(incident.extra or {}, sort_keys=True, ensure_ascii=False),
    )
    return {k: ("" if v is None else v) for k, v in row.items()}


def write_csv(
    session: Session,
    out: IO[str],
    flt: IncidentFilter | None = None,
    *,
    viewer: Viewer | None = None,
) -> int:
    writer = csv.DictWriter(out, fieldnames=ACLED_COLUMNS + SC_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    n = 0
    for incident in iter_incidents(session, flt, viewer=viewer):
        # a partner opens the file in a spreadsheet: no cell of text may run as a formula
        writer.writerow({k: spreadsheet_safe(v) for k, v in acled_row(incident).items()})
        n += 1
    return n


def jsonl_record(incident: Incident) -> dict[str, Any]:
    d = to_create(incident)
    d["source_dataset"] = incident.source_dataset
    d["source_key"] = incident.source_key
    d["event_date"] = incident.event_date.isoformat()
    return {k: v for k, v in d.items() if v is not None and v != [] and v != {}}


def write_jsonl(
    session: Session,
    out: IO[str],
    flt: IncidentFilter | None = None,
    *,
    viewer: Viewer | None = None,
) -> int:
    n = 0
    for incident in iter_incidents(session, flt, viewer=viewer):
        out.write(json.dumps(jsonl_record(incident), ensure_ascii=False, sort_keys=True) + "\n")
        n += 1
    return n


def export_file(
    session: Session,
    fmt: str,
    path: Path,
    flt: IncidentFilter | None = None,
    *,
    viewer: Viewer | None = None,
) -> int:
    """Write incidents to ``path`` as ``csv`` or ``jsonl``; returns how many."""
    writers = {"csv": write_csv, "jsonl": write_jsonl}
    if fmt not in writers:
        raise ValueError(f"unknown export format {fmt!r}; one of: csv, jsonl")
    with path.open("w", encoding="utf-8", newline="") as out:
        return writers[fmt](session, out, flt, viewer=viewer)
