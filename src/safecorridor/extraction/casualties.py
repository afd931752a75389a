# ruff: noqa: E501  (regex lexicons are kept on one line each for readability)
"""Casualties: counts in a sentence (words and digits, ranges, breakdowns, attackers kept
apart; :func:`parse`) and an event's figures from its sentences' counts
(:func:`fill_casualties`)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from safecorridor.extraction.confidence import CONFIDENCE
from safecorridor.extraction.triggers import WordStarts, at_word_starts
from safecorridor.extraction.types import CandidateEvent
from safecorridor.extraction.words import KILLED_ROLES, MONTH_STEMS

NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "dozen": 12,
    "both": 2,
    "his": 1,
    "her": 1,
    "their": 1,
}
QUANT_WORDS = {
    "at",
    "least",
    "as",
    "many",
    "up",
    "to",
    "some",
    "nearly",
    "around",
    "about",
    "over",
    "more",
    "than",
    "almost",
    "approximately",
    "all",
    "the",
    "another",
    "other",
    "additional",
    "further",
    "of",
    "them",
    "whom",
}
ATTACKERS = {
    "attacker",
    "attackers",
    "assailant",
    "assailants",
    "militant",
    "militants",
    "terrorist",
    "terrorists",
    "gunman",
    "gunmen",
    "insurgent",
    "insurgents",
    "bomber",
    "bombers",
    "miscreant",
    "miscreants",
    "fighters",
    "rebel",
    "rebels",
    "khawarij",
    "khwarij",
    "kharijis",
    "fidayeen",
    "fidayee",
    "raiders",
    "hijackers",
    "kidnappers",
    "outlaws",
    "suspects",  # "police killed five suspects in an exchange of fire": the other side
    "dacoits",
    "taliban",  # "20 Taliban killed in Orakzai": the fighters, as a count names them
    "taleban",
}
DEMONYMS = {
    "chinese": "Chinese",
    "japanese": "Japanese",
    "american": "American",
    "americans": "American",
    "british": "British",
    "afghan": "Afghan",
    "afghans": "Afghan",
    "iranian": "Iranian",
    "iranians": "Iranian",
    "russian": "Russian",
    "russians": "Russian",
    "korean": "Korean",
    "sri": "Sri Lankan",
    "german": "German",
    "french": "French",
    "turkish": "Turkish",
    "uzbek": "Uzbek",
    "foreign": None,
    "foreigners": None,
    "foreigner": None,
}
#: the country (ISO code) of each nationality: its citizens are no foreigners at home
HOME_OF = {
    "Chinese": "CN",
    "Japanese": "JP",
    "American": "US",
    "British": "GB",
    "Afghan": "AF",
    "Iranian": "IR",
    "Russian": "RU",
    "Korean": "KR",
    "Sri Lankan": "LK",
    "German": "DE",
    "French": "FR",
    "Turkish": "TR",
    "Uzbek": "UZ",
}
STOP = {
    "and",
    "including",
    "in",
    "on",
    "at",
    "while",
    "when",
    "as",
    "after",
    "before",
    "near",
    "during",
    "who",
    "which",
    "that",
    "with",
    "by",
    "from",
    "outside",
    "inside",
    "among",
    "but",
    "since",
    "were",
    "was",
    "are",
    "is",
    "have",
    "has",
    "had",
    "been",
    "for",
    "of",
    "to",
    "into",
    "across",
    "along",
    "said",
    "according",
    "dead",
    "killed",
    "injured",
    "wounded",
    "martyred",
    "hurt",
    "abducted",
    "kidnapped",
    "died",
    "later",
    "also",
}
PLURAL_VICTIM_SINGULAR = {
    "driver",
    "guard",
    "policeman",
    "soldier",
    "man",
    "woman",
    "child",
    "boy",
    "girl",
    "officer",
    "worker",
    "engineer",
    "national",
    "citizen",
    "passerby",
    "passer-by",
    "bystander",
    "cop",
    "official",
    "employee",
    "professor",
    "teacher",
    "student",
    "sepoy",
    "constable",
    "personnel",
    "cook",
    "watchman",
    "labourer",
    "laborer",
    "colleague",
    "companion",
    "son",
    "brother",
    "father",
    "person",
    "victim",
    "visitor",
    "tourist",
    "chinese",
    "resident",
    "villager",
    "pilgrim",
    "motorcyclist",
}

#: a word, a number with its thousands grouped ("3,500" is one number, not "3" and "500"), or
#: a sign
_TOK = re.compile(r"\d{1,3}(?:,\d{3})+(?![\d,])|[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*|[^\sA-Za-z0-9]")
KILL = r"killed|killing|kills|kill|beheaded|beheading|beheads|behead|massacred|massacring|dead|died|die|martyred|martyring|martyrdom|shahadat|perished|lives|life|slain|shot dead|gunned down|succumbed|bodies|deaths|death|neutrali[sz]ed|eliminated|(?:sent|dispatched) to hell"
#: (a wound told by where it struck is an injury: "was shot in the leg")
INJURE = (
    r"injured|injuring|injuries|wounded|wounding|wounds|hurt|injures|injure|shot in the "
    r"(?:legs?|arms?|chest|head|back|abdomen|stomach|shoulders?|thighs?|foot|feet|hands?|neck)"
    r"(?!\s+and\s+(?:killed|died|succumbed))"
)
ABDUCT = r"abducted|abducting|kidnapped|kidnapping|abducts|kidnaps|taken hostage|held hostage|whisked away|went missing"
_VERB = re.compile(
    rf"\b(?=\w)(?:(?P<kill>{KILL})|(?P<injure>{INJURE})|(?P<abduct>{ABDUCT}))\b", re.I
)
#: :data:`_VERB` tried only at the words such a verb can begin with
_VERB_SCAN = WordStarts(_VERB)
_TOLL = re.compile(
    r"\b(?:death toll|toll|number of (?:[\w-]+ ){0,4}?(?:dead|deaths|killed|martyrs|martyred|fatalities|victims|personnel who (?:embraced martyrdom|were martyred|lost their lives))|casualties)\s+(?:[^\s.;]+\s+){0,25}?(?:rose|rises|rise|climbed|climbs|reached|reaches|jumped|jumps|increased|increases|went up|goes up|gone up|grew|grown|swelled|swells|risen|stood|stands|is|was|has risen|had risen|mounted|mounts|touched|hits)\s+(?:to\s+)?(?:at least\s+)?(?P<n>\d+|[a-z]+)\b|\b(?:taking|raising|bringing|pushing|raised|took|brought|pushed)\s+(?:the\s+)?(?:death\s+)?(?:toll|figure|number|tally)\s+(?:of\s+[\w-]+\s+)?(?:to|at)\s+(?:a total of\s+)?(?P<n2>\d+|[a-z]+)\b",
    re.I,
)
_BREAK = re.compile(
    r"\b(?:including|among them|among whom|of whom|of them|among the dead were|among those killed were)\s+(?:were\s+)?(?:at least\s+)?(?P<n>\d+|[a-z]+)\s+(?P<rest>(?:[A-Za-z-]+\s+){0,2}?)(?P<dem>Chinese|Japanese|Afghans?|Iranians?|Americans?|British|Russians?|Koreans?|foreigners?|foreign)\b",
    re.I,
)
_BREAK2 = re.compile(
    r"\b(?P<n>\d+|[a-z]+)\s+(?:of them|of whom|of the dead|of those killed|of the victims)\s+(?:were\s+)?(?P<dem>Chinese|Japanese|Afghans?|Iranians?|foreigners?|foreign)",
    re.I,
)
#: foreigners named first, then the toll they are part of: "a Chinese national was among three
#: people killed", "two Chinese engineers were among the dead"
_BREAK3 = re.compile(
    r"\b(?P<n>\d+|[a-z]+)\s+(?P<dem>Chinese|Japanese|Afghans?|Iranians?|Americans?|British|Russians?|Koreans?|foreigners?|foreign)\s+(?:[A-Za-z-]+\s+){0,2}?(?:was|were)\s+(?:also\s+)?among\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:dead|killed|victims|deceased|martyred)\b",
    re.I,
)
_NONE = re.compile(
    r"\bnobody (?:was )?(?:hurt|injured|harmed|wounded)\b|\b(?P<k3>nobody (?:was killed|died))\b|\bno (?:reports? of (?:any )?)?(?:ca(?:sualt|usalit)(?:y|ies)|(?P<k1>loss of (?:life|lives)|deaths?|fatalities)|injuries|one was (?:hurt|injured|harmed|wounded)|(?P<k2>one (?:other than (?:the|a) (?:suicide )?(?:bomber|attackers?|assailants?|militants?) )?(?:was killed|died)|one lost (?:his|her|their) li(?:fe|ves))|(?P<dem>Chinese|foreign) (?:national |nationals |citizens? |engineers? |workers? )?(?:was |were )?(?:killed|hurt|harmed|injured|casualties))\b|\b(?P<dem2>Chinese|Japanese|Korean|American|British|Russian|Turkish|foreign(?:ers?)?|expatriates?)\b[\w ,]{0,40}?\b(?:escaped|remained|were|was|are|is) (?:all |both )?(?:unhurt|unharmed|safe|safe and sound|uninjured)\b|\bwithout (?:causing )?(?:any )?ca(?:sualt|usalit)(?:y|ies)\b|\b(?:did not|didn['’]?t|failed to) (?:cause|inflict) any (?:harm|ca(?:sualt|usalit)(?:y|ies)|injur(?:y|ies))\b",
    re.I,
)
_INJURE_WORD = re.compile(INJURE, re.I)
_GUARDS = {
    "gunman",
    "guard",
    "bodyguard",
    "driver",
    "son",
    "brother",
    "father",
    "colleague",
    "companion",
    "wife",
    "guards",
    "sons",
    "nephew",
    "cousin",
    "uncle",
    "grandson",
    "daughter",
    "mother",
    "husband",
    "friend",
    "escort",
}
_MARTYR = {"martyred", "martyrdom", "shahadat", "succumbed", "died"}
_FORCES = {"soldiers", "troops", "personnel", "policemen", "officers", "jawans", "sepoys"}
_RANKS = {
    "sepoy",
    "naik",
    "havaldar",
    "lance",
    "subedar",
    "sipahi",
    "captain",
    "capt",
    "major",
    "lieutenant",
    "lt",
    "constable",
    "soldier",
    "policeman",
    "inspector",
    "dsp",
    "sho",
    "asi",
    "colonel",
    "brigadier",
    "sergeant",
}
_PRONOUN_NUM = {"a", "an", "his", "her", "their", "both"}


_TOLL = at_word_starts(_TOLL)
_BREAK = at_word_starts(_BREAK)
_BREAK2 = at_word_starts(_BREAK2)
_BREAK3 = at_word_starts(_BREAK3)
_NONE = at_word_starts(_NONE)
#: the same, tried only at the words they can begin with (:class:`triggers.WordStarts`)
_TOLL_SCAN = WordStarts(_TOLL)
_NONE_SCAN = WordStarts(_NONE)
_ORDINAL_MORE = re.compile(
    r"\b(?:another|more|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|additional|further|others)\b",
    re.I,
)


_ASIDE_END = {",", "–", "—", ")"}
_ASIDE_OPEN = {",", "–", "—", "("}
_KIN = {"family", "familie", "relative", "household", "colleague", "companion", "tribe"}
_MORE_ONLY = re.compile(r"\b(?:more|additional|further)\b", re.I)


@dataclass
class Count:
    what: str  # kill | injure | abduct
    n: int
    foreign: int
    nationality: str | None
    attackers: bool
    additive: bool
    noun: str | None  # "others" for a count of others ("three others"), else None
    start: int
    end: int
    reject: str | None = None  # why the number is not a casualty figure of this event
    # told as the sum of several attacks ("killed 14 in two attacks"): an event's own count,
    # told after it, goes first
    total: bool = False


@dataclass
class Casualties:
    counts: list[Count]
    toll: tuple[int, int, int] | None = None  # (n, start, end)
    headline: bool = False  # the sentence is a headline or a bullet of the lead
    breakdown: list[tuple[int, str | None, int, int]] | None = None
    none: tuple[int, int, bool, bool] | None = None  # (start, end, foreign_only, deaths_only)


def number(tok: str) -> int | None:
    t = tok.lower().replace(",", "")
    if t.isdecimal():  # not isdigit: "²" is a digit int() refuses
        return int(t)
    if "-" in t:
        a, _, b = t.partition("-")
        if a in NUMBERS and b in NUMBERS:
            return NUMBERS[a] + NUMBERS[b]
    return NUMBERS.get(t)


#: a count of everyone, which a list after a comma breaks down rather than adds to
_GENERAL_PEOPLE = frozenset(["people", "persons", "individuals", "others"])
_QUOTE_MARKS = frozenset(['"', "“", "”", "'", "‘", "’"])


#: a plural head noun: "drivers", "sons", "men", "children" (not "Levies" or "police")
_PLURAL_HEAD = re.compile(r"(?<!s)s$|^(?:men|women|children|people)$", re.I)


#: an age written as one word: "24-year-old", "24yearold", "ten-year-old"
_AGE_WORD = re.compile(r"(?:\d{1,3}|[a-z]+)-?years?-?old", re.I)
#: words :func:`number` reads as one that are no count after a possessive ("his a ...")
NUMBER_DETS = frozenset(["a", "an", "his", "her", "their", "both"])


def _np(tokens: list[tuple[str, int, int]]) -> tuple[int, int, str | None, bool, int, int] | None:
    """Parse [quant] NUM [-/to NUM] mods* [noun] → (n, foreign, nationality?, attackers, s, e)."""
    i = 0
    while i < len(tokens) and tokens[i][0].lower() in QUANT_WORDS:
        i += 1
    if i >= len(tokens):
        return None
    n = number(tokens[i][0])
    if n is None and tokens[i][0].lower() == "half":
        n = 0  # "half a dozen": read below
    if n is None:
        return None
    low = tokens[i][0].lower()
    if i > 0 and tokens[i - 1][0].lower() in ("no", "none"):
        return None
    start = tokens[i][1]
    end = tokens[i][2]
    j = i + 1
    if low == "a" and j < len(tokens) and tokens[j][0].lower() == "dozen":
        n, j = 12, j + 1
    elif j < len(tokens) and tokens[j][0].lower() in ("dozen", "dozens") and 1 < n < 12:
        n, j = n * 12, j + 1  # "two dozen people": 24
    if low == "half":
        if not (
            j + 1 < len(tokens)
            and tokens[j][0].lower() == "a"
            and tokens[j + 1][0].lower() == "dozen"
        ):
            return None
        n, j = 6, j + 2  # "half a dozen people": six
    if low in ("a", "an", "his", "her", "their") and j < len(tokens):
        if _AGE_WORD.fullmatch(tokens[j][0]):
            j += 1  # "a 24-year-old shopkeeper", "his 24yearold son": an age, not a count
        elif _is_age(tokens, j) and number(tokens[j][0]) is not None:
            j += 3  # "his 24 year old son"
    if low in ("his", "her", "their") and j < len(tokens):
        more = number(tokens[j][0]) if tokens[j][0].lower() not in NUMBER_DETS else None
        if more is not None:
            n, j, low = more, j + 1, tokens[j][0].lower()  # "his two sons": two
    if (
        j + 1 < len(tokens)
        and tokens[j][0].lower() in ("to", "-", "or", "–")
        and number(tokens[j + 1][0]) is not None
    ):
        j += 2
    nationality: str | None = None
    foreign = False
    attackers = False
    noun_seen = False
    pakistani = False  # "a Pakistani": the person, when no noun follows
    for k in range(j, min(j + 4, len(tokens))):
        w = tokens[k][0]
        lw = w.lower()
        if w in _QUOTE_MARKS:
            continue  # killing nine "khwarij": the state's word, quoted
        if lw in STOP or not w[:1].isalpha():
            break
        if lw == "pakistani":
            end = tokens[k][2]
            pakistani = True
            continue
        if lw in DEMONYMS:
            foreign, nationality = True, DEMONYMS[lw] or nationality
            if lw == "sri":
                continue
        if lw in ATTACKERS and low not in ("his", "her", "their"):
            attackers = True  # "his gunman" is a guard, not an attacker
        noun_seen = True
        end = tokens[k][2]
        if lw == "couple" and n == 1:
            n = 2  # "an elderly couple", "a couple" (of people): two
    if low in ("a", "an", "his", "her", "their", "both") and not noun_seen and not pakistani:
        return None
    if low in ("his", "her", "their") and _PLURAL_HEAD.search(
        next((t[0] for t in tokens[j : j + 3] if t[0][:1].islower()), "")
    ):
        return None  # "killed their drivers": how many, the text does not say
    return n, (n if foreign else 0), nationality, attackers, start, end


def _tokens(text: str, offset: int) -> list[tuple[str, int, int]]:
    """The sentence's tokens, without the abbreviations spelt out in brackets ("four
    Security Force (SF) personnel" reads as "four Security Force personnel")."""
    toks = [(m.group(0), m.start() + offset, m.end() + offset) for m in _TOK.finditer(text)]
    if "(" not in text:
        return toks
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(toks):
        if (
            toks[i][0] == "("
            and i + 2 < len(toks)
            and toks[i + 2][0] == ")"
            and (
                _ABBREV.fullmatch(toks[i + 1][0])
                # an age after a name: "Yasir (35) and Haroon (30) were killed"
                or (i > 0 and toks[i - 1][0][:1].isupper() and _AGE.fullmatch(toks[i + 1][0]))
            )
        ):
            i += 3
            continue
        out.append(toks[i])
        i += 1
    return out


