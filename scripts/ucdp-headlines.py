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

    .venv/bin/python scripts/ucdp-headlines.py ../shared [--misses N]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

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


def headlines(folder: Path) -> list[Headline]:
    """Each distinct headline with its first event's day and province."""
    (path,) = sorted(folder.glob("*.csv"))
    first: dict[str, Headline] = {}
    events: Counter[str] = Counter()
    _header, rows = read_csv(path, required=("date_start", "adm_1", "source_headline"))
    for row in rows:  # (the reader skips the HXL hashtag row under the header)
        text = row.values.get("source_headline", "").split(";")[0].strip()
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
    items = headlines(folder)
    found, agree, differ, counted = 0, 0, 0, 0
    missed: list[str] = []
    outside: list[str] = []
    for h in items:
        events = [
            e for e in extract(h.text, published=h.began + timedelta(days=1)) if e.kind in VIOLENT
        ]
        if not events:
            missed.append(h.text)
            continue
        found += 1
        if events[0].province and h.province:
            agree += events[0].province == h.province
            differ += events[0].province != h.province
        told = [n for n in (events[0].fatalities, events[0].attackers_killed) if n is not None]
        if h.deaths is not None and told:
            counted += 1
            n = sum(told)
            if not h.deaths[0] <= n <= h.deaths[1]:
                outside.append(f"{h.text} [read {n}; UCDP {h.deaths[0]}-{h.deaths[1]}]")
    print(f"UCDP headlines: {len(items)}; with a violent event: {found} ({found / len(items):.1%})")
    print(
        f"  province given: {agree + differ}; agrees with UCDP's adm_1: {agree}, differs: {differ}"
    )
    within = counted - len(outside)
    print(f"  deaths given (headlines of one event): {counted}; within UCDP's low-high: {within}")
    for text in random.Random(0).sample(missed, min(args.misses, len(missed))):
        print(f"  missed: {text}")
    for text in random.Random(0).sample(outside, min(args.deaths, len(outside))):
        print(f"  deaths: {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
