"""Any CSV through a column mapping: encodings, dialects, date order, totals and notes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from safecorridor.incidents.models import Incident
from safecorridor.sources.importers import ImportFormatError, import_file

MAPPING = {
    "event_date": "Date",
    "location": "Place",
    "latitude": "Lat",
    "longitude": "Lon",
    "fatalities": "Killed",
    "notes": "Remarks",
    "actor1": "Group",
}
DEFAULTS = {
    "event_type": "Violence against civilians",
    "sub_event_type": "Attack",
    "country": "Pakistan",
}

# a police log as spreadsheets save it: cp1252, semicolons, a multi-line remark, a totals row
POLICE_LOG = (
    "Date;Place;Lat;Lon;Killed;Group;Remarks\r\n"
    '05/04/2024;Turbat;26,0031;63,0544;2;BLF;"Gunmen fired on a labourers\' camp.\r\nTwo guards died — police."\r\n'
    "06/04/2024;Gwadar;25.1216;62.3254;0;BLA;Grenade thrown at a CPEC office gate\r\n"
    ";Monthly summary;;;;;\r\n"
    "Total;;;;2;;\r\n"
)


@pytest.fixture
def police_log(tmp_path: Path) -> Path:
    path = tmp_path / "police_log.csv"
    path.write_bytes(POLICE_LOG.encode("cp1252"))
    return path


def test_a_cp1252_semicolon_file_imports_through_the_mapping(
    engine: Engine, session: Session, police_log: Path
) -> None:
    report = import_file("csv", police_log, mapping=MAPPING, defaults=DEFAULTS, dayfirst=True)
    assert report.new == 2
    rows = {i.location: i for i in session.scalars(select(Incident))}
    turbat = rows["Turbat"]
    assert turbat.event_date == date(2024, 4, 5)  # day first
    assert (turbat.latitude, turbat.longitude) == (26.0031, 63.0544)  # decimal commas
    assert turbat.notes == "Gunmen fired on a labourers' camp.\r\nTwo guards died — police."
    assert turbat.source_dataset == "csv"
    assert turbat.actor1 is not None and turbat.actor1.name == "BLF"


def test_totals_and_note_rows_are_rejected_with_the_reason(
    engine: Engine, police_log: Path
) -> None:
    report = import_file("csv", police_log, mapping=MAPPING, defaults=DEFAULTS)
    reasons = {e.line: e.reason for e in report.errors}
    assert reasons[5].startswith("a note or heading")
    assert reasons[6] == "a totals row, not an event"


def test_month_first_dates_when_named(engine: Engine, session: Session, police_log: Path) -> None:
    import_file("csv", police_log, mapping=MAPPING, defaults=DEFAULTS, dayfirst=False)
    dates = sorted(i.event_date for i in session.scalars(select(Incident)))
    assert dates == [date(2024, 5, 4), date(2024, 6, 4)]


def test_reimport_through_the_mapping_adds_nothing(engine: Engine, police_log: Path) -> None:
    import_file("csv", police_log, mapping=MAPPING, defaults=DEFAULTS)
    again = import_file("csv", police_log, mapping=MAPPING, defaults=DEFAULTS)
    assert (again.new, again.unchanged) == (0, 2)


def test_a_mapping_file_works_like_options(
    engine: Engine, police_log: Path, tmp_path: Path
) -> None:
    mf = tmp_path / "map.yaml"
    mf.write_text(
        "map:\n"
        + "".join(f"  {k}: {v}\n" for k, v in MAPPING.items())
        + "defaults:\n"
        + "".join(f"  {k}: {v}\n" for k, v in DEFAULTS.items()),
        encoding="utf-8",
    )
    assert import_file("csv", police_log, mapping_file=mf).new == 2


@pytest.mark.parametrize(
    ("mapping", "defaults", "message"),
    [
        ({**MAPPING, "lattitude": "Lat"}, DEFAULTS, "unknown field(s) in the mapping: lattitude"),
        (
            {**MAPPING, "latitude": "Latitude"},
            DEFAULTS,
            "mapped column(s) not in the file: Latitude",
        ),
        (MAPPING, {}, "the mapping must give event_type"),
    ],
)
def test_a_wrong_mapping_is_refused_before_anything_is_stored(
    engine: Engine,
    session: Session,
    police_log: Path,
    mapping: dict[str, str],
    defaults: dict[str, str],
    message: str,
) -> None:
    with pytest.raises(ImportFormatError) as exc:
        import_file("csv", police_log, mapping=mapping, defaults=defaults)
    assert message in str(exc.value)
    assert session.scalar(select(Incident)) is None


def test_a_wrong_encoding_named_by_the_user_is_a_clear_error(
    engine: Engine, police_log: Path
) -> None:
    with pytest.raises(ImportFormatError, match="cannot be read as utf-8"):
        import_file("csv", police_log, mapping=MAPPING, defaults=DEFAULTS, encoding="utf-8")
