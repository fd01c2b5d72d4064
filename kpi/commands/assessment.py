"""kpi status, gap, show, list and report: the assessment, read in the form asked for."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from kpi.i18n import language, msg, tr

# The core is imported inside the commands: `kpi --help` needs none of it.
if TYPE_CHECKING:
    from kpi.model import Dataset, Kpi
    from kpi.reports import FailOn, MeetingReport

from kpi.commands.shared import (
    EXIT_ON_CLOSED_PIPE,
    fail,
    keep,
    load_valid,
    load_view,
    pick_kpis,
    to_output,
    write_output,
    write_output_bytes,
)
from kpi.options import (
    CONTEXT,
    FORMATS,
    STATUS_CHOICES,
    DateType,
    KpiCommand,
    as_of_option,
    complete_kpi,
    data_options,
    formats_option,
    lang_option,
    org_option,
    output_option,
    owner_option,
    report_options,
    sector_option,
)


@click.command(cls=KpiCommand, context_settings=CONTEXT)
@data_options
@report_options((*FORMATS, "svg"))
@sector_option
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUS_CHOICES),
    help="Only KPIs with this status or light (repeatable).",
)
@click.option("--milestone", metavar="PERIOD", help="Assess against the target for this period, e.g. 2025.")
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Show every KPI row in the table, not only those needing attention.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["amber", "red"]),
    help="Exit 1 when a KPI shown is at this light or worse (red is worse than amber).",
)
@click.option(
    "--review",
    is_flag=True,
    help="The end-of-term review: every target with its verdict (achieved, missed, no figure yet).",
)
@org_option
@owner_option
@click.option(
    "--by",
    type=click.Choice(["org"]),
    help="org: one row per unit (with --kpi: one KPI across units, then the plan's own row).",
)
@click.option(
    "--level",
    type=click.IntRange(min=1),
    help="With --by org: the units this many steps below the root (default 1: provinces).",
)
@click.option("--kpi", "kpi_id", shell_complete=complete_kpi, help="With --by org: this KPI across units.")
@click.option(
    "--historical",
    is_flag=True,
    help="With --by org: every unit on the boundaries of its time (those a merge ended too), "
    "without back-cast values.",
)
@output_option
def status(
    targets: Path | None,
    actuals: tuple[Path, ...],
    data_dir: Path | None,
    as_of: date | None,
    fmt: str,
    lang: str | None,
    sectors: tuple[str, ...],
    statuses: tuple[str, ...],
    milestone: str | None,
    show_all: bool,
    fail_on: str | None,
    review: bool,
    org: str | None,
    owner: str | None,
    by: str | None,
    level: int | None,
    kpi_id: str | None,
    historical: bool,
    output: Path | None,
) -> None:
    """Traffic lights: a summary per sector, then one row per KPI.

    The table shows the red and amber rows when there are many KPIs; JSON, CSV and
    Markdown always carry every KPI that matches the filters.

    \b
    Examples:
      kpi status
      kpi status --sector telecom --all --lang en
      kpi status --status red --fail-on red     # for CI
      kpi status --as-of 2024-12-31 --format json
      kpi status --format svg -o status.svg    # for slides
      kpi status --review --as-of 2026-03-31   # end of term: achieved / missed per target
      kpi status --by org --kpi telecom.fiber_households   # one KPI across provinces
    """
    from kpi.output.render import render_status
    from kpi.reports import status_report

    when = as_of or date.today()
    _by_org_options(by, org, level, kpi_id, historical)
    if by is not None:  # the unit table's own view: these options are the KPI table's
        table = (("--sector", sectors), ("--status", statuses), ("--milestone", milestone),
                 ("--all", show_all), ("--fail-on", fail_on), ("--review", review))  # fmt: skip
        if given := [name for name, value in table if value]:
            raise click.UsageError(tr(msg("{options}: not with --by org", options=", ".join(given))))
    dataset = load_valid(targets, actuals, data_dir, org, when, owner)
    if by is not None:
        _by_org(dataset, when, (level or 1, historical), kpi_id, fmt, output)
        return
    if review:
        _review(dataset, pick_kpis(dataset, sectors), when, fmt, output)
        return
    on = cast("FailOn | None", fail_on)  # Click's choice of "red" or "amber"
    r = keep(status_report(dataset, when, language(), sectors, statuses, milestone, on, show_all))
    if r.failed:
        EXIT_ON_CLOSED_PIPE[0] = 1  # a reader that stops early does not turn a failed check into 0
    lang = language()
    to_output(
        output, lambda out: render_status(r.dataset, r.results, r.summaries, fmt, lang, when, out, r.show_all)
    )
    if r.failed:
        sys.exit(1)


def _by_org_options(
    by: str | None, org: str | None, level: int | None, kpi_id: str | None, historical: bool
) -> None:
    """--level, --kpi and --historical belong to --by org, which is the plan's units, not one's."""
    if by is None:
        given = [
            name
            for name, value in (("--level", level), ("--kpi", kpi_id), ("--historical", historical))
            if value
        ]
        if given:
            raise click.UsageError(tr(msg("{options}: only with --by org", options=", ".join(given))))
    elif org is not None:
        raise click.UsageError(tr(msg("--by org shows every unit; --org shows one: give one of them")))


def _by_org(
    dataset: Dataset, when: date, how: tuple[int, bool], kpi_id: str | None, fmt: str, output: Path | None
) -> None:
    """kpi status --by org: every unit's lights, or with --kpi one KPI across units."""
    from kpi.orgview import by_org
    from kpi.output.orgtable import OrgView, render_orgs

    if fmt == "svg":
        raise click.BadParameter(
            tr(msg("--by org is a table: table, json, csv or markdown")), param_hint="--format"
        )
    kpi, rows, sums = by_org(dataset, when, *how, kpi_id)
    view = keep(OrgView(dataset, kpi, rows, sums, language(), when))
    to_output(output, lambda out: render_orgs(view, fmt, out))


