"""The command line: parse options, call the core, hand the results to a renderer.

Start-up is kept lean on purpose: Rich, Babel and json are imported inside the code
paths that use them, because `kpi validate` runs on every commit.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import inspect
import io
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from kpi import __version__
from kpi.i18n import _ as _translate
from kpi.i18n import language, msg, tr
from kpi.statuses import LIGHTS, STATUSES

# The core is imported inside the commands: `kpi --help` needs none of it.
if TYPE_CHECKING:
    from kpi.assess import Assessment
    from kpi.loader import DataFiles
    from kpi.model import Dataset, Kpi
    from kpi.problems import Problem

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
FORMATS = ("table", "json", "csv", "markdown")
STATUS_CHOICES = (*STATUSES, *LIGHTS)


class DateType(click.ParamType):  # type: ignore[type-arg]
    """A date: 2024-07-29, 29/07/2024, or (with periods=True) a period such as 2024-H1 (its last day)."""

    name = "date"

    def __init__(self, periods: bool = False) -> None:
        self.periods = periods

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if self.periods:
            from kpi.periods import PeriodError, parse_period

            try:
                return parse_period(text).end
            except PeriodError:
                pass
        from kpi.i18n import _

        forms = (
            _("YYYY-MM-DD or DD/MM/YYYY, or a period such as 2024-H1")
            if self.periods
            else _("YYYY-MM-DD or DD/MM/YYYY")
        )
        from kpi.dates import DateError, parse_date

        try:
            return parse_date(text)
        except DateError as exc:
            if str(exc) == "day":
                self.fail(
                    _('"{text}" is not a date (no such day): use {forms}').format(text=text, forms=forms),
                    param,
                    ctx,
                )
            self.fail(_('"{text}" is not a date: use {forms}').format(text=text, forms=forms), param, ctx)


SIGNIFICANT = re.compile(r"[^0-9]")


def _complete_files(ctx: click.Context) -> Dataset | None:
    from kpi.loader import load, locate

    params = ctx.params
    try:
        files = locate(params.get("targets"), params.get("actuals"), params.get("data_dir"))
        dataset, _ = load(files)
    except Exception:  # completion must never break the shell
        return None
    return dataset


def complete_sector(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    dataset = _complete_files(ctx)
    return [s for s in dataset.sectors if s.startswith(incomplete)] if dataset else []


def complete_kpi(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    dataset = _complete_files(ctx)
    return [k for k in dataset.kpis if k.startswith(incomplete)] if dataset else []


def data_options(f: F) -> F:
    """--targets/--actuals/--data-dir, given after the command's name."""
    f = click.option(
        "--data-dir",
        type=click.Path(path_type=Path, file_okay=False),
        envvar="KPI_DATA_DIR",
        show_envvar=True,
        help="Folder holding targets.toml and actuals.toml. "
        "Default: the current folder or the nearest parent with a targets.toml.",
    )(f)
    f = click.option("--actuals", type=click.Path(path_type=Path), help="The actuals file.")(f)
    f = click.option("--targets", type=click.Path(path_type=Path), help="The targets file.")(f)
    return f


as_of_option = click.option(
    "--as-of",
    type=DateType(periods=True),
    help="Assess as known on this date (YYYY-MM-DD, or a period such as 2024-H1). Default: today.",
)


