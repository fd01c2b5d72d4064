"""kpi validate, init and schema: checking the files, starting a plan, and the files' JSON Schema."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kpi.i18n import language, msg, tr

# The core is imported inside the commands: `kpi --help` needs none of it.
if TYPE_CHECKING:
    from kpi.model import Dataset
    from kpi.problems import Problem

from kpi.commands.shared import (
    RETAINED,
    _problems_line,
    fail,
    print_problems,
    resolve_files,
    say,
    use_language,
    write_output,
)
from kpi.options import (
    CONTEXT,
    KpiCommand,
    data_options,
    lang_option,
    output_option,
)


@click.command(cls=KpiCommand, context_settings=CONTEXT)
@data_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a line per problem (file:line:column); json: a list of "
    "{file, line, column, path, message, severity}.",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option(
    "--check",
    "checks",
    multiple=True,
    type=click.Choice(["unowned", "calendar"]),
    help="Also fail a KPI with a reporting calendar and no owner (unowned), or with targets and no "
    "calendar (calendar). Repeatable.",
)
@lang_option
def validate(
    targets: Path | None,
    actuals: tuple[Path, ...],
    data_dir: Path | None,
    fmt: str,
    strict: bool,
    checks: tuple[str, ...],
    lang: str | None,
) -> None:
    """Check targets.toml and actuals.toml; report every problem, one per line.

    Exits 0 when the data is valid, 1 when it is not.

    \b
    Example:
      kpi validate --data-dir plans/2021-2025
    """
    from kpi.loader import load

    files = resolve_files(targets, actuals, data_dir)
    dataset, problems = load(files)
    RETAINED.append(dataset)
    use_language(dataset)
    if checks and not any(not p.warning for p in problems):
        from kpi.cycle import calendar_problems

        problems += calendar_problems(dataset, checks, date.today())
    errors = [p for p in problems if not p.warning]
    warnings = len(problems) - len(errors)
    if fmt == "json":
        from kpi.output import jsonout

        click.echo(jsonout.dumps([p.as_dict() for p in problems], indent=2 if sys.stdout.isatty() else None))
    else:
        _say_checked(dataset, problems, len(errors), warnings)
    sys.exit(1 if errors or (strict and warnings) else 0)


@click.command(cls=KpiCommand, context_settings=CONTEXT)
@click.argument("folder", metavar="[DIR]", required=False, type=click.Path(path_type=Path))
@click.option("--example", is_flag=True, help="Write a small complete plan with real figures to try kpi on.")
@click.option(
    "--orgs",
    type=click.Choice(["vn-provinces"]),
    help="Also write a bundled organisation file and name it in targets.toml: vn-provinces is Viet Nam's "
    "63 former and 34 current provincial units, with the 2025 merges.",
)
@lang_option
def init(folder: Path | None, example: bool, orgs: str | None, lang: str | None) -> None:
    """Start a plan: a commented targets.toml, an empty actuals.toml and their JSON Schemas.

    Existing files are never overwritten. The comments are in the language in effect.

    \b
    Examples:
      kpi init my-plan --lang vi
      kpi init try-kpi --example
      kpi init provinces --orgs vn-provinces
    """
    from kpi.atomic import WriteError
    from kpi.schema import schema_files
    from kpi.starter import starter_files, with_orgs, write_all

    target = folder or Path(".")
    lang_now = language()
    files = starter_files(lang_now, date.today(), example)
    if orgs is not None:
        files = with_orgs(files, orgs)
    files.update({f"schema/{name}": data for name, data in schema_files().items()})
    taken = [name for name in files if os.path.lexists(target / name)]
    if taken:
        fail(
            msg(
                "{file} already exists; kpi init writes only new files, so nothing was written",
                file=str(target / taken[0]),
            )
        )
    try:
        write_all(target, files)
    except WriteError as exc:
        fail(exc.args[0])
    for name in files:
        say(tr(msg("wrote {file}", file=str(target / name))))
    _say_next(target, example, lang_now)


def _say_next(target: Path, example: bool, lang: str) -> None:
    """The commands to try next, on the plan just written."""
    import shlex

    from kpi.starter import FIRST_KPI

    # Always --data-dir: KPI_DATA_DIR, or a plan in a parent folder, would otherwise win.
    where = " --data-dir " + shlex.quote(str(target))
    if example:  # the example plan ended in 2025: look at it as of mid-2025
        where += " --as-of 2025-06-30"
    first = "telecom.fiber_households" if example else FIRST_KPI[lang]
    say("")
    say(tr(msg("Next:")))
    say(f"  kpi validate --data-dir {shlex.quote(str(target))}")
    say(f"  kpi status{where}")
    say(f"  kpi show {first}{where}")


@click.command(cls=KpiCommand, context_settings=CONTEXT)
@click.argument("which", type=click.Choice(["targets", "actuals"]))
@output_option
def schema(which: str, output: Path | None) -> None:
    """Print the JSON Schema of targets.toml or actuals.toml, for editors that check TOML as you
    type (taplo, Even Better TOML: put #:schema PATH on the file's first line).

    \b
    Example:
      kpi schema targets -o targets.schema.json
    """
    from kpi.schema import schema_text

    write_output(schema_text(which), output)


def _say_checked(dataset: Dataset, problems: list[Problem], errors: int, warnings: int) -> None:
    """Every problem, one line each, then one line of what was checked."""
    from kpi.i18n import Int, _, ngettext

    print_problems(problems)
    if errors:
        say(_problems_line(errors, found=True), err=True)
    else:
        recorded = sum(1 for a in dataset.actuals if a.position) + len(dataset.unit_actuals)
        n_kpis, n_sectors = Int(len(dataset.kpis)), Int(len(dataset.sectors))
        say(
            _("ok: {kpis} in {sectors}, {actuals}").format(
                kpis=ngettext("{n:,} KPI", "{n:,} KPIs", n_kpis).format(n=n_kpis),
                sectors=ngettext("{n:,} sector", "{n:,} sectors", n_sectors).format(n=n_sectors),
                actuals=ngettext("{n:,} actual", "{n:,} actuals", recorded).format(n=Int(recorded)),
            )
        )
    if warnings:
        say(ngettext("{n} warning.", "{n} warnings.", warnings).format(n=warnings), err=True)
