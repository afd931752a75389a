"""`safecorridor movements|alerts|worker` as a user runs them (CliRunner, embedded database)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from safecorridor.cli.app import get_app
from safecorridor.db.session import session_scope
from tests.factories import violent_stretch

runner = CliRunner()
SM = "site_manager@ctgsa.example"
EO = "escort_officer@ssd.example"


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(get_app(), list(args))
    return result.exit_code, result.output


def _violent_stretch() -> None:
    with session_scope(write=True) as s:
        violent_stretch(s)


@pytest.mark.calendar  # "tomorrow" is the clock's: checked on the days that break date arithmetic
def test_a_movement_from_the_command_line() -> None:
    assert invoke("init")[0] == 0
    assert invoke("demo")[0] == 0
    _violent_stretch()
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    code, out = invoke(
        "movements", "request", "--as", SM, "--route", "Karakoram Highway (Islamabad",
        "--headcount", "CN=4", "--headcount", "PK=2", "--vehicles", "2", "--armoured", "2",
        "--depart", f"{tomorrow}T03:00", "--arrive", f"{tomorrow}T11:00", "--submit", "--json",
    )  # fmt: skip
    assert code == 0, out
    m = json.loads(out)
    assert m["state"] == "submitted" and m["headcount"] == {"CN": 4, "PK": 2}
    assert m["risk_level"] in ("severe", "critical")
    mid = str(m["id"])

    code, out = invoke("movements", "approve", mid, "--as", "viewer@moi.example",
                       "--escort", "Falcon-7", "--escort-vehicles", "6")  # fmt: skip
    assert code == 1
    assert "(viewer) cannot approve movement" in out and "'submitted'" in out

    code, out = invoke("movements", "approve", mid, "--as", EO, "--escort", "Falcon-7",
                       "--escort-vehicles", "6", "--override", "JWG authorisation 12/2026")  # fmt: skip
    assert code == 0, out
    assert "approved" in out and "escort Falcon-7 (Special Security Division)" in out
    assert invoke("movements", "start", mid, "--as", SM)[0] == 0
    code, out = invoke("movements", "checkin", mid, "--as", EO, "--at", "33.99,72.91",
                       "--note", "Haripur")  # fmt: skip
    assert code == 0, out
    assert "checked in" in out and "km 64 of 615" in out
    code, out = invoke("movements", "show", mid)
    assert code == 0 and "check-ins:" in out and "Haripur" in out
    code, out = invoke("movements", "list", "--as", EO, "--state", "under_way", "--json")
    rows = json.loads(out)  # with the demo world's own movement on the road
    assert int(mid) in [r["id"] for r in rows] and {r["state"] for r in rows} == {"under_way"}
    code, out = invoke("movements", "complete", mid, "--as", "viewer@moi.example")
    assert code == 1 and "(viewer) cannot complete movement" in out


def test_alert_rules_the_worker_and_deliveries_from_the_command_line() -> None:
    assert invoke("init")[0] == 0
    assert invoke("demo")[0] == 0
    code, out = invoke("alerts", "rules", "add", "--org", "CTGSA", "--kind", "incident_near",
                       "--km", "10", "--channel", "in_app", "--channel", "webhook",
                       "--webhook", "https://hooks.example.org/jwg")  # fmt: skip
    assert code == 0, out
    assert "rule 1: incident_near for China Three Gorges South Asia" in out
    assert "webhook secret (shown once):" in out
    code, out = invoke("alerts", "rules", "list")
    assert "incident_near" in out and '{"km": 10.0}' in out
    code, out = invoke("alerts", "rules", "add", "--org", "CTGSA", "--kind", "incident_near")
    assert code == 1 and "needs km" in out
    code, out = invoke("worker", "--once")
    assert code == 0, out
    for step in ("overdue_movements", "new_incidents", "risk_levels", "deliveries"):
        assert f"{step}" in out
    code, out = invoke("alerts", "list", "--as", SM)
    assert code == 0 and "0 unread" in out
    code, out = invoke("alerts", "deliveries", "--dead", "--json")
    assert code == 0 and json.loads(out) == []
    code, out = invoke("alerts", "ack", "99", "--as", SM)
    assert code == 1 and "no alert 99" in out


def test_the_worker_refuses_a_poll_or_interval_out_of_range() -> None:
    code, out = invoke("worker", "--poll", "-1")
    assert code == 1 and "--poll between 0 and 3600" in out
    code, out = invoke("worker", "--interval", "0")
    assert code == 1 and "--interval must be > 0" in out


def test_a_user_sees_only_their_own_organisations_risk_figures_from_the_command_line() -> None:
    """`list --as` and `show --as` show what that user may see, as the API and the pages do:
    the requester's figures to the requesting organisation; to an escort officer of another
    organisation only the level stored for theirs in a list, and on one movement the figures
    computed from what they may read; a movement they may not see is no movement."""
    assert invoke("init")[0] == 0
    assert invoke("demo")[0] == 0
    code, out = invoke("movements", "list", "--as", SM, "--json")
    own = {r["id"]: r for r in json.loads(out)}
    assert code == 0 and own and all(r["risk_score"] is not None for r in own.values())
    code, out = invoke("movements", "list", "--as", EO, "--json")
    theirs = {r["id"]: r for r in json.loads(out)}
    assert code == 0 and set(theirs) == set(own)
    for r in theirs.values():
        assert (r["risk_score"], r["required_measures"], r["issues"]) == (None, {}, [])
    submitted = next(i for i, r in own.items() if r["state"] == "submitted")
    code, out = invoke("movements", "show", str(submitted), "--as", EO, "--json")
    seen = json.loads(out)
    assert code == 0 and seen["risk_level"] and seen["risk_score"] is not None
    # no approval yet, so nothing is stored for them: the list shows the level computed from
    # what they may read, the one their movement page and the board show (it was empty)
    assert theirs[submitted]["risk_level"] == seen["risk_level"]
    assert seen["required_measures"]
    code, out = invoke("movements", "show", str(submitted), "--as", "viewer@moi.example")
    assert code == 1 and f"no movement {submitted}" in out
