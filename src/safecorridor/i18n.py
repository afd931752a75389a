"""Languages: the gettext catalogues, the choice of a reader's language, and dates and numbers
formatted for it.

The app speaks English (``en``, the language of the source strings) and Simplified Chinese
(``zh_Hans``). Catalogues live in ``safecorridor/locale/<locale>/LC_MESSAGES/messages.po``;
``make translations`` extracts the strings (``babel.cfg``: Python and Jinja templates), updates
the catalogues and compiles them to ``messages.mo``, which are committed with the ``.po`` (a
test checks that each ``.mo`` says what its ``.po`` says), so an install needs no build step.

Who reads in which language (:func:`choose`): a signed-in user's own choice
(``User.locale``), else the ``sc_lang`` cookie a visitor set with the language switch, else
the browser's ``Accept-Language``, else English. Strings of Python modules that are shown
later (labels of enumerations, legends) are marked with :func:`N_` and translated where they
are rendered. Dates and numbers are formatted by Babel for the locale (:func:`format_date`,
:func:`format_number`).

Invariant: every function here takes a locale that :func:`normalise` accepted; an unknown
one falls back to English, never raises.
"""

from __future__ import annotations

import gettext as _gettext
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.support import Translations
from jinja2 import Environment, pass_context

from safecorridor import taxonomy

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
DEFAULT = "en"
#: the languages of the app, by locale identifier, with their names in their own language
LANGUAGES: dict[str, str] = {"en": "English", "zh_Hans": "简体中文"}
LOCALES = tuple(LANGUAGES)
#: the cookie a visitor's language choice is kept in
COOKIE = "sc_lang"
#: the ``lang`` attribute (BCP 47) of each locale
HTML_LANG = {"en": "en", "zh_Hans": "zh-Hans"}


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (it is translated where
    it is shown, in the reader's language)."""
    return message


def normalise(value: str | None) -> str | None:
    """The app's locale for a language tag (``zh``, ``zh-CN``, ``zh_Hans``, ``en-GB`` ...),
    or None when the app does not speak it."""
    if not value:
        return None
    tag = value.strip().replace("-", "_")
    if not tag or len(tag) > 35:
        return None
    if tag in LANGUAGES:
        return tag
    try:
        loc = Locale.parse(tag)
    except (ValueError, UnknownLocaleError):
        return None
    if loc.language == "en":
        return "en"
    if loc.language == "zh" and (
        loc.script in (None, "Hans") and loc.territory in (None, "CN", "SG")
    ):
        return "zh_Hans"
    return None


def from_accept_language(header: str | None) -> str | None:
    """The best of our locales for an ``Accept-Language`` header (RFC 9110 weights)."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:40]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                weight = 0.0
        ranked.append((-weight, position, tag.strip()))
    for neg_weight, _pos, tag in sorted(ranked):
        if neg_weight >= 0:  # q=0: "not this one"
            continue
        found = normalise(tag)
        if found is not None:
            return found
    return None


def choose(*, user_locale: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The reader's locale: their own choice, the visitor's cookie, the browser, English."""
    return (
        normalise(user_locale)
        or normalise(cookie)
        or from_accept_language(accept_language)
        or DEFAULT
    )


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``locale`` (English: the source strings themselves)."""
    found = normalise(locale) or DEFAULT
    if found == DEFAULT:
        return _gettext.NullTranslations()
    return Translations.load(str(LOCALE_DIR), locales=[found], domain=DOMAIN)


def gettext(message: str, locale: str) -> str:
    return translations(locale).gettext(message)


def ngettext(singular: str, plural: str, n: int, locale: str) -> str:
    return translations(locale).ngettext(singular, plural, n)


#: the Babel locale each app locale formats dates and numbers with (British English)
_FORMAT_LOCALE = {"en": "en_GB", "zh_Hans": "zh_Hans_CN"}


@cache
def _babel(locale: str) -> Locale:
    return Locale.parse(_FORMAT_LOCALE[normalise(locale) or DEFAULT])


def format_date(value: date | datetime | None, locale: str, form: str = "medium") -> str:
    """``value`` as the locale writes a date (``12 Sept 2022`` / ``2022年9月12日``)."""
    if value is None:
        return "–"
    day = value.date() if isinstance(value, datetime) else value
    return babel_dates.format_date(day, format=form, locale=_babel(locale))


def format_month(value: date, locale: str) -> str:
    """A month and its year as the locale writes them (``Sept 2022`` / ``2022年9月``)."""
    return babel_dates.format_skeleton("yMMM", value, locale=_babel(locale))


def format_datetime(value: datetime | None, locale: str) -> str:
    if value is None:
        return "–"
    return babel_dates.format_datetime(value, format="medium", locale=_babel(locale))


def format_number(value: float | int | None, locale: str, digits: int | None = None) -> str:
    """``value`` with the locale's grouping; ``digits`` fixes the decimals."""
    if value is None:
        return "–"
    if digits is None:
        return babel_numbers.format_decimal(value, locale=_babel(locale))
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=_babel(locale))


