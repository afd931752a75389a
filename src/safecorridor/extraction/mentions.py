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

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from safecorridor.extraction import resources as res
from safecorridor.extraction.triggers import at_word_starts
from safecorridor.extraction.words import MONTH_NAMES


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
    # what the place is in its sentence when it is not where something happened: "speech"
    # (where officials spoke or condemned, an embassy's seat), "travel" (a journey's start
    # or end), "origin" (where people come from), "org" (names an office or force: "Sindh
    # police", "Balochistan government"), "reference" (a distance is measured from it),
    # "feature" (a road, stream or pass named after it: "Kohat Road", "Lahore Nala"),
    # "project" (a project named after it: "the Dasu hydropower project"),
    # "dateline", "aside" (a linked headline or section head), "admin" (a tehsil or
    # subdivision of that name: it places the district, not a town), "party" (a party to a
    # decision named in a list: "stakeholders including provinces, Gilgit-Baltistan and
    # AJK"); "" when none of these
    role: str = ""
    possessor: bool = False  # "Bannu's Domel area": the place the next one lies in


#: roles that never place an event (see :attr:`Mention.role`)
NOT_EVENT_ROLES = ("dateline", "aside", "origin", "org", "party", "feature")


#: the place modifies an event noun: "the Besham attack", "Quetta's suicide bombing"
_ATTRIB_NOUN = re.compile(
    r"(?:['’]s)?(?:\s+(?!in\b|on\b|at\b|near\b|and\b)[a-z][\w-]*){0,2}\s+(?P<noun>(?:suicide )?(?:attack|bombing|blast|explosion|assault|ambush|raid|massacre|carnage|tragedy|incident)s?)\b"
)
#: "a newspaper based in Tokyo": where an organisation lives, not where the event happened
_HOME_OF = re.compile(r"\b(?:based|headquartered|registered) (?:in|at)\s+$", re.IGNORECASE)
_HOME_OF = at_word_starts(_HOME_OF)
#: where victims were taken or come from, not where the event happened
_HOSPITAL = re.compile(
    r"(?:hospitals?|shifted|taken|moved|transferred|rushed|referred|airlifted|flown|brought|sent|funeral|buried|hometown|native|residents?(?!\s+(?:staged|held|protested|blocked|took|gathered|came|poured|marched|demonstrated|observed|chanted))|hailing|hailed|belonged|belonging|domiciled|native of)\s+(?:[\w'’-]+\s+){0,4}$",
    re.I,
)
_HOSPITAL = at_word_starts(_HOSPITAL)
#: ... unless the hospital is what was hit, or where: "a suicide bomber struck the Civil Hospital
#: in Quetta", "shot dead near the Qatar Hospital in Sector 8 of Orangi Town"
_HIT_HOSPITAL = re.compile(
    r"\b(?:struck|attacked|stormed|bombed|targeted|hit|attack|bombing|blast|explosion|assault|"
    r"near|outside|opposite|behind|close to|in front of)"
    r"\s+(?:on\s+|at\s+|inside\s+|outside\s+)?(?:the\s+|a\s+)?(?:[\w'’-]+\s+){0,3}?"
    r"hospital\s+(?:[\w'’-]+\s+){0,4}$",
    re.I,
)
#: a preposition (and up to three capitalised or place nouns) before the name
_CUE = re.compile(
    r"\b(?:(?i:in|at|near|outside|inside|visited|visiting)|on|from|of|off|into|within|around|across|along|between|to|toward|towards)\s+(?:the\s+)?(?:(?:[A-Z][\w'’-]*|port|city|town|district|area|general|province|village|outskirts|suburbs|vicinity|limits|road|highway|airport|outpost|check-?post|camp|tehsil|region)\s+){0,3}(?:of\s+(?:the\s+)?)?$"
)
_CUE = at_word_starts(_CUE)
#: group names written in lower case in use: the state's word for the TTP's fighters ("six
#: khawarij were sent to hell"); any other lower-case alias ("bla") is no mention
_LOWERCASE_GROUP_WORDS = frozenset({"khawarij", "khwarij"})
#: a town after the named place in it, with a comma: "at the Central Police Office,
#: Peshawar", "on Jinnah Road, Quetta"; or after its district: "in Kech District, Turbat"
_FACILITY_COMMA = re.compile(
    r"\b(?:(?i:at|in|on|near|outside|inside))\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s+){0,4}"
    r"(?:Office|Headquarters|Road|Chowk|Bazaar|Market|Hospital|Complex|Secretariat|House|Lines|"
    r"Station|Stadium|Square|Colony|Town|Club|Hotel|University|College|School|District|Agency|"
    r"Tehsil),\s+$"
)
_CUE_AFTER = re.compile(r"\s+(?:[Dd]istrict|city|town|area|port|tehsil|division)\b")
_NEAR = re.compile(
    r"\b(?:near|outskirts of|suburbs of|vicinity of|close to|outside|kilometres from|kilometers from|km from|miles from|off)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,2}$",
    re.I,
)
_NEAR = at_word_starts(_NEAR)
#: "Quetta's main railway station", "Balochistan's Bolan district": the place of what follows
_GENITIVE = re.compile(
    r"['’]s\s+(?:[\w-]+\s+){0,3}?(?:[A-Z][\w-]+|area|district|city|town|village|province|region|station|market|bazaar|camp|post|checkpost|compound|mosque|school|university|hospital|airport|port|highway|road|outskirts|suburbs)\b"
)
_NOT_HERE_AFTER = re.compile(r"-based|-bound|-[A-Z]|['’]s (?:government|foreign|ministry|embassy)")


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
                and not any(c.kind in ("province", "landmark") for c in cands)
            ):
                continue  # ("GHQ" is a site; "SP", "ASI" are ranks)
            if surface.isupper() and len(surface) <= 3 and surface != surface.upper():
                continue
            if (
                surface.isupper()
                and len(surface) <= 3
                and _RANK_BEFORE.search(text, max(0, s - 24), s)
            ):
                continue  # "Head Constable KP Singh": a man's initials, not the province
            if _IZAFAT_BEFORE.search(text, max(0, s - 12), s):
                continue  # "Shah-e-Mardan", "Dera-i-Ismail": a place of its own, not Mardan
            if (
                label == "P"
                and (not any(c.kind != "town" for c in cands) or key in _NAME_ENDINGS)
                and _inside_name(text, s, e)
            ):
                continue  # "Gul Bagh", "Bara Qadeem", "Landhi Town": part of a longer name
            if label == "P" and all(c.kind == "landmark" for c in cands) and _name_runs_in(text, s):
                # "Kuki Students Organisation General Headquarters (KSO GHQ)": not the army's
                continue
            if all(c.kind == "country" for c in cands):
                # a country places no event: no context to read ("Pakistan", "China")
                places.append(Mention(s, e, surface, places=cands))
                taken_p.append((s, e))
                continue
            pm = _place_mention(text, s, e, surface, cands)
            if all(c.minor for c in cands) and not pm.cued:
                continue  # a village known only from UCDP, named without a place cue
            places.append(pm)
            taken_p.append((s, e))
        else:
            if any(s < te and ts < e for ts, te in taken_a):
                continue
            name = extra_norm.get(key) if label == "B" else aliases.get(key)
            if name is None:
                continue
            if key in acr and surface != acr[key]:
                continue
            am = Mention(s, e, surface, actor=name)
            if surface.islower() and key not in _LOWERCASE_GROUP_WORDS and is_armed_group(am):
                continue
            if is_state_force(am) and _FOREIGN_ADJ_BEFORE.search(text, max(0, s - 20), s):
                continue  # "the Indian army", "Afghan police": not Pakistan's force
            actors.append(am)
            taken_a.append((s, e))
    # a place inside an armed group's name is part of the name ("Balochistan Liberation
    # Army"), not where anything happened
    groups = [(a.start, a.end) for a in actors if is_armed_group(a)]
    places = [
        m
        for m in places
        if not any(gs <= m.start and m.end <= ge and ge - gs > m.end - m.start for gs, ge in groups)
    ]
    places.sort(key=lambda m: m.start)
    for prev, m in itertools.pairwise(places):
        # "on its way to Peshawar in Khyber Pakhtunkhwa", "told reporters in Quetta, Balochistan":
        # the place that locates another takes its role
        if (
            not m.role
            and prev.role in _PASSED_ON_ROLES
            and _LOCATES.fullmatch(text, prev.end, m.start)
        ):
            m.role = prev.role
        elif not m.role and prev.role and _ACRONYM_BETWEEN.fullmatch(text, prev.end, m.start):
            m.role = prev.role  # "Khyber Pakhtunkhwa (KP)": the same place, the same role
        elif not m.role and prev.role == "origin" and _ALSO_FROM.fullmatch(text, prev.end, m.start):
            # "hails from Khyber Pakhtunkhwa or Chaman, Balochistan": each a place he may be from
            m.role = "origin"
    actors.sort(key=lambda m: m.start)
    return places, actors


