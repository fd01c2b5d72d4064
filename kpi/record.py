"""Adding one [[actual]] table to actuals.toml as text, leaving every other byte alone.

The file is never re-serialised: the new table is appended (or, with replace, only the
lines of the replaced table are rewritten), and the whole new text is parsed once to
prove it holds exactly the old entries plus the new one before it may replace the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import tomli
import tomli_w

from kpi.errors import KpiError
from kpi.i18n import Message, msg
from kpi.periods import PeriodError, parse_period
from kpi.tomltext import array_tables

ACTUAL_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*actual[ \t]*\]\][ \t]*(?:#.*)?\r?$", re.MULTILINE)


class RecordError(KpiError):
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
    extra: tuple[tuple[str, Any], ...] = ()  # keys kept from a replaced table (plan_share, change...)
    cumulative: bool = False
    org: str | None = None  # the unit the figure is for; None: the plan's own
    received: date | None = None  # when it reached the ministry (for timeliness)

    def table(self) -> dict[str, Any]:
        """The entry as a TOML table, in the order of the documented format; defaults left out."""
        # Whole numbers as TOML integers, while a float holds them exactly (below 2**53).
        exact = float(self.value).is_integer() and abs(self.value) < 2**53
        value: float | int = int(self.value) if exact else float(self.value)
        table: dict[str, Any] = {"kpi": self.kpi}
        if self.org is not None:
            table["org"] = self.org
        table |= {"period": self.period, "value": value}
        if self.estimated:
            table["estimated"] = True
        if self.published is not None:
            table["published"] = self.published
        if self.received is not None:
            table["received"] = self.received
        table["source"] = self.source
        if self.quote is not None:
            table["quote"] = self.quote
        if self.derived:
            table["derived"] = True
        if self.note is not None:
            table["note"] = self.note
        if self.cumulative:
            table["cumulative"] = True
        for key, value in self.extra:
            table[key] = value
        return table


FIELDS = ("source", "quote", "estimated", "published", "derived", "note", "received")


def merged(entry: Entry, before: dict[str, Any], given: set[str]) -> tuple[Entry, list[str]]:
    """The entry that corrects before: the value, and the fields given on the command line, from
    entry; every other field (and any key record does not set: plan_share, change...) kept from
    before. Also the names of the keys whose value changes."""
    fields = {name: getattr(entry, name) for name in FIELDS}
    for name in FIELDS:
        if name not in given and name in before:
            fields[name] = before[name]
        elif name not in given:
            fields[name] = Entry.__dataclass_fields__[name].default
    known = {"kpi", "org", "period", "value", "cumulative", *FIELDS}
    extra = {k: v for k, v in before.items() if k not in known}
    extra.update(entry.extra)  # plan_share, change...: those given now replace those before
    new = Entry(
        entry.kpi,
        entry.period,
        entry.value,
        extra=tuple(extra.items()),
        cumulative=entry.cumulative if "cumulative" in given else before.get("cumulative") is True,
        org=entry.org,
        **fields,
    )
    after = new.table()
    changed = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    return new, changed


def block_of(table: dict[str, Any]) -> str:
    """An existing table as TOML, to show what a change replaces."""
    return "[[actual]]\n" + tomli_w.dumps(table)


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


def tables_of(text: str) -> list[Any]:
    """The [[actual]] tables of an actuals file's text."""
    return _actuals(_parse(text, msg("the file")))


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


def _span(period: str, cumulative: bool, flow: bool) -> tuple[date, date | None]:
    """The day a figure ends on, and for a flow the day it starts on (a flow's month and its
    half year are different figures)."""
    parsed = parse_period(period)
    if not flow:
        return parsed.end, None
    return parsed.end, parsed.end.replace(month=1, day=1) if cumulative else parsed.start


def _same(
    raw: object, kpi: str, period: str, cumulative: bool = False, flow: bool = False, org: str | None = None
) -> bool:
    """An existing table for the KPI and unit whose figure covers the same span (for a level: ends
    on the same day: the loader's rule)."""
    if not isinstance(raw, dict) or raw.get("kpi") != kpi or raw.get("org") != org:
        return False
    theirs = raw.get("period")
    try:
        return isinstance(theirs, str) and _span(theirs, raw.get("cumulative") is True, flow) == _span(
            period, cumulative, flow
        )
    except PeriodError:
        return False


