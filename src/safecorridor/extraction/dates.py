# ruff: noqa: E501  (regex lexicons are kept on one line each for readability)
"""Dates: expressions absolute and relative to the publication date, with their precision
(:func:`find_dates`), and the choice of an event's date among its sentences' (:func:`event_date`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, TypeGuard

from safecorridor.extraction.casualties import NUMBERS
from safecorridor.extraction.confidence import CONFIDENCE
from safecorridor.extraction.triggers import WordStarts, at_word_starts
from safecorridor.extraction.words import KILLING_OF, MONTHS, WEEKDAYS

_M = r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_M2 = _M.replace("?P<mon>", "?P<mon2>")
_WD = r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_N = r"(?P<n>\d+|(?i:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))"
_PART = r"(?:\s+(?P<part>morning|afternoon|evening|night|midnight|noon))?"

# Order matters: earlier alternatives win at the same start; longer matches are tried first.
_PATTERNS: list[tuple[str, str]] = [
    ("iso", r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)\b"),
    ("numeric", r"\b(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>(?:19|20)\d\d)\b"),
    # "on the 6th of this month", "the 28th of last month"
    (
        "nth_of_month",
        r"\bthe\s+(?P<d>\d{1,2})(?:st|nd|rd|th)\s+of\s+(?P<which>this|the current|last|the previous)\s+month\b",
    ),
    (
        "dmy",
        r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?:of\s+)?" + _M + r",?\s+(?P<y>(?:19|20)\d\d)\b",
    ),
    ("mdy", r"\b" + _M + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b"),
    # "the night of 6/7 May": the night's first day
    (
        "dm",
        r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:/\d{1,2}(?:st|nd|rd|th)?)?\s+(?:of\s+)?"
        + _M
        + r"(?!\w)",
    ),
    (
        "md",
        r"\b" + _M + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?!\s*(?:,\s*)?(?:19|20)\d\d)(?![\d%])",
    ),
    ("my", r"\b(?:(?:early|mid|late|mid-)\s*-?)?" + _M + r",?\s+(?P<y>(?:19|20)\d\d)\b"),
    (
        "m_rel",
        r"\b(?:(?i:in|during|since|early|mid|late|an?|the|last|this past)|of)\s+(?:(?:early|mid|late)[- ])?"
        + _M2
        # (not "July 13", "July 2021", "July, 2021"; "Last July, 13 people were": a count)
        + r"(?!\s+(?:\d{1,2}\b|(?:19|20)\d\d)|,?\s+(?:19|20)\d\d)"
        r"(?:\s+(?P<rel>this year|last year|of this year|of last year))?(?=\W|$)",
    ),
    (
        "year",
        r"\b(?i:in|during|since)\s+(?:(?:early|mid|late)[- ]?)?(?P<y>(?:19|20)\d\d)\b(?!\s*[-–]\d)"
        # "the 2021 Dasu attack", "a 2018 assault on the consulate": a year that names an event
        r"|(?:(?<=\b[Tt]he )|(?<=\bof )|(?<=\bafter )|(?<=\bover )|(?<=\bfor )|(?<=\b[Aa] ))"
        r"(?P<y2>(?:19|20)\d\d)(?=\s+(?:[\w'’-]+\s+){0,4}?(?i:attacks?|bombings?|blasts?|massacre|assault|hijacking|siege|killings?|abduction|kidnapping|ambush|explosion|raid|incident|carnage|tragedy)\b)",
    ),
    (
        "rel_days",
        r"\b"
        + _N
        + r"\s+days?\s+(?P<dir>after|before|following|prior to)\s+(?:last\s+)?"
        + _WD
        + r"(?:['’]s)?",
    ),
    (
        "weekday",
        r"\b(?:(?P<mod>on|last|this past|this|on the night of|the night of|late on|early on|late|early|(?:in\s+)?the early hours of|early hours of|(?:in\s+)?the wee hours of|before dawn on|before dawn)\s+)?"
        + _WD
        + r"(?P<poss>['’]s)?"
        + _PART
        # "on Wednesday last": the Wednesday before (the region's English)
        + r"(?P<last>\s+last\b(?!\s+(?:week|month|year|night)))?"
        # "on Monday last week": that weekday of the week before
        + r"(?P<lastweek>\s+(?:of\s+)?(?:last|the previous)\s+week\b)?"
        + r"\b",
    ),
    # "A day later, armed men set fire to ...": the day after the day the story has reached
    (
        "nextday",
        r"\b(?:a day later|the next day|the following day|the day after)\b(?!\s+(?:the|a|an|its|his|her|their)\b)",
    ),
    (
        "prevday",
        r"\b(?:the previous day|the day before|a day earlier|a day before|the previous night|the night before|a day ago)\b",
    ),
    ("yesterday", r"\b(?:yesterday|last night|on the eve)\b"),
    (
        "today",
        r"\b(?:today|this morning|this afternoon|this evening|tonight|earlier today|early hours of today)\b",
    ),
    ("days_ago", r"\b" + _N + r"\s+days?\s+(?:ago|earlier|back)\b"),
    ("weeks_ago", r"\b" + _N + r"\s+weeks?\s+(?:ago|earlier|back)\b"),
    ("months_ago", r"\b" + _N + r"\s+months?\s+(?:ago|earlier|back)\b"),
    ("years_ago", r"\b" + _N + r"\s+years?\s+(?:ago|earlier|back)\b"),
    ("last_week", r"\b(?:last week|the previous week|the week before|a week ago|past week)\b"),
    # "over the weekend": the last Saturday and Sunday, told to the week
    (
        "weekend",
        r"\b(?:(?:over|at|during|on) the weekend|(?:last|this past|over the past) weekend)\b",
    ),
    ("this_week", r"\b(?:earlier this week|this week|earlier in the week)\b"),
    ("last_month", r"\b(?:last month|the previous month|a month ago|past month)\b"),
    (
        "this_month",
        r"\b(?:earlier this month|this month|earlier in the month|at the start of the month)\b",
    ),
    ("last_year", r"\b(?:last year|the previous year|a year ago)\b"),
    ("this_year", r"\b(?:earlier this year|this year|earlier in the year)\b"),
]
#: patterns matched whatever their case (words only, no month or weekday names; the numbers
#: of "two days ago" are caseless in :data:`_N` already)
_CASELESS = frozenset(
    {
        "nextday",
        "prevday",
        "yesterday",
        "today",
        "last_week",
        "weekend",
        "this_week",
        "last_month",
        "this_month",
        "last_year",
        "this_year",
    }
)
_RX = re.compile(
    r"\b(?=[A-Za-z0-9])(?:"
    + "|".join(
        # the relative phrases open sentences too: "Last week, ...", "Yesterday, ..."
        f"(?P<_{name}>{'(?i:' if name in _CASELESS else '(?:'}"
        f"{rx.replace('(?P<', f'(?P<{name}_')}))"
        for name, rx in _PATTERNS
    )
    + ")"
)
#: :data:`_RX` tried only at the words a date can begin with
_RX_SCAN = WordStarts(_RX, r"\b(?=[A-Za-z0-9])")
#: pattern name -> (group name within the pattern, group name in :data:`_RX`), so a match
#: reads only its own pattern's groups
_GROUPS: dict[str, tuple[tuple[str, str], ...]] = {
    name: tuple(
        (full[len(name) + 1 :], full) for full in _RX.groupindex if full.startswith(name + "_")
    )
    for name, _rx in _PATTERNS
}
#: "claimed 26 lives", "claimed the lives of five": a toll, not a speaker's claim
_LIVES = r"(?!\s+(?:the\s+|at\s+least\s+|over\s+|more\s+than\s+|nearly\s+|about\s+|some\s+)?(?:[\w-]+\s+)?li(?:ves|fe)\b)"
_REPORTING_BEFORE = re.compile(
    # ("on the reported presence of terrorists": an adjective, no one reporting)
    r"\b(?:(?<!\bthe )(?<!\ba )reported|said|says|told|announced|stated|confirmed|added|revealed|claimed"
    + _LIVES
    + "|"
    r"reports?|statement|tweeted|posted|informed|disclosed|submitted|briefed|issued)\b"
    r"[^.;]{0,80}$",
    re.I,
)
_REPORTING_BEFORE = at_word_starts(_REPORTING_BEFORE)
_BY_THEN = re.compile(r"(?:^|[^\w-])by\s+$", re.I)
#: "... since the Taliban returned to power in 2021": the date of the clause after "since"
_SINCE_CLAUSE = re.compile(
    r"\bsince\s+(?:the|its|their|his|her|a|an)\s+(?:[\w'’-]+\s+){1,6}?(?:(?:in|on)\s+)?$", re.I
)
_SINCE = re.compile(r"\b(?:since|until|till|ahead of|before)\s+(?:the\s+)?$", re.I)
#: a protest going on since its first day: "holding a sit-in outside the press club since
#: Thursday" is dated by that day
_GOING_ON_SINCE = re.compile(
    r"\b(?:sit-ins?|protests?|protesting|demonstrations?|dharnas?|blockades?|strikes?|"
    r"hunger strikes?|camps?)\b[^.;]{0,60}\bsince\s+$",
    re.I,
)
#: what happened between the statement and the date: "said the attack took place on Sunday"
_EVENT_BETWEEN = re.compile(
    r"\b(?:took place|happened|occurred|was carried out|were carried out|attacked|killed|"
    r"exploded|struck|martyred|injured|wounded|went off|stormed|opened fire|kidnapped|abducted|"
    r"arrested|detained|apprehended|nabbed|defused|seized|recovered|ambushed|targeted|"
    r"conducted|carried out|launched|raided|foiled|thwarted|"
    r"when|after|since|who|which|that (?:the|a|an) [\w-]+ (?:was|were|had))\b",
    re.I,
)
_EVENT_BETWEEN = at_word_starts(_EVENT_BETWEEN)
#: a claim of a deed: "claimed an attack on ...", "claimed responsibility for the bombing"
_CLAIMED_DEED = re.compile(
    r"claimed\s+(?:responsibility\s+for\s+)?(?:an?|the)\s+(?:[\w-]+\s+){0,2}?"
    r"(?:attacks?|bombings?|blasts?|assaults?|ambush|raid|killings?|abduction)\b",
    re.I,
)
#: a killing claimed, its victims told after it: "claimed the killing of two policemen"
_CLAIMED_KILLING = re.compile(
    r"claimed\s+(?:responsibility\s+(?:for|of)\s+)?" + KILLING_OF,
    re.I,
)
#: a date that opens a reported clause: "said that on Monday, ..."
_THAT_BEFORE = re.compile(r"\bthat\s*,?\s*$", re.I)
#: ... and the event that clause tells, right after it
_TOLD_AFTER = re.compile(
    r"^\s*,?\s+(?:[\w'’-]+\s+){0,6}?(?:targeted|attacked|killed|stormed|ambushed|exploded|"
    r"opened fire|blew up|struck|abducted|kidnapped|carried out|martyred|shot|detonated|"
    r"planted|fired|raided|hit|went off|were killed|was killed|were martyred|was martyred|"
    r"conducted|launched|arrested|detained|foiled)\b",
    re.I,
)
#: a group's own word, the event told after it: "the BLA said it carried out the attack on the
#: convoy on Tuesday" dates the attack
_OWN_WORD = re.compile(
    r"^\s+(?:(?:it|they)\s+(?:was\s+|were\s+)?(?:carried out|behind)|(?:that\s+)?the\s+(?:[\w-]+\s+)?(?:attack|blast|bombing|explosion|ambush|assault|shooting)s?)\b",
    re.I,
)
#: a toll updated on that day: its date is the update's, not the attack's
_TOLL_UPDATE = re.compile(
    r"\b(?:toll|tally|number of (?:the )?(?:dead|deaths|killed))\b[^.;]{0,120}\b(?:rose|risen|increased|climbed|reached|jumped|mounted)\b[^.;]{0,40}$",
    re.I,
)
_TOLL_UPDATE = at_word_starts(_TOLL_UPDATE)
#: an incident reported on a day, no speaker's statement: the day is the incident's
#: (a place may come between: "two blasts have been reported at Havaid area of Bannu District
#: on November 14")
_INCIDENT_REPORTED = re.compile(
    r"\b(?:incident|attack|killing|blast|explosion|case|firing|shooting|clash|encounter)s?\s+"
    r"(?:was\s+|were\s+|(?:has|have|had)\s+been\s+)?reported\s+"
    r"(?:(?:in|at|from|near)\s+(?:(?!said|says|told|according)[^.;]){0,100}?\s+)?"
    r"(?:(?:late|early)\s+)?(?:(?:on|in|from)\s+(?:the\s+)?)?$",
    re.I,
)
_REPORTING_AFTER = re.compile(
    r"^[^.;]{0,6}\b(?:said|reported|told|announced|confirmed|stated|claimed"
    + _LIVES
    + "|disclosed|revealed)\b",
    re.I,
)


#: the event nouns a date names when they follow it (within two words): "Tuesday's attack",
#: "the May 11 attack"
_EVENT_NOUNS = (
    r"attacks?|bombings?|blasts?|explosions?|assaults?|ambush|raids?|killings?|abductions?|"
    r"kidnappings?|massacre|shooting|clash(?:es)?"
)
#: a day's possessive before an event noun: "Tuesday's attack", "Monday's twin blasts"
_POSSESSIVE_EVENT = re.compile(
    r"^['’]s\s+(?:[\w-]+\s+){0,2}?(?:" + _EVENT_NOUNS + r"|strikes?|firing|encounter)\b", re.I
)
#: a date before an event noun: "the May 11 attack on the hotel" (its date, whoever speaks)
_ATTRIBUTIVE_EVENT = re.compile(r"^\s+(?:[\w-]+\s+){0,2}?(?:" + _EVENT_NOUNS + r"|siege)\b", re.I)
#: a date between a speaker and what it said or how it reacted: "The prime minister on Tuesday
#: condemned the attack", "Police on Monday said": the statement's day (no trigger verb here:
#: "on Monday demanded" dates the demand)
_STATEMENT_AFTER = re.compile(
    r"^\s+(?:(?:strongly|also|again|firmly|vehemently|unequivocally|categorically)\s+)?"
    r"(?:condemned|condemns|denounced|deplored|said|says|told|stated|added|expressed|termed|"
    r"described|mourned|regretted|offered (?:condolences|sympathies)|"
    # "on Thursday announced the arrest of two more suspects": the announcement's day
    r"announced (?:the )?(?:arrests?|capture|detention|recovery|busting))\b",
    re.I,
)
_CLAIM_AFTER = re.compile(
    r"^[^.;]{0,6}\b(?:claimed|took|accepted|owned|has claimed|have claimed)\s+(?:the\s+)?responsibility\b",
    re.I,
)


@dataclass
class DateMention:
    start: int
    end: int
    value: date | None
    precision: str
    relative: bool
    reporting: bool  # the date of a report or statement rather than of an event
    text: str
    possessive: bool = False  # "last week's strikes": the date of the noun it modifies


#: the day a report without a publication date is read as of (see ``rules``): its days and
#: months said relative to publication ("on Tuesday", "in April", "three months ago") are read
#: against it, so that events told on different days stay apart as in a dated report. It is
#: far from any real day, so that a date read against it is known by its year, and none is kept
STAND_IN = date(9000, 7, 31)
_STAND_IN_YEARS = 8000


def against_stand_in(d: DateMention) -> bool:
    """The date was read against :data:`STAND_IN`, not told by the text."""
    return d.value is not None and d.value.year >= _STAND_IN_YEARS


def _num(token: str) -> int:
    return int(token) if token.isdecimal() else NUMBERS.get(token.lower(), 1)


def _safe(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


#: how far a day-month may run ahead of publication and still be read as that day (a dateline
#: in another time zone, a stored date a day late); further ahead, it is last year's
_CLOCK_SKEW = timedelta(days=2)
#: a day-month up to this far ahead of publication is a date to come ("will meet on January
#: 29"), not a day of last year
_SOON = timedelta(days=45)


#: the year a day and month take when no year can be known (no publication date, no year in
#: the text): a leap year no report is from, so "February 29" and any order of days hold;
#: the event then carries its ``month_day`` (``--MM-DD``) and no date (:func:`yearless`)
YEARLESS = 4


def yearless(value: date | None) -> TypeGuard[date]:
    """The date is a day and month of an unknown year (:data:`YEARLESS`)."""
    return value is not None and value.year == YEARLESS


def _year_for(month: int, pub: date | None, day: int = 1) -> int | None:
    if pub is None:
        return None
    if (month, day) <= (pub.month, pub.day) or month < pub.month:
        return pub.year
    return pub.year - 1


def _counted_from(low: str, published: date, story_day: date | None) -> date:
    """What a count of days, weeks, months or years goes back from: "three days ago" from
    publication, "three days earlier", "two months earlier" from the day the story has
    reached."""
    return story_day if low.endswith("earlier") and story_day else published


def _minus_months(d: date, n: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - n, 12)
    return date(y, m + 1, 1)


def text_year(sentences: Sequence[Any]) -> int | None:
    """The latest year a text's sentences give in full ("in 2021", "March 2023", "August 14,
    2022") or open with ("Then came 2024, the worst year yet."): for a report without a
    publication date, the year its days and months are read in."""
    years: list[int] = []
    for s in sentences:
        years.extend(d.value.year for d in find_dates(s.text, None) if d.value and not d.relative)
        opening = _TOPIC_YEAR.match(s.text)
        if opening:
            years.append(int(opening.group("y")))
    return max(years) if years else None


def find_dates(
    text: str,
    published: date | None,
    offset: int = 0,
    story_day: date | None = None,
    year_hint: int | None = None,
) -> list[DateMention]:
    """Every date expression in ``text`` (offsets shifted by ``offset``), resolved against
    ``published``: a weekday is the last such day on or before publication (the day itself
    when they are equal, unless "last Monday"), and no date is later than publication.
    Without a publication date, a day and month take ``year_hint`` (:func:`text_year`), else
    no year (:data:`YEARLESS`)."""
    out: list[DateMention] = []
    for m in _RX_SCAN.finditer(text):
        name = (m.lastgroup or "_")[1:]
        g = {}
        for short, full in _GROUPS.get(name, ()):
            v = m.group(full)
            if v is not None:
                g[short] = v
        raw = m.group(0)
        if name in _CASELESS and raw[1:] != raw[1:].lower():
            continue  # only a sentence's capital: "Last week," not a title's "Last Week"
        if name == "md" and raw[:1].islower():
            continue  # a month and day start with the month's capital
        value: date | None = None
        precision = "day"
        relative = False
        if name == "iso":
            value = _safe(int(g["y"]), int(g["m"]), int(g["d"]))
        elif name == "numeric":
            a, b, y = int(g["a"]), int(g["b"]), int(g["y"])
            value = _safe(y, a, b) if b > 12 else _safe(y, b, a)
        elif name == "nth_of_month" and published is not None:
            relative = True
            first = published.replace(day=1)
            if g["which"].lower() in ("last", "the previous"):
                first = (first - timedelta(days=1)).replace(day=1)
            value = _safe(first.year, first.month, int(g["d"]))
            if value is not None and value > published:
                value = None
        elif name in ("dmy", "mdy"):
            value = _safe(int(g["y"]), MONTHS[g["mon"].lower().rstrip(".")], int(g["d"]))
        elif name in ("dm", "md"):
            mon, day = MONTHS[g["mon"].lower().rstrip(".")], int(g["d"])
            yr = _year_for(mon, published, day) if published else year_hint
            value = _safe(yr or YEARLESS, mon, day)
            ahead = _safe(published.year, mon, day) if published else None
            if published and ahead and published < ahead <= published + _CLOCK_SKEW:
                value = published  # a dateline a day ahead of the stored date: not last year
            elif published and ahead and published < ahead <= published + _SOON:
                continue  # "ambassadors will return by January 26": a plan, not last year's day
            relative = True
        elif name == "my":
            value = _safe(int(g["y"]), MONTHS[g["mon"].lower().rstrip(".")], 1)
            precision = "month"
        elif name == "m_rel":
            mon = MONTHS[g["mon2"].lower().rstrip(".")]
            rel = (g.get("rel") or "").lower()
            if (
                g["mon2"].lower() == "may"
                and not rel
                and not raw.lower().startswith(("in", "during", "since", "early", "mid", "late"))
            ):
                continue
            if published is not None:
                if "last" in rel:
                    value = date(published.year - 1, mon, 1)
                elif "this" in rel:
                    value = date(published.year, mon, 1)
                elif raw.lower().startswith(("last", "this past")):
                    # "last August": the latest August before this month
                    value = date(published.year - (mon >= published.month), mon, 1)
                else:
                    y2 = _year_for(mon, published)
                    value = date(y2, mon, 1) if y2 else None
            elif year_hint is not None and not rel and not raw.lower().startswith("last"):
                value = date(year_hint, mon, 1)  # "In March," in a report of 2023 without a date
            precision, relative = "month", True
        elif name == "year":
            value, precision = date(int(g.get("y") or g["y2"]), 1, 1), "year"
        elif published is not None:
            relative = True
            low = raw.lower()
            if name == "weekday":
                wd = WEEKDAYS[g["wd"].lower()]
                back = (published.weekday() - wd) % 7
                mod = (g.get("mod") or "").lower()
                if back == 0 and (mod in ("last", "this past") or g.get("last")):
                    back = 7  # "last Monday" in a report of a Monday: the Monday before
                if g.get("lastweek"):
                    back = published.weekday() + 7 - wd  # from this week's Monday, back a week
                value = published - timedelta(days=back)
            elif name == "rel_days":
                wd = WEEKDAYS[g["wd"].lower()]
                base = published - timedelta(days=(published.weekday() - wd) % 7)
                n = _num(g["n"])
                value = base + timedelta(days=-n if g["dir"].startswith(("before", "prior")) else n)
                if value > published:
                    value = None
            elif name == "nextday":
                if text[: m.start()].strip():
                    continue  # opening a sentence only: "the siege ended the next day" is no new event
                told = [d.value for d in out if d.precision == "day" and d.value is not None]
                day_before = told[-1] if told else story_day
                if day_before is None or day_before >= published:
                    continue  # no day told before it, or that day is the report's own
                value = day_before + timedelta(days=1)
            elif name == "prevday":
                # "a day earlier": the day before the day just told (in this sentence, else
                # the story's latest event day); "a day ago": before publication
                anchors = [d for d in out if d.precision == "day" and d.value is not None]
                base = published if low.endswith("ago") else story_day or published
                if anchors and anchors[-1].value:
                    base = anchors[-1].value
                value = base - timedelta(days=1)
            elif name == "yesterday":
                value = published - timedelta(days=1)
            elif name == "today":
                if (
                    out
                    and text.endswith("(", 0, m.start())
                    and out[-1].end - offset >= m.start() - 3
                ):
                    continue  # "on January 13 (today)": a gloss of the date just given
                value = published
            elif name == "days_ago":
                value = _counted_from(low, published, story_day) - timedelta(days=_num(g["n"]))
            elif name == "weeks_ago":
                since = _counted_from(low, published, story_day)
                value, precision = since - timedelta(weeks=_num(g["n"])), "week"
            elif name == "months_ago":
                since = _counted_from(low, published, story_day)
                value, precision = _minus_months(since, _num(g["n"])), "month"
            elif name == "years_ago":
                year = _counted_from(low, published, story_day).year - _num(g["n"])
                value, precision = date(year, 1, 1), "year"
            elif name == "last_week":
                value, precision = published - timedelta(weeks=1), "week"
            elif name == "this_week":
                value, precision = published, "week"
            elif name == "weekend":
                # the Saturday of the last weekend begun by publication; "last weekend" in a
                # report of a Saturday or Sunday is the one before
                back = (published.weekday() - 5) % 7
                if back < 2 and low.startswith("last"):
                    back += 7
                value, precision = published - timedelta(days=back), "week"
            elif name == "last_month":
                value, precision = _minus_months(published, 1), "month"
            elif name == "this_month":
                value, precision = published.replace(day=1), "month"
            elif name == "last_year":
                value, precision = date(published.year - 1, 1, 1), "year"
            elif name == "this_year":
                value, precision = date(published.year, 1, 1), "year"
            if name == "weekday" and low.startswith("this") and value is None:
                continue
        else:
            continue
        if value is None:
            continue
        if precision == "week":
            value = value - timedelta(days=value.weekday())
        before = text[max(0, m.start() - 170) : m.start()]
        after = text[m.end() : m.end() + 30]
        if _SINCE_CLAUSE.search(before, max(0, len(before) - 80)):
            continue  # the date of what something is counted from, no event's nor report's
        if _SINCE.search(before, max(0, len(before) - 14)) and not _GOING_ON_SINCE.search(before):
            reporting = True  # "the first since the July 25 elections": a starting point
            out.append(
                DateMention(
                    m.start() + offset, m.end() + offset, value, precision, relative, True, raw
                )
            )
            continue
        said = _REPORTING_BEFORE.search(before)
        if said and _INCIDENT_REPORTED.search(before):
            said = None  # "in the second incident reported on Wednesday": the incident's day
        # "claimed Tuesday's attack", "condemned Monday's bombing": the day names the event
        names_event = bool(
            _POSSESSIVE_EVENT.match(after if not raw.endswith(("'s", "’s")) else "'s " + after)
        ) or bool(before.endswith(("the ", "The ")) and _ATTRIBUTIVE_EVENT.match(after))
        # "said in a statement that on Monday, fighters targeted a convoy": the date opens
        # the clause told, and dates what it tells
        opens_told = bool(_THAT_BEFORE.search(before)) and bool(_TOLD_AFTER.match(after))
        reporting = not names_event and bool(
            (
                said
                and not opens_told
                and not _EVENT_BETWEEN.search(said.group(0)[4:])
                and not _OWN_WORD.match(said.group(0)[4:])
                # "claimed an attack on a police station in Rask in December 2023": a month
                # or a year dates what was claimed, not the claim
                and not (precision in ("month", "year") and _CLAIMED_DEED.match(said.group(0)))
                # "claimed the killing of two policemen in Bannu on Tuesday": the killing's day
                and not _CLAIMED_KILLING.match(said.group(0))
            )
            # "On Monday, police said ...": a date opening its sentence before a statement;
            # "four were killed on Monday, police said" dates the killing
            or (not before.strip() and _REPORTING_AFTER.search(after))
            # "The group on Monday claimed responsibility for ...": the claim's day
            or bool(_CLAIM_AFTER.match(after))
            or bool(before.strip() and _STATEMENT_AFTER.match(after))
            # "By Wednesday morning, 16 militants had been killed": how far it had got by then
            or bool(_BY_THEN.search(before))
            or (
                ("toll" in before or "tally" in before or "number" in before)
                and _TOLL_UPDATE.search(before)
            )
        )
        out.append(
            DateMention(
                m.start() + offset,
                m.end() + offset,
                value,
                precision,
                relative,
                reporting,
                raw,
                possessive=after.startswith(("'s ", "’s ")) or raw.endswith(("'s", "’s")),
            )
        )
    return _with_qualified_years(
        _without_appositive_weekdays(_earlier_than_told(out), text, offset), published
    )


_DAYS_EARLIER = re.compile(r"(\w+)\s+days?\s+earlier$", re.I)


def _earlier_than_told(dates: list[DateMention]) -> list[DateMention]:
    """ "who had gone missing three days earlier was found on Monday": three days before the
    day the sentence tells after it, when no day was told before it."""
    out = list(dates)
    for i, d in enumerate(out):
        m = _DAYS_EARLIER.search(d.text) if d.value is not None else None
        if m is None or any(x.precision == "day" and x.value for x in out[:i]):
            continue
        later = next(
            (x for x in out[i + 1 :] if x.precision == "day" and x.value and not x.reporting), None
        )
        if later is not None and later.value is not None:
            out[i] = replace(d, value=later.value - timedelta(days=_num(m.group(1))))
    return out


def _with_qualified_years(dates: list[DateMention], published: date | None) -> list[DateMention]:
    """ "November 9 last year", "March 3 this year": the year phrase qualifies the day just
    before it; it sets that day's year and is no date of its own."""
    if published is None or len(dates) < 2:
        return dates
    out: list[DateMention] = []
    for d in dates:
        year = {"last year": published.year - 1, "this year": published.year}.get(d.text.lower())
        prev = out[-1] if out else None
        if (
            year is None
            or prev is None
            or prev.value is None
            or prev.precision != "day"
            or not 0 <= d.start - prev.end <= 2
            or not (_MONTH_FIRST.match(prev.text) or prev.text[:1].isdigit())
        ):
            out.append(d)
            continue
        value = _safe(year, prev.value.month, prev.value.day)
        if value is None or value > published:
            out.append(d)
            continue
        text = f"{prev.text} {d.text}"
        out[-1] = DateMention(prev.start, d.end, value, "day", prev.relative, prev.reporting, text)
    return out


