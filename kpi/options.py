"""The command line's building blocks: option types (a date, a number typed the Vietnamese way,
a share), the options several commands share, shell completion, and the command class whose
help is said in the language in effect."""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kpi.i18n import N_, msg, tr
from kpi.i18n import _ as _translate
from kpi.statuses import LIGHTS, STATUSES

# The core is imported inside the commands: `kpi --help` needs none of it.
if TYPE_CHECKING:
    from kpi.model import Dataset


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
    f = click.option(
        "--actuals",
        type=click.Path(path_type=Path),
        multiple=True,
        help="An actuals file; give it once per file. Default: what [files] in targets.toml names, "
        "else actuals.toml beside it.",
    )(f)
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
    except LanguageError as exc:  # KPI_LANG (Click checked --lang): said in the fallback language
        set_language(resolve(None, None, {k: v for k, v in os.environ.items() if k != "KPI_LANG"}))
        raise click.UsageError(tr(exc.args[0])) from None
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


def org_option(f: F) -> F:
    return click.option(
        "--org",
        metavar="ID",
        help="One unit's view (an [[org]] id): its figures, reported, combined from its units or "
        "derived from its predecessors, against its targets.",
    )(f)


def owner_option(f: F) -> F:
    return click.option(
        "--owner",
        metavar="ID",
        help="Only the KPIs this owner ([owners.ID], or one under it) holds at --as-of.",
    )(f)


def sector_option(f: F) -> F:
    return click.option(
        "--sector",
        "sectors",
        multiple=True,
        shell_complete=complete_sector,
        help="Only this sector (repeatable).",
    )(f)


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


# The placeholders help shows for values (--as-of DATE) and in the usage line: said in the
# language of the help; Click's own (PATH, FILE, DIRECTORY) come from its catalog.
METAVARS = {
    "DATE": N_("DATE"),
    "TEXT": N_("TEXT"),
    "PERIOD": N_("PERIOD"),
    "ID": N_("ID"),
    "INTEGER RANGE": N_("INTEGER"),
    "INTEGER": N_("INTEGER"),
    "FLOAT RANGE": N_("NUMBER"),
    "FLOAT": N_("NUMBER"),
    "NUMBER": N_("NUMBER"),
    "SHARE": N_("SHARE"),
    "FIELD=COLUMN": N_("FIELD=COLUMN"),
    "[OPTIONS]": N_("[OPTIONS]"),
    "COMMAND [ARGS]...": N_("COMMAND [ARGS]..."),
}


def _metavar(param: click.Parameter, ctx: click.Context) -> str:
    try:
        return param.make_metavar(ctx)
    except TypeError:  # Click before 8.2 takes no context
        return param.make_metavar()  # type: ignore[call-arg]


class KpiCommand(click.Command):
    """A command whose help is shown in the language in effect, and whose core's usage problems
    (kpi.errors.UsageProblem) are Click's usage errors: one handler, exit 2, the option named."""

    def invoke(self, ctx: click.Context) -> Any:
        from kpi.errors import KpiError, UsageProblem

        try:
            return super().invoke(ctx)
        except UsageProblem as exc:
            raise click.BadParameter(tr(exc.message), ctx=ctx, param_hint=exc.option) from None
        except KpiError as exc:  # what no command said more about: one line, its exit code
            from kpi.display import printable

            for problem in getattr(exc, "problems", ()):  # the lines that say why, first
                click.echo(printable(problem.text()), err=True)
            click.echo(printable(f"kpi: {tr(exc.args[0])}"), err=True)
            ctx.exit(exc.exit_code)

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

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        written = self.options_metavar
        group = getattr(self, "subcommand_metavar", None)
        try:
            if written in METAVARS:
                self.options_metavar = _translate(METAVARS[written])
            if group in METAVARS:
                self.subcommand_metavar = _translate(METAVARS[group])
            super().format_usage(ctx, formatter)
        finally:
            self.options_metavar = written
            if group is not None:
                self.subcommand_metavar = group

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from kpi.i18n import click_gettext

        options = [p for p in self.get_params(ctx) if isinstance(p, click.Option) and p.help]
        help_option = self.get_help_option(ctx)
        written = [p.help for p in options]
        metavars = [p.metavar for p in options]
        try:
            for param, text in zip(options, written, strict=True):
                # Click wrote its --help option's text in the language in effect when the
                # command was first built; it is looked up again in Click's catalog.
                english = text or ""
                param.help = click_gettext(english) if param is help_option else _translate(english)
                if not param.is_flag and not param.count:
                    shown = _metavar(param, ctx)
                    if shown in METAVARS:
                        param.metavar = _translate(METAVARS[shown])
            super().format_options(ctx, formatter)
        finally:
            for param, text, metavar in zip(options, written, metavars, strict=True):
                param.help = text
                param.metavar = metavar


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


def _finite_option(value: float) -> float:
    if value != value:  # NaN passes FloatRange's comparisons
        raise click.BadParameter(tr(msg("must be a number")))
    return value
