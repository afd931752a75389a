"""TLP 2.0 read rules, applied in the query layer: the one place that decides who reads what.

Every TLP-marked model (Document, Candidate, Incident, Site, Route: any model with ``id``,
``tlp`` and ``owner_org_id`` columns) is read through :func:`restrict`, which adds the WHERE
clause for a :class:`Viewer` to a SELECT. Lists, counts, map layers, exports and risk
surfaces all build on it, so none of them can return a record its reader may not see.

The rules, for a signed-in user of organisation U:

- ``CLEAR`` and ``GREEN``: every signed-in user.
- ``AMBER``: the owner organisation, and the organisations the owner lists as partners
  (``Organisation.partners`` is the owner's list: owner lists U, so U reads the owner's AMBER).
- ``AMBER+STRICT``: the owner organisation only.
- ``RED``: only the users named in ``record_grants`` for that record.

Anonymous readers (the public index page) see ``CLEAR`` only.

Records without an owner (rows of imported datasets) are readable only when ``CLEAR`` or
``GREEN`` (or ``RED`` with a grant): an AMBER record with nobody to share it is shown to
nobody, never to everybody.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from safecorridor.accounts.models import User, organisation_partners
from safecorridor.errors import ForbiddenError
from safecorridor.sharing.models import RecordGrant
from safecorridor.taxonomy.choices import TLP, Role

S = TypeVar("S")  # a Select of any columns

OPEN_TLP = (TLP.CLEAR, TLP.GREEN)
#: markings from the most open to the strictest
TLP_ORDER = (TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED)


def tlp_rank(marking: str | None) -> int:
    """0 for CLEAR ... 4 for RED (an unknown marking counts as the strictest)."""
    try:
        return TLP_ORDER.index(TLP(str(marking)))
    except ValueError:
        return len(TLP_ORDER) - 1


def at_least_as_strict(record_tlp: str, source_tlp: str) -> bool:
    """Whether a record marked ``record_tlp`` may hold a source marked ``source_tlp`` without
    showing it to readers the source's marking excludes."""
    return tlp_rank(record_tlp) >= tlp_rank(source_tlp)


#: markings whose reads are audited
AUDITED_TLP = frozenset({TLP.AMBER, TLP.AMBER_STRICT, TLP.RED})


@dataclass(frozen=True)
class Viewer:
    """Who is reading: a signed-in user (id, organisation, role) or an anonymous visitor."""

    user_id: int | None
    organisation_id: int | None
    role: str = Role.VIEWER
    email: str = "anonymous"

    @property
    def is_authenticated(self) -> bool:
        return self.user_id is not None

    @classmethod
    def anonymous(cls) -> Viewer:
        return cls(user_id=None, organisation_id=None)

    @classmethod
    def for_organisation(cls, organisation_id: int) -> Viewer:
        """Work done on an organisation's behalf (its alert rules, its briefings): what any
        member may read, without a member's RED grants (user id 0 names no user)."""
        return cls(
            user_id=0,
            organisation_id=organisation_id,
            role=Role.VIEWER,
            email=f"organisation:{organisation_id}",
        )

    @property
    def is_person(self) -> bool:
        """A signed-in user (not anonymous, not an organisation's background work)."""
        return bool(self.user_id)

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(
            user_id=user.id, organisation_id=user.organisation_id, role=user.role, email=user.email
        )


def record_type(model: Any) -> str:
    """The name a model's records go by in grants and the audit log ("incident", "site")."""
    explicit = getattr(model, "__record_type__", None)
    if isinstance(explicit, str):
        return explicit
    name: str = model.__tablename__
    return name[:-1] if name.endswith("s") else name


def visible(model: Any, viewer: Viewer) -> ColumnElement[bool]:
    """The condition under which ``viewer`` may read a row of ``model``."""
    return _visible(model, viewer.user_id, viewer.organisation_id)


