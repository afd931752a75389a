"""The exchange commands: export stix|misp, import stix|misp (the round trip and a partner's
file), feeds add|list|poll|remove, and the worker's feed step."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from safecorridor.alerts.worker import STEPS, WorkerContext, run_once
from safecorridor.cli.app import get_app
from safecorridor.db.session import session_scope
from safecorridor.incidents.models import Actor, Incident
from safecorridor.interop.models import Feed
from safecorridor.review.models import Candidate
from tests.interop.conftest import (
    PARTNER_BUNDLE,
    PARTNER_MISP,
    assert_valid_bundle,
    clear,
    fixed_incident,
    only_in_records,
    records,
    store_generated,
)

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(get_app(), list(args))
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def count(engine: Engine, model: type) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_export_and_import_stix_round_trip_through_the_cli(engine: Engine, tmp_path: Path) -> None:
    store_generated(
        engine, [fixed_incident(0), fixed_incident(1, tlp="AMBER")], ["Port Police", "Port Police"]
    )
    before = records(engine)
    out = tmp_path / "incidents.stix.json"
    assert "STIX objects written" in run("export", "stix", str(out))
    assert_valid_bundle(json.loads(out.read_bytes()))
    clear(engine)
    said = run("import", "stix", str(out))
    assert (
        "report: 2 imported, 0 skipped" in said and "2 new, 0 updated, 0 unchanged records" in said
    )
    assert records(engine) == before
    again = run("import", "stix", str(out))
    assert "0 new, 0 updated, 2 unchanged records" in again


def test_a_round_trip_of_restricted_actors_is_audited_and_adds_no_actor_the_second_time(
    engine: Engine, tmp_path: Path
) -> None:
    """The actors of an AMBER+STRICT incident, known only from it, go out with its marking and
    come back whole; the producer's organisation the import creates is chained, so `audit
    verify` finds nothing; importing the file again makes no orphan copy of those actors."""
    store_generated(engine, [fixed_incident(0, tlp="AMBER+STRICT")], ["Port Police"])
    only_in_records(engine, "Alpha Front", "Alpha Front Coastal Unit")
    out = tmp_path / "strict.stix.json"
    run("export", "stix", str(out))
    clear(engine)
    said = run("import", "stix", str(out))
    assert "1 new" in said and "1 new organisations" in said
    actors = count(engine, Actor)
    assert "audit log chain intact" in run("audit", "verify")
    again = run("import", "stix", str(out))
    assert "0 new, 0 updated, 1 unchanged records" in again and "0 new actors" in again
    assert count(engine, Actor) == actors
    assert "audit log chain intact" in run("audit", "verify")


def test_export_filters_apply(engine: Engine, tmp_path: Path) -> None:
    store_generated(
        engine, [fixed_incident(0), fixed_incident(1, event_date="2010-01-01")], [None, None]
    )
    out = tmp_path / "recent.json"
    run("export", "stix", str(out), "--since", "2020-01-01")
    reports = [o for o in json.loads(out.read_bytes())["objects"] if o["type"] == "report"]
    assert len(reports) == 1


def test_export_and_import_misp_round_trip_through_the_cli(engine: Engine, tmp_path: Path) -> None:
    store_generated(engine, [fixed_incident(0, tlp="GREEN")], ["Corridor Secretariat"])
    before = records(engine)
    out = tmp_path / "incidents.misp.json"
    assert "1 MISP events written" in run("export", "misp", str(out))
    clear(engine)
    assert "1 new" in run("import", "misp", str(out))
    assert records(engine) == before


def test_a_partners_files_go_to_the_review_queue(engine: Engine) -> None:
    said = run("import", "stix", str(PARTNER_BUNDLE))
    assert "1 candidates for review" in said and "skipped" in said
    said = run("import", "misp", str(PARTNER_MISP), "--tlp", "amber")
    assert "2 candidates for review" in said and "1 events skipped" in said
    assert count(engine, Incident) == 0 and count(engine, Candidate) == 3
    with session_scope(engine) as s:
        tlps = sorted(c.tlp for c in s.scalars(select(Candidate)))
    assert tlps == ["AMBER", "AMBER", "GREEN"]  # the unmarked MISP event took --tlp


def test_review_sends_even_our_own_records_to_the_queue(engine: Engine, tmp_path: Path) -> None:
    store_generated(engine, [fixed_incident(0)], [None])
    out = tmp_path / "b.json"
    run("export", "stix", str(out))
    clear(engine)
    assert "1 candidates for review" in run("import", "stix", str(out), "--review")
    assert count(engine, Incident) == 0


def test_feeds_add_list_poll_remove(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as s:
        from safecorridor.accounts.models import Organisation

        s.add(Organisation(name="Our Agency"))
    path = tmp_path / "partner.json"
    path.write_bytes(PARTNER_MISP.read_bytes())
    said = run(
        "feeds",
        "add",
        "misp-json",
        str(path),
        "--name",
        "coastal",
        "--org",
        "Our Agency",
        "--every",
        "600",
    )
    assert "feed #1 'coastal' registered" in said
    assert "coastal" in run("feeds", "list")
    assert "2 new candidates" in run("feeds", "poll", "coastal")
    assert "0 new candidates" in run("feeds", "poll")
    bad = runner.invoke(get_app(), ["feeds", "add", "taxii", "https://partner.example/taxii2/"])
    assert bad.exit_code != 0 and "--collection" in bad.output
    missing = runner.invoke(get_app(), ["feeds", "add", "misp-json", str(tmp_path / "nope.json")])
    assert missing.exit_code == 1 and "no such file" in missing.output
    purple = runner.invoke(
        get_app(), ["feeds", "add", "misp-json", str(path), "--name", "p", "--tlp", "purple"]
    )
    assert purple.exit_code == 1 and "--tlp must be one of" in purple.output
    assert "Traceback" not in purple.output
    nowhere = runner.invoke(get_app(), ["export", "stix", str(tmp_path / "no" / "dir.json")])
    assert nowhere.exit_code == 1 and "no folder" in nowhere.output
    run("feeds", "remove", "coastal")
    assert count(engine, Feed) == 0 and count(engine, Candidate) == 2


def test_the_worker_polls_due_feeds(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "partner.json"
    path.write_bytes(PARTNER_MISP.read_bytes())
    run("feeds", "add", "misp-json", str(path))
    assert "partner_feeds" in STEPS
    runs = run_once(WorkerContext(engine=engine), steps=["partner_feeds"])
    assert runs["partner_feeds"].status == "ok" and runs["partner_feeds"].found == 1
    assert count(engine, Candidate) == 2
