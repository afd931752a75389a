"""Incidents as columns of numpy arrays, read from the store or from a UCDP GED CSV file.

The risk engine never loops over incidents in Python after this point: every computation works
on these arrays.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from h3.api import basic_int as h3i
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecorridor.incidents.models import Incident
from safecorridor.sources.importers.common import read_maybe_gzip
from safecorridor.taxonomy.choices import IncidentStatus

# UCDP type_of_violence -> the ACLED event type used for severity.
UCDP_EVENT_TYPES = {
    "1": "Battles",  # state-based conflict
    "2": "Battles",  # non-state conflict
    "3": "Violence against civilians",  # one-sided violence
}

DateLike = Any  # a date, "YYYY-MM-DD" or np.datetime64


def to_day(value: DateLike) -> np.datetime64:
    """``value`` as a numpy day."""
    day: np.datetime64 = np.datetime64(value, "D")
    return day


@dataclass
class IncidentArrays:
    """One entry per incident in every array (same order)."""

    ids: np.ndarray  # int64
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64
    date: np.ndarray  # datetime64[D]
    created: np.ndarray  # datetime64[s]; NaT when unknown (CSV files)
    adm2: np.ndarray  # object (str); "" when unknown
    event_type: np.ndarray  # object (str)
    fatalities: np.ndarray  # float64, 0 when unknown
    foreign_target: np.ndarray  # bool: foreign nationals targeted or killed
    corridor_target: np.ndarray  # bool: a corridor project targeted
    label: np.ndarray  # object (str): place name for explanations

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def select(self, mask: np.ndarray) -> IncidentArrays:
        return IncidentArrays(**{f.name: getattr(self, f.name)[mask] for f in fields(self)})

    def known_at(self, as_of: DateLike, *, as_recorded: bool = False) -> np.ndarray:
        """Mask of the incidents before ``as_of``.

        With ``as_recorded``, also only those recorded by the end of that day (replays what
        the platform knew then; meaningless for history imported later, hence opt-in).
        """
        day = to_day(as_of)
        mask = self.date < day
        if as_recorded:
            end_of_day = day.astype("datetime64[s]") + np.timedelta64(86399, "s")
            recorded = ~np.isnat(self.created)
            mask &= ~recorded | (self.created <= end_of_day)
        return np.asarray(mask, dtype=bool)

    def between(self, start: DateLike, end: DateLike) -> np.ndarray:
        """Mask of the incidents with start <= event_date < end."""
        return np.asarray((self.date >= to_day(start)) & (self.date < to_day(end)), dtype=bool)

    def cells(self, resolution: int) -> np.ndarray:
        """H3 cell (int64) of each incident at ``resolution``."""
        return latlng_to_cells(self.lat, self.lon, resolution)


def latlng_to_cells(lat: np.ndarray, lon: np.ndarray, resolution: int) -> np.ndarray:
    fn = h3i.latlng_to_cell
    return np.fromiter(
        (fn(a, b, resolution) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)),
        dtype=np.int64,
        count=len(lat),
    )


def from_columns(
    *,
    lat: Any,
    lon: Any,
    date: Any,
    ids: Any = None,
    created: Any = None,
    adm2: Any = None,
    event_type: Any = None,
    fatalities: Any = None,
    foreign_target: Any = None,
    corridor_target: Any = None,
    label: Any = None,
) -> IncidentArrays:
    """Build arrays from columns; omitted columns get neutral defaults."""
    lat_a = np.asarray(lat, dtype=np.float64)
    n = lat_a.shape[0]

    def obj(values: Any, default: str) -> np.ndarray:
        if values is None:
            return np.full(n, default, dtype=object)
        return np.asarray(values, dtype=object)

    return IncidentArrays(
        ids=np.arange(n, dtype=np.int64) if ids is None else np.asarray(ids, dtype=np.int64),
        lat=lat_a,
        lon=np.asarray(lon, dtype=np.float64),
        date=np.asarray(date, dtype="datetime64[D]"),
        created=(
            np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
            if created is None
            else np.asarray(created, dtype="datetime64[s]")
        ),
        adm2=obj(adm2, ""),
        event_type=obj(event_type, "Battles"),
        fatalities=(
            np.zeros(n)
            if fatalities is None
            else np.nan_to_num(np.asarray(fatalities, dtype=float))
        ),
        foreign_target=(
            np.zeros(n, dtype=bool) if foreign_target is None else np.asarray(foreign_target, bool)
        ),
        corridor_target=(
            np.zeros(n, dtype=bool)
            if corridor_target is None
            else np.asarray(corridor_target, bool)
        ),
        label=obj(label, ""),
    )


def read_ucdp_csv(path: str | Path) -> IncidentArrays:
    """Read a UCDP GED CSV (HXL hashtag row skipped). Deaths are ``best``."""
    rows: dict[str, list[Any]] = {
        k: [] for k in ("id", "lat", "lon", "date", "adm2", "best", "type", "label")
    }
    text = read_maybe_gzip(Path(path)).decode("utf-8-sig")
    with io.StringIO(text, newline="") as fh:
        for row in csv.DictReader(fh):
            if (row.get("year") or "").startswith("#") or not row.get("latitude"):
                continue
            rows["id"].append(int(row["id"]))
            rows["lat"].append(float(row["latitude"]))
            rows["lon"].append(float(row["longitude"]))
            rows["date"].append(row["date_start"][:10])
            adm2 = (row.get("adm_2") or "").strip()
            rows["adm2"].append(adm2)
            rows["best"].append(float(row.get("best") or 0))
            rows["type"].append(UCDP_EVENT_TYPES.get(row.get("type_of_violence", ""), "Battles"))
            rows["label"].append((row.get("where_coordinates") or adm2).strip())
    return from_columns(
        ids=rows["id"],
        lat=rows["lat"],
        lon=rows["lon"],
        date=np.array(rows["date"], dtype="datetime64[D]"),
        adm2=rows["adm2"],
        event_type=rows["type"],
        fatalities=rows["best"],
        label=rows["label"],
    )


def _targets(value: str | None) -> set[str]:
    return {t.strip() for t in (value or "").split(",") if t.strip()}


#: the incident columns :func:`arrays_of_rows` reads; :func:`read_store` selects these
STORE_COLUMNS = (
    Incident.id,
    Incident.latitude,
    Incident.longitude,
    Incident.event_date,
    Incident.created_at,
    Incident.admin2,
    Incident.event_type,
    Incident.fatalities,
    Incident.foreign_fatalities,
    Incident.target_category,
    Incident.location,
)


def read_store(
    session: Session,
    *,
    source_dataset: str | None = None,
    as_of: date | None = None,
    since: date | None = None,
    as_recorded: bool = False,
) -> IncidentArrays:
    """Confirmed incidents from the store (optionally one dataset), before ``as_of``."""
    stmt = select(*STORE_COLUMNS).where(Incident.status == IncidentStatus.CONFIRMED)
    if source_dataset:
        stmt = stmt.where(Incident.source_dataset == source_dataset)
    if as_of is not None:
        stmt = stmt.where(Incident.event_date < as_of)
    if since is not None:
        stmt = stmt.where(Incident.event_date >= since)
    rows = session.execute(stmt.order_by(Incident.event_date, Incident.id)).all()
    arrays = arrays_of_rows(rows)
    if as_of is not None:
        arrays = arrays.select(arrays.known_at(as_of, as_recorded=as_recorded))
    return arrays


def arrays_of_rows(rows: Sequence[Any]) -> IncidentArrays:
    """Incident arrays of rows that hold (at least) the :data:`STORE_COLUMNS`, in order.

    Column by column (one ``zip`` of the rows); the targets are parsed once per distinct
    ``target_category`` text (a store holds a handful), days go through their ordinals.
    """
    if not rows:
        return from_columns(lat=[], lon=[], date=np.zeros(0, dtype="datetime64[D]"))
    columns = list(zip(*rows, strict=True))
    ids, lat, lon, day, created, adm2, kind, killed, foreign_killed, category, place = columns[
        : len(STORE_COLUMNS)
    ]
    n = len(rows)
    codes: dict[str | None, int] = {}
    code = np.fromiter((codes.setdefault(c, len(codes)) for c in category), np.int64, count=n)
    parsed = [_targets(text) for text in codes]
    foreign = np.array(["foreign_nationals" in t for t in parsed], dtype=bool)
    corridor = np.array(["corridor_project" in t for t in parsed], dtype=bool)
    adm2_text = [a or "" for a in adm2]
    return from_columns(
        ids=ids,
        lat=lat,
        lon=lon,
        date=_days(day),
        created=_seconds(created),
        adm2=adm2_text,
        event_type=kind,
        fatalities=[k or 0 for k in killed],
        foreign_target=foreign[code]
        | (np.fromiter((f or 0 for f in foreign_killed), np.float64, count=n) > 0),
        corridor_target=corridor[code],
        label=[p or a for p, a in zip(place, adm2_text, strict=True)],
    )


#: ``date(1970, 1, 1).toordinal()``
_EPOCH_ORDINAL = 719163


def _days(values: Sequence[date]) -> np.ndarray:
    """Dates as numpy days, through their ordinals (numpy converts date objects slowly)."""
    ords = np.fromiter((d.toordinal() for d in values), np.int64, count=len(values))
    return np.asarray(ords - _EPOCH_ORDINAL).astype("datetime64[D]")


def _seconds(values: Sequence[datetime | None]) -> np.ndarray:
    """Datetimes (their wall time; an aware one's offset dropped) as numpy seconds, NaT for
    ``None`` and anything else."""
    nat = np.iinfo(np.int64).min  # numpy's NaT

    def secs(d: Any) -> int:
        if not isinstance(d, datetime):
            return nat
        return (d.toordinal() - _EPOCH_ORDINAL) * 86400 + d.hour * 3600 + d.minute * 60 + d.second

    out = np.fromiter((secs(d) for d in values), np.int64, count=len(values))
    return out.astype("datetime64[s]")
