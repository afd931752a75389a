"""What real exports hold that a careless importer turns into wrong records: year-first dates
read day first, months and years completed with an invented day, two date orders in one
file, counts of "inf" or "2.7", events dated in the future, Western text in a code page the
detector guesses wrong, and mapped files whose keys collide across agencies."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from safecorridor.incidents.models import Incident
from safecorridor.review.choices import IngestStatus
from safecorridor.sources.importers import ImportFormatError, import_file
from safecorridor.sources.importers.common import RowValueError, decode, parse_date
from safecorridor.sources.ingest import ingest
from safecorridor.sources.models import IngestRun

HEADER = "event_id_cnty,event_date,event_type,sub_event_type,actor1,latitude,longitude,fatalities"
ROW = "Violence against civilians,Attack,BLA,25.12,62.32"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2024-3-12", date(2024, 3, 12)),
        ("2024/03/12", date(2024, 3, 12)),
        ("20240312", date(2024, 3, 12)),
        ("2024-03-12T00:00:00Z", date(2024, 3, 12)),
        ("12/03/2024", date(2024, 3, 12)),
        ("12.3.24", date(2024, 3, 12)),
        ("12 March 2024", date(2024, 3, 12)),
        ("March 12, 2024", date(2024, 3, 12)),
    ],
)
def test_whole_dates_in_any_common_form_are_read_right(text: str, day: date) -> None:
    assert parse_date(text, column="event_date") == day


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("March 2024", "not a whole date"),
        ("2024", "not a whole date"),
        ("Tuesday", "not a whole date"),
        ("7", "not a whole date"),
        ("03/26/2024", "--monthfirst"),  # month first in a day-first file
        ("2024-02-30", "not a valid date"),
    ],
)
def test_a_partial_or_misordered_date_is_refused_not_completed(text: str, why: str) -> None:
    with pytest.raises(RowValueError, match=why):
        parse_date(text, column="event_date")
    # month first, the misordered one reads; a day-first one is refused the same way
    assert parse_date("03/26/2024", column="d", dayfirst=False) == date(2024, 3, 26)
    with pytest.raises(RowValueError, match="without --monthfirst"):
        parse_date("26/03/2024", column="d", dayfirst=False)


def test_bad_counts_and_future_days_are_rows_refused_the_rest_stored(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                f"PAK1,2024-3-12,{ROW},2",
                f"PAK2,2024-03-13,{ROW},inf",
                f"PAK3,2024-03-14,{ROW},nan",
                f"PAK4,2024-03-15,{ROW},2.7",
                f"PAK5,2042-03-12,{ROW},1",
                f"PAK6,March 2024,{ROW},1",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    report = import_file("acled", path, today=date(2026, 12, 1))
    assert (report.new, report.rejected) == (1, 5)
    reasons = {e.line: e.reason for e in report.errors}
    assert "fatalities 'inf' is not a count" in reasons[3]
    assert "fatalities 'nan' is not a count" in reasons[4]
    assert "fatalities '2.7' is not a whole number" in reasons[5]
    assert "after today (2026-12-01)" in reasons[6]
    assert "not a whole date" in reasons[7]
    stored = session.scalars(select(Incident)).one()
    assert (stored.source_key, stored.event_date, stored.fatalities) == (
        "PAK1",
        date(2024, 3, 12),
        2,
    )


def test_a_western_code_page_file_is_read_as_windows_writes_it(tmp_path: Path) -> None:
    raw = "location,notes\nCafé Señor,‘quoted’ — dash\n".encode("cp1252")
    assert "Café Señor,‘quoted’ — dash" in decode(raw, tmp_path / "x.csv")
    # a text in another script keeps the detector's answer (Urdu in Windows' Arabic page)
    urdu = "شهر,نام\nكراچي,لاهور\nپشاور,كوئٹه\n".encode("cp1256")
    assert "كراچي" in decode(urdu, tmp_path / "u.csv")


def test_mapped_keys_need_the_dataset_they_belong_to(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    rows = "ID,Date,Lat,Lon,Type\n1,2024-03-01,25.1,62.3,Battles\n"
    a, b = tmp_path / "agency_a.csv", tmp_path / "agency_b.csv"
    a.write_text(rows, encoding="utf-8")
    b.write_text(rows.replace("25.1", "24.9"), encoding="utf-8")
    mapping = {
        "source_key": "ID",
        "event_date": "Date",
        "latitude": "Lat",
        "longitude": "Lon",
        "event_type": "Type",
    }
    with pytest.raises(ImportFormatError, match="--default source_dataset=NAME"):
        import_file("csv", a, mapping=mapping, defaults={})
    assert session.scalar(select(Incident)) is None
    for path, name in ((a, "agency-a"), (b, "agency-b")):
        report = import_file("csv", path, mapping=mapping, defaults={"source_dataset": name})
        assert report.new == 1
    kept = session.scalars(select(Incident.latitude).order_by(Incident.latitude)).all()
    assert kept == [24.9, 25.1]  # agency B's row 1 did not overwrite agency A's


def test_ucdp_end_before_start_is_refused(engine: Engine, session: Session, tmp_path: Path) -> None:
    path = tmp_path / "ged.csv"
    path.write_text(
        "id,type_of_violence,side_a,side_b,latitude,longitude,date_start,date_end,best\n"
        "1,1,Government of Pakistan,TTP,33.6,73.0,2014-07-12,2014-07-10,3\n"
        "2,1,Government of Pakistan,TTP,33.6,73.0,07/12/2014,07/12/2014,3\n",
        encoding="utf-8",
    )
    report = import_file("ucdp", path, dayfirst=False)
    assert report.rejected == 1 and "before date_start" in report.errors[0].reason
    assert session.scalars(select(Incident.event_date)).all() == [date(2014, 7, 12)]


def test_an_ingest_stopped_midway_is_not_recorded_as_succeeded(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for i in range(3):
        (folder / f"r{i}.txt").write_text(
            f"Report {i}. Gunmen attacked a checkpoint in Turbat on 3 March 2024, "
            f"killing {i + 2} soldiers.",
            encoding="utf-8",
        )
    seen: list[int] = []

    def stop_after_the_first(n: int) -> None:
        seen.append(n)
        if len(seen) == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest(engine=engine, sources=[str(folder)], on_progress=stop_after_the_first)
    run = session.scalars(select(IngestRun)).one()
    assert run.status == IngestStatus.INTERRUPTED
    assert any("running it again stores the rest" in e["error"] for e in run.errors)
