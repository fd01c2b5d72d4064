"""Where the tables of a TOML document start, read from its text the way a parser reads it.

`kpi record` edits actuals.toml as text so that every other byte stays as written; to find
an entry it needs the document's real table headers. A line that merely looks like one (inside
a multi-line string, or an array spread over several lines) is not a header, so the text is
scanned with TOML's own rules for strings, comments and brackets. One pass, linear in the
text. The caller still re-parses the edited text and compares it with what it expects.
"""

import re
from typing import Literal, NamedTuple

LineKind = Literal["header", "array-header", "trivia", "content"]

# The common key/value line, matched whole: a bare or quoted key, then a value that is a
# one-line string without escapes or any other scalar, an optional comment, the line's end.
_SIMPLE_LINE = re.compile(
    r"""[A-Za-z0-9_.-]+[ \t]*=[ \t]*(?:"[^"\\\n]*"|'[^'\n]*'|[^"'#\[\]{}\n]*)[ \t]*(?:\#[^\n]*)?(?:\n|\Z)"""
)


class Line(NamedTuple):
    offset: int  # where the line starts in the text
    kind: LineKind
    name: str = ""  # a header's table name, as written between the brackets


def _skip_string(text: str, i: int) -> int:
    """The index after the string starting at i (text[i] is a quote)."""
    n = len(text)
    quote = text[i]
    if text.startswith(quote * 3, i):
        j = i + 3
        while j < n:
            if quote == '"' and text[j] == "\\":
                j += 2
                continue
            if text.startswith(quote * 3, j):
                j += 3
                # Up to two more quotes belong to the content: """a"""" ends with a quote.
                extra = 0
                while j < n and text[j] == quote and extra < 2:
                    j += 1
                    extra += 1
                return j
            j += 1
        return n
    j = i + 1
    while j < n and text[j] != "\n":
        if quote == '"' and text[j] == "\\":
            j += 2
            continue
        if text[j] == quote:
            return j + 1
        j += 1
    return j


def _key(written: str) -> str:
    """A header's key as TOML reads it, for the simple forms: actual, "actual", 'actual'."""
    key = written.strip()
    if len(key) >= 2 and key[0] == key[-1] and key[0] in "\"'" and "\\" not in key and "." not in key:
        return key[1:-1]
    return key


def _end_of_line(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def lines(text: str) -> list[Line]:
    """Every logical line of the document: headers, blank/comment lines, and the rest. A value
    that spans several lines (a multi-line string or array) counts as one content line."""
    result: list[Line] = []
    n = len(text)
    i = 0
    while i < n:
        start = i
        while i < n and text[i] in " \t":
            i += 1
        if i >= n or text[i] in "\r\n#":
            result.append(Line(start, "trivia"))
            i = _end_of_line(text, i) + 1
            continue
        if text[i] == "[":
            array = text.startswith("[[", i)
            j = i + (2 if array else 1)
            name_start = j
            while j < n and text[j] not in "]\n":
                j = _skip_string(text, j) if text[j] in "\"'" else j + 1
            result.append(Line(start, "array-header" if array else "header", _key(text[name_start:j])))
            i = _end_of_line(text, j) + 1
            continue
        simple = _SIMPLE_LINE.match(text, i)
        if simple is not None:  # key = "text", 82.2, true, a date...: one line, no brackets
            result.append(Line(start, "content"))
            i = simple.end()
            continue
        result.append(Line(start, "content"))
        depth = 0
        while i < n:
            c = text[i]
            if c in "\"'":
                i = _skip_string(text, i)
            elif c == "#":
                i = _end_of_line(text, i)
            elif c in "[{":
                depth += 1
                i += 1
            elif c in "]}":
                depth -= 1
                i += 1
            elif c == "\n":
                i += 1
                if depth <= 0:
                    break
            else:
                i += 1
    return result


def array_tables(text: str, name: str) -> list[tuple[int, int]]:
    """The (start, end) spans of every [[name]] table: from its header to its last key/value
    line; blank and comment lines that follow it stay outside, with whatever comes next."""
    spans: list[tuple[int, int]] = []
    doc = lines(text)
    for index, line in enumerate(doc):
        if line.kind != "array-header" or line.name != name:
            continue
        last = index
        following = len(text)
        for k in range(index + 1, len(doc)):
            if doc[k].kind in ("header", "array-header"):
                following = doc[k].offset
                break
            if doc[k].kind == "content":
                last = k
        end = doc[last + 1].offset if last + 1 < len(doc) else len(text)
        spans.append((line.offset, min(end, following)))
    return spans
