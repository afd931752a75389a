"""Made-up incident histories with a known law, for the calibration tests.

``store_history``: a hundred incidents in a store, some of them marked to be hidden from
other organisations (the served-policy tests).

``hotspots``: places that produce incidents at steady daily rates (a Poisson process each,
scattered a few km around the place) over a background of rare incidents anywhere in the
box. Nothing changes with time, so probabilities fitted on one period must hold on the next.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from sqlalchemy.orm import Session

from safecorridor.risk.data import IncidentArrays, from_columns
from tests.factories import create_incident

#: a box in Khyber Pakhtunkhwa (lat, lon)
BOX = ((33.0, 35.0), (70.5, 73.5))


def hotspots(
    *,
    seed: int = 1,
    start: str = "2008-01-01",
    end: str = "2017-01-01",
    n_spots: int = 14,
    background_per_year: float = 25.0,
) -> IncidentArrays:
    rng = np.random.default_rng(seed)
    (lat0, lat1), (lon0, lon1) = BOX
    days = int((np.datetime64(end) - np.datetime64(start)).astype(int))
    centres = np.column_stack(
        [rng.uniform(lat0 + 0.2, lat1 - 0.2, n_spots), rng.uniform(lon0 + 0.2, lon1 - 0.2, n_spots)]
    )
    rates = np.exp(rng.uniform(np.log(0.004), np.log(0.08), n_spots))  # per day
    counts = rng.poisson(rates * days)
    spot = np.repeat(np.arange(n_spots), counts)
    n_bg = int(rng.poisson(background_per_year * days / 365))
    lat = np.concatenate(
        [centres[spot, 0] + rng.normal(0, 0.04, len(spot)), rng.uniform(lat0, lat1, n_bg)]
    )
    lon = np.concatenate(
        [centres[spot, 1] + rng.normal(0, 0.04, len(spot)), rng.uniform(lon0, lon1, n_bg)]
    )
    n = len(lat)
    when = np.datetime64(start) + rng.integers(0, days, n).astype("timedelta64[D]")
    fatal = rng.random(n) < 0.7
    return from_columns(
        lat=lat,
        lon=lon,
        date=when,
        fatalities=np.where(fatal, 1 + rng.poisson(2, n), 0),
        event_type=rng.choice(["Battles", "Violence against civilians"], n),
        adm2=np.array([f"district {i}" for i in np.concatenate([spot, -np.ones(n_bg, int)])]),
        label=np.array(["somewhere"] * n),
    )


def store_history(
    s: Session,
    owner_org_id: int,
    *,
    n: int = 100,
    hidden: int = 40,
    tlp: str = "AMBER",
    seed: int = 7,
    prefix: str = "served",
) -> None:
    """``n`` incidents of ``owner_org_id`` at three places over 2019-2021 (committed), the
    first ``hidden`` of them marked ``tlp``, the others CLEAR."""
    rng = np.random.default_rng(seed)
    spots = [(25.2, 66.2), (30.2, 67.0), (34.0, 71.5)]
    for i in range(n):
        lat, lon = spots[i % 3]
        inc = create_incident(
            s,
            tlp=tlp if i < hidden else "CLEAR",
            event_date=date(2019, 1, 1) + timedelta(days=int(rng.integers(0, 1090))),
            latitude=lat + float(rng.normal(0, 0.05)),
            longitude=lon + float(rng.normal(0, 0.05)),
            fatalities=int(rng.integers(0, 3)),
            foreign_fatalities=None,
            foreign_nationality=None,
            source_key=f"{prefix}-{i}",
        )
        inc.owner_org_id = owner_org_id
    s.commit()
