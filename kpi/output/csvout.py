"""CSV as a machine format: every value round-trips exactly, with one documented exception.

Text is written as it is (newlines, carriage returns, quotes, commas, control characters and
Unicode form unchanged), quoted per RFC 4180 where it needs to be. Python's csv module leaves a
lone carriage return unquoted, which a reader then takes for a line break, so fields are
quoted here. The exception: text that a spreadsheet would run as a formula, starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return, gets a leading ``'`` (OWASP's advice
against CSV injection), and so does text that starts with ``'`` itself, so a reader recovers
every text by dropping one leading ``'`` where there is one. Numbers are written with ``repr``:
the shortest text that reads back as the same float.
"""

from collections.abc import Iterable, Sequence
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A text that already starts with ' gets one more, so the guard can always be undone: drop one
# leading ' where there is one.
GUARDED = (*FORMULA_START, "'")
_NEEDS_QUOTES = frozenset(',"\r\n')


def guard(text: str) -> str:
    """Text a spreadsheet will show as text, never evaluate."""
    return "'" + text if text.startswith(GUARDED) else text


def cell(value: Any, screen: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = guard(value)
        if screen:  # CSV printed straight to a terminal: control characters shown, not obeyed
            from kpi.display import printable

            text = printable(text)
        if _NEEDS_QUOTES.intersection(text):
            return '"' + text.replace('"', '""') + '"'
        return text
    return repr(value)


def write(records: Iterable[dict[str, Any]], columns: Sequence[str], out: IO[str]) -> None:
    """The records as CSV; exact into a file or a pipe, made inert when out is a terminal."""
    screen = out.isatty()
    out.write(",".join(cell(c) for c in columns) + "\n")
    for record in records:
        out.write(",".join(cell(record[c], screen) for c in columns) + "\n")