#: roles a place passes on to the place that locates it right after
_PASSED_ON_ROLES = ("travel", "speech")
_ACRONYM_BETWEEN = re.compile(r"\s*\(\s*")
#: places named together with where people come from: "from Punjab and Sindh", "from Kurram or
#: Chaman, Balochistan"
_ALSO_FROM = re.compile(r"['’]?\s*(?:,|,?\s*or|,?\s*and|in|of)\s*(?:the\s+)?")
_LOCATES = re.compile(r"['’]?\s*(?:,|in|of)\s*(?:the\s+)?(?:province\s+of\s+)?")


#: where officials spoke, wrote or condemned: "told reporters in Quetta", "said in Islamabad"
#: (not a clause told after the verb: "army says 20 militants killed in Orakzai")
_SPEECH_BEFORE = re.compile(
    r"\b(?:said|says|told|tells|spoke|speaking|talking|addressing|addressed|briefing|briefed|(?:press|news|media) conference|presser|statement|handout|tweeted|interview|reporters?|journalists?|media(?:persons|men)?|the press(?!\s+club))\b(?:\s+(?!that\b|which\b|when\b|after\b|as\b|killed\b|dead\b|died\b|injured\b|wounded\b|hurt\b|martyred\b|arrested\b|abducted\b|kidnapped\b|were\b|was\b)(?:[\w'’-]+|\([^)]{0,30}\))){0,3}?\s+(?:in|at|from)\s+(?:the\s+)?$",
    re.I,
)
_SPEECH_BEFORE = at_word_starts(_SPEECH_BEFORE)
#: the source a report cites: "according to the Chinese Embassy", "according to Quetta police"
_SOURCE_BEFORE = re.compile(r"\baccording to\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}$", re.I)
#: a mission or office seated there: "the Chinese Embassy in Islamabad", "consulate in Karachi"
_SEAT_BEFORE = re.compile(
    r"\b(?:embassy|embassies|consulate|consulates|high commission|mission|foreign office|ministry|headquarters|secretariat|parliament|assembly|court|bureau|office|correspondent|newspaper|daily|channel)\s+(?:[\w'’-]+\s+){0,2}?(?:in|at)\s+(?:the\s+)?$",
    re.I,
)
_SEAT_BEFORE = at_word_starts(_SEAT_BEFORE)
#: the attack on that seat is an event there: "the attack on the Chinese consulate in Karachi"
_HIT_SEAT = re.compile(
    r"\b(?:attack\w*|assault\w*|stormed|storming|blast|explosion|bombing|raid\w*|targeted|outside|near|gate|entrance|premises|fire|fired|firing|hurled|lobbed|hurling|lobbing|torched|inside|into|away from|close to|in front of|opposite|blew (?:himself|herself|themselves) up|detonated|exploded)\b"
    # ("hurled a grenade at the building of the District Education Office in": no one spoke)
    r"(?:(?!\b(?:said|says|told|tells|stated|states|condemn\w*|added)\b)[^.;]){0,70}$",
    re.I,
)
#: a journey's ends: "from Islamabad to their camp", "en route to Quetta", "Peshawar-bound"
_TRAVEL_BEFORE = re.compile(
    r"\b(?:travel\w*|en route|on (?:its|their|his|her|the) way|heading|headed|going|coming|bound|flew|fly|flying|driving|drove|returning|ply\w*|journey|trains?|flights?|video[- ]?link|carrying|ferrying|transport\w*|shifted|moved|evacuated|departed|left)\b[^.;]{0,50}?\b(?:from|to|towards|for)\s+(?:the\s+|their\s+|its\s+|his\s+|her\s+)?(?:(?:camp|base|office|site|project|destination|residence|home|workplace|hotel|accommodation)\s+(?:in|at|near)\s+)?(?:(?:garrison|port|provincial|federal|capital|border|coastal|northern|southern|western|eastern|main|nearby|city|town)\s+){0,3}(?:(?:city|town|district)\s+of\s+)?$|\b(?:from|between)\s+(?:the\s+)?[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?\s+(?:to|and)\s+(?:the\s+)?$",
    re.I,
)
_TRAVEL_BEFORE = at_word_starts(_TRAVEL_BEFORE)
_TRAVEL_AFTER = re.compile(
    r"^(?:\s+(?:to|towards)\s+(?:the\s+)?[A-Z][\w'’-]+|[-‐](?:bound|based)\b)"
)
_TRAVEL_BETWEEN = re.compile(
    r"\b(?:travel\w*|ply\w*|running|runs|buses|coaches|trains?|route|journey\w*|commut\w*)\b[^.;]{0,40}?\bbetween\s+(?:the\s+)?$",
    re.I,
)
_BETWEEN_AND = re.compile(r"^\s+and\s+(?:the\s+)?[A-Z]")
#: where people come from: "labourers from Punjab", "natives of Sindh", "r/o Multan"
_ORIGIN_BEFORE = re.compile(
    r"(?:\b(?:labou?rers?|workers?|passengers?|travell?ers?|people|persons|men|women|pilgrims|migrants?|settlers|victims?|miners|sons?|fathers?|brothers?|applicants?|students?|famil(?:y|ies)|traders|tourists|visitors|youths?|boys|girls|elders|leaders|delegates|delegations?|representatives|officials|notables|jirga members|barbers?|tailors?|cobblers?|drivers?|hailing|hails|hailed|belonging|belonged|belong|natives?|residents?|resident|domiciled|origin|originally|them|whom|\d+)\s+(?:[\w'’-]+\s+){0,2}?(?:from|of)\s+(?:the\s+)?|\b(?:belong\w*|native|natives|hailing|hails|hailed)\s+to\s+(?:the\s+)?|\br/o\s+|\bs/o\s+)$",
    re.I,
)
#: a numbered part of a place, whose number the origin pattern would take for a count of people
_ADDRESS_BEFORE = re.compile(
    r"\b(?:sector|block|street|st|lane|gali|phase|plot|house|flat|ward|mohallah?|no|number|"
    r"unit|camp|colony|road|line|lines|gate|post)\.?\s*(?:no\.?\s*)?[#-]?\s*$",
    re.I,
)
#: people taken from a place: "abducted two engineers from", "disappeared two youths from"
_TAKEN_FROM = re.compile(
    r"\b(?:abducted|kidnapped|disappeared|picked up|took away|taken away|whisked away|"
    r"seized|snatched)\s+(?:[\w'’-]+\s+){0,4}?from\s+(?:the\s+)?$",
    re.I,
)
#: the place names an office, force or body: "Sindh police", "the Balochistan government"
_ORG_AFTER = re.compile(
    r"^(?:['’]s)?\s+(?:chief minister|cm|home minister|home department|minister|ministers|governor|government|govt|cabinet|assembly|high court|police(?!\s+(?:station|post|check\s?post|checkpost|chowki|thana|lines)s?\b)|levies(?!\s+(?:station|post|check\s?post|checkpost|thana|lines)s?\b)|rangers|ig|igp|inspector general|commissioner|deputy commissioner|dc|administration|spokes(?:man|person|woman)|health|home|information|law|caretaker|chief secretary|division|chapter|wing|unit|press club|university|bar|traders|chamber|jirga|emir|chief)\b",
    re.I,
)
#: a distance is measured from it: "145 kilometres southwest of Quetta", "20 km from Gwadar"
_REFERENCE_BEFORE = re.compile(
    r"\b\d[\d,.]*\s*(?:-\s*)?(?:km|kms|kilomet(?:er|re)s?|miles?)\b(?:\s+(?:\(\d+\s*\w+\)|[\w-]+)){0,3}?\s+(?:of|from)\s+(?:the\s+)?$",
    re.I,
)
_REFERENCE_BEFORE = at_word_starts(_REFERENCE_BEFORE)


