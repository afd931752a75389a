"""Datelines and asides: the parts of a report that say where it was filed or point to other
stories, and so never place or date its events by themselves.

A dateline opens the report or one of its first paragraphs: a place (capitals or not, one or
two joined by "/"), optionally a country in brackets, a date and the agency in brackets, then a
dash or a colon ("QUETTA: ...", "ISLAMABAD, Nov 17 (KUNA) -- ...", "Islamabad [Pakistan],
January 31 (ANI): ...", "PESHAWAR (Dunya News) - ...") or the end of a short line of its own
("LAHORE"), or a date alone ("August 1: ..."). The place is where the reporter filed from;
its date is the report's.

An aside is a short line after the headline without end punctuation: a linked story's headline
("Terrorists from Afghanistan behind rise in attacks") or a section head ("Appeal for blood").
Its words start no event and its places place none.

Invariants: spans are character offsets into the text; a dateline span covers the place and
its date and agency, never the sentence after the separator.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from dateutil import parser as dateutil_parser

from safecorridor.extraction import resources as res
from safecorridor.extraction.words import MONTH_NAMES

#: where datelines are sought: the first lines of the text (a headline may precede one)
_FIRST_LINES = 4
#: a line of its own no longer than this may be a dateline ("LAHORE") or an aside
_SHORT_LINE = 90
#: a head (linked headline, section head) has at most this many words and no comma
_HEAD_WORDS = 12

_LEAD_IN = re.compile(r"\((?:MENAFN|APP|IANS|ANI|PTI)[^)\n]{0,40}\)\s*")
#: place [/ place] [Country] [, Country] [, Month Day | Day Month [, Year]] [(Agency ...)] separator
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Za-z.'’ -]{1,28}?(?:\s*/\s*[A-Z][A-Za-z.'’ -]{1,28}?)?)"
    r"(?:\s*\[[^\]\n]{1,30}\])?"
    r"(?:\s*,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)?"
    r"(?:\s*,?\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?|\d{1,2}(?:st|nd|rd|th)?,?\s+[A-Z][a-z]{2,8}\.?)(?:,?\s+\d{4})?)?"
    r"(?:\s*,?\s*\([^()\n]{1,70}\))?"
    r"(?P<sep>\s+--?\s|\s*:|\s+[—–]\s|\s*$)",
    re.M,
)
#: a month by its name or its abbreviation ("August", "Aug.")
_ANY_MONTH = r"(?:" + MONTH_NAMES + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?)"
#: a dateline of a date alone: "August 1: The group has claimed ...", "Aug 1 (IANS) -"
_DATE_ONLY = re.compile(
    _ANY_MONTH + r"\s+\d{1,2}(?:,?\s+\d{4})?(?:\s*\([^()\n]{1,40}\))?(?=\s+--?\s|\s*:\s|\s+[—–]\s)"
)
#: a date that fills the rest of a dateline's line after its colon, as government press
#: releases write it ("Islamabad: 16, June 2024", "Quetta: June 16, 2024")
_DATE_REST = re.compile(
    r"\s*(?:\d{1,2}(?:st|nd|rd|th)?,?\s+"
    + _ANY_MONTH
    + r"|"
    + _ANY_MONTH
    + r"\s+\d{1,2}(?:st|nd|rd|th)?),?\s+\d{4}\s*$"
)
_SEPARATOR = re.compile(r"\s--?\s|:|\s[—–]\s")
_END_PUNCT = re.compile(r"[.!?\"'’”:)\]]\s*$")
#: a headline may end on a quoted phrase: "..., warns China to 'leave or face consequences'"
_QUOTE_END = re.compile(r"\w[\"'’”]\s*$")


def dateline_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each dateline among the first lines of ``text``: the place, its
    date and its agency, up to the separator."""
    out: list[tuple[int, int]] = []
    pos = 0
    for n, line in enumerate(text.split("\n")):
        if n >= _FIRST_LINES + 4 or len(out) >= 1:
            break
        start = pos
        pos += len(line) + 1
        if not line.strip() or n > _FIRST_LINES + 2:
            continue
        if len(line.strip()) > 30 and not _SEPARATOR.search(line, 0, 120):
            continue  # no dash or colon near the start: no dateline
        lead = _LEAD_IN.match(line)
        off = lead.end() if lead else 0
        bare = _DATE_ONLY.match(line, off)
        if bare is not None:
            if not _timeline(text):
                out.append((start + bare.start(), start + bare.end()))
            continue
        m = _DATELINE.match(line, off)
        if m is None:
            continue
        if not m.group("sep").strip() and len(line.strip()) > 30:
            continue  # a line of its own is a dateline only when it is short: "LAHORE"
        names = [p.strip() for p in m.group("place").split("/")]
        if not all(_is_place(p) for p in names):
            continue
        end = start + m.end() - len(m.group("sep"))
        if m.group("sep").strip() == ":" and _DATE_REST.match(line, m.end()):
            end = start + len(line.rstrip())  # "Islamabad: 16, June 2024": the date after it
        out.append((start + m.start("place"), end))
    return out


