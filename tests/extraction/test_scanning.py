"""Scanning by word (:class:`triggers.WordStarts`): the same matches as the pattern itself, found
faster; speed is measured in ``bench/bench_extraction.py``, not here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from safecorridor.extraction import casualties, dates, targets
from safecorridor.extraction.triggers import TRIG, TRIG_SCAN, WordStarts, without_assertions

GOLD = Path(__file__).parent / "gold"

#: phrasing that sits on the scanner's edges: a trigger's first word at the end of a window or
#: of the text, words that only begin a trigger ("suicide", "the"), hyphens, curly quotes,
#: accents and non-Latin script, capitals that matter (IED, JWG), a year after "the"
EDGES = [
    "A suicide bomber struck a convoy near Gwadar on Monday; an IED went off later.",
    "The 2021 attack in Dasu killed nine Chinese engineers, the ied was not found.",
    "Militants self-detonated at the gate. Suicide",
    "Suicide-bomb attack? No: a hand-grenade was lobbed at the Naïve Café in Quetta’s market.",
    "Officials of the JWG met in Beijing on 12th March 2024; the meeting was held on Tuesday.",
    "درہ آدم خیل میں دھماکہ hit; Kelvin \u212a and Stra\u00dfe were attacked",
    "gunmen opened heavy fire on a check-post, martyring two soldiers and injuring 3 others",
    "Last week, on 5/6/2023, three were kidnapped and held captive for two days",
    "All Chinese staff at the consulate are safe; no one was hurt. The death toll rose to 12.",
    "Gunmen attacked a CPEC project site and a girls' school; a bank, a mosque, the Chinese"
    " consulate and a gas pipeline were hit, and FC troops, Levies and a deputy commissioner",
    "",
    "attack",
    "a",
]


def _texts() -> list[str]:
    out = list(EDGES)
    for path in sorted(GOLD.glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["text"])
    return out


#: each scanner, and how many matches the texts hold at least (so that the comparison is
#: not one of empty lists)
SCANS = [
    ("triggers", TRIG_SCAN, 50),
    ("dates", dates._RX_SCAN, 50),
    ("casualty verbs", casualties._VERB_SCAN, 50),
    ("tolls", casualties._TOLL_SCAN, 2),
    ("no casualties", casualties._NONE_SCAN, 2),
    *((f"targets: {name}", scan, 1) for name, scan in targets._TARGET_SCANS),
]


def _spans(matches: object) -> list[tuple[tuple[int, int], str | None, dict[str, str | None]]]:
    return [(m.span(), m.lastgroup, m.groupdict()) for m in matches]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "scan", "least"), SCANS, ids=[n for n, _, _ in SCANS])
def test_a_scan_by_word_finds_exactly_what_the_pattern_finds(
    name: str, scan: WordStarts, least: int
) -> None:
    texts = _texts()
    assert len(texts) > 100
    found = 0
    for text in texts:
        whole = _spans(scan.rx.finditer(text))
        assert _spans(scan.finditer(text)) == whole, (name, text[:80])
        found += len(whole)
        # a window inside the text, cutting words at both ends, as the stages search
        a, b = min(7, len(text)), max(min(7, len(text)), len(text) - 11)
        assert _spans(scan.finditer(text, a, b)) == _spans(scan.rx.finditer(text, a, b))
        first = scan.rx.search(text, a, b)
        got = scan.search(text, a, b)
        assert (got and got.span()) == (first and first.span())
    assert found >= least, found


def test_a_trigger_that_only_begins_with_a_word_is_still_found() -> None:
    # "suicide" alone is no trigger; the scanner must not drop it before " bomber" is seen
    text = "Police said a suicide bomber blew himself up."
    assert [m.group(0) for m in TRIG_SCAN.finditer(text)] == [
        m.group(0) for m in TRIG.finditer(text)
    ]
    assert any(m.lastgroup == "suicide" for m in TRIG_SCAN.finditer(text))


def test_a_look_behind_before_the_word_is_decided_in_the_text() -> None:
    rx = re.compile(r"\b(?=\w)(?:(?<=\bthe )(?P<y>(?:19|20)\d\d)\b|(?<!\bno )attack\b)", re.I)
    scan = WordStarts(rx, r"\b(?=\w)")
    text = "In 2020 the 2021 attack, no attack, then the 1999 attack"
    assert [m.group(0) for m in scan.finditer(text)] == ["2021", "attack", "1999", "attack"]
    assert _spans(scan.finditer(text)) == _spans(rx.finditer(text))


def test_without_assertions_drops_them_but_not_classes_or_escapes() -> None:
    assert without_assertions(r"a(?=b)c") == "ac"
    assert without_assertions(r"(?<!being )held(?!\s+up)") == "held"
    assert without_assertions(r"(?:x|(?<=\bthe )(?P<y>\d+))") == r"(?:x|(?P<y>\d+))"
    assert without_assertions(r"\bno\b\s+one\B$|^\Aa\Z") == r"no\s+one|a"
    # parentheses, "^" and "\b" inside a class, or escaped, are no assertions nor groups
    assert without_assertions(r"[(?=]a(?!\)q)b") == r"[(?=]ab"
    assert without_assertions(r"[]()]q(?<=[)])\(") == r"[]()]q\("
    assert without_assertions(r"[^\b$]x\$") == r"[^\b$]x\$"
    assert without_assertions(r"(?P<n>a)(?:b)") == r"(?P<n>a)(?:b)"


def test_a_word_boundary_after_the_word_does_not_hide_a_match() -> None:
    # the regex module's partial matching judges "\b" at the end of "Chinese " as if the
    # text ended there, and would call the word no start of a match
    rx = re.compile(r"\b(?=\w)(?:\bChinese\b[\w ,]{0,40}?\b(?:are|were) safe\b)", re.I)
    scan = WordStarts(rx, r"\b(?=\w)")
    text = "All Chinese staff at the consulate are safe, the minister said."
    assert [m.group(0) for m in scan.finditer(text)] == ["Chinese staff at the consulate are safe"]


def test_a_pattern_without_its_word_test_is_refused() -> None:
    with pytest.raises(ValueError, match="does not open with"):
        WordStarts(re.compile(r"attack"), r"\b(?=\w)")
