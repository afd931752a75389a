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

from safecorridor.extraction.casualties import LONG_WAR
from safecorridor.extraction.confidence import CONFIDENCE
from safecorridor.extraction.enumerations import list_items
from safecorridor.extraction.grouping import EventGroup
from safecorridor.extraction.mentions import is_armed_group
from safecorridor.extraction.sentences import Sentence
from safecorridor.extraction.triggers import (
    CASE_SENSITIVE,
    CASE_SENSITIVE_LOW,
    KILLING_NOUN_TRIGGERS,
    TRIG_SCAN,
    TRIGGER_RX,
    TRIGGERS,
    WEAK_ATTACK,
    at_word_starts,
    family,
)
from safecorridor.extraction.words import MONTH_NAMES, WEEKDAY_NAMES

_RECOVERED = re.compile(
    r"\b(?:recover\w*|seiz\w*|confiscat\w*|possession of|cache of|haul of)\b"
    # (not "recovered the body of a trader who had been abducted": the dead, not a weapon)
    r"(?!\s+(?:the\s+|two\s+|three\s+|\d+\s+)?(?:[\w-]+\s+)?(?:bod(?:y|ies)|corpses?|remains)\b)"
    r"[^.;]{0,150}$",
    re.I,
)
_RECOVERED = at_word_starts(_RECOVERED)
#: the same told in the passive: "a suicide jacket, arms and ammunition were recovered"
_RECOVERED_AFTER = re.compile(
    # (not "all the bodies had been recovered": the dead, not a weapon)
    r"(?:(?!\b(?:bod(?:y|ies)|corpses?|remains|dead)\b)[^.;]){0,100}?\b(?:have|has|had|were|was|being|been)\s+(?:also\s+)?(?:been\s+)?(?:recovered|seized|confiscated|found)\b",
    re.I,
)
#: a weapon worn or held, named as a trigger: "a suicide jacket", "suicide vests"
_WORN_WEAPON = re.compile(r"(?:jackets?|vests?|belts?)$", re.I)
#: ... and found at the end of a long list of things recovered
_RECOVERED_AFTER_LIST = re.compile(
    r"[^.;]{0,240}?\b(?:have|has|had|were|was)\s+(?:also\s+)?(?:been\s+)?(?:recovered|seized|"
    r"confiscated|found)\b",
    re.I,
)
#: the people held, named as such: "Among the arrested is a woman", "one of the detained"
_THE_HELD = re.compile(r"\bthe\s+$", re.I)
_POSS_DATE = re.compile(
    "(?:" + WEEKDAY_NAMES + r"|yesterday|today)['’]s\s+(?:[\w-]+\s+){0,2}$",
    re.I,
)
#: someone who came through the attack named next: "escapes missile attack", "survived a bid"
_ESCAPED = re.compile(
    r"\b(?:escapes?|escaped|survives?|survived)\s+(?:an?\s+|the\s+)?(?:[\w'’-]+\s+){0,2}$", re.I
)
_TOLL_HINT = re.compile(r"\b(?:death toll|toll|rose to|climbed to|risen to)\b", re.I)
#: a toll of an attack named by its day: "the death toll of the July 10 suicide attack"
_TOLL_OF_DATED = re.compile(
    r"\btoll\s+(?:of|from|in)\s+(?:the\s+)?(?:(?:" + MONTH_NAMES + r")\.?\s+\d{1,2}"
    r"|\d{1,2}\s+(?:" + MONTH_NAMES + r"))\s+(?:[\w-]+\s+){0,2}$",
    re.I,
)
#: a toll of the (plural) event noun after it: "Death toll in US drone strikes [climbs to 19]"
_TOLL_IN = re.compile(r"\btoll\s+(?:in|of|from)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", re.I)
#: ... or before it: "Pakistan air strikes death toll [rises to 30]"
_TOLL_AFTER = re.compile(r"\s+(?:death\s+)?toll\b", re.I)
#: a toll's rise: "rose to", "has risen to", "climbs to"
_RISEN = r"(?:rose|risen|rises?|climbed|climbs?|reached|reaches|jumped|jumps?)\s+to\b"
#: ... told before the event noun: "Death toll rises to 14 in [drone strikes]"
_TOLL_RISEN_IN = re.compile(
    r"\btoll\s+(?:has\s+)?" + _RISEN + r"\s+(?:\d+|[a-z]+)\s+in\s+(?:the\s+)?(?:[\w'’-]+\s+){0,4}$",
    re.I,
)
#: ... or after it
_TOLL_RISE = re.compile(r"[^.;]{0,120}?\b" + _RISEN, re.I)
_POLICE_RAID = re.compile(
    r"raids?|raided|intelligence[- ]based operations?|IBOs?|counter-?terrorism operations?|combing operations?|search operations?|(?:conducted|carried out) (?:an? |the )?(?:[\w-]+ ){0,2}?operations?",
    re.I,
)
_PEOPLE = re.compile(r"\bpeople\b", re.I)
_KILL_HINT = re.compile(
    r"\b(?:killed|killing|dead|died|martyred|shahadat|neutrali[sz]ed|(?:sent|dispatched) to hell|eliminated|injured|wounded)\b",
    re.I,
)
#: people held in the same breath as the dead, after them: "killed five militants and
#: arrested four others", "Two militants were killed and another (also from LeJ) was arrested",
#: "5 TTP militants killed, 4 arrested"
_HELD_VERBS = r"arrested|apprehended|detained|nabbed|captured"
_AND_HELD = re.compile(
    r"(?:\s+[\w()'’-]+){0,8}?(?:,?\s+and|,)\s+(?:[\w()'’-]+\s+){0,5}?(?:(?:were|was|have been|has been)\s+)?"
    r"(?:" + _HELD_VERBS + r"|taken into custody)\b",
    re.I,
)
#: and before them: "arrested four suspects and killed two others"
_HELD_AND = re.compile(
    r"\b(?:" + _HELD_VERBS + r")\s+(?:[\w()'’-]+\s+){0,5}?and\s+"
    r"(?:(?:were|was|have been|has been)\s+)?$",
    re.I,
)
_ARREST_RX = re.compile(
    # "the suspects had been picked up during a raid": held, as an arrest is
    r"\b(?:" + TRIGGER_RX["arrest"] + r"|(?:were|was|been|being) picked up)\b",
    re.I,
)
_HELD = re.compile(
    r"\b(?:held|hold|holds|holding|conducted|launched|staged|mounted|began|opened|carried out|continued|continues|continuing)\s+(?:[\w-]+\s+)?$",
    re.I,
)
_HELD = at_word_starts(_HELD)
_ANAPHOR = re.compile(
    r"(?:\b(?:the|this|that|its|their|his|her|such|an earlier|previous|last|similar)|['’]s)\s+(?:(?!(?:a|an)\s)[\w-]+\s+){0,3}$",
    re.I,
)
_COPULA_VERB = r"(?:is|was|has been|had been|marks|marked|became|becomes)"
#: the trigger as what an event already told is: "This is the second attack", "It was the
#: deadliest bombing since 2014", "which was a suicide attack"
_COPULAR = re.compile(
    r"\b(?:this|it|that|which)\s+" + _COPULA_VERB + r"\s+(?:the|a|an)\s+(?:[\w-]+\s+){0,3}$",
    re.I,
)
_PLURAL_GENERIC = re.compile(
    r"(?:attacks|bombings|blasts|explosions|threats|meetings|talks|clashes|abductions|kidnappings|arrests|killings|shootings|ambushes|strikes)$",
    re.I,
)
#: the counted object of a verb in the present ("arrests three", "kills 12")
_OBJECT_COUNTED = re.compile(
    r"\s+(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens|scores)\b",
    re.I,
)
#: a trigger that modifies a plural head: "IED blasts", "grenade attacks", "suicide bombings"
_PLURAL_HEAD_AFTER = re.compile(
    r"\s+(?:attacks|bombings|blasts|explosions|killings|shootings|ambushes)\b", re.I
)
#: what happens again and again: "often", "at times", "time and again"
_HABIT_WORDS = r"frequently|often|at times|from time to time|repeatedly|several times|many times|time and again|every (?:year|month|week|day)|each year|annually"
_GENERIC = at_word_starts(
    re.compile(
        r"\b(?:numerous|multiple|series of|spate of|wave of|over the years|in recent years|for (?:many |several |some )?(?:years|decades)|(?:over|in|during) the (?:past|last) (?:few |two |three |several )?(?:years|decades?)|keeps? (?:getting|being)|^Why\b|"
        + _HABIT_WORDS
        + r"|on several occasions|specializ\w+ in|specialis\w+ in|has been targeting|have been targeting|in the past|a history of|(?:is|was) not the first time|is known for|are known for|(?:are|is|remain|remains|have been|has been) (?:[\w-]+ )?(?:frequent|common|commonplace|routine|rife|rampant|a regular occurrence))\b",
        re.I,
    )
)
#: an opening phrase that says how the event of its sentence was done
_MANNER_OPENING = re.compile(
    r"^In an? (?:series|spate|wave) of (?:coordinated |simultaneous )[^,]{0,40},", re.I
)
#: an arrest intended, sought or denied, not made
_PLANNED_ARREST = re.compile(
    r"\b(?:to|will|would|could)\s+(?!have\b|had\b|be\b)(?:[\w-]+\s+){0,2}$"
    # "demanding the immediate arrest of the killers", "ordered the arrest of the culprits"
    r"|\b(?:demand\w*|call(?:ed|ing|s)? for|sought|seek\w*|urg\w*|order\w*|direct\w*|instruct\w*|vow\w*|pledg\w*)\s+(?:[\w-]+\s+){0,2}$",
    re.I,
)
_PLANNED_ARREST = at_word_starts(_PLANNED_ARREST)
#: a base-form arrest verb coordinated after a modal or "to": "will ... and apprehend"
_PLANNED_AND = re.compile(
    r"\b(?:to|will|would|shall|must)\s+(?!the\b|an?\b|his\b|her\b|their\b|its\b|this\b)"
    r"[^.;]{0,80}?\band\s+$",
    re.I,
)
_BASE_ARREST = frozenset(["arrest", "apprehend", "detain", "nab", "capture"])
#: what a demand asks for: "demanding that the government reopen the road and arrest the
#: attackers"
_DEMANDED_THAT = re.compile(r"\b(?:demand\w*|urg\w*|insist\w*)\s+that\b[^.;]{0,140}$", re.I)
_NO_ARREST = re.compile(r"\b(?:no|none|nobody|not|yet to be|never)\b[^.;,]{0,40}$", re.I)
#: a protest threatened or planned, not held: "the party would launch a protest movement"
_PLANNED_PROTEST = re.compile(
    r"\b(?:would|will|shall|to|threaten\w*|vow\w*|plan\w*|announc\w*)\s+(?:[\w-]+\s+){0,2}$",
    re.I,
)
#: a headline's subject "of" something, opening it: "Member of anti-Taliban militia [killed]"
_HEADLINE_OF = re.compile(
    r"(?!(?:The|A|An|This|That|These|Those|Its|Their|His|Her)\s)[A-Z][\w'’-]*\s+"
    r"(?:[\w'’-]+\s+){0,2}of\s+(?:[\w'’-]+\s+){1,3}$"
)
_HEADLINE_PASSIVE = frozenset(["killed", "shot dead", "gunned down", "martyred", "injured"])
#: a passive verb's auxiliary before the trigger: "a leader of the JUI-F was shot dead"
_PASSIVE_AUX = re.compile(r"\b(?:was|were|is|are|has been|have been|had been)\s+$", re.I)
#: an operation announced or approved, not fought
_ANNOUNCED = re.compile(
    r"\b(?:announc\w+|approv\w+|launching of|launch of|plans? for|proposed|decided to launch)\s+(?:an?\s+|the\s+)?(?:[\w'’-]+\s+){0,3}$",
    re.I,
)
_NO_ARREST = at_word_starts(_NO_ARREST)
_ANNOUNCED = at_word_starts(_ANNOUNCED)
#: a violent trigger talked about, not told ("protests over the attack", "plans for an
#: attack"); a vehicle that "drove over a landmine" hit it
_NONEVENT = re.compile(
    r"(?:(?:ordered|instructed|directed|told|urged|asked)\s+(?:[\w'’-]+\s+){0,5}?to|planning|plotting|planned|plan|plans|involved in|(?:linked|connected|tied) to|wanted in|wanted for|behind|facilitat\w+|to carry out|carry out|to prevent|prevent|preventing|against|foil|averting|possible|potential|future|"
    # ("the threat of an attack"; not "on the night of February 5 shot at")
    r"of(?!\s+(?:"
    + MONTH_NAMES
    + "|"
    + WEEKDAY_NAMES
    + r")\b)|for|face|avert|(?<!drove )(?<!\bran )(?<!\brun )(?<!stepped )(?<!rolled )(?<!passed )(?<!driving )over(?!\s+\d)|condemn\w*|mourn\w*|launch|to launch|continue to|vow\w* to|threaten\w* to|would|over what (?:it|they|he|she|officials|the ministry) (?:called|termed|described as))\s+(?:an?\s+|the\s+|any\s+)?[\"“‘']?(?:[\w-]+\s+){0,2}$",
    re.I,
)
_NONEVENT = at_word_starts(_NONEVENT)
#: a condemnation, and the justice it asks for the victims (no request of its own)
_CONDEMNS = re.compile(r"\b(?:condemn|denounc|deplor)\w*", re.I)
_JUSTICE = re.compile(
    r"\W*(?:[\w'’-]+\W+){0,8}?(?:brought to justice|bring (?:[\w'’-]+\s+){1,4}to justice|"
    r"(?:arrest|punish\w*)\s+(?:of\s+)?(?:the\s+)?(?:culprits|perpetrators|attackers|killers|"
    r"those responsible|terrorists|assailants))",
    re.I,
)
_OFFICIALS = at_word_starts(
    re.compile(
        r"\b(?:officials?|ministers?|ministry|delegations?|ambassador|envoy|secretary|countries|sides|governments?|Islamabad|Beijing|China|Pakistan|chief|commander|COAS|premier|prime minister|president|committee|working group|JWG|JCC|authorities|counterparts?|police chief|inspector general|IGP|interior|elders|leaders|representatives|negotiators|commissioner)\b",
        re.I,
    )
)
_GOV_ACTOR = at_word_starts(
    re.compile(
        r"\b(?:China|Chinese|Pakistan|Pakistani|Beijing|Islamabad|government|ministry|authorities|officials?|Foreign Office)\b",
        re.I,
    )
)
#: a killing told after a blockade: it was an armed group's attack, not a protest
_KILLING = re.compile(r"\b(?:killing|killed|shot dead|gunned down|martyring|executed)\b", re.I)
_ARMED_MEN = re.compile(
    r"\b(?:armed (?:men|separatists|insurgents|fighters|militants|groups?|assailants|attackers)|gunmen|militants|terrorists|attackers|assailants|insurgents)\b",
    re.I,
)
_SUCH_PLOTS = re.compile(
    r"\b(?:several|many|numerous|multiple|such|dozens of|a number of)\s+(?:[\w-]+\s+)?(?:plots|attempts|bids|attacks|designs)\b|\b(?:foiled|thwarted|frustrated|defeated)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}(?:designs|agenda|plans|nefarious)\b",
    re.I,
)
_RECOVER_HINTS = ("recover", "seiz", "confiscat", "possession", "cache", "haul")

