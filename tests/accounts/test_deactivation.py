"""A deactivation is for good for the user's API tokens, and a deactivated user who signs in
with the right password is told so.

The probe: an administrator deactivated a user (their token stopped working), reactivated
them, and the old token worked again; and the deactivated user, signing in with the right
password, was told "the e-mail address or the password is wrong".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import ApiToken, Organisation, User
from safecorridor.accounts.service import add_member, create_token, create_user
from safecorridor.app import create_app
from safecorridor.clock import FixedClock
from safecorridor.sharing.audit import audit_write
from safecorridor.sharing.audit.state import verify_states
from safecorridor.sharing.policy import Viewer
from tests.auditlog import all_events

PASSWORD = "a long enough passphrase"
#: the app's clock for these tests (a token's expiry is the wall clock's + its days, later)
AT = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@dataclass
class Org:
    admin: int
    member: int
    admin_token: str
    member_token: str
    member_token_id: int


@pytest.fixture
def org(session: Session) -> Org:
    """An organisation with an administrator and a member, each with a token, written through
    the audited services (as the API and the CLI do), so `audit verify` has their states."""
    o = Organisation(name="Port Police", short_name="PP")
    session.add(o)
    session.flush()
    admin = create_user(
        session=session, email="boss@port.example", organisation_id=o.id, role="admin"
    )
    member = add_member(
        session=session,
        viewer=Viewer.of(admin),
        email="m@port.example",
        role="analyst",
        password=PASSWORD,
    )
    tokens = {}
    for user in (admin, member):
        issued = create_token(session=session, user=user, name="ci")
        audit_write(session=session, viewer=None, action="create", obj=issued.record, actor="cli")
        tokens[user.id] = issued
    session.commit()
    return Org(
        admin=admin.id,
        member=member.id,
        admin_token=tokens[admin.id].token,
        member_token=tokens[member.id].token,
        member_token_id=tokens[member.id].record.id,
    )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login(client: TestClient, password: str = PASSWORD) -> tuple[int, str]:
    r = client.post("/api/v1/auth/login", json={"email": "m@port.example", "password": password})
    return r.status_code, r.text


def test_a_reactivated_users_old_token_stays_revoked(engine: Engine, org: Org) -> None:
    client = TestClient(create_app(clock=FixedClock(AT)))
    admin, member = _bearer(org.admin_token), _bearer(org.member_token)
    assert client.get("/api/v1/users/me", headers=member).status_code == 200

    r = client.patch(f"/api/v1/users/{org.member}", json={"is_active": False}, headers=admin)
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/users/me", headers=member).status_code == 401
    r = client.patch(f"/api/v1/users/{org.member}", json={"is_active": True}, headers=admin)
    assert r.status_code == 200 and r.json()["is_active"] is True
    r = client.get("/api/v1/users/me", headers=member)
    assert r.status_code == 401 and "revoked" in r.json()["detail"]

    with Session(engine) as s:
        token = s.get(ApiToken, org.member_token_id)
        assert token is not None and token.revoked_at is not None
        assert token.revoked_at == AT.replace(tzinfo=None)  # the app's clock, not the wall's
        # the administrator's own token is untouched
        admins = s.scalars(select(ApiToken).where(ApiToken.user_id == org.admin)).all()
        assert [t.revoked_at for t in admins] == [None]
    # the revocation is chained like any other, by the administrator who deactivated
    revokes = [
        e for e in all_events(engine) if e.action == "revoke" and e.record_type == "api_token"
    ]
    assert [(e.record_id, e.user_id) for e in revokes] == [(org.member_token_id, org.admin)]
    assert verify_states(engine) == []  # every token's revocation has its audited state

    # the reactivated member signs in again and may be given new tokens
    code, text = _login(client)
    assert code == 200, text
    csrf = client.post(
        "/api/v1/auth/login", json={"email": "m@port.example", "password": PASSWORD}
    ).json()["csrf_token"]
    r = client.post("/api/v1/users/me/tokens", json={"name": "new"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201, r.text
    client.cookies.clear()
    assert client.get("/api/v1/users/me", headers=_bearer(r.json()["token"])).status_code == 200


def test_a_change_of_role_or_a_password_keeps_the_tokens(engine: Engine, org: Org) -> None:
    """As documented: only a deactivation revokes them (a password reset ends the web
    sessions; the tokens are revoked apart)."""
    client = TestClient(create_app(clock=FixedClock(AT)))
    admin, member = _bearer(org.admin_token), _bearer(org.member_token)
    r = client.patch(f"/api/v1/users/{org.member}", json={"role": "viewer"}, headers=admin)
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/v1/users/{org.member}/password", json={"password": "the reset one"}, headers=admin
    )
    assert r.status_code == 204, r.text
    assert client.get("/api/v1/users/me", headers=member).status_code == 200


def test_a_deactivated_user_with_the_right_password_is_told_the_account_is_deactivated(
    engine: Engine, org: Org
) -> None:
    client = TestClient(create_app(clock=FixedClock(AT)))
    r = client.patch(
        f"/api/v1/users/{org.member}", json={"is_active": False}, headers=_bearer(org.admin_token)
    )
    assert r.status_code == 200, r.text

    code, text = _login(client)
    assert code == 401
    assert "deactivated" in text and "administrator of your organisation" in text
    assert "password is wrong" not in text
    # a wrong password tells nothing of the account
    code, text = _login(client, "not the password")
    assert code == 401 and "password is wrong" in text and "deactivated" not in text
    with Session(engine) as s:
        assert s.get(User, org.member) is not None
    assert "sc_session" not in client.cookies

    # the sign-in page says the same, and signs nobody in
    form = client.get("/login")
    token = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    page = client.post(
        "/login",
        data={"csrf_token": token, "email": "m@port.example", "password": PASSWORD},
        follow_redirects=False,
    )
    assert page.status_code == 401
    assert "This account is deactivated; ask an administrator of your organisation" in page.text
    assert "password is wrong" not in page.text
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]  # the form's new one
    page = client.post(
        "/login",
        data={"csrf_token": token, "email": "m@port.example", "password": "not the password"},
        follow_redirects=False,
    )
    assert page.status_code == 401 and "password is wrong" in page.text

    # TAXII's Basic sign-in tells the same
    r = client.get(
        "/taxii2/",
        auth=("m@port.example", PASSWORD),
        headers={"Accept": "application/taxii+json;version=2.1"},
    )
    assert r.status_code == 401 and "deactivated" in r.text
