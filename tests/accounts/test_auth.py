"""Passwords, sessions with CSRF, the login rate limit, token expiry and revocation, CLI."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safecorridor.accounts.models import ApiToken, Organisation, User
from safecorridor.accounts.security import hash_password, verify_password
from safecorridor.accounts.service import create_token, create_user
from safecorridor.app import create_app
from safecorridor.cli.app import get_app
from safecorridor.db.base import utcnow

PASSWORD = "correct horse battery"


@pytest.fixture
def alice(session: Session) -> User:
    org = Organisation(name="Secretariat")
    session.add(org)
    session.flush()
    user = create_user(
        session=session,
        email="Alice@Example.org",
        organisation_id=org.id,
        role="analyst",
        password=PASSWORD,
    )
    session.commit()
    return user


def test_passwords_are_stored_as_argon2_hashes(alice: User) -> None:
    assert alice.password_hash and alice.password_hash.startswith("$argon2id$")
    assert PASSWORD not in alice.password_hash
    assert verify_password(alice.password_hash, PASSWORD)
    assert not verify_password(alice.password_hash, "wrong password")
    assert not verify_password(None, PASSWORD)
    with pytest.raises(ValueError, match="at least 10 characters"):
        hash_password("short")


def test_a_session_signs_in_and_writes_need_the_csrf_header(alice: User) -> None:
    client = TestClient(create_app())
    r = client.post("/api/v1/auth/login", json={"email": "alice@example.org", "password": PASSWORD})
    assert r.status_code == 200, r.text
    csrf = r.json()["csrf_token"]
    assert "sc_session" in r.cookies
    assert client.get("/api/v1/users/me").json()["email"] == "alice@example.org"
    body = {"name": "laptop"}
    r = client.post("/api/v1/users/me/tokens", json=body)
    assert r.status_code == 403 and "X-CSRF-Token" in r.json()["detail"]
    r = client.post("/api/v1/users/me/tokens", json=body, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    r = client.post("/api/v1/users/me/tokens", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201 and r.json()["token"].startswith("sc_")


def test_a_tampered_session_cookie_is_not_a_session(alice: User) -> None:
    client = TestClient(create_app())
    client.cookies.set("sc_session", "eyJ1aWQiOjF9.forged.signature")
    assert client.get("/api/v1/users/me").status_code == 401


def test_the_login_form_signs_in_with_a_cookie(alice: User) -> None:
    client = TestClient(create_app())
    form = client.get("/login")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post(
        "/login",
        data={"csrf_token": token, "email": "alice@example.org", "password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "sc_session" in r.cookies
    r = client.post("/login", data={"csrf_token": "x", "email": "a", "password": "b"})
    assert r.status_code == 403


def test_login_is_rate_limited_per_account_and_per_address(alice: User) -> None:
    client = TestClient(create_app())
    bad = {"email": "alice@example.org", "password": "not the password"}
    codes = [client.post("/api/v1/auth/login", json=bad).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    # even the right password is refused while the account is locked
    good = {"email": "alice@example.org", "password": PASSWORD}
    r = client.post("/api/v1/auth/login", json=good)
    assert r.status_code == 429 and "Retry-After" in r.headers
    assert "too many failed sign-ins" in r.json()["detail"]
    # the address limit: failures spread over many accounts
    for i in range(20):
        client.post("/api/v1/auth/login", json={"email": f"u{i}@x.org", "password": "x" * 10})
    r = client.post("/api/v1/auth/login", json={"email": "fresh@x.org", "password": "x" * 10})
    assert r.status_code == 429 and "this address" in r.json()["detail"]


def test_the_rate_limit_holds_across_app_instances(alice: User) -> None:
    """Attempts live in the database, so another worker sees them."""
    bad = {"email": "alice@example.org", "password": "not the password"}
    for _ in range(5):
        TestClient(create_app()).post("/api/v1/auth/login", json=bad)
    r = TestClient(create_app()).post("/api/v1/auth/login", json=bad)
    assert r.status_code == 429


@pytest.mark.calendar
def test_tokens_expire_and_revoke(alice: User, session: Session, engine: Engine) -> None:
    issued = create_token(session=session, user=alice, name="ci", days=1)
    session.commit()
    client = TestClient(create_app())
    h = {"Authorization": f"Bearer {issued.token}"}
    assert client.get("/api/v1/users/me", headers=h).status_code == 200
    stored = session.scalar(select(ApiToken.token_hash).where(ApiToken.id == issued.record.id))
    assert stored != issued.token and issued.token not in (stored or "")
    with engine.begin() as conn:
        conn.execute(
            update(ApiToken)
            .where(ApiToken.id == issued.record.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    r = client.get("/api/v1/users/me", headers=h)
    assert r.status_code == 401 and "expired" in r.json()["detail"]

    second = create_token(session=session, user=alice, name="ci2")
    session.commit()
    h2 = {"Authorization": f"Bearer {second.token}"}
    assert client.get("/api/v1/users/me", headers=h2).status_code == 200
    r = client.delete(f"/api/v1/users/me/tokens/{second.record.id}", headers=h2)
    assert r.status_code == 204
    assert client.get("/api/v1/users/me", headers=h2).status_code == 401


def test_an_inactive_users_token_stops_working(alice: User, session: Session) -> None:
    issued = create_token(session=session, user=alice)
    alice.is_active = False
    session.merge(alice)
    session.commit()
    r = TestClient(create_app()).get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {issued.token}"}
    )
    assert r.status_code == 401


def test_the_cli_adds_users_lists_them_and_issues_tokens(sqlite_engine: Engine) -> None:
    runner = CliRunner()
    app = get_app()
    r = runner.invoke(
        app,
        [
            "users",
            "add",
            "bob@example.org",
            "--org",
            "Police",
            "--role",
            "analyst",
            "--create-organisation",
        ],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["users", "list"])
    assert "bob@example.org" in r.output and "analyst" in r.output
    r = runner.invoke(app, ["users", "token", "bob@example.org", "--days", "7"])
    assert r.exit_code == 0, r.output
    token = r.stdout.splitlines()[0]
    me = TestClient(create_app()).get(
        "/api/v1/users/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert me.json()["email"] == "bob@example.org"
    # the deployment's longest token lifetime holds on the server's command line too
    r = runner.invoke(app, ["users", "token", "bob@example.org", "--days", "1000"])
    assert r.exit_code == 1 and "at most 365 days (SAFECORRIDOR_TOKEN_MAX_DAYS)" in r.output
    r = runner.invoke(app, ["users", "add", "eve@example.org", "--org", "Nowhere", "--no-password"])
    assert r.exit_code == 1 and "no organisation" in r.output


def test_init_asks_for_the_first_administrators_password(sqlite_engine: Engine) -> None:
    r = CliRunner().invoke(
        get_app(),
        ["init", "--admin-email", "root@example.org", "--admin-org", "JWG Secretariat"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert r.exit_code == 0, r.output
    client = TestClient(create_app())
    r = client.post("/api/v1/auth/login", json={"email": "root@example.org", "password": PASSWORD})
    assert r.status_code == 200 and r.json()["user"]["role"] == "admin"


def test_the_cli_names_a_tokens_id_revokes_it_and_refuses_what_it_cannot(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """`users token` prints the token's id (needed by `users revoke`); revoking an unknown id,
    a token for a deactivated user and a backup into a file's path end with one line each
    (they were tracebacks, or a token that would always be refused)."""
    runner, app = CliRunner(), get_app()
    r = runner.invoke(
        app,
        ["users", "add", "carol@example.org", "--org", "Police", "--create-organisation"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["users", "token", "carol@example.org"])
    assert r.exit_code == 0, r.output
    match = re.search(r"token (\d+) for carol@example.org", r.stderr)
    assert match is not None, r.stderr
    r = runner.invoke(app, ["users", "revoke", match.group(1)])
    assert r.exit_code == 0 and f"token {match.group(1)} revoked" in r.output
    r = runner.invoke(app, ["users", "revoke", "999999"])
    assert r.exit_code == 1 and "999999" in r.output and r.exception is not None
    assert isinstance(r.exception, SystemExit)  # a message, no traceback
    with Session(sqlite_engine) as s:
        s.execute(update(User).where(User.email == "carol@example.org").values(is_active=False))
        s.commit()
    r = runner.invoke(app, ["users", "token", "carol@example.org"])
    assert r.exit_code == 1 and "deactivated" in r.output
    afile = tmp_path / "afile"
    afile.write_text("x")
    r = runner.invoke(app, ["backup", str(afile / "bk")])
    assert r.exit_code != 0 and "cannot be made a folder" in r.output, r.output
    assert isinstance(r.exception, SystemExit)


def test_a_password_is_kept_as_typed_and_an_address_must_be_one(
    sqlite_engine: Engine, session: Session
) -> None:
    """An administrator's new member with "  my long passphrase  " could not sign in with
    it (it was stored stripped, sign-in does not strip); "a@b@c" was a member's address."""
    org = Organisation(name="Port Police")
    session.add(org)
    session.flush()
    admin = create_user(
        session=session, email="boss@port.example", organisation_id=org.id, role="admin"
    )
    token = create_token(session=session, user=admin).token
    session.commit()
    h = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app()) as client:
        typed = "  my long passphrase  "
        r = client.post(
            "/api/v1/users", json={"email": "spacey@port.example", "password": typed}, headers=h
        )
        assert r.status_code == 201, r.text
        r = client.post(
            "/api/v1/auth/login", json={"email": "spacey@port.example", "password": typed}
        )
        assert r.status_code == 200, r.text
        for bad in ("a@b@c", "x y@port.example", "nul\x00@port.example"):
            r = client.post("/api/v1/users", json={"email": bad}, headers=h)
            assert r.status_code == 422 and "e-mail address" in r.text, (bad, r.text)
        # the last active administrator cannot step down or be deactivated
        for change in ({"role": "viewer"}, {"is_active": False}):
            r = client.patch(f"/api/v1/users/{admin.id}", json=change, headers=h)
            assert r.status_code == 409 and "last active administrator" in r.text, r.text
        r = client.put(
            f"/api/v1/organisations/{org.id}/partners",
            json={"partner_ids": [99999999999999999999]},
            headers=h,
        )
        assert r.status_code == 422, r.text