#: a mission or office speaking: "Chinese Embassy on Sunday confirmed", "the embassy said"
_SPEAKS_AFTER = re.compile(
    r"(?:\s+(?:in|to|of)\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)?(?:\s+(?:on|late|early)\s+\w+)?\s+(?:said|says|confirmed|condemned|urged|asked|demanded|expressed|issued|stated|announced|added|called|strongly|in a statement|urges|condemns|asks|demands|calls|expresses|announces|warns|welcomes|rejects|denies|vows|slams|voices|(?:has|had)\s+(?:also\s+|strongly\s+)?(?:said|condemned|urged|asked|demanded|expressed|issued|stated|announced|called|confirmed|rejected|denied|warned|welcomed|lodged|summoned))\b"
)


#: a party to a decision listed by name: "all stakeholders including provinces, Gilgit-
#: Baltistan and AJK", "countries such as China": who took part, not where
_PARTY_BEFORE = re.compile(
    r"\b(?:stakeholders|provinces|parties|participants|countries|nations|federating units|member states|neighbours|neighbors)\b,?\s+(?:including|such as|like|namely)\b(?:\s+(?!in\b|at\b|near\b)[\w'’,-]+){0,6}?\s+(?:and\s+)?$",
    re.I,
)
_PARTY_BEFORE = at_word_starts(_PARTY_BEFORE)


#: a Frontier Region named after its town: "Frontier Region (FR) Peshawar", "FR Bannu"
_FRONTIER_REGION = re.compile(r"\b(?:FR|Frontier Region(?:\s+\(FR\))?)\s+$")
#: a stream, road or pass named after a town, not the town: "Lahore Nala", "Quetta Road"
_FEATURES = (
    r"Nala|Nallah|Nullah|Nulla|Khwar|River|Canal|Bridge|Pass|Tunnel|Road|Highway|Bypass|Motorway"
)
#: (or after two towns, and in lower case: "on Peshawar Torkham road", "the Quetta Karachi highway")
_FEATURE_AFTER = re.compile(
    r"\s+(?:[A-Z][\w'’]*\s+)?(?:" + _FEATURES + r"|road|highway|motorway|bypass)\b(?![\w-])"
)


