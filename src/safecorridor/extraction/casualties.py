# ruff: noqa: E501  (regex lexicons are kept on one line each for readability)
"""Casualties: counts in a sentence (words and digits, ranges, breakdowns, attackers kept
apart; :func:`parse`) and an event's figures from its sentences' counts
(:func:`fill_casualties`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from safecorridor.extraction.confidence import CONFIDENCE
from safecorridor.extraction.types import CandidateEvent

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
    "khawarij",
    "khwarij",
    "kharijis",
    "fidayeen",
    "fidayee",
    "raiders",
    "hijackers",
    "kidnappers",
    "outlaws",
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

_TOK = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*|[^\sA-Za-z0-9]")
KILL = r"killed|killing|kills|kill|dead|died|die|martyred|martyring|martyrdom|shahadat|perished|lives|life|slain|shot dead|gunned down|succumbed|bodies|death|neutrali[sz]ed|eliminated"
INJURE = r"injured|injuring|injuries|wounded|wounding|hurt|injures|injure"
ABDUCT = r"abducted|abducting|kidnapped|kidnapping|abducts|kidnaps|taken hostage|held hostage|whisked away|went missing"
_VERB = re.compile(
    rf"\b(?=\w)(?:(?P<kill>{KILL})|(?P<injure>{INJURE})|(?P<abduct>{ABDUCT}))\b", re.I
)
_TOLL = re.compile(
    r"\b(?:death toll|toll|number of (?:the )?dead|number of deaths|casualties)\s+(?:[^\s.;]+\s+){0,15}?(?:rose|climbed|reached|jumped|increased|went up|risen|stood|stands|is|was|has risen|had risen)\s+(?:to\s+)?(?:at least\s+)?(?P<n>\d+|[a-z]+)\b",
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
_NONE = re.compile(
    r"\bno (?:casualties|(?P<k1>loss of (?:life|lives)|deaths?|fatalities)|injuries|one was (?:hurt|injured|harmed|wounded)|(?P<k2>one was killed|one died|one lost (?:his|her|their) li(?:fe|ves))|(?P<dem>Chinese|foreign) (?:national |nationals |citizens? |engineers? |workers? )?(?:was |were )?(?:killed|hurt|harmed|injured|casualties))\b|\b(?P<dem2>Chinese|Japanese|Korean|American|British|Russian|Turkish|foreign(?:ers?)?|expatriates?)\b[\w ,]{0,40}?\b(?:escaped|remained) (?:unhurt|unharmed)\b|\bwithout (?:causing )?(?:any )?casualties\b",
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
}
_MARTYR = {"martyred", "martyrdom", "shahadat", "succumbed", "died"}
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


def _fast(rx: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?=\w)(?:" + rx.pattern + ")", rx.flags)


_TOLL = _fast(_TOLL)
_BREAK = _fast(_BREAK)
_BREAK2 = _fast(_BREAK2)
_NONE = _fast(_NONE)
_ORDINAL_MORE = re.compile(
    r"\b(?:another|more|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|additional|further)\b",
    re.I,
)


@dataclass
class Count:
    what: str  # kill | injure | abduct
    n: int
    foreign: int
    nationality: str | None
    attackers: bool
    additive: bool
    noun: str | None
    start: int
    end: int


@dataclass
class Casualties:
    counts: list[Count]
    toll: tuple[int, int, int] | None = None  # (n, start, end)
    breakdown: list[tuple[int, str | None, int, int]] | None = None
    none: tuple[int, int, bool, bool] | None = None  # (start, end, foreign_only, deaths_only)


def number(tok: str) -> int | None:
    t = tok.lower().replace(",", "")
    if t.isdigit():
        return int(t)
    if "-" in t:
        a, _, b = t.partition("-")
        if a in NUMBERS and b in NUMBERS:
            return NUMBERS[a] + NUMBERS[b]
    return NUMBERS.get(t)


def _np(tokens: list[tuple[str, int, int]]) -> tuple[int, int, str | None, bool, int, int] | None:
    """Parse [quant] NUM [-/to NUM] mods* [noun] → (n, foreign, nationality?, attackers, s, e)."""
    i = 0
    while i < len(tokens) and tokens[i][0].lower() in QUANT_WORDS:
        i += 1
    if i >= len(tokens):
        return None
    n = number(tokens[i][0])
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
    for k in range(j, min(j + 4, len(tokens))):
        w = tokens[k][0]
        lw = w.lower()
        if lw in STOP or not w[:1].isalpha():
            break
        if lw == "pakistani":
            end = tokens[k][2]
            continue
        if lw in DEMONYMS:
            foreign, nationality = True, DEMONYMS[lw] or nationality
            if lw == "sri":
                continue
        if lw in ATTACKERS and low not in ("his", "her", "their"):
            attackers = True  # "his gunman" is a guard, not an attacker
        noun_seen = True
        end = tokens[k][2]
    if low in ("a", "an", "his", "her", "their", "both") and not noun_seen:
        return None
    return n, (n if foreign else 0), nationality, attackers, start, end


def _tokens(text: str, offset: int) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start() + offset, m.end() + offset) for m in _TOK.finditer(text)]


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
}


def parse(sentence: str, offset: int) -> Casualties:
    """Casualty statements in one sentence (offsets into the whole text)."""
    out = Casualties([])
    if not _VERB.search(sentence) and not _NONE.search(sentence):
        return out
    toks = _tokens(sentence, offset)
    starts = {s: i for i, (_, s, _e) in enumerate(toks)}
    for m in _VERB.finditer(sentence):
        what = "kill" if m.group("kill") else "injure" if m.group("injure") else "abduct"
        word = m.group(0).lower()
        vi = starts.get(m.start() + offset)
        if vi is None:
            continue
        also = "also" in sentence[max(0, m.start() - 12) : m.start()].lower()
        parsed = None
        # after the verb: "killing four", "injured 12 others", "left five dead"
        if word in (
            "killed",
            "killing",
            "kill",
            "kills",
            "martyring",
            "martyred",
            "injuring",
            "injured",
            "wounding",
            "wounded",
            "abducted",
            "abducting",
            "kidnapped",
            "kidnapping",
            "hurt",
            "gunned down",
            "shot dead",
        ):
            after = toks[vi + len(word.split()) : vi + 10]
            if after and after[0][0].lower() in ("in", "by"):
                after = []
            got = _np(after) if after else None
            if got is not None:
                parsed = got
                # a list: "killing two police officers and two visitors"
                rest = [t for t in after if t[1] > got[5] - 1 and t[1] >= got[5]]
                while (
                    len(rest) > 1
                    and rest[0][0].lower() in ("and", ",")
                    and number(rest[1][0]) is not None
                ):
                    more = _np(rest[1:])
                    if more is None or (
                        rest[1][0].lower() in ("a", "an") and more[5] == rest[1][2]
                    ):
                        break
                    n0, f0, na0, at0, s0, _e0 = parsed
                    parsed = (n0 + more[0], f0 + more[1], na0 or more[2], at0, s0, more[5])
                    rest = [t for t in rest if t[1] >= more[5]]
        if word == "bodies" and vi + 2 < len(toks) and toks[vi + 1][0].lower() == "of":
            parsed = _np(toks[vi + 2 : vi + 10])  # "the bodies of two labourers"
        if parsed is None:
            # before the verb: "four people were killed", "11 dead", "two soldiers martyred"
            k = vi - 1
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
                break
            if k >= 0 and toks[k][0].lower() in ("he", "she") and what == "kill":
                parsed = (1, 0, None, False, toks[k][1], toks[k][2])
            elif k >= 0 and toks[k][0].lower() in ("them", "all") and what == "kill":
                # "offloaded nine passengers before shooting them dead": the last count before
                for j in range(k - 1, -1, -1):
                    if number(toks[j][0]) is not None and toks[j][0].lower() not in _PRONOUN_NUM:
                        parsed = _np(toks[j : j + 5])
                        break
            if k >= 0 and toks[k][0] == ",":
                for j in range(k - 1, max(-1, k - 10), -1):
                    if toks[j][0].lower() in ("including", "among"):
                        k = j - 1
                        if k >= 0 and toks[k][0] == ",":
                            k -= 1
                        break
            if word in (
                "lives",
                "life",
                "injuries",
                "martyrdom",
                "shahadat",
                "death",
                "bodies",
            ) and not any(
                t[0].lower() in ("lost", "sustained", "embraced", "succumbed")
                for t in toks[max(0, vi - 3) : vi]
            ):
                continue
            if word == "injuries" and any(
                t[0].lower() == "succumbed" for t in toks[max(0, vi - 4) : vi]
            ):
                continue
            if parsed is None:
                parsed = _np_before(toks, k)
            if parsed is None and what == "kill" and word in _MARTYR:
                # "Sepoy Muhammad Ali (age 24 ...), having fought gallantly, embraced shahadat"
                for t in toks[max(0, vi - 25) : vi]:
                    if t[0].lower() in _RANKS:
                        parsed = (1, 0, None, False, t[1], t[2])
                        break
        if parsed is None:
            continue
        n, foreign, nat, attackers, s, e = parsed
        if not also and _ORDINAL_MORE.search(sentence, s - offset, e - offset):
            also = True  # "a fifth constable succumbed", "two more people were killed"
        s, e = min(s, m.start() + offset), max(e, m.end() + offset)
        out.counts.append(Count(what, n, foreign, nat, attackers, also, None, s, e))
    for m in _TOLL.finditer(sentence):
        tn = number(m.group("n"))
        if tn is not None:
            out.toll = (tn, m.start() + offset, m.end() + offset)
    for rx in (_BREAK, _BREAK2):
        for m in rx.finditer(sentence):
            bn = number(m.group("n"))
            if bn is not None:
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
    nm = _NONE.search(sentence)
    if nm:
        out.none = (
            nm.start() + offset,
            nm.end() + offset,
            bool(nm.group("dem") or nm.group("dem2")),
            bool(nm.group("k1") or nm.group("k2")),
        )
    return out


def _np_followed_by_verb(after: list[tuple[str, int, int]]) -> bool:
    # "killed four" is fine, but "injured 12 were shifted" is the before-pattern of another clause
    return False


def _np_before(
    toks: list[tuple[str, int, int]], k: int
) -> tuple[int, int, str | None, bool, int, int] | None:
    """Walk back over a noun-phrase list ending at token k: "five Chinese and their driver"."""
    total, foreign, nat, attackers = 0, 0, None, False
    start = end = -1
    found = False
    while k >= 0:
        j = k
        # find the number that opens this noun phrase (up to 5 tokens back)
        while j >= 0 and k - j < 5:
            if number(toks[j][0]) is not None and (
                toks[j][0].lower() not in ("his", "her")
                or (j < k and toks[j + 1][0].lower() in _GUARDS)
            ):
                break
            if toks[j][0].lower() in STOP or not toks[j][0][:1].isalnum():
                j = -1
                break
            j -= 1
        if j < 0 or k - j >= 5:
            break
        if j > 0 and toks[j - 1][0].lower() in ("no", "none"):
            break  # "no one was killed"
        got = _np(toks[j : k + 1])
        if got is None:
            break
        n, f, na, att, s, _e = got
        total += n
        foreign += f
        nat = nat or na
        attackers = attackers or att
        start = s
        end = max(end, toks[k][2])
        found = True
        if j - 1 >= 0 and toks[j - 1][0].lower() in ("and", ","):
            k = j - 2
            continue
        break
    if not found:
        return None
    return total, foreign, nat, attackers, start, end


#: kinds whose report of "no one was hurt" sets ``injured`` to 0
_VIOLENT = {"suicide_attack", "bombing", "attack", "armed_clash", "abduction"}


def _combine(xs: list[Count]) -> tuple[int, int, int] | None:
    """(total, start, end) of the victims' counts: the largest base count plus every
    additive one ("two more"), spanned at the first; None without victims."""
    victims = [x for x in xs if not x.attackers]
    if not victims:
        return None
    base = [x for x in victims if not x.additive]
    add = [x for x in victims if x.additive]
    total = max((x.n for x in base), default=0) + sum(x.n for x in add)
    first = min(victims, key=lambda x: x.start)
    return total, first.start, first.end


def fill_casualties(ev: CandidateEvent, per_sentence: Iterable[Casualties | None]) -> None:
    """Set the event's casualty fields from the counts of its sentences: victims killed
    (a toll first), attackers killed, their total, foreign victims, injured, abducted."""
    C = CONFIDENCE
    kills: list[Count] = []
    injured: list[Count] = []
    abducted: list[Count] = []
    toll: tuple[int, int, int] | None = None
    breakdown: list[tuple[int, str | None, int, int]] = []
    none: tuple[int, int, bool, bool] | None = None
    for c in per_sentence:
        if c is None:
            continue
        for x in c.counts:
            (kills if x.what == "kill" else injured if x.what == "injure" else abducted).append(x)
        toll = c.toll or toll
        breakdown.extend(c.breakdown or [])
        none = none or c.none
    k = _combine(kills)
    if toll is not None:
        ev.set("fatalities", toll[0], (toll[1], toll[2]), C.fatalities_counted)
    elif k is not None:
        ev.set("fatalities", k[0], (k[1], k[2]), C.fatalities_counted)
    elif none is not None and not none[2]:
        ev.set("fatalities", 0, (none[0], none[1]), C.fatalities_none)
    att = [x for x in kills if x.attackers]
    if att:
        n_att = max(x.n for x in att)
        ev.set("attackers_killed", n_att, (att[0].start, att[0].end), C.attackers_killed_counted)
    if ev.fatalities is not None or ev.attackers_killed is not None:
        total = (ev.fatalities or 0) + (ev.attackers_killed or 0)
        ev.set("total_fatalities", total, None, C.total_fatalities_sum)
    foreign = [x for x in kills if x.foreign and not x.attackers]
    if breakdown:
        n, nat, s0, e0 = breakdown[0]
        ev.set("foreign_fatalities", n, (s0, e0), C.foreign_counted)
        ev.set("foreign_nationality", nat, (s0, e0), C.foreign_counted)
    elif foreign:
        span = (foreign[0].start, foreign[0].end)
        ev.set("foreign_fatalities", sum(x.foreign for x in foreign), span, C.foreign_counted)
        nationality = next((x.nationality for x in foreign if x.nationality), None)
        ev.set("foreign_nationality", nationality, span, C.foreign_counted)
    elif none is not None and none[2] and ev.fatalities is None:
        ev.set("foreign_fatalities", 0, (none[0], none[1]), C.foreign_none)
    i = _combine(injured)
    if i is not None:
        ev.set("injured", i[0], (i[1], i[2]), C.injured_counted)
    elif none is not None and not none[2] and not none[3] and ev.kind in _VIOLENT:
        ev.set("injured", 0, (none[0], none[1]), C.injured_none)
    a = _combine(abducted)
    if a is not None:
        ev.set("abducted", a[0], (a[1], a[2]), C.abducted_counted)