@lru_cache(maxsize=4096)
def _visible(model: Any, user_id: int | None, org: int | None) -> ColumnElement[bool]:
    """:func:`visible`, built once per model and reader (clauses are immutable, so a hot list
    shares one instead of building the same expression tree for every request)."""
    tlp = model.tlp
    owner = model.owner_org_id
    if user_id is None:
        return tlp == TLP.CLEAR  # type: ignore[no-any-return]
    partner_of = select(organisation_partners.c.organisation_id).where(
        organisation_partners.c.partner_id == org
    )
    granted = exists().where(
        RecordGrant.record_type == record_type(model),
        RecordGrant.record_id == model.id,
        RecordGrant.user_id == user_id,
    )
    return or_(
        tlp.in_(OPEN_TLP),
        and_(tlp == TLP.AMBER, or_(owner == org, owner.in_(partner_of))),
        and_(tlp == TLP.AMBER_STRICT, owner == org),
        and_(tlp == TLP.RED, granted),
    )


def shown_markings(tlp: str, owner_org_id: int | None) -> tuple[tuple[TLP, ...], tuple[TLP, ...]]:
    """What every reader of a record marked ``tlp`` and owned by ``owner_org_id`` may read
    too: (the markings read whoever owns the row, the markings read when the row has that
    owner). What may go into that record without showing one of its readers something they
    may not read (the store's actor names and sites the extractor offers for a new document,
    the earlier copy a new document is a duplicate of).

    A CLEAR record (which anonymous readers may see) takes CLEAR rows; a GREEN one open rows;
    an AMBER one also its owner's AMBER rows (the same organisations read both); an
    AMBER+STRICT one its owner's AMBER and AMBER+STRICT rows. A RED record's grants name
    anybody, and a record of no owner has no organisation, so they take open rows only.

    >>> [list(map(str, part)) for part in shown_markings("AMBER+STRICT", 3)]
    [['CLEAR', 'GREEN'], ['AMBER', 'AMBER+STRICT']]
    """
    marking = TLP(str(tlp)) if str(tlp) in {t.value for t in TLP} else TLP.RED
    if marking == TLP.CLEAR:
        return (TLP.CLEAR,), ()
    if owner_org_id is None or marking not in (TLP.AMBER, TLP.AMBER_STRICT):
        return OPEN_TLP, ()
    return OPEN_TLP, TLP_ORDER[2 : TLP_ORDER.index(marking) + 1]


def shown_to_every_reader_of(model: Any, tlp: str, owner_org_id: int | None) -> ColumnElement[bool]:
    """The rows of ``model`` that every reader of a record marked ``tlp`` and owned by
    ``owner_org_id`` may read too (:func:`shown_markings`), as a WHERE clause."""
    anyone, owned = shown_markings(tlp, owner_org_id)
    rows = model.tlp.in_(anyone)
    if owned:
        rows = or_(rows, and_(model.tlp.in_(owned), model.owner_org_id == owner_org_id))
    return rows  # type: ignore[no-any-return]


def is_shown_to_every_reader_of(
    row_tlp: str, row_owner_id: int | None, tlp: str, owner_org_id: int | None
) -> bool:
    """:func:`shown_to_every_reader_of` for one row known in Python (marked ``row_tlp``,
    owned by ``row_owner_id``), not yet stored.

    >>> is_shown_to_every_reader_of("AMBER", 3, "AMBER+STRICT", 3)
    True
    >>> is_shown_to_every_reader_of("AMBER", 3, "GREEN", 3)
    False
    """
    anyone, owned = shown_markings(tlp, owner_org_id)
    return row_tlp in anyone or (row_tlp in owned and row_owner_id == owner_org_id)