def _review(dataset: Dataset, kpis: list[Kpi], when: date, fmt: str, output: Path | None) -> None:
    """kpi status --review: every target of the plan with its verdict at the end of the term."""
    from kpi.assess import review as review_rows
    from kpi.output import review as reviews

    if fmt == "svg":
        raise click.BadParameter(
            tr(msg("--review prints table, json, csv or markdown")), param_hint="--format"
        )
    rows = review_rows(dataset, when, kpis)
    to_output(output, lambda out: reviews.render(dataset, rows, fmt, language(), when, out))


@click.command(cls=KpiCommand, context_settings=CONTEXT)
@data_options
@report_options()
@sector_option
@click.option("--milestone", metavar="PERIOD", help="Measure gaps to the target for this period.")
@click.option("--all", "show_all", is_flag=True, help="Also list the KPIs that have met their target.")
@org_option
@owner_option
@output_option
def gap(
    targets: Path | None,
    actuals: tuple[Path, ...],
    data_dir: Path | None,
    as_of: date | None,
    fmt: str,
    lang: str | None,
    sectors: tuple[str, ...],
    milestone: str | None,
    show_all: bool,
    org: str | None,
    owner: str | None,
    output: Path | None,
) -> None:
    """Shortfalls against the milestone targets, largest relative gap first.

    For each KPI: latest value and target, the gap in units and in % of the target, the
    annual change still needed to reach it in time (or "overdue"), the current annual
    trend and the projected date of reaching it.

    \b
    Examples:
      kpi gap --sector telecom
      kpi gap --all --format csv > gaps.csv
    """
    from kpi.orgview import plan_gap_shares
    from kpi.output.render import render_gap
    from kpi.reports import gap_report

    when = as_of or date.today()
    plan = load_valid(targets, actuals, data_dir, None, when, owner)
    dataset = plan if org is None else load_view(plan, org, when)
    r = keep(gap_report(dataset, when, sectors, milestone, show_all))
    shares = None if org is None else plan_gap_shares(plan, r.results, when)
    to_output(
        output,
        lambda out: render_gap(r.dataset, r.results, fmt, language(), when, out, r.without_data, shares),
    )


@click.command(cls=KpiCommand, context_settings=CONTEXT)
@data_options
@report_options(("table", "json", "markdown"))
@click.option("--milestone", metavar="PERIOD", help="Assess against the target for this period.")
@click.argument("kpi_id", shell_complete=complete_kpi)
@org_option
@output_option
def show(
    targets: Path | None,
    actuals: tuple[Path, ...],
    data_dir: Path | None,
    as_of: date | None,
    fmt: str,
    lang: str | None,
    milestone: str | None,
    kpi_id: str,
    org: str | None,
    output: Path | None,
) -> None:
    """One KPI in full: definition, targets and actuals with their sources, and the assessment.

    \b
    Example:
      kpi show digital.egov_rank --as-of 2024-12-31
    """
    from kpi.output.show import render_show
    from kpi.reports import show_report

    dataset = load_valid(targets, actuals, data_dir, org, as_of or date.today())
    r = keep(show_report(dataset, kpi_id, as_of or date.today(), milestone))
    to_output(output, lambda out: render_show(r.dataset, r.assessment, fmt, language(), out))


