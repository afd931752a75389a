"""Organisations, their members, API tokens and login attempts."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from safecorridor.db.base import Base, utcnow
from safecorridor.taxonomy.choices import Role

organisation_partners = Table(
    "organisation_partners",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
    Column("partner_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)

#: the escort organisations an organisation designates: their escort officers may see and
#: decide its movement requests (and no other organisation's)
organisation_escorts = Table(
    "organisation_escorts",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
    Column("escort_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
)


class Organisation(Base):
    """An agency, a company or a secretariat. Owns records; lists partner organisations."""

    __tablename__ = "organisations"
    #: its audited state also holds who reads its AMBER records and who escorts its movements
    #: (:meth:`audit_relations`); compared once an audited write holds them
    __audit_added__: ClassVar[dict[str, str]] = {"partners": "0025", "escorts": "0025"}

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40), default="agency")
    country: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    partners: Mapped[list[Organisation]] = relationship(
        secondary=organisation_partners,
        primaryjoin=lambda: Organisation.id == organisation_partners.c.organisation_id,
        secondaryjoin=lambda: Organisation.id == organisation_partners.c.partner_id,
        order_by=lambda: Organisation.name,
    )
    escorts: Mapped[list[Organisation]] = relationship(
        secondary=organisation_escorts,
        primaryjoin=lambda: Organisation.id == organisation_escorts.c.organisation_id,
        secondaryjoin=lambda: Organisation.id == organisation_escorts.c.escort_id,
        order_by=lambda: Organisation.name,
    )
    users: Mapped[list[User]] = relationship(back_populates="organisation", order_by="User.email")

    def __repr__(self) -> str:
        return f"Organisation({self.name!r})"

    def audit_relations(self) -> dict[str, list[int]]:
        """The partner and escort organisations' ids, kept in the audited state: a row added
        to either table behind the services' back (a partner that now reads the AMBER
        records) is a change ``audit verify`` names."""
        return {
            "partners": sorted(p.id for p in self.partners),
            "escorts": sorted(e.id for e in self.escorts),
        }


class User(Base):
    """A member of an organisation with one role; ``password_hash`` is Argon2 (None: no login)."""

    __tablename__ = "users"
    #: a display preference the user sets for themselves; not compared by ``audit verify``
    __audit_volatile__ = frozenset({"locale"})
    __table_args__ = (UniqueConstraint("email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default=Role.VIEWER)
    is_active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))
    #: the language the user reads the app in (``safecorridor.i18n``); None: the browser's
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="users")

    def __repr__(self) -> str:
        return f"User({self.email!r}, {self.role!r})"


class ApiToken(Base):
    """A bearer token of a user for machines: only its sha256 is stored; it expires and can
    be revoked."""

    __tablename__ = "api_tokens"
    #: stamped on every use; not compared by ``audit verify``
    __audit_volatile__ = frozenset({"last_used_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"ApiToken({self.prefix!r}, user={self.user_id})"


class WebSession(Base):
    """A signed-in browser: the cookie carries a random id whose sha256 is stored here, so a
    sign-out (or an administrator) ends it on every server at once."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"WebSession(user={self.user_id}, created={self.created_at:%Y-%m-%d %H:%M})"


class LoginAttempt(Base):
    """One sign-in attempt, kept in the database so that rate limits hold across workers."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "attempted_at"),
        Index("ix_login_attempts_address_at", "address", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_success: Mapped[bool] = mapped_column(default=False)


class AuthEpoch(Base):
    """One row (id 1) whose ``epoch`` the database bumps, by triggers of migration 0015, in
    the transaction of every change that can end or narrow a credential: an API token
    revoked, shortened, moved or deleted; a user deactivated, deleted, or given another
    role, organisation or e-mail address.

    A process trusts a bearer token it has checked before (``accounts.service.TokenCache``)
    only while this number is unchanged, so such a change made on any node takes effect on
    every node at the next request, for one primary-key read. A missing row reads as 0 (the
    triggers insert it back).
    """

    __tablename__ = "auth_epoch"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    epoch: Mapped[int] = mapped_column(BigInteger, default=0)
