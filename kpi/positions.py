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

_ARRAY = re.compile(r'(?:kpi "[^"]*" \()?(kpi|actual)\[(\d+)\]')
_TABLE = re.compile(r"\[([^\]]+)\]\Z")
# The key a message is about: '"value" must be...', 'unknown key "vaule"', '"targets[2].value" ...'
_KEY = re.compile(r'^(?:unknown (?:top-level )?key )?"([A-Za-z0-9_-]+)|^([a-z_]+)(?:\[\d+\])?(?:[.:]| )')


class _File:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: list[Line] = lines(text)
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def span(self, path: str | None) -> tuple[int, int] | None:
        """The (start, end) offsets of the table the path names; the whole file for None."""
        if path is None:
            return 0, len(self.text)
        index = None
        found = _ARRAY.match(path)
        if found:
            name, index = found.group(1), int(found.group(2))
            headers = [
                n for n, line in enumerate(self.lines) if line.kind == "array-header" and line.name == name
            ]
            if not 0 < index <= len(headers):
                return None
            at = headers[index - 1]
        else:
            table = _TABLE.match(path)
            if table is None:
                return None
            name = table.group(1)
            matches = [n for n, line in enumerate(self.lines) if line.kind == "header" and line.name == name]
            if not matches:
                return None
            at = matches[0]
        end = next(
            (line.offset for line in self.lines[at + 1 :] if line.kind in ("header", "array-header")),
            len(self.text),
        )
        return self.lines[at].offset, end

    def key_line(self, start: int, end: int, key: str, top: bool) -> int | None:
        pattern = re.compile(r'[ \t]*["\']?' + re.escape(key) + r'["\']?[ \t]*[=.]')
        for line in self.lines:
            if line.offset < start or line.offset >= end or line.kind != "content":
                continue
            if pattern.match(self.text, line.offset):
                return self.line_of(line.offset)
            if top and line.kind in ("header", "array-header"):
                break
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
            line = file.key_line(0, len(text), array.group(1), top=False) if array else None
            placed.append(p._replace(line=line or 1))
            continue
        start, end = span
        key = _KEY.match(str(p.message))
        line = None
        if key is not None and not str(p.message).startswith("missing"):
            if p.path is None:  # a top-level key: before the first table
                first = next(
                    (x.offset for x in file.lines if x.kind in ("header", "array-header")), len(text)
                )
                line = file.key_line(0, first, key.group(1) or key.group(2), top=True)
            else:
                line = file.key_line(start, end, key.group(1) or key.group(2), top=False)
        if line is None:
            line = file.line_of(start) if p.path is not None else 1
        placed.append(p._replace(line=line))
    return placed
