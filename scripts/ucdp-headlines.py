"""How the extractor reads real headlines it was never written for (``make eval``).

UCDP GED's Pakistan export (``../shared/data/ucdp-ged-pakistan``, 1989-2016) pairs many of its
events with the headline of the report they were coded from ("Air strikes kill 15 militants in
northwest Pakistan"). Each distinct headline (the first of those an event lists) is read alone
by the extractor, as published the day after the event began, and the probe prints:

* how many give a violent event (every headline is of one: UCDP codes only deadly violence);
* of those whose first violent event has a province, how many agree with UCDP's ``adm_1``
  (FATA counts as Khyber Pakhtunkhwa, as in the coding guide);
* of the headlines of one UCDP event only whose first violent event gives a death count
  (victims and attackers together), how many fall within UCDP's ``low``-``high`` estimate (a
  headline may give an early toll that later reports raised, so this is a floor, not an F1).

Headlines are terse and present-tense; they are no gold annotation (UCDP's death figures add
up several reports), so no F1 is printed. Round-ups, digests and URLs are skipped.

A second set is read the same way and counted apart: the headlines inside ``source_article``
of the events that give no ``source_headline`` (BBC Monitoring's "Militants kill ... - paper",
a wire's 'AFP 13/1 2012 "Clash kills six ...', "(1) UPDATE 2-..."), each the first line of
its citation that is a headline and not an outlet, a date or an address. It was first read
on 2026-12-06 (twentieth round of issue 14), after the first set had been mined for classes.

    .venv/bin/python scripts/ucdp-headlines.py ../shared [--misses N] [--deaths N]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from safecorridor.extraction import extract
from safecorridor.extraction.resources import norm, province_names
from safecorridor.sources.importers.common import read_csv

VIOLENT = {"suicide_attack", "bombing", "attack", "armed_clash", "abduction"}
#: UCDP's misspelling of a province the gazetteer's aliases do not know
_MISSPELT = {"Khyber Pakhtunkwa": "Khyber Pakhtunkhwa"}
#: no event's headline: digests, round-ups, programme summaries, bare dates and addresses
_NOT_A_HEADLINE = re.compile(
    r"summary|roundup|Incidents and Statements|^\w+day, \w+ \d|^https?:|^\(|^\W*$", re.I
)


def province(adm1: str) -> str | None:
    """The province UCDP's ``adm_1`` names ("Balochistan province", "Federally Administered
    Tribal Areas": Khyber Pakhtunkhwa), as the extractor names it."""
    name = adm1.removesuffix(" province")
    return province_names().get(norm(_MISSPELT.get(name, name)))


class Headline(NamedTuple):
    text: str
    began: date  # the day the (first) event it heads began
    province: str | None
    deaths: tuple[int, int] | None  # UCDP's low and high, when it heads one event only


#: a citation, not a headline: an outlet and its edition, a date, an address, a digest
_CITATION = re.compile(
    r"\d+/\d+|\.com\b|\.org\b|\b\d{6}\b|\d{4}-\d\d-\d\d|\bFACTBOX|\bdevelopments in\b"
    r"|\b(?:in English|in Urdu|in Pashto|\d{3,4} ?gmt|website|news agency|TV,|Radio,)",
    re.I,
)
#: a wire's own citation before its headline: 'Reuters News   7 July 2010   UPDATE 2-...'
_WIRE_DATED = re.compile(r"^Reuters News\s+\d+ \w+ \d{4}\s+(.+)$")
#: a citation that carries its headline: '"BBC,2010-07-26,Weekend of drone attacks ..."'
_CSV_CITED = re.compile(r'^"?[A-Za-z .]+,\d{4}-\d\d-\d\d,(.+?)"?$')


def article_headline(article: str) -> str | None:
    """The headline a ``source_article`` citation gives first, or None: its first part (lines
    and ";" split it) that is no outlet, date or address, read after a quoting wire's opening
    mark ('AFP 13/1 2012 "Clash kills six'), without UCDP's "(1)" numbering."""
    for part in re.split(r"[\n;]", article):
        text = part.strip()
        if '"' in text[:60] and not text.startswith('"'):
            text = text.split('"', 1)[1]
        for rx in (_WIRE_DATED, _CSV_CITED):
            m = rx.match(text)
            if m:
                text = m.group(1)
        text = re.sub(r"^\(\d+\)\s*", "", text).strip().strip('"').strip()
        if len(text.split()) < 4 or _CITATION.search(text) or _NOT_A_HEADLINE.search(text):
            continue
        return text
    return None