def _without_appositive_weekdays(
    dates: list[DateMention], text: str, offset: int
) -> list[DateMention]:
    """A weekday set beside a day and month ("On February 2, Wednesday", "Wednesday,
    February 2") restates that day: it is dropped, not resolved against publication; so is a
    weekday told with its modifier and set off by a comma or a bracket ("on Saturday
    (November 26) morning", "on Saturday, November 26")."""
    exact = [
        d
        for d in dates
        if (d.precision == "day" and d.text[:1].isdigit()) or _MONTH_FIRST.match(d.text)
    ]

    def restates(d: DateMention) -> bool:
        if d.text.strip().lower().rstrip("'’s") in WEEKDAYS:
            return any(abs(d.start - x.end) <= 3 or abs(x.start - d.end) <= 3 for x in exact)
        if d in exact or not any(w.lower().rstrip("'’s") in WEEKDAYS for w in d.text.split()):
            return False
        return any(
            _SET_OFF.fullmatch(text[d.end - offset : x.start - offset]) is not None
            for x in exact
            if 0 < x.start - d.end <= 3
        )

    return [d for d in dates if not restates(d)]


#: what sets a day and month off after a weekday: "Saturday, November 26", "Saturday (26 ..."
_SET_OFF = re.compile(r"\s*[,(]\s*")


