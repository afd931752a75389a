# ruff: noqa: E501  (regex lexicons are kept on one line each for readability)
"""Grouping: sentences into candidate events, with recalled events kept apart.

:func:`split_recalled` cuts a past event recalled in a relative clause out of its sentence
("talks ... after the Besham attack, which killed five Chinese citizens last week"), so that it
becomes an event of its own. :func:`group` then walks the sentences in order: a sentence with a
trigger starts an event unless it continues the current one (same family, same date and place);
a sentence without one joins the current event when it refers back to it ("the attack", "the
group", "responsibility") or counts casualties; a claim or blame joins the latest violent event.

Invariants: every event (:class:`EventGroup`) has a trigger in its first sentence; a recalled
event holds only its own clause and nothing joins it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any

from safecorridor.extraction.casualties import Count
from safecorridor.extraction.confidence import CONFIDENCE
from safecorridor.extraction.datelines import BULLETS
from safecorridor.extraction.dates import DateMention, event_date, with_year, within, yearless
from safecorridor.extraction.enumerations import Item, list_items
from safecorridor.extraction.mentions import Mention, is_armed_group, is_state_force
from safecorridor.extraction.sentences import Sentence
from safecorridor.extraction.triggers import (
    TRIG_SCAN,
    TRIGGER_RX,
    TRIGGERS,
    WEAK_ATTACK,
    at_word_starts,
    family,
)
from safecorridor.extraction.words import MONTH_NAMES, WEEKDAY_NAMES, WEEKDAYS

_RECALL_NOUNS = r"(?:attacks?|bombings?|blasts?|explosions?|assaults?|ambush|raids?|massacre|killings?|abductions?|kidnappings?)"
_RECALL_THING = re.compile(
    r"(?:\bthe\s+(?:(?!an?\s)[\w'’-]+\s+){0,4}?"
    + _RECALL_NOUNS
    # "the July 2021 suicide attack on a bus in Dasu, Upper Kohistan, that killed 13"
    + r"(?:\s+(?:on|of|near|at|in|outside|targeting)\s+(?:an?\s+|the\s+)?(?:[\w'’-]+,?\s+){0,6}?[\w'’-]+)?"
    # "Sunday night's suicide bombing near the airport that killed": a dated possessive, with
    # the place it names
    + r"|\b(?:[\w'’-]+\s+)?[\w-]+['’]s\s+(?:[\w'’-]+\s+){0,3}?"
    + _RECALL_NOUNS
    + r"(?:\s+(?:near|at|in|on|outside)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}?[\w'’-]+)?"
    # "including a 2018 assault on the Chinese consulate in Karachi in which four died"
    + r"|\ban?\s+(?:19|20)\d\d\s+(?:[\w'’-]+\s+){0,3}?"
    + _RECALL_NOUNS
    + r"(?:\s+(?:on|of|near|at|in|outside|targeting)\s+(?:an?\s+|the\s+)?(?:[\w'’-]+,?\s+){0,6}?[\w'’-]+)?)"
    r"\s*,?\s+(?:(?:which|that|in which)\s+(?:had\s+|has\s+|also\s+)?(?:killed|left|claimed|injured|wounded|martyred|took|cost)"
    # "the 2022 Karachi University bombing in which three Chinese teachers died"
    r"|in which\s+(?:[\w'’-]+\s+){1,5}?(?:died|perished|lost their lives|(?:were|was)\s+(?:killed|martyred|injured|wounded|hurt)))\b",
    re.I,
)

#: "killed ten labourers on Saturday, a day after a suicide bombing left 26 dead", "comes four
#: days after two soldiers were martyred", "today's attack follows a fierce attack on a post":
#: the event named after "after" or "follows" is an earlier one, told in its own clause
_RECALL_AFTER = re.compile(
    r"\b(?:(?P<gap>a day|a week|a month|(?P<n>two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(?P<unit>days|weeks|months))|hours|days|weeks|months|shortly|soon|just|barely|only|few days)\s+after\s+(?P<np>(?:(?:a|an)\s+(?:[\w'’-]+\s+){0,4}?|the\s+(?:[\w'’-]+\s+){1,4}?)(?:attacks?|bombings?|blasts?|explosions?|assaults?|ambush|raids?|massacre|killings?|abductions?|kidnappings?|hijack(?:ing)?|siege|strikes?)\b|(?:[\w'’-]+\s+){0,2}?(?:attacks|bombings|blasts|explosions|assaults|raids|killings|abductions|kidnappings|strikes)\b|(?:[\w'’-]+\s+){1,6}?(?:were|was|had been)\s+(?:killed|martyred|injured|wounded|abducted|kidnapped|shot dead)\b|(?:a|an)\s+(?:[\w'’-]+\s+){0,4}?(?:explosives?|bombs?|devices?|IEDs?|grenades?|mines?)\s+(?:went off|exploded|was detonated)\b|(?:[\w'’-]+\s+){1,3}?(?:launched|carried out|conducted|mounted|staged)\s+(?:[\w'’-]+\s+){0,4}?(?:attacks|strikes|raids|assaults|bombings)\b|(?:(?:a|an)\s+(?:[\w'’-]+\s+){0,2}?|(?:the\s+)?(?:(?-i:[A-Z])[\w'’-]*\s+){1,3})?(?:bomber|gunmen|attackers?|assailants|militants|terrorists)\s+(?:killed|attacked|stormed|ambushed|shot dead|gunned down|opened fire|blew (?:himself|herself) up|struck|targeted|rammed|detonated|set off|raided|abducted|kidnapped|hurled|lobbed|planted)\b)|\bafter\s+(?P<np3>(?:a|an)\s+(?:[\w'’-]+\s+){0,4}?(?:was|were)\s+(?:shot dead|gunned down|killed|assassinated)\b(?=[^.;]{0,40}?\b(?:earlier (?:that|the same|in the) (?:day|morning|evening)|that (?:morning|day))))|\bfollows?\s+(?P<np2>(?:a|an|the)\s+(?:[\w'’-]+\s+){0,5}?(?:attacks?|bombings?|blasts?|explosions?|assaults?|ambush|raids?|massacre|killings?|strikes?)|(?:[\w'’-]+\s+){0,2}?(?:attacks|bombings|blasts|explosions|assaults|raids|killings|strikes))\b",
    re.I,
)
_RECALL_AFTER = at_word_starts(_RECALL_AFTER)
_YEAR = re.compile(r"\b(?:19[89]\d|20\d\d)\b")

_RECALL_PERSON = re.compile(
    r"\b(?:who|whom)\s+(?:had\s+been|were|was|have\s+been|has\s+been)\s+(?:abducted|kidnapped|taken hostage|whisked away)\b"
    # "lawyers who had gathered to mourn the president, who had been shot dead that morning"
    r"|\bwho\s+had\s+been\s+(?:shot dead|gunned down|assassinated|killed|murdered)\b",
    re.I,
)

#: a head that would be only an event's noun hanging on a preposition if cut there: "The
#: deadliest attack of"
_DANGLING = re.compile(
    r"^\s*(?:The|This|That|Its)\s+(?:[\w-]+\s+){0,3}?(?:attack|bombing|blast|explosion|assault|"
    r"incident)\s+(?:of|in)\s*$",
    re.I,
)
#: a captive freed, before who they are: "recovered an engineer who was kidnapped ..."
_FREED_BEFORE = re.compile(
    r"\b(?:recovered|rescued|freed|released|set free|traced|found)\b[^.;]{0,80}$", re.I
)
#: an arrest or a charge "in connection with the Mianwali airbase attack": the attack is a
#: recalled event of its own, when the words before its noun name it (a place, a date, a
#: name); "in connection with the attack" or "the deadly attack" only refer back
_CHARGED = re.compile(
    r"\b(?:"
    + TRIGGER_RX["arrest"]
    + r"|sentenced|convicted|indicted|charged|booked|meeting|met|talks|reviewed|discussed|briefed|investigation|probe|inquiry|investigating|probing)\b",
    re.I,
)
_RECALL_CHARGE = at_word_starts(
    re.compile(
        r"\b(?:in connection with|(?:allegedly\s+)?(?:linked|connected|tied) to|involved in|wanted in|wanted for|for (?:(?:their|his|her|its|the)\s+)?(?:alleged\s+)?(?:role|involvement|part) in|behind|over|for (?:carrying out|planning|masterminding|facilitating)|investigation (?:of|into)|probe into|inquiry into|progress (?:of|in) the (?:investigation|probe) (?:of|into))\s+"
        r"(?P<np>(?P<det>the|an?|last\s+\w+['’]s|(?-i:[A-Z])?\w+['’]s)\s+(?P<mods>(?:[\w'’-]+\s+){0,5}?)"
        + _RECALL_NOUNS[:-1]
        + r"|hijackings?|suicide attacks?))\b",
        re.I,
    )
)
#: words before an event noun that name no particular event
_GENERIC_MODS = frozenset(
    [
        "deadly",
        "recent",
        "suicide",
        "terrorist",
        "terror",
        "militant",
        "bomb",
        "gun",
        "brutal",
        "cowardly",
        "horrific",
        "heinous",
        "twin",
        "latest",
        "same",
        "said",
        "above",
        "earlier",
        "fatal",
        "attempted",
        "alleged",
        "failed",
        "foiled",
        "armed",
        "grenade",
        "gruesome",
        "tragic",
        "first",
        "second",
        "third",
        "last",
        "reported",
        "suspected",
    ]
)


#: a count of victims after an event's noun: "the killing of two barbers"
_OF_VICTIMS = re.compile(
    r"\s+of\s+(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|"
    r"twenty|thirty|dozens)\s",
    re.I,
)


def _charge_recall(text: str) -> re.Match[str] | None:
    """The event an arrest or a charge is about, when the words before its noun name it."""
    for m in _RECALL_CHARGE.finditer(text):
        if _CHARGED.search(text, 0, m.start()) is None and not _OF_VICTIMS.match(text, m.end()):
            # ("the cell was also involved in the targeted killing of two barbers ... last
            # month": no arrest told here, but a count of victims names the event)
            continue
        det = m.group("det").lower()
        named = det not in ("the", "a", "an") or any(
            w.lower() not in _GENERIC_MODS for w in m.group("mods").split()
        )
        if named:
            return m
    return None


#: what after a charged event's noun tells the arrest, not the event: where the suspects were
#: taken from, and a day of this week
_CHARGE_TAIL = re.compile(
    r"\s(?:from|(?:on|late on|early on|late|early)\s+(?:"
    + WEEKDAY_NAMES
    + r")|yesterday|today|last night|earlier today)\b"
)
_WHICH_AFTER = re.compile(r"(?:in which|which|that|who|where)\b", re.I)
_CLAUSE_END = re.compile(r",\s+(?!including\b|among\b|mostly\b|most of\b)|;\s|\s[—–]\s")

_BACKREF = at_word_starts(
    re.compile(
        r"\b(?:the|this|that|these)\s+(?:[\w-]+\s+){0,2}(?:attacks?|assaults?|blasts?|explosions?|bombings?|incidents?|ambush|raid|clash|encounter|operation|strikes|shelling|abduction|kidnapping|arrests?|group|outfit|organisation|organization|attackers?|assailants?|bombers?|militants|terrorists|gunmen|victims|injured|deceased|bodies|meeting|talks|session|panel|two sides|proposal|request|deal|agreement|statement|warning|threat|suspects?|convoy|vehicle|bus|hotel|site|area|hostages?|abductees)\b|\bboth sides\b|\bthe two countries\b|\bresponsibility\b|\bit was carried out\b|\b(?:he|she|they) (?:said|added)\b|\bthe (?:dead|wounded)\b",
        re.I,
    )
)


#: "the Mangochar area", "the Kohat Road site": a place named, not one referred back to
_NAMED_AREA = re.compile(r"the\s+(?:[A-Z][\w-]*\s+){1,2}(?:area|site|village)$")


#: a sentence that opens on a definite noun: "The judge was travelling ...", "The bus was"
_OPENS_DEFINITE = re.compile(
    r"(?:The|the)\s+(?:[a-z][\w-]*\s+){0,2}?(?P<noun>[a-z]{3,})\s+(?:was|were|had|has|is|are)\b"
)


def _repeats_noun(s: Sentence, g: EventGroup) -> bool:
    """The sentence opens on "the <noun>" that the event before it introduced ("a civil
    judge"): it goes on telling that event."""
    m = _OPENS_DEFINITE.match(s.text)
    if m is None:
        return False
    rx = _introducing(m.group("noun"), counted=True)
    return any(rx.search(x.text) for x in g.sentences)


@lru_cache(maxsize=512)
def _introducing(noun: str, counted: bool = False) -> re.Pattern[str]:
    """The noun brought in with an indefinite article, up to three words before it ("a
    civil judge", "a rented house"); ``counted``: or with a small count, singular or plural
    ("two judges")."""
    if counted:
        return re.compile(
            rf"\b(?:a|an|two|three|four|five|\d+)\s+(?:[\w-]+\s+){{0,3}}{re.escape(noun)}s?\b",
            re.I,
        )
    return re.compile(rf"\b(?:a|an)\s+(?:[\w-]+\s+){{0,3}}{re.escape(noun)}\b", re.I)


def _introduced(text: str, m: re.Match[str]) -> bool:
    """The thing referred to was introduced earlier in the same sentence: "targeted a
    military vehicle ..., and the vehicle was damaged" refers to no earlier event."""
    noun = m.group(0).split()[-1]
    if not noun.isalpha() or m.group(0).lower().startswith(("this ", "these ")):
        return False
    return _introducing(noun).search(text, 0, m.start()) is not None


#: back-references that name talks and their parties, not an attack
_TALKS_REF = re.compile(
    r"(?:the|this|that|these)\s+(?:[\w-]+\s+){0,2}(?:meeting|talks|session|panel|two sides|proposal|request|deal|agreement|statement)|both sides|the two countries",
    re.I,
)


#: a reaction to an event, between a date and the event's noun: the date is the reaction's
_REACTION = re.compile(
    r"\b(?:condol\w*|condemn\w*|express\w*|telephon\w*|phoned|mourn\w*|"
    r"visited|met|paid|recalled|remembered|reeling|in shock|on (?:high )?alert)\b",
    re.I,
)


def _reactions(text: str) -> list[tuple[int, int]]:
    """The spans of the reaction words of a sentence (:data:`_REACTION`), found once."""
    return [m.span() for m in _REACTION.finditer(text)]


def _between(spans: list[tuple[int, int]], lo: int, hi: int) -> bool:
    """A reaction word lies wholly within [lo, hi) (what ``_REACTION.search(text, lo, hi)``
    finds, without a search per date and trigger: a long sentence cost their product)."""
    return any(max(0, lo) <= a and b <= hi for a, b in spans)


#: a trigger that is a verb: "attacked", "stormed", "shot dead" (the date beside it is its own)
_VERBAL = re.compile(r"\w+ed\b|shot\b|blew\b|struck\b|went\b|tore\b|ripped\b", re.I)


@dataclass
class EventGroup:
    """The sentences of one candidate event, with the trigger that decides its kind."""

    cls: str
    trigger: tuple[str, int, int]
    sentences: list[Sentence]
    inherited_date: tuple[DateMention, float] | None = None
    recalled: bool = False
    lead_cls: str = ""  # the class of the trigger that started the event (before upgrades)
    overview: bool = False  # "seven killed in separate attacks across the province"
    # the claim of an overview that sums this event up: "the BLA claimed three separate
    # attacks in Kalat, Mastung and Kech" (then each told on its own)
    summed_claim: Sentence | None = None
    # the town of an overview that sums this event up ("killed in separate incidents in
    # Karachi"): where it was, when it names no place of its own
    summed_place: Mention | None = None
    outcome: bool = False  # an agreement the meeting told with it reached: held where it met
    _items: tuple[Any, list[Item]] | None = field(default=None, repr=False, compare=False)
    _date: tuple[Any, tuple[DateMention, float] | None] | None = field(
        default=None, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self.lead_cls = self.lead_cls or self.cls

    @property
    def family(self) -> str:
        return family(self.cls)

    def trigger_sentence(self) -> Sentence | None:
        """The sentence its trigger stands in (None when an upgrade took it from elsewhere)."""
        return next((s for s in self.sentences if s.start <= self.trigger[1] < s.end), None)

    def items(self) -> list[Item]:
        """The list of places its trigger heads, if any (:func:`enumerations.list_items`),
        read once."""
        if self._items is None or self._items[0] != (self.trigger, len(self.sentences)):
            trig_s = self.trigger_sentence()
            found = list_items(trig_s, self.trigger) if trig_s is not None else []
            self._items = ((self.trigger, len(self.sentences)), found)
        return self._items[1]

    def date(self) -> tuple[DateMention, float] | None:
        """The event's date and its confidence (:func:`dates.event_date`). An event its first
        sentence names by a noun takes no date that sentence gives a reaction to it ("on
        Wednesday telephoned ... and expressed condolences over the deaths in the Besham
        attack")."""
        key = (len(self.sentences), self.trigger, id(self.inherited_date), self.sentences[-1].start)
        if self._date is not None and self._date[0] == key:
            return self._date[1]
        dates = [s.dates for s in self.sentences]
        first = self.sentences[0]
        t0 = self.trigger[1] - first.start
        if 0 <= t0 < len(first.text) and not _VERBAL.match(first.text, t0):
            said = _reactions(first.text)
            dates[0] = [
                d
                for d in first.dates
                if d.end - first.start > t0 or not _between(said, d.end - first.start, t0)
            ]
        for i, x in enumerate(self.sentences[1:], 1):
            # "Pakistan was reeling Tuesday after an overnight assault": the day of the
            # reaction told before the event's noun, in the lead under a headline too
            nouns = [t[1] for t in x.all_triggers if not _VERBAL.match(x.text, t[1] - x.start)]
            if nouns and x.dates:
                said = _reactions(x.text)
                dates[i] = [
                    d
                    for d in x.dates
                    if not any(
                        t > d.end and _between(said, d.start - x.start - 25, t - x.start)
                        for t in nouns
                    )
                ]
        found = event_date(
            dates, self.trigger[1], self.inherited_date, deed=self.family == "violent"
        )
        self._date = (key, found)
        return found


#: a sentence that goes on to a second incident: "..., killing 14 soldiers, while hours
#: later gunmen attacked an air base in Mianwali"
_SECOND_INCIDENT = re.compile(
    r",?\s+(?:while|and|as|even as)\s+(?=(?:hours|minutes|a day|days) later\b|in (?:another|a separate|a second) (?:attack|incident)\b|elsewhere\b|separately\b)",
    re.I,
)


#: "... were shot dead in Bajaur on Thursday, while two engineers were abducted from a site
#: in Tank district": a second incident when each side names its own place
_WHILE_ELSEWHERE = re.compile(r",\s+while\s+(?!also\b)", re.I)
#: "On March 20, militants attacked the port, and on Monday, five were killed storming a base
#: in Turbat": a second incident on a day of its own, when each side names its own place
_NAMED_DAY = (
    "(?:" + WEEKDAY_NAMES + "|" + MONTH_NAMES + r"|\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+)\b"
)
#: "In 2021, nine engineers were killed in Dasu, and in April 2022 a bomber killed three
#: teachers in Karachi": a year or a month of a year told on each side
_IN_YEAR = r"in\s+(?:(?:" + MONTH_NAMES + r")\s+)?(?:19|20)\d\d\b"
_AND_ON_DAY = re.compile(
    r"[,;]\s+and\s+(?=(?:then\s+)?(?:(?:on|late on|early on|last)\s+"
    + _NAMED_DAY
    + "|(?i:"
    + _IN_YEAR
    + ")))"
)
#: a day the sentence tells before its "and on ...": "On March 20, ..."
_DAY_CUE = re.compile(
    r"\b(?:(?i:on|late on|early on|last)\s+" + _NAMED_DAY + "|(?i:" + _IN_YEAR + "))"
)
#: a preposition and the words that may stand before a place's name
_CUE_BEFORE = r"\b(?:in|at|from|near)\s+(?:the\s+)?(?:[a-z]+\s+){0,2}?(?:of\s+)?"
_PLACE_CUE = re.compile(_CUE_BEFORE + "[A-Z][a-z]")


_COMMA_AND = re.compile(r",\s+and\s+")
#: "..., where gunmen on Sunday stormed ...", "..., where on Sunday a bomber killed ..."
_WHERE_ON_DAY = re.compile(
    r",\s+where\s+(?=(?:[\w'’-]+\s+){0,4}?(?:(?i:on|late on|early on|last)\s+" + _NAMED_DAY + "))"
)
#: a place after a preposition, not a month: "at Dasu", "in Karachi" (not "in April")
_TOWN_CUE = re.compile(_CUE_BEFORE + "(?!(?:" + MONTH_NAMES + r")\b)[A-Z][a-z]")


def _second_incident(text: str) -> re.Match[str] | None:
    """Where the sentence goes on to a second incident, if it does."""
    if "later" in text or "other" in text or "separate" in text or "elsewhere" in text:
        m = _SECOND_INCIDENT.search(text)
        if m is not None:
            return m
    if ", while" in text:
        m = _WHILE_ELSEWHERE.search(text)
        if (
            m is not None
            and _PLACE_CUE.search(text, 0, m.start())
            and _PLACE_CUE.search(text, m.end())
        ):
            return m
    if " and " in text:
        m = _AND_ON_DAY.search(text)
        if m is not None and _DAY_CUE.search(text, 0, m.start()):
            return m  # each side told on a day of its own
    if ", where " in text:
        m = _WHERE_ON_DAY.search(text)
        if m is not None and not _DAY_CUE.search(text, 0, m.start()):
            # "The raid took place in Chagai, where gunmen on Sunday stormed the mine": the
            # place of an incident told on a day of its own
            return m
    if ", and " in text:
        for m in _COMMA_AND.finditer(text):
            before = {d.group(0).lower() for d in _DAY_CUE.finditer(text, 0, m.start())}
            after = {d.group(0).lower() for d in _DAY_CUE.finditer(text, m.end())}
            if (
                before
                and after
                and before.isdisjoint(after)
                and _TOWN_CUE.search(text, 0, m.start())
                and _TOWN_CUE.search(text, m.end())
            ):
                # "nine engineers died in a bombing at Dasu in 2021, and three teachers were
                # killed at Karachi University in April 2022": each side its own day and place
                return m
    if "; " in text:
        for m in _SEMICOLON.finditer(text):
            if (
                _DAY_CUE.search(text, m.end())
                and _TOWN_CUE.search(text, m.end())
                and _TOWN_CUE.search(text, 0, m.start())
            ):
                # "militants have targeted Hazaras in Quetta for years; in January 2021, the
                # IS claimed the killing of 11 miners in Mach": the second its own day and place
                return m
    return None


_SEMICOLON = re.compile(r";\s+")


#: an event named by its date or its place: "the 2021 Dasu bus bombing", "the March Besham
#: attack", "last year's Karachi University bombing"
_NAMED_EVENT = (
    r"(?:the|last\s+year['’]s)\s+(?:(?:19[89]\d|20\d\d|(?-i:[A-Z])[a-z]+|[a-z]+)\s+){1,5}?"
    r"(?:suicide\s+)?(?:attacks?|bombings?|blasts?|explosions?|assaults?|ambush|raids?|"
    r"massacre|hijacking|siege)\b"
)
#: two named events side by side: "the 2021 Dasu attack and the 2022 Karachi University
#: bombing" (each may start an event of its own)
_NAMED_PAIR = re.compile(
    "(?i:"
    + _NAMED_EVENT
    + r")(?P<cut>,?\s+(?:and|as well as)\s+|,\s+)(?=(?i:"
    + _NAMED_EVENT
    + "))"
)
_EVENT_NOUN_SCAN = re.compile(
    r"(?:attack|bombing|blast|explosion|assault|ambush|raid|massacre|hijacking|siege)", re.I
)
_NAMED_ONE = re.compile("(?i:" + _NAMED_EVENT + ")")
#: an event named with its month or year and told to its toll, then another: "a March suicide
#: bombing in Shangla that killed five engineers and an October blast near Karachi airport"
_A_NAMED_EVENT = (
    r"(?:a|an)\s+(?:(?:19[89]\d|20\d\d|" + MONTH_NAMES + r")\s+)(?:[a-z]+\s+){0,2}?"
    r"(?:attack|bombing|blast|explosion|assault|ambush|raid|massacre|hijacking|siege)\b"
)
_NAMED_LIST = re.compile(
    "(?i:" + _A_NAMED_EVENT + r")[^.;]{0,120}?\b(?:killed|killing|wounded|injured|left)\b"
    r"[^.;]{0,40}?(?P<cut>,?\s+(?:and|as well as)\s+|,\s+)(?=(?i:" + _A_NAMED_EVENT + "))"
)
#: what makes a noun phrase name one event: a year, a month, or a capitalised word (a place)
_NAMING_WORD = re.compile(r"\b(?:19[89]\d|20\d\d|(?:" + MONTH_NAMES + r")|(?-i:[A-Z])[\w'’-]+)\s")


def _named_pairs(s: Sentence) -> list[Sentence]:
    """Cut a sentence between two events it names side by side, each by its date or place
    ("recalled the 2021 Dasu attack and the 2022 Karachi University bombing")."""
    text = s.text
    if (
        " and the " not in text
        and ", the 20" not in text
        and ", the 19" not in text
        and " and a" not in text
    ) or len(_EVENT_NOUN_SCAN.findall(text)) < 2:
        return [s]
    if " and a" in text:
        m = _NAMED_LIST.search(text)
        if m is not None:
            first = text[: m.start("cut")]
            a = Sentence(s.start, s.start + len(first), first)
            b = Sentence(s.start + m.end(), s.end, text[m.end() :])
            return [a, *_named_pairs(b)]
    for m in _NAMED_PAIR.finditer(s.text):
        right = _NAMED_ONE.match(s.text, m.end())
        if right is None or not all(
            _NAMING_WORD.search(np.split(None, 1)[1] + " ")
            for np in (s.text[m.start() : m.start("cut")], right.group(0))
        ):
            continue  # "the attack and the blast": no event named
        first = s.text[: m.start("cut")]
        rest = s.text[m.end() :]
        a = Sentence(s.start, s.start + len(first), first)
        b = Sentence(s.start + m.end(), s.end, rest)
        return [a, *_named_pairs(b)]
    return [s]


def _second_incidents(sentences: list[Sentence]) -> list[Sentence]:
    """Cut a sentence where it goes on to a second incident (:data:`_SECOND_INCIDENT`,
    :data:`_WHILE_ELSEWHERE`)."""
    out: list[Sentence] = []
    for s in sentences:
        m = _second_incident(s.text)
        if (
            m is None
            or TRIG_SCAN.search(s.text, 0, m.start()) is None
            or TRIG_SCAN.search(s.text, m.end()) is None
        ):
            out.append(s)
            continue
        first = s.text[: m.start()].rstrip()
        out.append(Sentence(s.start, s.start + len(first), first))
        rest = Sentence(s.start + m.end(), s.end, s.text[m.end() :])
        rest.second = True
        out.append(rest)
    return out


def split_recalled(sentences: list[Sentence], published: date | None = None) -> list[Sentence]:
    """Cut a recalled past event out of its sentence: "talks ... after the Besham attack,
    which killed five Chinese citizens last week" → the talks, and the attack on its own."""
    out: list[Sentence] = []
    for s in _second_incidents(sentences):
        for part in _named_pairs(s):
            for piece in _since_when(part):
                out.extend([piece] if piece.recalled else _split_one(piece, published))
    return out


#: "the deadliest attack in the district since July 2024, when militants stormed the
#: cantonment and killed eight soldiers": the time a comparison counts from, told as an event
_SINCE_WHEN = re.compile(
    r"\bsince\s+(?:(?:early|late|mid)[\s-]+)?(?P<when>(?:(?:"
    + MONTH_NAMES
    + r")\s+(?:\d{1,2},?\s+)?)?(?:19|20)\d\d),?\s+when\s+"
)


def _since_when(s: Sentence) -> list[Sentence]:
    """The sentence, and the event a "since <month year>, when ..." clause recalls cut off as
    a recalled sentence of its own that starts at its date (the clause runs to the sentence's
    end)."""
    m = _SINCE_WHEN.search(s.text) if "when" in s.text else None
    if m is None or TRIG_SCAN.search(s.text, m.end()) is None:
        return [s]
    first = s.text[: m.start()].rstrip(" ,;")
    rest = s.text[m.start("when") :]
    a = Sentence(s.start, s.start + len(first), first)
    b = Sentence(s.start + m.start("when"), s.end, rest)
    b.recalled = True
    return [a, b] if first else [b]


#: a month naming a recalled event: "the March attack on engineers in Besham"
_MONTH_NAMED = re.compile(r"\bthe\s+(?:" + MONTH_NAMES + r")\s+(?:[\w-]+\s+){0,2}?[\w-]+")
#: a day and month inside a recalled event's name: "the Besham attack of March 26"
_DAY_OF = re.compile(
    r"\b(?:of|on)\s+(?:(?:" + MONTH_NAMES + r")\s+\d{1,2}|\d{1,2}\s+(?:" + MONTH_NAMES + r"))\b"
)


def _split_one(s: Sentence, published: date | None, depth: int = 0) -> list[Sentence]:
    """One sentence cut around the recalled event it tells, if any; what follows that event
    is tried again (a sentence may recall two: "the Besham attack of March 26, in which ...,
    and the Karachi airport bombing of October 6 that killed ...")."""
    out: list[Sentence] = []
    low = s.text.lower()
    m = (
        (("which" in low or "that" in low) and _RECALL_THING.search(s.text))
        or ("who" in low and _RECALL_PERSON.search(s.text))
        or (" after " in low and _RECALL_AFTER.search(s.text))
        or None
    )
    charged = None
    if m is None:
        charged = m = _charge_recall(s.text)
    after = m is not None and m.re is _RECALL_AFTER
    year = _YEAR.search(s.text, m.start(), m.end()) if m is not None else None
    # (a past year: "the 2024 ambush" in a 2024 report may be the report's own news)
    dated = (
        m is not None
        and m.re is _RECALL_THING
        and (
            (year is not None and (published is None or int(year.group(0)) < published.year))
            or (year is None and _DAY_OF.search(s.text, m.start(), m.end()) is not None)
            # "expressed concern over the March attack on engineers in Besham, which killed
            # five ... and urged": a month names a past event too
            or (year is None and _MONTH_NAMED.search(s.text, m.start(), m.end()) is not None)
        )
    )
    led = m is not None and (
        TRIG_SCAN.search(s.text, 0, m.start()) is not None
        or (charged is not None and _OF_VICTIMS.match(s.text, m.end()) is not None)
        # "Security forces recovered an engineer who was kidnapped last week": the captive
        # freed; the abduction is told with its own day
        or (m.re is _RECALL_PERSON and _FREED_BEFORE.search(s.text, 0, m.start()) is not None)
    )
    # "the death of a Chinese couple who had been abducted on May 24 from Quetta": the
    # abduction, dated by its own clause
    person_dated = (
        m is not None
        and m.re is _RECALL_PERSON
        and (
            _DAY_OF.search(s.text, m.end(), m.end() + 40) is not None
            or _MONTH_NAMED.search(s.text, m.end(), m.end() + 40) is not None
        )
    )
    if m is None or (not after and not dated and not led and not person_dated):
        out.append(s)
        return out
    # "The BLA also claimed the 2022 Karachi University bombing in which ... died": a
    # sentence about a dated past event, from its start
    a = m.start() if led or not dated else 0
    if after:
        a = next(m.start(n) for n in ("np", "np2", "np3") if m.group(n))
    elif charged is not None:
        a = m.start("np")
    if a and _DANGLING.search(s.text, 0, a):
        # "The deadliest attack of | the year was the suicide bombing ..., which killed":
        # no head is left hanging on a preposition; the sentence tells the recalled event
        a = 0
    end = len(s.text)
    for c in _CLAUSE_END.finditer(s.text, m.end()):
        if charged is not None and _WHICH_AFTER.match(s.text, c.end()):
            continue  # "..., in which five engineers lost their lives": its own toll
        if (after or person_dated) and _WHERE_WHEN.match(s.text, c.end()):
            continue  # "... after a bomber rammed a bus near Besham, in Shangla, on March 26"
        if person_dated and _YEAR_NEXT.match(s.text, c.end()):
            continue  # "who was kidnapped on May 9, 2013, from Multan": the day's year
        if _CLAIMED_APPOSITIVE.match(s.text, c.start()):
            continue  # "..., in an attack claimed by the group": the recalled one's claim
        end = c.start()
        break
    if charged is not None:
        # "arrested two suspects involved in the Besham attack from Shangla on Monday":
        # where they were taken from and this week's day are the arrest's
        tail = _CHARGE_TAIL.search(s.text, m.end(), end)
        if tail is not None and not _WHICH_AFTER.search(s.text, m.end(), tail.start()):
            end = tail.start()
    for st, en, rec in ((0, a, False), (a, end, True), (end, len(s.text), False)):
        part = s.text[st:en]
        lead = len(part) - len(part.lstrip())
        part = part.strip()
        if len(part) > 1:
            sent = Sentence(s.start + st + lead, s.start + st + lead + len(part), part)
            sent.recalled = rec
            sent.charged = rec and charged is not None
            sent.charges = st == 0 and en == a and charged is not None
            sent.continuation = st == end and end > 0
            if rec and after:
                sent.recall_gap = _gap(m)
            if sent.continuation and depth < 2 and _RECALL_THING.search(part):
                rest = _split_one(sent, published, depth + 1)
                if len(rest) > 1:  # a second recalled event after the first
                    out.extend(rest)
                    continue
            out.append(sent)
    return out


#: a clause that only places or dates what it follows: ", in the Shangla district", ", on
#: March 26"
_YEAR_NEXT = re.compile(r"\s*(?:19|20)\d\d\b")
_WHERE_WHEN = re.compile(
    r"(?:in|near|at|on|outside|inside|of|from)\s+(?:the\s+)?(?:(?-i:[A-Z])|\d)[^,;]{0,60}(?:[,;]|\.?$)"
)


_UNITS = {"day": (1, "day"), "days": (1, "day"), "week": (7, "week"), "weeks": (7, "week")}
_SMALL = {"a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def _gap(m: re.Match[str]) -> tuple[int, str] | None:
    """(days, precision) between a recalled event and the report's: "a week after" → (7,
    week), "four days after" → (4, day); None when the text gives no measure ("shortly")."""
    gap = (m.group("gap") or "").lower()
    if not gap:
        return None
    if gap in ("a day", "a week"):
        n, unit = 1, gap.split()[1]
    elif gap == "a month":
        return (30, "month")
    else:
        word, unit = (m.group("n") or "").lower(), (m.group("unit") or "").lower()
        n = int(word) if word.isdecimal() else _SMALL.get(word, 0)
        if unit == "months":
            return (30 * n, "month") if n else None
    days, precision = _UNITS.get(unit, (0, "day"))
    return (days * n, precision) if n else None


def _claims_another(g: EventGroup, s: Sentence, cls: str) -> bool:
    """The claim names a happening of another kind, dated otherwise (even by the claim's own
    date) than the event before it."""
    if _own_dates(s) and _dated_apart(g.date(), s):
        return True  # "In May 2016, the group claimed a roadside bomb attack on ...": earlier
    if cls == g.cls or cls in ("attack", "clash") or not s.dates:
        return False
    dm = g.date()
    d = s.dates[0]
    return dm is None or (dm[0].value, dm[0].precision) != (d.value, d.precision)


#: a claim in apposition to the event its own sentence tells: "a woman suicide bomber killed
#: three teachers at the University of Karachi, an attack claimed by the BLA" (", in an attack
#: claimed by the group")
_CLAIMED_APPOSITIVE = re.compile(
    r",\s+(?:in\s+)?an?\s+(?:[\w-]+\s+){0,2}?(?:attack|bombing|assault|ambush|raid|killing|abduction)\s+"
    r"(?:later\s+|also\s+)?(?:claimed|owned)\s+by\b",
    re.I,
)
#: a claim that brings its event in: "claimed responsibility for an attack on ..."
_CLAIMED_A_NEW = re.compile(
    r"\bclaimed\s+(?:responsibility\s+for\s+)?an?\s+(?:[\w-]+\s+){0,2}?"
    r"(?:attack|bombing|blast|ambush|assault|raid|killing)\b",
    re.I,
)
#: a sentence that sums up several incidents: "seven people were killed in separate attacks
#: across the province"; the incidents it sums up are told after it, each on its own
_OVERVIEW = re.compile(
    r"\b(?:in|during|carried out|launched|launch|launches|staged|mounted|conducted|for|claimed|claims|claiming)\s+(?:(?:two|three|four|five|six|several|multiple|\d+)\s+)?(?:separate|different|various|multiple|a series of|a spate of|a wave of|coordinated|simultaneous)\s+(?:[\w-]+\s+)?(?:attacks|incidents|clashes|assaults|raids|blasts|explosions|ambushes|bombings|acts of violence|incidents of (?:violence|firing))\b",
    re.I,
)


def _roundup_headline(s: Sentence) -> bool:
    """A headline (or sub-headline) that names two or more towns or districts: it tells
    several incidents, each told again below it."""
    if not s.headline:
        return False
    where = {
        (m.place.district or m.place.name)
        for m in s.places
        if m.place and m.place.kind in ("town", "district", "landmark") and not m.role
    }
    return len(where) >= 2


#: the person arrested, told again: "The woman was detained on Monday in a raid"
_THE_HELD_ONE = re.compile(
    r"(?:[^.;]{0,120}?\bsaid (?:that )?)?"  # "a senior officer said the suspects were arrested"
    r"(?:[Tt]he|Both|All the) (?:[\w-]+ ){0,2}?(?:woman|man|suspects?|accused|militants?|"
    r"terrorists?|men|women) (?:was|were|had been) (?:detained|arrested|apprehended|nabbed|"
    r"taken into custody)\b"
)
#: an agreement referred to as told: "The ceasefire was agreed at ...", "The deal was signed"
_THE_AGREEMENT = re.compile(
    r"(?:The|This|That) (?:[\w-]+ )?(?:cease-?\s?fire|truce|agreement|deal|accord|pact)\b"
)
#: a claim of several attacks: "claimed responsibility for three separate attacks"
_SEVERAL_CLAIMED = re.compile(
    r"\b(two|three|four|five|six|seven|several|multiple|\d+)\s+(?:separate\s+|different\s+)?"
    r"(?:[\w-]+\s+)?(?:attacks|bombings|blasts|assaults|ambushes|operations)\b",
    re.I,
)


_SEPARATE_INCIDENTS = re.compile(
    r"\b(?:killed|injured|wounded|martyred)\b[^.;]{0,40}\bin (?:\w+ )?(?:separate|different) "
    r"(?:incidents|acts of violence)\b",
    re.I,
)


def _summed_place(g: EventGroup) -> Mention | None:
    """The town an overview names ("in separate incidents in Karachi"), if one."""
    return next(
        (
            m
            for s in g.sentences
            for m in s.places
            if m.cued and m.place and m.place.kind == "town" and m.role in ("", "admin")
        ),
        None,
    )


def _drop_overviews(groups: list[EventGroup]) -> list[EventGroup]:
    """An overview is no event of its own when the incidents it sums up (two or more) follow
    it; those that give no date of their own take its date ("... on Sunday. In a third
    incident, a bomb ...")."""
    out = []
    summed: tuple[DateMention, float] | None = None
    claim: Sentence | None = None
    where: Mention | None = None
    for i, g in enumerate(groups):
        after = sum(h.family == "violent" and not h.recalled for h in groups[i + 1 :])
        # (one incident told after "12 persons were killed in separate incidents in Karachi":
        # the only one the report tells; the summary is none)
        told = after >= 2 or (after == 1 and _SEPARATE_INCIDENTS.search(g.sentences[0].text))
        if g.overview and told:
            d = g.date()
            summed = (d[0], CONFIDENCE.date_inherited) if d and not d[0].reporting else None
            claim = next((s for s in g.sentences if s.claim), None)
            where = _summed_place(g)
            continue
        if g.family == "violent" and not g.recalled:
            if summed is not None and g.inherited_date is None:
                own = g.date()
                if own is None or own[0].reporting:
                    g.inherited_date = summed
            if where is not None and g.summed_place is None:
                g.summed_place = where
            if claim is not None and not any(s.claim for s in g.sentences):
                g.summed_claim = claim
        out.append(g)
    return out


#: weapons found on the people arrested: part of the arrest, not a find of its own
_FROM_THE_HELD = re.compile(
    r"\bfrom (?:their|his|her|the suspects'?|the accused|the militants'?) (?:possession|custody|hideouts?|vehicle|house)|\bfrom (?:them|him|her|the suspects|the accused)\b",
    re.I,
)
#: weapons found on the militants killed: part of the operation that killed them
_FROM_THE_SLAIN = re.compile(
    r"\bfrom (?:the )?(?:possession of (?:the )?)?(?:slain|killed|dead|deceased|neutrali[sz]ed) (?:militants|terrorists|attackers|khawarij|khwarij|insurgents|suspects)\b",
    re.I,
)
#: the rest of a sentence after a recalled clause, telling that event's toll
_ITS_TOLL = re.compile(r"^,?\s*(?:killing|leaving|injuring|wounding|claiming the lives of)\b", re.I)
#: a happening dated by the one told before it
_SAME_DAY = re.compile(
    r"\b(?:on )?(?:the|that) same (?:day|night|evening|morning)\b|\b(?:earlier|later) (?:in the day|that (?:day|morning|afternoon|evening)|the same day|in the evening)\b|^(?:hours|minutes|an hour|shortly|soon) (?:later|afterwards)\b",
    re.I,
)


#: "more than 100 policemen have been killed since January": a tally, no happening
_TALLY_SINCE = re.compile(
    r"\b(?:have|has) been (?:killed|martyred|injured|wounded)\b[^.;]{0,80}?\bsince\b", re.I
)


#: kinds specific enough that a sentence of that kind retells the event of that kind
_SPECIFIC = frozenset(["clash", "suicide", "ied", "grenade", "abduction", "shelling"])


def _same_kind_before(
    groups: list[EventGroup], cur: EventGroup, cls: str, s: Sentence, published: date | None
) -> EventGroup | None:
    """The earlier violent event whose leading trigger is of ``cls``, when the current one's
    is not and nothing tells the two apart."""
    if cls not in _SPECIFIC or cur.lead_cls == cls or _OPENS_ANOTHER.match(s.text):
        return None
    if _ANOTHER.search(s.text) or _DISTINCT.search(s.text):
        return None
    if cur.family == "violent" and (_THE_ATTACK.search(s.text) or _ANSWERED.search(s.text)):
        # "Police said the attack was repulsed after an exchange of fire"; "The security
        # forces responded swiftly and 21 terrorists were killed": the answer to this one
        return None
    g = _latest_of_kind([g for g in groups if g is not cur], cls)
    if g is not None and _names_thing_of(s, cur) and not _names_thing_of(s, g):
        return None  # "a bus ... exploded near Dasu. Investigators said a bomber rammed the bus"
    return None if g is None or _differs(g, s, published) else g


#: the forces answered the event just told
_ANSWERED = re.compile(
    r"\b(?:responded|retaliated|returned (?:the )?fire|repulsed|repelled|fought back)\b", re.I
)
#: the event being told, named by a general noun: "the attack was repulsed"
_THE_ATTACK = re.compile(r"\b(?:the|this) (?:[\w-]+ )?(?:attack|incident|assault)\b", re.I)
#: a thing an event happened to, named again with "the": "rammed his car into the bus"
_THE_THING = re.compile(
    r"\bthe\s+(?:[\w-]+\s+)?(?P<noun>bus|van|coach|convoy|vehicle|car|truck|camp|school|hotel|"
    r"mosque|market|check ?post|post|station|consulate|office|train|bridge|site|compound)\b",
    re.I,
)


def _names_thing_of(s: Sentence, g: EventGroup) -> bool:
    """The sentence names with "the" a thing that ``g``'s telling introduced ("a bus")."""
    for m in _THE_THING.finditer(s.text):
        rx = _introducing(m.group("noun"))
        if any(rx.search(x.text) for x in g.sentences):
            return True
    return False


def _claimed_kind(
    s: Sentence, groups: list[EventGroup], cur: EventGroup | None = None
) -> EventGroup | None:
    """The latest event of the specific kind a claim names ("claimed the ambush"): the one
    just told when it may be that kind ("a suicide bomber struck ... The BLA claimed the
    bombing")."""
    kinds = {t[0] for t in s.all_triggers if t[0] in _SPECIFIC}
    if len(kinds) != 1:
        return None
    (cls,) = kinds
    if cur is not None and cur.family == "violent" and not cur.recalled and _kin(cls, cur.lead_cls):
        return cur
    return _latest_of_kind(groups, cls)


def _latest_of_kind(groups: list[EventGroup], cls: str) -> EventGroup | None:
    """The latest violent event told as one (not recalled, no overview) that ``cls`` led."""
    return next(
        (
            g
            for g in reversed(groups)
            if g.family == "violent" and not g.recalled and not g.overview and g.lead_cls == cls
        ),
        None,
    )


def _same_day(g: EventGroup, s: Sentence, groups: list[EventGroup]) -> None:
    """ "On the same day, another suicide attack ...": the date of the event told before."""
    if groups and _SAME_DAY.search(s.text) and not _own_dates(s):
        # (the latest event told with a date: not an undated statement told in between)
        dated = (h.date() for h in reversed(groups))
        dm = next((d for d in dated if d is not None and not d[0].reporting), None)
        if dm is not None:
            g.inherited_date = (dm[0], CONFIDENCE.date_inherited)


#: "In a separate incident in Poonch district, ...": another incident, told beside the first
_SEPARATELY = re.compile(
    r"^(?:In (?:a|another) separate (?:incident|attack)|In (?:another|the other) (?:incident|attack)|"
    r"Separately|Elsewhere)\b"
)


def _separately_in_the_lead(g: EventGroup, s: Sentence, groups: list[EventGroup]) -> None:
    """A separate incident told right after the first, in its paragraph, with no date of its
    own: the day of the first (a daily's lead sums up one day's incidents)."""
    if not groups or g.family != "violent" or not _SEPARATELY.match(s.text) or _own_dates(s):
        return
    prev = groups[-1]
    if prev.family != "violent" or prev.recalled or s.start - prev.sentences[-1].end > 1:
        return  # (a paragraph apart: not told as the same day's)
    dm = prev.date()
    if dm is not None and not dm[0].reporting and dm[0].precision == "day":
        g.inherited_date = (dm[0], CONFIDENCE.date_inherited)


_DAYS_LATER = re.compile(r"^(?:days|a few days|some days|weeks|a few weeks) later\b", re.I)


def _days_later(g: EventGroup, s: Sentence, groups: list[EventGroup]) -> None:
    """ "Days later, a suicide bomber ...": the month of the event told before (no finer)."""
    if groups and _DAYS_LATER.match(s.text) and not _own_dates(s):
        dm = groups[-1].date()
        d = dm[0] if dm is not None else None
        if d is not None and not d.reporting and d.value is not None:
            month = "month" if d.precision in ("day", "week", "month") else d.precision
            value = d.value.replace(day=1) if month == "month" else d.value
            g.inherited_date = (replace(d, value=value, precision=month), CONFIDENCE.date_inherited)


def _own_dates(s: Sentence) -> list[DateMention]:
    return [d for d in s.dates if not d.reporting]


def _drop_arrest_summaries(groups: list[EventGroup]) -> list[EventGroup]:
    """A lead that sums up arrests ("said on Tuesday it had arrested five militants,
    including ...") with no place or date of its own, when two or more arrests that have
    them follow: those are the events."""

    def placed(g: EventGroup) -> bool:  # a town or a date of its own
        return any(
            _own_dates(s)
            or any(
                m.place and m.place.kind in ("town", "landmark") and not m.role for m in s.places
            )
            for s in g.sentences
        )

    out = []
    for i, g in enumerate(groups):
        later = [h for h in groups[i + 1 :] if h.family == "arrest" and placed(h)]
        if g.family == "arrest" and not placed(g) and len(later) >= 2:
            continue
        out.append(g)
    return out


#: "The consulate attack was claimed by ...": an event named by a word of its own telling
_NAMED_REF = re.compile(
    r"^(?:The|This|That)\s+(?P<mod>[\w-]+)\s+(?:attack|bombing|assault|blast|raid|ambush|explosion)\b"
)


def _named_host(s: Sentence, groups: list[EventGroup]) -> EventGroup | None:
    """The violent event a sentence names by a word its own telling used ("the consulate
    attack" after "tried to storm the Chinese consulate"), when another event came since."""
    m = _NAMED_REF.match(s.text)
    if m is None or m.group("mod").lower() in _GENERIC_MODS:
        return None
    word = re.compile(r"\b" + re.escape(m.group("mod")) + r"\b", re.I)
    for g in groups:
        if (
            g.family == "violent"
            and not g.recalled
            and any(word.search(x.text) for x in g.sentences)
        ):
            return g
    return None


#: a claim of an event named by its day: "claimed responsibility for Monday's killing"
_DAY_NAMED = re.compile(r"\b(?:" + WEEKDAY_NAMES + r"|yesterday|today)['’]s\s", re.I)


def _dated_host(s: Sentence, groups: list[EventGroup]) -> EventGroup | None:
    """The violent event a claim names by its day, when another was told since."""
    if not _DAY_NAMED.search(s.text):
        return None
    days = {d.value for d in s.dates if d.precision == "day" and d.value}
    for g in reversed(groups):
        dm = g.date()
        if g.family == "violent" and not g.recalled and dm and dm[0].value in days:
            return g
    return None


def _weak(s: Sentence, trig: tuple[str, int, int]) -> bool:
    """The sentence's trigger is "killed" alone ("The blast at a police station killed
    four": the blast names the event)."""
    return (
        trig[0] == "attack" and s.text[trig[1] - s.start : trig[2] - s.start].lower() in WEAK_ATTACK
    )


#: a claim of the event just recalled: "... days after a bomber rammed a convoy in Bannu. The
#: Hafiz Gul Bahadur group had claimed that attack."
_THAT_ONE = re.compile(
    r"\b(?:that|the earlier|the previous|the latter)\s+(?:[\w-]+\s+)?"
    r"(?:attack|bombing|blast|assault|ambush|raid|killing|abduction|kidnapping|explosion)\b"
    r"|\bhad (?:also )?(?:claimed|owned|accepted)\b",
    re.I,
)


def _latest_violent(groups: list[EventGroup]) -> EventGroup | None:
    return next((g for g in reversed(groups) if g.family == "violent" and not g.recalled), None)


#: a trigger that tells a body found: "found dead", "the bodies of two men were recovered"
_BODY_FOUND = re.compile(r"found dead|\bbod(?:y|ies)\b|\bcorpses?\b", re.I)
#: another incident told apart: "Separately, a man was found dead near ..."
_APART = re.compile(
    r"^\W*(?:separately|meanwhile|in (?:an|the )?other (?:incident|development)|elsewhere)\b", re.I
)


def _found_body_of_the_told(sentences: list[Sentence]) -> None:
    """A body found after a violent event is told, or beside one ("all the bodies had been
    recovered after the blast", "the body of a trader who had been abducted"), is that event's
    victim, not an event of its own, unless the sentence says it is another incident: its
    trigger is dropped, so it joins the event told."""
    told = False
    for i, s in enumerate(sentences):
        trig = s.trigger
        if trig is None or family(trig[0]) != "violent":
            continue
        word = s.text[trig[1] - s.start : trig[2] - s.start]
        if _BODY_FOUND.search(word) and not _APART.search(s.text):
            # (its recalled clause, cut out as a sentence of its own, is beside it too)
            clause = [c for c in sentences[i + 1 : i + 2] if c.recalled and c.start - s.end <= 1]
            beside = any(
                family(t[0]) == "violent" and t[1] != trig[1]
                for c in (s, *clause)
                for t in c.all_triggers
            )
            if told or beside:
                s.trigger = None
                continue
        told = told or not s.recalled


def group(sentences: list[Sentence], published: date | None = None) -> list[EventGroup]:
    """The candidate events of a text's sentences (their triggers, actors, dates and
    casualties already marked), in order of their first sentence."""
    _found_body_of_the_told(sentences)
    for s in sentences:
        refs = list(_BACKREF.finditer(s.text))
        s.backref = s.describes or any(
            not _NAMED_AREA.match(m.group(0)) and not _introduced(s.text, m) for m in refs
        )
        s.backref_talks_only = bool(refs) and all(_TALKS_REF.fullmatch(m.group(0)) for m in refs)
    armed_ids = {id(a) for s in sentences for a in s.actors if is_armed_group(a)}
    groups: list[EventGroup] = []
    cur: EventGroup | None = None
    recall: EventGroup | None = None  # the event of the recalled clause just cut out
    roundups: list[Sentence] = []  # claims of several attacks told before any of them
    heads: list[EventGroup] = []  # a headline's second stories
    for s in sentences:
        trig = s.trigger
        has_cas = bool(
            s.casualties and (s.casualties.counts or s.casualties.toll or s.casualties.none)
        )
        if s.aside:
            continue
        if s.recalled:
            if trig is not None:
                g = EventGroup(trig[0], trig, [s], recalled=True)
                _same_day(g, s, groups)  # "..., who had been shot dead earlier that morning"
                host = _told_before(g, groups, published, recalled=True) if s.charged else None
                recall = g
                if host is None:
                    groups.append(g)
                elif all(x.headline for x in host.sentences):
                    # "... after Karachi attack" in the headline: the body's telling dates it
                    host.sentences.append(s)
                    _upgrade(host, s)
                    recall = host
                else:
                    recall = None
            continue
        if trig is None and s.continuation and recall is not None and _ITS_TOLL.match(s.text):
            recall.sentences.append(s)  # "the April 26 attack ..., killing three teachers"
            continue
        if (
            recall is not None
            and recall.family == "violent"
            and trig is not None
            and _weak(s, trig)
            and not s.places
            and not _own_dates(s)
            and not s.claim
        ):
            recall.sentences.append(s)  # "... rammed a bus near Besham. Five Chinese were killed."
            _upgrade(recall, s)
            recall = None
            continue
        if (
            s.claim
            and recall is not None
            and recall.family == "violent"
            and _THAT_ONE.search(s.text)
        ):
            recall.sentences.append(s)  # "... had claimed that attack": the one just recalled
            _upgrade(recall, s)
            recall = None
            continue
        recall = None
        # "The Tuesday suicide bombing in Karachi, which left three dead, ...": a definite
        # event noun with details of its own names the text's first violent event
        if (
            (trig is None or _weak(s, trig))
            and s.definite is not None
            and _first_of_its_kind(s.definite[0], groups)
            and (has_cas or any(not d.reporting for d in s.dates) or any(m.cued for m in s.places))
        ):
            trig = s.definite
        if (
            trig is not None
            and family(trig[0]) in ("protest", "request", "legal")
            and s.definite is not None
            and family(s.definite[0]) == "violent"
            and has_cas
            and _first_of_its_kind(s.definite[0], groups)
        ):
            # "condemned the killing of six labourers in Kech and ordered an inquiry": the
            # killing, told nowhere else, is an event beside the order
            cur = EventGroup(s.definite[0], s.definite, [s])
            groups.append(cur)
        if trig is None and s.continuation and cur is not None:
            cur.sentences.append(s)
            continue
        if s.claim and _claimed_in_places(s) > 1:
            # "claimed responsibility for attacks on forces in Kech and Panjgur": the attacks
            # told next, one per place
            roundups.append(s)
            continue
        if trig is None and s.blame and not s.claim and any(id(a) in armed_ids for a in s.actors):
            target = _latest_violent(groups)
            if target is not None:
                target.sentences.append(s)
                continue
        if trig is None:
            if s.claim:
                target = (
                    _dated_host(s, groups)
                    or _named_host(s, groups)
                    or _claimed_kind(s, groups, cur)
                    or _latest_violent(groups)
                )
                if target is not None:
                    target.sentences.append(s)
                    _upgrade(target, s)
                    cur = target
                    continue
                if _SEVERAL_CLAIMED.search(s.text):
                    roundups.append(s)  # "claimed three separate attacks in ...": told next
            # "the two countries", "both sides" refer back to talks, not to an attack; casualties
            # counted under a date of their own belong to another happening ("two months ago,
            # raids on posts killed 40"): they neither date nor count this one
            if cur is not None and not s.backref and _repeats_noun(s, cur):
                s.backref = True  # "Gunmen abducted a civil judge ... The judge was travelling"
            refers = s.backref and not (
                cur is not None and cur.family == "violent" and s.backref_talks_only
            )
            back = _named_by_town(s, cur, groups) if refers and cur is not None else None
            if back is not None:
                # "The attack on the Kahan post came weeks after ...", told after the Sui
                # blast: the event that town names, not the last one told
                back.sentences.append(s)
                cur = back
            elif cur is not None and (
                refers or (has_cas and not s.tally and not _dated_apart(cur.date(), s, published))
            ):
                cur.sentences.append(s)
                _upgrade(cur, s)
            elif cur is not None and has_cas and not refers:
                # "Earlier this week, two soldiers were martyred in Wana": victims counted
                # under an earlier date of their own are a happening of their own
                victims = _victim_count(s)
                if victims is not None and _earlier(s, cur) and not _TALLY_SINCE.search(s.text):
                    # (a later day's figures update the event: a toll that rose overnight)
                    cur = EventGroup(
                        "attack", ("attack", victims.start, victims.end), [s], recalled=True
                    )
                    groups.append(cur)
            continue
        cls = trig[0]
        fam = family(cls)
        overview = fam == "violent" and (bool(_OVERVIEW.search(s.text)) or _roundup_headline(s))
        if s.joined and cur is not None and _another_story(s, sentences):
            # a headline's second story ("...; grenade blast rocks PoK") is another event, and
            # the body goes on with the first
            heads.append(EventGroup(cls, trig, [s]))  # (kept out of the body's lookups)
            continue
        if cur is None or overview or (cur.overview and fam == "violent"):
            cur = EventGroup(cls, trig, [s], overview=overview)
            groups.append(cur)
            continue
        # "(IS had claimed) another recent attack in Quetta, an August suicide bombing"
        other = fam == "violent" and _ANOTHER.search(s.text) is not None
        dated = _dated_host(s, groups) if s.claim and fam == "violent" and not other else None
        claimed = (
            (
                dated
                or _named_host(s, groups)
                or _named_by_town(s, cur, groups)
                or _claimed_kind(s, groups, cur)
                or _latest_violent(groups)
                or cur
            )
            if s.claim and fam == "violent" and not other
            else None
        )
        # "In 2025, the BLA claimed the March hijacking of ...": an event of its own
        # a deck "TTP claims Bajaur blast" under a headline of North Waziristan: another
        # place, too (in a body, a claim names places for other reasons: "its spokesman in")
        own = claimed is not None and (
            (
                claimed is not dated  # "claimed Wednesday's attack": that one
                and (
                    _claims_another(claimed, s, cls)
                    or (
                        (s.headline or _CLAIMED_APPOSITIVE.search(s.text) is not None)
                        and _other_towns(claimed.sentences, [s])
                    )
                )
            )
            # "claimed suicide attacks near the airport in Karachi and on the port in Gwadar":
            # a list of places is no one event told before
            or bool(list_items(s, trig))
            # "Meanwhile, the BLF has claimed responsibility for an attack on an army post in
            # Mand": an attack the claim brings in, not the one told before
            or (
                claimed is not dated
                and _CLAIMED_A_NEW.search(s.text) is not None
                and (
                    _OPENS_ANOTHER.match(s.text) is not None or _other_towns(claimed.sentences, [s])
                )
            )
        )
        if claimed is not None and not own and claimed.family == "violent":
            claimed.sentences.append(s)
            _upgrade(claimed, s)
            cur = claimed
            warned = _warned_after_claim(s)
            if warned is not None:
                # "The BLA claimed responsibility for the attack ... and warned Beijing to
                # halt its projects": the claim is the attack's, the warning a threat
                groups.append(EventGroup("threat", warned, [s], inherited_date=cur.date()))
            continue
        same = fam == cur.family
        named = _named_host(s, groups) if fam == "violent" and not own else None
        if named is not None and named is not cur:
            named.sentences.append(s)  # "The consulate attack was ...": told before, by name
            cur = named
            continue
        if own or (other and cur.family == "violent"):
            cur = EventGroup(cls, trig, [s], recalled=other and _past(s.text))
            _same_day(cur, s, groups)
            if not cur.recalled:
                _separately_in_the_lead(cur, s, groups)
            groups.append(cur)
            continue
        if (
            cls == "disrupted"
            and cur.family == "arrest"
            and (_FROM_THE_HELD.search(s.text) or not (s.places or _own_dates(s)))
        ) or (cls == "disrupted" and cur.family == "violent" and _FROM_THE_SLAIN.search(s.text)):
            cur.sentences.append(s)  # "... were recovered from their possession": the arrest's
            continue
        held = (
            next((g for g in reversed(groups) if g.family == "arrest"), None)
            if cls == "disrupted" and _FROM_THE_HELD.search(s.text) and not _own_dates(s)
            else None
        )
        if held is not None:
            held.sentences.append(s)  # the same, told after a recalled attack
            cur = held
            continue
        told = (
            next((h for h in reversed(groups) if h.cls == cls), None)
            if (cls == "agreement" and _THE_AGREEMENT.match(s.text))
            or (fam == "arrest" and _THE_HELD_ONE.match(s.text))
            or (
                cls == "meeting"
                and BRIEFED.search(s.text[trig[1] - s.start : trig[2] - s.start])
                and not _own_dates(s)
                and not any(m.cued for m in s.places)
            )
            else None
        )
        if told is not None:
            # "The ceasefire was agreed at the Scouts headquarters": the one told before
            told.sentences.append(s)
            cur = told
            continue
        back = (
            _named_by_town(s, cur, groups)
            if fam == "violent" and _THE_BEFORE.match(s.text[: trig[1] - s.start])
            else None
        )
        if back is not None:
            back.sentences.append(s)  # "The attack on the Kahan post ..." after another event
            cur = back
            continue
        kin = _same_kind_before(groups, cur, cls, s, published) if fam == "violent" else None
        if kin is not None:
            # "two vehicles ... were ambushed" after another incident was told: the ambush
            # told before it
            kin.sentences.append(s)
            _upgrade(kin, s)
            cur = kin
            continue
        if (
            same
            and not s.second
            and not _forces_blocked(s, trig)
            and not _differs(cur, s, published)
            and not _OPENS_ANOTHER.match(s.text)
            and not _SEPARATE_ONES.search(s.text)
            and not _responds(cur, s, cls)
        ):
            cur.sentences.append(s)
            _upgrade(cur, s)
            continue
        if not same and fam in ("violent",) and cur.family == "violent":
            cur.sentences.append(s)
            continue
        if fam == "request" and cur.family == "talks" and s.backref:
            cur.sentences.append(s)
            continue
        new = EventGroup(cls, trig, [s])
        _same_day(new, s, groups)
        _days_later(new, s, groups)
        _separately_in_the_lead(new, s, groups)
        if fam == "threat" and _warned_after_claim(s) is not None:
            # "The BLA claimed responsibility ..., and warned that all of them would be
            # executed": the threat is its own event; the claim is the attack's told before
            claimed_one = _latest_violent(groups)
            if claimed_one is not None and not any(x.claim for x in claimed_one.sentences):
                claimed_one.summed_claim = s
        if fam in ("threat", "disrupted") and cur.family == "violent" and not _own_dates(s):
            dm = cur.date()
            if dm is not None:
                new.inherited_date = (dm[0], CONFIDENCE.date_inherited)
        groups.append(new)
        cur = new
    for r in roundups:
        # the attacks told after the claim, as many as it counts ("three separate attacks")
        m = _SEVERAL_CLAIMED.search(r.text)
        if m is None:
            n = _claimed_in_places(r)  # "claimed attacks in Kech and Panjgur": one per place
        else:
            word = m.group(1).lower()
            n = int(word) if word.isdecimal() else _SMALL.get(word, len(groups))
        after = [
            g
            for g in groups
            if g.sentences[0].start > r.start and g.family == "violent" and not g.recalled
        ]
        for g in after[:n]:
            g.summed_claim = r
    if heads:
        groups = sorted([*groups, *heads], key=lambda g: g.sentences[0].start)
    groups = _drop_arrest_summaries(_drop_overviews(groups))
    return split_outcomes(merge_retellings(groups, published))


#: a claim of attacks in places it lists: "claimed responsibility for attacks on Pakistani
#: forces in Kech and Panjgur"
_CLAIMED_ATTACKS_IN = re.compile(
    r"\bclaimed\s+(?:responsibility\s+for\s+)?(?:the\s+)?(?:attacks|bombings|blasts|assaults)\s+"
    r"(?:on\s+(?:[\w'’-]+\s+){1,4}?)?in\s+[^.;]*\band\b",
    re.I,
)


def _claimed_in_places(s: Sentence) -> int:
    """How many places a claim of attacks "in X and Y" lists (0 for any other sentence)."""
    hit = _CLAIMED_ATTACKS_IN.search(s.text)
    if hit is None:
        return 0
    return sum(
        1
        for m in s.places
        if m.start >= s.start + hit.start()
        and m.place is not None
        and m.place.kind in ("town", "district")
    )


def _warned_after_claim(s: Sentence) -> tuple[str, int, int] | None:
    """A threat trigger the sentence tells after its claim, itself an event."""
    if s.claim is None:
        return None
    return next(
        (
            (c, a, b)
            for c, a, b, anaphoric in s.all_triggers
            if c == "threat" and not anaphoric and a > s.claim[1]
        ),
        None,
    )


def _first_of_its_kind(cls: str, groups: list[EventGroup]) -> bool:
    """No event of ``cls``'s family was told before: a definite noun then names one (the
    first violent event, the first protest)."""
    if family(cls) == "violent":
        return _latest_violent(groups) is None
    return not any(g.family == family(cls) for g in groups)


def _forces_blocked(s: Sentence, trig: tuple[str, int, int]) -> bool:
    """The forces blocked a road ("police ... blocked the Coastal Highway at Uthal, stopping
    the marchers"): their act against a protest, not the protest."""
    return (
        trig[0] == "protest"
        and s.text[trig[1] - s.start : trig[2] - s.start].lower().startswith("blocked")
        and any(is_state_force(a) and a.start < trig[1] for a in s.actors)
    )


#: what was said in talks told before: "the Pakistani side briefed the Chinese delegation"
BRIEFED = re.compile(r"\b(?:briefed|informed|apprised)\b", re.I)


#: an outcome of talks that stands as an event of its own beside the meeting that reached it
_OUTCOME = re.compile(
    r"sign|agreement|accord|memorandum|MoU|(?:cease-?\s?fire|truce)|approv|consensus|pledg|"
    # a body or a step decided ("agreed to set up a joint task force"), not a wish ("agreed
    # to further strengthen cooperation")
    r"agree(?:d|s)? (?:on|upon|to) (?:[\w-]+ )?(?:set(?:ting)? up|establish|form|create|launch|"
    r"extend|deploy|constitute|hold)",
    re.I,
)


def split_outcomes(groups: list[EventGroup]) -> list[EventGroup]:
    """A meeting that reached an agreement is two events: the meeting, and the agreement
    ("the apex committee met ... and approved the operation"; "talks ... announced a
    ceasefire")."""
    out: list[EventGroup] = []
    for g in groups:
        out.append(g)
        if g.family != "talks":
            continue
        trigs = [t for s in g.sentences for t in s.all_triggers]
        meet = next((t for t in trigs if t[0] == "meeting"), None)
        agree = next(
            (t for t in trigs if t[0] == "agreement" and _OUTCOME.search(trigger_words(g, t, 30))),
            None,
        )
        if meet is None or agree is None:
            continue
        g.cls, g.trigger = "meeting", meet[:3]
        out.append(
            EventGroup(
                "agreement",
                agree[:3],
                list(g.sentences),
                g.inherited_date,
                g.recalled,
                outcome=True,
            )
        )
    return out


def trigger_words(
    g: EventGroup, t: tuple[str, int, int] | tuple[str, int, int, bool], after: int = 0
) -> str:
    """The words of trigger ``t`` in its sentence of ``g`` (and ``after`` characters more:
    "agreed to extend a ceasefire")."""
    for s in g.sentences:
        if s.start <= t[1] < s.end:
            return s.text[t[1] - s.start : t[2] - s.start + after]
    return ""


#: a live blog's time stamp before an entry: "5:40pm — ", "09.15 - "
_STAMP = r"\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4}\s*)?[—–-]+\s*"
#: the sentence opens another incident: "Separately, ...", "In another attack, ..."
_DISTINCT = re.compile(
    r"^(?:"
    + _STAMP
    + r")?(?:(?:days|weeks|months|a few days) later\b|(?:[\w'’-]+\s+){0,3}?(?:separately|in (?:an?other|the other|a separate|a similar|a second|the second|a third|the third|a fourth|the fourth|an earlier|a previous)\b|elsewhere|also (?:on|early on|late on|earlier on) (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|meanwhile,?\s+(?:in\b|(?:unidentified\s+|armed\s+|masked\s+)?(?:gunmen|militants|terrorists|attackers|assailants|insurgents)\b|an?\s+(?:[\w-]+\s+)?(?:bomb|bomber|blast|explosion|IED|grenade)\b)|on the other hand))|\b(?:another|second|separate|similar|earlier|previous|fresh|latest|new)\s+(?:[\w-]+\s+){0,2}?(?:attacks?|incidents?|blasts?|explosions?|bombings?|ambush(?:es)?|assaults?|raids?|clash(?:es)?|encounters?|operations?)\b|\b(?:a|the) second (?:suicide )?bomber\b",
    re.I,
)


#: several other incidents told at once: "eight terrorists were killed during two separate
#: operations in KP"
_SEPARATE_ONES = re.compile(
    r"\b(?:two|three|four|five|several|multiple)\s+(?:separate|different|other)\s+"
    r"(?:operations|attacks|incidents|raids|clashes|encounters|blasts)\b",
    re.I,
)


#: a violent sentence that tells another incident than the one before it
_ANOTHER = re.compile(
    r"\b(?:another|the other|an earlier|a previous|a similar|a separate|a third|a fourth|the third|the fourth)\s+(?:[\w-]+\s+){0,2}?(?:attack|incident|blast|explosion|bombing|ambush|assault|raid|clash|encounter|operation)\b",
    re.I,
)
_ANOTHER = at_word_starts(_ANOTHER)


#: a sentence that opens another incident of any kind: "Separately, ...", "In another case"
_OPENS_ANOTHER = re.compile(
    # (after a short opening: "On the same day, in another intelligence based operation")
    r"(?:"
    + _STAMP
    + r")?(?:(?:on )?(?:the same|that) (?:day|night|evening),\s+|(?:on|late on|early on) (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+)?(?:separately|(?:days|weeks|months|a few days|two days|three days) later\b|in (?:an?other|the other|a separate|(?:a|the) (?:second|third|fourth)) (?:[\w-]+ ){0,3}?(?:incident|development|case|attack|operation|raid|action)|elsewhere|meanwhile|also (?:on|early on|late on|earlier on|on the same day)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b",
    re.I,
)


def _lists(g: EventGroup) -> bool:
    """The group's trigger heads a list of places (:mod:`enumerations`)."""
    return g.family == "violent" and bool(g.items())


#: a paragraph that opens by naming an event told before: "In last month's attack, ..."
_IN_THE_ATTACK = re.compile(
    r"In (?:the|that|last (?:week|month|year)['’]s|(?:Monday|Tuesday|Wednesday|Thursday|"
    r"Friday|Saturday|Sunday)['’]s) (?:[\w-]+ )?(?:attack|bombing|blast|explosion|assault|"
    r"ambush)\b"
)


def _recent_toll_retold(h: EventGroup, g: EventGroup) -> bool:
    """A recent event the lead recalls in passing ("hours after militants killed four
    policemen at a checkpoint"), told again in the body with the same toll and no date of its
    own that the recall lacks."""
    if h.date() is not None:
        return False
    toll = _victims_killed(h)
    return toll is not None and toll == _victims_killed(g)


def _recalled_retold(
    g: EventGroup, out: list[EventGroup], published: date | None
) -> EventGroup | None:
    """The recalled event a paragraph tells again when it opens by naming it: "In last
    month's attack, a woman blew herself up ..." after "last month's suicide bombing at
    Karachi University that killed three Chinese teachers"."""
    if g.family != "violent" or not _IN_THE_ATTACK.match(g.sentences[0].text):
        return None
    return next(
        (
            h
            for h in reversed(out)
            if h.family == "violent" and h.recalled and _same(h, g, published)
        ),
        None,
    )


#: a violent trigger named with a determiner: "the attack", "the blast", "the incident"
_THE_NOUN = re.compile(
    r"\b(?:the|this|that)\s+(?:[\w-]+\s+){0,3}?(?:attack|blast|bombing|explosion|assault|"
    r"incident)$",
    re.I,
)


def _only_named(g: EventGroup) -> bool:
    """Every violent trigger of ``g`` is a noun named with a determiner ("after the October 6
    bombing, which was claimed by the BLA"): the event is named, not told."""
    for s in g.sentences:
        violent = [t for t in s.all_triggers if family(t[0]) == "violent"]
        # (a trigger that modifies the next, "the grenade attack", is named by that one)
        ends = [t[2] - s.start for t in violent if not any(0 <= u[1] - t[2] <= 1 for u in violent)]
        if not ends or not all(_THE_NOUN.search(s.text, 0, end) for end in ends):
            return False
    return True


def _placed(sentences: list[Sentence]) -> bool:
    """The sentences name a place finer than a country ("planned in Afghanistan" names none
    of the event's own)."""
    return any(m.place is None or m.place.kind != "country" for s in sentences for m in s.places)


def _bare_reference(g: EventGroup) -> bool:
    """Every sentence of ``g`` only names an event by a determiner and its noun ("the attack
    had been planned"), with no day, no place and no toll of its own: it refers back (a
    country is no place of its own: "the attack was planned in Afghanistan")."""
    if g.recalled or g.date() is not None or any(s.counts for s in g.sentences):
        return False
    if _placed(g.sentences):
        return False
    return _only_named(g)


def _all_refer(s: Sentence) -> bool:
    """The sentence names its violent events without telling one ("arrests suspects in Dasu
    bus attack probe"): each of its violent triggers refers."""
    violent = [t for t in s.all_triggers if family(t[0]) == "violent"]
    return bool(violent) and all(t[3] for t in violent)


#: trigger classes of one kind of deed: a bombing named again as a suicide bombing
_EXPLOSIVE = frozenset({"suicide", "ied", "grenade"})


def _kin(a: str, b: str) -> bool:
    """The two trigger classes may name one deed."""
    return a == b or (a in _EXPLOSIVE and b in _EXPLOSIVE)


def _day_inside(h: EventGroup, g: EventGroup) -> bool:
    """``h`` is told to a day inside the week or month ``g`` is told to."""
    dh, dg = h.date(), g.date()
    return (
        dh is not None
        and dg is not None
        and dh[0].precision == "day"
        and dg[0].precision in ("week", "month")
        and within(dg[0], dh[0])
    )


def _day_of(g: EventGroup) -> date | None:
    """The day an event is told on, when it is told to the day."""
    found = g.date()
    return found[0].value if found is not None and found[0].precision == "day" else None


def merge_retellings(groups: list[EventGroup], published: date | None = None) -> list[EventGroup]:
    """One candidate for one event retold: a violent event whose dates and towns agree with an
    earlier one (and whose sentence does not open another incident: "Separately, ...",
    "another attack") joins it, so a report that tells its attack in the lead, again in the
    body ("the incident took place when a suicide bomber ...") gives one candidate."""
    if len(groups) < 2:
        return groups
    out: list[EventGroup] = []
    for g in groups:
        host = None
        if out and _lists(g):
            # a list of places is several events, none a retelling; a deck's bullet that told
            # one of them ("two soldiers martyred in Kolachi operation") is that item's
            towns = {
                it.mention.place.city or it.mention.place.name
                for it in g.items()
                if it.mention.place is not None
            }
            out = [
                h
                for h in out
                if not (
                    h.sentences[0].joined
                    and _headline_only(h)
                    and h.family == g.family
                    and (told := _towns(h.sentences)[0])
                    and told <= towns
                )
            ]
            out.append(g)
            continue
        retold = _recalled_retold(g, out, published) or _nth_told(g, out, published)
        if retold is not None:
            host = retold
        elif g.family == "violent" and not g.recalled:
            # "Meanwhile, in Bannu, ..." opens another incident, but may be the one a
            # headline or its deck told
            # "Meanwhile, four FC personnel were injured ...", not "Meanwhile, an officer said
            # the emir was also killed in the blast" (the blast told before)
            first = g.sentences[0]
            # ("Meanwhile, the BLF has claimed responsibility for an attack on ...": the
            # "responsibility" it names is for the attack it brings in)
            distinct = bool(_DISTINCT.search(first.text)) or bool(
                _OPENS_ANOTHER.match(first.text)
                and (not first.backref or _CLAIMED_A_NEW.search(first.text))
            )
            # (a second incident the lead's sentence goes on to is never the first retold)
            host = (
                None
                if first.second or first.joined
                else next(
                    (
                        h
                        for h in reversed(out)
                        if h.family == "violent"
                        and (not h.recalled or _recent_toll_retold(h, g))
                        and not _lists(h)
                        and not _responds(h, first, g.lead_cls)
                        and (_joined_story(h, g) or not h.sentences[0].joined)
                        and (
                            # "In yet another attack on the army, ...": the headline's retold
                            _headline_retold(h, g)
                            or (
                                (
                                    not distinct
                                    or (
                                        _headline_only(h)
                                        and not h.overview
                                        and (_shares_place(h, g) or _joined_story(h, g))
                                    )
                                )
                                and _same(h, g, published)
                            )
                        )
                    ),
                    None,
                )
            )
        elif (
            g.family == "violent"
            and g.recalled
            and g.inherited_date is None
            # (no date of its own: "a day after" counts back from the reaction; "the March
            # 14 ambush near Kahan" is another event at the same place)
            and not any(d.text for x in g.sentences for d in _own_dates(x))
        ):
            # "Beijing demands punishment after Chinese national shot dead in Hub" and "...
            # asked Pakistan to punish the culprit, a day after a Chinese national was shot
            # dead in Hub": the headline's event, recalled by the reaction the lead tells
            host = next(
                (
                    h
                    for h in out
                    if h.family == "violent"
                    and not h.recalled
                    and all(x.headline for x in h.sentences[:1])
                    and h.date() is None
                    and _shares_place(h, g)
                    and _same(h, g, published)
                ),
                None,
            )
        if host is None and retold is None:
            host = _told_again(g, out, published)
        if host is not None and host.recalled and _told_by_name(host, g):
            # the name recalled adds nothing to the telling: the telling is the event
            out.remove(host)
            host = None
        if host is None:
            out.append(g)
            continue
        host.sentences = sorted([*host.sentences, *g.sentences], key=lambda s: s.start)
        for s in g.sentences:
            _upgrade(host, s)
    return out


def _told_again(g: EventGroup, out: list[EventGroup], published: date | None) -> EventGroup | None:
    """The earlier event that ``g`` tells again, by what only the whole report shows: the
    first of :func:`_retelling_rules` that ``g`` and an earlier event meet (latest first)."""
    for applies, matches, latest_first in _retelling_rules(g, published):
        if applies:
            hs = reversed(out) if latest_first else iter(out)
            host = next((h for h in hs if matches(h)), None)
            if host is not None:
                if g.family != "violent" and host.inherited_date is None:
                    host.inherited_date = g.inherited_date  # "Hours later, ...": the body's day
                return host
    return None


#: a proper name right before an event's noun: "the Jaffar Express hijack", "the Army
#: Public School massacre"
_NAME_BEFORE = re.compile(r"(?:(?-i:[A-Z])[\w'’-]+\s+){1,4}$")
#: ... or after it: "the hijack of the Jaffar Express"
_NAME_AFTER = re.compile(r"\s+(?:of|on)\s+(?:the\s+)?(?P<name>(?:[A-Z][\w'’-]+\s*){1,4})")


def _told_by_name(h: EventGroup, g: EventGroup) -> bool:
    """``h`` is only a name (no date, no place, no toll: "the Jaffar Express hijack") and
    ``g`` tells that named event."""
    if h.date() is not None or len(h.sentences) != 1:
        return False
    s = h.sentences[0]
    if s.counts or _placed([s]):
        return False
    t0, t1 = h.trigger[1] - s.start, h.trigger[2] - s.start
    m = _NAME_BEFORE.search(s.text, 0, max(0, t0)) or _NAME_AFTER.match(s.text, t1)
    if m is None or (m.start() == 0 and s.text[:1].isupper() and len(m.group(0).split()) == 1):
        return False  # (a sentence's first word is capitalised whatever it is)
    name = (m.group("name") if m.re is _NAME_AFTER else m.group(0)).strip()
    if name.split()[0].lower() in ("the", "a", "an", "this", "that"):
        return False
    return any(name in x.text for x in g.sentences)


def _retelling_rules(
    g: EventGroup, published: date | None
) -> list[tuple[bool, Callable[[EventGroup], bool], bool]]:
    """(does the rule apply to ``g``, does an earlier event ``h`` match, latest first)."""
    violent = g.family == "violent"
    day = _day_of(g)
    dated = any(d.text for x in g.sentences for d in _own_dates(x))
    return [
        (
            # "Days after the Jaffar Express hijack shook Pakistan, ..." and later "On March
            # 11, militants blew up the track ... and attacked the Jaffar Express": the event
            # the recalled name stood for, told in full
            violent,
            lambda h: h.family == "violent" and h.recalled and _told_by_name(h, g),
            True,
        ),
        (
            # "two days after an attack on a mine killed four guards ... The raid took place
            # in Chagai, where gunmen on Sunday stormed the mine": the recalled attack retold
            # on its own day
            violent and g.sentences[0].second and day is not None,
            lambda h: (
                h.family == "violent"
                and h.recalled
                and _day_of(h) == day
                and _same(h, g, published)
            ),
            True,
        ),
        (
            # "An official said the attack had been planned across the border" after the
            # Besham bombing was recalled: that bombing, though recalled
            violent and _bare_reference(g),
            lambda h: h.family == "violent",
            True,
        ),
        (
            # "weeks after a suicide bombing killed two Chinese engineers near Karachi
            # airport" and later "after the October 6 bombing, which was claimed by the
            # BLA": the recalled bombing named again by its day
            violent and dated and (g.recalled or _only_named(g)),
            lambda h: (
                h.family == "violent"
                and h.recalled
                and _kin(h.cls, g.cls)
                and not any(d.text for x in h.sentences for d in _own_dates(x))
                and not _other_towns(_placing(h.sentences), _placing(g.sentences))
            ),
            True,
        ),
        (
            # "recovered an engineer who was kidnapped from a site in Thatta last week" and
            # "The engineer ... was abducted on May 2": one abduction, its day inside the week
            violent and g.recalled,
            lambda h: (
                h.family == "violent"
                and not h.recalled
                and h.cls == g.cls
                and _day_inside(h, g)
                and not any(_towns(h.sentences)[:2])
                and _same(h, g, published)
            ),
            False,
        ),
        (
            # "Pakistan arrests suspects in Dasu bus attack probe" and "... in connection with
            # the July 14 bus blast near the Dasu project": the attack the headline named,
            # told to its day by the lead
            violent and g.recalled,
            lambda h: (
                h.family == "violent"
                and not h.recalled
                and _headline(h)
                and _all_refer(h.sentences[0])
                and h.date() is None
                and _shares_place(h, g)
            ),
            False,
        ),
        (
            # "Gunmen kill 4 in northwest; protesters block highway" and "Hours later,
            # residents blocked a highway ...": the headline's second story, told in the body
            g.family in ("protest", "arrest", "threat", "legal") and not _headline(g),
            lambda h: (
                h.family == g.family
                and h.sentences[0].joined
                and _headline_only(h)
                and _same(h, g, published)
            ),
            True,
        ),
    ]


def _headline_retold(h: EventGroup, g: EventGroup) -> bool:
    """A headline names the town an event is known by ("Turbat IED blast"), the body the area
    where it happened ("near the Hoshab area of Kech district"): one event when the headline
    gives no day of its own, both are violent, share a district (or the headline names only
    the province, and it is the body's) and tell one toll."""
    if not _headline(h) or h.overview or h.family != g.family:
        return False  # (the kind is decided on the whole: "ambush" above, "an IED" below)
    day = h.date()
    if day is not None and not day[0].reporting:
        return False
    th, dh, _vh, ph = _towns(h.sentences)
    _tg, dg, _vg, pg = _towns(g.sentences)
    # (a headline that names only the province: "10 soldiers killed in Balochistan")
    if not (dh & dg or (not th and not dh and ph and ph <= pg)):
        return False
    toll = _victims_killed(h)
    return toll is not None and toll == _victims_killed(g)


def _victims_killed(g: EventGroup) -> int | None:
    """The largest count of victims killed the event's sentences tell, if any."""
    counts = [
        c.n
        for s in g.sentences
        for c in s.counts
        if c.what == "kill" and not c.attackers and c.reject is None
    ]
    return max(counts) if counts else None


def _provinces_named(s: Sentence) -> set[str]:
    return {m.place.province for m in s.places if m.place and m.place.province}


def _another_story(s: Sentence, sentences: list[Sentence]) -> bool:
    """A headline's part after a semicolon or a bar tells another story when it names places
    in other provinces than the part before ("... in Zhob; grenade blast rocks PoK"), not when
    it goes on with the same one ("... in Khuzdar; three children, two teachers killed")."""
    before = next((x for x in reversed(sentences) if x.end <= s.start and x.headline), None)
    if before is None:
        return False
    mine = _provinces_named(s)
    theirs = _provinces_named(before)
    if mine and theirs and not mine & theirs:
        return True
    # a deck's bullet about another town ("• Militants storm D.I. Khan compound", "• two
    # soldiers martyred in Kolachi operation")
    if s.text[:1] not in BULLETS:
        return False
    mine, theirs = _place_names(s), _place_names(before)
    return bool(mine and theirs and not mine & theirs)


def _place_names(s: Sentence) -> set[str]:
    """The towns (and districts) a sentence names, cued or not ("storm D.I. Khan compound")."""
    out: set[str] = set()
    for m in s.places:
        p = m.place
        if p is not None and p.kind in ("town", "landmark", "district") and p.country == "PK":
            out.add(p.city or p.name)
    return out


def _joined_story(h: EventGroup, g: EventGroup) -> bool:
    """A headline's second story ("...; grenade blast rocks PoK") told in the body: the same
    kind of trigger, and no town or province of its own that the body's telling lacks."""
    if not h.sentences[0].joined or h.lead_cls != g.lead_cls:
        return False
    th, _dh, _vh, ph = _towns(h.sentences)
    tg, _dg, _vg, pg = _towns(g.sentences)
    return th <= tg and ph <= pg


def _shares_place(h: EventGroup, g: EventGroup) -> bool:
    """The two name a town or district in common (a live blog's headline that names no
    place is not the "Separately, in Khuzdar" entry's)."""
    th, dh, _vh, _ph = _towns(h.sentences)
    tg, dg, _vg, _pg = _towns(g.sentences)
    return bool(th & tg or dh & dg)


def _told_before(
    g: EventGroup, groups: list[EventGroup], published: date | None, recalled: bool = False
) -> EventGroup | None:
    """The event before ``g`` that told it already as its own (``_same``), if any; with
    ``recalled``, an event recalled before counts too ("the Besham attack of March 26, in
    which ..." and later "the suspects involved in the Besham attack")."""
    return next(
        (
            h
            for h in groups
            if h.family == g.family
            and (_same(h, g, published) if not h.recalled else recalled and _named_again(h, g))
        ),
        None,
    )


def _named_again(h: EventGroup, g: EventGroup) -> bool:
    """``g``, undated, names no place that the recalled ``h`` does not ("the Besham attack")."""
    dg = g.date()
    if dg is not None and not dg[0].reporting:
        return False
    names_g = {m.place.name for s in g.sentences for m in s.places if m.place is not None}
    names_h = {m.place.name for s in h.sentences for m in s.places if m.place is not None}
    return bool(names_g) and names_g <= names_h


def _same(h: EventGroup, g: EventGroup, published: date | None) -> bool:
    """Nothing tells the two events apart: no two different own dates, no past date beside
    an undated (so recent) event, no two disjoint sets of towns."""
    dh, dg = h.date(), g.date()
    own_h = dh[0] if dh is not None and not dh[0].reporting else None
    own_g = dg[0] if dg is not None and not dg[0].reporting else None
    if own_h is not None and own_g is not None:
        if (own_h.value, own_h.precision) != (own_g.value, own_g.precision) and not (
            (_narrows(own_h, own_g) and _may_be_earlier(own_h, own_g, published))
            or (_narrows(own_g, own_h) and _may_be_earlier(own_g, own_h, published))
            or _overnight(own_h, own_g, h, g)
        ):
            return False
    elif published is None and _weekday_beside_year(h, g, own_h, own_g):
        return False
    elif (
        published is None
        and own_h is None
        and own_g is not None
        and own_g.precision == "year"
        and _past(g.sentences[0].text)
    ):
        return False  # "In 2019, militants had overrun the same post": another, years before
    elif not _headline(h) and (_past(g.sentences[0].text) or _past(h.sentences[0].text)):
        return False  # "a mosque bombing killed 100 earlier this year", "had killed"
    elif own_h is None and own_g is None and _PAST_TIME.search(g.sentences[0].text):
        # no publication date to set them against: "Last year, nine Chinese were among 13
        # killed when a bus was bombed" is not the headline's attack told again
        return False
    elif published is not None and (own_h or own_g) is not None:
        d = own_h or own_g
        if d is not None and d.value is not None and _long_before(d, published):
            return False  # "a blast had killed 13 in 2021" beside today's undated attack
    return not _other_towns(_placing(h.sentences), _placing(g.sentences))


def _placing(sentences: list[Sentence]) -> list[Sentence]:
    """The sentences whose places tell where the event was: not a claim of several attacks
    that names each one's place ("claimed the attacks in Musakhel, Kalat and Kolpur, and
    the assault on the Bela camp")."""
    kept = [s for s in sentences if not (s.claim and len(_towns([s])[1]) >= 2)]
    return kept or sentences


#: a coarse date told as before the story's day: "earlier this month" holds no later day
_EARLIER = re.compile(r"(?:earlier|last|previous|the previous)\b", re.I)
#: a happening at night, told under the evening's date and the next morning's
_NIGHT = re.compile(
    r"\b(?:overnight|midnight|(?:late|last)\s+(?:on\s+)?\w+day|\w+day\s+night|night|early hours)\b",
    re.I,
)


_WEEKDAY_IN = re.compile("|".join(WEEKDAYS), re.I)


def _overnight(a: DateMention, b: DateMention, h: EventGroup, g: EventGroup) -> bool:
    """Two days in a row, one side telling of the night between them: "struck late Monday",
    "reeling on Tuesday after an overnight assault"."""
    if a.precision != "day" or b.precision != "day" or not a.value or not b.value:
        return False
    if abs((a.value - b.value).days) != 1:
        return False
    eve = min(a.value, b.value).strftime("%A").lower()
    for s in (*h.sentences, *g.sentences):
        for m in _NIGHT.finditer(s.text):
            day = _WEEKDAY_IN.search(m.group(0))
            # ("Tuesday night" beside Monday: the night after the later day, not between)
            if day is None or day.group(0).lower() == eve:
                return True
    return False


def _upgrade(g: EventGroup, s: Sentence) -> None:
    """A more specific trigger of the event's family in a joining sentence decides its kind
    ("gunmen attacked ... a suicide bomber then blew himself up"); talks become a meeting."""
    for cls, ts, te, ana in s.all_triggers:
        if ana and s.text[te - s.start - 1 : te - s.start] == "s":
            continue  # "several suicide bombings this year": generic, not this event's kind
        if cls == "abduction" and "missing" in s.text[ts - s.start : te - s.start].lower():
            continue  # "a constable who had gone missing during the attack": no kidnapping
        if family(cls) == g.family and TRIGGERS[cls][3] > TRIGGERS[g.cls][3] and cls != "clash":
            if g.family == "talks" and cls != "meeting":
                continue
            g.cls, g.trigger = cls, (cls, ts, te)
    if g.family == "talks":
        for cls, ts, te, _ana in s.all_triggers:
            if cls == "meeting" and g.cls != "meeting":
                g.cls, g.trigger = cls, (cls, ts, te)


def _towns(sentences: list[Sentence]) -> tuple[set[str], set[str], bool, set[str]]:
    """The towns the sentences cue as where something happened, their districts (a town
    without one stands for its own; without any town, the districts cued), whether all of
    them are villages named beside a known place, and the Pakistani provinces of every place
    cued (districts too)."""
    towns: set[str] = set()
    districts: set[str] = set()
    provinces: set[str] = set()
    named: set[str] = set()  # districts cued where no town is: "shot dead in Bajaur"
    villages_only = True
    for s in sentences:
        # (a district named beside a journey may be its destination's: "to their camp in
        # Dasu, the headquarters of Upper Kohistan district")
        travel = any(m.role == "travel" for m in s.places)
        for m in s.places:
            p = m.place
            if not (
                m.cued
                and not m.excluded
                and m.role in ("", "admin")  # not where someone spoke, came from or travelled
                and p
            ):
                continue
            if p.country == "PK" and p.province and p.kind != "country":
                provinces.add(p.province)
            if p.kind in ("town", "landmark"):
                towns.add(p.city or p.name)
                districts.add(p.district or p.city or p.name)
                villages_only = villages_only and p.minor
            elif p.kind == "district" and p.country == "PK" and not travel:
                named.add(p.district or p.name)
    return towns, districts or named, villages_only, provinces


def _districts_named(sentences: list[Sentence]) -> set[str]:
    """The Pakistani districts the sentences name as such ("in Kashmore district")."""
    return {
        m.place.district or m.place.name
        for s in sentences
        for m in s.places
        if m.place and m.place.kind == "district" and m.place.country == "PK" and not m.excluded
    }


def _other_towns(a: list[Sentence], b: list[Sentence]) -> bool:
    """Both tell of places, and they are other places: other towns (not one shared, nor a
    village named in the district of the other's town: "the Sambaza area of Zhob district"
    and "Zhob"), or places in other provinces ("Mastung district" and "Hangu district of
    Khyber Pakhtunkhwa")."""
    ta, da, va, pa = _towns(a)
    tb, db, vb, pb = _towns(b)
    if pa and pb and not pa & pb:
        return True
    if _headline_names_district(a, db | _districts_named(b)) or _headline_names_district(
        b, da | _districts_named(a)
    ):
        # a headline names by its town the district the body names ("in Kashmore"; "near
        # Kandhkot in Kashmore district")
        return False
    if (not ta or not tb) and da and db:
        # only districts on one side: "in Dera Ismail Khan" and "in Bajaur", "in North
        # Waziristan" and "in Bajaur" are other places, "in Wana" and "in South Waziristan"
        # may be one; so may "Kachhi firing" and "near Bhag in Kachhi district" (a town the
        # gazetteer knows no district of, named in the district the text names)
        return not (da | _districts_named(a)) & (db | _districts_named(b))
    if not ta or not tb or ta & tb:
        return False
    return not ((va or vb) and da & db)


def _headline_names_district(a: list[Sentence], districts: set[str]) -> bool:
    """The towns ``a`` names are all in its headline, and are districts the other names ("in
    Kalat" over "a checkpost at Mangochar in Kalat"): a headline names a district by its
    town."""
    heads = [s for s in a if s.headline]
    if not heads or _towns([s for s in a if not s.headline])[0]:
        return False
    towns = _towns(heads)[0]
    return bool(towns) and towns <= districts


#: a past event told as background, whether or not its date can be resolved
#: a time before the report's, in words: "last year", "two years ago", "in 2021"
_PAST_TIME_WORDS = r"last (?:year|month)|(?:years?|months?) ago|(?:in|since) (?:19|20)\d\d"
_PAST_TIME = re.compile(r"\b(?:" + _PAST_TIME_WORDS + r")\b", re.I)
_PAST = re.compile(
    r"\b(?:had\s+(?:been\s+)?(?:killed|claimed|left|carried|attacked|targeted|injured|wounded|martyred)|earlier this (?:year|month)|"
    + _PAST_TIME_WORDS
    + r"|in the past|previous(?:ly)?|the (?:last|previous) (?:attack|time))\b",
    re.I,
)
_PAST = at_word_starts(_PAST)
#: "officials said (it) had killed 61": the pluperfect of reported speech tells the news, not
#: a past event
_REPORTED = re.compile(
    r"\b(?:said|says|told|reported|claimed|added|confirmed)(?:\s+(?:that|it|they|the\s+\w+))?\s+$",
    re.I,
)


#: "In the second incident, ...": the incident of that rank the report has already named
_NTH_INCIDENT = re.compile(
    r"^(?:in|during)\s+the\s+(second|third|fourth)\s+(?:incident|attack|case|killing)\b", re.I
)
_ORDINALS = {"second": 2, "third": 3, "fourth": 4}


def _nth_told(g: EventGroup, out: list[EventGroup], published: date | None) -> EventGroup | None:
    """The event a definite ordinal names ("In the second incident, Constable X was shot
    dead ..."), when the report named that many incidents before (a lead that told two)."""
    m = _NTH_INCIDENT.match(g.sentences[0].text)
    if m is None or g.family != "violent":
        return None
    told = [h for h in out if h.family == "violent" and not h.recalled and not h.overview]
    n = _ORDINALS[m.group(1).lower()]
    if len(told) < n or not _same(told[n - 1], g, published):
        return None
    return told[n - 1]


def _headline_only(g: EventGroup) -> bool:
    """The event was started by the headline and the body has not told it yet: a
    "Meanwhile, in Bannu, ..." may still be its telling (once told, it is another incident)."""
    return all(s.headline for s in g.sentences)


def _headline(g: EventGroup) -> bool:
    """The event was started by the headline: the body tells it again, in any tense."""
    return g.sentences[0].headline


def _past(text: str) -> bool:
    """The text tells a past event (:data:`_PAST`), not a report's own backshifted news."""
    for m in _PAST.finditer(text):
        if m.group(0)[:3].lower() != "had" or not _REPORTED.search(
            text, max(0, m.start() - 40), m.start()
        ):
            return True
    return False


#: an undated event in a report is recent; a dated one this long before publication is not it
_RECENT = 21


def _long_before(d: DateMention, published: date) -> bool:
    """The date ends more than :data:`_RECENT` days before publication."""
    if d.value is None:
        return False
    if d.precision == "year":
        return (
            d.value.year < published.year
            and (published - date(d.value.year, 12, 31)).days > _RECENT
        )
    if d.precision == "month":
        nxt = date(d.value.year + d.value.month // 12, d.value.month % 12 + 1, 1)
        return (published - nxt).days > _RECENT
    return (published - d.value).days > _RECENT + (6 if d.precision == "week" else 0)


def _may_be_earlier(coarse: DateMention, day: DateMention, published: date | None) -> bool:
    """A coarse date may hold the day: "earlier this month" holds no day of the story itself,
    but may hold one told days before publication ("the May 11 hotel attack" retold as "the
    Gwadar hotel attack earlier this month" in a report of May 24)."""
    if not _EARLIER.match(coarse.text):
        return True
    return bool(
        published is not None and day.value is not None and (published - day.value).days >= 3
    )


def _narrows(prev: DateMention, own: DateMention) -> bool:
    """``own`` is a day within ``prev``'s week, month or year: the same event, dated more
    exactly."""
    return own.precision == "day" and within(prev, own)


def _victim_count(s: Sentence) -> Count | None:
    """The sentence's first figure of people killed or hurt (not attackers, not rejected)."""
    for c in s.counts:
        if c.what in ("kill", "injure") and not c.attackers and not c.reject and c.n > 0:
            return c
    return None


def _earlier(s: Sentence, g: EventGroup) -> bool:
    """The sentence's own date lies before the event ``g``'s."""
    own = next((d for d in s.dates if not d.reporting and d.value), None)
    theirs = g.date()
    return bool(own and own.value and theirs and theirs[0].value and own.value < theirs[0].value)


def _dated_apart(
    prev: tuple[DateMention, float] | None, s: Sentence, published: date | None = None
) -> bool:
    """The sentence's own date is not the event's (``prev``, :meth:`EventGroup.date`): it
    differs (not just a day within the event's month or year), or it lies long before
    publication beside an undated (so recent) event."""
    own = _own_dates(s)
    if not own:
        return False
    if (
        prev is not None
        and (own[0].value, own[0].precision) != (prev[0].value, prev[0].precision)
        and not _narrows(prev[0], own[0])
    ):
        return True
    undated = prev is None or prev[0].reporting
    return undated and published is not None and _long_before(own[0], published)


_WEEKDAY = re.compile(r"\b(?:on|late|early|last)\s+(?:on\s+)?(" + WEEKDAY_NAMES + r")\b")


def _weekday_beside_year(
    h: EventGroup, g: EventGroup, own_h: DateMention | None, own_g: DateMention | None
) -> bool:
    """With no publication date, one event is told by its weekday ("late on Monday night")
    and the other by a date with its year ("On December 12, 2023, six attackers stormed"):
    two happenings, the second a past one recalled."""
    return any(
        d is not None
        and d.precision == "day"
        and with_year(d)
        and any(_weekdays(s.text) for s in undated.sentences)
        and not any(_weekdays(s.text) for s in dated.sentences)
        for undated, dated, d in ((h, g, own_g), (g, h, own_h))
    )


def _weekdays(text: str) -> set[str]:
    return set(_WEEKDAY.findall(text))


#: an operation launched in answer: another action, on whatever day
_LAUNCHED = re.compile(r"launched (?:an? |the )?(?:rescue|clearance|retaliatory|military) ", re.I)
#: the forces arriving to answer an attack: "a quick reaction force reached the area"
_RESPONSE = re.compile(
    r"\b(?:quick reaction force|QRF|reinforcements|(?:reached|arrived (?:at|in)|rushed to|were "
    r"dispatched to|moved (?:in|into)) (?:the )?(?:area|scene|spot|site)|responded|"
    r"follow-up (?:action|operation|raid)|in (?:a |the )?(?:retaliation|response)|"
    r"(?:hunt|search) for the (?:attackers|assailants|culprits|perpetrators|militants)|"
    r"combed|scoured|swept through|hunted down|launched (?:an? |the )?(?:[\w-]+ )?operation)\b",
    re.I,
)


#: a definite noun phrase opening the sentence up to its trigger: "The attack on ..."
_THE_BEFORE = re.compile(r"(?:The|This|That)\s+(?:[\w-]+\s+)?$")


def _named_by_town(s: Sentence, cur: EventGroup, groups: list[EventGroup]) -> EventGroup | None:
    """The earlier event a back-reference names by its town, when that town is none of the
    current event's: "The attack on the Kahan post ..." after a Sui blast was told."""
    mine = _towns([s])[0]
    if not mine or mine & _towns(cur.sentences)[0]:
        return None
    return next(
        (
            h
            for h in reversed(groups)
            if h is not cur and h.family == cur.family and mine & _towns(h.sentences)[0]
        ),
        None,
    )


def _responds(g: EventGroup, s: Sentence, cls: str) -> bool:
    """The sentence tells the forces' answer to the event, on a day of its own: "a quick
    reaction force reached the area in the early hours of Tuesday, triggering an exchange of
    fire" after Monday night's attack is an event of its own (the guide: an attack and the
    operation that answered it are two)."""
    if cls != "clash" or g.lead_cls == "clash":
        return False
    response = _RESPONSE.search(s.text)
    if response is None:
        return False
    if _LAUNCHED.match(response.group(0)):
        return True  # "Forces launched a rescue operation": another action, on any day
    prev = g.date()
    own = [d for d in _own_dates(s) if d.precision == "day" and d.value]
    return (
        prev is not None
        and prev[0].value is not None
        and prev[0].precision == "day"
        and any(d.value != prev[0].value for d in own)
    )


def _differs(g: EventGroup, s: Sentence, published: date | None = None) -> bool:
    """The sentence reports another event of the same family: its own date is apart
    (:func:`_dated_apart`), it tells a past event ("a blast had killed 13 in 2021") beside an
    undated (so recent) one, or its cued towns are all other towns."""
    prev = g.date()
    if _dated_apart(prev, s, published):
        return True
    if published is None and prev is None:
        # no publication date, so no weekday has a date: "on Monday evening" and "on
        # Sunday" are still two days
        mine, theirs = _weekdays(s.text), {w for x in g.sentences for w in _weekdays(x.text)}
        if mine and theirs and not mine & theirs:
            return True
    # (a day and month of an unknown year cannot be set against "last year" either)
    undated = prev is None or prev[0].reporting or yearless(prev[0].value)
    if undated and _past(s.text) and not s.backref:
        return True
    # "the area", "the attack" in the body's first telling refers to no line of the headline
    # and its deck: a deck may tell another story ("TTP claims Bajaur blast")
    deck = not s.headline and all(x.headline for x in g.sentences)
    return (deck or not s.backref) and _other_towns(g.sentences, [s])
