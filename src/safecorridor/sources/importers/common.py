"""Reading real-world CSV files: encodings, dialects, line numbers, dates, numbers."""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from charset_normalizer import from_bytes
from dateutil import parser as dateparser


class ImportFormatError(ValueError):
    """The file as a whole cannot be imported (not CSV, wrong encoding, missing columns)."""


class RowValueError(ValueError):
    """One value of one row is unusable; the message names the column and the value."""


@dataclass(frozen=True)
class RowError:
    """A row that was not stored, with its line number in the file and the reason."""

    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did."""

    path: str
    kind: str
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    #: new incidents marked AMBER or stricter that came without an owner organisation (CSV
    #: and JSON Lines carry none): no signed-in reader may read them
    unowned_marked: int = 0

    @property
    def rejected(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        out = (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rejected} rejected ({self.rows} rows)"
        )
        if self.unowned_marked:
            out += (
                f"; warning: {self.unowned_marked} new incident(s) marked AMBER or stricter have"
                " no owner organisation, so no signed-in reader may read them (CSV and JSON"
                " Lines carry no owner; STIX and MISP exports do)"
            )
        return out


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]


MAX_SNIFF = 64 * 1024


#: blocks of characters that belong to no script (what a Latin text holds besides its letters)
_NOT_A_SCRIPT = frozenset({"Control character", "General Punctuation", "Currency Symbols"})


def decode(raw: bytes, path: Path, encoding: str | None = None) -> str:
    """Text of a CSV file: the named encoding, else UTF-8, else the detected one (cp1252, ...)."""
    if b"\x00" in raw[:MAX_SNIFF]:
        raise ImportFormatError(f"{path}: is a binary file (NUL bytes), not a CSV file")
    if encoding:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ImportFormatError(f"{path}: cannot be read as {encoding}: {exc}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(raw).best()
    if best is None:
        raise ImportFormatError(
            f"{path}: text encoding could not be recognised; name it with --encoding"
        )
    if all("Latin" in a or a in _NOT_A_SCRIPT for a in best.alphabets):
        # a Latin-script text: on a few accented letters the detector guesses among a dozen
        # code pages (cp1250, cp775 ...); Excel on Windows writes cp1252, read it as that
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            pass
    return str(best)


#: the largest CSV a gzip file may unpack to (a bomb of a few KB must not fill the memory)
MAX_UNPACKED_BYTES = 2_000_000_000


def read_maybe_gzip(path: Path, *, limit: int = MAX_UNPACKED_BYTES) -> bytes:
    """The bytes of ``path``, unpacked when it is gzip (by its magic bytes, whatever its name)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic != b"\x1f\x8b":
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as gz:
            raw = gz.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ImportFormatError(f"{path}: is a damaged gzip file ({exc})") from exc
    if len(raw) > limit:
        raise ImportFormatError(f"{path}: unpacks to more than {limit:,} bytes")
    return raw


class _Dialect(csv.excel):
    """Standard CSV quoting ("" inside quoted fields) with the file's own delimiter; strict, so
    a quote left open is an error rather than a field swallowing the rest of the file."""

    strict = True


def sniff_dialect(sample: str, *, delimiter: str | None = None) -> type[csv.Dialect]:
    """The delimiter is the most common of , ; TAB | in the header line (or ``delimiter``, as
    the file names it); quoting stays standard.

    (csv.Sniffer also guesses quoting, and on a few lines of real data it guesses wrong.)
    """
    if delimiter is not None:
        return type("FileDialect", (_Dialect,), {"delimiter": delimiter})
    header = sample.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=lambda d: counts[d])
    return type("FileDialect", (_Dialect,), {"delimiter": delimiter if counts[delimiter] else ","})


