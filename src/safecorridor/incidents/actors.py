"""Actors: lookup through aliases, the unit → parent hierarchy, and creation on import."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import ColumnElement, exists, false, or_, select
from sqlalchemy.orm import Session

from safecorridor.incidents.models import Actor, ActorAlias, Incident
from safecorridor.sharing.audit import audit_objects, audit_write, record_state
from safecorridor.sharing.policy import (
    OPEN_TLP,
    Viewer,
    is_shown_to_every_reader_of,
    shown_to_every_reader_of,
    visible,
)
from safecorridor.taxonomy.choices import TLP, ActorKind

_PUNCT = re.compile(r"[^\w\s]")
# ACLED dates state forces by government: "Police Forces of Pakistan (2018-2022)"
_PERIOD = re.compile(r"\s*\(\d{4}-(\d{4})?\)\s*$")
_SPACE = re.compile(r"\s+")


def alias_key(name: str) -> str:
    """Normalised lookup key: accents folded, case folded, punctuation and 'the' dropped.

    >>> alias_key("The Baloch Liberation Army (BLA)")
    'baloch liberation army bla'
    >>> alias_key("Police Forces of Pakistan (2018-)")
    'police forces of pakistan'
    """
    text = unicodedata.normalize("NFKD", _PERIOD.sub("", name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _PUNCT.sub(" ", text.casefold().replace("’", "'").replace("'s ", " "))
    text = _SPACE.sub(" ", text).strip()
    if text.startswith("the "):
        text = text[4:]
    return text


def _in_register_or_named_where(shown: ColumnElement[bool]) -> ColumnElement[bool]:
    """The actor is in the register or an incident for which ``shown`` holds names it (as
    actor, second actor or claimant)."""
    refs = (Incident.actor1_id, Incident.actor2_id, Incident.claimed_by_id)
    read = or_(*(exists().where(col == Actor.id, shown) for col in refs))
    return or_(Actor.in_register.is_(True), read)


def actor_readable(viewer: Viewer | None) -> ColumnElement[bool]:
    """The condition under which ``viewer`` may see an actor's name: the actor is in the
    register (loaded from the actor table, entered by hand, imported as CLEAR or GREEN, or
    named first by an open record) or some incident the viewer may read names it. A name
    known only from records the viewer may not read ("Secret Cell Omega" typed into an
    AMBER+STRICT incident) is not shown: the name itself is what the record's marking
    protects. ``None``: a trusted local caller."""
    if viewer is None:
        return Actor.id.is_not(None)
    return _in_register_or_named_where(visible(Incident, viewer))


def actor_shown_with(tlp: str, owner_org_id: int | None) -> ColumnElement[bool]:
    """The condition under which an actor's name may go into a record marked ``tlp`` and
    owned by ``owner_org_id`` (the extractor's alias table for a new document): the actor is
    in the register, or an incident that every reader of that record may read names it."""
    return _in_register_or_named_where(shown_to_every_reader_of(Incident, tlp, owner_org_id))


def find_actors(
    session: Session, name: str, *, among: ColumnElement[bool] | None = None
) -> list[Actor]:
    """The actors whose name or alias matches ``name`` (after normalisation), oldest first;
    with ``among``, only those for which it holds (:func:`actor_readable`,
    :func:`actor_shown_with`). One name may stand for several actors (see
    :class:`ActorResolver`)."""
    key = alias_key(name)
    if not key:
        return []
    q = select(Actor).join(ActorAlias, ActorAlias.actor_id == Actor.id).where(ActorAlias.key == key)
    if among is not None:
        q = q.where(among)
    return list(session.scalars(q.order_by(Actor.id)))


def find_actor(
    session: Session, name: str, *, among: ColumnElement[bool] | None = None
) -> Actor | None:
    """The oldest actor whose name or alias matches ``name``, of those for which ``among``
    holds (see :func:`find_actors`), if any."""
    found = find_actors(session, name, among=among)
    return found[0] if found else None


def add_actor(
    session: Session,
    name: str,
    *,
    kind: str = ActorKind.OTHER,
    aliases: list[str] | tuple[str, ...] = (),
    parent: Actor | None = None,
    countries: str | None = None,
    description: str | None = None,
    source_url: str | None = None,
    changed_by: str | None = None,
    new: bool = False,
    in_register: bool = True,
) -> Actor:
    """Create an actor with its name and aliases as lookup keys (or update an existing one;
    with ``new``, always a new one, whose keys may also name other actors). A new actor is
    in the register unless ``in_register`` is false (a restricted record's name).

    On an existing actor, ``parent`` and the descriptive fields change only when given.
    With ``changed_by`` (an audited caller: an import, a review decision, the demo loader) a
    new actor is chained with its state ("create", by ``changed_by``), and an existing one
    whose row changed ("update"), in the session's transaction; without, auditing is left to
    the caller, as with the other services called directly.
    """
    actor = (
        None
        if new
        else find_actor(session, name)
        or session.scalar(select(Actor).where(Actor.name == name).order_by(Actor.id).limit(1))
    )
    before = record_state(actor) if actor is not None else None
    if actor is None:
        actor = Actor(name=name, kind=ActorKind(kind), in_register=in_register)
        session.add(actor)
    else:
        actor.kind = ActorKind(kind)
    if parent is not None:
        actor.parent = parent
    actor.countries = countries or actor.countries
    actor.description = description or actor.description
    actor.source_url = source_url or actor.source_url
    session.flush()
    added = add_aliases(session, actor, (name, *aliases), among=false() if new else None)
    if changed_by is not None and (before is None or record_state(actor) != before):
        audit_write(
            session=session,
            viewer=None,
            action="create" if before is None else "update",
            obj=actor,
            actor=changed_by,
        )
    if changed_by is not None and added:
        audit_objects(session=session, viewer=None, action="create", objs=added, actor=changed_by)
    return actor


def add_aliases(
    session: Session,
    actor: Actor,
    names: Iterable[str],
    *,
    skip_taken: bool = False,
    among: ColumnElement[bool] | None = None,
) -> list[ActorAlias]:
    """Give ``actor`` each of ``names`` it does not have yet as a lookup alias, and return
    the aliases created (the caller audits them). A name whose key already names another
    actor (of those for which ``among`` holds, if given) raises ValueError, or with
    ``skip_taken`` is left out (an import does not move an alias from one actor to another)."""
    known = {a.key for a in actor.aliases}
    added: list[ActorAlias] = []
    for alias in names:
        key = alias_key(alias)[:300]
        if not key or key in known:
            continue
        taken = select(ActorAlias).where(ActorAlias.key == key, ActorAlias.actor_id != actor.id)
        if among is not None:
            taken = taken.join(Actor, Actor.id == ActorAlias.actor_id).where(among)
        other = session.scalar(taken.limit(1))
        if other is not None:
            if not skip_taken:
                raise ValueError(
                    f"alias {alias!r} already belongs to actor #{other.actor_id}; "
                    f"it cannot also name {actor.name!r}"
                )
            continue
        row = ActorAlias(alias=alias[:300], key=key)
        actor.aliases.append(row)
        added.append(row)
        known.add(key)
    session.flush()
    return added


def actor_with_units(session: Session, actor_id: int) -> set[int]:
    """The actor and every unit below it, at any depth."""
    found = {actor_id}
    frontier = [actor_id]
    while frontier:
        children = session.scalars(select(Actor.id).where(Actor.parent_id.in_(frontier))).all()
        frontier = [c for c in children if c not in found]
        found.update(frontier)
    return found


def top_parent(actor: Actor) -> Actor:
    seen = set()
    while actor.parent is not None and actor.id not in seen:
        seen.add(actor.id)
        actor = actor.parent
    return actor


class ActorResolver:
    """Resolves actor names to actors for new records, quickly during an import.

    A name resolves, for a record marked ``tlp`` and owned by ``owner_org_id``, to the oldest
    actor of that name (or alias) that every reader of the record may already read
    (:func:`actor_shown_with`): one in the register, or named by an incident all of them read.
    An actor known only from records some of them may not read ("Secret Cell Omega" of
    another organisation's AMBER+STRICT report) is not lent to it, since its stored spelling,
    aliases and description would tell them of it, and whether a name links would tell the
    writer. Such a name, and a name no actor has, becomes a new actor (kind ``other``), so no
    name in a dataset is lost; it can be given aliases or a parent later. A TLP:CLEAR record
    links as a GREEN one does: the public index shows only the name, which its writer gave.

    Each new actor is audited as created by ``changed_by``, if given (:func:`add_actor`).
    """

    def __init__(
        self, session: Session, *, create: bool = True, changed_by: str | None = None
    ) -> None:
        self.session = session
        self.create = create
        self.changed_by = changed_by
        rows = session.execute(
            select(ActorAlias.key, ActorAlias.actor_id).order_by(ActorAlias.actor_id)
        ).all()
        self._ids: dict[str, list[int]] = {}
        for key, actor_id in rows:
            self._ids.setdefault(key, []).append(actor_id)
        #: actors made here (named by no stored incident yet): the readers they were made for
        #: (None: adopted, for the first record that names them)
        self._made: dict[int, tuple[str, int | None] | None] = {}
        #: (name as written, marking, owner) → actor, already resolved
        self._raw: dict[tuple[str, str, int | None], int | None] = {}

    def adopt(self, actor_ids: Iterable[int]) -> None:
        """Take actors just made outside the register for the records this resolver serves
        (an import's own restricted actors): each goes to the first record that names it,
        then to records every reader of which reads that one."""
        for actor_id in actor_ids:
            self._made[actor_id] = None

    def resolve(
        self,
        name: str | None,
        *,
        tlp: str,
        owner_org_id: int | None,
        kind: str = ActorKind.OTHER,
    ) -> int | None:
        """The actor ``name`` stands for in a record marked ``tlp``, owned by ``owner_org_id``."""
        if not name or not name.strip():
            return None
        marking = TLP.GREEN if str(tlp) == TLP.CLEAR else str(tlp)
        raw = (name, marking, owner_org_id)
        if raw not in self._raw:
            self._raw[raw] = self._resolve_key(name, kind, marking, owner_org_id)
        return self._raw[raw]

    def _resolve_key(self, name: str, kind: str, tlp: str, owner: int | None) -> int | None:
        key = alias_key(name)
        if not key:
            return None
        found = self._shown(self._ids.get(key, []), tlp, owner)
        if found is not None or not self.create:
            return found
        actor = add_actor(
            self.session,
            name.strip()[:300],
            kind=kind,
            changed_by=self.changed_by,
            new=True,
            in_register=tlp in OPEN_TLP,
        )
        self._ids.setdefault(key, []).append(actor.id)
        self._made[actor.id] = (tlp, owner)
        return actor.id

    def _shown(self, ids: list[int], tlp: str, owner: int | None) -> int | None:
        """The oldest of ``ids`` that every reader of a record (``tlp``, ``owner``) may read."""
        stored = [i for i in ids if i not in self._made]
        if stored:
            found = self.session.scalar(
                select(Actor.id)
                .where(Actor.id.in_(stored), actor_shown_with(tlp, owner))
                .order_by(Actor.id)
                .limit(1)
            )
            if found is not None:
                return found
        for actor_id in ids:
            if actor_id not in self._made:
                continue
            made = self._made[actor_id]
            if made is None:
                self._made[actor_id] = (tlp, owner)
                return actor_id
            if is_shown_to_every_reader_of(*made, tlp, owner):
                return actor_id
        return None
