"""One change of an actuals file as a transaction: under the data folder's lock, the file's text
is read, the change computes the new text from it (checking whatever it must), and the new text
replaces the file atomically. kpi record and kpi import both go through here, so neither can
read outside the lock or write what it did not check."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from kpi.errors import KpiError
from kpi.i18n import msg
from kpi.problems import Problem

T = TypeVar("T")


class Unreadable(KpiError):
    """The actuals file cannot be read as text; problems says why, line by line."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        super().__init__(msg("{file}: not changed", file=file))
        self.problems = problems


def actuals_text(path: Path, name: str) -> str:
    """The file's text ("" when it does not exist yet)."""
    from kpi.datafiles import ReadError, decode, read_regular

    if not os.path.lexists(path):
        return ""
    problems: list[Problem] = []
    try:
        text = decode(read_regular(path), name, problems)
    except ReadError as exc:
        raise KpiError(msg("{file}: {problem}; not changed", file=name, problem=exc.args[0])) from None
    if text is None:
        raise Unreadable(name, problems)
    return text


def rewrite(path: Path, change: Callable[[str], tuple[str | None, T]], timeout: float = 30.0) -> T:
    """change(old text) -> (new text, or None to leave the file as it is; its result), run under
    the lock of the file's real folder; the new text is written atomically before the lock is
    released. A RecordError or WriteError comes back as one KpiError naming the file."""
    from kpi.atomic import WriteError, atomic_write, locked, real_path
    from kpi.record import RecordError

    name = str(path)
    try:
        real = real_path(path)
        with locked(real.parent, timeout):
            new, result = change(actuals_text(real, name))
            if new is not None:
                atomic_write(path, new.encode("utf-8"))
            return result
    except (RecordError, WriteError) as exc:
        raise KpiError(msg("{file}: {problem}", file=name, problem=exc.args[0])) from None