_MONTH_FIRST = re.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?\s+\d"
)


def event_date(
    dates_by_sentence: Sequence[Sequence[DateMention]],
    trigger_start: int,
    inherited: tuple[DateMention, float] | None = None,
    deed: bool = False,
) -> tuple[DateMention, float] | None:
    """The date of an event and its confidence, from the dates of its sentences (the first
    sentence holds the trigger at ``trigger_start``): an event date before a reporting date;
    in the first sentence the one nearest the trigger, in a later one its first; else the date
    ``inherited`` from the event it follows, else None. For a ``deed`` (a violent event), an
    inherited event date comes before a reporting date of its own ("three attacks on Friday
    ... the toll rose to 50 on Saturday": Friday)."""
    for reporting in (False, True):
        if reporting and deed and inherited is not None and not inherited[0].reporting:
            return inherited
        for i, dates in enumerate(dates_by_sentence):
            cands = [d for d in dates if d.reporting == reporting]
            if not cands:
                continue
            if i == 0:
                # "agreed on Monday to defuse tensions after last week's strikes": Monday
                cands = [d for d in cands if not d.possessive] or cands
                # "The blast, the third this month, wounded nine on Tuesday": the day, not the
                # month that holds it
                cands = [d for d in cands if not _holds_finer(d, cands)] or cands
            d = min(cands, key=lambda d: abs(d.start - trigger_start)) if i == 0 else cands[0]
            if not reporting and d.precision in ("year", "month", "week"):
                # "the 2018 consulate attack" told again "on November 23, 2018": the day;
                # "kidnapped last week" told again "on May 2": the day
                finer = next(
                    (
                        f
                        for later in dates_by_sentence[i + 1 :]
                        for f in later
                        if not f.reporting and f.precision == "day" and within(d, f)
                    ),
                    None,
                )
                if finer is not None:
                    d, i = finer, i + 1
            if reporting:
                conf = CONFIDENCE.date_reporting
            else:
                conf = CONFIDENCE.date_relative if d.relative else CONFIDENCE.date_absolute
            if i > 0:
                conf -= CONFIDENCE.date_later_sentence_penalty
            return d, conf
    return inherited