def _role(text: str, s: int, e: int, before: str) -> str:
    """What the place is in its sentence when it is not where something happened (see
    :attr:`Mention.role`), or ""."""
    after = text[e : e + 40]
    low = before.lower()
    tail = low[-60:]
    if _SPEAKS_AFTER.match(text, e, e + 80):
        return "speech"
    if _FRONTIER_REGION.search(before, max(0, len(before) - 30)):
        return "admin"  # "FR Peshawar": the tribal region named after the town, not the town
    if _FEATURE_AFTER.match(text, e):
        return "feature"  # "near Lahore Nala", "on Quetta Road": a feature named after it
    if ("includ" in tail or "such as" in tail or "like" in tail or "namely" in tail) and (
        _PARTY_BEFORE.search(before)
    ):
        return "party"
    if ("km" in low or "kilomet" in low or "mile" in low) and _REFERENCE_BEFORE.search(before):
        return "reference"
    if " of " in tail and _OFFICE_OF.search(before, max(0, len(before) - 40)):
        return "org"
    if _TITLE_BEFORE.search(before, max(0, len(before) - 45)):
        return "org"  # "the Chief Minister Balochistan", "Deputy Commissioner Kohlu"
    if (
        (" from " in tail or " of " in tail or " to " in tail or "/o " in tail)
        and (origin := _ORIGIN_BEFORE.search(before, max(0, len(before) - 60)))
        # "forcibly disappeared two youths from Tump": where they were taken from
        and not _TAKEN_FROM.search(before, max(0, len(before) - 60))
        # "in Sector 8 of Orangi Town", "Block 13 of Gulshan": an address, not people's home
        and not _ADDRESS_BEFORE.search(before, 0, origin.start())
    ):
        return "origin"
    if (
        "according to" in tail
        and _SOURCE_BEFORE.search(before, max(0, len(before) - 60))
        # (but "according to Mardan Regional Police Officer", "according to Quetta police":
        # an office named after its seat, which places an event as elsewhere)
        and not _ORG_AFTER.match(after)
        and not after[:2].strip()[:1].isupper()
    ):
        return "speech"
    if " in " in tail or " at " in tail:
        seat = _SEAT_BEFORE.search(before, max(0, len(before) - 60))
        if seat and not _HIT_SEAT.search(text[max(0, s - 90) : s - len(seat.group(0))]):
            return "speech"
        if _SPEECH_BEFORE.search(before):
            return "speech"
    if (any(w in low for w in _TRAVEL_HINTS) and _TRAVEL_BEFORE.search(before)) or (
        _TRAVEL_AFTER.match(after)
    ):
        return "travel"
    if (
        tail.endswith("from ") or _FROM_PLACE_IN.search(before, max(0, len(before) - 60))
    ) and _FROM_TO_AFTER.match(text, e, e + 120):
        # "a bus taking engineers from Islamabad to a dam site", "a convoy coming from Bori in
        # Sukkur District of Sindh province to Ghaljo": the start
        return "travel"
    named_project = _PROJECT_AFTER.match(after) and tail.endswith(("the ", "a "))
    workplace = any(w in tail for w in ("work", "employ", "engaged", "deployed")) and (
        _WORKPLACE_BEFORE.search(tail)
    )
    if named_project or workplace:
        return "project"  # "working on the Dasu hydropower project": the project's name
    if " between " in tail and _BETWEEN_AND.match(after) and _TRAVEL_BETWEEN.search(before):
        return "travel"  # "buses travelling between Karachi and Gwadar": both ends
    if _ORG_AFTER.match(after) and not _CUE.search(before):
        return "org"
    return ""


#: a journey's start: "from Islamabad to a dam site", "from Gwadar to Karachi", "from Bori in
#: Sukkur District of Sindh province to Ghaljo" (the places that locate it in between)
_FROM_TO_AFTER = re.compile(
    r"(?:\s*(?:,|\bin\b|\bof\b)\s*(?:the\s+)?(?:[A-Z][\w'’-]*\s*){1,3}"
    r"(?:(?:[Dd]istrict|[Pp]rovince|[Aa]gency|[Dd]ivision|[Tt]ehsil)\b)?){0,3}\s+(?:to|towards)\s+\S"
)
#: a place that locates a journey's start: "from Bori in [Sukkur]"
_FROM_PLACE_IN = re.compile(
    r"\bfrom\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s+){1,3}(?:in|of|,)\s+(?:the\s+)?$"
)
#: a project named after its place: "the Dasu hydropower project", "the Thar coal power plant"
_PROJECT_AFTER = re.compile(
    r"\s+(?:[\w-]+\s+){0,2}?(?:project|projects|dam|power plant|power station|scheme)\b", re.I
)

#: where the victims worked, not where they were hit: "engineers working on the Dasu ..."
_WORKPLACE_BEFORE = re.compile(
    r"\b(?:working|work|worked|works|employed|engaged|deployed)\s+(?:on|at|for|with|in)\s+(?:the|a)\s+$",
    re.I,
)

#: words without which no journey is told before a place (substring tests are much cheaper
#: than a regex alternation scanned at every position)
_TRAVEL_HINTS = (
    "travel",
    "route",
    "way",
    "head",
    "going",
    "coming",
    "bound",
    "fl",
    "driv",
    "drove",
    "return",
    "ply",
    "journey",
    "carry",
    "ferry",
    "transport",
    "shift",
    "moved",
    "evacuat",
    "depart",
    "left",
    "from",
    "between",
    "train",
)
#: an office named after the place: "the prime minister of Azad Jammu and Kashmir", "the
#: chief ministers of all four provinces"
_OFFICE_OF = re.compile(
    r"\b(?:prime minister|chief ministers?|governors?|chief secretar(?:y|ies)|inspectors? general|president|speaker|premier|home minister|assembl(?:y|ies))\s+of\s+(?:the\s+)?$",
    re.I,
)


#: an office titled by its place, the place right after it: "Chief Minister Balochistan",
#: "Inspector General of Police Khyber Pakhtunkhwa", "DPO Bannu", "Deputy Commissioner Kohlu"
_TITLE_BEFORE = re.compile(
    r"\b(?:(?i:chief minister|governor|inspector general|inspector general of police|chief "
    r"secretary|additional chief secretary|home secretary|home minister|advocate general|"
    r"(?:deputy |assistant )?commissioner|district police officer|regional police officer|"
    r"deputy inspector general|senior superintendent of police|commandant)|CM|IG|IGP|DIG|DC|"
    r"DPO|RPO|SSP|AIG)\s+$"
)