_ABBREV = re.compile(r"[A-Z][A-Za-z]{0,5}")
_AGE = re.compile(r"\d{1,2}")


#: the security forces as the subject that killed: "security forces killed four of them"
_SF_SUBJECT = re.compile(
    r"\b(?:security forces|troops|soldiers|police(?:men)?|army|CTD|Rangers|FC|Levies|commandos|personnel|law enforcers|forces)\b(?:\s+(?:had|have|has|also|then|later|swiftly|reportedly|eventually))*"
    # "The CTD retaliated, killing all four": the forces answered, the count is the others
    r"(?:\s+(?:responded|retaliated|returned\s+(?:the\s+)?fire|fought\s+back)"
    r"(?:\s+(?:swiftly|immediately|effectively))?\s*,?(?:\s+and)?)?\s*$",
    re.I,
)
#: words of a count that name no one: "four of them", "five more", "all six"
_NO_NOUN = frozenset({"of", "them", "more", "others", "other", "all", "each"})


def _bare_count(after: list[tuple[str, int, int]], got: NP) -> bool:
    """The count names no victim: "killed four of them", "killed five more"."""
    words = [t[0].lower() for t in after if got[4] <= t[1] < got[5] + 12][1:4]
    return all(w in _NO_NOUN or not w.isalpha() for w in words)


#: verbs the reporting uses of militants killed only
_MILITANTS_ONLY = frozenset({"eliminated", "neutralised", "neutralized"})
_POSTMODIFIER = frozenset({"of", "on", "in", "aboard", "inside", "at", "from", "near"})
_PASSIVE_AUX = frozenset({"was", "were", "been", "is", "are", "be", "being"})
#: verbs that end a clause before a list's next noun phrase
_CLAUSE_VERBS = frozenset({"embraced", "sustained", "received", "suffered", "lost", "died"})
#: how bad injuries were, between the verb and the noun: "sustained serious injuries"
_HOW_BAD = frozenset(
    ["serious", "severe", "minor", "critical", "grievous", "multiple", "grave", "bullet"]
)
_AUX = {
    "were",
    "was",
    "have",
    "has",
    "had",
    "been",
    "are",
    "is",
    "also",
    "reportedly",
    "later",
    "allegedly",
    "all",
    "got",
    "being",
    "be",
    "instantly",
    "on",
    "the",
    "spot",
    "who",
    "initially",
    "critically",
    "seriously",
    "severely",
    "badly",
    "fatally",
    "lost",
    "their",
    "embraced",
    "sustained",
    "succumbed",
    "to",
    "his",
    "her",
    "left",
    "gravely",
    "reported",
    "feared",
    "believed",
    "confirmed",
    "said",
}


#: a four-digit number from these years in a count's words is a year ("killed in 2013")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
#: a tally of many events, not one event's toll: "in more than a hundred attacks in 2022",
#: "during the first half of the year", "in a series of attacks", a report's statistics
_TALLY = re.compile(
    r"\b(?:(?:in|during|across|over|from)\s+(?:more than\s+|over\s+|at least\s+|nearly\s+|some\s+)?(?:a\s+)?(?:\d[\d,]*|hundreds?|dozens?|scores|several|multiple|numerous|a (?:series|spate|wave) of|these|various|different|separate)\s+(?:[\w-]+\s+){0,2}?(?:attacks|incidents|operations|strikes|blasts|bombings|clashes)|so far this year|this year alone|since (?:the start of )?(?:19|20)\d\d|in (?:19|20)\d\d alone|(?:first|second) half of|(?:during|in|over) the (?:last|past) (?:\w+ )?(?:years?|months?|weeks?|decades?)|a total of \d[\d,]* (?:attacks|incidents)|(?:report|statistics|data|figures|survey|think tank|institute)\b[^.;]{0,80}\b(?:showed|shows|said|revealed|recorded|documented|found))\b",
    re.I,
)
_TALLY = at_word_starts(_TALLY)
#: the event as one of a series: "(killed a policeman,) the latest in a series of attacks"
_ONE_OF_SERIES = re.compile(
    r"\b(?:the\s+)?(?:latest|newest|most recent|last|deadliest|first|second|third)\s+"
    r"(?:one\s+|attack\s+|incident\s+)?$",
    re.I,
)
#: words without which there is no tally and no claimed figure (substring tests are much
#: cheaper than a regex alternation scanned at every position)
_TALLY_HINTS = (
    "involve",
    "confess",
    "wanted",
    "accused",
    "charged",
    "attacks",
    "incidents",
    "operations",
    "strikes",
    "blasts",
    "bombings",
    "clashes",
    "since",
    "this year",
    "alone",
    "half of",
    "the last",
    "the past",
    "total of",
    "report",
    "statistic",
    "data",
    "figures",
    "survey",
    "think tank",
    "institute",
    "claim",
    "fighting",
    "war ",
    "fight ",
    "struggle",
)
#: where a count's clause ends: its tally cue must be in the same clause
_CLAUSE_BREAK = re.compile(
    r"[;:]\s|,\s+(?=(?:while|whereas|but|as|after|which|who|the latest|the deadliest|the second|the third|amid|following|in the latest|bringing|taking|raising)\b)|\s[—–]\s",
    re.I,
)
#: a figure the attackers claim: "the BLA claimed it had killed 195 soldiers"
_CLAIMED_FIGURE = re.compile(
    r"\bclaim(?:ed|s|ing)?\s+(?:that\s+)?(?:it|they|its (?:fighters|men)|the group)\s+(?:had\s+|have\s+|has\s+)?(?:killed|martyred|eliminated|injured)\b",
    re.I,
)


