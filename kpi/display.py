"""Turning values and data text into strings people read: rounding by unit, safe text."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache

from kpi.i18n import language

# Units whose values are whole places in a ranking or a group, shown without decimals.
WHOLE_UNITS = frozenset({"hạng", "rank", "nhóm", "group"})
PERCENT_UNITS = frozenset({"%", "%/năm", "%/year", "% per year"})

# C0 and C1 controls (but tab and newline), and the invisible characters that reorder or break
# what follows them: bidirectional overrides and isolates, line and paragraph separators.
# Control characters, line and bidi controls, and U+FFFE/U+FFFF (no XML document may hold them:
# an SVG, a workbook or a Word file would not open).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
# Backslash-escaped so they stay literal: emphasis, links, tables, HTML and entities (&); and,
# since GitHub-flavoured Markdown autolinks them, the ":" of "scheme://" and the "." of "www.".
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&]|:(?=//))")
_WWW = re.compile(r"(?i)\b(www)\.")
# GFM autolinks e-mail addresses whatever is escaped in them; a code span is never linked.
_EMAIL = re.compile(r"[^\s@`|]+@[^\s@`|]+\.[^\s@`|]+")


def printable(text: str) -> str:
    r"""Show control characters as \xNN so data text never acts on the terminal.

    Text is also put in NFC form: the sources write some Vietnamese letters as a base letter
    plus combining accents, which many terminal fonts draw apart ("Xê´p" for "Xếp").
    """
    return _CONTROL.sub(_escape, unicodedata.normalize("NFC", text))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


# Terminal layout (wrapping into table cells) costs more than linear time in the text's length,
# so data text shown in a terminal is cut here; JSON and the files keep all of it.
SHOWN_CHARS = 2000


def excerpt(text: str, limit: int = SHOWN_CHARS) -> str:
    """printable(text), cut to about limit characters with a note of how much was left out."""
    if len(text) <= limit:
        return printable(text)
    from kpi.i18n import ngettext

    left = len(text) - limit
    note = ngettext(
        "… (+{n} character; --format json shows all)", "… (+{n} characters; --format json shows all)", left
    )
    return printable(text[:limit]) + note.format(n=localize(f"{left:,}"))


def one_line(text: str) -> str:
    return printable(text.replace("\n", " ").replace("\t", " "))


def markdown_text(text: str) -> str:
    """Data text as literal Markdown: no links, autolinks, emphasis, HTML, entities or table breaks."""
    out = []
    line = one_line(text)
    end = 0
    for email in _EMAIL.finditer(line):
        out.append(_markdown_plain(line[end : email.start()]))
        out.append(f"`{email.group()}`")
        end = email.end()
    out.append(_markdown_plain(line[end:]))
    return "".join(out)


def _markdown_plain(text: str) -> str:
    return _WWW.sub(r"\1\\.", _MARKDOWN_SPECIAL.sub(r"\\\1", text))


def value(v: float | None, unit: str = "") -> str:
    """A value rounded for reading: percentages to 0.1, ranks whole, large numbers grouped; in
    the language's notation (2,067,389.5 in English, 2.067.389,5 in Vietnamese)."""
    if v is None:
        return "–"
    if abs(v) >= 1e15:  # beyond what a person reads digit by digit, and what a float keeps exactly
        return localize(f"{v:.4g}")
    if unit in WHOLE_UNITS:
        return localize(f"{v:,.0f}")
    if unit in PERCENT_UNITS:
        return localize(f"{v:,.1f}")
    if abs(v) >= 1000:
        return localize(f"{v:,.0f}")
    text = f"{v:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else localize(text)


def with_unit(text: str, unit: str) -> str:
    """A figure's text with its unit as people write it: 82,2% and 100/100 dân (a percentage or
    a rate joins the number), 2.067.389 tỷ đồng."""
    if not unit or text == "–":
        return text
    return text + unit if unit.startswith(("%", "/")) else f"{text} {unit}"


def signed(v: float | None, unit: str = "") -> str:
    if v is None:
        return "–"
    text = value(v, unit)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def percent(ratio: float | None) -> str:
    return "–" if ratio is None else localize(f"{ratio * 100:,.1f}") + "%"


def iso(d: date | None) -> str:
    """A date as the language writes it: 2025-06-30 in English, 30/06/2025 in Vietnamese."""
    if d is None:
        return "–"
    if language() == "vi":
        return _local_date(d)
    return d.isoformat()


def localize(text: str) -> str:
    """Python's English number text (1,234.5) in the current language's notation."""
    if language() == "en":
        return text
    group, decimal = _symbols(language())
    return text.translate({ord(","): group, ord("."): decimal})


def _symbols(lang: str) -> tuple[str, str]:
    return _notation(lang)[0], _notation(lang)[1]


@cache
def _notation(lang: str) -> tuple[str, str, str]:
    """The language's group and decimal symbols and date format: Unicode CLDR data that Babel
    put into the compiled catalog (scripts/catalog.py), read here without Babel."""
    from kpi.i18n import notation

    group, decimal, date_format = notation(lang).split("\t")
    return group, decimal, date_format


def _local_date(d: date) -> str:
    # strftime's %Y writes year 1 as "1" (glibc): the year is padded here, as ISO pads it.
    return d.strftime(_notation(language())[2].replace("%Y", f"{d.year:04d}"))