def dated_heads(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The datelines (of ``spans``) that are a line of a place, a colon and a date alone, as a
    government press release heads its text ("Islamabad: 16, June 2024"): the day the text
    tells of, where a wire's dateline ("Islamabad [Pakistan], January 31 (ANI): ...") is only
    the day it was filed."""
    out = []
    for start, end in spans:
        colon = text.find(":", start, end)
        if colon > 0 and _DATE_REST.match(text[colon + 1 : end]):
            out.append((start, end))
    return out


def _timeline(text: str) -> bool:
    """Two lines or more open with a date alone ("March 3: ...", "March 4: ..."): they are a
    timeline's entries, none of them the report's dateline."""
    return sum(_DATE_ONLY.match(line) is not None for line in text.split("\n")) > 1


def _is_place(name: str) -> bool:
    """A town, district or province (a country alone is a headline's topic: "Pakistan: ...")."""
    cands = res.gazetteer().get(res.norm(name.strip(" .")), [])
    if not cands and "." in name:  # "D.I. KHAN"
        cands = res.gazetteer().get(res.norm(" ".join(name.replace(".", " ").split())), [])
    return any(p.kind != "country" for p in cands)


#: a linked story or a picture's caption: "Also read: ...", "Image caption: ..."
_LINKED = re.compile(
    r"(?i:also read|read also|read more|related|see also|also see|watch|"
    r"(?:image |photo |picture )?caption|photo|pictured|file photo)\s*[:|—–-]"
)


#: a picture's caption, ending on its credit after a dash: "... in this file photo. — Reuters/File",
#: "— Photo: Dawn", "— DawnNewsTV screengrab", "— Photo courtesy police". An agency's credit
#: alone ("... the spokesman said. — APP") closes a story's last paragraph, not a caption
_PICTURE = r"(?i:file(?: photo)?|photos?|pictures?|images?|screen ?grab|screenshot|courtesy)"
_CAPTION_CREDIT = re.compile(
    r"[—–]\s*(?:" + _PICTURE + r"\b[^—–\n]{0,40}"
    r"|[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2}\s*/\s*"
    + _PICTURE
    + r"|[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2}\s+"
    + _PICTURE
    + r")\s*$"
)
#: the head of a page's comments ("Comments (12)", "Leave a Reply"): readers' words to the end
_COMMENTS_HEAD = re.compile(
    r"(?i:(?:\d+\s+|reader(?:s['’])?\s+)?comments?(?:\s*\(\d+\))?|leave\s+a\s+(?:comment|reply)|"
    r"post\s+a\s+comment|add\s+(?:your|a)\s+comment|join\s+the\s+(?:conversation|discussion))"
    r"\s*:?\s*$"
)
#: the head of a list of links a web page sets after or inside the story ("Related Stories",
#: "Recommended", "More from Dawn", "Trending", "Read next"): its items are other stories
_LINKS_HEAD = re.compile(
    r"(?i:(?:related|recommended|similar|latest|top|trending|popular|more|other)"
    r"(?:\s+(?:stories|news|articles|posts|reads?|links|coverage|on this(?:\s+\w+)?|"
    r"from\s+[\w .'’-]{1,30}))?"
    r"|most\s+(?:read|popular|viewed|shared)|read\s+next|you\s+may\s+(?:also\s+)?like|"
    r"(?:also\s+)?on\s+this\s+topic|in\s+other\s+news|more\s+stories)\s*:?\s*$"
)


def aside_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each aside: a short line without end punctuation after the body has
    begun (a linked headline or a section head; the headline and its deck come before), and
    the items of a list of links under its head ("Related Stories", "- Gunmen kill five in
    Turbat"), bullets or headlines, up to the next sentence of the story; and a page's comments,
    from their head to the end."""
    out: list[tuple[int, int]] = []
    pos = 0
    lines = text.split("\n")
    body_started = False
    links = False  # inside a list of links, after its head
    for n, line in enumerate(lines):
        start = pos
        pos += len(line) + 1
        body = line.strip()
        first = start + len(line) - len(line.lstrip())  # where the line's words begin
        span = (first, first + len(body))
        if body_started and _COMMENTS_HEAD.match(body):
            if "".join(lines[n + 1 :]).strip():  # (the page's readers, to its end)
                out.append((first, len(text)))
            break
        if body_started and _LINKS_HEAD.match(body):
            links = True
        elif (
            links
            and body
            and (
                len(body) > 2 * _SHORT_LINE
                or (_END_PUNCT.search(body) and body[:1] not in BULLETS + "-")
            )
        ):
            links = False  # a paragraph of the story again
        if links and body:
            out.append(span)
            continue
        if body_started and len(body) <= 3 * _SHORT_LINE and _CAPTION_CREDIT.search(body):
            out.append(span)  # a picture's caption: "... — Reuters/File"
            continue
        if body_started and _LINKED.match(body) and len(body) <= 2 * _SHORT_LINE:
            out.append(span)  # "Also read | ...", "Caption: ...": a linked story
            continue
        if len(body) > _SHORT_LINE:
            body_started = True
            continue
        if not body_started or not body or _END_PUNCT.search(body):
            continue  # the headline and its deck come before the body
        if not "".join(lines[n + 1 :]).strip():
            continue  # the excerpt ends mid-sentence: not an aside
        if body[:1] in "•-*" or not body[:1].isupper():
            continue  # a bullet of the lead, or a sentence broken over lines
        if "," in body or len(body.split()) > _HEAD_WORDS:
            continue  # a sentence that lost its full stop, not a head
        out.append(span)
    return out


#: the marks a deck's or a lead's bullet opens with
BULLETS = "•*▪"


def headline_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the headline (a first line without end punctuation; the deck lines
    after it too, up to the body's first sentence) and of the bullets of the lead ("• Six
    shot dead"): figures there are rounded or partial, so the body's are preferred."""
    out: list[tuple[int, int]] = []
    pos = 0
    top = True  # the headline and its decks: the short lines before the body begins
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        body = line.strip()
        if not body:
            continue
        lead = start + line.index(body[0])
        bullet = body[:1] in BULLETS
        headline = (
            top
            and len(body) <= _SHORT_LINE * 2
            and (not _END_PUNCT.search(body) or _QUOTE_END.search(body) is not None)
        )
        top = headline
        if bullet or headline:
            out.append((lead, lead + len(body)))
    return out


#: a stamp that dates the report: "Published: May 7, 2024", "Updated 07 May, 2024 09:15pm",
#: "Posted on Monday, May 6, 2024" (the word first, then the date, on a line of its own, maybe
#: after the place filed from: "New Delhi, UPDATED: Nov 9, 2023 11:20 IST")
_STAMP = re.compile(
    r"^\s*(?:[A-Z][A-Za-z .'’-]{2,30},\s*)?"
    r"(?P<word>(?:first\s+)?published|updated|last\s+updated|posted|dated)\b"
    r"(?:\s+(?:on|at))?\s*[:\-–]?\s*(?P<date>[^\n|•]{6,48}?)\s*(?:[|•]|$)",
    re.I | re.M,
)
#: a newspaper's footer: "Published in Dawn, May 7th, 2024"
_PUBLISHED_IN = re.compile(r"\bPublished in [^,\n]{2,60},\s*(?P<date>[^\n]{6,30}?)\s*$", re.M)
#: a line that is a date alone, a weekday and a time around it: "Monday, May 6, 2024",
#: "07 May 2024 09:15 PKT"
_DATE_LINE = re.compile(
    # (after the place filed from: "Islamabad: 16, June 2024")
    r"^\s*(?:[A-Z][A-Za-z .'’-]{2,30}[:,]\s*)?"
    r"(?P<date>(?:[A-Z][a-z]+day,?\s+)?(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?"
    + _ANY_MONTH
    + r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,?\s+(?:19|20)\d\d)"
    r"(?:\s*[,|–-]?\s*\d{1,2}[:.]\d\d\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{2,4})?)?\s*$",
    re.M | re.I,
)
_MONTH_WORD = re.compile(r"\b" + _ANY_MONTH + r"(?=\W|$)", re.I)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
#: the lines at either end of a text where a report carries its date
_HEAD_LINES, _TAIL_LINES = 6, 4


_DAY_NUMBER = re.compile(r"(?<![\d:.])\d{1,2}(?:st|nd|rd|th)?(?![\d:.])")


_ISO_DAY = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")


def _parse_day(value: str) -> date | None:
    """The day a date string gives with its month by name, its day and a four-digit year (or
    as ISO, "2024-05-07"), or None (a month and a year alone are no publication day)."""
    iso = _ISO_DAY.search(value)
    if iso:
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    if not (_MONTH_WORD.search(value) and _YEAR.search(value) and _DAY_NUMBER.search(value)):
        return None
    try:
        # (a zone is no part of the day: "11:20 IST" must not warn that IST is unknown)
        parsed = dateutil_parser.parse(value, fuzzy=True, default=datetime(1, 1, 1), ignoretz=True)
    except (ValueError, OverflowError):
        return None
    return parsed.date() if 1990 <= parsed.year <= 2100 else None


def text_published(text: str) -> date | None:
    """The day a report gives for itself, for a report whose publication date is not known:
    a publication stamp ("Published: May 7, 2024"), a newspaper's footer ("Published in Dawn,
    May 7th, 2024"), a dateline with a year ("QUETTA, May 6, 2024 (Reuters) -"), a date on a
    line of its own among the first or last lines ("Monday, May 6, 2024"), else an update
    stamp ("Updated 07 May, 2024 09:15pm"), in that order; None when it gives no such day."""
    if _YEAR.search(text) is None:
        return None  # (every form gives a four-digit year)
    lines = text.split("\n")
    head = "\n".join(lines[:_HEAD_LINES])
    ends = "\n".join([*lines[:_HEAD_LINES], *lines[_HEAD_LINES:][-_TAIL_LINES:]])
    stamps = list(_STAMP.finditer(ends))
    updates = [m.group("date") for m in stamps if "updated" in m.group("word").lower()]
    found = [m.group("date") for m in stamps if "updated" not in m.group("word").lower()]
    if "Published in" in text:
        found += [m.group("date") for m in _PUBLISHED_IN.finditer(text)]
    found += [head[a:b] for a, b in dateline_spans(head) if _YEAR.search(head, a, b)]
    found += [m.group("date") for m in _DATE_LINE.finditer(ends)]
    for value in [*found, *updates]:
        day = _parse_day(value)
        if day is not None:
            return day
    return None
