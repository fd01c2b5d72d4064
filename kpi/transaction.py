"""One change of an actuals file as a transaction: under the data folder's lock, the file's text
is read, the change computes the new text from it (checking whatever it must), and the new text
replaces the file atomically. kpi record and kpi import both go through here, so neither can
read outside the lock or write what it did not check."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from kpi.datafiles import DataFiles, same_file
from kpi.errors import KpiError
from kpi.i18n import msg
from kpi.model import Plan
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


class Destination(NamedTuple):
    """Where kpi record and kpi import add figures, and the plan's other actuals files, whose
    figures the new ones must agree with."""

    path: Path
    others: tuple[Path, ...] = ()


def destination(files: DataFiles, plan: Plan) -> Destination:
    """The file named by --actuals, else [files] record_to, else the plan's one actuals file;
    never a file the plan does not read (its figures would not count)."""
    from kpi.datafiles import Pattern, file_key, matches
    from kpi.errors import UsageProblem
    from kpi.loader import actuals_files

    declared = plan.actuals
    base = files.targets.parent
    if len(files.actuals) > 1:
        raise UsageProblem(msg("figures are added to one file: give --actuals once"), "--actuals")
    if files.actuals:
        path = files.actuals[0]
        if declared and not matches(path, base, declared):
            raise UsageProblem(
                msg(
                    "{file} is not one of the plan's actuals files ({patterns} in {targets}); "
                    "a figure written there would not count",
                    file=str(path),
                    patterns=", ".join(declared),
                    targets=str(files.targets),
                ),
                "--actuals",
            )
    elif plan.record_to is not None:
        path = base / plan.record_to
        if same_file(path, files.targets):
            raise UsageProblem(
                msg(
                    'record_to "{file}" in {targets} is targets.toml itself; name an actuals file',
                    file=plan.record_to,
                    targets=str(files.targets),
                ),
                "--actuals",
            )
    elif not declared:
        path = files.default
    elif all(Pattern(p).literal for p in declared) and len({file_key(base / p) for p in declared}) == 1:
        path = base / declared[0]  # one file, however often it is named
    else:
        # A pattern may match one file today and another tomorrow: the plan says which, once.
        raise UsageProblem(
            msg(
                "the plan's actuals are {patterns}; name the file to add to with "
                "--actuals FILE, or set record_to under [files] in {targets}",
                patterns=", ".join(declared),
                targets=str(files.targets),
            ),
            "--actuals",
        )
    if plan.orgs is not None and same_file(path, base / plan.orgs):
        raise UsageProblem(
            msg(
                "{file} is the plan's file of units ([files] orgs); a figure belongs in an actuals file",
                file=str(path),
            ),
            "--actuals",
        )
    if not declared:  # the plan is the files given (or actuals.toml): nothing else to agree with
        return Destination(path)
    plan_files = [p for p, _required in actuals_files(files._replace(actuals=()), plan, [])]
    return Destination(path, tuple(p for p in plan_files if not same_file(p, path)))


def other_tables(dest: Destination) -> list[tuple[str, list[Any]]]:
    """The [[actual]] tables of the plan's other actuals files, each with its file's name; a file
    that cannot be read or parsed ends the run (kpi validate says more)."""
    from kpi.datafiles import ReadError, read_regular
    from kpi.record import RecordError, tables_of

    out = []
    for path in dest.others:
        try:
            text = read_regular(path).decode("utf-8")
            out.append((str(path), tables_of(text)))
        except (ReadError, UnicodeDecodeError, RecordError):
            raise KpiError(
                msg("{file} cannot be read; kpi validate says why; nothing was changed", file=str(path))
            ) from None
    return out