_SPAN_DAYS = {"day": 1, "week": 7, "month": 31, "year": 366}


def _span(d: DateMention) -> tuple[date, date] | None:
    if d.value is None or d.precision not in _SPAN_DAYS:
        return None
    if d.precision == "month":
        first = d.value.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return first, nxt - timedelta(days=1)
    if d.precision == "year":
        return d.value.replace(month=1, day=1), d.value.replace(month=12, day=31)
    return d.value, d.value + timedelta(days=_SPAN_DAYS[d.precision] - 1)


def within(coarse: DateMention, fine: DateMention) -> bool:
    """``fine`` is told more exactly than ``coarse`` and falls within it (a day of that week,
    month or year; a week of that month ...)."""
    span = _span(coarse)
    return (
        span is not None
        and fine.value is not None
        and _SPAN_DAYS.get(fine.precision, 0) < _SPAN_DAYS[coarse.precision]
        and span[0] <= fine.value <= span[1]
    )


def ends_before(earlier: DateMention, later: DateMention) -> bool:
    """``earlier`` is over before ``later`` begins ("last month" before "on Monday")."""
    a, b = _span(earlier), _span(later)
    return a is not None and b is not None and a[1] < b[0]


def _holds_finer(d: DateMention, others: Sequence[DateMention]) -> bool:
    """Whether another date of the same sentence is finer than ``d`` and falls within it."""
    return any(o is not d and within(d, o) for o in others)


