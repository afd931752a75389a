# ruff: noqa: E501  (regex lexicons are kept on one line each for readability)
"""Targets: the categories of people and property an event hit, from its sentences' words.

Categories, in this order: foreign nationals, corridor projects, security forces,
infrastructure, government, diplomatic, civilians, business; a known site adds its own category
(after these when it is none of them).
A word inside an actor's name (other than a state force's), a word that names the source of a
statement ("police officials said") or part of a place name ("Gomal Bazaar") is not a target.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from safecorridor.extraction.grouping import EventGroup
from safecorridor.extraction.mentions import (
    Mention,
    is_foreign_force,
    is_state_force,
    not_the_doer,
)
from safecorridor.extraction.sentences import Sentence
from safecorridor.extraction.triggers import WordStarts, at_word_starts

_TARGETS: list[tuple[str, re.Pattern[str]]] = [
    (
        "foreign_nationals",
        re.compile(
            r"\b(?:Chinese|Japanese|foreign(?:ers?)?|expatriates?)\s+(?:\w+\s+)?(?:nationals?|citizens?|engineers?|workers?|teachers?|professors?|staff|employees?|tourists?|experts?|technicians?|personnel|instructors?)\b|\bforeigners\b|\bConfucius Institute\b|\b(?:three|two|four|five|six|\d+) Chinese\b",
            re.I,
        ),
    ),
    (
        "corridor_project",
        re.compile(
            r"\bCPEC\b|\bcorridor projects?\b|\b(?:Chinese|imperialist|development|mega) ['’]?projects?\b|\b(?:dam|hydropower|power plant|port|expressway|project site|construction company|Chinese company|mine)\b|\bconvoy (?:of|carrying) (?:Chinese|foreign)",
            re.I,
        ),
    ),
    (
        "security_forces",
        re.compile(
            r"\b(?:soldiers?|troops|security forces|security personnel|FC|Frontier Corps|policem[ae]n|DSP|SHO|ASI|SP|DPO|constables?|sub-inspectors?|inspectors?|deputy superintendent|superintendent of police|Levies (?:personnel|post|men)|jawans?|sepoys?|naval|air station|cantonment|camp|checkpoints?|police (?:station|van|mobile|post|personnel|officials?|officers?|constables?|party|team|patrol|vehicle)|police|Levies|Khass?adars?|Khass?adar (?:force|personnel)|Rangers|army(?!-run|-owned|-managed| public school)|navy|naval|sepoys?|checkposts?|check posts?|cops?|law enforcers|security convoy|military)\b",
            re.I,
        ),
    ),
    (
        "infrastructure",
        re.compile(
            r"\b(?:railway|rail track|train|gas pipeline|pipeline|power pylons?|transmission (?:line|tower)s?|electricity pylons?|bridge|mobile (?:phone )?towers?|telecom tower|airport|highway|national highway)\b",
            re.I,
        ),
    ),
    (
        "government",
        re.compile(
            r"\b(?:government (?:office|building|official)s?|deputy commissioner|assistant commissioner|tehsil office|(?<!Levies )(?<!police )(?<!Police )(?<!FC )(?<!CTD )(?<!army )(?<!security )officials?|minister|lawmaker|MPA|MNA)\b",
            re.I,
        ),
    ),
    ("diplomatic", re.compile(r"\b(?:consulate|embassy|diplomats?|ambassador)\b", re.I)),
    (
        "civilians",
        re.compile(
            r"\b(?:civilians?|passengers?|bystanders?|passers-?by|children|schoolchildren|school ?(?:girls|boys)|pupils|teachers|pilgrims|mourners|students?|labou?rers?|villagers|residents|pedestrians|worshippers|commuters|shopkeepers|people|(?:private |security )?guards?|watchm[ae]n|chowkidars?|visitors?|patients?|polio (?:workers?|teams?|vaccinators?)|journalists?|women)\b",
            re.I,
        ),
    ),
    (
        "business",
        re.compile(
            r"\b(?:hotel|bank|shops?|market|bazaar|company|contractor|traders?|business(?:es|man|men)?|stock exchange|clinic|brick kiln|factory)\b",
            re.I,
        ),
    ),
]
_TARGETS = [(name, at_word_starts(rx)) for name, rx in _TARGETS]
#: each lexicon tried only at the words its terms can begin with
_TARGET_SCANS = [(name, WordStarts(rx)) for name, rx in _TARGETS]
_SPEAKER = re.compile(
    r"\s+(?:(?:officials?|officers?|sources|spokesm[ae]n|spokesperson)\s+)?(?:said|says|say|told|confirmed|added|reported|stated)\b",
    re.I,
)
#: a title followed by the speaker's name: "District Police Officer (DPO) Sher Khan said"
_NAMED_SPEAKER = re.compile(
    r"\)?(?:\s+\(?[A-Z][\w.'’-]*\)?){1,5},?\s+(?:said|says|told|confirmed|added|stated)\b"
)
#: the source named before: "according to the Levies Force", "said Station House Officer"
_SOURCE_BEFORE = re.compile(
    r"\b(?i:according to|said|told|quoting)\s+(?:the\s+|a\s+|an\s+)?(?:[A-Z][\w.'’()-]*\s+){0,4}$"
)
_SOURCE_AFTER = re.compile(
    r"\b(?:police|army|military|ISPR|FC|officials?)\s+(?:said|says|say|officials?|spokesm[ae]n|sources|statement|told|confirmed|chief)",
    re.I,
)
#: what the forces do after an event: they answer it ("police are investigating", "the
#: army cordoned off the area", "Levies have started a search operation", "police recovered
#: the body")
_RESPONDER_AFTER = re.compile(
    r"\s+(?:(?:are|were|have|has|had)\s+)?(?:also\s+)?(?:been\s+)?(?:investigat|start|launch|"
    r"cordon|regist|reach|arriv|rush|began|begun|collect|shift|seal|lodg|search|initiat|"
    # "police recovered the bullet-riddled body", "Levies found the bodies": they found it
    r"recover|found|retriev|took the bod)\w*",
    re.I,
)
#: one who informs the forces is a civilian: "a police informer", "army informants"
_INFORMER_AFTER = re.compile(r"\s+(?:informers?|informants?|touts?)\b", re.I)
_LOCATIVE = re.compile(
    r"\b(?:limits|jurisdiction|remit|precincts|purview|area|vicinity|beat) of (?:the )?(?:[\w-]+ ){0,3}$"
)
#: a police station named as the place of a crime: "under North Nazimabad", "in the Jamshed
#: Quarters" (the capitals of its name right before it)
_NAMED_STATION_BEFORE = re.compile(
    r"\b(?:in|under|within|remits? of|limits of)\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s+){1,3}$"
)
_HIT_BEFORE = re.compile(r"\b(?:on|at|targeted|attacked|killing|martyred)\b")
_NAME_BEFORE = re.compile(r"[A-Z][\w'’-]*\s+$")
ORDER = [name for name, _rx in _TARGETS]


def _rejected(name: str, s: Sentence, ms: int, me: int, word: str, found: list[str]) -> bool:
    """The match [ms, me) of ``s`` is no target of its category: inside an actor's name, the
    source of a statement, a place's name, a locality."""
    text = s.text
    a0, a1 = ms + s.start, me + s.start
    if any(
        a.start <= a0 and a1 <= a.end
        for a in s.actors
        # (a state's troops are forces: a foreign army's too, when hit or trading fire)
        if not is_state_force(a) and not (is_foreign_force(a) and not_the_doer(s.text, a, s.start))
    ):
        return True
    before = text[max(0, ms - 40) : ms].lower()
    if (
        name == "security_forces"
        and _SOURCE_AFTER.search(text[ms : ms + 30])
        and not _HIT_BEFORE.search(before[-25:])
    ):
        return True
    if name == "civilians" and word.lower() == "people" and "security_forces" in found:
        return True
    if name == "security_forces" and _RESPONDER_AFTER.match(text, me):
        return True  # "Police are investigating the incident": they answer it, not its target
    if name == "security_forces" and _INFORMER_AFTER.match(text, me):
        return True  # "a police informer was shot dead": a civilian who informed them
    if name == "security_forces" and _LOCATIVE.search(before[-40:]):
        return True  # "within the limits of the Township police station": a place
    if (
        name == "security_forces"
        and word.lower().startswith("police station")
        and _NAMED_STATION_BEFORE.search(text, max(0, ms - 50), ms)
    ):
        return True  # "in the Jamshed Quarters Police Station", "under Mominabad police station"
    if _SPEAKER.match(text, me) or _NAMED_SPEAKER.match(text, me):
        return True  # "Levies officials said", "police sources told": the source
    if name == "security_forces" and _SOURCE_BEFORE.search(text, max(0, ms - 60), ms):
        return True  # "according to the Levies Force", "said Station House Officer ..."
    return bool(
        name in ("business", "civilians")
        and word[:1].isupper()
        and _NAME_BEFORE.search(text[max(0, ms - 25) : ms])
    )  # part of a name: "Gomal Bazaar", "Jinnah Town"


def find_targets(g: EventGroup, place_m: Mention | None) -> list[str]:
    """The target categories of an event, in :data:`ORDER`."""
    found: list[str] = []
    # the event's sentences joined once, each category's lexicon run over them once
    sents = g.sentences
    body = " ".join(s.text for s in sents)
    starts: list[int] = []
    pos = 0
    for s in sents:
        starts.append(pos)
        pos += len(s.text) + 1
    for name, rx in _TARGET_SCANS:
        for m in rx.finditer(body):
            i = bisect_right(starts, m.start()) - 1
            s = sents[i]
            ms, me = m.start() - starts[i], m.end() - starts[i]
            if me > len(s.text):
                continue  # runs across two sentences
            if _rejected(name, s, ms, me, m.group(0), found):
                continue
            found.append(name)
            break
    if place_m is not None and place_m.place is not None and place_m.place.category:
        cat = place_m.place.category
        if cat not in found:
            found.append(cat)
    # a caller's site may carry a category of its own ("other"): after the known ones
    return sorted(found, key=lambda c: ORDER.index(c) if c in ORDER else len(ORDER))
