"""Actors: lookup through aliases, the unit → parent hierarchy, and creation on import."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from safecorridor.incidents.models import Actor, ActorAlias, Incident
from safecorridor.sharing.audit import audit_objects, audit_write, record_state
from safecorridor.sharing.policy import Viewer, shown_to_every_reader_of, visible
from safecorridor.taxonomy.choices import ActorKind

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
    """The actor is in the register (no incident names it) or an incident for which
    ``shown`` holds names it (as actor, second actor or claimant)."""
    refs = (Incident.actor1_id, Incident.actor2_id, Incident.claimed_by_id)
    named = or_(*(exists().where(col == Actor.id) for col in refs))
    read = or_(*(exists().where(col == Actor.id, shown) for col in refs))
    return or_(~named, read)


def actor_readable(viewer: Viewer | None) -> ColumnElement[bool]:
    """The condition under which ``viewer`` may see an actor's name: the actor is in the
    register (no incident names it: loaded from the actor table or entered by hand) or some
    incident the viewer may read names it. A name known only from records the viewer may not
    read ("Secret Cell Omega" typed into an AMBER+STRICT incident) is not shown: the name
    itself is what the record's marking protects. ``None``: a trusted local caller."""
    if viewer is None:
        return Actor.id.is_not(None)
    return _in_register_or_named_where(visible(Incident, viewer))


def actor_shown_with(tlp: str, owner_org_id: int | None) -> ColumnElement[bool]:
    """The condition under which an actor's name may go into a record marked ``tlp`` and
    owned by ``owner_org_id`` (the extractor's alias table for a new document): the actor is
    in the register, or an incident that every reader of that record may read names it."""
    return _in_register_or_named_where(shown_to_every_reader_of(Incident, tlp, owner_org_id))


def find_actor(session: Session, name: str) -> Actor | None:
    """The actor whose name or alias matches ``name`` (after normalisation), if any."""
    key = alias_key(name)
    if not key:
        return None
    return session.scalar(
        select(Actor).join(ActorAlias, ActorAlias.actor_id == Actor.id).where(ActorAlias.key == key)
    )


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
) -> Actor:
    """Create an actor with its name and aliases as lookup keys (or update an existing one).

    On an existing actor, ``parent`` and the descriptive fields change only when given.
    With ``changed_by`` (an audited caller: an import, a review decision, the demo loader) a
    new actor is chained with its state ("create", by ``changed_by``), and an existing one
    whose row changed ("update"), in the session's transaction; without, auditing is left to
    the caller, as with the other services called directly.
    """
    actor = find_actor(session, name) or session.scalar(select(Actor).where(Actor.name == name))
    before = record_state(actor) if actor is not None else None
    if actor is None:
        actor = Actor(name=name, kind=ActorKind(kind))
        session.add(actor)
    else:
        actor.kind = ActorKind(kind)
    if parent is not None:
        actor.parent = parent
    actor.countries = countries or actor.countries
    actor.description = description or actor.description
    actor.source_url = source_url or actor.source_url
    session.flush()
    added = add_aliases(session, actor, (name, *aliases))
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
    session: Session, actor: Actor, names: Iterable[str], *, skip_taken: bool = False
) -> list[ActorAlias]:
    """Give ``actor`` each of ``names`` it does not have yet as a lookup alias, and return
    the aliases created (the caller audits them). A name whose key already names another
    actor raises ValueError, or with ``skip_taken`` is left out (an import does not move an
    alias from one actor to another)."""
    known = {a.key for a in actor.aliases}
    added: list[ActorAlias] = []
    for alias in names:
        key = alias_key(alias)[:300]
        if not key or key in known:
            continue
        other = session.scalar(select(ActorAlias).where(ActorAlias.key == key))
        if other is not None:
            if other.actor_id != actor.id and not skip_taken:
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
    """Resolves many actor names quickly during an import: a cache over aliases.

    Unknown names become new actors (kind ``other``) so no name in a dataset is lost; they
    can be given aliases or a parent later. Each is audited as created by ``changed_by``, if
    given (:func:`add_actor`).
    """

    def __init__(
        self, session: Session, *, create: bool = True, changed_by: str | None = None
    ) -> None:
        self.session = session
        self.create = create
        self.changed_by = changed_by
        rows = session.execute(select(ActorAlias.key, ActorAlias.actor_id)).all()
        self._cache: dict[str, int | None] = {key: actor_id for key, actor_id in rows}
        self._raw: dict[str, int | None] = {}  # names as written, already resolved

    def resolve(self, name: str | None, *, kind: str = ActorKind.OTHER) -> int | None:
        if not name or not name.strip():
            return None
        if name in self._raw:
            return self._raw[name]
        self._raw[name] = found = self._resolve_key(name, kind)
        return found

    def _resolve_key(self, name: str, kind: str) -> int | None:
        key = alias_key(name)
        if not key:
            return None
        if key in self._cache:
            return self._cache[key]
        if not self.create:
            return None
        actor = add_actor(self.session, name.strip(), kind=kind, changed_by=self.changed_by)
        self._cache[key] = actor.id
        return actor.id