def _number(value: object) -> object:
    """A figure's value for a message, written in the language's notation (grouped)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _published(raw: dict[str, Any]) -> date | None:
    value = raw.get("published")
    return value if isinstance(value, date) else None


def find(
    raws: list[Any],
    kpi: str,
    period: str,
    published: date | None,
    flow: bool,
    cumulative: bool = False,
    org: str | None = None,
) -> int | None:
    """The index of the figure for the KPI, unit and period: the revision published on published,
    else the latest one."""
    same = [n for n, raw in enumerate(raws) if _same(raw, kpi, period, cumulative, flow, org)]
    if not same:
        return None
    if published is not None:
        return next((n for n in same if _published(raws[n]) == published), None)
    return max(same, key=lambda n: _published(raws[n]) or date.min)


def append(old: str, entry: Entry, flow: bool = False) -> tuple[str, list[Any], dict[str, Any] | None]:
    """The new text with the entry appended, its parsed actuals (parsed once, here), and the
    figure it revises (the latest earlier revision for its period), if any."""
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
    same = [
        (n, r)
        for n, r in enumerate(raw[:-1], 1)
        if _same(r, entry.kpi, entry.period, entry.cumulative, flow, entry.org)
    ]
    if not same:
        return new, raw, None
    n, existing = same[-1]
    dates = [_published(r) for _n, r in same]
    if entry.published is None or any(d is None for d in dates):
        theirs = existing.get("period")
        same_day = (
            ""
            if theirs == entry.period
            else msg(', which ends the same day as "{period}"', period=entry.period)
        )
        raise RecordError(
            msg(
                'actual[{n}] already records {kpi} for period "{period}"{same_day} (value {value}); '
                "use --replace to correct it, or --published with a later date to add a revision",
                n=str(n),
                kpi=entry.kpi,
                period=str(theirs),
                same_day=same_day,
                value=_number(existing.get("value")),
            )
        )
    latest_n, latest = max(same, key=lambda item: _published(item[1]) or date.min)
    if entry.published <= (_published(latest) or date.min):
        raise RecordError(
            msg(
                "a revision must be published after the latest one: actual[{n}], published {published}",
                n=str(latest_n),
                published=_published(latest),
            )
        )
    return new, raw, latest


def blocks(old: str, entries: Sequence[Entry]) -> str:
    """old with each entry appended as its own [[actual]] table, separated by blank lines."""
    newline = _newline(old) if old else "\n"
    if not old or old.endswith(newline * 2):
        separator = ""
    elif old.endswith(("\n", "\r")):
        separator = newline
    else:
        separator = newline * 2
    return old + separator + newline.join(block(entry, newline) for entry in entries)


def append_many(old: str, entries: Sequence[Entry]) -> tuple[str, list[Any], list[Any]]:
    """The new text with every entry appended, its parsed actuals and the old text's, parsed once
    each and verified: the old tables unchanged, then exactly the new ones. Whether the entries
    may join the others (duplicates, revisions) is the caller's to decide first."""
    old_raw = _check_form(old, _parse(old, msg("the existing file"))) if old.strip() else []
    new = blocks(old, entries)
    try:
        doc = tomli.loads(new)
    except tomli.TOMLDecodeError:
        raise RecordError(msg("the new entries would not parse; nothing was changed")) from None
    raw = _check_form(new, doc)
    if raw != [*old_raw, *(entry.table() for entry in entries)]:
        raise RecordError(
            msg("the new entries did not land as their own [[actual]] tables; nothing was changed")
        )
    return new, raw, old_raw


def span_of(raw: object, flow: bool) -> tuple[str, Any, date, date | None] | None:
    """A table's (kpi, org, end, start) key: figures with the same key are one figure or its
    revisions. None for a table too broken to say (validate reports it)."""
    if (
        not isinstance(raw, dict)
        or not isinstance(raw.get("kpi"), str)
        or not isinstance(raw.get("period"), str)
    ):
        return None
    try:
        return (raw["kpi"], raw.get("org"), *_span(raw["period"], raw.get("cumulative") is True, flow))
    except PeriodError:
        return None


def _rewrite(
    old: str, index: int, replacement: str, old_raw: list[Any], expected: list[Any]
) -> tuple[str, list[Any]]:
    """old with the index-th [[actual]] table's lines replaced, verified by parsing the result."""
    # Comments and blank lines before the next table stay where they are.
    start, end = array_tables(old, "actual")[index]
    new = old[:start] + replacement + old[end:]
    raw = _actuals(_parse(new, msg("the new text"))) if new.strip() else []
    if raw != expected:
        raise RecordError(msg("the change would touch other entries; nothing was changed"))
    return new, raw


