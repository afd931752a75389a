# ruff: noqa: E501  (regex lexicons are kept on one line each for readability)
"""Kinds: which trigger of a sentence names an event, and the kind of the event it starts.

:func:`mark_triggers` reads a sentence's triggers (:mod:`triggers`), marks those that do not
report an event here (anaphoric "the attack", generic "attacks on CPEC", plans "to carry out an
attack", recovered weapons) and keeps the most specific of the rest as the sentence's trigger,
if the sentence passes its class's check (a threat needs an armed group, talks need officials,
a request a government). :func:`decide_kind` gives an event its kind from its trigger and
targets, per the coding conventions of :mod:`rules` (an armed assault on security forces only
is an armed clash; an ambush of civilians is an attack).
"""

from __future__ import annotations

import re

from safecorridor.extraction import resources as res
from safecorridor.extraction.confidence import CONFIDENCE
from safecorridor.extraction.grouping import EventGroup
from safecorridor.extraction.sentences import Sentence
from safecorridor.extraction.triggers import (
    CASE_SENSITIVE,
    CASE_SENSITIVE_LOW,
    TRIG,
    TRIGGER_RX,
    TRIGGERS,
    at_word_starts,
    family,
)

_RECOVERED = re.compile(
    r"\b(?:recover\w*|seiz\w*|confiscat\w*|possession of|cache of|haul of)\b[^.;]{0,80}$", re.I
)
_POSS_DATE = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today)['’]s\s+(?:[\w-]+\s+){0,2}$",
    re.I,
)
_TOLL_HINT = re.compile(r"\b(?:death toll|toll|rose to|climbed to|risen to)\b", re.I)
_WEAK_ATTACK = {"killed"}
_POLICE_RAID = re.compile(
    r"raids?|raided|intelligence[- ]based operations?|IBOs?|counter-?terrorism operations?|combing operations?|search operations?",
    re.I,
)
_PEOPLE = re.compile(r"\bpeople\b", re.I)
_KILL_HINT = re.compile(
    r"\b(?:killed|killing|dead|died|martyred|shahadat|neutrali[sz]ed|sent to hell|eliminated|injured|wounded)\b",
    re.I,
)
_ARREST_RX = re.compile(r"\b(?:" + TRIGGER_RX["arrest"] + r")\b", re.I)
_HELD = re.compile(
    r"\b(?:held|hold|holds|holding|conducted|launched|staged|mounted|began|opened)\s+(?:[\w-]+\s+)?$",
    re.I,
)
_ANAPHOR = re.compile(
    r"(?:\b(?:the|this|that|its|their|his|her|such|an earlier|previous|last|similar)|['’]s)\s+(?:[\w-]+\s+){0,3}$",
    re.I,
)
_PLURAL_GENERIC = re.compile(
    r"(?:attacks|bombings|blasts|explosions|threats|meetings|talks|clashes|abductions|kidnappings|arrests)$",
    re.I,
)
_GENERIC = at_word_starts(
    re.compile(
        r"\b(?:numerous|multiple|series of|spate of|wave of|over the years|in recent years|frequently|often|repeatedly|specializ\w+ in|specialis\w+ in|has been targeting|have been targeting|in the past|a history of|is known for|are known for)\b",
        re.I,
    )
)
_NONEVENT = re.compile(
    r"(?:planning|plotting|planned|plan|plans|involved in|wanted in|wanted for|behind|facilitat\w+|to carry out|carry out|to prevent|prevent|preventing|against|foil|averting|possible|potential|future|of|for|face|avert)\s+(?:an?\s+|the\s+|any\s+)?(?:[\w-]+\s+){0,2}$",
    re.I,
)
_OFFICIALS = at_word_starts(
    re.compile(
        r"\b(?:officials?|ministers?|ministry|delegations?|ambassador|envoy|secretary|countries|sides|governments?|Islamabad|Beijing|China|Pakistan|chief|commander|COAS|premier|prime minister|president|committee|working group|authorities|counterparts?|police chief|inspector general|IGP|interior)\b",
        re.I,
    )
)
_GOV_ACTOR = at_word_starts(
    re.compile(
        r"\b(?:China|Chinese|Pakistan|Pakistani|Beijing|Islamabad|government|ministry|authorities|officials?)\b",
        re.I,
    )
)
_RECOVER_HINT = re.compile(r"recover|seiz|confiscat|possession|cache|haul", re.I)

