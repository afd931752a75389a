"""Layout: a report as it comes, made readable for the stages: a wire's slugs blanked
(:func:`blank_wire_slugs`), words cut at a line's hyphen made whole (:func:`join_hyphenated`),
hard line wraps joined (:func:`unwrap_lines`), lost full stops
marked (:func:`repunctuate`), a text all in one case given its capitals (:func:`truecase`).

Reports come from e-mails, PDFs, wire feeds, message apps and web pages: wrapped at a fixed
width, carriage returns, paragraphs whose punctuation was stripped, notes typed in lower case,
alerts in capitals. Each pass returns a copy of exactly the input's length (it only replaces
characters), so every span a stage records is an offset into the input, and a text that needs
no pass is returned as it is.
"""

from __future__ import annotations

import itertools
import re

from safecorridor.extraction import resources as res
from safecorridor.extraction.words import MONTH_NAMES, WEEKDAYS

#: a line break after a character that ends nothing, before a line that is not blank
_BROKEN_OFF = re.compile(r"[^.!?:;\"'’”)\]|\s][ \t]*\n[ \t]*\S")
#: a line that ends a sentence, a heading or a dateline: the break after it is the text's own
_LINE_DONE = re.compile(r"[.!?:;\"'’”)\]|]\s*$")
#: a line that goes on a sentence broken before it: a lower-case word or a digit
_GOES_ON = re.compile(r"\s*[a-z0-9(]")
#: a line that stops where no sentence or heading ends: a comma, a preposition, an article
_OPEN_END = re.compile(
    r"(?:,|\b(?:in|on|at|of|the|a|an|and|or|but|to|for|by|with|from|near|into|when|after|as|"
    r"that|which|who|was|were|is|are|has|have|had|been|its|their|his|her))\s*$"
)


#: a news wire's slug before a headline: "UPDATE 2-Two die in gunfire", "REFILE-Blast kills 5"
_WIRE_SLUG = re.compile(
    r"^[ \t]*(?:UPDATE|WRAPUP|REFILE|RPT|CORRECTED|URGENT|EXCLUSIVE)(?:[ \t]+\d{1,2})?"
    r"[ \t]*-(?=[A-Za-z0-9\"“])",
    re.M,
)


def blank_wire_slugs(text: str) -> str:
    """The text with each line's wire slug ("UPDATE 2-", "RPT-") blanked out, same length."""
    if "-" not in text:
        return text
    return _WIRE_SLUG.sub(lambda m: " " * len(m.group(0)), text)


#: a word broken over a line at a hyphen: "mar-\ntyred", "North Wazir-\nistan" (the line goes
#: on in lower case)
_HYPHEN_BREAK = re.compile(r"(?<=[A-Za-z])-[ \t]*\r?\n[ \t]*(?=[a-z])")
#: words that open a hyphenated compound more often than they are cut: "suicide-\nbomber",
#: "bullet-\nriddled", "cross-\nborder" keep their hyphen
_COMPOUND_HEADS = frozenset([
    "suicide", "bullet", "self", "cross", "anti", "counter", "pro", "non", "ex", "well", "high",
    "low", "inter", "intra", "multi", "post", "pre", "semi", "so", "one", "two", "three", "four",
    "five", "six", "seven", "eight", "nine", "ten", "twenty", "thirty", "forty", "fifty",
    "hundred", "remote", "hand", "home", "law", "far", "long", "short", "full", "part", "co",
    "vice", "mid", "under", "over", "state", "joint", "al", "el", "ul", "e", "i",
])  # fmt: skip


def join_hyphenated(text: str) -> str:
    """``text`` with the words a line break cut at a hyphen made whole ("mar-\ntyred" is
    "martyred", "Wazir-\nistan" "Waziristan"), as PDFs and justified columns cut them; a copy
    of the same length (the word closes up and spaces follow it), so every offset outside the
    word stays. A compound keeps its hyphen ("suicide-\nbomber" is "suicide-bomber"): one
    that opens with a common compound head, or that the text spells with a hyphen elsewhere;
    a word the text spells whole elsewhere is joined whatever its head."""
    if _HYPHEN_BREAK.search(text) is None:
        return text
    low = text.lower()
    out: list[str] = []
    last = 0
    for m in _HYPHEN_BREAK.finditer(text):
        start = m.start()
        while start > last and text[start - 1].isalpha():
            start -= 1
        end = m.end()
        while end < len(text) and text[end].isalpha():
            end += 1
        left, right = text[start : m.start()], text[m.end() : end]
        whole = (left + right).lower()
        keep = (left.lower() in _COMPOUND_HEADS or f"{left}-{right}".lower() in low) and not (
            re.search(rf"\b{re.escape(whole)}\b", low)
        )
        joined = left + ("-" if keep else "") + right
        out.append(text[last:start])
        out.append(joined + " " * (end - start - len(joined)))
        last = end
    out.append(text[last:])
    return "".join(out)


