"""Adding one [[actual]] table to actuals.toml as text, leaving every other byte alone.

The file is never re-serialised: the new table is appended (or, with replace, only the
lines of the replaced table are rewritten), and the whole new text is parsed once to
prove it holds exactly the old entries plus the new one before it may replace the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import tomli
import tomli_w

from kpi.i18n import Message, msg
from kpi.periods import PeriodError, parse_period
from kpi.tomltext import array_tables

ACTUAL_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*actual[ \t]*\]\][ \t]*(?:#.*)?\r?$", re.MULTILINE)


class RecordError(Exception):
    """The entry cannot be recorded; nothing was changed. The message says why."""


@dataclass(frozen=True, slots=True)
class Entry:
    kpi: str
    period: str
    value: float
    source: str
    quote: str | None = None
    estimated: bool = False
    published: date | None = None
    derived: bool = False
    note: str | None = None

    def table(self) -> dict[str, Any]:
        """The entry as a TOML table, in the order of the documented format; defaults left out."""
        # Whole numbers as TOML integers, while a float holds them exactly (below 2**53).
        exact = float(self.value).is_integer() and abs(self.value) < 2**53
        value: float | int = int(self.value) if exact else float(self.value)
        table: dict[str, Any] = {"kpi": self.kpi, "period": self.period, "value": value}
        if self.estimated:
            table["estimated"] = True
        if self.published is not None:
            table["published"] = self.published
        table["source"] = self.source
        if self.quote is not None:
            table["quote"] = self.quote
        if self.derived:
            table["derived"] = True
        if self.note is not None:
            table["note"] = self.note
        return table


def block(entry: Entry, newline: str = "\n") -> str:
    """The entry as its own [[actual]] table. tomli-w writes only the scalar keys here, so
    nothing can be inlined into a previous table."""
    text = "[[actual]]\n" + tomli_w.dumps(entry.table())
    return text.replace("\n", newline) if newline != "\n" else text


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _actuals(doc: dict[str, Any]) -> list[Any]:
    raw = doc.get("actual", [])
    if not isinstance(raw, list):
        raise RecordError(
            msg('"actual" is not an array of [[actual]] tables; fix the file first (kpi validate)')
        )
    return raw


def _parse(text: str, what: Message) -> dict[str, Any]:
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        raise RecordError(
            msg("{what} does not parse: {reason}; fix it first (kpi validate)", what=what, reason=str(exc))
        ) from None


def _check_form(text: str, doc: dict[str, Any]) -> list[Any]:
    """The document's actuals, refusing any that are not [[actual]] tables."""
    raw = _actuals(doc)
    # A regular expression counts the header lines at C speed; only when that count is off (a
    # line that looks like a header inside a multi-line string) is the document scanned as TOML.
    headers = len(ACTUAL_HEADER.findall(text))
    if headers != len(raw):
        headers = len(array_tables(text, "actual"))
    if headers != len(raw) or ("actual" in doc and headers == 0):
        raise RecordError(
            msg(
                "the file holds actuals that are not [[actual]] tables (an inline actual = [...] array?); "
                "kpi record only adds [[actual]] tables, so convert the file to that form first"
            )
        )
    return raw


def _same(raw: object, entry: Entry) -> bool:
    """An existing table for the entry's KPI whose period ends on the same day (the loader's
    rule: one figure per KPI and day)."""
    if not isinstance(raw, dict) or raw.get("kpi") != entry.kpi:
        return False
    period = raw.get("period")
    if period == entry.period:
        return True
    try:
        return isinstance(period, str) and parse_period(period).end == parse_period(entry.period).end
    except PeriodError:
        return False


def append(old: str, entry: Entry) -> tuple[str, list[Any]]:
    """The new text with the entry appended, and its parsed actuals (parsed once, here)."""
    newline = _newline(old) if old else "\n"
    if not old or old.endswith(newline * 2):
        separator = ""
    elif old.endswith(("\n", "\r")):
        separator = newline
    else:
        separator = newline * 2
    new = old + separator + block(entry, newline)
    try:
        doc = tomli.loads(new)
    except tomli.TOMLDecodeError:
        # Say what is wrong with the old file: broken, or not in [[actual]] form.
        _check_form(old, _parse(old, msg("the existing file")))
        raise RecordError(msg("the new entry would not parse; nothing was changed")) from None
    raw = _check_form(new, doc)
    if not raw or raw[-1] != entry.table():
        raise RecordError(msg("the new entry did not land as its own [[actual]] table; nothing was changed"))
    for n, existing in enumerate(raw[:-1], 1):
        if _same(existing, entry):
            theirs = existing.get("period")
            same_day = (
                ""
                if theirs == entry.period
                else msg(', which ends the same day as "{period}"', period=entry.period)
            )
            raise RecordError(
                msg(
                    'actual[{n}] already records {kpi} for period "{period}"{same_day} (value {value}); '
                    "use --replace to replace it",
                    n=str(n),
                    kpi=entry.kpi,
                    period=str(theirs),
                    same_day=same_day,
                    value=str(existing.get("value")),
                )
            )
    return new, raw


def replace(old: str, entry: Entry) -> tuple[str, list[Any], dict[str, Any] | None]:
    """The new text with the (kpi, period) table's lines rewritten, its parsed actuals, and the
    entry replaced (None when there was none, and the entry is appended instead)."""
    old_raw = _check_form(old, _parse(old, msg("the existing file")))
    index = next((n for n, raw in enumerate(old_raw) if _same(raw, entry)), None)
    if index is None:
        new, raw = append(old, entry)
        return new, raw, None
    # Comments and blank lines before the next table stay where they are.
    start, end = array_tables(old, "actual")[index]
    new = old[:start] + block(entry, _newline(old)) + old[end:]
    raw = _actuals(_parse(new, msg("the new text")))
    expected = [*old_raw[:index], entry.table(), *old_raw[index + 1 :]]
    if raw != expected:
        raise RecordError(msg("replacing the entry would change other entries; nothing was changed"))
    return new, raw, old_raw[index]