#: first words that make a trigger verbal (an event reported), not a noun that may refer back
_VERBAL = frozenset(
    [
        "abduct",
        "agreed",
        "arrest",
        "asked",
        "attack",
        "barged",
        "besieged",
        "blew",
        "came",
        "come",
        "decided",
        "detonated",
        "eliminated",
        "engaged",
        "fired",
        "force",
        "forced",
        "forcing",
        "gone",
        "gunned",
        "held",
        "hurled",
        "kidnap",
        "laid",
        "lobbed",
        "met",
        "netted",
        "neutralised",
        "neutralized",
        "opened",
        "overran",
        "pledged",
        "rammed",
        "refused",
        "repelled",
        "repulsed",
        "ripped",
        "sent",
        "set",
        "shot",
        "signed",
        "sprayed",
        "stormed",
        "taken",
        "threatened",
        "took",
        "torched",
        "tore",
        "urged",
        "vowed",
        "warned",
        "went",
        "would",
    ]
)


def mark_triggers(s: Sentence) -> None:
    """Set the sentence's ``generic`` flag, every trigger in it (``all_triggers``, with whether
    it is anaphoric) and the trigger that starts an event here (``trigger``), if any. Needs
    ``s.actors``, ``s.dates`` and ``s.claim`` set."""
    text = s.text
    s.generic = bool(_GENERIC.search(text))
    recover_hint = bool(_RECOVER_HINT.search(text))
    best: tuple[int, str, int, int] | None = None
    definite: tuple[int, str, int, int] | None = None
    for m in TRIG.finditer(text):
        cls = m.lastgroup or ""
        word = m.group(0)
        if word.lower() in CASE_SENSITIVE_LOW and word not in CASE_SENSITIVE:
            continue
        if (
            cls == "meeting"
            and word.lower() in ("met", "session", "visit", "visited", "talks")
            and not _OFFICIALS.search(text)
        ):
            continue
        left = text[max(0, m.start() - 40) : m.start()]
        anaphoric = _anaphoric(s, m, cls, word, left, recover_hint)
        s.all_triggers.append((cls, m.start() + s.start, m.end() + s.start, anaphoric))
        if anaphoric:
            if family(cls) == "violent" and _definite_only(s, m, word, left):
                rk = TRIGGERS[cls][3]
                if definite is None or rk > definite[0]:
                    definite = (rk, cls, m.start() + s.start, m.end() + s.start)
            continue
        rank = TRIGGERS[cls][3]
        if cls == "attack" and word.lower() in _WEAK_ATTACK:
            rank = 0  # "killed" alone: an event only when nothing more specific is said
        if (
            cls in ("attack", "clash")
            and _POLICE_RAID.fullmatch(word)
            and _ARREST_RX.search(text)
            and not _KILL_HINT.search(text)
        ):
            continue  # "apprehended two suspects during a raid / an IBO": that is the arrest
        if best is None or rank > best[0]:
            best = (rank, cls, m.start() + s.start, m.end() + s.start)
    if best is not None and best[1] in ("ied", "grenade"):
        dis = [t for t in s.all_triggers if t[0] == "disrupted"]
        if dis:
            best = (3, "disrupted", dis[0][1], dis[0][2])
    if best is not None and _passes_class_check(s, best[1]):
        s.trigger = (best[1], best[2], best[3])
    if definite is not None and not s.generic:
        s.definite = (definite[1], definite[2], definite[3])


def _definite_only(s: Sentence, m: re.Match[str], word: str, left: str) -> bool:
    """The trigger is a definite noun phrase ("the Tuesday suicide bombing", "Monday's
    attack"), not a generic plural, a plan or a recovered weapon: it names an event, which is
    a new one when the text has named none before it."""
    if _PLURAL_GENERIC.search(word) or _NONEVENT.search(left):
        return False
    return not _RECOVERED.search(s.text[max(0, m.start() - 90) : m.start()])