def headlines(folder: Path, *, articles: bool = False) -> list[Headline]:
    """Each distinct headline with its first event's day and province: of ``source_headline``,
    or with ``articles`` of the ``source_article`` of the events that give none (a headline of
    the first set left out)."""
    (path,) = sorted(folder.glob("*.csv"))
    first: dict[str, Headline] = {}
    events: Counter[str] = Counter()
    _header, rows = read_csv(path, required=("date_start", "adm_1", "source_headline"))
    rows = list(rows)
    given = (
        {r.values.get("source_headline", "").split(";")[0].strip() for r in rows}
        if articles
        else set()
    )  # (the first set's headlines, which the second leaves out)
    for row in rows:  # (the reader skips the HXL hashtag row under the header)
        text: str | None = row.values.get("source_headline", "").split(";")[0].strip()
        if articles:
            cited = row.values.get("source_article", "")
            text = None if text else article_headline(cited)
            if text in given:
                continue
        if not text or _NOT_A_HEADLINE.search(text):
            continue
        events[text] += 1
        if text not in first:
            began = date.fromisoformat(row.values["date_start"][:10])
            low, high = row.values.get("low", ""), row.values.get("high", "")
            deaths = (int(low), int(high)) if low.isdigit() and high.isdigit() else None
            first[text] = Headline(text, began, province(row.values["adm_1"]), deaths)
    return [h if events[h.text] == 1 else h._replace(deaths=None) for h in first.values()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shared", type=Path, help="the folder holding data/ucdp-ged-pakistan")
    parser.add_argument("--misses", type=int, default=0, help="print N headlines it missed")
    parser.add_argument(
        "--deaths", type=int, default=0, help="print N headlines whose deaths fall outside UCDP's"
    )
    args = parser.parse_args()
    folder = args.shared / "data" / "ucdp-ged-pakistan"
    if not folder.is_dir():
        print(f"ucdp-headlines: {folder} is absent: nothing to read", file=sys.stderr)
        return 0
    for name, items in (
        ("UCDP headlines", headlines(folder)),
        ("UCDP headlines inside source_article", headlines(folder, articles=True)),
    ):
        if items:
            report(name, items, args.misses, args.deaths)
    return 0


class Tally(NamedTuple):
    """What the extractor read in a set of headlines, against UCDP's coding."""

    headlines: int
    found: int  # with a violent event
    agree: int  # of those with a province, UCDP's agrees
    differ: int
    counted: int  # with a death count, of headlines that head one event
    missed: list[str]  # the headlines without a violent event
    outside: list[str]  # the counts outside UCDP's low-high estimate


#: a headline as read: its text, UCDP's province and low-high deaths (None when it heads
#: several events), and the events read from it (as ``CandidateEvent.to_dict`` gives them)
Read = tuple[str, str | None, tuple[int, int] | None, list[dict[str, Any]]]


def tally(read: Iterable[Read]) -> Tally:
    """Count what was read in each headline against UCDP's coding."""
    headlines, found, agree, differ, counted = 0, 0, 0, 0, 0
    missed: list[str] = []
    outside: list[str] = []
    for text, province, deaths, read_events in read:
        headlines += 1
        events = [e for e in read_events if e.get("kind") in VIOLENT]
        if not events:
            missed.append(text)
            continue
        found += 1
        first = events[0]
        if first.get("province") and province:
            agree += first["province"] == province
            differ += first["province"] != province
        told = [first[k] for k in ("fatalities", "attackers_killed") if first.get(k) is not None]
        if deaths is not None and told:
            counted += 1
            n = sum(told)
            if not deaths[0] <= n <= deaths[1]:
                outside.append(f"{text} [read {n}; UCDP {deaths[0]}-{deaths[1]}]")
    return Tally(headlines, found, agree, differ, counted, missed, outside)


def report(name: str, items: list[Headline], misses: int, deaths: int) -> None:
    """Print what the extractor reads in ``items`` (and ``misses`` / ``deaths`` examples)."""
    t = tally(
        (
            h.text,
            h.province,
            h.deaths,
            [e.to_dict() for e in extract(h.text, published=h.began + timedelta(days=1))],
        )
        for h in items
    )
    print(f"{name}: {t.headlines}; with a violent event: {t.found} ({t.found / t.headlines:.1%})")
    print(
        f"  province given: {t.agree + t.differ}; agrees with UCDP's adm_1: {t.agree}, "
        f"differs: {t.differ}"
    )
    within = t.counted - len(t.outside)
    print(f"  deaths given (headlines of one event): {t.counted}; within UCDP's low-high: {within}")
    for text in random.Random(0).sample(t.missed, min(misses, len(t.missed))):
        print(f"  missed: {text}")
    for text in random.Random(0).sample(t.outside, min(deaths, len(t.outside))):
        print(f"  deaths: {text}")


if __name__ == "__main__":
    sys.exit(main())