def test_a_password_is_changed_by_its_owner_reset_by_an_administrator_and_by_the_cli(
    sqlite_engine: Engine, session: Session
) -> None:
    """The lock-out message sent people to an administrator "to reset the password", which
    no administrator could do: there was no way to change a password at all."""
    org = Organisation(name="Port Police")
    session.add(org)
    session.flush()
    admin = create_user(
        session=session, email="boss@port.example", organisation_id=org.id, role="admin"
    )
    member = create_user(
        session=session,
        email="m@port.example",
        organisation_id=org.id,
        role="analyst",
        password=PASSWORD,
    )
    admin_h = {"Authorization": f"Bearer {create_token(session=session, user=admin).token}"}
    member_h = {"Authorization": f"Bearer {create_token(session=session, user=member).token}"}
    session.commit()

    def signs_in(client: TestClient, password: str) -> bool:
        r = client.post(
            "/api/v1/auth/login", json={"email": "m@port.example", "password": password}
        )
        return bool(r.status_code == 200)

    with TestClient(create_app()) as client:
        url = f"/api/v1/users/{member.id}/password"
        wrong = client.post(
            url, json={"password": "a new one here", "current": "nope"}, headers=member_h
        )
        assert wrong.status_code == 403 and "current password" in wrong.text
        short = client.post(url, json={"password": "short", "current": PASSWORD}, headers=member_h)
        assert short.status_code == 422
        r = client.post(
            url, json={"password": "a new one here", "current": PASSWORD}, headers=member_h
        )
        assert r.status_code == 204, r.text
        assert signs_in(client, "a new one here") and not signs_in(client, PASSWORD)
        r = client.post(url, json={"password": "the reset one"}, headers=admin_h)  # a reset
        assert r.status_code == 204, r.text
        assert signs_in(client, "the reset one")
        # a member may not reset another's, an administrator not another organisation's
        r = client.post(
            f"/api/v1/users/{admin.id}/password", json={"password": "taken over!"}, headers=member_h
        )
        assert r.status_code == 403, r.text
    r = CliRunner().invoke(
        get_app(), ["users", "password", "m@port.example"], input="from the cli!\nfrom the cli!\n"
    )
    assert r.exit_code == 0, r.output
    with TestClient(create_app()) as client:
        assert signs_in(client, "from the cli!")