def event_precision(
    d: DateMention, *, statement: bool, inherited: bool, has_event_date: bool
) -> str | None:
    """The precision an event's date is given, or None when it has none: a statement's day or
    week ("said on Monday") does not date the event it tells of, unless the event is that
    statement (``statement``: a threat, a request or protest lodged, an announcement)."""
    if (
        d.reporting
        and not statement
        and not inherited
        and d.precision in ("day", "week")
        and not has_event_date
    ):
        return None
    return d.precision


def recalled_date(s: Any, published: date, gap: tuple[int, str]) -> DateMention:
    """The date of an event recalled as "a week after" or "four days after" it: that long
    before publication, to the precision of the gap (a week for "a week after")."""
    days, precision = gap
    value = published - timedelta(days=days)
    if precision == "week":
        value = value - timedelta(days=value.weekday())
    elif precision == "month":
        value = value.replace(day=1)
    return DateMention(s.start, s.start, value, precision, True, False, "")


#: a day and month within this many days of a fully dated one takes its year
_SAME_SEASON = 60
_FULL_DATE = re.compile(r"(?:19|20)\d\d")


def with_year(d: DateMention) -> bool:
    """The date is written with its year ("December 12, 2023"), not only a day and month."""
    return _FULL_DATE.search(d.text) is not None