def _clean_header(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip()


#: Excel's first line naming the file's delimiter ("sep=;"), written by its CSV exports in
#: locales whose decimal mark is a comma
_EXCEL_SEP = re.compile(r'^\ufeff?"?sep=(.)"?\r?$', re.IGNORECASE)


def _excel_separator(text: str) -> tuple[str, str | None]:
    """The text without Excel's "sep=X" line, and X (None when the file has no such line)."""
    first, newline, rest = text.partition("\n")
    m = _EXCEL_SEP.match(first)
    if not m or not newline:
        return text, None
    return rest, m.group(1)


def _check_header(header: list[str], path: Path) -> None:
    """Refuse a header that names one column twice: which of the two holds the value?"""
    seen: dict[str, int] = {}
    for n, name in enumerate(header, start=1):
        if not name:
            continue  # a blank header cell (a trailing delimiter) names nothing read
        if name in seen:
            raise ImportFormatError(
                f"{path}: column {name!r} appears twice in the header (columns {seen[name]} "
                f"and {n}); rename or remove one"
            )
        seen[name] = n


def read_csv(
    path: Path,
    *,
    required: tuple[str, ...] | list[str] = (),
    encoding: str | None = None,
    skip_hxl: bool = True,
    fold_case: bool = False,
) -> tuple[list[str], Iterator[CsvRow]]:
    """Open a CSV file and check its header; then iterate its records with their line numbers.

    Quoted fields may hold newlines: a record's line is where it starts. A row of HXL hashtags
    (as in Humanitarian Data Exchange exports) right after the header is skipped, and so is
    Excel's "sep=;" line before it (its delimiter is then the file's). ``fold_case``: the
    header's names are read in lower case (a dataset's own columns, which some tools write
    in capitals). A row with more or fewer fields than the header is an error of that row (a
    short row is often a file cut off in the middle of its last line). Raises
    ImportFormatError before anything is read past the header if the file is unusable.
    """
    if not path.exists():
        raise ImportFormatError(f"{path}: no such file")
    if path.is_dir():
        raise ImportFormatError(f"{path}: is a directory, not a CSV file")
    raw = read_maybe_gzip(path)
    if not raw.strip():
        raise ImportFormatError(f"{path}: is empty")
    text, separator = _excel_separator(decode(raw, path, encoding))
    skipped = 0 if separator is None else 1  # lines before the header
    dialect = sniff_dialect(text[:MAX_SNIFF], delimiter=separator)
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        header = [_clean_header(h) for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ImportFormatError(f"{path}: has no CSV header line ({exc})") from exc
    if fold_case:
        header = [h.lower() for h in header]
    if len(header) < 2:
        raise ImportFormatError(
            f"{path}: does not look like a CSV file (its first line has {len(header)} column)"
        )
    _check_header(header, path)
    check_structure(text, dialect, path, skipped=skipped)
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFormatError(
            f"{path}: missing required column(s) {', '.join(missing)} "
            f"(found: {', '.join(header[:12])}{' ...' if len(header) > 12 else ''})"
        )

    def rows() -> Iterator[CsvRow]:
        start = reader.line_num + 1 + skipped
        first = True
        try:
            for values in reader:
                line = start
                start = reader.line_num + 1 + skipped
                if not any(v.strip() for v in values):
                    continue
                if first and skip_hxl and is_hxl_row(values):
                    first = False
                    continue
                first = False
                if len(values) > len(header):
                    extra = values[len(header) :]
                    if any(v.strip() for v in extra):
                        why = f"has {len(values)} fields, the header has {len(header)}"
                        yield CsvRow(line, {"__error__": why})
                        continue
                elif len(values) < len(header):
                    why = (
                        f"has {len(values)} fields, the header has {len(header)} (a row cut "
                        "short, as the last line of a file whose download stopped?)"
                    )
                    yield CsvRow(line, {"__error__": why})
                    continue
                yield CsvRow(line, dict(zip(header, values, strict=False)))
        except csv.Error as exc:
            raise ImportFormatError(
                f"{path}: line {reader.line_num + skipped}: broken CSV ({exc})"
            ) from exc

    return header, rows()


def check_structure(text: str, dialect: type[csv.Dialect], path: Path, *, skipped: int = 0) -> None:
    """Read the whole file as CSV once, before anything is stored: a broken record (a quote
    left open, a stray quote in an unquoted field, a cell longer than any field holds) is an
    error naming its line, and the store is left as it was. ``skipped``: lines before
    ``text`` in the file."""
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    start = 1 + skipped
    try:
        for _ in reader:
            start = reader.line_num + 1 + skipped
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            why = (
                f"a cell is longer than {csv.field_size_limit():,} characters, more than any "
                "field of a record holds (or a quote left open runs on)."
            )
        else:
            why = f"broken CSV ({exc}); is a quote left open?"
        raise ImportFormatError(f"{path}: line {start}: {why} Nothing was imported") from exc


def is_hxl_row(values: list[str]) -> bool:
    cells = [v.strip() for v in values if v.strip()]
    return bool(cells) and all(c.startswith("#") for c in cells)


#: year first, as ISO and most databases write it: 2022-04-26, 2022-4-6, 2022/04/26, 20220426
_YEAR_FIRST = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|(\d{2})(\d{2}))(?=$|[ T])")
#: a day and a month in some order, then a year: 26/04/2022, 4.6.22
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
#: two defaults that differ in day, month and year: a text that leaves one out parses unlike
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))