#: capitalised words that may follow a town's name without making it part of another name
_NAME_OK_AFTER = frozenset(
    [
        "district",
        "districts",
        "agency",
        "division",
        "tehsil",
        "subdivision",
        "city",
        "cantonment",
        "cantt",
        "valley",
        "province",
        "region",
        "police",
        "levies",
        "rangers",
        "airport",
        "port",
        "railway",
        "press",
        "university",
        "hospital",
    ]
)
#: capitalised words that may precede a town's name (a sentence start, a title, a direction)
_NAME_OK_BEFORE = frozenset(
    [
        "the",
        "in",
        "at",
        "of",
        "near",
        "from",
        "to",
        "and",
        "or",
        "a",
        "an",
        "on",
        "by",
        "with",
        "outside",
        "inside",
        "across",
        "between",
        "into",
        "north",
        "south",
        "east",
        "west",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "upper",
        "lower",
        "greater",
        "old",
        "new",
        "district",
        "city",
        "town",
        "village",
        "tehsil",
        "agency",
        "area",
        "sector",
        "province",
        "said",
    ]
)
#: another country's forces: "the Indian navy", "Afghan police", "Iranian border guards"
_FOREIGN_ADJ_BEFORE = re.compile(
    r"\b(?:Indian|Afghan|Afghanistan['’]s|Iranian|Iran['’]s|India['’]s|Chinese|American|US|U\.S\.|"
    r"British|Israeli|Bangladeshi|Sri Lankan|Nepali|Russian|Saudi|Emirati)\s+$"
)
#: a rank or title before a man's initials: "Head Constable KP Singh", "ASI GM Khan"
_RANK_BEFORE = re.compile(
    r"\b(?:constable|sepoy|naik|havildar|hawaldar|inspector|si|asi|sho|dsp|ssp|mr|dr|captain|"
    r"capt|major|colonel|col|lt|lieutenant|subedar|sergeant|sgt|sahib)\.?\s+$",
    re.I,
)
#: the joiner of a compound name written with hyphens: "Shah-e-Mardan", "Bab-ul-Islam"
_IZAFAT_BEFORE = re.compile(r"[A-Za-z]-(?:e|i|ul|ud|al|o)-$")
_WORD_BEFORE = re.compile(r"([A-Za-z][\w'’]*)(?:\s+(?:e|i|ul|ud)|-e|-i)?\s+$")
_WORD_AFTER = re.compile(r"(?:\s+(?:e|i|ul|ud)|-e-|-i-)?\s+([A-Za-z][\w'’]*)")


#: districts named by a word that also ends other places' names: "Karan Nagar" in Srinagar,
#: "Sanat Nagar", "Ramkrishna Nagar" are no part of Gilgit-Baltistan's Nagar
_NAME_ENDINGS = frozenset({"nagar"})


def _inside_name(text: str, s: int, e: int) -> bool:
    """The town's name is part of a longer capitalised name: a capitalised word runs into it
    ("Gul Bagh", "Gulshan e Buner") or out of it ("Bara Qadeem", "Hassan Square")."""
    if _name_runs_in(text, s):
        return True
    after = _WORD_AFTER.match(text, e, e + 30)
    if after:
        w = after.group(1)
        if w[:1].isupper() and not w.isupper() and w.lower() not in _NAME_OK_AFTER:
            return True
    return False


def _name_runs_in(text: str, s: int) -> bool:
    """A capitalised word, not a sentence's first or a possessive, runs into the name that
    starts at s: "Gul Bagh", "Kuki Students Organisation General Headquarters"."""
    before = _WORD_BEFORE.search(text, max(0, s - 30), s)
    if before:
        w = before.group(1)
        sentence_start = text[max(0, before.start(1) - 2) : before.start(1)].strip() in (
            "",
            ".",
            ":",
            "\n",
        )
        possessive = w.endswith(("'s", "’s"))  # "South Waziristan's Wana": Wana itself
        if (
            w[:1].isupper()
            and w.lower() not in _NAME_OK_BEFORE
            and not sentence_start
            and not possessive
        ):
            return True
    return False


_DISTRICT_AFTER = re.compile(r"\s+[Dd]istrict\b")
_ADMIN_AFTER = re.compile(r"\s+(?:tehsil|subdivision|sub-division|sub division)\b", re.I)


def _place_mention(text: str, s: int, e: int, surface: str, cands: list[res.Place]) -> Mention:
    m = Mention(s, e, surface, places=cands)
    before = text[max(0, s - 60) : s]
    after = text[e : e + 12]
    m.role = _role(text, s, e, text[max(0, s - 90) : s])
    if not m.role and _ADMIN_AFTER.match(text, e, e + 20):
        m.role = "admin"  # "Jamrud tehsil": a subdivision, not a town
    elif (
        not m.role
        and _DISTRICT_AFTER.match(text, e, e + 12)
        and all(c.country != "PK" and c.kind == "town" for c in cands)
    ):
        m.role = "admin"  # "Kupwara district" abroad: the district named after its town
    m.cued = (
        bool(_CUE.search(before))
        or bool(_CUE_AFTER.match(after))
        or bool(before.endswith(", ") and _FACILITY_COMMA.search(before))
        or bool(_GENITIVE.match(text, e, e + 60) and not m.role)
    )
    m.near = bool(_NEAR.search(before))
    m.possessor = text.startswith(("'s ", "’s "), e)
    am = _ATTRIB_NOUN.match(text, e)
    if am:
        m.attrib = am.start("noun")
        m.cued = True
    m.excluded = (
        bool(_NOT_HERE_AFTER.match(after))
        or (bool(_HOSPITAL.search(before)) and not _HIT_HOSPITAL.search(text, max(0, s - 90), s))
        or bool(_HOME_OF.search(before))
        or (before.endswith("-") and before[-2:-1].isalpha())
    )
    return m