def _plausible(n: int, words: str) -> str | None:
    """Why ``n`` cannot be a casualty figure, or None: a year read as a toll."""
    if n >= 1900 and _YEAR.search(words or ""):
        return "a year, not a count"
    if n > _MAX_TOLL:
        return "larger than any attack's toll"
    return None


#: words after a casualty verb that open no object: "injured as a blast rocked ...", "killed
#: in", "wounded when"
_NO_OBJECT = frozenset(
    ["in", "by", "as", "when", "after", "while", "during", "on", "at", "since", "because", "near"]
)
#: names given after a count: "Three persons, identified as A, B and C, were killed"
_IDENTIFIED = re.compile(r",?\s*\b(?:identified as|namely|named)\b", re.I)
#: singular roles a named victim is introduced by: "shot dead PPP leader Ali Khan"
_NAMED_ROLES = PLURAL_VICTIM_SINGULAR | {
    "leader",
    "activist",
    "member",
    "chief",
    "commander",
    "journalist",
    "cleric",
    "scholar",
    "politician",
    "councillor",
    "councilor",
    "elder",
    "doctor",
    "trader",
    "shopkeeper",
    "lawyer",
    "judge",
    "inspector",
    "president",
    "secretary",
    "chairman",
    "candidate",
    "MNA",
    "MPA",
    # people at work or in office, each one person: "killed the manager", "the sarpanch"
    *("manager", "supervisor", "contractor", "owner", "headmaster", "principal", "lecturer"),
    *("imam", "muezzin", "caretaker", "custodian", "chowkidar", "vendor", "tailor", "barber"),
    *("pharmacist", "nurse", "vaccinator", "mayor", "nazim", "sarpanch", "mukhiya", "tehsildar"),
}


def _named_one(after: list[tuple[str, int, int]]) -> tuple[int, int, None, bool, int, int] | None:
    """One named person after a killing verb: "shot dead National Party leader Mir X" (a
    capitalised title and a singular role within four words, no plural before it)."""
    if (
        len(after) > 1
        and after[0][0].lower() in _RANKS
        and after[1][0][:1].isupper()
        and not after[1][0].isupper()
    ):
        return (1, 0, None, False, after[0][1], after[1][2])  # "shot dead constable Sher Ali"
    if not after or not after[0][0][:1].isupper() or after[0][0] in ("In", "On", "At", "By"):
        return None
    words = after[:4]
    if any(w.lower().endswith("s") and w.lower()[:-1] in _NAMED_ROLES for w, _s, _e in words):
        return None  # "killed Chinese nationals": plural
    for word, _s, e in words:
        if word.lower() != "chinese" and (word.lower() in _NAMED_ROLES or word in _NAMED_ROLES):
            return (1, 0, None, False, after[0][1], e)
    return None


#: heads after "the" that are no person: "gunned down the same day", "shot dead the next morning"
_NO_PERSON_HEAD = frozenset(
    {"day", "night", "morning", "evening", "afternoon", "week", "month", "year", "same"}
    | {"previous", "next", "following", "other", "spot", "area", "way", "road", "street"}
)


def _the_one(
    after: list[tuple[str, int, int]], *, any_head: bool = False
) -> tuple[int, int, None, bool, int, int] | None:
    """One person told by a singular role after a killing verb: "shot dead the prayer leader
    of a mosque", "killed the driver". With ``any_head`` (after "shot dead" and "gunned down",
    whose object is always a person) any singular head will do: "shot dead the caretaker of an
    imambargah" (the last word before a stop word or a comma, not a plural's "-s")."""
    if len(after) < 2 or after[0][0].lower() != "the":
        return None
    head: tuple[str, int, int] | None = None
    for n, (word, start, e) in enumerate(after[1:], 1):
        lw = word.lower()
        if lw in STOP or not word[:1].isalpha() or number(word) is not None:
            break
        if lw in _NAMED_ROLES or lw in PLURAL_VICTIM_SINGULAR:
            return (1, 0, None, False, after[0][1], e)
        if n > 3:
            return None  # no head within three words
        head = (word, start, e)
    if not any_head or head is None or head[0][:1].isupper():
        return None
    if head[0].lower().endswith("s") or head[0].lower() in _NO_PERSON_HEAD:
        return None  # a plural without a count, or "shot dead the same day"
    return (1, 0, None, False, after[0][1], head[2])


#: roles a headline names after "kill" without an article (singular: one dead)
_BARE_ROLES = (_NAMED_ROLES | {*KILLED_ROLES, "man", "woman", "tribesman", "policeman", "spy"}) - {
    "chinese",
    "personnel",
}


def _bare_one(after: list[tuple[str, int, int]]) -> tuple[int, int, None, bool, int, int] | None:
    """One person a headline's "kill" names by a singular role with no article or number:
    "Militants kill peace body activist", "Taleban kill man", "kill son of a commander"."""
    for word, _s, e in after[:4]:
        lw = word.lower()
        if not word.replace("-", "").isalpha() or lw in STOP or number(word) is not None:
            return None
        if lw.endswith("s") and lw[:-1] in _BARE_ROLES:
            return None  # "kill drug dealers": plural, no count
        if lw in _BARE_ROLES:
            return (1, 0, None, lw in ATTACKERS, after[0][1], e)
    return None


