"""The registry: the protected sites and the routes between them.

Sites and routes are owned and TLP-marked like every other record (``sharing.policy``);
their risk comes from ``risk.service``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from safecorridor.db.base import Base, utcnow
from safecorridor.taxonomy.choices import TLP


class Site(Base):
    """A protected asset: a port, a plant, a dam, a road section, a campus."""

    __tablename__ = "sites"
    #: a name is unique within its organisation: another's (which may be hidden from it) is
    #: never a reason to refuse one
    __table_args__ = (UniqueConstraint("owner_org_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    project: Mapped[str | None] = mapped_column(String(300))
    site_type: Mapped[str] = mapped_column(String(20))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    polygon: Mapped[list[list[float]] | None] = mapped_column(JSON)
    admin1: Mapped[str | None] = mapped_column(String(100))
    admin2: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(100))
    personnel_foreign: Mapped[int] = mapped_column(default=0)
    personnel_local: Mapped[int] = mapped_column(default=0)
    personnel_is_illustrative: Mapped[bool] = mapped_column(default=True)
    perimeter: Mapped[str] = mapped_column(String(20), default="basic")
    guard_force: Mapped[str] = mapped_column(String(20), default="basic")
    hardening: Mapped[str] = mapped_column(String(20), default="basic")
    description: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(String(2000))
    h3_cell: Mapped[int] = mapped_column(BigInteger, index=True)
    tlp: Mapped[str] = mapped_column(String(12), default=TLP.CLEAR)
    owner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"Site({self.name!r})"


class Route(Base):
    """A named polyline ([[lat, lon], ...]) between places or sites."""

    __tablename__ = "routes"
    __table_args__ = (UniqueConstraint("owner_org_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    origin: Mapped[str | None] = mapped_column(String(200))
    destination: Mapped[str | None] = mapped_column(String(200))
    points: Mapped[list[list[float]]] = mapped_column(JSON)
    length_km: Mapped[float] = mapped_column(Float, default=0.0)
    description: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(String(2000))
    tlp: Mapped[str] = mapped_column(String(12), default=TLP.CLEAR)
    owner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"Route({self.name!r})"