#: words that end a locality's name rather than being part of it, or that no place is named
_NOT_LOCALITY = frozenset(
    [
        "the",
        "a",
        "an",
        "police",
        "station",
        "road",
        "highway",
        # a road's part, no village: "in Bypass area of Dhadar tehsil"
        "bypass",
        "motorway",
        "chowk",
        "university",
        "hospital",
        "mosque",
        "market",
        "airport",
        "college",
        "school",
        "camp",
        "post",
        "checkpost",
        "check",
        "cantonment",
        "cantt",
        "centre",
        "center",
        "office",
        "house",
        "bridge",
        "district",
        "province",
        "agency",
        "tehsil",
        "division",
        "city",
        "town",
        "area",
        "village",
        "valley",
        "region",
        # the riverine belt ("the Katcha area of Rahim Yar Khan"): a kind of land, no place
        "katcha",
        "kacha",
        "kachcha",
        "kachha",
        "riverine",
        "security",
        "forces",
        "army",
        "frontier",
        "corps",
        "levies",
        "government",
        "ministry",
        "chief",
        "national",
        "provincial",
        "federal",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "pakistan",
        "china",
        "chinese",
        "pakistani",
        "afghan",
        "afghanistan",
        "iran",
        "india",
        "indian",
        "express",
        "railway",
        "railways",
        "motorway",
        "coastal",
        "line",
        "lines",
        "jail",
        "prison",
        "court",
        "press",
        "club",
        "hotel",
        "bazaar",
        "chowk",
        "square",
        "colony",
        "sector",
        "phase",
        "block",
        "street",
        "lane",
        "zone",
        "park",
        "plaza",
        "complex",
        "project",
        "dam",
        "port",
        "terminal",
        "field",
        "fields",
    ]
)
#: the capitalised words of a locality's name (one to three)
_LOC_NAME = r"(?P<loc>[A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|e|i|ul|ud)){0,3}?)"
_LOC_NOUN = r"(?:area|village|town|locality|valley|region|neighbou?rhood|mohalla|goth|hamlet)s?"
_LOC_NOUNS = (
    "area",
    "village",
    "town",
    "locality",
    "valley",
    "region",
    "neighbo",
    "mohalla",
    "goth",
    "hamlet",
)
#: a sub-district named, with SATP's gloss: "Safi tehsil (revenue unit) "
_TEHSIL = (
    r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?\s+(?:[Tt]ehsil|[Ss]ub-?[Dd]ivision|[Tt]aluka)"
    r"(?:\s+\([\w\s]{1,20}\))?\s+"
)
#: a sub-district between a locality and its district: "(the X area of) Safi tehsil (revenue
#: unit) in (Mohmand Agency)"
_SUBDIVISION = r"(?:" + _TEHSIL + r"(?:of|in)\s+(?:the\s+)?)?"
#: "within the limits of Township Police Station in": a police station's area between a
#: locality and its district
_POLICE_LIMITS = (
    r"within\s+the\s+(?:limits|jurisdiction|remits?)\s+of\s+(?:the\s+)?"
    r"(?:[A-Z][\w'’-]*\s+){1,3}[Pp]olice\s+[Ss]tation\s+(?:of|in)\s+(?:the\s+)?"
)
#: "in the Spinwam area of", "at Omar Kalay village in": the anchor follows
_LOC_BEFORE = re.compile(
    r"\b(?:in|at|near|from|of)\s+(?:the\s+)?(?:general\s+area\s+(?:of\s+)?)?"
    + _LOC_NAME
    + r"\s+"
    + _LOC_NOUN
    + r"\s+(?:"
    + _POLICE_LIMITS
    + r"|(?:of|in|near|within)\s+(?:the\s+)?)"
    + _SUBDIVISION
    + r"(?:[a-z]+\s+)?$"
)
#: "near the village of Bagan in Lower Kurram", "in the town of Mir Ali, North Waziristan":
#: the noun first
_LOC_OF = re.compile(
    # ("in the general area Shah-e-Mardan of Kalat District": the military's wording)
    r"\b(?:in|at|near|from|outside)\s+(?:the\s+)?"
    r"(?:(?:village|town|hamlet|locality|area)\s+of|general\s+area(?:\s+of)?)\s+"
    + _LOC_NAME
    + r"(?:,\s+|\s+(?:of|in|near|within)\s+)(?:the\s+)?(?:[a-z]+\s+)?$"
)
#: "in Takhta Beg, Khyber district", "at Hudur, near Chilas", "near Ganz, some 15km west of"
_LOC_COMMA = re.compile(
    r"\b(?:in|at|near)\s+(?:the\s+)?(?:general\s+area\s+)?"
    + _LOC_NAME
    + r",\s+(?:(?:near|in|of|on\s+the\s+(?:outskirts|edge|fringes?)\s+of)\s+(?:the\s+)?|(?:some|about|around|nearly)?\s*\d+\s*(?:km|kms|kilomet(?:er|re)s?|miles?)\s+(?:[\w-]+\s+)?(?:of|from)\s+(?:the\s+)?|a\s+(?:[\w-]+\s+){0,3}?(?:in|of|near)\s+(?:the\s+)?"
    # "in Hattar, the industrial town in Haripur district"
    r"|the\s+(?:[\w-]+\s+){0,2}?(?:village|town|hamlet|settlement|locality)\s+(?:in|of|near)\s+(?:the\s+)?"
    # "in Kappar, a village some 40 kilometres east of Pasni"
    r"|an?\s+(?:small\s+|remote\s+)?(?:village|town|hamlet|settlement|locality)\s+(?:some\s+|about\s+|around\s+|nearly\s+)?\d+\s*(?:km|kms|kilomet(?:er|re)s?|miles?)\s+(?:[\w-]+\s+)?(?:of|from)\s+(?:the\s+)?)?$"
)
#: "in Akbarpura near Nowshera District": a village named beside the town it is near
_LOC_NEAR = re.compile(r"\b(?:in|at)\s+" + _LOC_NAME + r"\s+near\s+(?:the\s+)?$")
#: a road, crossing or stream, no village: "Miran Wala Bangla Bypass"
_FEATURE_END = re.compile(r"\b(?:" + _FEATURES + r"|Chowk|Interchange|Toll Plaza)$")
#: "near Mashkaf in Kachhi district": a village named before the district it lies in, or
#: before its sub-division ("near Karamkot in Mir Ali tehsil (revenue unit) of", "at Karkanai
#: in the Safi tehsil area of")
_LOC_NEAR_IN = re.compile(
    r"\b(?:near|at)\s+"
    + _LOC_NAME
    + r"\s+in\s+(?:(?:the\s+)?"
    + _TEHSIL
    + r"(?:area\s+)?(?:of|in)\s+(?:the\s+)?)?$"
)
#: "Gwadar's Pishgan area", "Kalat district's Mangochar area": the anchor precedes
_LOC_AFTER = re.compile(r"(?:\s+district)?['’]s\s+" + _LOC_NAME + r"\s+" + _LOC_NOUN + r"\b")
#: a city so large that an "area" of it is a neighbourhood, not a place of its own
_BIG_CITY = 1_000_000