_NOT_NAMES = frozenset(
    [
        *("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        *("January", "February", "March", "April", "May", "June", "July", "August"),
        *("September", "October", "November", "December"),
        *("In", "On", "At", "By", "Near", "The", "A", "An"),
    ]
)
_AFTER_NAME = frozenset({",", "(", "in", "on", "near", "at", "outside", "while", "when", "who"})


def _bare_name(after: list[tuple[str, int, int]]) -> tuple[int, int, None, bool, int, int] | None:
    """One person named without a role right after "shot dead" / "gunned down": "shot dead
    Wali Khan Mengal, the son of ...", "gunned down Asif Ali near his house" (two to five
    capitalised words, then a comma, a bracket or a preposition)."""
    n = 0
    while n < min(len(after), 5) and after[n][0][:1].isupper() and after[n][0] not in _NOT_NAMES:
        n += 1
    if n < 2 or n >= len(after) or after[n][0] not in _AFTER_NAME:
        return None
    return (1, 0, None, False, after[0][1], after[n - 1][2])


_MONTH_NAME = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
#: the number is a date's day: "on April 23 shot dead a party leader"
_MONTH_BEFORE = re.compile(r"\b" + _MONTH_NAME + r"\.?\s+$")
#: the number is a day before its month: "on 5 November, a guard opened fire"
_MONTH_AFTER = re.compile(r"\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_NAME + r"\b")
#: the number names a unit: "the 33 Baloch Regiment", "21 Wing"
_UNIT_AFTER = re.compile(
    r"\d+(?:st|nd|rd|th)?\s+(?:[A-Z][\w-]*\s+){0,2}(?:Regiment|Brigade|Wing|Division|Squadron|Battalion|Corps|Rifles|Scouts|Cavalry|Lancers|Infantry|Union Council)\b"
)
#: the number is a named person's age: "Sohail Rasheed 30 was shot dead"
_NAME_BEFORE = re.compile(r"\b[A-Z][a-z]+\s+$")
_AGE_AFTER = re.compile(r"\d{1,2}\s*,?\s+(?:was|has been|had been|who)\b")
#: an age set off by commas after a name: "Constable Ali Khan, 45, posted at ..."
_AGE_SET_OFF = re.compile(r"\d{1,2}\s*,")
_NAME_COMMA_BEFORE = re.compile(r"\b[A-Z][a-z]+,\s*$")
#: "Sepoy X, aged 24 years, embraced shahadat", "(age 27 years, resident of ...)"
_AGED_BEFORE = re.compile(r"\b(?:aged|age)\s*:?\s*$", re.I)


def _not_a_count(sentence: str, start: int) -> str | None:
    """Why the number opening a count at ``start`` (in the sentence) is no casualty figure:
    a date's day, a unit's number or a named person's age; else None."""
    before = sentence[max(0, start - 12) : start]
    if _MONTH_BEFORE.search(before) or _MONTH_AFTER.match(sentence, start):
        return "the day of a date, not a count"
    if _UNIT_AFTER.match(sentence, start):
        return "a unit's number, not a count"
    if (_AGE_AFTER.match(sentence, start) and _NAME_BEFORE.search(before)) or _AGED_BEFORE.search(
        before
    ):
        return "a person's age, not a count"
    if _AGE_SET_OFF.match(sentence, start) and _NAME_COMMA_BEFORE.search(before):
        return "a person's age, not a count"  # "Constable Ali Khan, 45, was shot dead"
    return None


class _Context:
    """A sentence's clause breaks and tally cues, found once for all its counts."""

    def __init__(self, sentence: str) -> None:
        self.sentence = sentence
        low = sentence.lower()
        self.hint = any(w in low for w in _TALLY_HINTS)
        self._breaks: list[tuple[int, int]] | None = None

    def reject(self, s: int, e: int) -> str | None:
        """Why the count at [s, e) is not this event's figure, or None: a tally of many
        attacks in its clause, or a figure the attackers claim."""
        if not self.hint:
            return None  # none of the words a tally or a claim needs
        sentence = self.sentence
        if self._breaks is None:
            self._breaks = [(b.start(), b.end()) for b in _CLAUSE_BREAK.finditer(sentence)]
        c0 = max((be for bs, be in self._breaks if be <= s), default=0)
        c1 = min((bs for bs, be in self._breaks if bs >= e), default=len(sentence))
        tally = _TALLY.search(sentence, c0, c1)
        if tally and not _ONE_OF_SERIES.search(sentence, max(0, tally.start() - 30), tally.start()):
            return "a tally of many attacks or a report's statistics, not this event's toll"
        if LONG_WAR.search(sentence, s, min(len(sentence), e + 40)):
            return "the dead of a long war, not this event's toll"
        if "claim" in sentence and _CLAIMED_FIGURE.search(sentence[max(0, s - 60) : e]):
            return "a figure the attackers claim"
        if _RECORD_BEFORE.search(sentence, max(0, s - 60), s):
            return "a suspect's record of past crimes, not this event's toll"
        return None


#: the dead of a war told in the perfect: "700 personnel have been killed while fighting for
#: the country", "have lost their lives in the war against terrorism"
LONG_WAR = re.compile(
    r"\b(?:ha(?:ve|s|d) been (?:killed|martyred)|ha(?:ve|s|d) (?:lost|laid down|sacrificed) "
    r"their lives)\s+(?:while\s+)?(?:fighting|in the (?:war|fight|struggle))\s+(?:for|against|on)\b",
    re.I,
)
#: the crimes a suspect is said to have committed before: "confessed his involvement in the
#: killing of 15 people", "wanted in the murders of"
_RECORD_BEFORE = re.compile(
    r"\b(?:involve(?:d|ment)|confess(?:ed|ion)|wanted (?:in|for)|accused of|charged with)\b[^.;]{0,30}$",
    re.I,
)
#: no single attack in the region has killed more (the deadliest, 2014-2024, killed ~150)
_MAX_TOLL = 999


#: the military's words for its soldiers: "two brave sons of (the) soil embraced shahadat"
_SONS_OF_SOIL = re.compile(r"\bsons of (?:the )?soil\b", re.I)


#: the last word of a time phrase before a comma: "A day earlier,", "Two weeks ago,"
_TIME_WORDS = frozenset(
    [
        "earlier",
        "later",
        "ago",
        "before",
        "after",
        "back",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
        "hour",
        "hours",
        "night",
        "nights",
        "morning",
    ]
)
#: a quantifier before a count: "at least 26", "more than 40"
_QUANTIFIED = re.compile(
    r"(?:at least|at most|more than|less than|fewer than|as many as|up to)\b", re.I
)
#: nouns that tell a toll only after one of :data:`_TOLL_VERBS` ("lost their lives")
_TOLL_NOUNS = frozenset(
    ["lives", "life", "injuries", "wounds", "martyrdom", "shahadat", "death", "deaths", "bodies"]
)
_TOLL_VERBS = frozenset(
    [
        "lost",
        "sustained",
        "suffered",
        "received",
        "embraced",
        "succumbed",
        "claimed",
        "claiming",
        "claims",
        "claim",  # "Terror attacks claim 8 lives"
        "took",
        "taking",
    ]
)


def _toll_verb_before(
    toks: list[tuple[str, int, int]], vi: int, sentence: str, offset: int
) -> bool:
    """A verb of :data:`_TOLL_VERBS` stands within three words before the noun at ``vi``, or
    five when a quantifier comes between ("claimed at least 26 lives")."""
    reach = 5 if _QUANTIFIED.match(sentence, toks[max(0, vi - 3)][1] - offset) else 3
    return any(t[0].lower() in _TOLL_VERBS for t in toks[max(0, vi - reach) : vi])


def parse(sentence: str, offset: int) -> Casualties:
    """Casualty statements in one sentence (offsets into the whole text)."""
    out = Casualties([])
    if (
        not _VERB_SCAN.search(sentence)
        and not _NONE_SCAN.search(sentence)
        and not ("toll" in sentence and _TOLL_SCAN.search(sentence))
    ):
        return out  # (a toll may stand alone: "the body was found, raising the toll to three")
    if "of soil" in sentence or "the soil" in sentence:  # the same length: offsets hold
        sentence = _SONS_OF_SOIL.sub(lambda m: "soldiers".ljust(len(m.group(0))), sentence)
    toks = _tokens(sentence, offset)
    starts = {s: i for i, (_, s, _e) in enumerate(toks)}
    context: _Context | None = None
    several: bool | None = None  # the sentence sums several attacks (:data:`_SEVERAL`)
    for m in _VERB_SCAN.finditer(sentence):
        what = "kill" if m.group("kill") else "injure" if m.group("injure") else "abduct"
        word = m.group(0).lower()
        vi = starts.get(m.start() + offset)
        if vi is None:
            continue
        also = "also" in sentence[max(0, m.start() - 12) : m.start()].lower()
        if (
            what == "injure"
            and vi + 1 < len(toks)
            and toks[vi + 1][0].lower() in ("succumbed", "died")
        ):
            continue  # "two more injured succumbed to their wounds": deaths, not the injured
        parsed: list[NP] | None = None
        # after the verb: "killing four", "injured 12 others", "left five dead"
        after = None
        if word in (
            "killed",
            "killing",
            "kill",
            "kills",
            "martyring",
            "martyred",
            "injuring",
            "injured",
            "injures",  # a headline's present: "Blast kills two, injures five"
            "injure",
            "wounding",
            "wounded",
            "wounds",
            "wound",
            "abducted",
            "abducting",
            "kidnapped",
            "kidnapping",
            "hurt",
            "gunned down",
            "shot dead",
            "massacred",
            "massacring",
            "beheaded",
            "beheading",
            "behead",
            "beheads",
        ):
            after = toks[vi + len(word.split()) : vi + 16]
            if vi > 0 and toks[vi - 1][0].lower() in _PASSIVE_AUX:
                after = None  # "seven passengers were shot dead three others were hurt"
            elif (
                after
                and after[0][0].lower() in _NO_OBJECT
                and not (len(after) > 1 and after[1][0].lower() in ("many", "much", "least"))
            ):
                after = []  # "injured as a blast rocked ...": no object counted after the verb
        elif (
            word == "life"
            and 2 <= vi < len(toks) - 2
            and toks[vi + 1][0].lower() == "of"
            and toks[vi - 1][0].lower() == "the"
            and toks[vi - 2][0].lower() in ("claiming", "claimed", "took", "taking", "claims")
            and (toks[vi + 2][0].lower() in ("a", "an") or number(toks[vi + 2][0]) is None)
        ):
            # "claiming the life of a company's manager": one person
            parsed = [(1, 0, None, False, toks[vi - 2][1], toks[vi][2])]
        elif (
            word in ("bodies", "deaths", "death", "lives", "injuries", "martyrdom")
            and vi + 2 < len(toks)
            and toks[vi + 1][0].lower() == ("to" if word == "injuries" else "of")
        ):
            # "the bodies of two labourers", "the deaths of two Chinese citizens", "claimed
            # the lives of 26", "injuries to ten others", "the martyrdom of four soldiers"
            after = toks[vi + 2 : vi + 18]
        if after is not None:
            got = _np(after) if after else None
            if (
                got is None
                and len(after) > 2
                and after[0][0].lower() in ("him", "her")
                and after[1][0].lower() == "and"
            ):
                # "injuring him and eight others": the one named and the others
                others = _np(after[2:])
                if others is not None and not others[3]:
                    got = (others[0] + 1, *others[1:4], after[0][1], others[5])
            if got is None and after and word in ("shot dead", "gunned down", "killed"):
                got = _named_one(after) or _the_one(
                    after, any_head=word in ("shot dead", "gunned down")
                )
            if got is None and after and word in ("kill", "kills", "killing"):
                got = _bare_one(after)  # "Militants kill tribal elder", "claim killing doctor"
            if (
                got is None
                and after
                and after[0][0].lower() in ("him", "her")
                # (the participle tells a killing as it happened; a finite "and killed him"
                # often retells one, in an abduction's or an arrest's sentence)
                and word == "killing"
                and (len(after) == 1 or after[1][0].lower() not in ("and", "to"))
                # ("stole the rifle of a police official after killing him": a deed of their
                # record, told of the arrested)
                and not (vi > 0 and toks[vi - 1][0].lower() in ("after", "before", "for"))
            ):
                # "opened fire on a shopkeeper, killing him on the spot": one, the attacker
                # when the last one named before is ("fired at the bomber, killing him")
                told = [t[0].lower() for t in toks[max(0, vi - 10) : vi] if t[0].isalpha()]
                attacker = any(w in ATTACKERS for w in told[-4:])
                got = (1, 0, None, attacker, after[0][1], after[0][2])
            if got is None and after and after[0][0].lower() == "both":
                got = (2, 0, None, False, after[0][1], after[0][2])  # "injuring both"
            if got is None and after and word in ("shot dead", "gunned down"):
                got = _bare_name(after)
            if (
                got is not None
                and not got[3]
                and word in ("killed", "killing", "kill", "kills", "shot dead", "gunned down")
                and _bare_count(after, got)
                and _SF_SUBJECT.search(sentence, max(0, m.start() - 50), m.start())
            ):
                # "security forces killed four of them": the other side, not victims
                got = (*got[:3], True, *got[4:])
            if got is not None and not (after and _is_age(after, 0)):
                parsed = [got]
                # a list: "killing two police officers and two visitors"
                rest = [t for t in after if t[1] >= got[5]]
                while (
                    len(rest) > 1
                    and rest[0][0].lower() in ("and", ",")
                    and number(rest[1][0]) is not None
                ):
                    if len(rest) > 2 and rest[2][0].lower() == "of":
                        break  # "four people, three of them Chinese": a part, not more
                    if rest[0][0] == "," and any(
                        t[0].lower() in _GENERAL_PEOPLE for t in after if t[2] <= got[5]
                    ):
                        break  # "five people, four hotel employees and a soldier": who they were
                    more = _np(rest[1:])
                    if (
                        more is None
                        or (
                            rest[1][0].lower() in ("a", "an")
                            and (
                                more[5] == rest[1][2]
                                # (its head noun, after any adjective: "and a Pakistani driver")
                                or not any(
                                    t[0].lower().rstrip("s") in PLURAL_VICTIM_SINGULAR
                                    for t in rest[2:6]
                                    if t[2] <= more[5]
                                )
                            )
                        )
                    ):
                        break  # "injured two constables, a police spokesman said"
                    follow = [
                        t for t in rest if t[1] >= more[5] and t[0].lower() not in _PASSIVE_AUX
                    ][:1]
                    if any(
                        _INJURE_WORD.fullmatch(t[0]) or t[0].lower() in ("killed", "dead", "died")
                        for t in follow
                    ):
                        break  # "kill one soldier, 3 injured": the next count has its own verb
                    parsed.append(more)
                    rest = [t for t in rest if t[1] >= more[5]]
        if parsed is None:
            # before the verb: "four people were killed", "11 dead", "two soldiers martyred"
            k = vi - 1
            while k >= 0 and word in ("injuries", "wounds") and toks[k][0].lower() in _HOW_BAD:
                k -= 1  # "sustained serious injuries" (not "a minor was injured": a child)
            while k >= 0:
                while k >= 0 and toks[k][0].lower() in _AUX:
                    k -= 1
                # "he was seriously injured and later succumbed": skip the first predicate
                if (
                    k >= 1
                    and toks[k][0].lower() == "and"
                    and _INJURE_WORD.fullmatch(toks[k - 1][0])
                ):
                    k -= 2
                    continue
                # "62 people had been brought in injured": the people brought in
                if k >= 1 and toks[k][0].lower() == "in" and toks[k - 1][0].lower() in _CARRIED:
                    k -= 2
                    continue
                if k >= 0 and toks[k][0].lower() in _CARRIED and what == "injure":
                    k -= 1
                    continue
                break
            if k >= 0 and toks[k][0].lower() in ("he", "she") and what == "kill":
                parsed = [(1, 0, None, False, toks[k][1], toks[k][2])]
            elif (
                k >= 1
                and toks[k][0].lower() == "another"
                and toks[k - 1][0].lower() in ("and", ",", "while", "leaving", "left")
            ):
                # "two policemen were martyred and another was wounded", "killing three and
                # leaving another critically wounded": one more person
                parsed = [(1, 0, None, False, toks[k][1], toks[k][2])]
            elif k >= 0 and toks[k][0].lower() in ("them", "all") and what == "kill":
                # "offloaded nine passengers before shooting them dead": the last count before
                for j in range(k - 1, -1, -1):
                    if number(toks[j][0]) is not None and toks[j][0].lower() not in _PRONOUN_NUM:
                        them = _np(toks[j : j + 5])
                        parsed = [them] if them else None
                        break
            if k >= 0 and toks[k][0] in _ASIDE_END:
                # "nine Chinese and three Pakistanis – including two FC men – were killed"
                for j in range(k - 1, max(-1, k - 10), -1):
                    if toks[j][0].lower() in ("including", "among"):
                        k = j - 1
                        if k >= 0 and toks[k][0] in _ASIDE_END:
                            k -= 1
                        break
                else:
                    # "Two persons, riding a motorcycle, were killed": the count before the aside
                    for j in range(k - 1, max(0, k - 12), -1):
                        if toks[j][0] in _ASIDE_OPEN:
                            w = toks[j + 1][0]
                            if (
                                w[:1].islower()
                                and w.isalpha()
                                and w not in ("and", "or")
                                and _np_before(toks, j - 1)
                            ):
                                k = j - 1
                            elif all(t[0][:1].isupper() for t in toks[j + 1 : k]) and (
                                _partitive(toks, j - 1) or _np_before(toks, j - 1)
                            ):
                                k = j - 1  # "One of the injured, Mohammad Rafiq, succumbed"
                            break
            if word in _TOLL_NOUNS and not _toll_verb_before(toks, vi, sentence, offset):
                continue
            if word in ("injuries", "wounds") and (
                any(t[0].lower() == "succumbed" for t in toks[max(0, vi - 4) : vi])
                # "received firearm injuries and died on the spot": a death, not one hurt
                or _DIED_AFTER.match(sentence, toks[vi][2] - offset)
            ):
                continue
            if k >= 0 and (toks[k][0] in (",", "and") or toks[k][0][:1].isupper()):
                # "Three persons, identified as A, B and C, were killed": count before the names
                named = None
                for hit in _IDENTIFIED.finditer(sentence, max(0, m.start() - 160), m.start()):
                    named = hit  # the last one before the verb
                j = k
                while named is not None and j >= 0 and toks[j][1] - offset >= named.start():
                    j -= 1
                if named is not None and (
                    j >= 0
                    and toks[j][0].lower().endswith(("s", "men", "people", "children", "personnel"))
                ):
                    k = j  # a plural before the names: "persons", "policemen"
                elif (listed := _before_names(toks, k)) is not None:
                    k = listed  # "Two policemen, Constable A and Constable B, were injured"
            if k >= 3 and toks[k - 2][0].lower() == "of" and toks[k][0].lower().rstrip("s") in _KIN:
                k -= 3  # "three others of his family were injured"
            if parsed is None:
                parsed = (
                    _participle_subject(toks, k, vi)
                    or _partitive(toks, k)
                    or _np_before(*_without_names(toks, k))
                    # "four policemen who were having iftar at a roadside eatery were shot":
                    # the count before the clause, not "a roadside eatery"
                    or _np_before(toks, _before_relative_clause(toks, k))
                    or _np_before(toks, k)
                    or _np_before(toks, _before_postmodifier(toks, k))
                    or _np_before(toks, _before_of_phrase(toks, k, any_head=True))
                    or _np_before(toks, _before_including(toks, k))
                    or None
                )
                if parsed and _AGED_BEFORE.search(
                    sentence, max(0, parsed[0][4] - offset - 12), parsed[0][4] - offset
                ):
                    parsed = None  # "Sepoy X, aged 24 years, ...": an age, the one named dies
            if parsed is None and _bare_singular_subject(toks, k):
                # a headline's subject without its article: "Policeman killed in Quetta",
                # "Member of anti-Taliban militia killed": one person
                parsed = [(1, 0, None, False, toks[0][1], toks[k][2])]
            if parsed is None and (one := _left_one(toks, k)) is not None:
                parsed = [one]  # "the attack also left the school's watchman injured": one
            if parsed is None and k >= 1 and toks[k][0].lower() == "and":
                # "23 passengers were offloaded from buses and shot dead": the subject of the
                # first verb of the pair
                for j in range(k - 1, max(0, k - 15), -1):
                    if toks[j][0].lower() in ("were", "was"):
                        parsed = (
                            _np_before(toks, j - 1)
                            or _np_before(toks, _before_including(toks, j - 1))
                            or None
                        )
                        break
            if parsed is None and what == "kill" and word in _MARTYR:
                # "two brave soldiers, Naik X (age 31 ...) and Sepoy Y (...), ..., embraced
                # shahadat": the number before the names
                window = toks[max(0, vi - 45) : vi]
                for j, t in enumerate(window):
                    n = number(t[0])
                    if n and n >= 2 and any(x[0].lower() in _FORCES for x in window[j + 1 : j + 4]):
                        parsed = [(n, 0, None, False, t[1], t[2])]
                        break
            if parsed is None and what == "kill" and word in _MARTYR:
                # "the following soldiers embraced shahadat: Naik A, Sepoy B and Sepoy C":
                # one for each rank that opens a name in the list after the colon
                parsed = _ranks_listed(toks, vi + len(word.split()))
            if parsed is None and what == "kill" and word in _MARTYR:
                # "Sepoy X (age 27 ...), having fought bravely, embraced shahadat": one soldier
                for t in toks[max(0, vi - 25) : vi]:
                    if t[0].lower() in _RANKS:
                        parsed = [(1, 0, None, False, t[1], t[2])]
                        break
            if parsed is None and what in ("kill", "injure"):
                parsed = _singular_subject(sentence, toks, vi, k, offset, word)
        if not parsed:
            continue
        joint = _joint(sentence, m.start(), m.end())  # (the verb's, for each of its counts)
        parsed = _without_apposition(parsed, sentence, offset)
        if (
            # "the remaining six were cornered and eliminated": only militants are eliminated
            word in _MILITANTS_ONLY
            # "the attacker was a man who succumbed to his injuries": the attacker
            or any(_IS_THE_ATTACKER.search(sentence, 0, max(0, np[4] - offset)) for np in parsed)
            # "two militants were killed in the initial exchange while three others were
            # killed later": the others are militants too
            or (what == "kill" and _others_of_attackers(out.counts, parsed, sentence, offset))
        ):
            parsed = [(*np[:3], True, *np[4:]) for np in parsed]
        # victims and attackers of one list are counted apart ("seven troops and six militants")
        for attackers in (False, True):
            nps = [np for np in parsed if np[3] is attackers]
            if not nps:
                continue
            n = sum(np[0] for np in nps)
            foreign = sum(np[1] for np in nps)
            nat = next((np[2] for np in nps if np[2]), None)
            s, e = min(np[4] for np in nps), max(np[5] for np in nps)
            more_rx = _ORDINAL_MORE if what == "kill" else _MORE_ONLY
            # "another was injured" is often one of those already counted; "another died" not.
            # "also" after a count of another kind in the same sentence joins the two ("a
            # militant was killed ..., adding that two soldiers were also injured"), not this
            # count to an earlier sentence's
            joined = also and any(c.what != what and c.start < s for c in out.counts)
            additive = (also and not joined) or bool(
                more_rx.search(sentence, s - offset, e - offset)
            )
            s, e = min(s, m.start() + offset), max(e, m.end() + offset)
            noun = "others" if _ends_with_others(nps, sentence, offset) else None
            count = Count(what, n, foreign, nat, attackers, additive, noun, s, e)
            if context is None:
                context = _Context(sentence)
            count.reject = (
                joint
                or _plausible(n, sentence[s - offset : e - offset])
                or _not_a_count(sentence, min(np[4] for np in nps) - offset)
                or context.reject(s - offset, e - offset)
            )
            if several is None:
                several = _SEVERAL.search(sentence) is not None  # once a sentence counts
            count.total = several
            out.counts.append(count)
    for m in _TOLL_SCAN.finditer(sentence):
        tn = number(m.group("n") or m.group("n2"))
        if tn is not None and _plausible(tn, m.group("n") or m.group("n2")) is None:
            out.toll = (tn, m.start() + offset, m.end() + offset)
    for rx in (_BREAK, _BREAK2, _BREAK3):
        for m in rx.finditer(sentence):
            bn = number(m.group("n"))
            at = m.start() + offset
            before = [c for c in out.counts if c.start <= at]
            # "ten others, including a Chinese national, were injured", "wounding five
            # people, including three Chinese": not the dead
            hurt = any(c.what == "injure" and c.start <= at < c.end for c in out.counts) or (
                bool(before) and max(before, key=lambda c: c.start).what == "injure"
            )
            if bn is not None and not hurt:
                dem = (
                    m.group("dem").lower().rstrip("s")
                    if m.group("dem").lower() not in ("chinese",)
                    else "chinese"
                )
                nat = DEMONYMS.get(dem) or DEMONYMS.get(m.group("dem").lower())
                out.breakdown = [
                    *(out.breakdown or []),
                    (bn, nat, m.start() + offset, m.end() + offset),
                ]
    nm = _NONE_SCAN.search(sentence)
    if nm:
        out.none = (
            nm.start() + offset,
            nm.end() + offset,
            bool(nm.group("dem") or nm.group("dem2")),
            bool(nm.group("k1") or nm.group("k2") or nm.group("k3")),
        )
    return out


#: a singular passive: "was shot dead", "has been martyred", "was injured"
_SINGULAR_AUX = {"was", "has", "had"}
#: "killed by unidentified gunmen": the one killed is a victim, whoever they were
_BY_ASSAILANTS = re.compile(
    r"\s*(?:[\w-]+\s+){0,2}?by\s+(?:some\s+|two\s+|three\s+|four\s+|the\s+)?(?:unidentified|unknown|armed|masked|suspected)?\s*(?:armed\s+)?(?:assailants|gunmen|men|militants|terrorists|attackers|motorcyclists|miscreants|persons)",
    re.I,
)


_NO_ONE = {"no", "nobody", "none", "neither", "nor", "not"}
_LATER_DIED = re.compile(r"\s+and\s+(?:later\s+)?(?:succumbed|died|passed away)", re.I)
#: the subject is one person: "a worker", "an official", "one of them", "identified as X"
_ONE_PERSON = re.compile(
    r"\b(?:a|an|one)\s+(?:[\w-]+\s+){0,3}?[a-z]+\b|\bidentified as\b|\b(?:constable|sepoy|soldier|policeman|official|officer|leader|worker|activist|trader|man|woman|boy|girl|child|student|teacher|driver|guard|elder|shopkeeper|cleric|journalist|engineer|labourer|laborer|farmer|resident|passerby|passer-by|commander)\b",
    re.I,
)


#: where a new clause, with a subject of its own, opens
_CLAUSE_BREAK = re.compile(r"[;:—–]|\b(?:while|whereas|but)\b", re.I)


def _singular_subject(
    sentence: str, toks: list[tuple[str, int, int]], vi: int, k: int, offset: int, word: str = ""
) -> list[NP] | None:
    """One person when a singular subject is killed or hurt and no count is given: "A worker
    of the party, identified as Z, was shot dead". The person is an attacker when the
    subject names one ("a militant was killed") and no one else is said to have killed him."""
    aux = [t[0].lower() for t in toks[max(0, vi - 4) : vi]]
    if not (_SINGULAR_AUX & set(aux)) or "were" in aux or "have" in aux:
        return None
    near = [t[0].lower() for t in toks[max(0, k - 6) : k + 1]] if k >= 0 else []
    if _NO_ONE & set(near):
        return None  # "no one was hurt", "no Chinese national was harmed"
    if _LATER_DIED.match(sentence, toks[vi][2] - offset):
        return None  # "he was injured and later succumbed": a death, counted as one
    subject = sentence[: toks[k][2] - offset] if k >= 0 else ""
    # the subject of this clause: "two engineers were injured; the attacker was killed"
    clauses = _CLAUSE_BREAK.split(subject)
    subject = clauses[-1] if len(clauses) > 1 and clauses[-1].strip() else subject
    if not _ONE_PERSON.search(subject[-120:]) and word not in ("shot dead", "gunned down"):
        return None  # (only a person is shot dead: "PPP President Hamid Toori was shot dead")
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", subject)[:12]]
    attacker = any(w in ATTACKERS for w in words[:4]) and not _BY_ASSAILANTS.match(
        sentence, toks[vi][2] - offset
    )
    s0 = toks[0][1] if toks else offset
    return [(1, 0, None, attacker, s0, toks[vi][2])]


NP = tuple[int, int, str | None, bool, int, int]  # (n, foreign, nationality, attackers, s, e)


def _is_age(toks: list[tuple[str, int, int]], j: int) -> bool:
    """The number at ``j`` is an age told in three words: "a ten year old boy", "a 24 year old
    soldier" (an age in one word, "24-year-old", is :data:`_AGE_WORD`'s)."""
    nxt = [t[0].lower() for t in toks[j + 1 : j + 3]]
    return bool(nxt) and (nxt[0] in ("year", "years", "yr", "yrs") and nxt[1:2] == ["old"])


_PREPOSITIONS = frozenset(
    ["after", "during", "in", "on", "at", "from", "by", "following", "amid", "before", "into"]
)


_CARRIED = frozenset(["brought", "taken", "shifted", "rushed", "admitted"])
_APPOSITION_OPENERS = frozenset(["including", "among", "mostly", "most", "all", "both"])


#: words in -ing that open no participle after a noun
_NOT_PARTICIPLES = frozenset(
    [
        "including",
        "following",
        "during",
        "according",
        "regarding",
        "morning",
        "evening",
        "building",
        "meeting",
        "gathering",
        "wedding",
    ]
)


_PARTITIVE_DETS = frozenset(["the", "his", "her", "their", "its", "those", "them"])


def _partitive(toks: list[tuple[str, int, int]], k: int) -> list[NP] | None:
    """A part of a group ending at token k: "two of the private guards", "one of them", "one
    of the two soldiers": the part's count, of the group's kind."""
    for j in range(k - 1, max(-1, k - 9), -1):
        if (
            number(toks[j][0]) is not None
            and toks[j][0].lower() not in ("a", "an")
            and j + 2 <= k
            and toks[j + 1][0].lower() == "of"
            and toks[j + 2][0].lower() in _PARTITIVE_DETS
        ):
            rest = toks[j + 3 : k + 1]
            # "one of the two soldiers": the part is counted, the group's own count dropped
            rest = [t for t in rest if number(t[0]) is None]
            got = _np([toks[j], *rest])
            if got is None:
                return None
            return [(*got[:5], toks[k][2])]
        if not toks[j][0][:1].isalnum():
            return None
    return None


def _participle_subject(toks: list[tuple[str, int, int]], k: int, vi: int) -> list[NP] | None:
    """A plural subject with a participle after its noun, before a plural verb: "two policemen
    guarding a polio team were shot dead" are two, not "a polio team"."""
    if not any(t[0].lower() == "were" for t in toks[max(0, vi - 3) : vi]):
        return None
    for j in range(k, max(1, k - 14), -1):
        w = toks[j][0]
        if j < k and w.lower() in ("were", "was", "are", "is"):
            return None  # another clause: "24 pilgrims returning ... were killed and 40 others"
        if (
            w.islower()
            and w.isalpha()
            and ((w.endswith("ing") and w not in _NOT_PARTICIPLES) or w in _POSTED)
        ):
            # the noun phrase the participle follows: "two policemen", "two of the guards"
            nps = _np_before(toks, j - 1)[:1] or _partitive(toks, j - 1) or []
            if nps and 2 <= nps[0][0] < 1900:  # (not "the 2025 hijacking": a noun, dated)
                return nps
            if k - j >= 6:
                return None  # (an earlier participle may head the subject: "two policemen
                # deputed for the security of engineers working on ...")
    return None


#: past participles that post a subject somewhere: "two policemen deputed for the security of"
_POSTED = frozenset(
    ["deputed", "deployed", "posted", "assigned", "stationed", "tasked", "employed", "hired"]
)


def _left_one(toks: list[tuple[str, int, int]], k: int) -> NP | None:
    """One person an event "left" hurt or dead, told by a singular noun after an article or a
    possessive: "left the school's watchman injured", "leaving a passer-by dead" (``k`` is the
    noun before the verb); None otherwise."""
    if k < 2 or not toks[k][0].isalpha() or toks[k][0].lower().endswith("s"):
        return None
    for j in range(k - 1, max(0, k - 5), -1):
        w = toks[j][0].lower()
        if w in ("the", "a", "an", "his", "her", "their"):
            if toks[j - 1][0].lower() in ("left", "leaving", "leaves", "leave"):
                return (1, 0, None, False, toks[j][1], toks[k][2])
            return None
        if not re.sub(r"['’-]", "", toks[j][0]).isalpha() or w in STOP:
            return None  # (a possessive or a compound is a word: "the school's watchman")
    return None


def _before_postmodifier(toks: list[tuple[str, int, int]], k: int) -> int:
    """The token before what follows the head noun of a subject: an apposition ("two people,
    including a Levies official, were killed") or a place it is from ("six labourers from
    Punjab were shot dead"); -1 when there is none."""
    if k < 2:
        return -1
    if toks[k][0] == ",":
        for j in range(k - 1, max(0, k - 14), -1):
            if toks[j][0] == ",":
                return j - 1 if toks[j + 1][0].lower() in _APPOSITION_OPENERS else -1
        return -1
    j = k
    while j >= 0 and k - j < 4 and toks[j][0][:1].isupper():
        j -= 1
    if j < k and j >= 1 and toks[j][0].lower() in ("from", "of", "in") and toks[j - 1][0].isalpha():
        return j - 1
    # a named project, camp or unit after "the": "five Chinese engineers from the Dasu project"
    j, named = k, False
    while j >= 2 and k - j < 5 and toks[j][0].isalpha() and toks[j][0].lower() != "the":
        named = named or toks[j][0][:1].isupper()
        j -= 1
    if (
        named
        and toks[j][0].lower() == "the"
        and toks[j - 1][0].lower() in ("from", "of")
        and toks[j - 2][0].isalpha()
    ):
        return j - 2
    return -1


#: words :func:`number` reads as one that do not open a count of victims of their own
_ONE_WORDS = frozenset({"a", "an", "his", "her"})


def _word_back(toks: list[tuple[str, int, int]], start: int, stop: int, word: str) -> int:
    """The index of ``word``, walking back from token ``start`` to ``stop`` (not included);
    -1 when another clause or a count comes first ("at a roadside eatery" is no count)."""
    for j in range(start, stop, -1):
        w = toks[j][0]
        if w in (",", ";", ":") or (number(w) is not None and w.lower() not in _ONE_WORDS):
            return -1
        if w.lower() == word:
            return j
    return -1


def _before_including(toks: list[tuple[str, int, int]], k: int) -> int:
    """The token before an "including" phrase with no count of its own that ends at token k:
    "14 passengers including personnel of Navy and Coast Guards were shot dead"; -1 when
    there is none."""
    j = _word_back(toks, k, max(0, k - 10), "including")
    return j - 1 if j >= 0 else -1


def _before_relative_clause(toks: list[tuple[str, int, int]], k: int) -> int:
    """The token before a relative clause that ends at token k: "four policemen who were
    having iftar at a roadside eatery were shot dead" (the count before "who"); -1 when
    there is none."""
    j = _word_back(toks, k - 1, max(0, k - 14), "who")
    if j < 0:
        return -1
    head = j - 1 if j >= 1 and toks[j - 1][0] != "," else j - 2
    for i in range(head, max(-1, head - 6), -1):
        t = toks[i][0]
        if t == ",":
            return -1  # "two visitors, a father and his son who ...": an apposition
        if number(t) is not None and t.lower() not in _ONE_WORDS:
            return head
    return -1


#: people a headline names without an article, besides :data:`PLURAL_VICTIM_SINGULAR`
_HEADLINE_PERSONS = frozenset(
    [
        *("member", "elder", "leader", "journalist", "politician", "commander", "activist"),
        *("lawyer", "civilian", "tribesman", "youth", "trader", "shopkeeper", "cleric"),
    ]
)


def _bare_singular_subject(toks: list[tuple[str, int, int]], k: int) -> bool:
    """The words opening the sentence up to token k are a person named as headlines do, with
    no article or number: "Policeman", "Aid worker", "Member of anti-Taliban militia"."""
    if not 0 <= k < 6 or not toks[0][0][:1].isupper():
        return False
    words = [t[0].lower() for t in toks[: k + 1]]
    if not all(w.replace("-", "").isalpha() for w in words):
        return False
    if any(w in STOP and w != "of" for w in words) or any(number(w) is not None for w in words):
        return False
    if any(w in _NOT_ONE for w in words):
        return False  # "No FC personnel were hurt", "Other workers were injured"
    head = words[words.index("of") - 1] if "of" in words[1:] else words[-1]
    return head != "personnel" and (head in PLURAL_VICTIM_SINGULAR or head in _HEADLINE_PERSONS)


#: words that make a bare noun no one person
_NOT_ONE = frozenset(
    [
        "no",
        "not",
        "none",
        "neither",
        "nor",
        "any",
        "all",
        "some",
        "many",
        "several",
        "other",
        "others",
        "more",
        "most",
        "few",
        "both",
        "each",
        "every",
        "such",
    ]
)


def _before_of_phrase(toks: list[tuple[str, int, int]], k: int, any_head: bool = False) -> int:
    """The head noun before an "of" phrase that ends at token k, when one does: "a local leader
    of the Jamiat Ulema-e-Islam (JUI-F) and his nephew" lists the leader, not the party;
    with ``any_head``, any word heads it ("three persons of the Marri tribe were killed");
    else k."""
    for o in range(k, max(0, k - 12), -1):
        w = toks[o][0]
        if w.lower() == "of":
            head = toks[o - 1][0].lower() if o >= 1 else ""
            if any_head and head.isalpha() and head not in STOP and number(head) is None:
                return o - 1
            return o - 1 if head in _NAMED_ROLES or head[:-1] in _NAMED_ROLES else k
        if (
            w == "and"
            and 0 < o < k
            and toks[o - 1][0][:1].isupper()
            and toks[o + 1][0][:1].isupper()
        ):
            continue  # "of the Oil and Gas Development Company": one name
        if (w.lower() in STOP and w.lower() != "the") or _VERB.fullmatch(w):
            return k
    return k


#: a verb whose object is a count of victims: "killed two policemen", "injuring three"
_OBJECT_VERB = re.compile(
    r"killed|killing|kills?|injured|injuring|injures?|wounded|wounding|wounds?|martyred|martyring",
    re.I,
)


_PLURAL_PERSONS = ("persons", "people", "men", "personnel", "soldiers", "troops")


def _before_names(toks: list[tuple[str, int, int]], k: int) -> int | None:
    """The plural that a list of names ending at token k follows, when a count opens it:
    "two policemen, Constable A and Constable B" (the index of "policemen"); None else."""
    j, names = k, 0
    while j >= 0 and (toks[j][0][:1].isupper() or toks[j][0] in (",", "and", "-")):
        names += toks[j][0][:1].isupper()
        j -= 1
    if j < 1 or names < 2 or j == k:
        return None
    head = toks[j][0].lower()
    if not (head.endswith(_PLURAL_PERSONS) or head in _FORCES):
        return None
    return j if any(number(t[0]) for t in toks[max(0, j - 3) : j]) else None


#: the one hurt died of it: "(received injuries) and died on the spot", "and later succumbed"
_DIED_AFTER = re.compile(
    r"(?:\s+(?:in|during|from)\s+(?:the\s+)?[\w-]+)?\s+and\s+(?:later\s+|subsequently\s+)?"
    r"(?:died|succumbed|passed away|expired)\b",
    re.I,
)


def _ranks_listed(toks: list[tuple[str, int, int]], i: int) -> list[NP] | None:
    """The soldiers a list after a colon names, one for each rank that opens a name ("Lance
    Naik" is one rank): "embraced shahadat: Naik A, Sepoy B and Sepoy C" gives three."""
    if i >= len(toks) or toks[i][0] != ":":
        return None
    n, prev_rank = 0, False
    for t in toks[i + 1 :]:
        rank = t[0].lower() in _RANKS
        n += rank and not prev_rank
        prev_rank = rank
    return [(n, 0, None, False, toks[i + 1][1], toks[-1][2])] if n >= 2 else None


def _the_attacker(toks: list[tuple[str, int, int]], k: int) -> int | None:
    """The index of "the" opening a singular attacker that ends at token k ("the suicide
    bomber", "the attacker"), or None."""
    word = toks[k][0].lower()
    if word not in ATTACKERS or word.endswith(("s", "men")):
        return None
    for j in range(k - 1, max(-1, k - 3), -1):
        if toks[j][0].lower() == "the":
            return j
    return None


def _without_apposition(parsed: list[NP], sentence: str, offset: int) -> list[NP]:
    """One person named twice, the second time by "a" role after a comma ("The victim, a
    resident of Bannu, was shot dead"; "shot dead Sher Ali, a police constable"): one, not a
    list of two."""
    if len(parsed) != 2 or any(np[0] != 1 or np[1] for np in parsed):
        return parsed
    first, second = sorted(parsed, key=lambda np: np[4])
    between = sentence[first[5] - offset : second[4] - offset]
    after = sentence[second[5] - offset : second[5] - offset + 40].lower()
    if (
        between.strip() == ","
        and sentence[second[4] - offset :].lower().startswith(("a ", "an "))
        and not re.match(r"\W*(?:were|have been|are)\b", after)  # ("a policeman, a soldier were")
    ):
        return [(1, 0, first[2], first[3] or second[3], first[4], second[5])]
    return parsed


#: the count is what an attacker was: "the burqa-clad attacker was a man who succumbed"
_IS_THE_ATTACKER = re.compile(
    r"\b(?:attackers?|bombers?|assailants?|militants?|terrorists?|gunm[ae]n)\s+(?:was|were)\s+$",
    re.I,
)


def _others_of_attackers(counts: list[Count], parsed: list[NP], sentence: str, offset: int) -> bool:
    """The count is of "others" alone, and the sentence's killed so far are attackers only."""
    killed = [c for c in counts if c.what == "kill" and c.start >= offset]
    return (
        bool(killed)
        and all(c.attackers for c in killed)
        and not parsed[0][3]
        and _ends_with_others(parsed, sentence, offset)
    )


def _ends_with_others(nps: list[NP], sentence: str, offset: int) -> bool:
    """The counts are one noun phrase of "others": "three others"."""
    return len(nps) == 1 and sentence[nps[0][4] - offset : nps[0][5] - offset].lower().endswith(
        "others"
    )


#: how many tokens before a verb :func:`_without_names` reads
_NAMES_REACH = 80


def _without_names(
    toks: list[tuple[str, int, int]], k: int
) -> tuple[list[tuple[str, int, int]], int]:
    """The tokens up to k without the names given after each person ("a shopkeeper identified
    as A and a passer by identified as B were killed" reads as "a shopkeeper and a passer
    by"), and the index of the last one kept; (toks, -1) unless names were dropped from a
    list of persons (one person's name is :func:`_singular_subject`'s). Only the
    :data:`_NAMES_REACH` tokens before k are read: a list's subject is never longer, and a
    scan from the sentence's start for each verb made a long sentence cost its square."""
    start = max(0, k - _NAMES_REACH)
    if not any(toks[x][0].lower() == "identified" for x in range(start, k)):
        return toks, -1
    kept: list[tuple[str, int, int]] = []
    i, dropped, joined = start, False, False
    while i <= k:
        w = toks[i][0].lower()
        if w == "identified" and i + 1 <= k and toks[i + 1][0].lower() == "as":
            j = i + 2
            while j <= k and (toks[j][0][:1].isupper() or toks[j][0] in (",", "-")):
                j += 1
            if j > i + 2:
                while kept and kept[-1][0] == ",":
                    kept.pop()
                i, dropped = j, True
                continue
        joined = joined or (dropped and w == "and")
        if w == "passer" and i + 1 <= k and toks[i + 1][0].lower() == "by":
            kept.append(("passerby", toks[i][1], toks[i + 1][2]))  # one noun in two words
            i += 2
            continue
        kept.append(toks[i])
        i += 1
    return (kept, len(kept) - 1) if joined else (toks, -1)


def _np_before(toks: list[tuple[str, int, int]], k: int) -> list[NP]:
    """Walk back over a noun-phrase list ending at token k ("five Chinese and their driver",
    "three policemen and two militants"): its noun phrases, last first. A count after
    "including" gives way to the count it is part of ("seven people including four
    policemen"); an age is one person when "a" or "an" opens it."""
    out: list[NP] = []
    while k >= 0:
        head_end = toks[k][2]
        # "31 civilians and security personnel dead": nouns joined without a count of their
        # own share the count before them (unless the second are the attackers)
        for gap in (1, 2):
            a = k - gap
            if (
                a >= 2
                and toks[a][0].lower() == "and"
                and all(t[0][:1].isalpha() and number(t[0]) is None for t in toks[a + 1 : k + 1])
                and not any(t[0].lower() in ATTACKERS for t in toks[a + 1 : k + 1])
                and toks[a - 1][0][:1].isalpha()
                and number(toks[a - 1][0]) is None
            ):
                k = a - 1
                break
        j = k
        # find the number that opens this noun phrase (up to 5 tokens back)
        while j >= 0 and k - j < 5:
            if (
                number(toks[j][0]) is not None
                and (
                    toks[j][0].lower() not in ("his", "her")
                    # "his guard", "his security guard"
                    or any(t[0].lower() in _GUARDS for t in toks[j + 1 : k + 1])
                )
            ):
                break
            if toks[j][0].lower() in STOP or not toks[j][0][:1].isalnum():
                j = -1
                break
            j -= 1
        if j < 0 or k - j >= 5:
            if out and _bare_singular_subject(toks, k):
                # a headline's list opened by a person without an article: "Policeman, two
                # militants killed in gunfight" (one more)
                att = any(t[0].lower() in ATTACKERS for t in toks[: k + 1])
                out.append((1, 0, None, att, toks[0][1], toks[k][2]))
            elif (the := _the_attacker(toks, k)) is not None:
                # "The suicide bomber and three policemen were killed", "three policemen and
                # the attacker were killed": the one attacker too
                out.append((1, 0, None, True, toks[the][1], toks[k][2]))
                if the >= 2 and toks[the - 1][0].lower() in ("and", ","):
                    k = the - 2
                    continue
            break
        if j > 0 and toks[j - 1][0].lower() in ("no", "none"):
            break  # "no one was killed"
        if _is_age(toks, j):
            if j > 0 and toks[j - 1][0].lower() in ("a", "an"):
                n, _f, _na, att, _s, _e = _np(toks[j - 1 : k + 1]) or (1, 0, None, False, 0, 0)
                out.append((1, 0, None, att, toks[j - 1][1], toks[k][2]))
            break
        got = _np(toks[j : k + 1])
        if got is None:
            break
        if out and any(
            t[0].lower() in _AUX or _VERB.fullmatch(t[0]) or t[0].lower() in _CLAUSE_VERBS
            for t in toks[j : k + 1]
        ):
            break  # "a policeman embraced martyrdom and two others were hurt": a clause
        if out and j >= 1 and toks[j - 1][0].lower() in _PREPOSITIONS:
            break  # "after an intense exchange of fire, six khawarij were ...": no list
        n, f, na, att, s0, _e = got
        if att and j >= 1 and toks[j - 1][0].lower() in ("his", "her", "their"):
            att = False  # "his two other gunmen": his guards
        out.append((n, f, na, att, s0, max(toks[k][2], head_end)))
        if j - 1 >= 0 and toks[j - 1][0].lower() == "among":
            part = _np_before(toks, j - 2)
            if part:
                # "Four security men among five killed": the count after "among" is the toll,
                # the one before it a part of it (who they were)
                out[-1] = (n, f, na, att, part[0][4], out[-1][5])
        if j - 1 >= 0 and toks[j - 1][0].lower() == "including":
            o = j - 2
            if o >= 0 and toks[o][0] == ",":
                o -= 1  # "seven others, including a woman and two children"
            outer = _np_before(toks, o)
            if j >= 2 and outer and not outer[-1][3]:
                return outer  # "seven persons including four policemen": seven
        if j - 1 >= 0 and toks[j - 1][0].lower() in _POSTMODIFIER and not out[:-1]:
            head = _np_before(toks, j - 2)
            if head:
                # "two employees of a company", "a guard and a clerk of a shop", "seven
                # passengers on a bus": the people, not what they were of or on
                return head
        if (
            j >= 2
            and toks[j - 1][0].lower() in ("his", "her", "their")
            and toks[j - 2][0].lower() in ("and", ",")
        ):
            j -= 1  # "a lawyer and his two sons": the list goes on before the possessive
        if j - 1 >= 0 and toks[j - 1][0].lower() in ("and", ","):
            if j >= 2 and re.fullmatch(r"(?:19|20)\d\d", toks[j - 2][0]):
                break  # "In July 2021, nine engineers and four ...": a date, no list
            if j >= 3 and toks[j - 2][0].isdigit() and toks[j - 3][0].lower()[:3] in MONTH_STEMS:
                break  # "on October 14, six labourers": a date's day, no list
            if j >= 2 and toks[j - 1][0] == "," and toks[j - 2][0].lower() in _TIME_WORDS:
                break  # "A day earlier, a soldier", "Two days ago, three men": a time, no list
            back = toks[max(0, j - 8) : j - 1]
            if any(
                _OBJECT_VERB.fullmatch(t[0]) and number(u[0]) is not None
                for t, u in itertools.pairwise(back)
            ):
                break  # "killed two policemen, three others were injured": another verb's
            last = j - 2
            if (
                last >= 1
                and toks[j - 1][0].lower() == "and"
                and toks[last][0] == ","
                and toks[last - 1][0].isalpha()
                and toks[last - 1][0].islower()
            ):
                last -= 1  # "A, a tribal elder, and his son": the comma before "and"
            k = _before_of_phrase(toks, last)
            continue
        if (
            j >= 3
            and toks[j - 1][0].lower() == "with"
            and toks[j - 2][0].lower() in ("along", "together")
        ):
            k = j - 3  # "a tribal elder along with his guard was shot dead": two
            continue
        break
    return out


#: the dead and the hurt in one count: "100 people were killed or injured", "killed or
#: wounded 40", a headline's "35 troops killed, wounded" (not "killed and injured", which
#: often tells two counts: "two were killed and injured five others")
_JOINT_AFTER = re.compile(r"\s*(?:,|or|and/or)\s+(?:injured|wounded|hurt|maimed)\b", re.I)
_JOINT_BEFORE = re.compile(r"\b(?:killed|dead)\s*(?:,|or|and/or)\s+$", re.I)
_JOINT_KILL = frozenset(["killed", "dead"])


def _joint(sentence: str, start: int, end: int) -> str | None:
    """Why the count of the verb at ``start:end`` is no count of the dead or of the hurt
    alone: the two verbs share it."""
    word = sentence[start:end].lower()
    if (word in _JOINT_KILL and _JOINT_AFTER.match(sentence, end)) or (
        _INJURE_WORD.fullmatch(word) and _JOINT_BEFORE.search(sentence, max(0, start - 12), start)
    ):
        return "the dead and the hurt counted together"
    return None


#: a count told for several attacks at once: "killed at least 14 people in two attacks"
_SEVERAL = re.compile(
    r"\b(?:in|during)\s+(?:two|three|four|five|separate|multiple)\s+(?:[\w-]+\s+)?"
    r"(?:attacks|incidents|blasts|bombings|assaults|ambushes)\b",
    re.I,
)

#: kinds whose report of "no one was hurt" sets ``injured`` to 0
_VIOLENT = {"suicide_attack", "bombing", "attack", "armed_clash", "abduction"}


def _combine(xs: list[tuple[int, bool, Count]]) -> tuple[int, int, int, str] | None:
    """(total, start, end, how) of the victims' counts, each given with its sentence's index
    and whether that sentence is a headline: the largest count of the first body sentence
    that counts (the lead; a headline's only when no body sentence counts), plus every
    additive count after it ("two more", "another"); None without victims."""
    victims = [(i, h, x) for i, h, x in xs if not x.attackers and x.reject is None]
    if not victims:
        return None
    victims = [v for v in victims if not v[2].total] or victims
    base_pool = [v for v in victims if not v[2].additive]
    body = [v for v in base_pool if not v[1]] or base_pool
    if not body:
        first = min(victims, key=lambda v: v[2].start)[2]
        total = sum(v[2].n for v in victims)
        return total, first.start, first.end, "additive counts only"
    lead_i = min(v[0] for v in body)
    lead = max((v[2] for v in body if v[0] == lead_i), key=lambda x: x.n)
    extra = [
        v[2]
        for v in victims
        # (in the lead's own sentence too, told after its count: "three were killed on the
        # spot while two others succumbed in hospital")
        if v[2].additive and (v[0] > lead_i or (v[0] == lead_i and v[2].start >= lead.end))
    ]
    total = lead.n + sum(x.n for x in extra)
    how = "the first sentence that counts them" + (
        f", plus {len(extra)} count(s) of more victims" if extra else ""
    )
    return total, lead.start, lead.end, how


def _rejected(
    ev: CandidateEvent, field: str, xs: list[tuple[int, bool, Count]], *, attackers: bool = False
) -> None:
    """Record in the event's evidence and notes the numbers read but not taken, and why (of
    the attackers' counts with ``attackers``, else of the others)."""
    bad = [x for _i, _h, x in xs if x.reject and x.attackers == attackers]
    if bad:
        ev.evidence[f"{field}_rejected"] = (bad[0].start, bad[0].end)
        reasons = sorted({f"{x.n}: {x.reject}" for x in bad})
        ev.notes[f"{field}_rejected"] = "; ".join(reasons)


#: the fields :func:`fill_casualties` sets
FIELDS = (
    "fatalities",
    "attackers_killed",
    "total_fatalities",
    "foreign_fatalities",
    "foreign_nationality",
    "injured",
    "abducted",
)


def fill_casualties(ev: CandidateEvent, per_sentence: Iterable[Casualties | None]) -> None:
    """Set the event's casualty fields from the counts of its sentences (in order): victims
    killed (the latest toll first, else the lead's count plus "more" counts), attackers
    killed, their total, foreign victims, injured, abducted. Numbers that are not casualty
    figures (a year, a tally of many attacks, the attackers' claim) are left out, with their
    reason in ``ev.notes`` and their span in ``ev.evidence`` (``fatalities_rejected``)."""
    C = CONFIDENCE
    kills: list[tuple[int, bool, Count]] = []
    injured: list[tuple[int, bool, Count]] = []
    abducted: list[tuple[int, bool, Count]] = []
    toll: tuple[int, int, int] | None = None
    breakdown: list[tuple[int, str | None, int, int]] = []
    none: tuple[int, int, bool, bool] | None = None
    for i, c in enumerate(per_sentence):
        if c is None:
            continue
        for x in c.counts:
            bucket = kills if x.what == "kill" else injured if x.what == "injure" else abducted
            bucket.append((i, c.headline, x))
        toll = c.toll or toll
        breakdown.extend(c.breakdown or [])
        if c.none is not None and (none is None or (none[2] and not c.none[2])):
            none = c.none  # "No one was killed" after "the Chinese staff were unhurt": everyone
    k = _combine(kills)
    _rejected(ev, "fatalities", kills)
    _rejected(ev, "attackers_killed", kills, attackers=True)
    _rejected(ev, "injured", injured)
    if toll is not None:
        ev.set("fatalities", toll[0], (toll[1], toll[2]), C.fatalities_counted, "fatalities:toll")
        ev.notes["fatalities"] = "the latest death toll"
    elif k is not None:
        ev.set(
            "fatalities", k[0], (k[1], k[2]), C.fatalities_counted, f"fatalities:count:{ev.kind}"
        )
        ev.notes["fatalities"] = k[3]
    elif none is not None and not none[2]:
        ev.set("fatalities", 0, (none[0], none[1]), C.fatalities_none, "fatalities:none")
        ev.notes["fatalities"] = "the text says nobody was killed"
    att = [(i, x) for i, _h, x in kills if x.attackers and x.reject is None]
    if att:
        # the largest count, plus the "others" told after it in its sentence ("two militants
        # were killed in the initial exchange while three others were killed later"; an "also
        # killed" is often another encounter's)
        base_i, base = max(
            ((i, x) for i, x in att if not x.additive), key=lambda v: v[1].n, default=att[0]
        )
        n_att = base.n + sum(
            x.n
            for i, x in att
            if x.additive and x.noun == "others" and i == base_i and x.start >= base.end
        )
        ev.set("attackers_killed", n_att, (base.start, base.end), C.attackers_killed_counted)
    if ev.fatalities is not None or ev.attackers_killed is not None:
        total = (ev.fatalities or 0) + (ev.attackers_killed or 0)
        ev.set("total_fatalities", total, None, C.total_fatalities_sum)
    foreign = [x for _i, _h, x in kills if x.foreign and not x.attackers and x.reject is None]
    if breakdown:
        n, nat, s0, e0 = breakdown[0]
        ev.set("foreign_fatalities", n, (s0, e0), C.foreign_counted, "foreign:breakdown")
        ev.set("foreign_nationality", nat, (s0, e0), C.foreign_counted)
    elif foreign:
        first = foreign[0]  # a retelling repeats the count: the first, not their sum
        span = (first.start, first.end)
        ev.set("foreign_fatalities", first.foreign, span, C.foreign_counted, "foreign:count")
        nationality = next((x.nationality for x in foreign if x.nationality), None)
        ev.set("foreign_nationality", nationality, span, C.foreign_counted)
    elif none is not None and none[2] and ev.fatalities is None:
        ev.set("foreign_fatalities", 0, (none[0], none[1]), C.foreign_none, "foreign:none")
    inj = _combine(injured)
    if inj is not None:
        ev.set("injured", inj[0], (inj[1], inj[2]), C.injured_counted, f"injured:count:{ev.kind}")
        ev.notes["injured"] = inj[3]
    elif none is not None and not none[2] and not none[3] and ev.kind in _VIOLENT:
        ev.set("injured", 0, (none[0], none[1]), C.injured_none, "injured:none")
    a = _combine(abducted)
    if a is not None:
        ev.set("abducted", a[0], (a[1], a[2]), C.abducted_counted)