@click.command("list", cls=KpiCommand, context_settings=CONTEXT)
@data_options
@sector_option
@formats_option(FORMATS)
@lang_option
@click.option("--orgs", is_flag=True, help="The organisations instead: ids, names, parents and validity.")
@output_option
def list_(
    targets: Path | None,
    actuals: tuple[Path, ...],
    data_dir: Path | None,
    sectors: tuple[str, ...],
    fmt: str,
    lang: str | None,
    orgs: bool,
    output: Path | None,
) -> None:
    """Sectors and KPIs: ids, names, units, and how many targets and actuals each has.

    \b
    Example:
      kpi list --sector media --lang en
    """
    from kpi.output.render import render_list
    from kpi.reports import list_report

    if orgs:
        from kpi.output.orgtable import render_org_list

        dataset = load_valid(targets, actuals, data_dir)
        to_output(output, lambda out: render_org_list(dataset, fmt, language(), out))
        return
    r = list_report(load_valid(targets, actuals, data_dir), sectors)
    to_output(output, lambda out: render_list(r.dataset, r.kpis, fmt, language(), out))


@click.command(cls=KpiCommand, context_settings=CONTEXT)
@data_options
@as_of_option
@formats_option(("html", "pdf", "docx", "markdown"), default="html")
@lang_option
@sector_option
@click.option(
    "--since",
    type=DateType(periods=True),
    help="Add what changed since this date (the last meeting) to the first page.",
)
@org_option
@owner_option
@output_option
def report(
    targets: Path | None,
    actuals: tuple[Path, ...],
    data_dir: Path | None,
    as_of: date | None,
    fmt: str,
    lang: str | None,
    sectors: tuple[str, ...],
    since: date | None,
    org: str | None,
    owner: str | None,
    output: Path | None,
) -> None:
    """A report to share: a first page for the meeting, then per sector the KPI table and a
    chart per KPI.

    The first page has the light counts, the KPIs that need attention (red and amber, worst
    first), the targets without any figure, and with --since what changed since that date.
    HTML is one self-contained file (no network, scripts or external fonts) that opens from an
    e-mail attachment and prints on A4; PDF is that page printed by a headless Chromium.
    Markdown renders on a git host. Without -o at a terminal, HTML and PDF go to a file whose
    name is printed.

    \b
    Examples:
      kpi report -o report.html
      kpi report --format pdf --since 2025-03-31 -o bao-cao.pdf
      kpi report --format markdown --lang en -o REPORT.md
    """
    from kpi.reports import meeting_report

    dataset = load_valid(targets, actuals, data_dir, org, as_of or date.today(), owner)
    r = keep(meeting_report(dataset, as_of or date.today(), language(), sectors, since))
    if fmt != "markdown" and output is None and sys.stdout.isatty():
        output = _new_file_name(Path(f"kpi-report-{r.as_of.isoformat()}.{fmt}"))
    REPORT_WRITERS[fmt](r, language(), output)


def _markdown_report(r: MeetingReport, lang: str, output: Path | None) -> None:
    from kpi.output.htmlreport import markdown

    write_output(markdown(r.dataset, r.results, r.summaries, lang, r.as_of, r.changes, r.since), output)


def _html_page(r: MeetingReport, lang: str) -> str:
    from kpi.output.htmlreport import html

    return html(r.dataset, r.results, r.summaries, lang, r.as_of, r.changes, r.since)


def _html_report(r: MeetingReport, lang: str, output: Path | None) -> None:
    write_output(_html_page(r, lang), output)


def _pdf_report(r: MeetingReport, lang: str, output: Path | None) -> None:
    from kpi.output.pdf import PdfError, print_pdf

    try:
        _bytes_out(print_pdf(_html_page(r, lang)), output)
    except PdfError as exc:
        fail(exc.args[0])


def _docx_report(r: MeetingReport, lang: str, output: Path | None) -> None:
    try:
        import docx  # noqa: F401 (only to say what is missing before starting)
        import PIL  # noqa: F401
    except ImportError:
        fail(
            msg(
                "--format docx needs python-docx and Pillow; "
                "install them with: pip install python-docx pillow"
            )
        )
    from kpi.output import wordreport

    _bytes_out(
        wordreport.document(r.dataset, r.results, r.summaries, lang, r.as_of, r.changes, r.since), output
    )


def _bytes_out(data: bytes, output: Path | None) -> None:
    if output is None or str(output) == "-":
        sys.stdout.buffer.write(data)
    else:
        write_output_bytes(data, output)


REPORT_WRITERS: dict[str, Callable[[MeetingReport, str, Path | None], None]] = {
    "html": _html_report,
    "pdf": _pdf_report,
    "docx": _docx_report,
    "markdown": _markdown_report,
}


def _new_file_name(path: Path) -> Path:
    """path, or path with -2, -3... before its suffix when it exists: never overwrite unasked."""
    n = 2
    candidate = path
    while os.path.lexists(candidate):
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate
