"""What every command does around the core: find and load the data (a problem ends the run in
one line), pick the KPIs asked for, say things, fail with an exit code, and write the output
atomically to the file -o names."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn, TypeVar

import click

from kpi.i18n import msg, tr

# The core is imported inside the commands: `kpi --help` needs none of it.
if TYPE_CHECKING:
    from kpi.assess import Assessment
    from kpi.loader import DataFiles
    from kpi.model import Dataset, Kpi, Plan
    from kpi.problems import Problem


def say(text: str, err: bool = False, nl: bool = True) -> None:
    """Print a message for a person: whatever it quotes (a path, a value) cannot act on the
    terminal."""
    from kpi.display import printable

    click.echo(printable(text), err=err, nl=nl)


def fail(message: str, code: int = 1) -> NoReturn:

    say(f"kpi: {tr(message)}", err=True)
    sys.exit(code)


def print_problems(problems: Sequence[Problem]) -> None:
    from kpi.display import printable

    for problem in problems:
        click.echo(printable(problem.text()), err=True)


def resolve_files(targets: Path | None, actuals: tuple[Path, ...], data_dir: Path | None) -> DataFiles:
    from kpi.loader import DataFilesNotFound, locate

    try:
        files = locate(targets, actuals, data_dir)
    except DataFilesNotFound as exc:
        fail(exc.args[0])
    for path in files.actuals:
        not_the_targets(files.targets, path)
    return files


def load_valid(
    targets: Path | None,
    actuals: tuple[Path, ...],
    data_dir: Path | None,
    org: str | None = None,
    as_of: date | None = None,
    owner: str | None = None,
) -> Dataset:
    """Load the data; on any problem print them all and exit 1. With org: that unit's view, as
    known at as_of."""
    from kpi.loader import load

    dataset, problems = load(resolve_files(targets, actuals, data_dir))
    RETAINED.append(dataset)
    use_language(dataset)
    errors = [p for p in problems if not p.warning]  # warnings are for kpi validate
    if errors:
        print_problems(errors)
        fail(_problems_line(len(errors)))
    if owner is not None:
        from kpi.cycle import owned_by

        dataset = owned_by(dataset, owner, as_of or date.today())
    return dataset if org is None else load_view(dataset, org, as_of)


def load_view(dataset: Dataset, org: str, as_of: date | None) -> Dataset:
    """The unit's view of the plan (--org), as known at as_of."""
    from kpi.orgview import get_org, unit_dataset

    return unit_dataset(dataset, get_org(dataset, org), as_of)


def not_the_targets(targets: Path, actuals: Path) -> None:
    """Figures are added to the actuals file, never to targets.toml (a usage error)."""
    from kpi.datafiles import same_file

    if same_file(targets, actuals):
        raise click.UsageError(
            tr(
                msg(
                    "--targets and --actuals are the same file ({file}); "
                    "a figure belongs in the actuals file",
                    file=str(targets),
                )
            )
        )


def load_plan(files: DataFiles) -> Dataset:
    """targets.toml alone (to add figures to actuals.toml); a problem in it ends the run."""
    from kpi.loader import load

    dataset, problems = load(files, with_actuals=False)
    use_language(dataset)
    errors = [p for p in problems if not p.warning]
    if errors:
        print_problems(errors)
        fail(msg("{file} has problems; fix them first (kpi validate)", file=str(files.targets)))
    return dataset


def use_language(dataset: Dataset | Plan) -> str:
    """The language for this run, now that the plan (and its [plan] lang) is known."""
    from kpi.i18n import LanguageError, resolve, set_language
    from kpi.model import Plan

    plan = dataset if isinstance(dataset, Plan) else dataset.plan
    ctx = click.get_current_context(silent=True)
    option = ctx.params.get("lang") if ctx is not None else None
    try:
        lang = resolve(option, plan.lang, os.environ)
    except LanguageError as exc:
        raise click.UsageError(str(exc)) from None
    set_language(lang)
    return lang


def _problems_line(n: int, found: bool = False) -> str:
    from kpi.i18n import ngettext

    if found:
        return ngettext("{n} problem found.", "{n} problems found.", n).format(n=n)
    return ngettext(
        "{n} problem in the data; fix it (kpi validate)",
        "{n} problems in the data; fix them (kpi validate)",
        n,
    ).format(n=n)


def pick_kpis(dataset: Dataset, sectors: Sequence[str]) -> list[Kpi]:
    from kpi.reports import pick_kpis as picked

    return picked(dataset, sectors)


def get_kpi(dataset: Dataset, kpi_id: str) -> Kpi:
    from kpi.reports import get_kpi as got

    return got(dataset, kpi_id)


def run_assessment(
    dataset: Dataset, kpis: Sequence[Kpi], as_of: date, milestone: str | None, explain: bool = False
) -> list[Assessment]:
    from kpi.reports import assess_kpis

    results = assess_kpis(dataset, kpis, as_of, milestone, explain)
    RETAINED.append(results)
    return results


T = TypeVar("T")


def keep(value: T) -> T:
    """What a command loaded stays referenced until the process ends (see RETAINED)."""
    RETAINED.append(value)
    return value


# The exit code when the reader closes the pipe early: 0, unless a check has already failed.
EXIT_ON_CLOSED_PIPE = [0]


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def display_date(when: date) -> str:
    from kpi import display

    return display.iso(when)


def to_output(output: Path | None, render: Callable[[IO[str]], None]) -> None:
    """What render writes, to standard output or atomically to the file -o names."""
    if output is None or str(output) == "-":
        render(sys.stdout)
        return
    buffer = io.StringIO()
    render(buffer)
    write_output(buffer.getvalue(), output)


def write_output_bytes(data: bytes, output: Path) -> None:
    """Bytes atomically to a file (a PDF)."""
    from kpi.atomic import WriteError, atomic_write
    from kpi.i18n import _

    try:
        atomic_write(output, data, links=False)
    except WriteError as exc:
        fail(exc.args[0])
    say(_("wrote {file}").format(file=output), err=True)


def write_output(text: str, output: Path | None) -> None:
    """To stdout, or atomically to a file (a half-written report is never left behind)."""
    if output is None or str(output) == "-":
        click.echo(text, nl=False)
        return
    from kpi.atomic import WriteError, atomic_write

    try:
        atomic_write(output, text.encode("utf-8"), links=False)
    except WriteError as exc:
        fail(exc.args[0])
    from kpi.i18n import _

    say(_("wrote {file}").format(file=output), err=True)


# What a command loaded stays referenced until the process ends: main() then exits without
# freeing it object by object (10^5 actuals take ~0.1 s to free), as mypy's hard_exit does.
RETAINED: list[object] = []