def unwrap_lines(text: str) -> str:
    """``text`` with its hard line wraps joined: a copy of the same length (each joined break
    becomes a space; a carriage return is a space too), so every offset into it is an offset
    into ``text``.

    A report pasted from an e-mail, a PDF or a wire feed breaks its sentences at a fixed
    width ("The BLA claimed\\nresponsibility ..."), and a line break ends a sentence (headlines
    and datelines stand alone). A break is a wrap when the line before it does not end a
    sentence and either the next line goes on in lower case, or the line stops on a comma or a
    word no sentence ends on ("in", "the", "and"), or the text is wrapped at a
    width (most of its lines end near one length under 100 characters) and the line before
    reaches that width. A blank line always ends a paragraph."""
    if "\r" in text:
        text = text.replace("\r", " ")
    elif _BROKEN_OFF.search(text) is None:
        return text  # (every break follows an end or precedes a blank line: nothing to join)
    lines = text.split("\n")
    lengths = [len(line.rstrip()) for line in lines if line.strip()]
    width = max(lengths, default=0)
    near = [n for n in lengths if n * 10 >= width * 7]  # within 70% of the widest
    wrapped = 40 <= width <= 100 and len(lengths) >= 4 and len(near) * 2 >= len(lengths)
    out = list(text)
    pos = 0
    for line, nxt in itertools.pairwise(lines):
        pos += len(line)  # the break after ``line``
        body = line.rstrip()
        if (
            body.strip()
            and nxt.strip()
            and not _LINE_DONE.search(body)
            and (
                _GOES_ON.match(nxt)
                or _OPEN_END.search(body)
                or (wrapped and len(body) * 10 >= width * 7)
            )
        ):
            out[pos] = " "
        pos += 1
    return "".join(out)


#: where :func:`repunctuate` ends a sentence the text left unpunctuated (a paragraph separator,
#: which no report contains and every pattern reads as a space)
SENTENCE_MARK = "\u2029"
#: a sentence's opening word, after a word that ends a clause: "... were injured He said ..."
_OPENER = re.compile(
    r"(?<=[a-z0-9)]) (?=(?:The(?! (?:News|Hindu|Telegraph|Express|Nation|Tribune|Times|Statesman|"
    r"Pioneer|Frontier|Daily|Dawn))|He|She|They|It|This|These|His|Their|According|However|"
    r"Meanwhile|Separately|Later|Earlier|Subsequently|Sources|Officials|Unidentified|No one|"
    r"No group|In another|In a separate)\b)"
)
#: the word before an opener that leaves the clause open: "according to The", "in The"
_OPEN_BEFORE = re.compile(
    r"\b(?:reports?|reported|according to|to|of|by|in|and|or|that|said|says|told|with|for|from|"
    r"on|at|as|the|a|an|when|while|where|whom|who|which|because|than|if)$",
    re.I,
)
#: the paper a paragraph cites, after which the next sentence begins: "reports Daily Times"
_CITED = re.compile(
    r"\b(?:reports?|reported)\s+(?:The\s+)?(?:Daily\s+Times|News|Dawn|Express\s+Tribune|Nation|"
    r"Times\s+of\s+India|Daily\s+Excelsior|Tolo\s+News|Hindu|Telegraph|Pajhwok(?:\s+Afghan\s+News)?|"
    r"Business\s+Recorder|Geo\s+News|Express\s+News|Frontier\s+Post|Kashmir\s+Times|"
    r"Greater\s+Kashmir|Daily\s+Star|Khaama\s+Press|Pakistan\s+Today|Dunya\s+News)( )(?=[A-Z])"
)
#: a text this long with fewer full stops than one per this many characters has lost its
#: punctuation (a fifth of the South Asia Terrorism Portal's paragraphs come so)
_UNPUNCTUATED_CHARS = 250