def _provisional_language(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Speak the user's language from the start (usage errors included); the plan's own
    [plan] lang is taken into account once targets.toml is read (use_language)."""
    from kpi.i18n import LanguageError, resolve, set_language

    try:
        set_language(resolve(value, None, os.environ))
    except LanguageError as exc:
        raise click.BadParameter(str(exc)) from None
    return value.lower() if value else None


lang_option = click.option(
    "--lang",
    type=click.Choice(["vi", "en"], case_sensitive=False),
    is_eager=True,
    callback=_provisional_language,
    help="Language of everything printed for people: words, names, number and date notation. "
    "Default: KPI_LANG, else [plan] lang, else the locale's (LC_ALL, LC_MESSAGES, LANG), else vi. "
    "JSON and CSV do not change with it, but for the names.",
)


def formats_option(formats: tuple[str, ...], default: str = "table") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(formats),
        default=default,
        show_default=True,
        help="Output format.",
    )


def output_option(f: F) -> F:
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
        help="Write to this file instead of standard output (atomically); - is standard output.",
    )(f)


def report_options(formats: tuple[str, ...] = FORMATS) -> Callable[[F], F]:
    """--as-of, --format and --lang, shared by the assessment reports."""

    def add(f: F) -> F:
        return as_of_option(formats_option(formats)(lang_option(f)))

    return add


def sector_option(f: F) -> F:
    return click.option(
        "--sector",
        "sectors",
        multiple=True,
        shell_complete=complete_sector,
        help="Only this sector (repeatable).",
    )(f)


def say(text: str, err: bool = False, nl: bool = True) -> None:
    """Print a message for a person: whatever it quotes (a path, a value) cannot act on the
    terminal."""
    from kpi.display import printable

    click.echo(printable(text), err=err, nl=nl)


def fail(message: str, code: int = 1) -> NoReturn:
    from kpi.i18n import tr

    say(f"kpi: {tr(message)}", err=True)
    sys.exit(code)


def print_problems(problems: Sequence[Problem]) -> None:
    from kpi.display import printable

    for problem in problems:
        click.echo(printable(problem.text()), err=True)


def resolve_files(targets: Path | None, actuals: Path | None, data_dir: Path | None) -> DataFiles:
    from kpi.loader import DataFilesNotFound, locate

    try:
        return locate(targets, actuals, data_dir)
    except DataFilesNotFound as exc:
        fail(exc.args[0])


def load_valid(targets: Path | None, actuals: Path | None, data_dir: Path | None) -> Dataset:
    """Load the data; on any problem print them all and exit 1."""
    from kpi.loader import load

    dataset, problems = load(resolve_files(targets, actuals, data_dir))
    RETAINED.append(dataset)
    use_language(dataset)
    errors = [p for p in problems if not p.warning]  # warnings are for kpi validate
    if errors:
        print_problems(errors)
        fail(_problems_line(len(errors)))
    return dataset


def use_language(dataset: Dataset) -> str:
    """The language for this run, now that the plan (and its [plan] lang) is known."""
    from kpi.i18n import LanguageError, resolve, set_language

    ctx = click.get_current_context(silent=True)
    option = ctx.params.get("lang") if ctx is not None else None
    try:
        lang = resolve(option, dataset.plan.lang, os.environ)
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
    from kpi.problems import did_you_mean

    for sector in sectors:
        if sector not in dataset.sectors:
            raise click.BadParameter(
                tr(
                    msg(
                        'unknown sector "{sector}"{hint}; choose from: {choices}',
                        sector=sector,
                        hint=did_you_mean(sector, dataset.sectors),
                        choices=", ".join(dataset.sectors),
                    )
                ),
                param_hint="--sector",
            )
    if not sectors:
        return list(dataset.kpis.values())
    return [k for k in dataset.kpis.values() if k.sector in sectors]


def get_kpi(dataset: Dataset, kpi_id: str) -> Kpi:
    from kpi.problems import did_you_mean

    kpi = dataset.kpis.get(kpi_id)
    if kpi is None:
        hint = did_you_mean(kpi_id, dataset.kpis) or msg(" (kpi list shows them all)")
        raise click.BadParameter(
            tr(msg('unknown KPI "{kpi}"{hint}', kpi=kpi_id, hint=hint)), param_hint="KPI_ID"
        )
    return kpi


def run_assessment(
    dataset: Dataset, kpis: Sequence[Kpi], as_of: date, milestone: str | None, explain: bool = False
) -> list[Assessment]:
    from kpi.assess import assess
    from kpi.periods import PeriodError, parse_period

    if milestone is not None:
        try:
            parse_period(milestone)
        except PeriodError as exc:
            raise click.BadParameter(tr(exc.args[0]), param_hint="--milestone") from None
        if not any(t.period.text == milestone for k in kpis for t in k.targets):
            raise click.BadParameter(
                tr(msg('no KPI shown has a target for "{period}"', period=milestone)),
                param_hint="--milestone",
            )
    results = assess(dataset, as_of, kpis, milestone, explain)
    RETAINED.append(results)
    return results


# --- commands --------------------------------------------------------------------------


def help_texts(command: click.Command) -> list[str]:
    """Every help text a command shows, as written: the catalog's extraction reads them here
    (they are docstrings and option arguments, which Babel's keyword extraction cannot see)."""
    texts = []
    if command.help:
        texts.append(inspect.cleandoc(command.help).partition("\f")[0])
    if command.short_help:
        texts.append(command.short_help)
    texts += [p.help for p in command.params if isinstance(p, click.Option) and p.help]
    return texts


class KpiCommand(click.Command):
    """A command whose help is shown in the language in effect."""

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        if self.help:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(_translate(inspect.cleandoc(self.help).partition("\f")[0]))

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.short_help:
            return _translate(self.short_help)
        if not self.help:
            return ""
        # Click's own shortening (make_default_short_help) is private from Click 8.2 on.
        text = _translate(inspect.cleandoc(self.help).partition("\f")[0])
        first = text.split("\n\n", 1)[0].replace("\n", " ").strip()
        return first if len(first) <= limit else first[: limit - 3].rsplit(" ", 1)[0] + "..."

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from kpi.i18n import click_gettext

        options = [p for p in self.get_params(ctx) if isinstance(p, click.Option) and p.help]
        help_option = self.get_help_option(ctx)
        written = [p.help for p in options]
        try:
            for param, text in zip(options, written, strict=True):
                # Click wrote its --help option's text in the language in effect when the
                # command was first built; it is looked up again in Click's catalog.
                english = text or ""
                param.help = click_gettext(english) if param is help_option else _translate(english)
            super().format_options(ctx, formatter)
        finally:
            for param, text in zip(options, written, strict=True):
                param.help = text


class KpiGroup(KpiCommand, click.Group):
    """Click's group, with every message it prints made safe and every failure a one-liner.

    Click echoes command-line values in its usage errors as they were typed; a value holding
    terminal escapes (OSC 52 writes the clipboard, OSC 8 makes links) would reach the terminal.
    Everything Click would print for an error goes through display.printable first. An
    argument that is not valid UTF-8 is refused up front: it could not be written to a UTF-8
    file or shown faithfully.
    """

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        from kpi.i18n import LanguageError, resolve, set_language

        try:
            set_language(resolve(_lang_in(argv), None, os.environ))
        except LanguageError:  # reported by --lang's check, in the language the rest asks for
            with contextlib.suppress(LanguageError):
                set_language(resolve(None, None, os.environ))
        try:
            for arg in argv:
                if not _is_utf8(arg):
                    raise click.UsageError(
                        tr(
                            msg(
                                "argument {arg} is not valid UTF-8 text; kpi takes UTF-8 arguments",
                                arg=_shown(arg),
                            )
                        )
                    )
            result = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            shown = io.StringIO()
            exc.show(file=shown)
            from kpi.display import printable

            sys.stderr.write(printable(shown.getvalue()))
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            from kpi.i18n import click_gettext

            sys.stderr.write(click_gettext("Aborted!") + "\n")
            sys.exit(1)
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                # The reader (`kpi status | head`) stopped reading: what it wanted was printed.
                _silence_stdout()
                sys.exit(EXIT_ON_CLOSED_PIPE[0])
            if exc.filename:
                fail(msg("{file}: {reason}", file=str(exc.filename), reason=exc.strerror or str(exc)))
            fail(msg("cannot write the output: {reason}", reason=exc.strerror or str(exc)))
        sys.exit(result if isinstance(result, int) else 0)

    command_class = KpiCommand

    def invoke(self, ctx: click.Context) -> Any:
        # Click turns a closed pipe into exit 1 before main() sees it; a reader that stopped
        # early (`kpi status --format csv | head`) is not an error.
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _silence_stdout()
            ctx.exit(EXIT_ON_CLOSED_PIPE[0])


def _lang_in(argv: Sequence[str]) -> str | None:
    """--lang's value, read ahead of Click, so that even an error in the arguments before it is
    said in the language asked for."""
    for n, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and n + 1 < len(argv):
            return argv[n + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes arrive as lone surrogates (PEP 383)
        return False
    return True


def _shown(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _print_version(ctx: click.Context) -> None:
    from kpi.i18n import click_gettext

    click.echo(click_gettext("%(prog)s, version %(version)s") % {"prog": "kpi", "version": __version__})
    ctx.exit(0)


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


@click.group(cls=KpiGroup, context_settings=CONTEXT)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, param, value: _print_version(ctx) if value else None,
    help="Show the version and exit.",
)
def cli() -> None:
    """Track a sector plan's KPIs against their targets.

    The plan lives in targets.toml (sectors, KPIs, milestone targets) and the figures in
    actuals.toml, found in the current folder or the nearest parent that has a targets.toml.

    \b
    Examples:
      kpi status                      traffic lights for the whole plan
      kpi gap --sector telecom        shortfalls, largest first
      kpi show telecom.fiber_households
      kpi validate                    check both files (a pre-commit hook)
      kpi record telecom.fiber_households 84.1 --period 2024-12 --source "..."
    """


@cli.command(context_settings=CONTEXT)
@data_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@lang_option
def validate(
    targets: Path | None,
    actuals: Path | None,
    data_dir: Path | None,
    fmt: str,
    strict: bool,
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
    if fmt == "json":
        from kpi import jsonout

        click.echo(jsonout.dumps([p.as_dict() for p in problems], indent=2))
    errors = [p for p in problems if not p.warning]
    warnings = len(problems) - len(errors)
    if fmt != "json":
        from kpi.i18n import _, ngettext

        print_problems(problems)
        if errors:
            say(_problems_line(len(errors), found=True), err=True)
        else:
            from kpi.i18n import Int

            recorded = sum(1 for a in dataset.actuals if a.position)
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
    sys.exit(1 if errors or (strict and warnings) else 0)


@cli.command(context_settings=CONTEXT)
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
@output_option
def status(
    targets: Path | None,
    actuals: Path | None,
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
    """
    from kpi.assess import summarise
    from kpi.render import render_status

    dataset = load_valid(targets, actuals, data_dir)
    lang = language()
    kpis = pick_kpis(dataset, sectors)
    when = as_of or date.today()
    if review:
        from kpi import review as reviews
        from kpi.assess import review as review_rows

        if fmt == "svg":
            raise click.BadParameter(
                tr(msg("--review prints table, json, csv or markdown")), param_hint="--format"
            )
        buffer = io.StringIO()
        to_file = output is not None and str(output) != "-"
        reviews.render(
            dataset, review_rows(dataset, when, kpis), fmt, lang, when, buffer if to_file else sys.stdout
        )
        if to_file:
            write_output(buffer.getvalue(), output)
        return
    results = run_assessment(dataset, kpis, when, milestone)
    if statuses:
        wanted = set(statuses)
        results = [a for a in results if a.status in wanted or a.light in wanted]
    failing = set() if fail_on is None else {"red"} if fail_on == "red" else {"red", "amber"}
    failed = any(a.light in failing for a in results)
    if failed:
        EXIT_ON_CLOSED_PIPE[0] = 1  # a reader that stops early does not turn a failed check into 0
    buffer = io.StringIO()
    render_status(
        dataset,
        results,
        summarise(dataset, results, lang),
        fmt,
        lang,
        when,
        buffer if output is not None and str(output) != "-" else sys.stdout,
        show_all=show_all or bool(statuses),
    )
    if output is not None and str(output) != "-":
        write_output(buffer.getvalue(), output)
    if failed:
        sys.exit(1)


@cli.command(context_settings=CONTEXT)
@data_options
@report_options()
@sector_option
@click.option("--milestone", metavar="PERIOD", help="Measure gaps to the target for this period.")
@click.option("--all", "show_all", is_flag=True, help="Also list the KPIs that have met their target.")
@output_option
def gap(
    targets: Path | None,
    actuals: Path | None,
    data_dir: Path | None,
    as_of: date | None,
    fmt: str,
    lang: str | None,
    sectors: tuple[str, ...],
    milestone: str | None,
    show_all: bool,
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
    from kpi.render import gap_order, render_gap

    dataset = load_valid(targets, actuals, data_dir)
    lang = language()
    kpis = pick_kpis(dataset, sectors)
    when = as_of or date.today()
    results = run_assessment(dataset, kpis, when, milestone)
    without_data = sum(1 for a in results if a.milestone is not None and a.latest is None)
    ordered = gap_order(results, show_all)
    to_output(output, lambda out: render_gap(dataset, ordered, fmt, lang, when, out, without_data))


@cli.command(context_settings=CONTEXT)
@data_options
@report_options(("table", "json", "markdown"))
@click.option("--milestone", metavar="PERIOD", help="Assess against the target for this period.")
@click.argument("kpi_id", shell_complete=complete_kpi)
@output_option
def show(
    targets: Path | None,
    actuals: Path | None,
    data_dir: Path | None,
    as_of: date | None,
    fmt: str,
    lang: str | None,
    milestone: str | None,
    kpi_id: str,
    output: Path | None,
) -> None:
    """One KPI in full: definition, targets and actuals with their sources, and the assessment.

    \b
    Example:
      kpi show digital.egov_rank --as-of 2024-12-31
    """
    from kpi.render import render_show

    dataset = load_valid(targets, actuals, data_dir)
    lang = language()
    kpi = get_kpi(dataset, kpi_id)
    if milestone is not None and all(t.period.text != milestone for t in kpi.targets):
        periods = ", ".join(t.period.text for t in kpi.targets) or tr(msg("none"))
        raise click.BadParameter(
            tr(
                msg(
                    '{kpi} has no target for "{milestone}" (targets: {periods})',
                    kpi=kpi_id,
                    milestone=milestone,
                    periods=periods,
                )
            ),
            param_hint="--milestone",
        )
    [result] = run_assessment(dataset, [kpi], as_of or date.today(), milestone, explain=True)
    to_output(output, lambda out: render_show(dataset, result, fmt, lang, out))


@cli.command("list", context_settings=CONTEXT)
@data_options
@sector_option
@formats_option(FORMATS)
@lang_option
@output_option
def list_(
    targets: Path | None,
    actuals: Path | None,
    data_dir: Path | None,
    sectors: tuple[str, ...],
    fmt: str,
    lang: str | None,
    output: Path | None,
) -> None:
    """Sectors and KPIs: ids, names, units, and how many targets and actuals each has.

    \b
    Example:
      kpi list --sector media --lang en
    """
    from kpi.render import render_list

    dataset = load_valid(targets, actuals, data_dir)
    lang = language()
    kpis = pick_kpis(dataset, sectors)
    to_output(output, lambda out: render_list(dataset, kpis, fmt, lang, out))


@cli.command(context_settings=CONTEXT)
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
@output_option
def report(
    targets: Path | None,
    actuals: Path | None,
    data_dir: Path | None,
    as_of: date | None,
    fmt: str,
    lang: str | None,
    sectors: tuple[str, ...],
    since: date | None,
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
    from kpi import report as reports
    from kpi.assess import summarise

    dataset = load_valid(targets, actuals, data_dir)
    lang = language()
    kpis = pick_kpis(dataset, sectors)
    when = as_of or date.today()
    if since is not None and since >= when:
        raise click.BadParameter(
            tr(msg("--since must be before the report's date ({date})", date=when.isoformat())),
            param_hint="--since",
        )
    results = run_assessment(dataset, kpis, when, None)
    summaries = summarise(dataset, results, lang)
    if fmt == "markdown":
        write_output(reports.markdown(dataset, results, summaries, lang, when), output)
        return
    changes = None
    if since is not None:
        from kpi.diff import compare

        changes = compare(dataset, dataset, since, when, [k.id for k in kpis])
    if output is None and sys.stdout.isatty():
        output = _new_file_name(Path(f"kpi-report-{when.isoformat()}.{fmt}"))
    if fmt == "docx":
        try:
            from kpi import wordreport
        except ImportError:
            fail(
                msg("--format docx needs python-docx and Pillow; install them with: pip install 'kpi[docx]'")
            )
        data = wordreport.document(dataset, results, summaries, lang, when, changes, since)
        if output is None or str(output) == "-":
            sys.stdout.buffer.write(data)
        else:
            write_output_bytes(data, output)
        return
    page = reports.html(dataset, results, summaries, lang, when, changes, since)
    if fmt == "html":
        write_output(page, output)
        return
    from kpi.pdf import PdfError, print_pdf

    if output is None or str(output) == "-":
        try:
            sys.stdout.buffer.write(print_pdf(page))
        except PdfError as exc:
            fail(exc.args[0])
        return
    try:
        data = print_pdf(page)
    except PdfError as exc:
        fail(exc.args[0])
    write_output_bytes(data, output)


def _new_file_name(path: Path) -> Path:
    """path, or path with -2, -3... before its suffix when it exists: never overwrite unasked."""
    n = 2
    candidate = path
    while os.path.lexists(candidate):
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


@cli.command(context_settings=CONTEXT)
@data_options
@click.argument("revisions", nargs=-1, metavar="[REV [REV2]]")
@click.option(
    "--from", "from_", type=DateType(periods=True), help="Compare the files as known on this date..."
)
@click.option("--to", type=DateType(periods=True), help="...with this date (default: --as-of, else today).")
@report_options(("table", "json", "markdown"))
@sector_option
@click.option("--fail-on-worse", is_flag=True, help="Exit 1 when any KPI's light got worse (for CI).")
@output_option
def diff(
    targets: Path | None,
    actuals: Path | None,
    data_dir: Path | None,
    revisions: tuple[str, ...],
    from_: date | None,
    to: date | None,
    as_of: date | None,
    fmt: str,
    lang: str | None,
    sectors: tuple[str, ...],
    fail_on_worse: bool,
    output: Path | None,
) -> None:
    """What changed: between two dates (--from, --to) for the same files, or between the files
    at a git revision and the working tree (or a second revision), at one as-of date.

    Status and light changes (worst first), new, revised and deleted figures, changed targets,
    targets that became due and KPIs that became overdue.

    \b
    Examples:
      kpi diff --from 2024-06-30 --to 2024-12-31
      kpi diff HEAD~3 --format markdown      # what an edit to the data changed
      kpi diff main HEAD --fail-on-worse     # in a merge-request check
    """
    from kpi import diff as diffs
    from kpi import diffout
    from kpi.i18n import _

    if len(revisions) > 2:
        raise click.UsageError(tr(msg("kpi diff takes at most two revisions")))
    if revisions and (from_ or to):
        raise click.UsageError(tr(msg("--from and --to compare dates; with revisions, use --as-of")))
    if not revisions and from_ is None:
        raise click.UsageError(tr(msg("give --from DATE, or a git revision")))
    if from_ is not None and from_ > (to or as_of or date.today()):
        later = to or as_of or date.today()
        raise click.UsageError(
            tr(
                msg(
                    "--from {a} is after --to {b}: give the earlier date first",
                    a=display_date(from_),
                    b=display_date(later),
                )
            )
        )
    if revisions:
        files = resolve_files(targets, actuals, data_dir)
        before = _dataset_at(revisions[0], files)
        after = (
            _dataset_at(revisions[1], files)
            if len(revisions) == 2
            else load_valid(targets, actuals, data_dir)
        )
        use_language(after)
        when = as_of or date.today()
        title = _("What changed from {a} to {b}, as of {date}").format(
            a=revisions[0],
            b=revisions[1] if len(revisions) == 2 else _("the working tree"),
            date=display_date(when),
        )
        old_date = new_date = when
        sides = {
            "from": {"revision": revisions[0], "as_of": when.isoformat()},
            "to": {"revision": revisions[1] if len(revisions) == 2 else None, "as_of": when.isoformat()},
        }
    else:
        before = after = load_valid(targets, actuals, data_dir)
        assert from_ is not None
        old_date, new_date = from_, to or as_of or date.today()
        title = _("What changed from {a} to {b}").format(a=display_date(old_date), b=display_date(new_date))
        sides = {
            "from": {"revision": None, "as_of": old_date.isoformat()},
            "to": {"revision": None, "as_of": new_date.isoformat()},
        }
    lang = language()
    kpis = None
    if sectors:
        kpis = [k.id for k in pick_kpis(after, sectors)] + [
            k.id for k in before.kpis.values() if k.sector in sectors
        ]
    result = diffs.compare(before, after, old_date, new_date, kpis)
    if fail_on_worse and result.worse:
        EXIT_ON_CLOSED_PIPE[0] = 1
    buffer = io.StringIO()
    to_file = output is not None and str(output) != "-"
    diffout.render(result, after, title, fmt, lang, buffer if to_file else sys.stdout, sides)
    if to_file:
        write_output(buffer.getvalue(), output)
    if fail_on_worse and result.worse:
        sys.exit(1)


def display_date(when: date) -> str:
    from kpi import display

    return display.iso(when)


def _dataset_at(revision: str, files: DataFiles) -> Dataset:
    """The dataset as committed at the revision (a file missing then: no figures, or an error
    for targets.toml)."""
    from kpi.gitfiles import GitError, show
    from kpi.loader import check

    try:
        targets_bytes = show(revision, files.targets)
        actuals_bytes = show(revision, files.actuals)
    except GitError as exc:
        fail(exc.args[0], code=2)
    if targets_bytes is None:
        fail(msg("{file} did not exist at {revision}", file=str(files.targets), revision=revision), code=2)
    problems: list[Problem] = []
    dataset = check(targets_bytes, actuals_bytes, files, problems)
    errors = [p for p in problems if not p.warning]
    if errors:
        print_problems(errors)
        fail(msg("the data at {revision} has problems", revision=revision))
    return dataset


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
        atomic_write(output, data)
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
        atomic_write(output, text.encode("utf-8"))
    except WriteError as exc:
        fail(exc.args[0])
    from kpi.i18n import _

    say(_("wrote {file}").format(file=output), err=True)


class NumberType(click.ParamType):  # type: ignore[type-arg]
    """A finite number typed by a person, in Vietnamese or English notation (kpi/numbers.py)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        from kpi.i18n import _
        from kpi.numbers import NumberError, parse

        text = str(value).strip()
        notation = ctx.params.get("notation") if ctx is not None else None
        notation = notation.lower() if isinstance(notation, str) else None  # (Click's UNSET: not given)
        try:
            number = parse(text, notation)
        except NumberError as exc:
            self.fail(tr(exc.args[0]), param, ctx)
        if number != number or number in (float("inf"), float("-inf")):
            self.fail(_('"{text}" is not a finite number').format(text=text), param, ctx)
        digits = len(SIGNIFICANT.sub("", repr(abs(number)).partition("e")[0]).lstrip("0").rstrip("0"))
        mantissa = SIGNIFICANT.sub("", text.lower().partition("e")[0]).lstrip("0").rstrip("0")
        if len(mantissa) > 15:
            # A float keeps 15 significant digits exactly: more would be stored as another number.
            self.fail(
                _('"{text}" has {digits} significant digits; kpi keeps 15: round it').format(
                    text=text, digits=len(mantissa)
                ),
                param,
                ctx,
            )
        del digits
        return number


class ShareType(NumberType):
    """A share or a change: 0.5 or 50%, -0.25 or -25% (in either notation)."""

    name = "share"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        text = str(value).strip()
        if text.endswith("%"):
            number = super().convert(text[:-1].strip(), param, ctx)
            return float(round(number / 100, 15))
        return super().convert(text, param, ctx)


@cli.command(context_settings=CONTEXT)
@click.argument("folder", metavar="[DIR]", required=False, type=click.Path(path_type=Path))
@click.option("--example", is_flag=True, help="Write a small complete plan with real figures to try kpi on.")
@lang_option
def init(folder: Path | None, example: bool, lang: str | None) -> None:
    """Start a plan: a commented targets.toml, an empty actuals.toml and their JSON Schemas.

    Existing files are never overwritten. The comments are in the language in effect.

    \b
    Examples:
      kpi init my-plan --lang vi
      kpi init try-kpi --example
    """
    from kpi.atomic import WriteError
    from kpi.i18n import language
    from kpi.schema import schema_files
    from kpi.starter import FIRST_KPI, starter_files, write_all

    target = folder or Path(".")
    lang_now = language()
    files = starter_files(lang_now, date.today(), example)
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
    # Always --data-dir: KPI_DATA_DIR, or a plan in a parent folder, would otherwise win.
    import shlex

    where = " --data-dir " + shlex.quote(str(target))
    if example:  # the example plan ended in 2025: look at it as of mid-2025
        where += " --as-of 2025-06-30"
    first = "telecom.fiber_households" if example else FIRST_KPI[lang_now]
    say("")
    say(tr(msg("Next:")))
    say(f"  kpi validate --data-dir {shlex.quote(str(target))}")
    say(f"  kpi status{where}")
    say(f"  kpi show {first}{where}")


def _finite_option(value: float) -> float:
    if value != value:  # NaN passes FloatRange's comparisons
        raise click.BadParameter(tr(msg("must be a number")))
    return value


@cli.command(context_settings=CONTEXT)
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


@cli.command(context_settings={**CONTEXT, "ignore_unknown_options": True})  # VALUE may be -3.2
@data_options
@click.option(
    "--notation",
    type=click.Choice(["vi", "en"], case_sensitive=False),
    is_eager=True,
    help="How VALUE is written: vi (2.067.389,5) or en (2,067,389.5). Needed only for a number that "
    "reads differently in the two, such as 1.320.",
)
@click.argument("kpi_id", shell_complete=complete_kpi)
@click.argument("value", type=NumberType(), required=False)
@click.option(
    "--period", required=True, help="The period the figure is for: 2024, 2024-H1, 2024-Q3, 2024-05, ..."
)
@click.option(
    "--source", help="Where the figure comes from (a document, a report). Required for a new figure."
)
@click.option("--quote", help="The fragment of the source that states the figure.")
@click.option("--estimated", is_flag=True, help='The source calls it an estimate ("ước đạt").')
@click.option("--published", type=DateType(), help="When the figure was reported (YYYY-MM-DD or DD/MM/YYYY).")
@click.option(
    "--derived", is_flag=True, help="Computed from a stated change, not stated itself (say how in --note)."
)
@click.option("--note", help="Anything a reader should know about the figure.")
@click.option(
    "--cumulative",
    is_flag=True,
    help='A flow counted from 1 January to the end of --period ("lũy kế 6 tháng").',
)
@click.option(
    "--plan-share",
    type=ShareType(),
    help='The figure as a share of the plan ("đạt 50% kế hoạch năm"): 50% or 0.5.',
)
@click.option("--plan-period", help="The plan --plan-share refers to, when not the figure's year: 2024.")
@click.option(
    "--change",
    type=ShareType(),
    help='The stated change ("tăng 12%"): 12% or 0.12; a fall is negative. With --change-from.',
)
@click.option(
    "--change-from",
    help='What --change compares with: a year (2023) or "same period last year".',
)
@click.option(
    "--replace",
    is_flag=True,
    help="Correct the figure already recorded for this KPI and period in place (the revision published on "
    "--published, else the latest), keeping every field not given here.",
)
@click.option(
    "--delete",
    is_flag=True,
    help="Remove the figure for this KPI and period (with --published: that revision); no VALUE.",
)
@click.option(
    "--dry-run", is_flag=True, help="Print the [[actual]] table that would be written (and the one replaced)."
)
@click.option(
    "--lock-timeout",
    type=click.FloatRange(min=0, max=86400),
    callback=lambda ctx, param, value: _finite_option(value),
    default=30.0,
    show_default=True,
    help="Seconds to wait for another writer.",
)
@lang_option
def record(
    targets: Path | None,
    actuals: Path | None,
    data_dir: Path | None,
    kpi_id: str,
    value: float,
    period: str,
    source: str,
    quote: str | None,
    estimated: bool,
    published: date | None,
    derived: bool,
    note: str | None,
    cumulative: bool,
    plan_share: float | None,
    plan_period: str | None,
    change: float | None,
    change_from: str | None,
    replace: bool,
    delete: bool,
    dry_run: bool,
    lock_timeout: float,
    lang: str | None,
    notation: str | None,
) -> None:
    """Add a measured or estimated figure to actuals.toml.

    The file is only appended to: comments, formatting and every other entry stay byte for
    byte as they were. The write is atomic (a crash leaves the old file or the new one),
    concurrent runs queue on a lock, and the new text is parsed before it replaces the file.

    \b
    Example:
      kpi record telecom.fiber_households 84.1 --period 2024-12 --estimated \\
          --source "Báo cáo tổng kết 2024" --published 2024-12-28
    """
    from kpi import record as rec
    from kpi.atomic import WriteError, atomic_write, locked, real_path
    from kpi.i18n import _, msg, tr
    from kpi.loader import load
    from kpi.periods import PeriodError, parse_period

    files = resolve_files(targets, actuals, data_dir)
    if same_file(files.targets, files.actuals):
        raise click.UsageError(
            tr(
                msg(
                    "--targets and --actuals are the same file ({file}); "
                    "a figure belongs in the actuals file",
                    file=str(files.targets),
                )
            )
        )
    dataset, problems = load(files, with_actuals=False)
    use_language(dataset)
    errors = [p for p in problems if not p.warning]
    if errors:
        print_problems(errors)
        fail(msg("{file} has problems; fix them first (kpi validate)", file=str(files.targets)))
    kpi = get_kpi(dataset, kpi_id)
    try:
        parse_period(period)
    except PeriodError as exc:
        raise click.BadParameter(tr(exc.args[0]), param_hint="--period") from None
    flow = kpi.measure == "flow"
    if delete:
        if value is not None:
            raise click.UsageError(tr(msg("--delete takes no VALUE")))
        ctx = click.get_current_context()
        extra = [
            "--" + name.replace("_", "-")
            for name in (
                "source",
                "quote",
                "estimated",
                "derived",
                "note",
                "replace",
                "plan_share",
                "plan_period",
                "change",
                "change_from",
            )
            if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE
        ]
        if extra:
            raise click.UsageError(
                tr(msg("--delete removes a figure; it takes no {options}", options=", ".join(extra)))
            )
        _delete_figure(files, kpi_id, period, published, flow, dry_run, lock_timeout, cumulative)
        return
    if value is None:
        raise click.UsageError(tr(msg("VALUE is missing (only --delete goes without one)")))
    ctx = click.get_current_context()
    given = {
        name
        for name in ("source", "quote", "estimated", "published", "derived", "note", "cumulative")
        if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE
    }
    stated = (("plan_share", plan_share), ("plan_period", plan_period), ("change", change))
    flow_keys = tuple((k, v) for k, v in (*stated, ("change_from", change_from)) if v is not None)
    written = None
    revised = replaced = None
    try:
        path = real_path(files.actuals)
        with locked(path.parent, lock_timeout):
            old = _actuals_text(files, path)
            entry = rec.Entry(
                kpi_id,
                period,
                value,
                source or "",
                quote,
                estimated,
                published,
                derived,
                note,
                extra=flow_keys,
                cumulative=cumulative,
            )
            changed: list[str] = []
            if replace:
                before = rec.existing(old, kpi_id, period, published, flow, cumulative)
                if before is not None:
                    entry, changed = rec.merged(entry, before, given)
            if not entry.source and source is None:
                raise click.MissingParameter(param_hint="'--source'", param_type="option")
            _check_figure(entry, kpi, dataset, files)
            if replace:
                new, raw, replaced = rec.replace(old, entry, flow, published)
            else:
                new, raw, revised = rec.append(old, entry, flow)
            # The tables as they were, without parsing the old text a second time.
            if replace and replaced is not None:
                table = entry.table()
                at = next(n for n, r in enumerate(raw) if r == table)
                was = [*raw[:at], replaced, *raw[at + 1 :]]
            else:
                was = raw[:-1]
            _check_with_the_rest(was, raw, kpi, dataset, files)
            if dry_run:
                if replace and before is not None:
                    click.echo("# " + _("replaces:"))
                    click.echo(rec.block_of(before), nl=False)
                    click.echo("# " + _("with:"))
                click.echo(rec.block(entry), nl=False)
                return
            atomic_write(files.actuals, new.encode("utf-8"))
            written = entry
    except (rec.RecordError, WriteError) as exc:
        fail(msg("{file}: {problem}", file=str(files.actuals), problem=exc.args[0]))
    assert written is not None
    _say_recorded(dataset, kpi, written, raw, replaced, changed, revised, files)
    _warn_dates(written, dataset)


def _warn_dates(entry: Any, dataset: Dataset) -> None:
    """The warnings validate gives about a figure's dates, for the figure just recorded."""
    from kpi.derive import when_problems
    from kpi.i18n import _
    from kpi.model import Actual
    from kpi.periods import parse_period

    figure = Actual(
        entry.kpi, parse_period(entry.period), entry.value, entry.source, published=entry.published
    )
    for odd in when_problems(figure, dataset.plan.period, date.today()):
        say(_("warning: {message}").format(message=tr(odd)), err=True)


def _actuals_text(files: DataFiles, path: Path) -> str:
    """The actuals file's text ("" when it does not exist yet); a file kpi cannot read ends the run."""
    from kpi.loader import ReadError, decode, read_regular

    if not os.path.lexists(path):
        return ""
    decode_problems: list[Problem] = []
    try:
        text = decode(read_regular(path), str(files.actuals), decode_problems)
    except ReadError as exc:
        fail(msg("{file}: {problem}; not changed", file=str(files.actuals), problem=exc.args[0]))
    if text is None:
        print_problems(decode_problems)
        fail(msg("{file}: not changed", file=str(files.actuals)))
    return text


def _check_figure(entry: Any, kpi: Kpi, dataset: Dataset, files: DataFiles) -> None:
    """The loader's own rules, each blamed on the option that gave the value, then the loader
    itself on the new table: record accepts exactly what validate accepts."""
    from kpi.loader import actuals_from, bounds_problem, field_problem

    for key, given in entry.table().items():
        wrong = field_problem(key, given)
        if wrong is not None:
            raise click.BadParameter(tr(wrong), param_hint=RECORD_OPTION.get(key, key))
    wrong = bounds_problem(kpi, entry.value, named=True)
    if wrong is not None:
        raise click.BadParameter(
            tr(msg("{value:g} {problem}", value=entry.value, problem=wrong)), param_hint="VALUE"
        )
    checked: list[Problem] = []
    actuals_from({"actual": [entry.table()]}, str(files.actuals), dataset, checked)
    errors = [p for p in checked if not p.warning]
    if errors:
        # The figure alone is wrong: what was typed, not the file (the file is not touched).
        raise click.UsageError("; ".join(dict.fromkeys(tr(p.message) for p in errors)))


def _check_with_the_rest(
    old: list[Any], new: list[Any], kpi: Kpi, dataset: Dataset, files: DataFiles
) -> None:
    """What validate would say of the KPI's figures with the new one that it did not say before
    (a month overlapping a quarter, a stated change contradicting a figure): a new error refuses
    the figure; a new warning is shown."""
    from kpi.admission import new_problems
    from kpi.i18n import _

    fresh, warnings = new_problems(old, new, [kpi.id], dataset, str(files.actuals))
    if fresh:
        for error in fresh:
            say(msg("{file}: {problem}", file=str(files.actuals), problem=error), err=True)
        fail(msg("the figure was not recorded"))
    for warning in warnings:
        say(_("warning: {message}").format(message=warning), err=True)


def _delete_figure(
    files: DataFiles,
    kpi_id: str,
    period: str,
    published: date | None,
    flow: bool,
    dry_run: bool,
    timeout: float,
    cumulative: bool = False,
) -> None:
    from kpi import record as rec
    from kpi.atomic import WriteError, atomic_write, locked, real_path
    from kpi.i18n import _

    try:
        path = real_path(files.actuals)
        with locked(path.parent, timeout):
            old = _actuals_text(files, path)
            new, removed = rec.delete(old, kpi_id, period, published, flow, cumulative)
            if dry_run:
                click.echo("# " + _("would delete:"))
                click.echo(rec.block_of(removed), nl=False)
                return
            atomic_write(files.actuals, new.encode("utf-8"))
    except (rec.RecordError, WriteError) as exc:
        fail(msg("{file}: {problem}", file=str(files.actuals), problem=exc.args[0]))
    when = removed.get("published")
    say(
        _("deleted {kpi} {period} = {value}{published} from {file}").format(
            kpi=kpi_id,
            period=period,
            value=_shown_value(removed.get("value")),
            published="" if when is None else " (" + _("published {date}").format(date=when) + ")",
            file=files.actuals,
        )
    )


def _say_recorded(
    dataset: Dataset,
    kpi: Kpi,
    entry: Any,
    raw: list[Any],
    replaced: dict[str, Any] | None,
    changed: list[str],
    revised: dict[str, Any] | None,
    files: DataFiles,
) -> None:
    from kpi import display
    from kpi.assess import assess_kpi
    from kpi.derive import derive
    from kpi.i18n import _
    from kpi.loader import actuals_from
    from kpi.render import LIGHT_SYMBOL, status_word

    # The KPI's figures (and its source's, for a growth KPI) with what follows from them: the
    # targets a plan share gives, the earlier figures a stated change gives.
    own: list[Problem] = []
    related = {kpi.id, kpi.derived_from}
    mine = actuals_from(
        {"actual": [r for r in raw if isinstance(r, dict) and r.get("kpi") in related]}, "", dataset, own
    )
    kpis = {k: dataset.kpis[k] for k in related if k in dataset.kpis}
    kpis, mine, _warnings = derive(kpis, mine, "", "", dataset.plan.period)
    result = assess_kpi(kpis[kpi.id], [a for a in mine if a.kpi == kpi.id], date.today(), dataset.thresholds)
    if replaced is not None:
        say(
            _("replaced {kpi} {period} = {value} in {file}; changed: {fields}").format(
                kpi=kpi.id,
                period=entry.period,
                value=_shown_value(replaced.get("value")),
                file=files.actuals,
                fields=", ".join(changed) or "–",
            )
        )
    if revised is not None:
        before = revised.get("value")
        change = ""
        if isinstance(before, (int, float)) and before:
            change = " (" + display.localize(f"{(entry.value / before - 1) * 100:+.1f}") + " %)"
        say(
            _("revised {kpi} {period}: {old} → {new}{change}").format(
                kpi=kpi.id,
                period=entry.period,
                old=_shown_value(before),
                new=display.value(entry.value),
                change=change,
            )
        )
    template = (
        _("recorded {kpi} {period} = {value} (estimate) in {file}; status now {light} {status}")
        if entry.estimated
        else _("recorded {kpi} {period} = {value} in {file}; status now {light} {status}")
    )
    say(
        template.format(
            kpi=kpi.id,
            period=entry.period,
            value=display.value(entry.value),
            file=files.actuals,
            light=LIGHT_SYMBOL[result.light],
            status=status_word(result.status),
        )
    )


# Which command-line argument gave each [[actual]] key, to blame the right one.
RECORD_OPTION = {"kpi": "KPI_ID", "value": "VALUE", "period": "--period", "source": "--source"}
RECORD_OPTION |= {"quote": "--quote", "note": "--note", "published": "--published"}
RECORD_OPTION |= {"plan_share": "--plan-share", "plan_period": "--plan-period", "change": "--change"}
RECORD_OPTION |= {"change_from": "--change-from", "cumulative": "--cumulative"}


def _shown_value(value: object) -> str:
    from kpi import display

    return (
        display.value(float(value))
        if isinstance(value, (int, float)) and not isinstance(value, bool)
        else str(value)
    )


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: through symlinks, relative parts or hard links."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# What a command loaded stays referenced until the process ends: main() then exits without
# freeing it object by object (10^5 actuals take ~0.1 s to free), as mypy's hard_exit does.
RETAINED: list[object] = []


def _usable_streams() -> None:
    """Streams that can take any text: a closed stdout or stderr (`kpi validate 2>&-`) becomes
    /dev/null rather than a crash, and an encoding without Vietnamese letters (ASCII under
    PYTHONIOENCODING or a C locale) shows them as escapes rather than failing."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
        elif hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, io.UnsupportedOperation):
                stream.reconfigure(errors="backslashreplace")


def _register_spreadsheet_commands() -> None:
    # Their own module (the spreadsheet bridge); it uses this module's options and helpers.
    from kpi.sheets.commands import export, import_, template

    for command in (import_, template, export):
        cli.add_command(command)


_register_spreadsheet_commands()


def main() -> None:
    # A short-lived process whose data lives until exit creates no garbage cycles worth
    # collecting; the cyclic collector would rescan every parsed table as 10^5 actuals are built.
    gc.disable()
    _usable_streams()
    try:
        cli(prog_name="kpi")
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except Exception as exc:  # a bug: one line, not a traceback (KPI_DEBUG=1 shows it)
        if os.environ.get("KPI_DEBUG"):
            raise
        sys.stderr.write(f"kpi: internal error: {type(exc).__name__}: {exc} (KPI_DEBUG=1 shows where)\n")
        code = 1
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass  # output piped into `head` closed early: what the reader wanted was printed
    except OSError as exc:  # /dev/full, a vanished disk: the output did not arrive
        sys.stderr.write(f"kpi: cannot write the output: {exc.strerror or exc}\n")
        code = code or 1
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
