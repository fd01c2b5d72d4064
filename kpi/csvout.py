"""CSV as a machine format: every value round-trips exactly, with one documented exception.

Text is written as it is (newlines, carriage returns, quotes, commas, control characters and
Unicode form unchanged), quoted per RFC 4180 where it needs to be. Python's csv module leaves a
lone carriage return unquoted, which a reader then takes for a line break, so fields are
quoted here. The exception: text that a spreadsheet would run as a formula, starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return, gets a leading ``'`` (OWASP's advice
against CSV injection). Numbers are written with ``repr``: the shortest text that reads back as
the same float.
"""

from collections.abc import Iterable, Sequence
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_QUOTES = frozenset(',"\r\n')


def guard(text: str) -> str:
    """Text a spreadsheet will show as text, never evaluate."""
    return "'" + text if text.startswith(FORMULA_START) else text


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = guard(value)
        if _NEEDS_QUOTES.intersection(text):
            return '"' + text.replace('"', '""') + '"'
        return text
    return repr(value)


def write(records: Iterable[dict[str, Any]], columns: Sequence[str], out: IO[str]) -> None:
    out.write(",".join(cell(c) for c in columns) + "\n")
    for record in records:
        out.write(",".join(cell(record[c]) for c in columns) + "\n")
