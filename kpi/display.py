"""Turning values and data text into strings people read: rounding by unit, safe text."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# Units whose values are whole places in a ranking or a group, shown without decimals.
WHOLE_UNITS = frozenset({"hạng", "rank", "nhóm", "group"})
PERCENT_UNITS = frozenset({"%", "%/năm", "%/year", "% per year"})

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def printable(text: str) -> str:
    r"""Show control characters as \xNN so data text never acts on the terminal.

    Text is also put in NFC form: the sources write some Vietnamese letters as a base letter
    plus combining accents, which many terminal fonts draw apart ("Xê´p" for "Xếp").
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", unicodedata.normalize("NFC", text))


def one_line(text: str) -> str:
    return printable(text.replace("\n", " ").replace("\t", " "))


def markdown_text(text: str) -> str:
    """Data text as literal Markdown: no links, emphasis or table breaks."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text))


def value(v: float | None, unit: str = "") -> str:
    """A value rounded for reading: percentages to 0.1, ranks whole, large numbers grouped."""
    if v is None:
        return "–"
    if unit in WHOLE_UNITS:
        return f"{v:,.0f}"
    if unit in PERCENT_UNITS:
        return f"{v:,.1f}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    text = f"{v:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def signed(v: float | None, unit: str = "") -> str:
    if v is None:
        return "–"
    text = value(v, unit)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def percent(ratio: float | None) -> str:
    return "–" if ratio is None else f"{ratio * 100:,.1f}%"


def iso(d: date | None) -> str:
    return "–" if d is None else d.isoformat()
