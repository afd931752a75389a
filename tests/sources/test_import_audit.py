"""Every bulk import puts each new or updated incident's state into the audit chain, in the
transaction of the rows it writes: a marking changed in the table afterwards is named by
`safecorridor audit verify`, for every format `safecorridor import` reads besides STIX and
MISP (those are tested in tests/interop), on both databases."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from safecorridor.incidents.models import Incident
from safecorridor.settings import get_settings
from safecorridor.sharing.audit.state import verify_states
from safecorridor.sharing.audit.verify import verify_all
from safecorridor.sharing.models import AuditEvent
from safecorridor.sources.importers import import_file
from tests.conftest import UCDP_CSV
from tests.ingestion.conftest import invoke
from tests.sources.conftest import GTD_HEADER, GTD_ROWS, write_acled
from tests.sources.test_mapped_csv import DEFAULTS, MAPPING, POLICE_LOG

JSONL_ROWS = [
    {
        "event_date": "2024-10-06",
        "event_type": "Explosions/Remote violence",
        "sub_event_type": "Suicide bomb",
        "location": "Karachi airport road",
        "latitude": 24.9,
        "longitude": 67.16,
        "fatalities": 2,
        "source_key": "jsonl-1",
        "tlp": "AMBER",
    },
    {
        "event_date": "2024-03-26",
        "event_type": "Explosions/Remote violence",
        "location": "Besham",
        "latitude": 34.93,
        "longitude": 72.876,
        "fatalities": 6,
        "source_key": "jsonl-2",
        "tlp": "GREEN",
    },
]


def _ucdp(path: Path) -> Path:
    """The shipped UCDP file's header, HXL row and first three events."""
    with gzip.open(UCDP_CSV, "rt", encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(5)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _gtd(path: Path) -> Path:
    """The GTD rows of tests/sources/conftest.py, in cp1252 as spreadsheets save them."""
    with path.open("w", encoding="cp1252", newline="") as f:
        w = csv.writer(f)
        w.writerow(GTD_HEADER)
        w.writerows(GTD_ROWS)
    return path


def _jsonl(path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in JSONL_ROWS), encoding="utf-8")
    return path


def _police_log(path: Path) -> Path:
    path.write_bytes(POLICE_LOG.encode("cp1252"))
    return path


#: each kind: the file, the command's extra arguments, the new records it holds
KINDS: dict[str, tuple[Callable[[Path], Path], list[str], int]] = {
    "acled": (lambda d: write_acled(d / "acled.csv"), [], 3),
    "gtd": (lambda d: _gtd(d / "gtd.csv"), [], 3),
    "ucdp": (lambda d: _ucdp(d / "ucdp.csv"), [], 3),
    "jsonl": (lambda d: _jsonl(d / "rows.jsonl"), [], 2),
    "csv": (
        lambda d: _police_log(d / "police_log.csv"),
        [
            *(a for k, v in MAPPING.items() for a in ("--map", f"{k}={v}")),
            *(a for k, v in DEFAULTS.items() for a in ("--default", f"{k}={v}")),
        ],
        2,
    ),
}


def _record_events(engine: Engine, action: str) -> dict[int, AuditEvent]:
    """The incidents' write events of that action, by incident id."""
    with Session(engine) as s:
        events = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.record_type == "incident", AuditEvent.action == action)
            .order_by(AuditEvent.id)
        ).all()
    by_id = {e.record_id: e for e in events if e.record_id is not None}
    assert len(by_id) == len(events), "one event per incident"
    return by_id