def format_percent(value: float | None, locale: str) -> str:
    if value is None:
        return "–"
    return babel_numbers.format_percent(value, locale=_babel(locale))


def ordinal(n: int, locale: str) -> str:
    """'9th' / '第9次' (meetings are counted)."""
    if normalise(locale) == "zh_Hans":
        return f"第{n}次"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- Jinja ------------------------------------------------------------------------------


@pass_context
def _jinja_gettext(context: Any, message: str) -> str:
    return gettext(message, str(context.get("locale") or DEFAULT))


@pass_context
def _jinja_ngettext(context: Any, singular: str, plural: str, n: int) -> str:
    return ngettext(singular, plural, n, str(context.get("locale") or DEFAULT))


@pass_context
def _jinja_date(context: Any, value: date | datetime | None, form: str = "medium") -> str:
    return format_date(value, str(context.get("locale") or DEFAULT), form)


@pass_context
def _jinja_datetime(context: Any, value: datetime | None) -> str:
    return format_datetime(value, str(context.get("locale") or DEFAULT))


@pass_context
def _jinja_number(context: Any, value: float | int | None, digits: int | None = None) -> str:
    return format_number(value, str(context.get("locale") or DEFAULT), digits)


@pass_context
def _jinja_percent(context: Any, value: float | None) -> str:
    return format_percent(value, str(context.get("locale") or DEFAULT))


@pass_context
def _jinja_ordinal(context: Any, n: int) -> str:
    return ordinal(int(n), str(context.get("locale") or DEFAULT))


@pass_context
def _jinja_label(context: Any, message: str | None) -> str:
    """A label marked with :func:`N_` in Python, translated now (``{{ label|t }}``)."""
    return gettext(message, str(context.get("locale") or DEFAULT)) if message else ""


@pass_context
def _jinja_name(context: Any, name: str | None, kind: str) -> str:
    """A taxonomy name in the reader's language (``{{ inc.event_type|zh("event_types") }}``)."""
    return taxonomy.localized(kind, name, str(context.get("locale") or DEFAULT))


def install_jinja(env: Environment) -> None:
    """Install the i18n extension on ``env`` with gettext callables that read the template
    context's ``locale`` (so one environment serves every reader, thread-safely), and the
    locale-aware filters ``date``, ``datetime``, ``number``, ``percent``, ``ordinal``, ``t``
    (translate a marked label) and ``zh`` (a taxonomy name in the reader's language)."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_jinja_gettext, ngettext=_jinja_ngettext, newstyle=True
    )
    env.filters.update(
        date=_jinja_date,
        datetime=_jinja_datetime,
        number=_jinja_number,
        percent=_jinja_percent,
        ordinal=_jinja_ordinal,
        t=_jinja_label,
        zh=_jinja_name,
    )
    env.globals.update(languages=LANGUAGES, html_lang=HTML_LANG)