def replace(
    old: str, entry: Entry, flow: bool = False, published: date | None = None
) -> tuple[str, list[Any], dict[str, Any] | None]:
    """The new text with the figure's table rewritten in place (the revision published on
    published, else the latest), its parsed actuals, and the table replaced (None when there was
    none, and the entry is appended instead)."""
    old_raw = _check_form(old, _parse(old, msg("the existing file")))
    index = find(old_raw, entry.kpi, entry.period, published, flow, entry.cumulative, entry.org)
    if index is None:
        new, raw, _revised = append(old, entry, flow)
        return new, raw, None
    expected = [*old_raw[:index], entry.table(), *old_raw[index + 1 :]]
    new, raw = _rewrite(old, index, block(entry, _newline(old)), old_raw, expected)
    return new, raw, old_raw[index]


def existing(
    old: str,
    kpi: str,
    period: str,
    published: date | None,
    flow: bool,
    cumulative: bool = False,
    org: str | None = None,
) -> dict[str, Any] | None:
    """The table the figure would replace (the revision published on published, else the latest)."""
    raws = _check_form(old, _parse(old, msg("the existing file"))) if old else []
    index = find(raws, kpi, period, published, flow, cumulative, org)
    return None if index is None else raws[index]


def delete(
    old: str,
    kpi: str,
    period: str,
    published: date | None,
    flow: bool,
    cumulative: bool = False,
    org: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """The new text without the figure's table (every other byte kept), and the table removed."""
    old_raw = _check_form(old, _parse(old, msg("the existing file")))
    index = find(old_raw, kpi, period, published, flow, cumulative, org)
    if index is None:
        when = "" if published is None else msg(" published on {date}", date=published)
        raise RecordError(
            msg(
                'no figure of {kpi} for period "{period}"{published} to delete',
                kpi=kpi,
                period=period,
                published=when,
            )
        )
    same = [n for n, r in enumerate(old_raw) if _same(r, kpi, period, cumulative, flow, org)]
    if published is None and len(same) > 1:
        raise RecordError(
            msg(
                "{kpi} {period} has {n} revisions; say which with --published",
                kpi=kpi,
                period=period,
                n=len(same),
            )
        )
    expected = [*old_raw[:index], *old_raw[index + 1 :]]
    start, end = array_tables(old, "actual")[index]
    # The blank lines that separated it go too: after it, or before it when it was the last.
    after = end
    while after < len(old) and old[after] in "\r\n":
        after += 1
    before = start
    if after >= len(old):
        while before > 0 and old[before - 1] in "\r\n" and (before < 2 or old[before - 2] in "\r\n"):
            before -= 1
        after = len(old)
    new = old[:before] + old[after:]
    raw = _actuals(_parse(new, msg("the new text"))) if new.strip() else []
    if raw != expected:
        raise RecordError(msg("the change would touch other entries; nothing was changed"))
    return new, old_raw[index]


class Change(NamedTuple):
    """What recording an entry does to the file's text: the new text and its tables, the tables
    as they were, and what the entry replaces or revises."""

    entry: Entry  # as written (merged with the table it corrects, for a replace)
    text: str
    raw: list[Any]  # the new text's tables
    was: list[Any]  # the tables before
    before: dict[str, Any] | None  # the table a replace corrects
    replaced: dict[str, Any] | None
    revised: dict[str, Any] | None  # the latest earlier revision of the same figure
    changed: list[str]  # the keys a replace changes


def corrected(
    old: str, entry: Entry, flow: bool, replace_it: bool, published: date | None, given: set[str]
) -> tuple[Entry, dict[str, Any] | None, list[str]]:
    """For a replace, the entry merged with the table it corrects (the fields not given kept),
    that table, and the keys that change; else the entry as it is."""
    before = (
        existing(old, entry.kpi, entry.period, published, flow, entry.cumulative, entry.org)
        if replace_it
        else None
    )
    if before is None:
        return entry, None, []
    merged_entry, changed = merged(entry, before, given)
    return merged_entry, before, changed


def change(
    old: str,
    entry: Entry,
    flow: bool,
    replace_it: bool,
    published: date | None,
    before: dict[str, Any] | None = None,
    changed: Sequence[str] = (),
) -> Change:
    """The file's new text with the entry appended (a revision when it says so) or, with
    replace_it, written over the figure already recorded."""
    replaced = revised = None
    if replace_it:
        new, raw, replaced = replace(old, entry, flow, published)
    else:
        new, raw, revised = append(old, entry, flow)
    # The tables as they were, without parsing the old text a second time.
    if replaced is not None:
        at = next(n for n, r in enumerate(raw) if r == entry.table())
        was = [*raw[:at], replaced, *raw[at + 1 :]]
    else:
        was = raw[:-1]
    return Change(entry, new, raw, was, before, replaced, revised, list(changed))