#: first words that make a trigger verbal (an event reported), not a noun that may refer back
_VERBAL = frozenset(
    [
        "has",  # "the government has banned ...": a finite verb opens the trigger
        "have",
        "had",
        "formally",
        "officially",
        "abduct",
        "agreed",
        "arrest",
        "asked",
        "attack",
        "barged",
        "besieged",
        "blew",
        "struck",  # "the military struck what it said were hideouts"
        "pounded",
        "broke",
        "withdrew",
        "suo",
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
        "paid",  # "paid a courtesy call on the army chief"
        "pays",
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
        "spoke",
        "suspend",
        "suspends",
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


_CAPTURE_WORDS = ("captured", "detained", "taken into custody")
#: what is captured is ground: "captured multiple police checkpoints", "captured the district"
_TAKEN_GROUND = re.compile(
    r"\s+(?:the\s+|a\s+|an\s+|\w+\s+){0,3}?(?:check\s?posts?|checkpoints?|posts?|positions?|areas?|villages?|towns?|districts?|territory|bases?|camps?|hills?|peaks?|heights?|control)\b",
    re.I,
)
#: militants as who took someone: "the Taliban ... captured", "terrorists detained"
_MILITANT_CAPTORS = re.compile(
    r"\b(?:militants|terrorists|Taliban|insurgents|attackers|gunmen|kidnappers|abductors|separatists|khawarij)\b[^.;]{0,50}$",
    re.I,
)
#: security forces as who was taken: "captured four FC soldiers", "policemen captured"
_SF_CAPTIVES = re.compile(
    r"\b(?:soldiers?|troops|policem[ae]n|police(?:\s+|-)?(?:men|officials|personnel|constables?)|FC|Levies|personnel|security (?:forces|officials)|officials|employees|workers|engineers|passengers)\b",
    re.I,
)
_CAPTIVE_SUSPECTS = re.compile(
    r"\b(?:militants?|terrorists?|suspects?|accused|insurgents?|khawarij|criminals?|dacoits?|culprits?)\b",
    re.I,
)


#: what is taken into custody when no one is arrested: a body, or weapons, a vehicle
_REMAINS = re.compile(r"\b(?:body|bodies|remains|corpses?)\b", re.I)
_THINGS = re.compile(
    r"\b(?:weapons?|arms|kalashnikovs?|rifles?|pistols?|guns?|explosives?|ammunition|"
    r"vehicles?|motorcycles?|motorbikes?|cars?|phones?|documents)\b",
    re.I,
)
_PEOPLE_HELD = re.compile(
    r"\b(?:suspects?|militants?|terrorists?|men|man|persons?|people|him|her|them|accused|"
    r"facilitators?|members?|women|woman|boys?|individuals?|culprits?|attackers?)\b",
    re.I,
)
_CLAUSE_START = re.compile(r".*(?:[,;:]|\b(?:and|adding that|that|while)\s)", re.S)


def _things_held(text: str, m: re.Match[str]) -> bool:
    """What was taken into custody is a body or things, not a person: "his body and a
    Kalashnikov were taken into custody", "took the body of the bomber into custody"."""
    what = text[m.start() : m.end()]
    if what.lower().startswith("took"):
        held = what  # "took the body ... into custody": the object is inside the trigger
    else:
        before = text[max(0, m.start() - 70) : m.start()]
        cut = _CLAUSE_START.match(before)
        held = before[cut.end() :] if cut else before
    if _REMAINS.search(held):
        return True  # "the body of the bomber", whoever else is named
    return bool(_THINGS.search(held)) and not _PEOPLE_HELD.search(held)


def _held_by_militants(text: str, m: re.Match[str]) -> bool:
    """A capture told of militants or of security forces taken: an abduction, not an arrest
    ("The Taliban released a video of 16 policemen captured in June")."""
    if _MILITANT_CAPTORS.search(text, max(0, m.start() - 60), m.start()):
        return True
    near = text[max(0, m.start() - 60) : m.end() + 40]
    return bool(_SF_CAPTIVES.search(near)) and not _CAPTIVE_SUSPECTS.search(near)


#: a case named after its crime: "the consulate attack case", "in the blast cases"
_A_CASE = re.compile(r"\s+cases?\b", re.I)


def mark_triggers(s: Sentence) -> None:
    """Set the sentence's ``generic`` flag, every trigger in it (``all_triggers``, with whether
    it is anaphoric) and the trigger that starts an event here (``trigger``), if any. Needs
    ``s.actors``, ``s.dates`` and ``s.claim`` set."""
    text = s.text
    gen = _GENERIC.search(text)
    # ("In a series of coordinated attacks, assailants have burned down twelve schools": the
    # opening phrase says how; the clause after it tells the event)
    manner = _MANNER_OPENING.match(text) if gen is not None else None
    s.generic = gen is not None and not (manner is not None and gen.end() <= manner.end())
    s.tally = is_tally(s)
    low = text.lower()
    recover_hint = any(w in low for w in _RECOVER_HINTS)
    found: list[tuple[int, str, int, int]] = []
    noun_uses: list[tuple[int, int]] = []  # "the attack" beside another kind's trigger
    definite: tuple[int, str, int, int] | None = None
    for m in TRIG_SCAN.finditer(text):
        cls = m.lastgroup or ""
        word = m.group(0)
        if word.lower() in CASE_SENSITIVE_LOW and word not in CASE_SENSITIVE:
            continue
        if (
            cls == "meeting"
            and word.lower() in ("met", "meets", "session", "visit", "visits", "visited", "talks")
            and not _OFFICIALS.search(text)
        ):
            continue
        left = text[max(0, m.start() - 40) : m.start()]
        if (
            cls == "agreement"
            and word.lower() == "approved"
            and (
                text[max(0, m.start() - 3) : m.start()].lower() == "as " or _BY.match(text, m.end())
            )
        ):
            continue  # "(as approved by the apex committee)": a past decision cited, no event
        if family(cls) == "violent" and _A_CASE.match(text, m.end()):
            continue  # "ATC indicts three in consulate attack case": the case, no new attack
        if cls == "attack" and word.lower() in ("killing", "shoot") and not s.headline:
            continue  # a headline's grammar ("..., killing 42", "Taliban shoot 2"), not a body's
        if cls == "arrest" and word.lower() == "captured" and _ON_CAMERA.match(text, m.end()):
            continue  # "the moment of the attack was captured through a CCTV camera"
        if cls == "arrest" and "custody" in word.lower() and _things_held(text, m):
            continue  # "his body and a Kalashnikov were taken into custody": no one arrested
        if cls == "arrest" and word.lower() == "captured" and _TAKEN_GROUND.match(text, m.end()):
            continue  # "militants captured police checkpoints": ground taken, no one held
        if cls == "arrest" and word.lower() in _CAPTURE_WORDS and _held_by_militants(text, m):
            cls = "abduction"  # "militants captured four soldiers": taken, not arrested
        if cls == "legal" and word.lower() == "decided to" and _TWO_PARTIES.search(left):
            cls = "agreement"  # "Islamabad and Beijing have decided to": a decision of two
        if cls == "suicide" and _UNIT_NAME.search(word) and _UNIT_BEFORE.search(left):
            continue  # "the Majeed Brigade, the suicide squad of the BLA": a unit's name
        if cls == "abduction" and "away" in word.lower() and _things_held(text, m):
            continue  # "their bodies had been taken away by their accomplices": no captive
        if (
            cls == "meeting"
            and word.lower().startswith("visit")
            and _VISIT_NO_MEETING.match(text, m.end())
        ):
            continue  # "visited the hospital", "visited the injured": no talks
        if (
            cls == "request"
            and word.lower() in _REFUSALS
            and _A_CHARGE.search(text, max(0, m.start() - 30), min(len(text), m.end() + 40))
        ):
            continue  # "a charge Kabul rejected", "denied the allegations": no request refused
        if cls == "request" and _CONDEMNS.search(text) and _JUSTICE.match(text, m.end()):
            continue  # "condemned the attack and demanded that the perpetrators be brought to
            # justice": part of the condemnation, no request of one party to another
        if cls == "request" and word.lower() in _REFUSALS and _NO_COMMENT.match(text, m.end()):
            continue  # "refused to share more details": no comment, no request refused
        if (
            cls == "meeting"
            and "phone" in word.lower()
            and _CONDOLENCE.search(text)
            and not _TALKED.search(text)
        ):
            continue  # "telephoned the Aga Khan and expressed his condolences": a courtesy
        if cls == "meeting" and _PLANNED_MEETING.search(text):
            continue  # "its next meeting is scheduled to be held in Beijing": not yet held
        if (
            cls == "meeting"
            and word.lower() in ("called on", "calls on")
            and _CALLED_ON_TO.match(text, m.end())
        ):
            cls = "request"  # "called on Pakistan to take measures": a request, no visit
        if cls == "agreement" and word.lower() == "pledged" and not _TWO_PARTIES.search(left):
            continue  # "Islamabad has pledged foolproof security": one side's promise
        if (
            cls == "legal"
            and _LIST_WORD.match(word)
            and not _PUT_ON.search(text, max(0, m.start() - 100), m.start())
        ):
            continue  # "the BLA, already on the list of proscribed groups": no act today
        if cls == "request" and word.lower() == "asked" and _ASKED_ABOUT.match(text, m.end()):
            continue  # "Asked about the attacks, a spokesperson said": a question, no request
        if cls == "agreement" and _NOT_YET.search(left):
            continue  # "efforts to strike a peace deal", "close to signing": not (yet) agreed
        if (
            word.lower() in ("arrested", "detained", "martyred", "killed", "abducted", "kidnapped")
            and _ATTRIBUTIVE_BEFORE.search(left)
            and _HELD_PEOPLE.match(text, m.end())
        ):
            continue  # "the arrested suspects", "the abducted men": told before
        if cls == "protest" and _ARMED_MEN.search(text) and _KILLING.search(text, m.end()):
            cls = "attack"  # "armed separatists blocked a highway, killing five passengers"
        if cls == "protest" and word.lower() == "protesting" and _ATTRIBUTIVE_BEFORE.search(left):
            continue  # "the protesting policemen": who they are, not a protest told here
        if (
            cls == "clash"
            and word.lower().endswith("operations")
            and not re.search(
                r"\b(?:two|three|four|five|six|\d+|several|separate|multiple)\s+(?:[\w-]+\s+)?$",
                left,
                re.I,
            )
        ):
            continue  # "stay away from military operations": operations in general
        if cls == "protest" and _AT_THE_GATHERING.search(left):
            continue  # "a suicide bombing at a party rally": where it struck, no protest
        if (
            cls == "disrupted"
            and word.lower() in ("foiled", "foils", "thwarted", "thwarts", "averted", "averts")
            and _ARREST_RX.search(text)
        ):
            continue  # "foiled a terror plot and arrested 11 suspects": the arrest is the event
        if (
            cls == "attack"
            and word.lower().startswith(("confess", "admit"))
            and _ARREST_RX.search(text)
        ):
            continue  # "arrested two men who confessed to killing a policeman": the arrest
        if word.lower().endswith(" of") and (
            _CHARGED_WITH.search(left)
            or _CHARGES_LISTED.search(text, max(0, m.start() - 90), m.start())
        ):
            continue  # "confessed his involvement in the killing of 15 people": a record
        if cls == "campaign" and _DECIDED.search(text, 0, m.start()):
            continue  # "approved ... the launching of Operation X": the decision is the event
        anaphoric = _anaphoric(s, m, cls, word, left, recover_hint)
        if (
            not anaphoric
            and family(cls) == "violent"
            and _noun_after_determiner(word.split()[0].lower(), left)
        ):
            if _ARREST_RX.search(text):
                anaphoric = True  # "arrested two suspects in connection with the attack"
            else:
                noun_uses.append((m.start() + s.start, m.end() + s.start))
        if (
            anaphoric
            and cls in ("ied", "grenade")
            and recover_hint
            and _RECOVERED_AFTER.match(text, m.end())
        ):
            # "another bomb ... was recovered from the site": a weapon found, as "recovered a
            # bomb" is
            found.append(
                (TRIGGERS["disrupted"][3], "disrupted", m.start() + s.start, m.end() + s.start)
            )
        s.all_triggers.append((cls, m.start() + s.start, m.end() + s.start, anaphoric))
        if anaphoric:
            if (family(cls) == "violent" and _definite_only(s, m, word, left)) or (
                # "The sit-in of the elders outside the press club entered its eighth day"
                family(cls) == "protest"
                and left.strip().lower() == "the"
                and m.start() < 5
                and word.lower() != "protesters"
            ):
                rk = TRIGGERS[cls][3]
                if definite is None or rk > definite[0]:
                    definite = (rk, cls, m.start() + s.start, m.end() + s.start)
            continue
        rank = TRIGGERS[cls][3]
        if cls == "attack" and word.lower() in WEAK_ATTACK:
            # "killed" alone: an event only when nothing more specific is said, but more than
            # the arrests told with it ("killed five militants and arrested four others")
            killed_and_held = _AND_HELD.match(text, m.end()) or _HELD_AND.search(left)
            rank = TRIGGERS["arrest"][3] + 1 if killed_and_held else 0
        if (
            cls in ("attack", "clash")
            and _POLICE_RAID.fullmatch(word)
            and _ARREST_RX.search(text)
            and not _KILL_HINT.search(text)
        ):
            continue  # "apprehended two suspects during a raid / an IBO": that is the arrest
        found.append((rank, cls, m.start() + s.start, m.end() + s.start))
    if noun_uses and any(family(t[1]) in ("talks", "request") for t in found):
        # "briefed the delegation on the steps taken after the attack": the briefing is the
        # event; the attack is referred to
        found = [t for t in found if (t[2], t[3]) not in noun_uses]
        s.all_triggers = [(c, a, b, ana or (a, b) in noun_uses) for c, a, b, ana in s.all_triggers]
    # the most specific trigger whose class the sentence bears out (ties: the first)
    found.sort(key=lambda t: -t[0])
    for best in found:
        if best[1] in ("ied", "grenade"):
            dis = [t for t in s.all_triggers if t[0] == "disrupted"]
            if dis:
                best = (3, "disrupted", dis[0][1], dis[0][2])
        if _passes_class_check(s, best[1]):
            s.trigger = (best[1], best[2], best[3])
            break
    if definite is None and s.trigger is not None and family(s.trigger[0]) != "violent":
        # "The killing of six labourers in Kech sparked protests": the killing's noun, weaker
        # than the protest, still names an event (:func:`grouping.group` tells both)
        definite = next(
            (
                t
                for t in found
                if family(t[1]) == "violent"
                and text[t[2] - s.start : t[3] - s.start].lower() in KILLING_NOUN_TRIGGERS
            ),
            None,
        )
    if definite is not None and not s.generic:
        s.definite = (definite[1], definite[2], definite[3])


#: a day told right after a noun: "their phone conversation on Friday"
_DATED_AFTER = re.compile(
    r"\s+(?:held\s+)?(?:on|late on|early on)\s+(?:"
    + WEEKDAY_NAMES
    + "|(?:"
    + MONTH_NAMES
    + r")\s+\d{1,2})\b"
)
#: agreements signed or exchanged: "exchanged MoUs", "signed agreements on" (no generic talk)
_SIGNED_BEFORE = re.compile(r"\b(?:signed|inked|exchanged)\s+(?:[\w-]+\s+)?$", re.I)
#: a deed to come, in the passive: "will be targeted", "would be attacked", 'would be "targeted"'
_FUTURE_PASSIVE = re.compile(
    r"\b(?:will|would|shall)\s+(?:also\s+|continue to\s+)?be\s+[\"“‘']?$", re.I
)
#: a deed under a condition: "if the military launched an operation", "unless it is attacked"
_CONDITION = re.compile(r"\b(?:if|unless)\s+(?:[\w'’-]+\s+){0,4}$", re.I)
#: what is done again and again: "has consistently asked", "have repeatedly urged"
_HABITUAL = re.compile(
    r"\b(?:has|have|had)\s+(?:consistently|repeatedly|always|often|long|continuously|"
    r"frequently|time and again|routinely)\s+$"
    # "The BLA has previously targeted Chinese interests": what it has done, no one deed
    r"|\b(?:has|have)\s+(?:also\s+)?previously\s+$",
    re.I,
)
_PERFECT_PROGRESSIVE = re.compile(r"\b(?:have|has|had) (?:long |also )?been\s+$", re.I)


#: a decision or plan taken on a campaign: the campaign is its object, not an event yet
_DECIDED = re.compile(
    r"\b(?:approv\w*|decid\w*|agreed|announc\w*|plan\w*|vow\w*|consider\w*|mull\w*)\b|\b(?:will|would|to|shall|may|might)\s+$",
    re.I,
)
_BY = re.compile(r"\s+by\b", re.I)
#: two parties as the subject: "Islamabad and Beijing have", "both sides"
_TWO_PARTIES = re.compile(
    r"(?:\b[A-Z][\w-]+ and [A-Z][\w-]+|\b(?i:both|the two) (?:sides|countries|governments|parties)|\b(?i:the) parties)\s+(?:have |has |had )?(?:also |jointly |now )?$"
)
#: a list of banned groups, and a group put on it: "placed the BLA on the list of ..."
_LIST_WORD = re.compile(
    r"list of|(?:proscribed|terror|terrorist|sanctions) list$|first schedule$", re.I
)
_PUT_ON = re.compile(
    r"\b(?:placed|placing|put|putting|added|adding|included|including|listed|inserted)\b[^.;]{0,80}$",
    re.I,
)
#: an infinitive or a modal before an agreement's word: sought, planned or expected, not made
_NOT_YET = re.compile(
    r"\b(?:to|will|would|could|may|might|shall|should|can|cannot)\s+(?:be\s+|soon\s+|finally\s+|formally\s+)?$",
    re.I,
)
#: condolences offered, and talks held (a call that only condoles is no talks)
_CONDOLENCE = re.compile(r"\bcondol\w*", re.I)
_TALKED = re.compile(
    r"\b(?:discuss\w*|talked|agreed|reviewed|raised|exchanged views|assured|briefed|urged|"
    r"asked|sought|stressed)\b",
    re.I,
)
#: declining to speak: "refused to share more details", "declined to comment"
_NO_COMMENT = re.compile(
    r"\s+to\s+(?:share|give|comment|disclose|provide|reveal|confirm|speak|elaborate|divulge|"
    r"say|name|identify)\b",
    re.I,
)
_REFUSALS = frozenset(["rejected", "refused", "declined", "turned down", "denied"])
_A_CHARGE = re.compile(
    r"\b(?:charges?|allegations?|accusations?|claims?|reports?|assertions?|propaganda|impression)\b",
    re.I,
)
_PLANNED_MEETING = re.compile(
    r"\b(?:next (?:meeting|round|session)|(?:is|are|was|were) scheduled|will be held|is to be held|are to be held|would be held|to be convened|will meet|will hold|(?:will|would) (?:continue|resume)|to (?:continue|resume) (?:the )?talks)\b",
    re.I,
)
_CALLED_ON_TO = re.compile(r"\s+(?:[\w'’-]+\s+){1,5}?to\s+[a-z]", re.I)
_UNIT_NAME = re.compile(r"squad|mission|wing|unit", re.I)
_UNIT_BEFORE = re.compile(r"\b(?:the|its|their|a|his)\s+(?:[\w-]+\s+)?$", re.I)
_VISIT_NO_MEETING = re.compile(
    r"\s+(?:the\s+)?(?:[\w'’.-]+\s+){0,4}?(?:hospital|injured|wounded|site|scene|bereaved|famil(?:y|ies)|funeral|residence|home|house|shrine|mosque|graves?)\b",
    re.I,
)
#: a participle before the people it describes: "the arrested suspects", "all detained men"
_ATTRIBUTIVE_BEFORE = re.compile(r"\b(?:the|these|those|all|both|all the)\s+$", re.I)
_HELD_PEOPLE = re.compile(
    r"\s+(?:[\w-]+\s+)?(?:suspects?|men|man|militants?|terrorists?|persons?|accused|individuals?|people|youths?|soldiers?|personnel|policemen|officers?|troops|cops?|workers|engineers)\b",
    re.I,
)
#: filmed, not arrested: "captured on CCTV", "captured through one such camera"
_ON_CAMERA = re.compile(
    r"\s+(?:on|by|through|in)\s+(?:[\w-]+\s+){0,3}?(?:cctv|cameras?|videos?|footage|film|tape)\b",
    re.I,
)
#: a tally counted from a year: "Since 2013, more than 500 Hazaras have been killed", "Since
#: 2019, the group has claimed further attacks", "Since 2021, attacks have killed 300 people"
_SINCE_WHEN = r"(?:(?:19|20)\d\d|" + MONTH_NAMES + r"|the (?:start|beginning) of (?:the|this) year)"
_SINCE_TALLY = re.compile(
    r"\b[Ss]ince "
    + _SINCE_WHEN
    + r"\b[^.;]{0,160}?\b(?:(?:have|has|had) been (?:killed|attacked|targeted|injured|martyred)|(?:have|has|had) (?:claimed|carried out|conducted|staged|launched|killed|injured|wounded|martyred)\b)"
    # "more than 100 policemen have been killed in the province since January", "attacks
    # have killed 300 people in the district since 2021"
    r"|\b(?:(?:have|has|had) been (?:killed|martyred|injured|wounded)|(?:have|has|had) (?:lost their lives|died|perished|embraced martyrdom|killed|injured|wounded))\b[^.;]{0,80}?\bsince "
    + _SINCE_WHEN
    + r"\b",
)
_AT_THE_GATHERING = re.compile(
    r"\b(?:at|during|on|targeting|targeted|near|outside|struck|hit)\s+(?:a|an|the)\s+(?:[\w'’-]+\s+){0,4}$",
    re.I,
)
#: "the province saw fewer than 100 attacks", "recorded 171 militant attacks": statistics;
#: "during the same period, security forces killed 62 militants in various operations";
#: a month's or a year's count ("killed 25 militants in such actions during the month", "so
#: far this year the department had conducted more than 250 operations"; not "conducted 34
#: operations last week and arrested nine", which the annotators take as one week's arrest)
#: more than one, unnumbered: "in various operations", "in several attacks"
_SEVERAL = r"various|several|different|multiple|a number of"
_TALLY_SAW = re.compile(
    r"\b(?:during|in|over|throughout) the (?:same |reporting |review )?period\b"
    r"|\b(?:during|over|throughout) the (?:month|year|quarter)\b(?! of\b)"
    r"|\bso far this year\b|\bthis year alone\b|\bsince the (?:start|beginning) of the year\b"
    r"|\bin such (?:[\w-]+ )?(?:actions|operations|raids)\b"
    r"|\bin (?:"
    + _SEVERAL
    + r") (?:[\w-]+ )?(?:operations|raids)\b|\b(?:saw|see|sees|seen|recorded|records|witnessed|registered|reported|suffered)\s+(?:(?:fewer|less|more)\s+than\s+|over\s+|about\s+|some\s+|nearly\s+|at least\s+)?\d[\d,]*\s+(?:[\w-]+\s+)?(?:attacks|incidents|bombings|blasts|terrorist attacks)\b"
    # "militants carried out 59 attacks last month", "there were 306 attacks": a count of ten
    # or more is a tally (not "carried out two attacks on Monday")
    # "105 policemen were martyred in more than a hundred militant attacks in 2022"
    r"|\bin\s+(?:(?:more|fewer|less)\s+than\s+|over\s+|nearly\s+|some\s+|about\s+|around\s+|"
    r"at least\s+)?(?:a hundred|hundreds of|dozens of|scores of|(?!(?:19|20)\d\d\b)\d\d[\d,]*)\s+"
    r"(?:[\w-]+\s+)?"
    r"(?:attacks|incidents|bombings|blasts|operations|raids)\b"
    r"|\b(?:carried out|conducted|launched|staged|mounted|perpetrated|there were)\s+(?:(?:fewer|less|more)\s+than\s+|over\s+|about\s+|some\s+|nearly\s+|at least\s+|as many as\s+)?\d\d[\d,]*\s+(?:[\w-]+\s+)?(?:attacks|incidents|bombings|blasts)\b",
    re.I,
)
#: a group owning an attack it describes: "said it was behind a grenade attack on ..."
_BEHIND_ONE = re.compile(
    r"\b(?:was|were|is|are)\s+behind\s+(?:an?|two|three)\s+(?:[\w-]+\s+)?$", re.I
)
#: ... told with its day or its toll
_TOLD_AFTER_IT = re.compile(
    r"[^.;]{0,140}?\b(?:on\s+(?:" + MONTH_NAMES + r")\s+\d|on\s+(?:" + WEEKDAY_NAMES + r")|"
    r"(?:that|which)\s+(?:killed|wounded|injured|left)|killing|wounding|injuring)",
)
#: a question put: "asked about", "asked whether"
_ASKED_ABOUT = re.compile(r"\s+(?:about|whether|if|why|how|what|when)\b", re.I)
#: a habit, not a happening: "have at times protested", "often stage sit-ins"
_NOW_AND_THEN = re.compile(r"\b(?:" + _HABIT_WORDS + r"|regularly|routinely)\b", re.I)
#: a count of several attacks no day dates: "Last month, 18 policemen were martyred in
#: various attacks" (not "Four were killed in different incidents in Karachi on April 26",
#: a day's round-up whose incidents are told next)
_VARIOUS = re.compile(
    r"\bin (?:" + _SEVERAL + r"|separate) (?:[\w-]+ )?"
    r"(?:attacks|incidents)\b",
    re.I,
)


def is_tally(s: Sentence) -> bool:
    """The sentence counts many events (statistics, a tally since a date, a month's count)."""
    text = s.text
    if ("ince " in text and _SINCE_TALLY.search(text)) or _TALLY_SAW.search(text):
        return True
    return bool(_VARIOUS.search(text)) and not any(
        not d.reporting and d.precision in ("day", "week") for d in s.dates
    )


#: trigger verbs that are only ever finite after a noun ("the handle of a bike exploded");
#: "an incident of targeted killing" is a noun phrase
_FINITE = frozenset(
    [
        "exploded",
        "detonated",
        "blew",
        "came",
        "took",
        "stormed",
        "attacked",
        "ambushed",
        "abducted",
        "kidnapped",
        "hurled",
        "lobbed",
        "opened",
        "fired",
    ]
)


#: what an attack's name qualifies when it only names the attack: "the Dasu attack probe",
#: "Besham attack suspects", "the consulate attack case"; or a plan of one ("foils suicide
#: attack plot")
_REFERENCE_AFTER = re.compile(
    r"\s+(?:probe|case|investigation|inquiry|trial|suspects?|accused|masterminds?|planners?|"
    r"facilitators?|convicts?|hearing|verdict|plots?|plans?|conspiracy|conspiracies)\b",
    re.I,
)


def _long_war(s: Sentence, m: re.Match[str]) -> bool:
    """The trigger tells the dead of a long war: "have been killed while fighting for"."""
    return (
        LONG_WAR.search(s.text, max(0, m.start() - 20), min(len(s.text), m.end() + 60)) is not None
    )


def _definite_only(s: Sentence, m: re.Match[str], word: str, left: str) -> bool:
    """The trigger is a definite noun phrase ("the Tuesday suicide bombing", "Monday's
    attack"), not a generic plural, a plan or a recovered weapon: it names an event, which is
    a new one when the text has named none before it. An operation approved or announced
    ("the cabinet approved a new military operation") is a plan, not yet an event."""
    if _PLURAL_GENERIC.search(word) or _ANNOUNCED.search(left):
        return False
    if _NONEVENT.search(left) and not _CONDEMNED.search(left):
        return False  # (the attack condemned names one: "condemned the attack on ... in Ormara")
    if _PLURAL_HEAD_AFTER.match(s.text, m.end()):
        return False  # "in targeted attacks since January": a plural, no event named
    if _long_war(s, m):
        return False  # the dead of a war told in the perfect: no one event
    if _counted_plural(s, word, left):
        return False  # "The attacks killed 693 people": attacks counted, none told
    before = s.text[max(0, m.start() - 90) : m.start()]
    return not _RECOVERED.search(before) and not _held_weapon(before, word)


#: a killing a suspect is charged with or confessed to, not one told: "confessed his involvement
#: in the killing of", "accused of the murder of", "wanted in the killings of"
_CHARGED_WITH = re.compile(
    r"\b(?:involvement|involved|complicity|accused|charged|booked|wanted|confess\w*|admitt?\w*|"
    r"convicted|sentenced|acquitted|indicted|guilty|case|trial|suspects?)\s+(?:[\w'’-]+\s+){0,3}$",
    re.I,
)
#: ... or one of a list of them: "wanted in attacks on police, including the killing of"
_CHARGES_LISTED = re.compile(
    r"\b(?:wanted|involved|accused|charged|booked|confess\w*)\b[^.;]{0,60}\bincluding\s+(?:the\s+)?$",
    re.I,
)
#: an attack condemned or mourned, right before its noun: "has condemned a terrorist attack on",
#: "condemns the Bannu blast", "condolences over the killing of". A condemnation is no event,
#: but the attack it names is one: where the text tells it nowhere else, with a place, a day
#: or a toll of its own, the condemnation is its only telling (:func:`grouping.group`, a
#: definite noun naming the first violent event)
_CONDEMNED = re.compile(
    r"\b(?:condemn\w*|denounc\w*|deplor\w*|(?:grief|sorrow|condolences?|anguish|shock)\s+"
    r"(?:over|on|at)|mourn\w*)\s+(?:(?:strongly|in strongest terms)\s+)?"
    r"(?:an?\s+|the\s+)?[\"“‘']?(?:[\w'’-]+\s+){0,2}$",
    re.I,
)


#: words that are a noun as often as a verb: after a determiner they name a thing ("the
#: attack", "Monday's arrest"), unless the words between are the subject ("the militants attack")
_NOUN_VERBS = frozenset(["attack", "arrest", "kidnap", "abduct"])
_SUBJECT_BEFORE = re.compile(
    r"\b(?:militants|terrorists|gunmen|insurgents|men|fighters|rebels|forces|troops|police|attackers|assailants)\s+$",
    re.I,
)


def _noun_after_determiner(first_word: str, left: str) -> bool:
    return (
        first_word in _NOUN_VERBS
        and bool(_ANAPHOR.search(left))
        and not _SUBJECT_BEFORE.search(left)
    )


#: an event told before, said to be one of a series: "The bombing is at least the third
#: serious attack on Chinese citizens this year" (both its subject and its predicate)
_EVENT_NOUN = r"(?:attack|bombing|blast|explosion|shooting|killing|ambush|assault|abduction|kidnapping|incident)"
_COPULA = (
    r"\s+" + _COPULA_VERB + r"\s+(?:at least\s+|only\s+|also\s+|now\s+)?(?:the|a|an)\s+"
    r"(?:[\w-]+\s+){0,3}?"
)
_DESCRIBED_SUBJECT = re.compile(r"\s*(?:the|this|that)\s+(?:[\w-]+\s+)?$", re.I)
_DESCRIBED_AFTER = re.compile(_COPULA + r"(?:[\w-]+\s+)?" + _EVENT_NOUN, re.I)
_DESCRIBED_BEFORE = re.compile(
    # ("The Johar Town blast was the first major terrorist attack in Lahore in two years")
    r"^\s*(?:the|this|that)\s+(?:[\w'’-]+\s+){0,3}" + _EVENT_NOUN + _COPULA + "$",
    re.I,
)


def _described(text: str, m: re.Match[str]) -> bool:
    """The trigger is the subject or the predicate of "The bombing is the third attack ..."."""
    before = text[: m.start()]
    if len(before) > 80:
        return False
    return bool(
        _DESCRIBED_BEFORE.match(before)
        or (_DESCRIBED_SUBJECT.fullmatch(before) and _DESCRIBED_AFTER.match(text, m.end()))
    )


#: the people a plural event hurt, told just before it: "were injured in bomb attacks"
_HURT_IN = re.compile(
    r"\b(?P<verb>killed|injured|wounded|hurt|martyred|died|dies|die|dead)\s+(?:in|during|after|amid|following)\s+(?:the\s+)?"
    r"(?:[\w-]+\s+){0,3}$",
    re.I,
)


#: a plural subject of a headline's toll in the present: "[Blasts] in Karachi, Quetta kill 3"
#: (not a round-up's: "Attacks kill 14 across Khyber Pakhtunkhwa" heads the incidents told after)
_HEADLINE_TOLL = re.compile(
    r"(?:\s+(?:in|at|near)\s+[A-Z][\w'’-]*(?:,?\s+(?:and\s+)?[A-Z][\w'’-]*){0,3}"
    r"(?:\s+(?!(?:kill|leave|claim|injure|wound)s?\b)[a-z][\w-]*){0,2})?"
    r"\s+(?:kill|leave|claim|injure|wound)s?\s+[\"“]?(?:at\s+least\s+|over\s+|up\s+to\s+)?"
    r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens|several)\b"
    r"(?!(?:\s+[\w-]+){0,2}\s+(?:across|around|throughout)\b|\s+in\s+(?:separate|different)\b)"
)


#: one attacker, the subject of a headline's "attacks": "Suicide car bomber", "Gunman"
_ONE_ATTACKER = re.compile(
    r"\b(?:bomber|gunman|attacker|assailant|militant|mob|group|outfit|militia|lashkar|army"
    r"|military|(?-i:Pakistan))\s*$",
    re.I,
)
#: "attacks" as a verb, its object after it (not "attacks on ...", "attacks in ...")
_ATTACKS_OBJECT = re.compile(
    r"\s*attacks\s+(?!(?:on|upon|against|in|inside|by|of|across|and|or|at|near|that|which|who|"
    r"were|was|have|had|has|are|is|this|since|last|over|during|for|from|to|as|with)\b)[\w'’-]",
    re.I,
)


def _attacks_verb(text: str, m: re.Match[str], word: str, left: str) -> bool:
    """The plural "attacks" after the trigger (or the trigger itself) is a verb whose subject
    is one attacker: "Suicide bomber attacks tribal police patrol", "Gunman attacks shrine"."""
    if word.lower() == "clashes":
        # "pro-government group clashes with militants": one side's verb
        return bool(_ONE_ATTACKER.search(left)) and text.startswith(" with ", m.end())
    if word.lower() == "attacks":
        return (
            bool(_ONE_ATTACKER.search(left)) and _ATTACKS_OBJECT.match(text, m.start()) is not None
        )
    return bool(_ONE_ATTACKER.search(word)) and _ATTACKS_OBJECT.match(text, m.end()) is not None


def _day_told(s: Sentence) -> bool:
    """The sentence gives a day of its own (not a report's): what it tells happened then."""
    return any(d.precision == "day" and not d.reporting for d in s.dates)


def _anaphoric(
    s: Sentence, m: re.Match[str], cls: str, word: str, left: str, recover_hint: bool
) -> bool:
    """The trigger does not report an event of its own here: it refers back ("the attack"),
    is generic ("attacks"), or names a plan, a recovered weapon or a kind of thing."""
    text = s.text
    first_word = word.split()[0].lower()
    verbal = first_word.endswith(("ed", "ing")) or first_word in _VERBAL
    if first_word in ("warning", "warnings") and _ANAPHOR.search(left):
        verbal = False  # "declined to comment on the BLA's warning": the threat told before
    # "the FIR, lodged by ...": the case is told being registered, not referred back to
    verbal = verbal or (cls == "legal" and word.lower().endswith(("registered", "lodged", "filed")))
    # "placed the BLA on the list of proscribed groups": the list names the act (checked before)
    verbal = verbal or (cls == "legal" and _LIST_WORD.match(word) is not None)
    # "the cease-fire had been announced in June": the passive tells it happening
    verbal = verbal or " been " in word or " was " in word
    anaphoric = not verbal and bool(_ANAPHOR.search(left))
    if _COPULAR.search(left) or _described(text, m):
        anaphoric = True  # "This is the second attack on ... this month": the event told
        s.describes = True
    plural = _PLURAL_GENERIC.search(word) or _PLURAL_HEAD_AFTER.match(text, m.end())
    if plural and _OBJECT_COUNTED.match(text, m.end()) and not _ANAPHOR.search(left):
        plural = None  # a headline's verb: "CTD arrests three suspects", "BLA attacks two posts"
    if plural and _attacks_verb(text, m, word, left):
        plural = None  # "Suicide bomber attacks police patrol": one attacker's verb
    # ("vowed more attacks on security forces": the attacks threatened are the threat)
    if (
        plural
        and cls != "threat"
        and not (cls == "agreement" and _SIGNED_BEFORE.search(left))
        and not re.search(
            # (a handful told as events; "306 terrorist attacks" are a year's statistics)
            # ("two low intensity blasts"; not "two decades of bombings")
            r"\b(?:two|three|four|five|twin|[1-9])\s+"
            r"(?!(?:hours?|days?|weeks?|months?|years?|decades?)\b)(?:(?!of\b)[\w-]+\s+){0,2}$",
            text[max(0, m.start() - 25) : m.start()],
            re.I,
        )
    ):
        anaphoric = True
    if anaphoric and _HELD.search(left):
        anaphoric = False  # "held talks", "carried out attacks on two posts"
    told_toll = bool(plural and _HEADLINE_TOLL.match(text, m.end()))
    if told_toll and anaphoric:
        anaphoric = False  # "Blasts in Karachi, Quetta kill 3", "Air strikes kill 15 militants"
    hurt = _HURT_IN.search(left) if plural and anaphoric else None
    if (
        hurt
        and not s.generic
        and (_day_told(s) or hurt.group("verb").lower() in ("die", "dies", "dead"))
    ):
        # "four were injured in bomb attacks in Quetta on January 4", a headline's "Two
        # militants die in clashes in Bajaur": told
        anaphoric = False
    if anaphoric and family(cls) == "talks" and _DATED_AFTER.match(text, m.end()):
        anaphoric = False  # "During their phone conversation on Friday, ...": told here
    if anaphoric and cls == "agreement" and _SIGNED_BEFORE.search(left):
        anaphoric = False  # "The two sides exchanged MoUs": signed here, not told before
    violent = family(cls) == "violent"
    nonevent = _NONEVENT.search(left) if violent else None
    if nonevent and not (
        # "the handle of a bike exploded": a finite verb, not "the threat of an attack";
        # "a leader of the JUI-F was shot dead": a passive verb after its subject; a
        # headline's "Weekend of drone attacks leaves 35 dead": the toll's subject
        nonevent.group(0).lower().startswith(("of ", "for "))
        and (
            first_word in _FINITE
            or _PASSIVE_AUX.search(left)
            or (plural and nonevent.group(0).lower().startswith("of ") and told_toll)
            # a headline's passive without its verb: "Member of anti-Taliban militia killed"
            or (word.lower() in _HEADLINE_PASSIVE and _HEADLINE_OF.match(left) is not None)
        )
    ):
        anaphoric = True
        if _BEHIND_ONE.search(left) and _TOLD_AFTER_IT.match(text, m.end()):
            anaphoric = False  # "said it was behind a grenade attack ... that wounded three"
    if (
        family(cls) == "arrest"
        and (
            _PLANNED_ARREST.search(left)
            # "will continue to investigate and apprehend the perpetrators": a plan, in its base form
            or (
                first_word in _BASE_ARREST
                and not text.startswith(" of", m.end())  # ("... and arrest of the third": a noun)
                and _PLANNED_AND.search(left) is not None
            )
            or _DEMANDED_THAT.search(text, max(0, m.start() - 160), m.start())
            or _NO_ARREST.search(text[max(0, m.start() - 60) : m.start()])
            or (word.lower().endswith("ed") and _THE_HELD.search(left))
        )
    ):
        anaphoric = True  # "deployed to arrest him", "no suspect has been arrested so far"
    if family(cls) == "protest" and _PLANNED_PROTEST.search(left):
        anaphoric = True  # "warned that the party would launch a protest movement": a plan
    if first_word.endswith("ing") and _PERFECT_PROGRESSIVE.search(left):
        anaphoric = True  # "have been demanding greater autonomy": ongoing, no event
    if _HABITUAL.search(left):
        anaphoric = True  # "Pakistan has consistently asked Kabul to ...": a habit, no event
    if violent and _ANNOUNCED.search(left):
        anaphoric = True  # "announcing a new counterterrorism operation": a plan
    if violent and _REFERENCE_AFTER.match(text, m.end()):
        anaphoric = True  # "arrests suspects in Dasu bus attack probe": the attack is named
    if violent and _long_war(s, m):
        anaphoric = True  # "700 personnel have been killed while fighting for the country"
    if _counted_plural(s, word, left):
        anaphoric = True  # "The attacks killed 693 people": the killing of attacks counted
    if _CONDITION.search(left):
        anaphoric = True  # "would be executed if the military launched an operation": no deed
    if violent and _FUTURE_PASSIVE.search(left):
        anaphoric = True  # "security forces will be targeted in the future": a threat's words
    if (
        violent
        and recover_hint
        and (
            _RECOVERED.search(text[max(0, m.start() - 160) : m.start()])
            or _RECOVERED_AFTER.match(text, m.end())
            # "A suicide jacket containing ..., two rifles, ... were recovered": a long list
            or (_WORN_WEAPON.search(word) and _RECOVERED_AFTER_LIST.match(text, m.end()))
        )
        and "bod" not in word.lower()
    ):
        anaphoric = True  # "recovered explosives, hand grenades and a suicide jacket"
    if cls in ("grenade", "ied") and _held_weapon(text[max(0, m.start() - 90) : m.start()], word):
        anaphoric = True  # "the suspects were carrying two hand grenades": weapons held
    if (
        anaphoric
        and violent
        and ("'s" in left or "’s" in left)
        and _POSS_DATE.search(left)
        and _TOLL_HINT.search(text)
    ):
        anaphoric = False  # "the death toll from Monday's suicide bombing rose to 100"
    if anaphoric and violent and _TOLL_OF_DATED.search(left) and _TOLL_RISE.search(text, m.end()):
        anaphoric = False  # "the death toll of the July 10 suicide attack ... had risen to 21"
    if (
        anaphoric
        and plural
        and violent
        and (
            (
                (_TOLL_IN.search(left) or _TOLL_AFTER.match(text, m.end()))
                and _TOLL_RISE.match(text, m.end())
            )
            or _TOLL_RISEN_IN.search(left)
        )
    ):
        # a headline's "Death toll in drone strikes climbs to 19", "Air strikes death toll
        # rises to 30": the toll of the strikes just told
        anaphoric = False
    if anaphoric and violent and _ESCAPED.search(left):
        anaphoric = False  # "Governor escapes missile attack": an attack that missed him
    if anaphoric and violent and s.claim and 0 <= m.start() + s.start - s.claim[1] <= 16:
        anaphoric = False  # "claimed responsibility for an attack on a camp in Buleda"
    if s.recalled and violent and not _NONEVENT.search(left):
        anaphoric = False  # the head of a recalled event: "the Besham attack, which ..."
    if anaphoric and cls == "clash" and _BROKE_OUT.match(text, m.end()):
        anaphoric = False  # "The clashes erupted on Thursday over ...": the fight told
    if anaphoric and violent and plural and not s.generic and _SIDES_AFTER.match(text, m.end()):
        anaphoric = False  # "clashes between two tribes", "clashes between forces and militants"
    if anaphoric and family(cls) == "protest" and _ONGOING.match(text, m.end()):
        anaphoric = False  # "The sit-in staged by the HDT entered its 20th day on Friday"
    if (
        anaphoric
        and cls == "meeting"
        and word.lower() == "talks"
        and not s.generic
        and _TALKS_BETWEEN.match(text, m.end())
        and not _ANAPHOR.search(left)
        and not _SETTING_BEFORE.search(left)
    ):
        anaphoric = False  # "talks between a government delegation and the protesters failed"
    if anaphoric and violent and plural and _listed_and_dated(s, m, cls):
        anaphoric = False  # "claimed suicide attacks near the airport in Karachi and on the
        # port in Gwadar in 2024": a list of places, each an event (:mod:`enumerations`)
    if anaphoric and violent and _counted_and_dated(s, m, left):
        anaphoric = False  # "three months ago, groups carried out a wave of attacks, killing 73"
    return anaphoric


#: a compound of attacks told as one happening: "a wave of", "a series of", "coordinated"
_COMPOUND = re.compile(
    r"\b(?:(?:a|the)\s+(?:[\w-]+\s+)?(?:wave|series|spate|string|chain|volley)\s+of|coordinated|simultaneous|twin|multiple)\s+(?:[\w-]+\s+){0,2}$",
    re.I,
)
#: the count of a toll right after the trigger: "..., killing at least 73 people"
_COUNTED = re.compile(
    r"[^.;]{0,120}?\b(?:killing|killed|leaving|left|claiming the lives of|that killed|which killed)\s+(?:at least |more than |over |nearly |about |some |around |up to |as many as )?(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|fifty|dozens|scores|hundreds)\b",
    re.I,
)


def _counted_and_dated(s: Sentence, m: re.Match[str], left: str) -> bool:
    """A plural or compound trigger that tells one happening all the same: the sentence dates
    it to a day, week or month of its own (not the report's) and counts its dead right after
    it. Generic talk ("attacks have killed hundreds over the years") has no such date; a plan
    or a charge ("accused of attacks") is still no event."""
    if not any(not d.reporting and d.precision in ("day", "week", "month") for d in s.dates) and (
        # "Fresh clashes in Kurram left 18 people dead": a fight named with its dead, undated
        # (the report's day), in a sentence that names no other time
        s.dates or s.generic or not _CLASH_NOUN.fullmatch(m.group(0))
    ):
        return False
    if _ANAPHOR.search(left) or (_NONEVENT.search(left) and not _COMPOUND.search(left)):
        return False
    return bool(_COUNTED.match(s.text, m.end()))


#: a fight's noun told starting: "the clashes erupted", "fighting broke out"
_BROKE_OUT = re.compile(r"\s+(?:erupted|broke out|began|started|flared up|raged)\b", re.I)
#: attacks in the plural as the subject of a weak verb: "The attacks killed 693 people"
_PLURAL_SUBJECT = re.compile(
    r"\b(?:the|these|those|such)\s+(?:[\w-]+\s+)?(?:attacks|bombings|blasts|explosions|"
    r"incidents|clashes|strikes|killings)\s+(?:have\s+|had\s+|also\s+)?$",
    re.I,
)


def _counted_plural(s: Sentence, word: str, left: str) -> bool:
    """A weak verb whose subject is attacks in the plural, in a sentence no day dates: "The
    attacks killed 693 people" (a year's count), not "The attacks killed 49 on Tuesday"."""
    return (
        word.lower() in WEAK_ATTACK
        and _PLURAL_SUBJECT.search(left) is not None
        and not any(not d.reporting and d.precision in ("day", "week") for d in s.dates)
    )


#: a protest told going on: "(the sit-in) entered its 20th day", "continued for a third day"
_ONGOING = re.compile(
    r"(?:\s+[\w'’()-]+){0,8}?\s+(?:entered|enters|went into|goes into|continued|continues|"
    r"reached)\s+(?:its|the|their|for\s+(?:a|the))\s+(?:[\w-]+\s+)?(?:day|week|month)s?\b",
    re.I,
)
#: talks named as the setting of what was told: "agreed ... during talks between ..."
_SETTING_BEFORE = re.compile(
    r"\b(?:during|in|at|after|before|ahead of|on the sidelines of)\s+$", re.I
)
#: the parties after talks: "talks between the delegation and the protesters", "talks with"
_TALKS_BETWEEN = re.compile(r"\s+(?:between|with)\s+(?:the\s+|a\s+|an\s+)?\w", re.I)
#: the two sides after a plural fight: "clashes between two tribes"
_SIDES_AFTER = re.compile(r"\s+(?:erupted\s+|broke out\s+)?between\s+\w", re.I)


def _listed_and_dated(s: Sentence, m: re.Match[str], cls: str) -> bool:
    """A plural trigger followed by a list of places, in a sentence that dates them and is
    not generic talk: it names that many events."""
    if s.generic or not any(not d.reporting for d in s.dates):
        return False
    return bool(list_items(s, (cls, s.start + m.start(), s.start + m.end())))


def _passes_class_check(s: Sentence, cls: str) -> bool:
    """A threat needs an armed group, talks and agreements officials, a request a government;
    a generic sentence without a date starts no violent event."""
    text = s.text
    ok = True
    if cls in ("threat",):
        ok = any(is_armed_group(a) for a in s.actors) or bool(
            re.search(
                # (or the group's own words told on: "In the same call he warned ...")
                r"\b(?:the group|the outfit|militants?|insurgents?|in the same (?:call|statement|"
                r"message|video|audio|post))\b",
                text,
                re.I,
            )
        )
        ok = ok or s.claimant_vowed
    elif cls in ("meeting", "agreement"):
        ok = bool(_OFFICIALS.search(text))
    elif cls == "request":
        # a government's request, or an armed group's demand made on a day ("the TTP demanded
        # the reversal of the merger during talks on Tuesday"), not its standing aims
        ok = not s.claim and (
            bool(_GOV_ACTOR.search(text))
            or (
                any(is_armed_group(a) for a in s.actors)
                and any(d.precision in ("day", "week") and not d.reporting for d in s.dates)
            )
        )
    elif cls == "protest":
        # "armed men blocked the highway": an attack's part (not "mourners staged a sit-in
        # ..., demanding that the government arrest the attackers")
        at = next((t[1] - s.start for t in s.all_triggers if t[0] == "protest"), len(text))
        ok = not _ARMED_MEN.search(text, 0, at)
    elif cls == "disrupted":
        ok = not _SUCH_PLOTS.search(text)  # "thwarted several such plots": a tally
    if (
        s.generic
        and family(cls) == "violent"
        and not any(d.precision != "year" and not d.reporting for d in s.dates)
    ):
        # "Chinese nationals have been attacked several times", "Parachinar has been
        # targeted repeatedly this year" (not "a wave of attacks three months ago")
        ok = False
    if family(cls) == "protest" and not s.dates and _NOW_AND_THEN.search(text):
        ok = False  # "residents have at times protested over land acquisition"
    if (
        s.generic
        and cls in ("request", "threat", "agreement", "meeting")
        and not any(d.precision in ("day", "week", "month") for d in s.dates)
    ):
        ok = False  # "Beijing has repeatedly urged ...", "have repeatedly warned ... this year"
    if family(cls) in ("violent", "arrest") and s.tally:
        ok = False  # "Since 2013, more than 500 have been killed in a campaign of ...": a tally
    return ok


#: gunfire and armed assault: the event is fought with guns, whatever else is used
_GUNFIRE = re.compile(
    r"\b(?:open(?:ed|ing)? (?:[\w-]+ ){0,2}?fire|firing|fired (?:at|on|upon|shots|indiscriminately)|gunfire|gunshots?|gun attack|gunmen|gunman|gun battle|shoot-?outs?|exchange of fire|exchanged fire|fire exchange|shot dead|shot at|shot and killed|gunned down|sprayed (?:\w+ )?bullets|stormed|storming|storms?|gun-and-bomb|gun and bomb|automatic weapons|heavy weapons|small arms|ambush(?:ed|es)?|armed (?:men|assailants|attackers|militants|terrorists)|assault(?:ed)? (?:on|the))\b",
    re.I,
)
_GUNFIRE = at_word_starts(_GUNFIRE)
#: security forces engaged in a fight: an armed clash whoever else was hit
_FIGHT = re.compile(
    r"\b(?:exchanges? of (?:gun)?fire|exchanged fire|fire exchange|gun ?battles?|shoot-?outs?|firefights?|encounters?|retaliated|returned (?:the )?fire|repulsed|repelled|engaged (?:the )?(?:attackers|terrorists|militants|khawarij|khwarij)|clearance operation|intelligence[- ]based operations?|IBOs?|counter-?terrorism operations?|(?:sent|dispatched) to hell|neutrali[sz]ed|were (?:all )?killed by (?:the )?security forces|thwarted|foiled|responded (?:effectively|befittingly|in kind|strongly|with full force)|(?:fire|firing|shelling) with (?:the )?(?:Afghan|Indian|Iranian) (?:Taliban )?(?:forces|troops|border (?:forces|guards)))\b",
    re.I,
)
_FIGHT = at_word_starts(_FIGHT)
#: the security forces as victims or as what was attacked (a convoy of theirs, not "a convoy of
#: around 200 vehicles" carrying passengers)
_SF_WORDS = re.compile(
    r"\b(?:soldiers?|troops?|army|military|security (?:forces|personnel|men|officials?)|sfs?|personnel|policem[ae]n|police|cops?|constables?|officers?|levies|khass?adars?|rangers|frontier corps|fc|frontier constabulary|sepoys?|jawans?|commandos?|checkposts?|check posts?|check-posts?|posts?|police stations?|stations?|camps?|cantonment|cantt|garrison|fort|convoy(?!\s+of\s+(?:(?:around|about|some|nearly|over|more\s+than)\s+)?(?:\d+|dozens|hundreds|scores)\s+(?:of\s+)?(?:vehicles|cars|buses|trucks)|\s+of\s+(?:passengers?|civilians?|commuters?|travell?ers?))|patrol(?:ling)?|paramilitary|lieutenant|captain|major|subedar|havaldar|naik|dsp|sho|asi|inspector)\b",
    re.I,
)
_SF_WORDS = at_word_starts(_SF_WORDS)
#: a place either side may hold: a camp (an army's, or labourers' or refugees')
_EITHER_SIDES = re.compile(r"camps?", re.I)
#: civilians as victims or as what was attacked
_CIVILIAN_WORDS = re.compile(
    r"\b(?:people|persons|civilians?|passengers?|labou?rers?|workers?|miners|children|child|women|woman|students?|teachers?|engineers?|nationals?|citizens?|villagers|residents|worshippers|devotees|pilgrims|shoppers|shopkeepers?|traders?|vendors?|farmers?|men|man|boys?|girls?|family|relatives|tribesmen|elders?|leaders?|activists?|journalists?|doctors?|patients|passers-?by|bystanders?|informers?|informants?|drivers?|owners?|contractors?|bus|coach|vehicle|school|mosque|market|bazaar|shop|house|home|hotel|hospital|team|vaccinators?|polio|hunters?|professors?|lawyers?|tankers?|trucks?|employees?|staff|vans?|wagons?|cars?|jeeps?|rickshaws?)\b",
    re.I,
)
_CIVILIAN_WORDS = at_word_starts(_CIVILIAN_WORDS)
#: the abducted were killed: "kidnapped and killed", "took them away for execution"
_ABDUCT_KILL = re.compile(
    r"\b(?:abduct\w*|kidnap\w*|took (?:them|him|her) (?:away|to)|taken (?:away|to))\b[^.;]{0,80}\b(?:killed|slaughtered|beheaded|executed|execution|shot (?:dead|them|him)|murdered|bodies)\b|\b(?:killed|slaughtered|shot|murdered)\b[^.;]{0,30}\bafter (?:being )?(?:kidnapp|abduct)\w*",
    re.I,
)
#: weapons a person was found carrying ("the suspects were carrying two hand grenades"); not
#: a vehicle's load that went off ("a vehicle that was carrying explosives exploded")
_CARRIED_BY = re.compile(
    r"\b(?:suspects?|accused|detainees?|militants?|terrorists?|men|man|they|he|she)\b[^.;]{0,70}?"
    r"\b(?:was|were|had been) carrying\b[^.;]{0,60}$",
    re.I,
)
_WEAPON_NOUN = re.compile(
    r"(?:hand[- ])?grenades?|bombs?|IEDs?|explosives?|explosive devices?|improvised explosive devices?",
    re.I,
)


def _held_weapon(before: str, word: str) -> bool:
    """The trigger ``word`` names a weapon the person told ``before`` it was carrying."""
    return (
        "carrying" in before
        and _WEAPON_NOUN.fullmatch(word) is not None
        and _CARRIED_BY.search(before) is not None
    )


_VEST_WORD = re.compile(r"vests?|jackets?", re.I)
#: suicide vests worn or found, not detonated, make no suicide attack
_VEST_ONLY = re.compile(
    r"\b(?:wearing|wore|clad in|carrying|recovered|seized|found|defused)\b[^.;]{0,40}$", re.I
)


#: fighting between two armed sides, neither of them the state: "clashes between two rival
#: tribes", "intertribal fighting" (an ACLED armed clash between communal militias)
#: gunfire, which both sides of a fight use: no sign of a one-sided attack
_GUNFIRE_ONLY = re.compile(
    r"firing|fired (?:at|on|upon)|opened (?:[\w-]+ ){0,2}?(?:gun)?fire", re.I
)
#: a fight named as such: "clashes", "fighting", "a gun battle"
_CLASH_NOUN = re.compile(r"clash(?:es)?|(?:[\w-]+ )?fighting|gun ?battles?|firefights?", re.I)
_BETWEEN_SIDES = re.compile(
    r"\b(?:between|among)\s+(?:the\s+)?(?:two\s+)?(?:rival\s+|warring\s+|armed\s+|opposing\s+)?(?:tribes|clans|factions|families|groups|sides|communities|militias)\b"
    r"|\b(?:tribal|intertribal|inter-tribal|sectarian|factional)\s+(?:clash(?:es)?|fighting|violence|feuds?)\b",
    re.I,
)


def decide_kind(text: str, g: EventGroup, targets: list[str]) -> tuple[str, str, str, float]:
    """(kind, ACLED event type, sub-event type, confidence) of an event, decided on all its
    sentences rather than its first trigger (:mod:`rules` conventions):

    * a suicide bomber, a vest or vehicle detonated anywhere in the event: suicide attack;
    * abducted people then killed: an attack; otherwise an abduction stays one;
    * security forces engaged in a fight (an exchange of fire, an operation, an attack
      thwarted), or an armed assault whose victims and targets are security forces only:
      an armed clash;
    * any other armed assault (gunfire, storming, an ambush), whatever weapons it also used
      ("grenades and heavy gunfire"): an attack;
    * a bomb, an IED, a blast or a thrown grenade with no assault: a bombing."""
    if g.family == "disrupted" and any(
        c.what == "kill" and not c.reject for c in g.sentences[0].counts
    ):
        # "foiled an infiltration bid, killing 16 militants": a fight, not a weapon found
        return _kind("clash", CONFIDENCE.kind_generic_trigger)
    if g.family != "violent":
        kind, event_type, sub, _rank, _fam = TRIGGERS[g.cls]
        specific = g.cls not in ("attack", "request")
        conf = CONFIDENCE.kind_specific_trigger if specific else CONFIDENCE.kind_generic_trigger
        return kind, event_type, sub, conf
    body = " ".join(s.text for s in g.sentences)
    suicide = any(
        t[0] == "suicide"
        and not (t[3] and _PLURAL_GENERIC.search(text[t[1] : t[2]]))  # "several suicide bombings"
        and not (
            _VEST_WORD.search(text, t[1], t[2])
            and _VEST_ONLY.search(text[max(0, t[1] - 60) : t[1]])
        )  # a vest worn is no blast; "wearing a vest, blew himself up" is one
        and not _RECOVERED_AFTER.match(text, t[2])
        for s in g.sentences
        for t in s.all_triggers
    )
    if suicide:
        return _kind("suicide", CONFIDENCE.kind_specific_trigger)
    abduction = g.cls == "abduction" or any(
        t[0] == "abduction" for s in g.sentences for t in s.all_triggers
    )
    if abduction and _ABDUCT_KILL.search(body):
        return _kind("attack", CONFIDENCE.kind_generic_trigger)
    lead = g.sentences[0]
    if g.cls == "abduction" and not (
        any(t[0] in ("clash", "attack", "shelling") for t in lead.all_triggers)
        and any(c.what == "kill" and not c.reject for c in lead.counts)
    ):
        # (an assault that killed, whose attackers also took some captive, stays an assault)
        return _kind("abduction", CONFIDENCE.kind_specific_trigger)
    if g.lead_cls in ("ied", "grenade") and not _GUNFIRE.search(lead.text):
        return _kind(g.lead_cls, CONFIDENCE.kind_specific_trigger)  # a bomb, whoever it hit
    if g.cls == "clash" and _OPERATION_LED.search(text, g.trigger[1], g.trigger[2]):
        # "Security forces launched a rescue operation ... 16 militants had been killed and
        # 104 passengers freed": the forces' operation, whoever it freed
        return _kind("clash", CONFIDENCE.kind_specific_trigger)
    if (g.cls == "clash" or any(t[0] == "clash" for t in lead.all_triggers)) and (
        _BETWEEN_SIDES.search(lead.text)
    ):
        return _kind("clash", CONFIDENCE.kind_specific_trigger)  # two armed sides fought
    if (
        g.cls == "clash"
        and _CLASH_NOUN.fullmatch(text[g.trigger[1] : g.trigger[2]])
        and not any(
            t[0] in ("attack", "shelling")
            and not _GUNFIRE_ONLY.fullmatch(text[t[1] : t[2]])
            and text[t[1] : t[2]].lower() not in WEAK_ATTACK
            for s in g.sentences
            for t in s.all_triggers
        )
    ):
        # "clashes over a land dispute left 13 dead": a fight, whoever its dead were
        return _kind("clash", CONFIDENCE.kind_specific_trigger)
    sf_only = _security_forces_only(g, targets)
    aimed = _aimed_at(lead.text)
    if aimed == "theirs":
        # "two FC personnel were killed when militants attacked their vehicle": at them
        sf, civ = _victims(g)
        aimed = "sf" if sf and not civ else "civ" if civ and not sf else None
    if aimed == "sf" and g.cls in ("attack", "clash", "shelling"):
        # "attacked a check post of SFs ... a civilian was killed when a shell hit a house":
        # what the assault was aimed at decides, not who else was hit
        return _kind("clash", CONFIDENCE.kind_generic_trigger)
    if (
        aimed == "civ"
        and g.cls in ("attack", "clash")
        and (_CLEARED.search(body) or _ESCORT_FOUGHT.search(body))
    ):
        # "stormed the hotel ... before security forces killed the four attackers": a siege
        # the forces fought to its end
        return _kind("clash", CONFIDENCE.kind_generic_trigger)
    if aimed == "civ" and g.cls in ("attack", "clash") and not _ASSAULT_ON_SF.search(body):
        # "attacked a polio team ... the guards retaliated": the assault on civilians, whoever
        # fought back
        return _kind("attack", CONFIDENCE.kind_generic_trigger)
    rockets = g.cls == "ied" and any(
        t[0] == "shelling" for s in g.sentences for t in s.all_triggers
    )  # "fired two rockets at the power plant ... the rockets exploded": the rockets' blast
    if g.cls == "shelling" or rockets:
        if sf_only or _FIGHT.search(body):
            # (fire traded across the border: "our troops responded effectively")
            return _kind("clash", CONFIDENCE.kind_generic_trigger)
        return _kind("shelling", CONFIDENCE.kind_specific_trigger)
    if _FIGHT.search(body):
        return _kind("clash", CONFIDENCE.kind_specific_trigger)
    gunfire = bool(_GUNFIRE.search(body))
    if sf_only and (gunfire or g.cls in ("attack", "clash")):
        return _kind("clash", CONFIDENCE.kind_specific_trigger)
    if g.cls in ("ied", "grenade") and not gunfire:
        return _kind(g.cls, CONFIDENCE.kind_specific_trigger)
    kills = [c for s in g.sentences for c in s.counts if c.what == "kill"]
    if kills and all(c.attackers for c in kills) and not {"civilians"} & set(targets):
        return _kind(
            "clash", CONFIDENCE.kind_generic_trigger
        )  # "120 militants killed": an operation
    if (
        g.cls == "clash"
        and sf_only is None
        and not {"civilians", "foreign_nationals"} & set(targets)
    ):
        return _kind("clash", CONFIDENCE.kind_generic_trigger)
    if (
        g.cls in ("attack", "clash")
        and (gunfire or g.cls == "clash")
        and _SF_AMONG_DEAD.search(body)
    ):
        # "opened fire, killing 14 people, including security personnel": the escort fought
        return _kind("clash", CONFIDENCE.kind_generic_trigger)
    return _kind("attack", CONFIDENCE.kind_generic_trigger)


#: an operation the forces launched or conducted (the event's own trigger)
_OPERATION_LED = re.compile(r"\b(?:launched|conducted|carried out)\b[^.]*\boperations?\b", re.I)
#: the forces fought an assault to its end: "security forces killed all four attackers",
#: "commandos ended the siege"
_CLEARED = re.compile(
    r"\b(?:security forces|troops|soldiers|commandos|police(?:men)?|Rangers|SSG|army)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:killed|gunned down|shot dead|neutrali[sz]ed|eliminated)\s+"
    r"(?:all\s+)?(?:the\s+)?(?:[\w-]+\s+)?(?:attackers|assailants|gunmen|militants|terrorists)\b"
    r"|\b(?:ended|cleared|ending|clearing)\s+(?:the\s+)?(?:[\w-]+\s+)?(?:siege|standoff)\b",
    re.I,
)


#: the forces escorting the ones attacked fought back: "the police escort returned fire"
_ESCORT_FOUGHT = re.compile(
    r"\b(?:escort(?:ing)?|security detail|security guards of the (?:police|FC|army))\b[^.;]{0,40}?"
    r"\b(?:returned (?:the )?fire|retaliated|exchanged fire|engaged the (?:attackers|assailants))",
    re.I,
)


#: security forces counted among the dead of an armed assault on others
_SF_AMONG_DEAD = re.compile(
    r"\b(?:killed|killing|death of|deaths of|lives of|dead)\b[^.;]{0,60}?\bincluding\s+(?:[\w-]+\s+){0,3}?"
    r"(?:security personnel|security guards? of the (?:army|FC)|soldiers?|policem[ae]n|troops|"
    r"(?:FC|Levies|police|army|navy) (?:personnel|men|officials|soldiers?))\b",
    re.I,
)


#: the assault and what it was aimed at: "attacked a check post", "fired rockets at an FC
#: camp", "targeting a polio team"; or, in the passive, its subject: "a team ... came under
#: attack", "a convoy was ambushed"
_AIMED_ACTIVE = re.compile(
    r"\b(?:attacked|attacking|targeted|targeting|to target|stormed|storming|ambushed|raided|(?:attack|assault|raid) on|siege of|fired (?:[\w-]+ ){0,3}?(?:at|on|upon|towards|targeting)|opened (?:[\w-]+ ){0,2}?fire (?:at|on|upon))\s+(?!attacks?\b|killings?\b|assaults?\b)(?P<obj>[^.;,]{0,60}?)(?=\s+(?:in|within|near|at|on|along|from)\b|[.;,]|$)",
    re.I,
)
_AIMED_PASSIVE = re.compile(
    r"^(?P<subj>[^.;]{0,160}?)\b(?:was|were|had been|has been|have been)\s+(?:attacked|targeted|ambushed|stormed|raided)|^(?P<subj2>[^.;]{0,160}?)\bcame under (?:[\w-]+ ){0,2}?(?:attack|fire|gunfire)",
    re.I,
)
#: the object goes on as a list: "attacked police stations, railway lines and highways"
_LIST_GOES_ON = re.compile(r"\s*(?:,|and\b)")
#: security forces named as what an assault was on, anywhere in the event
_ASSAULT_ON_SF = re.compile(
    r"\b(?:attack(?:ed|s)?|assault(?:ed)?|target(?:ed|ing)|stormed|ambush(?:ed)?)\s+(?:on\s+)?(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}?(?:check\s*posts?|check-posts?|posts?|camps?|convoy of (?:the )?(?:security|fc|army|police)|police stations?|security forces|soldiers|troops|fort)\b",
    re.I,
)


_POSSESSIVE_OBJECT = re.compile(r"\s*(?:their|his|her)\s", re.I)


def _aimed_at(lead: str) -> str | None:
    """ "sf" when the lead sentence's assault was aimed at security forces only (a post, a camp,
    a patrol), "civ" when at others only (a team, a school, a bus), "theirs" when at the
    victims' own ("their vehicle"), None when it does not say or names both."""
    m = _AIMED_ACTIVE.search(lead)
    words = m.group("obj") if m else None
    if m is not None and _LIST_GOES_ON.match(lead, m.end("obj"), m.end("obj") + 6):
        return None  # a list: "attacked police stations, railway lines and highways"
    if words is None:
        p = _AIMED_PASSIVE.search(lead)
        words = (p.group("subj") or p.group("subj2")) if p else None
    if not words:
        return None
    if _POSSESSIVE_OBJECT.match(words):
        return "theirs"  # "attacked their vehicle": the victims' own, whoever they are
    sf = _SF_WORDS.search(words)
    civ = _CIVILIAN_WORDS.search(words)
    if sf and _EITHER_SIDES.fullmatch(sf.group(0)) and len(_SF_WORDS.findall(words)) == 1:
        sf = None  # "attacked a camp": a labour camp or an army one; the victims will say
    if sf and civ is None:
        return "sf"
    if civ and sf is None:
        return "civ"
    return None  # both ("police stations, railway lines and highways") or neither


def _kind(cls: str, conf: float) -> tuple[str, str, str, float]:
    kind, event_type, sub, _rank, _fam = TRIGGERS[cls]
    return kind, event_type, sub, conf


#: a force's own vehicle is the force: "an attack on a police van" hit the police
_FORCE_VEHICLE = re.compile(
    r"\b(police|FC|Frontier Corps|army|military|Levies|Rangers|security forces)['’]?\s+"
    r"(?:vans?|vehicles?|trucks?|mobiles?|pickups?|buses|bus|jeeps?|convoys?)\b",
    re.I,
)
#: officers of civil departments: civilians, not security forces
_CIVIL_OFFICER = re.compile(
    r"\b(?:revenue|excise|bank|forest|education|health|food|polio|election|returning|presiding|divisional|tehsil|information|welfare|agriculture|irrigation|WAPDA|government|customs)\s+officers?\b",
    re.I,
)
#: the force one informs: "a police informer" was no policeman, "informer" alone says who
_INFORMER_OF = re.compile(
    r"\b(?:police|army|military|FC|Levies|security forces'?)\s+(?=(?:informers?|informants?)\b)",
    re.I,
)
#: who speaks after a count: "in what police said", "according to the Levies", "police said"
_SOURCE_AFTER_COUNT = re.compile(
    r",?\s+(?:in what|according to|as per)\b|(?:\s+[\w-]+){1,3}\s+(?:said|says|told|added)\b",
    re.I,
)
#: "within the limits of the Pirabad police station" just before a count: where, not whom
_LOCATIVE_STATION = re.compile(
    r"\b(?:limits|jurisdiction|precincts|remit|area)\s+of\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}?(?:police\s+)?(?:station|thana)\s*,?\s*$",
    re.I,
)


def _security_forces_only(g: EventGroup, targets: list[str]) -> bool | None:
    """True when the event's victims (or, with no victim counted, its targets) are security
    forces only, False when anyone else was hit or targeted, None when the text does not
    say."""
    sf, civ = _victims(g)
    if civ:
        return False
    if sf:
        return True
    if "security_forces" in targets and not ({"civilians", "foreign_nationals"} & set(targets)):
        return True
    if {"civilians", "foreign_nationals"} & set(targets):
        return False
    return None


_CROSSFIRE = re.compile(r"\b(?:cross-?\s?fire|caught in the (?:firing|exchange))\b", re.I)


def _victims(g: EventGroup) -> tuple[bool, bool]:
    """Whether the event's counted victims include security forces, and others."""
    sf = civ = False
    for s in g.sentences:
        if _CROSSFIRE.search(s.text):
            continue  # "a civilian also died in the crossfire": hit, not the target
        for c in s.counts:
            if c.attackers or c.reject:
                continue
            head = s.text[c.start - s.start : c.end - s.start]
            if _CIVILIAN_WORDS.search(head) and not _SF_WORDS.search(head):
                civ = True  # "six labourers at a camp": the count's own noun says who
                continue
            if _LOCATIVE_STATION.search(s.text, 0, max(0, c.start - s.start)):
                words = s.text[c.start - s.start : c.end - s.start + 30]  # not the place's name
            else:
                # (an informer's force word is dropped before the window is cut: "killed the
                # sarpanch branding him a police informer")
                tail = _INFORMER_OF.sub("", s.text[c.end - s.start : c.end - s.start + 45])[:30]
                src = _SOURCE_AFTER_COUNT.search(tail)
                words = s.text[max(0, c.start - s.start - 10) : c.end - s.start] + (
                    tail[: src.start()] if src else tail
                )  # "was shot dead, in what police said": the police speak, they are not hit
                words = _CIVIL_OFFICER.sub("", words)  # "a revenue officer" is no policeman
                words = _INFORMER_OF.sub("", words)
                words = _FORCE_VEHICLE.sub(r"\1", words)
            if _SF_WORDS.search(words) and not (
                _CIVILIAN_WORDS.search(words) and not _SF_WORDS.search(words[:40])
            ):
                sf = True
            elif _CIVILIAN_WORDS.search(words):
                civ = True
    return sf, civ
