"""Two languages: every user-visible string of the templates in scope has a Simplified Chinese
translation, no visible text is left outside the gettext calls, the compiled catalogues say
what their sources say, and the reader's language is chosen as documented.

``TRANSLATED_TEMPLATES`` is the scope: every template of the web pages (sign-in, map and
timeline, incidents, review, ingest, sites and routes, movements, alerts, errors, the frame
and the JWG's pages) and of the briefing pack. A new template is in scope as soon as it exists.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from safecorridor import i18n

PACKAGE = Path(i18n.__file__).parent
LOCALE = PACKAGE / "locale"
WEB = PACKAGE / "web" / "templates"
PACKS = PACKAGE / "jwg" / "templates"

#: the templates whose every visible string must be translated: all of them
TRANSLATED_TEMPLATES = [*sorted(WEB.glob("**/*.html")), *sorted(PACKS.glob("**/*.html"))]
#: templates that show only data and labels translated with ``|t`` (no text of their own)
TEXTLESS = {"web/templates/errors/_refusal.html", "web/templates/movements/_state.html"}
#: visible text allowed untranslated: names, codes and symbols that read the same in Chinese
ALLOWED = {"SafeCorridor", "TLP", "PDF", "id", "km", "API", "GeoJSON", "UTC", "GB"}


def _first(value: str | tuple[str, ...] | list[str] | None) -> str:
    """A message's id or string; of a plural message, its first form."""
    assert value is not None
    return value if isinstance(value, str) else value[0]


def _ident(template: Path) -> str:
    return template.relative_to(PACKAGE).as_posix()


