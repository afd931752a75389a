"""A re-import that says less than the first, and the shapes real files come in.

A file without a column says nothing about that field: the stored value stays (an ACLED
download re-imported over our own export must not blank the claims and counts it lacks, nor
publish a record an agency marked AMBER). An empty cell does say the value is unknown. An
import never lowers a stored marking. Files: Excel's "sep=;" line, capitals in a dataset's
own header, a header naming a column twice, a row cut short, a cell of a megabyte, JSON
Lines in gzip or holding U+2028, and two imports of one file at the same time.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from safecorridor.incidents.models import Incident
from safecorridor.sources.importers import ImportFormatError, import_file

FULL = (
    "event_id_cnty,event_date,event_type,sub_event_type,actor1,latitude,longitude,fatalities,"
    "notes,sc_claimed_by,sc_injured,sc_tlp\n"
    "PAK1,2024-03-01,Explosions/Remote violence,Remote explosive/landmine/IED,"
    "Baloch Liberation Army,25.12,62.32,3,A blast on the coastal highway,"
    "Baloch Liberation Army,7,AMBER\n"
)


def _stored(session: Session, key: str = "PAK1") -> Incident:
    session.expire_all()
    return session.scalars(select(Incident).where(Incident.source_key == key)).one()


def test_a_file_with_fewer_columns_keeps_what_it_does_not_name(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    first = tmp_path / "ours.csv"
    first.write_text(FULL, encoding="utf-8")
    assert import_file("acled", first).new == 1
    before = _stored(session)
    claimed, actor = before.claimed_by_id, before.actor1_id
    assert claimed is not None and actor is not None

    # ACLED's own download of the same event: fewer columns, a revised toll
    theirs = tmp_path / "acled.csv"
    theirs.write_text(
        "event_id_cnty,event_date,event_type,latitude,longitude,fatalities\n"
        "PAK1,2024-03-01,Explosions/Remote violence,25.12,62.32,4\n",
        encoding="utf-8",
    )
    report = import_file("acled", theirs)
    assert (report.updated, report.rejected) == (1, 0)
    after = _stored(session)
    assert after.fatalities == 4  # what the file gives is taken
    assert (after.tlp, after.injured, after.notes) == ("AMBER", 7, "A blast on the coastal highway")
    assert (after.claimed_by_id, after.actor1_id) == (claimed, actor)
    assert after.sub_event_type == "Remote explosive/landmine/IED"
    # the same file again changes nothing
    assert import_file("acled", theirs).unchanged == 1


def test_an_empty_cell_of_a_column_the_file_has_says_unknown(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "ours.csv"
    path.write_text(FULL, encoding="utf-8")
    import_file("acled", path)
    path.write_text(FULL.replace(",Baloch Liberation Army,7,AMBER", ",,,AMBER"), encoding="utf-8")
    assert import_file("acled", path).updated == 1
    after = _stored(session)
    assert (after.claimed_by_id, after.injured, after.tlp) == (None, None, "AMBER")
    # an empty marking cell states no marking: the stored one stays
    path.write_text(FULL.replace(",AMBER\n", ",\n"), encoding="utf-8")
    import_file("acled", path)
    assert _stored(session).tlp == "AMBER"


def test_an_import_never_lowers_a_marking_and_stores_the_other_rows(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "ours.csv"
    path.write_text(FULL, encoding="utf-8")
    import_file("acled", path)
    lower = FULL.replace(",AMBER\n", ",CLEAR\n").replace(",3,", ",5,")
    second = lower.splitlines()[1].replace("PAK1", "PAK2")
    path.write_text(lower + second + "\n", encoding="utf-8")
    report = import_file("acled", path)
    assert (report.new, report.updated, report.rejected) == (1, 0, 1)
    why = report.errors[0]
    assert why.line == 2
    assert "CLEAR, lower than its stored marking AMBER" in why.reason
    kept = _stored(session)
    assert (kept.tlp, kept.fatalities) == ("AMBER", 3)  # nothing of the refused row is taken
    # a stricter marking is taken
    path.write_text(FULL.replace(",AMBER\n", ",RED\n"), encoding="utf-8")
    assert import_file("acled", path).updated == 1
    assert _stored(session).tlp == "RED"


def test_ucdp_and_gtd_files_without_a_count_column_keep_the_stored_count(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    ged = tmp_path / "ged.csv"
    base = "id,type_of_violence,side_a,side_b,latitude,longitude,date_start"
    ged.write_text(
        f"{base},best,adm_1\n1,1,Government of Pakistan,TTP,33.6,73.0,2014-07-12,9,Punjab\n",
        encoding="utf-8",
    )
    import_file("ucdp", ged)
    ged.write_text(
        f"{base},adm_1\n1,1,Government of Pakistan,TTP,33.6,73.0,2014-07-12,Islamabad\n",
        encoding="utf-8",
    )
    assert import_file("ucdp", ged).updated == 1
    stored = _stored(session, "1")
    assert (stored.fatalities, stored.admin1) == (9, "Islamabad")

    gtd = tmp_path / "gtd.csv"
    cols = "eventid,iyear,imonth,iday,latitude,longitude,attacktype1_txt"
    gtd.write_text(
        f"{cols},nkill,gname\n201401010001,2014,1,1,30.2,67.0,Bombing/Explosion,5,TTP\n",
        encoding="utf-8",
    )
    import_file("gtd", gtd)
    gtd.write_text(f"{cols}\n201401010001,2014,1,1,30.2,67.0,Bombing/Explosion\n", encoding="utf-8")
    import_file("gtd", gtd)
    stored = _stored(session, "201401010001")
    assert stored.fatalities == 5 and stored.actor1_id is not None


def test_a_json_lines_object_keeps_the_fields_it_leaves_out(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    record = {
        "source_dataset": "partner",
        "source_key": "P-1",
        "event_date": "2024-03-01",
        "event_type": "Battles",
        "latitude": 25.1,
        "longitude": 62.3,
        "fatalities": 2,
        "notes": "first line\u2028second line of the same note",
        "tlp": "GREEN",
    }
    path = tmp_path / "partner.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    report = import_file("jsonl", path)
    assert (report.new, report.rejected) == (1, 0)  # U+2028 inside a string ends no line
    assert _stored(session, "P-1").notes == "first line\u2028second line of the same note"
    slim = {k: record[k] for k in ("source_dataset", "source_key", "event_date", "event_type")}
    slim |= {"latitude": 25.1, "longitude": 62.3, "injured": 4}
    packed = tmp_path / "partner.jsonl.gz"
    packed.write_bytes(gzip.compress((json.dumps(slim) + "\n").encode("utf-8")))
    assert import_file("jsonl", packed).updated == 1
    after = _stored(session, "P-1")
    assert (after.injured, after.fatalities, after.tlp) == (4, 2, "GREEN")
    assert after.notes == record["notes"]


def test_deeply_nested_json_is_a_row_refused(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text('{"extra": ' + "[" * 100_000 + "]" * 100_000 + "}\n", encoding="utf-8")
    report = import_file("jsonl", path)
    assert report.rejected == 1 and "nested too deep" in report.errors[0].reason


def test_excel_separator_line_and_capital_headers_are_read(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "excel.csv"
    path.write_text(
        "sep=;\n"
        "EVENT_ID_CNTY;EVENT_DATE;EVENT_TYPE;LATITUDE;LONGITUDE;FATALITIES\n"
        "PAK7;2024-03-02;Battles;25,1;62,3;4\n"
        "PAK8;2024-03-02;Battles\n",
        encoding="utf-8",
    )
    report = import_file("acled", path)
    assert report.new == 1
    # the short row is line 4 of the file (the sep= line counts)
    assert [(e.line, "a row cut short" in e.reason) for e in report.errors] == [(4, True)]
    stored = _stored(session, "PAK7")
    assert (stored.latitude, stored.fatalities) == (25.1, 4)


def test_a_header_naming_a_column_twice_is_refused(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "twice.csv"
    path.write_text(
        "event_id_cnty,event_date,event_type,latitude,longitude,fatalities,fatalities,,\n"
        "PAK1,2024-03-02,Battles,25.1,62.3,4,40,,\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFormatError, match=r"'fatalities' appears twice.*columns 6 and 7"):
        import_file("acled", path)
    assert session.scalar(select(Incident)) is None


def test_a_megabyte_cell_is_named_as_such(engine: Engine, session: Session, tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    notes = "x" * 1_000_000
    path.write_text(
        "event_id_cnty,event_date,event_type,latitude,longitude,notes\n"
        f"PAK1,2024-03-02,Battles,25.1,62.3,ok\nPAK2,2024-03-02,Battles,25.1,62.3,{notes}\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFormatError, match=r"line 3: a cell is longer than [\d,]+ char"):
        import_file("acled", path)
    assert session.scalar(select(Incident)) is None


def test_two_imports_storing_the_same_keys_at_once_end_without_a_clash(
    pg_engine: Engine, tmp_path: Path
) -> None:
    """Another writer holds an uncommitted row of the file's key: the import's insert waits
    for it, fails on the key index once it commits, and reads the batch again."""
    from tests.conftest import _truncate

    _truncate(pg_engine)
    path = tmp_path / "same.csv"
    path.write_text(
        "event_id_cnty,event_date,event_type,latitude,longitude,fatalities\n"
        "PAK1,2024-03-02,Battles,25.1,62.3,4\nPAK2,2024-03-03,Battles,25.2,62.4,1\n",
        encoding="utf-8",
    )
    import_file("acled", path, engine=pg_engine)
    with pg_engine.begin() as conn:  # PAK1 as if the other import had not stored it yet
        row = dict(
            conn.execute(text("SELECT * FROM incidents WHERE source_key = 'PAK1'")).mappings().one()
        )
        conn.execute(text("DELETE FROM incident_changes"))
        conn.execute(text("DELETE FROM incidents"))
    row.pop("id")
    row = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in row.items()}
    columns = ", ".join(row)
    values = ", ".join(f":{c}" for c in row)
    other = pg_engine.connect()
    other.begin()
    other.execute(text(f"INSERT INTO incidents ({columns}) VALUES ({values})"), row)
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["report"] = import_file("acled", path, engine=pg_engine)
        except Exception as exc:  # the assertion below names it
            outcome["error"] = exc

    worker = threading.Thread(target=run)
    worker.start()
    waiting = 0
    for _ in range(300):  # the import waits on the other writer's row lock
        with pg_engine.connect() as probe:
            waiting = probe.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    " AND query LIKE 'COPY \"incidents\"%'"
                )
            )
        if waiting:
            break
        time.sleep(0.1)
    assert waiting, "the import never waited on the other writer's row"
    other.commit()
    other.close()
    worker.join(60)
    assert "error" not in outcome, outcome.get("error")
    report = outcome["report"]
    assert report.new == 1 and report.new + report.unchanged + report.updated == 2  # type: ignore[attr-defined]
    with pg_engine.connect() as conn:
        keys = conn.scalars(text("SELECT source_key FROM incidents ORDER BY 1")).all()
    assert keys == ["PAK1", "PAK2"]