def parse_date(value: str, *, column: str, dayfirst: bool = True) -> date:
    """A day from ISO ('2022-04-26', '2022-04-26 00:00:00.000'), other year-first forms
    ('2022/4/26', '20220426'), numeric day-first forms ('26/04/2022'; month first with
    ``dayfirst`` False) or text ('26 April 2022').

    A value that is not a whole day ('March 2024', '2024', 'Tuesday', '7') is refused rather
    than completed with a made-up day, and so is a numeric date in the other order than the
    file's ('04/26/2022' in a day-first file: its rows would mix two orders).
    """
    v = value.strip()
    if not v:
        raise RowValueError(f"{column} is empty")
    year_first = _YEAR_FIRST.match(v)
    numeric = _NUMERIC.match(v)
    try:
        if year_first:
            y, m, d = (int(g) for g in year_first.groups() if g is not None)
            return date(y, m, d)
        if numeric:
            a, b, y = (int(g) for g in numeric.groups())
            day, month = (a, b) if dayfirst else (b, a)
            if month > 12 and day <= 12:
                order = "day first" if dayfirst else "month first"
                raise RowValueError(
                    f"{column} {v!r} is not a date read {order}, as this file is "
                    f"({'--monthfirst' if dayfirst else 'without --monthfirst'} reads it)"
                )
            return date(y + (2000 if y < 100 else 0), month, day)
    except ValueError as exc:
        if isinstance(exc, RowValueError):
            raise
        raise RowValueError(f"{column} {v!r} is not a valid date") from exc
    try:
        first, second = (
            dateparser.parse(v, dayfirst=dayfirst, default=d, ignoretz=True) for d in _DEFAULTS
        )
    except (ValueError, OverflowError) as exc:
        raise RowValueError(f"{column} {v!r} is not a date") from exc
    if first.date() != second.date():
        raise RowValueError(f"{column} {v!r} is not a whole date (a day, a month and a year)")
    return first.date()


def parse_float(value: str | None, *, column: str) -> float:
    """A coordinate or measure; a decimal comma ('24,94') is accepted."""
    v = (value or "").strip()
    if v.count(",") == 1 and "." not in v:
        v = v.replace(",", ".")
    if not v:
        raise RowValueError(f"{column} is empty")
    try:
        return float(v)
    except ValueError as exc:
        raise RowValueError(f"{column} {value!r} is not a number") from exc


def parse_int(value: str | None, *, column: str) -> int | None:
    """An optional count: '' → None, '3', '3.0', '1,204' → int. Negative counts are refused."""
    v = (value or "").strip().replace(",", "").replace("\u00a0", "")
    if not v or v.lower() in {"na", "n/a", "unknown", "null", "none", "-"}:
        return None
    try:
        f = float(v)
    except ValueError as exc:
        raise RowValueError(f"{column} {value!r} is not a number") from exc
    if not math.isfinite(f):
        raise RowValueError(f"{column} {value!r} is not a count")
    if f < 0:
        if f in (-9, -99):  # GTD's "unknown"
            return None
        raise RowValueError(f"{column} {value!r} is negative")
    if f != int(f):
        raise RowValueError(f"{column} {value!r} is not a whole number")
    return int(f)


#: what a spreadsheet takes for the start of a formula in a cell of text
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula ("=HYPERLINK(...)", "@SUM(...)"),
    with a leading apostrophe, which shows the text as it is; numbers and other text as given.
    :func:`from_spreadsheet_safe` undoes it on import.

    >>> spreadsheet_safe("=1+1"), spreadsheet_safe("Gwadar"), spreadsheet_safe(-3)
    ("'=1+1", 'Gwadar', -3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def from_spreadsheet_safe(value: str) -> str:
    """The text a :func:`spreadsheet_safe` cell stands for.

    >>> from_spreadsheet_safe("'=1+1"), from_spreadsheet_safe("'quoted'")
    ('=1+1', "'quoted'")
    """
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def text_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip()
    return v or None
