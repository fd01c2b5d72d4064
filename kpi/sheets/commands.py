"""kpi import, kpi template and kpi export: the spreadsheet bridge on the command line.

Options in, one call to the core, one writer out. Registered on the kpi group by kpi/cli.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kpi.commands.shared import (
    fail,
    load_plan,
    load_valid,
    not_the_targets,
    pick_kpis,
    resolve_files,
    say,
)
from kpi.i18n import language, msg, tr

if TYPE_CHECKING:
    from kpi.model import Dataset
    from kpi.sheets.importer import Outcome
    from kpi.sheets.layout import Layout
    from kpi.sheets.read import Sheet
    from kpi.transaction import Destination
from kpi.options import CONTEXT, KpiCommand, as_of_option, data_options, lang_option, sector_option


def _read_input(path: Path) -> bytes:
    from kpi.loader import ReadError, read_regular
    from kpi.sheets.read import TABLE_SUFFIXES

    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise click.BadParameter(
            tr(msg("{file}: kpi import reads .xlsx workbooks and .csv files", file=str(path))),
            param_hint="FILE",
        )
    try:
        return read_regular(path)
    except ReadError as exc:
        fail(msg("{file}: {problem}", file=str(path), problem=exc.args[0]))


def _need_openpyxl() -> None:
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        fail(
            msg(
                "workbooks need openpyxl, which is not installed; install it with: pip install openpyxl",
            )
        )


@click.command("import", cls=KpiCommand, context_settings=CONTEXT)
@data_options
@click.argument("file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--sheet", help="The sheet to read (default: the first visible one).")
@click.option(
    "--header-row",
    type=click.IntRange(min=0),
    help="The row that holds the headers, when it is not found by itself (0: none, every row a figure).",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Read FIELD from COLUMN (a letter, or the column's header), e.g. --map value=C (repeatable).",
)
@click.option(
    "--notation",
    type=click.Choice(["vi", "en"], case_sensitive=False),
    help="How numbers typed as text are written: vi (2.067.389,5) or en (2,067,389.5). Needed only for "
    "text such as 1.320 that reads differently in the two.",
)
@click.option("--dry-run", is_flag=True, help="Check every row and print the tables that would be added.")
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0, max=86400),
    default=30.0,
    show_default=True,
    help="Seconds to wait for another writer.",
)
@lang_option
def import_(
    targets: Path | None,
    actuals: tuple[Path, ...],
    data_dir: Path | None,
    file: Path,
    sheet: str | None,
    header_row: int | None,
    maps: tuple[str, ...],
    notation: str | None,
    dry_run: bool,
    lock_timeout: float,
    lang: str | None,
) -> None:
    """Add the figures of a workbook (.xlsx) or CSV file to actuals.toml.

    One row per figure under a header row naming the columns, in English or Vietnamese
    (kpi/mã chỉ tiêu, period/kỳ, value/giá trị, estimated/ước tính, published/ngày công bố,
    source/nguồn, quote/trích dẫn, note/ghi chú, and any other field of [[actual]]). Every row
    is checked first; one bad row imports nothing, and every problem names its cell. The new
    figures are appended in one atomic write, like kpi record.

    \b
    Examples:
      kpi template -o figures.xlsx --period 2024    # a workbook ready to fill
      kpi import figures.xlsx --dry-run
      kpi import so-lieu.csv --map value=D
    """
    from kpi.sheets.layout import LayoutError, parse_maps

    try:
        mapping = parse_maps(maps)
    except LayoutError as exc:
        raise click.BadParameter(tr(exc.args[0]), param_hint="--map") from None
    files = resolve_files(targets, actuals, data_dir)
    if sheet is not None and file.suffix.lower() == ".csv":
        raise click.BadParameter(
            tr(msg("a CSV file has no sheets; --sheet is for workbooks")), param_hint="--sheet"
        )
    data = _read_input(file)
    from kpi.transaction import destination

    dataset = load_plan(files)
    dest = destination(files, dataset.plan)
    not_the_targets(files.targets, dest.path)
    table, found = _sheet(file, data, sheet, mapping, header_row)
    outcome = _import(dest, str(file), table, found, dataset, notation, dry_run, lock_timeout)
    if outcome is not None:
        _say_imported(outcome, dest.path, dry_run)


def _sheet(
    file: Path, data: bytes, sheet: str | None, mapping: dict[str, str], header_row: int | None
) -> tuple[Sheet, Layout]:
    """The sheet read and its columns found; what cannot be read ends the run in one line."""
    from kpi.i18n import _
    from kpi.sheets.layout import LayoutError, LayoutUsageError, layout
    from kpi.sheets.read import SheetError, SheetNameError, read

    if file.suffix.lower() != ".csv":
        _need_openpyxl()
    try:
        table = read(file, data, sheet)
        found = layout(table, mapping, header_row)
    except SheetNameError as exc:
        raise click.BadParameter(tr(exc.args[0]), param_hint="--sheet") from None
    except LayoutUsageError as exc:
        raise click.UsageError(tr(exc.args[0])) from None
    except (SheetError, LayoutError) as exc:
        fail(msg("{file}: {problem}", file=str(file), problem=exc.args[0]))
    for note in table.notes:
        say(msg("{file}: {problem}", file=str(file), problem=note), err=True)
    for ignored in found.ignored:
        say(_("{file}: column {column} is not imported").format(file=str(file), column=ignored), err=True)
    return table, found


def _import(
    dest: Destination,
    label: str,
    table: Sheet,
    found: Layout,
    dataset: Dataset,
    notation: str | None,
    dry_run: bool,
    timeout: float,
) -> Outcome | None:
    """Every row checked, then the figures appended in one locked, atomic write (or printed, for
    --dry-run); None when there is nothing to add."""
    from kpi import record as rec
    from kpi.i18n import _, ngettext
    from kpi.sheets import importer
    from kpi.transaction import other_tables, rewrite

    def change(old: str) -> tuple[str | None, Outcome | None]:
        outcome = importer.check(
            label,
            table,
            found,
            dataset,
            old,
            str(dest.path),
            notation and notation.lower(),
            other_tables(dest),
        )
        for warning in outcome.warnings:
            say(_("warning: {message}").format(message=warning), err=True)
        if outcome.problems:
            for problem in outcome.problems:
                say(problem, err=True)
            n = len(outcome.problems)
            fail(
                ngettext("{n} problem; nothing was imported", "{n} problems; nothing was imported", n).format(
                    n=n
                )
            )
        if not outcome.rows:
            say(
                _(
                    "{file}: no new figures ({blank} rows without a value, {known} already in {actuals})"
                ).format(
                    file=label,
                    blank=outcome.blank,
                    known=outcome.known,
                    actuals=", ".join(str(p) for p in (dest.path, *dest.others)),
                )
            )
            return None, None
        if dry_run:
            click.echo(rec.blocks("", [row.entry for row in outcome.rows]), nl=False)
            return None, outcome
        return outcome.text, outcome

    return rewrite(dest.path, change, timeout)


def _say_imported(outcome: Outcome, actuals: Path, dry_run: bool) -> None:
    """One line: what was (or would be) imported, the revisions, and the KPIs whose status moved."""
    from kpi.i18n import ngettext

    changed = outcome.changed
    figures = len(outcome.rows)
    kpis = len({row.entry.kpi for row in outcome.rows})
    parts = [
        (
            ngettext("would import {n} figure", "would import {n} figures", figures)
            if dry_run
            else ngettext("imported {n} figure", "imported {n} figures", figures)
        ).format(n=figures)
        + " "
        + ngettext("for {n} KPI into {file}", "for {n} KPIs into {file}", kpis).format(n=kpis, file=actuals)
    ]
    if outcome.known:
        parts.append(
            ngettext("{n} row already recorded", "{n} rows already recorded", outcome.known).format(
                n=outcome.known
            )
        )
    if outcome.revisions:
        parts.append(ngettext("{n} revision", "{n} revisions", outcome.revisions).format(n=outcome.revisions))
    if not any(row.entry.org for row in outcome.rows):  # units' figures move it through roll-ups
        parts.append(
            (
                ngettext("{n} KPI would change status", "{n} KPIs would change status", changed)
                if dry_run
                else ngettext("{n} KPI changed status", "{n} KPIs changed status", changed)
            ).format(n=changed)
        )
    say("; ".join(parts), err=dry_run)


workbook_option = click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
    help="The workbook to write (.xlsx); - for standard output.",
)


def _write_workbook(data: bytes, output: Path) -> None:
    import sys

    from kpi.atomic import WriteError, atomic_write
    from kpi.i18n import _

    if str(output) == "-":
        sys.stdout.buffer.write(data)
        return
    try:
        atomic_write(output, data, links=False)
    except WriteError as exc:
        fail(exc.args[0])
    say(_("wrote {file}").format(file=output), err=True)


def _workbook_path(output: Path) -> Path:
    import sys

    if str(output) == "-":
        if sys.stdout.isatty():
            raise click.BadParameter(
                tr(msg("a workbook is not for a terminal: give a file name, or pipe -o - elsewhere")),
                param_hint="-o",
            )
        return output
    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter(
            tr(msg("{file}: the workbook's name must end in .xlsx", file=str(output))), param_hint="-o"
        )
    return output


@click.command(cls=KpiCommand, context_settings=CONTEXT)
@data_options
@sector_option
@click.option("--period", help="Prefill this period in every row: 2024, 2024-Q3, 2024-05...")
@workbook_option
@lang_option
def template(
    targets: Path | None,
    actuals: tuple[Path, ...],
    data_dir: Path | None,
    sectors: tuple[str, ...],
    period: str | None,
    output: Path,
    lang: str | None,
) -> None:
    """Write a workbook ready to fill with figures, for kpi import.

    One row per KPI with its id, name and unit (and the period, with --period); drop-downs
    offer the plan's KPI ids and true/false for estimated. Rows left without a value are not
    imported.

    \b
    Example:
      kpi template -o so-lieu-2024.xlsx --sector telecom --period 2024
    """
    from kpi.periods import PeriodError, parse_period
    from kpi.sheets import workbook

    _workbook_path(output)
    if period is not None:
        try:
            parse_period(period)
        except PeriodError as exc:
            raise click.BadParameter(tr(exc.args[0]), param_hint="--period") from None
    _need_openpyxl()
    dataset = load_valid(targets, actuals, data_dir)
    kpis = pick_kpis(dataset, sectors)
    _write_workbook(workbook.template(dataset, kpis, language(), period), output)


@click.command(cls=KpiCommand, context_settings=CONTEXT)
@data_options
@as_of_option
@sector_option
@workbook_option
@lang_option
def export(
    targets: Path | None,
    actuals: tuple[Path, ...],
    data_dir: Path | None,
    as_of: date | None,
    sectors: tuple[str, ...],
    output: Path,
    lang: str | None,
) -> None:
    """Write the plan as a workbook: summary, status, figures and targets.

    Sheets: the lights per sector; one row per KPI with the kpi status columns (numbers as
    numbers, attainment as a percentage); every figure with its period, source and quote (in
    the form kpi import reads back); every target. Text is never written as a formula.

    \b
    Example:
      kpi export -o ke-hoach.xlsx --as-of 2025-06-30
    """
    from kpi.reports import status_report
    from kpi.sheets import workbook

    _workbook_path(output)
    _need_openpyxl()
    dataset = load_valid(targets, actuals, data_dir)
    r = status_report(dataset, as_of or date.today(), language(), sectors, show_all=True)
    kpis = [a.kpi for a in r.results]
    _write_workbook(workbook.export(dataset, r.results, r.summaries, kpis, language(), r.as_of), output)