def anchor_years(sentences: Sequence[Any]) -> None:
    """A day and month without a year ("September 27") near a date the text gives in full
    ("September 26, 2012") takes that date's year rather than the one before publication:
    the text tells its own year. When a year opened a sentence since the last full date
    ("Then came 2024, the worst year yet. On March 26, ..."), that year is the one told."""
    full = [
        d
        for s in sentences
        for d in s.dates
        if d.precision == "day" and not d.relative and d.value and with_year(d)
    ]
    if not full:
        return
    in_full = {id(d) for d in full}
    topic: int | None = None
    for s in sentences:
        opening = _TOPIC_YEAR.match(s.text)
        if opening:
            topic = int(opening.group("y"))
        for d in s.dates:
            if id(d) in in_full:
                topic = None  # a full date told after the year: its own year from here on
            if not (d.relative and d.precision == "day" and d.value and d.text[:1].isalnum()):
                continue
            if not any(m in d.text.lower() for m in MONTHS if len(m) > 2):
                continue  # a weekday or "yesterday": relative to publication, not to the text
            for f in full:
                if f.value is None:
                    continue
                moved = _safe(f.value.year, d.value.month, d.value.day)
                if moved and moved <= d.value and abs((moved - f.value).days) <= _SAME_SEASON:
                    told = _safe(topic, d.value.month, d.value.day) if topic else None
                    d.value = told if told and told <= d.value else moved
                    break