def repunctuate(text: str) -> str:
    """``text`` with its sentence ends marked where it lost its full stops ("... in Quetta
    reports Daily Times Islamic State claimed ... the blast He said ..."): before a word
    that opens a sentence after one that closes a clause, and after the paper a paragraph
    cites. A copy of the same length (each mark replaces a space, :data:`SENTENCE_MARK`); a
    punctuated text is returned as it is."""
    if len(text) < _UNPUNCTUATED_CHARS or text.count(".") * _UNPUNCTUATED_CHARS >= len(text):
        return text
    marks = [m.start(1) for m in _CITED.finditer(text)]
    for m in _OPENER.finditer(text):
        if not _OPEN_BEFORE.search(text, max(0, m.start() - 16), m.start()):
            marks.append(m.start())
    if not marks:
        return text
    out = list(text)
    for pos in marks:
        out[pos] = SENTENCE_MARK
    return "".join(out)


#: a text written all in lower case ("5 killed in blast near police van in quetta today"): a
#: field note or a message; at most one capital in this many letters
_LETTERS_PER_CAPITAL = 100
_WORD = re.compile(r"[a-z][a-z'’-]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*)([a-z])")
_LOWER_PAIR = re.compile(r"[a-z]{2}")
_CAPITAL = re.compile(r"[A-Z]")
_LETTER = re.compile(r"[A-Za-z]")
#: how much of a text's start shows whether it is in mixed case
_HEAD_CHARS = 2000
#: the longest name, in words, that :func:`truecase` looks up ("dera ismail khan district")
_NAME_WORDS = 4


def _capitalised(name: str) -> str | None:
    """How a name written in lower case is spelled, if it is one the extractor knows well
    enough to find it in lower case: a Pakistani place of some size, a district, a province
    or a landmark, a neighbour's province or city, an actor, a month or a weekday."""
    key = res.norm(name)
    if key in _CALENDAR:
        return name[:1].upper() + name[1:]
    acronym = res.acronym_forms().get(key)
    if acronym is not None:
        return acronym if len(acronym) == len(name) else None
    if key in res.COMMON_WORDS or len(key) < 4:
        return None  # ("police", "army": words before names)
    if key in res.actor_aliases():
        return name.title()
    for p in res.gazetteer().get(key, []):
        town = _KNOWN_TOWN if p.country == "PK" else _KNOWN_TOWN_ABROAD
        if p.kind in ("province", "district", "landmark") or p.population >= town:
            return name.title()
    return None


#: the months' full names and the weekdays
_CALENDAR = frozenset([*(m.lower() for m in MONTH_NAMES.split("|")), *WEEKDAYS])
#: a town found in a lower-case text has this many people at least, at home and abroad
#: (smaller names are often words: "more", "bagh")
_KNOWN_TOWN = 10_000
_KNOWN_TOWN_ABROAD = 100_000


def truecase(text: str) -> str:
    """``text`` with the capitals a text written all in lower case left out: its sentences'
    first letters and the names the extractor knows (:func:`_capitalised`), so that "5 killed
    in blast near police van in quetta on monday, bla claimed it" finds Quetta, Monday and
    the BLA. A text all in capitals is read so too. A copy of the same length; a text in
    mixed case is returned as it is."""
    if _LOWER_PAIR.search(text) is not None:
        # (cheap tests first: a report in mixed case shows capitals in its first lines)
        head = text[:_HEAD_CHARS]
        if len(_CAPITAL.findall(head)) * _LETTERS_PER_CAPITAL > len(head):
            return text
        letters = len(_LETTER.findall(text))
        if letters < 20 or len(_CAPITAL.findall(text)) * _LETTERS_PER_CAPITAL > letters:
            return text
    else:
        # no two lower-case letters together: all in capitals (a wire alert, a ticker), read
        # as lower case, then capitalised
        low = text.lower()
        if len(_LETTER.findall(text)) < 20 or len(low) != len(text):
            return text
        text = low
    out = list(text)
    for m in _SENTENCE_START.finditer(text):
        out[m.start(1)] = text[m.start(1)].upper()
    words = list(_WORD.finditer(text))
    i = 0
    while i < len(words):
        for n in range(min(_NAME_WORDS, len(words) - i), 0, -1):
            a, b = words[i].start(), words[i + n - 1].end()
            if n > 1 and any(
                text[words[k].end() : words[k + 1].start()] != " " for k in range(i, i + n - 1)
            ):
                continue
            spelled = _capitalised(text[a:b])
            if spelled is not None and len(spelled) == b - a:
                out[a:b] = spelled
                i += n
                break
        else:
            i += 1
    return "".join(out)