#: a name given as a district's: "Diamir district", "Khyber Agency"
_NAMED_DISTRICT = re.compile(
    r"\b(?P<name>[A-Z][a-z]{3,}(?:[- ][A-Z][a-z]+)?)\s+(?:[Dd]istrict|[Aa]gency)\b"
)


#: Islamabad by its title (not "the federal capital territory", a province's alias)
_FEDERAL_CAPITAL = re.compile(r"\bthe federal capital\b(?! territory)", re.I)


def find_localities(text: str, places: list[Mention], actors: list[Mention]) -> list[Mention]:
    """Villages and areas the gazetteer does not know, named with a known place beside them
    ("in the Matni area of Peshawar", "Gwadar's Pishgan area", "in Takhta Beg, Khyber
    district"): a mention each, placed in the known place's district and province."""
    out: list[Mention] = []
    masked = _unmask_namesakes(text, places)
    taken = [(m.start, m.end) for m in places if m not in masked]
    taken += [(a.start, a.end) for a in actors]
    if "federal capital" in text:
        # "in the federal capital": Islamabad, in a report about Pakistan
        town = next((p for p in res.gazetteer().get("islamabad", []) if p.kind == "town"), None)
        for cap in _FEDERAL_CAPITAL.finditer(text):
            if town is not None and not any(
                ts < cap.end() and cap.start() < te for ts, te in taken
            ):
                pm = _place_mention(text, cap.start(), cap.end(), cap.group(0), [town])
                pm.place = town
                out.append(pm)
    if "istrict" in text or "gency" in text:
        # "Diamir district": a district the gazetteer spells otherwise (Diamer)
        for named in _NAMED_DISTRICT.finditer(text):
            ls, le = named.start("name"), named.end("name")
            if any(ts < le and ls < te for ts, te in taken):
                continue
            d = res.known_district(named.group("name"))
            if d is not None:
                out.append(Mention(ls, le, named.group("name"), places=[d], cued=True, place=d))
                taken.append((ls, le))
    anchors = list(places)  # a locality found is an anchor too: "in X village in the Y area of Z"
    for anchor in anchors:
        p = anchor.place or (anchor.places[0] if anchor.places else None)
        if p is None or p.country != "PK" or p.kind in ("country", "landmark"):
            continue
        found = None
        before = text[max(0, anchor.start - 80) : anchor.start]
        region = (max(0, anchor.start - 80), anchor.start)
        low = before.lower()
        if any(w in low for w in _LOC_NOUNS):
            hit = _LOC_BEFORE.search(text, *region) or _LOC_OF.search(text, *region)
            if hit:
                found = (hit, True)
        if found is None and "," in before:
            hit = _LOC_COMMA.search(text, *region)
            if hit:
                found = (hit, False)
        if found is None and low.endswith(("near ", "near the ")):
            hit = _LOC_NEAR.search(text, *region)
            if hit:
                found = (hit, False)
        if found is None and p.kind == "district" and low.endswith((" in ", " of ", " the ")):
            hit = _LOC_NEAR_IN.search(text, *region)
            if hit and not _FEATURE_END.search(hit.group("loc")):
                found = (hit, False)
        if found is None and text.startswith(("'s", "’s", " district"), anchor.end):
            hit = _LOC_AFTER.match(text, anchor.end)
            if hit:
                found = (hit, True)
        if found is None:
            continue
        hit, with_noun = found
        if (
            with_noun
            and p.kind == "town"
            and p.population >= _BIG_CITY
            and not re.search(r"village|goth|hamlet", hit.group(0), re.I)
        ):
            continue  # "the Hazarganji area of Quetta": a neighbourhood of the city
        m = _locality(hit, p, taken)
        if m is None:
            continue
        m.near = anchor.near
        out.append(m)
        anchors.append(m)
    if " area" in text or " village" in text:
        out.extend(_lone_localities(text, places, taken))
    out.extend(_named_again(text, out, taken))
    return out


#: a place's part named after it: "the Ghaziabad area of Kohat", "Hyderabad village in ..."
_PART_OF_AFTER = re.compile(
    r"\s+(?:area|village|locality|mohalla|neighbou?rhood)s?\s+(?:of|in|near)\s+(?:the\s+)?"
)


def _unmask_namesakes(text: str, places: list[Mention]) -> list[Mention]:
    """A foreign town's name used for an area of a Pakistani place ("the Ghaziabad area of
    Kohat town"), or a town's of another province ("the Eidgah area of Khuzdar"), is that
    area, not the town abroad or afar: the mention (and every other mention of
    that name read as the same foreign town) loses its place, so that it is found again as
    a locality of the place it is part of."""
    starts = {m.start: m for m in places if m.place is not None and m.place.country == "PK"}
    masked: set[tuple[str, str]] = set()
    for m in places:
        p = m.place
        if p is None or p.kind != "town":
            continue
        part = _PART_OF_AFTER.match(text, m.end)
        whole = starts.get(part.end()) if part else None
        if whole is None or whole.place is None:
            continue
        if p.country != "PK" or (p.province and p.province != whole.place.province):
            # (or a town of another province: "the Eidgah area of Khuzdar", not Gilgit's)
            masked.add((m.text, p.name))
    out = [m for m in places if m.place is not None and (m.text, m.place.name) in masked]
    for m in out:
        m.place, m.places, m.excluded = None, [], True
    return out


def _named_again(text: str, found: list[Mention], taken: list[tuple[int, int]]) -> list[Mention]:
    """A locality found once, named again by its name alone elsewhere in the text ("in
    Kappar, a village ..." and later "in the hills around Kappar")."""
    out: list[Mention] = []
    villages = {m.text: m.place for m in found if m.place is not None and m.place.minor}
    for name, place in villages.items():
        for hit in re.finditer(rf"\b{re.escape(name)}\b", text):
            if any(ts < hit.end() and hit.start() < te for ts, te in taken):
                continue
            m = _place_mention(text, hit.start(), hit.end(), name, [place])
            m.place = place
            taken.append((hit.start(), hit.end()))
            out.append(m)
    return out


