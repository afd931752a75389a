# ruff: noqa: E501  (regex lexicons are kept on one line each for readability)
"""Place and actor mentions: one dictionary pass over a text, with the context of each place.

:func:`find_mentions` finds every gazetteer name and actor alias (:func:`resources.find_phrases`,
plus a caller's own sites and aliases), keeps the longest where names overlap, and marks each
place mention with what its context says: cued by a preposition or a noun ("in Turbat",
"Kech district"), near another place ("outskirts of"), modifying an event noun ("the Besham
attack"), or excluded (where a victim was taken, where an organisation is based, "Kabul-based").

Invariants: places do not overlap places and actors do not overlap actors (a place and an actor
may share a span: "Chinese embassy"); both lists are in text order; no tokenizer runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from safecorridor.extraction import resources as res


@dataclass
class Mention:
    """A place or actor named in the text: offsets, candidates and what its context says."""

    start: int
    end: int
    text: str
    places: list[res.Place] = field(default_factory=list)
    actor: str | None = None
    cued: bool = False
    near: bool = False
    excluded: bool = False
    place: res.Place | None = None
    attrib: int | None = None  # start of the event noun it modifies: "the Besham attack"


#: the place modifies an event noun: "the Besham attack", "Quetta's suicide bombing"
_ATTRIB_NOUN = re.compile(
    r"(?:['’]s)?(?:\s+(?!in\b|on\b|at\b|near\b|and\b)[a-z][\w-]*){0,2}\s+(?P<noun>(?:suicide )?(?:attack|bombing|blast|explosion|assault|ambush|raid|massacre|carnage|tragedy|incident)s?)\b"
)
#: "a newspaper based in Tokyo": where an organisation lives, not where the event happened
_HOME_OF = re.compile(r"\b(?:based|headquartered|registered) (?:in|at)\s+$", re.IGNORECASE)
#: where victims were taken or come from, not where the event happened
_HOSPITAL = re.compile(
    r"(?:hospital|shifted|taken|moved|transferred|rushed|referred|airlifted|flown|brought|sent|funeral|buried|hometown|native|resident|residents|hailing|hailed|belonged|belonging|domiciled|native of)\s+(?:[\w'’-]+\s+){0,4}$",
    re.I,
)
#: a preposition (and up to three capitalised or place nouns) before the name
_CUE = re.compile(
    r"\b(?:in|at|near|outside|inside|on|from|of|off|into|within|around|across|along|between|to|toward|towards)\s+(?:the\s+)?(?:(?:[A-Z][\w'’-]*|port|city|town|district|area|province|village|outskirts|suburbs|vicinity|limits|road|highway|airport|outpost|check-?post|camp|tehsil|region)\s+){0,3}(?:of\s+(?:the\s+)?)?$"
)
_CUE_AFTER = re.compile(r"\s+(?:district|city|town|area|port|tehsil|division)\b")
_NEAR = re.compile(
    r"\b(?:near|outskirts of|suburbs of|vicinity of|close to|outside|kilometres from|kilometers from|km from|miles from|off)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,2}$",
    re.I,
)
_NOT_HERE_AFTER = re.compile(r"-based|-[A-Z]|['’]s (?:government|foreign|ministry|embassy)")


@lru_cache(maxsize=32)
def _extra_place_rx(key: tuple[tuple[str, ...], ...]) -> re.Pattern[str] | None:
    names = sorted({n for names in key for n in names if n}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.I)


@lru_cache(maxsize=32)
def _extra_alias_rx(key: tuple[str, ...]) -> re.Pattern[str] | None:
    if not key:
        return None
    names = sorted(key, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.I)


def find_mentions(
    text: str,
    extra_places: list[dict[str, Any]] | None = None,
    extra_aliases: dict[str, str] | None = None,
) -> tuple[list[Mention], list[Mention]]:
    """(places, actors) named in ``text``, each list in text order. ``extra_places`` are a
    caller's sites (name, aliases, lat, lon, ...), ``extra_aliases`` alias → actor name."""
    gaz = res.gazetteer()
    aliases = res.actor_aliases()
    acr = res.acronym_forms()
    raw: list[tuple[int, int, str]] = res.find_phrases(text)  # (start, end, label)
    extra_gaz: dict[str, list[res.Place]] = {}
    if extra_places:
        extra_gaz = res.landmark_places(extra_places)
        names_key = tuple(tuple([p["name"], *(p.get("aliases") or [])]) for p in extra_places)
        rx = _extra_place_rx(names_key)
        if rx:
            raw.extend((m.start(), m.end(), "X") for m in rx.finditer(text))
    extra_norm: dict[str, str] = {}
    if extra_aliases:
        extra_norm = {res.norm(k): v for k, v in extra_aliases.items()}
        rx2 = _extra_alias_rx(tuple(sorted(extra_aliases)))
        if rx2:
            raw.extend((m.start(), m.end(), "B") for m in rx2.finditer(text))
    # longest first; places and actors may share a span (e.g. "Chinese embassy")
    raw.sort(key=lambda r: (r[0], -(r[1] - r[0])))
    places: list[Mention] = []
    actors: list[Mention] = []
    taken_p: list[tuple[int, int]] = []
    taken_a: list[tuple[int, int]] = []
    for s, e, label in sorted(raw, key=lambda r: -(r[1] - r[0])):
        surface = text[s:e]
        key = res.norm(surface)
        if label in ("P", "X"):
            if any(s < te and ts < e for ts, te in taken_p):
                continue
            cands = list(extra_gaz.get(key, [])) if label == "X" else list(gaz.get(key, []))
            if not cands or not surface[:1].isupper():
                continue
            if key in res.COMMON_WORDS and not any(
                c.kind in ("landmark", "district", "province") for c in cands
            ):
                continue
            if (
                surface.isupper()
                and len(surface) <= 3
                and not any(c.kind == "province" for c in cands)
            ):
                continue
            if surface.isupper() and len(surface) <= 3 and surface != surface.upper():
                continue
            places.append(_place_mention(text, s, e, surface, cands))
            taken_p.append((s, e))
        else:
            if any(s < te and ts < e for ts, te in taken_a):
                continue
            name = extra_norm.get(key) if label == "B" else aliases.get(key)
            if name is None:
                continue
            if key in acr and surface != acr[key]:
                continue
            if (
                surface.islower()
                and res.actors().get(name, res.Actor("", "")).kind == "armed_group"
            ):
                continue
            actors.append(Mention(s, e, surface, actor=name))
            taken_a.append((s, e))
    places.sort(key=lambda m: m.start)
    actors.sort(key=lambda m: m.start)
    return places, actors


def _place_mention(text: str, s: int, e: int, surface: str, cands: list[res.Place]) -> Mention:
    m = Mention(s, e, surface, places=cands)
    before = text[max(0, s - 60) : s]
    after = text[e : e + 12]
    m.cued = bool(_CUE.search(before)) or bool(_CUE_AFTER.match(after))
    m.near = bool(_NEAR.search(before))
    am = _ATTRIB_NOUN.match(text, e)
    if am:
        m.attrib = am.start("noun")
        m.cued = True
    m.excluded = (
        bool(_NOT_HERE_AFTER.match(after))
        or bool(_HOSPITAL.search(before))
        or bool(_HOME_OF.search(before))
        or (before.endswith("-") and before[-2:-1].isalpha())
    )
    return m


def is_armed_group(m: Mention) -> bool:
    """The mention names an armed group of the actor table."""
    return res.actors().get(m.actor or "", res.Actor("", "")).kind == "armed_group"


def is_state_force(m: Mention) -> bool:
    """The mention names a state force (police, army, CTD, ...)."""
    return res.actors().get(m.actor or "", res.Actor("", "")).kind == "state_force"