#: a year that opens its sentence sets the year of the days and months told after it: "In
#: 2024, ...", "Then came 2024, ...", "2024 was ..." (not "Since 2021": a tally's start)
_TOPIC_YEAR = re.compile(
    r"(?:(?:In|Then|And|But|By|During|Throughout|Through|came|was|arrived|began)\s+){0,2}"
    r"(?P<y>19[89]\d|20\d\d)\b(?!\s*(?:-|–|to\b))"
)


def years_refine_months(sentences: Sequence[Any], published: date | None) -> None:
    """A year and a month without one in the same sentence ("In 2025, the group hijacked a
    train in March") are one date: March 2025, to the month. The month takes the sentence's
    year (unless that would be after publication) and the year-only mention goes, so that
    the event keeps the finer precision. A month said relative to now ("last March", "this
    month") keeps its own year."""
    for s in sentences:
        years = [d for d in s.dates if d.precision == "year" and not d.relative and d.value]
        if len(years) != 1:
            continue
        year = years[0].value
        assert year is not None
        months = [
            d
            for d in s.dates
            if d.relative
            and d.value is not None
            and d.precision in ("month", "day")
            and d.text[:1].isalpha()
            and not re.search(r"\b(?:last|this|next|past)\b", d.text, re.I)
            and any(m in d.text.lower() for m in MONTHS if len(m) > 2)
        ]
        moved = False
        for d in months:
            assert d.value is not None
            value = _safe(year.year, d.value.month, d.value.day)
            if value is None or (published is not None and value > published):
                continue
            d.value, d.relative, moved = value, False, True
        if moved:
            s.dates = [d for d in s.dates if d is not years[0]]