#: "took place in the Baleli area as ...": a locality named with no place beside it
_LOC_ALONE = re.compile(
    r"\b(?:in|at|near)\s+(?:the\s+)?(?:nearby\s+|adjoining\s+|neighbouring\s+|remote\s+)?"
    + _LOC_NAME
    + r"\s+(?:area|village|locality)\b(?!\s+(?:of|near)\b|\s+in\s+(?!(?:late|early|mid)\b|"
    + MONTH_NAMES
    + r")|['’])"
)


#: "in village Gumbat", "at village Shah Hassan Khel": the noun first, as the local press
#: writes it
_VILLAGE_FIRST = re.compile(r"\b(?:in|at|near|of)\s+village\s+" + _LOC_NAME + r"\b")


def _lone_localities(
    text: str, places: list[Mention], taken: list[tuple[int, int]]
) -> list[Mention]:
    """Localities named alone ("in the Baleli area"), placed in the district of the last
    Pakistani town named before them (the dateline's too); when that town is a city so large
    that an area of it is a neighbourhood ("in Dabgari area" after Peshawar), the city."""
    out: list[Mention] = []
    hits = [*_LOC_ALONE.finditer(text), *_VILLAGE_FIRST.finditer(text)]
    for hit in sorted(hits, key=lambda h: h.start()):
        before = [
            m
            for m in places
            if m.end <= hit.start("loc")
            and m.place
            and m.place.country == "PK"
            and m.place.kind == "town"
        ]
        if not before:
            continue
        # the last place the story was at (the dateline only when it names no other)
        p = next((m for m in reversed(before) if m.role != "dateline"), before[-1]).place
        if p is None:
            continue
        # ("shot dead in Dabgari area" after Peshawar: a neighbourhood of the city, so the city)
        m = _locality(hit, p, taken, neighbourhood=p.population >= _BIG_CITY)
        if m is not None:
            out.append(m)
    return out


def _locality(
    hit: re.Match[str], p: res.Place, taken: list[tuple[int, int]], neighbourhood: bool = False
) -> Mention | None:
    """The mention of the locality ``hit`` names (its ``loc`` group), placed in the district
    and province of the known place ``p`` (with ``neighbourhood``, a part of the city ``p``:
    placed at ``p`` itself); None when the name is no locality's or overlaps a known place or
    an actor. The span is marked taken."""
    name = hit.group("loc")
    ls, le = hit.start("loc"), hit.end("loc")
    if any(w.lower().strip("'’") in _NOT_LOCALITY for w in name.split()):
        return None
    if any(ts < le and ls < te for ts, te in taken):
        return None  # a known place or an actor, not an unknown village
    district = p.district if p.kind != "province" else None
    loc = (
        p
        if neighbourhood
        else res.known_town(name, p.province, district)
        or res.Place(name, "town", "PK", p.lat, p.lon, p.province, district, name, 0, minor=True)
    )
    taken.append((ls, le))
    return Mention(ls, le, name, places=[loc], cued=True, place=loc)


_NO_ACTOR = res.Actor("", "")


def _actor_of(m: Mention) -> res.Actor:
    """The actor-table entry the mention names (an empty one when it names none)."""
    return res.actors().get(m.actor or "", _NO_ACTOR)


def is_armed_group(m: Mention) -> bool:
    """The mention names an armed group of the actor table."""
    return _actor_of(m).kind == "armed_group"


def is_state_force(m: Mention) -> bool:
    """The mention names the state's own force (police, army, CTD, ...), not a foreign one."""
    actor = _actor_of(m)
    return actor.kind == "state_force" and not actor.foreign


#: a force told as the ones hit: "five Indian soldiers were injured", "killing two Afghan
#: border guards", "2 Indian soldiers, Pakistani villager killed"
_SUFFERED_AFTER = re.compile(
    # (one of its men, maybe named: "an Indian Army soldier was killed", "One Indian Army
    # jawan, Havildar X, was killed")
    r"(?:\s+(?:jawans?|soldiers?|personnel|officers?|troopers?|sepoys?|porters?|men)\b"
    r"(?:\s*,[^,.;]{1,60},)?)?"
    r"\s+(?:were|was|had been|have been|has been)\s+(?:also\s+|seriously\s+|critically\s+)?"
    r"(?:killed|injured|wounded|martyred|hurt|targeted|attacked|ambushed)\b",
    re.I,
)
_SUFFERED_BEFORE = re.compile(
    r"\b(?:killing|kills|kill|injuring|wounding|targeting|attacked|ambushed)\s+"
    r"(?:(?:two|three|four|five|six|\d+|the|a|an|several|some)\s+)?$"
    r"|(?:^|[^\w,]\s*)\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several)\s+$",
    re.I,
)


#: fire two armies traded: "shelling between Pakistani, Indian troops", "Pakistani and Afghan
#: forces exchanged fire", "an artillery duel"; neither side is its perpetrator
_ARMIES = r"(?:Pakistani|Pakistan(?:['’]s)?|Indian|India(?:['’]s)?|Afghan|Iranian)"
_MUTUAL = re.compile(
    rf"\bbetween\s+(?:the\s+)?{_ARMIES}\b[^.;]{{0,50}}?(?:\band|,)\s+(?:the\s+)?{_ARMIES}\b"
    r"|\b(?:trade[ds]?|trading|exchange[ds]?|exchanging)\s+(?:[\w-]+\s+){0,2}?fire\b"
    r"|\bexchanges?\s+of\s+(?:[\w-]+\s+)?fire\b|\bartillery\s+duels?\b",
    re.I,
)


def not_the_doer(sentence: str, m: Mention, offset: int = 0) -> bool:
    """The force named at ``m`` is told as the one hit, or as one of two armies trading fire,
    not as the doer (``sentence`` is the mention's sentence, starting at ``offset`` of the
    text the mention's offsets count in)."""
    start, end = m.start - offset, m.end - offset
    return bool(
        _SUFFERED_AFTER.match(sentence, end)
        or _SUFFERED_BEFORE.search(sentence, max(0, start - 40), start)
        or _MUTUAL.search(sentence)
    )


def is_foreign_force(m: Mention) -> bool:
    """The mention names a foreign state's force ("Afghan Taliban forces", "the IRGC")."""
    return _actor_of(m).foreign
