"""Where a problem is in its file: the line of the entry (and of the key, where the message names
one), so editors and pre-commit output can jump to it.

Computed only when there are problems: a clean `kpi validate` never pays for it. The tables are
found the way a TOML parser finds them (kpi/tomltext.py), so a line inside a multi-line string
never passes for a table.
"""

import bisect
import re
from collections.abc import Sequence

from kpi.problems import Problem
from kpi.tomltext import Line, lines

_ARRAY = re.compile(r'(?:(?:kpi|org) "[^"]*" \()?(kpi|actual|org|merge|rename|target)\[(\d+)\]')
_TABLE = re.compile(r"\[([^\]]+)\]\Z")
# The key a message is about: '"value" must be...', 'unknown key "vaule"', '"targets[2].value" ...'
_KEY = re.compile(r'^(?:unknown (?:top-level )?key )?"([A-Za-z0-9_-]+)|^([a-z_]+)(?:\[\d+\])?(?:[.:]| )')


class _File:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: list[Line] = lines(text)
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
        # Every table's line, by kind and name, found once: a file with 10^4 problems is
        # placed in one pass, not one pass per problem.
        self.tables: dict[tuple[str, str], list[int]] = {}
        for n, line in enumerate(self.lines):
            if line.kind in ("header", "array-header"):
                self.tables.setdefault((line.kind, line.name), []).append(n)

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def span(self, path: str | None) -> tuple[int, int] | None:
        """The (first, past-last) indexes into lines of the table the path names; the whole file
        for None."""
        if path is None:
            return 0, len(self.lines)
        found = _ARRAY.match(path)
        if found:
            headers = self.tables.get(("array-header", found.group(1)), [])
            index = int(found.group(2))
            if not 0 < index <= len(headers):
                return None
            at = headers[index - 1]
        else:
            table = _TABLE.match(path)
            matches = self.tables.get(("header", table.group(1)), []) if table else []
            if not matches:
                return None
            at = matches[0]
        end = at + 1
        while end < len(self.lines) and self.lines[end].kind not in ("header", "array-header"):
            end += 1
        return at, end

    def offset(self, index: int) -> int:
        return self.lines[index].offset if index < len(self.lines) else len(self.text)

    def key_line(self, first: int, last: int, key: str, top: bool) -> int | None:
        pattern = re.compile(r'[ \t]*["\']?' + re.escape(key) + r'["\']?[ \t]*[=.]')
        for line in self.lines[first:last]:
            if top and line.kind in ("header", "array-header"):
                break
            if line.kind == "content" and pattern.match(self.text, line.offset):
                return self.line_of(line.offset)
        return None


def with_lines(problems: Sequence[Problem], texts: dict[str, str]) -> list[Problem]:
    """The problems, each with the line of its entry (or key) where it can be found."""
    files: dict[str, _File] = {}
    placed = []
    for p in problems:
        text = texts.get(p.file)
        if p.line is not None or text is None:
            placed.append(p)
            continue
        file = files.get(p.file) or files.setdefault(p.file, _File(text))
        span = file.span(p.path)
        if span is None:  # an inline array (actual = [...]): the key's line, else the first
            array = _ARRAY.match(p.path or "")
            line = file.key_line(0, len(file.lines), array.group(1), top=False) if array else None
            placed.append(p._replace(line=line or 1))
            continue
        first, last = span
        key = _KEY.match(str(p.message))
        line = None
        if key is not None and not str(p.message).startswith("missing"):
            if p.path is None:  # a top-level key: before the first table
                line = file.key_line(0, len(file.lines), key.group(1) or key.group(2), top=True)
            else:
                line = file.key_line(first, last, key.group(1) or key.group(2), top=False)
        if line is None:
            line = file.line_of(file.offset(first)) if p.path is not None else 1
        placed.append(p._replace(line=line))
    return placed