def visibility_key(session: Session, model: Any, viewer: Viewer) -> tuple[Any, ...]:
    """What decides which rows of ``model`` the viewer reads under :func:`visible`.

    Two viewers with equal keys read exactly the same rows (at the same state of the data):
    the organisation (AMBER, AMBER+STRICT), the organisations that list it as a partner
    (their AMBER) and the viewer's RED grants. Caches of derived data (risk surfaces) are
    shared by key.
    """
    if not viewer.is_authenticated:
        return ("anonymous",)
    org = viewer.organisation_id
    partner_of = session.scalars(
        select(organisation_partners.c.organisation_id)
        .where(organisation_partners.c.partner_id == org)
        .order_by(organisation_partners.c.organisation_id)
    ).all()
    grants = session.scalars(
        select(RecordGrant.record_id)
        .where(RecordGrant.user_id == viewer.user_id, RecordGrant.record_type == record_type(model))
        .order_by(RecordGrant.record_id)
    ).all()
    return ("signed-in", org, tuple(partner_of), tuple(grants))


def restrict(stmt: S, model: Any, viewer: Viewer | None) -> S:
    """``stmt`` with the read rule of ``viewer`` for ``model`` added to its WHERE clause.

    ``viewer=None`` means a trusted local caller (the CLI on the server, imports): no filter.
    """
    if viewer is None:
        return stmt
    return cast(S, cast(Any, stmt).where(visible(model, viewer)))


def can_read(obj: Any, viewer: Viewer, *, granted: bool = False) -> bool:
    """The same rule for one loaded object (``granted``: the viewer holds a RED grant).

    Used only to explain a refusal; reads themselves go through :func:`restrict`.
    """
    tlp = str(obj.tlp)
    if not viewer.is_authenticated:
        return tlp == TLP.CLEAR
    if tlp in OPEN_TLP:
        return True
    if tlp == TLP.RED:
        return granted
    return obj.owner_org_id is not None and obj.owner_org_id == viewer.organisation_id


# --- write rules -------------------------------------------------------------------------

#: which roles write which record types (reads are by organisation and TLP, not by role)
WRITERS: dict[str, frozenset[str]] = {
    "incident": frozenset({Role.ANALYST}),
    "document": frozenset({Role.ANALYST}),
    "candidate": frozenset({Role.ANALYST}),
    "site": frozenset({Role.SITE_MANAGER}),
    "route": frozenset({Role.SITE_MANAGER}),
    "movement": frozenset({Role.ESCORT_OFFICER, Role.SITE_MANAGER}),
    "measure": frozenset({Role.SITE_MANAGER}),
    "meeting": frozenset({Role.ANALYST, Role.ADMIN}),
    "user": frozenset({Role.ADMIN}),
    "organisation": frozenset({Role.ADMIN}),
}


def can_write(viewer: Viewer, kind: str) -> bool:
    """Whether the viewer's role may create records of ``kind`` at all."""
    return viewer.is_authenticated and viewer.role in WRITERS.get(kind, frozenset())


def can_change(viewer: Viewer, kind: str, owner_org_id: int | None) -> bool:
    """Whether the viewer may change an existing record of ``kind`` owned by ``owner_org_id``.

    Records of another organisation are changed only by that organisation. Records without an
    owner (imported open data) may be curated by any analyst who can read them; sites and
    routes always need an owner.
    """
    if not can_write(viewer, kind):
        return False
    if owner_org_id is None:
        return kind in ("incident", "document", "candidate")
    return owner_org_id == viewer.organisation_id


def require_write(viewer: Viewer, kind: str) -> None:
    """Refuse (:class:`ForbiddenError`) unless the viewer's role writes records of ``kind``."""
    if not can_write(viewer, kind):
        raise ForbiddenError(
            f"your role ({viewer.role}) cannot change {kind}s; ask an administrator of your "
            "organisation for a role that can"
        )


def require_change(
    viewer: Viewer, kind: str, owner_org_id: int | None, ident: int, *, what: str | None = None
) -> None:
    """Refuse unless the viewer may change this record of ``kind`` (role and ownership);
    ``what`` names the record in the refusal when it is not the ``kind`` (a measure's site)."""
    require_write(viewer, kind)
    if not can_change(viewer, kind, owner_org_id):
        raise ForbiddenError(
            f"{what or kind} {ident} belongs to another organisation; only that organisation's "
            f"{'analysts' if kind in ('incident', 'document', 'candidate') else 'managers'} "
            "change it"
        )