def _set_tlp(engine: Engine, incident_id: int, tlp: str) -> None:
    """What the services never do: a marking changed in the table itself."""
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE incidents SET tlp = :t WHERE id = :id"), {"t": tlp, "id": incident_id}
        )


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_import_kind_audits_every_new_incident_and_verify_names_a_changed_marking(
    engine: Engine, tmp_path: Path, kind: str
) -> None:
    make, args, expected = KINDS[kind]
    path = make(tmp_path)
    code, out = invoke("import", kind, str(path), *args)
    assert code == 0, out
    with Session(engine) as s:
        incidents = {i.id: i for i in s.scalars(select(Incident))}
    assert len(incidents) == expected
    events = _record_events(engine, "import")
    assert set(events) == set(incidents)
    for iid, event in events.items():
        assert event.actor == "import" and event.details["table"] == "incidents"
        assert "tlp" in event.details["fields"] and event.details["fields"].keys() == {
            c.key for c in Incident.__table__.columns
        }, iid
    # the batch's own event still names the run and its new incidents
    with Session(engine) as s:
        (batch,) = s.scalars(
            select(AuditEvent).where(
                AuditEvent.record_type == "import_run", AuditEvent.action == "import"
            )
        ).all()
    assert sorted(batch.details["new_ids"]) == sorted(incidents)
    assert verify_all(engine).is_intact

    victim = min(incidents)
    lowered = "CLEAR" if incidents[victim].tlp != "CLEAR" else "GREEN"
    _set_tlp(engine, victim, lowered)
    assert verify_states(engine) == [
        f"incident {victim} differs from its last audited state (event {events[victim].id}): "
        "field tlp changed outside the audited services"
    ]
    code, out = invoke("audit", "verify")
    assert code == 1
    assert f"incident {victim} differs" in out and "field tlp changed" in out
    assert "audit log chain intact" in out  # only the row was touched


def test_a_corrected_reimport_audits_the_updated_incident_in_its_batch(
    engine: Engine, tmp_path: Path
) -> None:
    path = _jsonl(tmp_path / "rows.jsonl")
    assert import_file("jsonl", path).new == 2
    first = _record_events(engine, "import")
    rows = [dict(JSONL_ROWS[0], fatalities=3), JSONL_ROWS[1]]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = import_file("jsonl", path)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 1)
    ((updated_id, reimport),) = _record_events(engine, "reimport").items()
    with Session(engine) as s:
        incident = s.get_one(Incident, updated_id)
        assert (incident.source_key, incident.fatalities) == ("jsonl-1", 3)
    assert reimport.id > first[updated_id].id  # its newest state is the reimport's
    assert verify_all(engine).is_intact
    _set_tlp(engine, updated_id, "CLEAR")  # AMBER lowered
    assert verify_states(engine) == [
        f"incident {updated_id} differs from its last audited state (event {reimport.id}): "
        "field tlp changed outside the audited services"
    ]


def test_an_import_of_several_batches_chains_every_incident_once(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of two rows: each batch's transaction chains its incidents' events and its own,
    in order, after the previous batch's."""
    monkeypatch.setenv("SAFECORRIDOR_IMPORT_BATCH_SIZE", "2")
    get_settings.cache_clear()
    assert get_settings().import_batch_size == 2
    path = tmp_path / "rows.jsonl"
    rows = [
        dict(JSONL_ROWS[i % 2], source_key=f"batch-{i}", latitude=25.0 + i / 100) for i in range(7)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert import_file("jsonl", path).new == 7
    events = _record_events(engine, "import")
    with Session(engine) as s:
        ids = sorted(s.scalars(select(Incident.id)))
        chain = [
            (e.record_type, e.action) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]
    assert sorted(events) == ids
    # per batch: its incidents, then the batch's event; the run's end last
    assert chain == [
        *[("incident", "import")] * 2 + [("import_run", "import")],
        *[("incident", "import")] * 2 + [("import_run", "import")],
        *[("incident", "import")] * 2 + [("import_run", "import")],
        ("incident", "import"),
        ("import_run", "import"),
        ("import_run", "finished"),
    ]
    report = verify_all(engine)
    assert report.is_intact, report
    assert dict(report.chains)["audit log"].checked == len(chain)