def _anaphoric(
    s: Sentence, m: re.Match[str], cls: str, word: str, left: str, recover_hint: bool
) -> bool:
    """The trigger does not report an event of its own here: it refers back ("the attack"),
    is generic ("attacks"), or names a plan, a recovered weapon or a kind of thing."""
    text = s.text
    first_word = word.split()[0].lower()
    verbal = first_word.endswith(("ed", "ing")) or first_word in _VERBAL
    anaphoric = not verbal and bool(_ANAPHOR.search(left))
    if _PLURAL_GENERIC.search(word) and not re.search(
        r"\b(?:two|three|four|five|twin|\d+)\s+(?:[\w-]+\s+)?$",
        text[max(0, m.start() - 25) : m.start()],
        re.I,
    ):
        anaphoric = True
    if anaphoric and _HELD.search(left):
        anaphoric = False  # "held talks", "carried out attacks on two posts"
    violent = family(cls) == "violent"
    if violent and _NONEVENT.search(left):
        anaphoric = True
    if (
        violent
        and recover_hint
        and _RECOVERED.search(text[max(0, m.start() - 90) : m.start()])
        and "bod" not in word.lower()
    ):
        anaphoric = True  # "recovered explosives, hand grenades and a suicide jacket"
    if (
        anaphoric
        and violent
        and ("'s" in left or "’s" in left)
        and _POSS_DATE.search(left)
        and _TOLL_HINT.search(text)
    ):
        anaphoric = False  # "the death toll from Monday's suicide bombing rose to 100"
    if anaphoric and violent and s.claim and 0 <= m.start() + s.start - s.claim[1] <= 16:
        anaphoric = False  # "claimed responsibility for an attack on a camp in Buleda"
    if s.recalled and violent and not _NONEVENT.search(left):
        anaphoric = False  # the head of a recalled event: "the Besham attack, which ..."
    return anaphoric


def _passes_class_check(s: Sentence, cls: str) -> bool:
    """A threat needs an armed group, talks and agreements officials, a request a government;
    a generic sentence without a date starts no violent event."""
    text = s.text
    ok = True
    if cls in ("threat",):
        ok = any(
            res.actors().get(a.actor or "", res.Actor("", "")).kind == "armed_group"
            for a in s.actors
        ) or bool(re.search(r"\b(?:the group|the outfit|militants?|insurgents?)\b", text, re.I))
    elif cls in ("meeting", "agreement"):
        ok = bool(_OFFICIALS.search(text))
    elif cls == "request":
        ok = bool(_GOV_ACTOR.search(text)) and not s.claim
    if cls == "attack" and s.generic and not s.dates:
        ok = False
    if s.generic and not s.dates and family(cls) == "violent":
        ok = False
    return ok


def decide_kind(text: str, g: EventGroup, targets: list[str]) -> tuple[str, str, str, float]:
    """(kind, ACLED event type, sub-event type, confidence) of an event from its trigger and
    its targets: an attack on security forces alone (posts, convoys, patrols, personnel) is an
    armed clash whether or not an exchange of fire is reported (ACLED); an ambush of civilians
    is an attack."""
    kind, event_type, sub, _rank, _fam = TRIGGERS[g.cls]
    clash_cue = any(t[0] == "clash" for s in g.sentences for t in s.all_triggers)
    if (
        g.cls == "attack"
        and set(targets) <= {"security_forces", "infrastructure", "government", "corridor_project"}
        and "security_forces" in targets
        and (clash_cue or not any(_PEOPLE.search(s.text) for s in g.sentences))
    ):
        kind, event_type, sub = "armed_clash", "Battles", "Armed clash"
    trig_word = text[g.trigger[1] : g.trigger[2]].lower()
    if (
        g.cls == "clash"
        and trig_word.startswith("ambush")
        and "civilians" in targets
        and "security_forces" not in targets
    ):
        kind, event_type, sub = TRIGGERS["attack"][:3]
    specific = g.cls not in ("attack", "request")
    conf = CONFIDENCE.kind_specific_trigger if specific else CONFIDENCE.kind_generic_trigger
    return kind, event_type, sub, conf
