"""The CLI as a user runs it, through Typer's CliRunner, on the embedded database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safecorridor.cli.app import get_app
from tests.conftest import UCDP_CSV
from tests.sources.conftest import write_acled

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(get_app(), list(args))
    return result.exit_code, result.output


@pytest.fixture
def acled(tmp_path: Path) -> Path:
    return write_acled(tmp_path / "acled.csv")


def test_help_lists_the_everyday_commands() -> None:
    code, out = invoke("--help")
    assert code == 0
    for cmd in ("init", "import", "export", "incidents", "sites", "actors", "serve"):
        assert cmd in out


def test_import_then_list_near_a_point(acled: Path) -> None:
    code, out = invoke("import", "acled", str(acled))
    assert code == 0, out
    assert "3 new, 0 updated, 0 unchanged, 0 rejected" in out
    code, out = invoke("import", "acled", str(acled))
    assert "0 new, 0 updated, 3 unchanged" in out
    code, out = invoke("incidents", "list", "--near", "24.94,67.12", "--km", "10", "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["source_key"] for r in rows] == ["PAK8812"]


def test_ucdp_import_and_actor_filter() -> None:
    code, out = invoke("import", "ucdp", str(UCDP_CSV))
    assert code == 0, out
    assert "5730 new" in out
    code, out = invoke("incidents", "list", "--actor", "BRA", "--json", "--limit", "500")
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows and all("BRA" in (r["actor1"], r["actor2"]) for r in rows)


def test_show_prints_fields_and_history(acled: Path) -> None:
    invoke("import", "acled", str(acled))
    code, out = invoke("incidents", "show", "1")
    assert code == 0
    assert "event_type" in out and "history:" in out and "imported by import" in out
    assert '{"' not in out  # changes as "field: value", not JSON
    # an Admiralty code with what it means
    assert re.search(
        r"credibility +\d \((?:Confirmed|Probably|Possibly|Doubtful|Improbable|Truth)", out
    )
    code, out = invoke("incidents", "show", "999")
    assert code == 1 and "no incident with id 999" in out


def test_bad_input_gives_a_one_line_error_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("event_date,event_type\n2022-01-01,Battles\n")
    code, out = invoke("import", "acled", str(bad))
    assert code == 1
    assert "missing required column(s) latitude, longitude" in out
    code, out = invoke("incidents", "list", "--near", "north,south")
    assert code == 1 and "--near must be LAT,LON" in out
    code, out = invoke("incidents", "list", "--since", "26/04/2022")
    assert code == 1 and "--since must be a date as YYYY-MM-DD" in out
    code, out = invoke("incidents", "list", "--actor", "Nobody Army")
    assert code == 1 and "no actor is named 'Nobody Army'" in out


def test_export_writes_files_that_import_back(acled: Path, tmp_path: Path) -> None:
    invoke("import", "acled", str(acled))
    out_csv = tmp_path / "out.csv"
    code, out = invoke("export", "csv", str(out_csv))
    assert code == 0 and "3 incidents written" in out
    code, out = invoke("import", "acled", str(out_csv))
    assert "0 new, 0 updated, 3 unchanged" in out
    out_jsonl = tmp_path / "out.jsonl"
    code, out = invoke("export", "jsonl", str(out_jsonl), "--since", "2022-01-01")
    assert code == 0 and "2 incidents written" in out
    assert len(out_jsonl.read_text().splitlines()) == 2


def test_csv_import_with_mapping_options(tmp_path: Path) -> None:
    p = tmp_path / "log.csv"
    p.write_text(
        "When,Where,Lat,Lon\n26/04/2022,Karachi University,24.9418,67.1207\nTotal,,,\n",
        encoding="utf-8",
    )
    code, out = invoke(
        "import",
        "csv",
        str(p),
        "--map",
        "event_date=When",
        "--map",
        "location=Where",
        "--map",
        "latitude=Lat",
        "--map",
        "longitude=Lon",
        "--default",
        "event_type=Explosions/Remote violence",
    )
    assert code == 0, out
    assert "1 new" in out and "line 3: a totals row" in out
    code, out = invoke("import", "csv", str(p), "--map", "event_date")
    assert code == 1 and "--map takes FIELD=VALUE" in out


def test_show_lists_ingested_sources_without_a_url(tmp_path: Path) -> None:
    from tests.conftest import SEED_REPORT

    code, out = invoke(
        "ingest", str(SEED_REPORT), "--published", "2022-09-12", "--publisher", "Test Wire"
    )
    assert code == 0, out
    code, out = invoke("review", "auto", "--min-confidence", "0.8")
    assert code == 0, out
    code, out = invoke("incidents", "show", "1")
    assert code == 0
    assert "document #1 (no URL)  Test Wire" in out
    assert "2022-09-12" in out and "as the report gives it" not in out


def test_show_says_a_sources_day_was_read_from_its_text(tmp_path: Path) -> None:
    report = tmp_path / "panjgur.txt"
    report.write_text(
        "Gunmen on motorcycles attacked a Levies check post near Panjgur on Monday night,"
        " killing two personnel, officials said.\n\nPublished in The Frontier Post, May 7th, 2024\n",
        "utf-8",
    )
    code, out = invoke("ingest", str(report), "--auto-accept", "0.5")
    assert code == 0, out
    code, out = invoke("incidents", "show", "1")
    assert code == 0, out
    assert "2024-05-07, as the report gives it" in out


def test_a_command_before_init_says_to_run_init(tmp_path: Path) -> None:
    """A newcomer's first command on an empty database: one line, no traceback."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "SAFECORRIDOR_DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}
    done = subprocess.run(
        [sys.executable, "-m", "safecorridor", "incidents", "show", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "run `safecorridor init` first" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_marked_ingest_names_the_organisation_that_reads_it(tmp_path: Path) -> None:
    """AMBER and stricter documents are read by their owner organisation only: an ingest
    marking them without one made documents and candidates nobody could read or review."""
    from sqlalchemy import select

    from safecorridor.db.session import session_scope
    from safecorridor.sources.models import Document

    report = tmp_path / "quarry.txt"
    report.write_text(
        "Gunmen attacked a Levies check post near Panjgur on Monday, killing two personnel,"
        " officials said.\n",
        "utf-8",
    )
    code, out = invoke("ingest", str(report), "--published", "2024-05-07", "--tlp", "AMBER")
    assert code == 1 and "--tlp AMBER needs --org NAME" in out, out
    code, out = invoke("ingest", str(report), "--tlp", "amber", "--org", "Nobody Here")
    assert code == 1 and "Nobody Here" in out, out
    code, out = invoke(
        "users", "add", "ops@ssd.example", "--org", "SSD", "--no-password", "--create-organisation"
    )
    assert code == 0, out
    code, out = invoke(
        "ingest", str(report), "--published", "2024-05-07", "--tlp", "AMBER", "--org", "ssd"
    )
    assert code == 0, out
    from safecorridor.accounts.models import Organisation
    from safecorridor.review.models import Candidate

    with session_scope() as session:
        (doc,) = session.scalars(select(Document)).all()
        ssd = session.scalars(select(Organisation).where(Organisation.name == "SSD")).one()
        assert (doc.tlp, doc.owner_org_id) == ("AMBER", ssd.id)
        candidates = session.scalars(select(Candidate)).all()
        assert candidates and {c.owner_org_id for c in candidates} == {ssd.id}


def test_audit_verify_from_the_wrong_folder_names_the_missing_database(tmp_path: Path) -> None:
    """Run where no deployment is, `audit verify` made an empty database there and called it
    "intact: 0 events"; it now says no database is there and creates none."""
    import os
    import subprocess
    import sys

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "SAFECORRIDOR_DATABASE_URL"}
    env["SAFECORRIDOR_DATA_DIR"] = str(elsewhere / "var")
    done = subprocess.run(
        [sys.executable, "-m", "safecorridor", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=elsewhere,
    )
    assert done.returncode == 1, done.stdout
    assert "no database at" in done.stderr and "SAFECORRIDOR_DATA_DIR" in done.stderr
    assert "intact" not in done.stdout and "Traceback" not in done.stderr
    assert not (elsewhere / "var" / "safecorridor.db").exists()
    # a deployment's database is named in the report
    assert invoke("init")[0] == 0
    code, out = invoke("audit", "verify")
    assert code == 0, out
    assert out.startswith("database: sqlite:///") and "chain intact" in out