def _catalogue(locale: str) -> dict[str, str]:
    """msgid (of a plural message, the singular) -> translation (its first form)."""
    with (LOCALE / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {_first(m.id): _first(m.string) for m in read_po(f) if m.id and not m.fuzzy}


def _msgids(template: Path) -> list[str]:
    found = extract_from_file(
        "jinja2",
        str(template),
        options={"extensions": "jinja2.ext.i18n"},
        keywords={"_": None, "gettext": None, "ngettext": (1, 2)},
    )
    return [_first(m[1]) for m in found]


class _Visible(HTMLParser):
    """Text nodes and the attributes people read, outside <script> and <style>."""

    ATTRS = ("title", "alt", "placeholder", "aria-label")

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        self.found += [v for k, v in attrs if k in self.ATTRS and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.found.append(data)


def bare_text(source: str) -> list[str]:
    """Words of a template's source that a reader sees but no gettext call translates."""
    text = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    # blocks that fill a class attribute of the base template, not text
    text = re.sub(r"\{%-?\s*block \w+_class\s*%\}.*?\{%-?\s*endblock", " ", text, flags=re.S)
    text = re.sub(r"\{%-?\s*trans\b.*?endtrans\s*-?%\}", " ", text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}", " X ", text, flags=re.S)
    text = re.sub(r"\{%.*?%\}", " ", text, flags=re.S)
    parser = _Visible()
    parser.feed(text)
    words = []
    for chunk in parser.found:
        # addresses read the same in every language: a path (/api/v1/docs), a URL, an e-mail
        chunk = re.sub(r"https?://\S*|\S+@\S+|/[\w./-]*", " ", chunk)
        for word in re.findall(r"[A-Za-z][A-Za-z'’-]+", chunk):
            if word not in ALLOWED and word != "X":
                words.append(word)
    return words


@pytest.mark.parametrize("template", TRANSLATED_TEMPLATES, ids=_ident)
def test_every_string_of_the_template_has_a_chinese_translation(template: Path) -> None:
    zh = _catalogue("zh_Hans")
    ids = _msgids(template)
    if template.relative_to(PACKAGE).as_posix() not in TEXTLESS:
        assert ids, f"{template.name} has no translated string at all"
    missing = [m for m in ids if not zh.get(m)]
    assert missing == [], f"{template.name}: no zh_Hans translation for {missing}"


@pytest.mark.parametrize("template", TRANSLATED_TEMPLATES, ids=_ident)
def test_no_visible_text_is_left_outside_gettext(template: Path) -> None:
    assert bare_text(template.read_text("utf-8")) == [], template.name


def test_the_bare_text_check_finds_untranslated_words() -> None:
    assert bare_text('<h1>Meetings</h1><p title="Hello">{{ _("ok") }}</p>') == ["Meetings", "Hello"]
    assert bare_text('<h1>{{ _("Meetings") }}</h1>{% trans %}Some text{% endtrans %}') == []
    assert bare_text('<input placeholder="a@b.example"> https://x.example/y /api/v1/docs') == []
    assert bare_text("<script>var x = 'words';</script><style>.a { color: red }</style>") == []


def test_python_labels_shown_on_the_pages_are_translated() -> None:
    from safecorridor.jwg.choices import ACTION_STATUS_LABELS, RISK_LEVEL_LABELS
    from safecorridor.registry.measures import DIMENSION_LABELS, GRADE_LABELS, KIND_LABELS
    from safecorridor.web.templating import ROLE_LABELS, TLP_LEGEND

    zh = _catalogue("zh_Hans")
    labels = [
        *ACTION_STATUS_LABELS.values(),
        *RISK_LEVEL_LABELS.values(),
        *KIND_LABELS.values(),
        *GRADE_LABELS.values(),
        *DIMENSION_LABELS.values(),
        *ROLE_LABELS.values(),
        *(meaning for _, meaning in TLP_LEGEND),
    ]
    assert [label for label in labels if not zh.get(label)] == []


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_the_compiled_catalogue_says_what_its_source_says(locale: str) -> None:
    folder = LOCALE / locale / "LC_MESSAGES"
    with (folder / "messages.mo").open("rb") as f:
        compiled = {_first(m.id): _first(m.string) for m in read_mo(f) if m.id}
    # an untranslated plural message is compiled as its own id: the same as no translation
    compiled = {k: v for k, v in compiled.items() if v != k}
    source = {k: v for k, v in _catalogue(locale).items() if v and v != k}
    assert compiled == source, "run `make translations` to compile the catalogues"


def test_every_catalogue_covers_the_extracted_template() -> None:
    with (LOCALE / "messages.pot").open("rb") as f:
        template = {_first(m.id) for m in read_po(f) if m.id}
    for locale in ("en", "zh_Hans"):
        have = set(_catalogue(locale))
        assert template - have == set(), f"{locale}: run `make translations`"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans"),
        ("zh-Hans", "zh_Hans"),
        ("en-GB,en;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,zh;q=0.5", "zh_Hans"),
        ("fr-FR", None),
        ("zh-TW", None),  # Traditional Chinese is not Simplified
        ("en;q=0, zh;q=0.1", "zh_Hans"),
        ("", None),
    ],
)
def test_accept_language_is_negotiated(header: str, expected: str | None) -> None:
    assert i18n.from_accept_language(header) == expected


def test_the_users_choice_wins_then_the_cookie_then_the_browser() -> None:
    assert i18n.choose(user_locale="en", cookie="zh_Hans", accept_language="zh-CN") == "en"
    assert i18n.choose(user_locale=None, cookie="zh_Hans", accept_language="en") == "zh_Hans"
    assert i18n.choose(user_locale=None, cookie=None, accept_language="zh-CN") == "zh_Hans"
    assert i18n.choose(user_locale="xx", cookie="nonsense", accept_language=None) == "en"


def test_dates_and_numbers_follow_the_locale() -> None:
    from datetime import date

    assert i18n.format_date(date(2022, 9, 7), "zh_Hans") == "2022年9月7日"
    assert i18n.format_date(date(2022, 9, 7), "en") == "7 Sept 2022"
    assert i18n.format_number(12345.678, "en", 1) == "12,345.7"
    assert i18n.ordinal(9, "en") == "9th" and i18n.ordinal(9, "zh_Hans") == "第9次"
    assert i18n.ordinal(11, "en") == "11th" and i18n.ordinal(22, "en") == "22nd"
