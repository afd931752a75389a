"""`safecorridor users add|list|token|revoke`: accounts and API tokens on the server."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from safecorridor.accounts.models import Organisation
from safecorridor.accounts.security import WeakPasswordError
from safecorridor.accounts.service import (
    AccountError,
    create_token,
    create_user,
    find_organisation,
    find_user,
    list_users,
    replace_password,
    revoke_token,
)
from safecorridor.cli.common import console, fail
from safecorridor.db.base import utcnow
from safecorridor.db.engine import migrate
from safecorridor.db.session import get_engine, session_scope
from safecorridor.errors import NotFoundError
from safecorridor.settings import get_settings
from safecorridor.sharing.audit import audit_write
from safecorridor.taxonomy.choices import Role

app = typer.Typer(help="Users of organisations, their roles and API tokens.", no_args_is_help=True)

ROLES = ", ".join(r.value for r in Role)


def ask_password(email: str) -> str:
    return str(typer.prompt(f"Password for {email}", hide_input=True, confirmation_prompt=True))


def add_user(
    email: str,
    organisation: str,
    role: str,
    *,
    display_name: str | None = None,
    password: str | None = None,
    create_organisation: bool = False,
) -> int:
    """Create a user (and, if asked, the organisation); returns the user's id."""
    migrate(get_engine())
    with session_scope() as session:
        try:
            org = find_organisation(session, organisation)
        except AccountError:
            if not create_organisation:
                raise fail(
                    f"no organisation is named {organisation!r}; pass --create-organisation "
                    "to create it"
                ) from None
            org = Organisation(name=organisation)
            session.add(org)
            session.flush()
            audit_write(session=session, viewer=None, action="create", obj=org, actor="cli")
        try:
            user = create_user(
                session=session,
                email=email,
                organisation_id=org.id,
                role=role,
                display_name=display_name,
                password=password,
            )
        except (AccountError, WeakPasswordError) as exc:
            raise fail(str(exc)) from None
        audit_write(session=session, viewer=None, action="create", obj=user, actor="cli")
        return user.id


@app.command("add")
def users_add(
    email: Annotated[str, typer.Argument(help="The user's e-mail address (the sign-in name).")],
    organisation: Annotated[
        str, typer.Option("--org", help="Organisation: id, name or short name.")
    ],
    role: Annotated[str, typer.Option(help=f"One of: {ROLES}.")] = Role.VIEWER.value,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    password: Annotated[
        bool, typer.Option("--password/--no-password", help="Ask for a password (web sign-in).")
    ] = True,
    create_organisation: Annotated[
        bool, typer.Option(help="Create the organisation if it does not exist.")
    ] = False,
) -> None:
    """Add a user to an organisation with a role."""
    secret = ask_password(email) if password else None
    add_user(
        email,
        organisation,
        role,
        display_name=name,
        password=secret,
        create_organisation=create_organisation,
    )
    console.print(f"Added {email.lower()} ({role}) to {organisation}.", highlight=False)


@app.command("list")
def users_list(
    organisation: Annotated[
        str | None, typer.Option("--org", help="Only this organisation.")
    ] = None,
) -> None:
    """List users with their organisation and role."""
    migrate(get_engine())
    with session_scope() as session:
        org_id = None
        if organisation:
            try:
                org_id = find_organisation(session, organisation).id
            except AccountError as exc:
                raise fail(str(exc)) from None
        rows = list_users(session, organisation_id=org_id)
        table = Table()
        for col in ("id", "e-mail", "name", "organisation", "role", "active", "password"):
            table.add_column(col)
        for u in rows:
            table.add_row(
                str(u.id),
                u.email,
                u.display_name,
                u.organisation.short_name or u.organisation.name,
                u.role,
                "yes" if u.is_active else "no",
                "set" if u.password_hash else "-",
            )
    console.print(table)


@app.command("token")
def users_token(
    email: Annotated[str, typer.Argument(help="Whose token.")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
    days: Annotated[
        int,
        typer.Option(
            min=1,
            max=3650,
            help="Days until it expires (at most SAFECORRIDOR_TOKEN_MAX_DAYS, 365 by default).",
        ),
    ] = 90,
) -> None:
    """Create an API token for a user and print it (it is shown only this once)."""
    longest = get_settings().token_max_days
    if days > longest:
        raise fail(
            f"--days: a token lives at most {longest} days (SAFECORRIDOR_TOKEN_MAX_DAYS);"
            f" got {days}"
        )
    migrate(get_engine())
    with session_scope() as session:
        user = find_user(session, email)
        if user is None:
            raise fail(f"no user with e-mail {email}; add one with `safecorridor users add`")
        if not user.is_active:
            raise fail(f"{user.email} is deactivated: a token of theirs would be refused")
        issued = create_token(session=session, user=user, name=name, days=days)
        audit_write(session=session, viewer=None, action="create", obj=issued.record, actor="cli")
        expires, token_id = issued.record.expires_at, issued.record.id
    typer.echo(issued.token)
    typer.echo(
        f"token {token_id} for {email.lower()} expires {expires:%Y-%m-%d %H:%M} UTC; "
        "send it as `Authorization: Bearer <token>` (`safecorridor users revoke "
        f"{token_id}` revokes it)",
        err=True,
    )


@app.command("password")
def users_password(
    email: Annotated[str, typer.Argument(help="Whose password.")],
) -> None:
    """Set a user's password (asked twice, never echoed); their web sessions end. The reset
    an administrator of the server gives a member locked out or never given one."""
    migrate(get_engine())
    secret = ask_password(email)
    with session_scope() as session:
        user = find_user(session, email)
        if user is None:
            raise fail(f"no user with e-mail {email}; add one with `safecorridor users add`")
        try:
            replace_password(session=session, user=user, password=secret, now=utcnow(), actor="cli")
        except WeakPasswordError as exc:
            raise fail(str(exc)) from None
    console.print(f"password of {email.lower()} set; their web sessions ended", highlight=False)


@app.command("revoke")
def users_revoke(
    token_id: Annotated[
        int, typer.Argument(help="The token's id (`users token` prints it beside the token).")
    ],
) -> None:
    """Revoke an API token."""
    migrate(get_engine())
    with session_scope() as session:
        try:
            record = revoke_token(session=session, token_id=token_id)
        except (AccountError, NotFoundError) as exc:
            raise fail(str(exc)) from None
        audit_write(session=session, viewer=None, action="revoke", obj=record, actor="cli")
    console.print(f"token {token_id} revoked")
