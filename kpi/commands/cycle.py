"""kpi due: the reporting cycle, what is owed and by whom."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kpi.commands.shared import (
    EXIT_ON_CLOSED_PIPE,
    keep,
    load_valid,
    to_output,
    write_output,
    write_output_bytes,
)
from kpi.i18n import language

if TYPE_CHECKING:
    from kpi.cycle import DueView
from kpi.options import CONTEXT, FORMATS, KpiCommand, data_options, org_option, report_options


@click.command(cls=KpiCommand, context_settings=CONTEXT)
@data_options
@report_options((*FORMATS, "xlsx"))
@click.option(
    "--owner", metavar="ID", help="Only what this owner (or one under it) is accountable for or owns now."
)
@org_option
@click.option("--period", metavar="PERIOD", help="Only this period's figures: 2025-Q1.")
@click.option(
    "--within",
    type=click.IntRange(min=0, max=3660),
    default=14,
    show_default=True,
    help="Days ahead counted as due soon.",
)
@click.option(
    "--fail-on", type=click.Choice(["overdue"]), help="Exit 1 when anything is overdue (for a scheduled job)."
)
@click.option(
    "--by-owner",
    is_flag=True,
    help="One file per owner reminded now, in the folder -o names: a Markdown reminder, or a CSV for "
    "mail merge.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, allow_dash=True),
    help="Write to this file (atomically); with --by-owner, into this folder. - is standard output.",
)
def due(
    targets: Path | None,
    actuals: tuple[Path, ...],
    data_dir: Path | None,
    as_of: date | None,
    fmt: str,
    lang: str | None,
    owner: str | None,
    org: str | None,
    period: str | None,
    within: int,
    fail_on: str | None,
    by_owner: bool,
    output: Path | None,
) -> None:
    """What is owed: overdue figures, those due soon, and the round's figures.

    For every KPI with a reporting calendar ([reporting], or frequency and due on a KPI): each
    period's due date (with its weekday: dates are never moved for rest days), whether its
    first figure arrived on time, and who is accountable (the owner on the due date) and who
    is reminded now. --as-of replays an earlier day.

    \b
    Examples:
      kpi due
      kpi due --as-of 2025-10-31 --owner vien-thong
      kpi due --format json --fail-on overdue     # for a scheduled job
      kpi due --by-owner --format markdown -o reminders/
    """
    from kpi.cycle import due_report
    from kpi.output.dueout import render

    when = as_of or date.today()
    dataset = load_valid(targets, actuals, data_dir)
    view = keep(due_report(dataset, when, within, owner, org, period, language()))
    failed = fail_on == "overdue" and view.overall.missing > 0
    if failed:
        EXIT_ON_CLOSED_PIPE[0] = 1
    if by_owner:
        ctx = click.get_current_context()
        if ctx.get_parameter_source("fmt") == click.core.ParameterSource.DEFAULT:
            fmt = "markdown"  # a reminder per owner is a file to read or send: Markdown unless asked
        _per_owner(view, fmt, output)
    elif fmt == "xlsx":
        _workbook(view, output)
    else:
        to_output(output, lambda out: render(view, fmt, out))
    if failed:
        sys.exit(1)


def _per_owner(view: DueView, fmt: str, folder: Path | None) -> None:
    """One file per owner reminded now: what it owes (overdue and due soon)."""
    import io

    from kpi.cycle import for_owners
    from kpi.i18n import msg, tr
    from kpi.output.dueout import render

    if fmt not in ("markdown", "csv", "xlsx") or folder is None or str(folder) == "-":
        raise click.UsageError(
            tr(msg("--by-owner writes a Markdown, CSV or xlsx file per owner into the folder -o names"))
        )
    if folder.exists() and not folder.is_dir():
        raise click.BadParameter(tr(msg("{path} is not a folder", path=str(folder))), param_hint="-o")
    folder.mkdir(parents=True, exist_ok=True)
    for name, part in for_owners(view):
        target = folder / f"{name}.{ {'markdown': 'md'}.get(fmt, fmt) }"
        if fmt == "xlsx":  # kpi template pre-filled with the owner's KPIs and periods: kpi import reads it
            from kpi.sheets import workbook

            kpis = [part.dataset.kpis[i.kpi] for i in part.items]
            periods = [i.period.text for i in part.items]
            orgs = [i.org for i in part.items]
            write_output_bytes(workbook.template(part.dataset, kpis, part.lang, None, periods, orgs), target)
            continue
        buffer = io.StringIO()
        render(part, fmt, buffer)
        write_output(buffer.getvalue(), target)


def _workbook(view: DueView, output: Path | None) -> None:
    from kpi.i18n import msg, tr
    from kpi.output.dueout import record
    from kpi.sheets import workbook

    if output is None or str(output) == "-":
        raise click.BadParameter(tr(msg("a workbook goes to a file: give -o FILE.xlsx")), param_hint="-o")
    write_output_bytes(workbook.due_workbook([record(i) for i in view.items], view.lang), output)
