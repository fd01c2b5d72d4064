"""kpi record: one figure added to (or corrected or deleted from) actuals.toml, safely."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kpi.i18n import msg, tr

# The core is imported inside the commands: `kpi --help` needs none of it.
if TYPE_CHECKING:
    from kpi.model import Dataset, Kpi
    from kpi.problems import Problem
    from kpi.transaction import Destination

from kpi.commands.shared import (
    fail,
    get_kpi,
    load_plan,
    not_the_targets,
    resolve_files,
    say,
)
from kpi.options import (
    CONTEXT,
    DateType,
    KpiCommand,
    NumberType,
    ShareType,
    _finite_option,
    complete_kpi,
    data_options,
    lang_option,
)


# VALUE may be -3.2: not an option.
@click.command(cls=KpiCommand, context_settings={**CONTEXT, "ignore_unknown_options": True})
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
    "--received",
    type=DateType(),
    help="When the figure reached the ministry (a unit's sheet), for kpi due; never today unless given.",
)
@click.option(
    "--derived", is_flag=True, help="Computed from a stated change, not stated itself (say how in --note)."
)
@click.option("--note", help="Anything a reader should know about the figure.")
@click.option("--org", help="The unit the figure is for (an [[org]] id); default: the plan's own figure.")
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
    actuals: tuple[Path, ...],
    data_dir: Path | None,
    kpi_id: str,
    value: float,
    period: str,
    source: str,
    quote: str | None,
    estimated: bool,
    published: date | None,
    received: date | None,
    derived: bool,
    note: str | None,
    org: str | None,
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
    from kpi.transaction import destination

    files = resolve_files(targets, actuals, data_dir)
    dataset = load_plan(files)
    dest = destination(files, dataset.plan)
    not_the_targets(files.targets, dest.path)
    kpi = get_kpi(dataset, kpi_id)
    _check_period(period)
    if org == dataset.orgs.root:
        org = None  # the root's figures are the plan's own
    if delete:
        _delete_only(value)
        _delete_figure(
            dest, kpi_id, period, published, kpi.measure == "flow", dry_run, lock_timeout, cumulative, org
        )
        return
    if value is None:
        raise click.UsageError(tr(msg("VALUE is missing (only --delete goes without one)")))
    stated = (
        ("plan_share", plan_share),
        ("plan_period", plan_period),
        ("change", change),
        ("change_from", change_from),
    )
    extra = tuple((k, v) for k, v in stated if v is not None)
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
        extra,
        cumulative,
        org,
        received,
    )
    done = _record(dest, entry, kpi, dataset, replace, published, source is None, dry_run, lock_timeout)
    if done is not None:
        _say_recorded(dataset, kpi, done, dest)
        _warn_dates(done.entry, dataset)


def _check_period(period: str) -> None:
    from kpi.periods import PeriodError, parse_period

    try:
        parse_period(period)
    except PeriodError as exc:
        raise click.BadParameter(tr(exc.args[0]), param_hint="--period") from None


def _given(*names: str) -> list[str]:
    """The options among names that were typed on the command line (not defaults)."""
    ctx = click.get_current_context()
    return [n for n in names if ctx.get_parameter_source(n) == click.core.ParameterSource.COMMANDLINE]


def _delete_only(value: float | None) -> None:
    """--delete takes the figure's KPI and period (and --published for one revision), nothing else."""
    if value is not None:
        raise click.UsageError(tr(msg("--delete takes no VALUE")))
    names = ["source", "quote", "estimated", "derived", "note", "replace", "received"]
    names += ["plan_share", "plan_period", "change", "change_from"]
    extra = ["--" + name.replace("_", "-") for name in _given(*names)]
    if extra:
        raise click.UsageError(
            tr(msg("--delete removes a figure; it takes no {options}", options=", ".join(extra)))
        )


def _record(
    dest: Destination,
    entry: Any,
    kpi: Kpi,
    dataset: Dataset,
    replace: bool,
    published: date | None,
    no_source: bool,
    dry_run: bool,
    timeout: float,
) -> Any:
    """One transaction: the figure checked alone and with the KPI's others, then written (or
    printed, for --dry-run: then None)."""
    from kpi import record as rec
    from kpi.i18n import _
    from kpi.transaction import other_tables, rewrite

    given = set(
        _given("source", "quote", "estimated", "published", "derived", "note", "cumulative", "received")
    )
    flow = kpi.measure == "flow"

    def change(old: str) -> tuple[str | None, Any]:
        checked, before, changed = rec.corrected(old, entry, flow, replace, published, given)
        if replace and before is None:
            _not_elsewhere(
                dest, entry.kpi, entry.period, entry.org, "--replace", published, flow, entry.cumulative
            )
        if not checked.source and no_source:
            raise click.MissingParameter(param_hint="'--source'", param_type="option")
        _check_figure(checked, dataset, dest)
        done = rec.change(old, checked, flow, replace, published, before, changed)
        others = other_tables(dest)
        _check_with_the_rest(done.was, done.raw, kpi, dataset, dest, others)
        if not dry_run:
            return done.text, done
        if before is not None:
            click.echo("# " + _("replaces:"))
            click.echo(rec.block_of(before), nl=False)
            click.echo("# " + _("with:"))
        click.echo(rec.block(checked), nl=False)
        return None, None

    return rewrite(dest.path, change, timeout)


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


def _check_figure(entry: Any, dataset: Dataset, dest: Destination) -> None:
    """Record accepts exactly what validate accepts: admission's rules, each problem with a
    field blamed on the option that gave the value."""
    from kpi.admission import entry_problems

    refusals = entry_problems(entry, dataset, str(dest.path))
    for refusal in refusals:
        if refusal.alone is not None and refusal.field is not None:
            raise click.BadParameter(tr(refusal.alone), param_hint=RECORD_OPTION.get(refusal.field))
    if refusals:
        # The figure alone is wrong: what was typed, not the file (the file is not touched).
        raise click.UsageError("; ".join(dict.fromkeys(tr(r.message) for r in refusals)))


def _check_with_the_rest(
    old: list[Any],
    new: list[Any],
    kpi: Kpi,
    dataset: Dataset,
    dest: Destination,
    others: list[tuple[str, list[Any]]],
) -> None:
    """What validate would say of the KPI's figures with the new one that it did not say before
    (a month overlapping a quarter, a stated change contradicting a figure): a new error refuses
    the figure; a new warning is shown."""
    from kpi.admission import new_problems
    from kpi.i18n import _

    fresh, warnings = new_problems(old, new, [kpi.id], dataset, str(dest.path), others=others)
    if fresh:
        for error in fresh:
            say(msg("{file}: {problem}", file=str(dest.path), problem=error), err=True)
        fail(msg("the figure was not recorded"))
    for warning in warnings:
        say(_("warning: {message}").format(message=warning), err=True)


def _not_elsewhere(
    dest: Destination,
    kpi_id: str,
    period: str,
    org: str | None,
    option: str,
    published: date | None = None,
    flow: bool = False,
    cumulative: bool = False,
) -> None:
    """A figure to correct or delete that another of the plan's files holds (the same figure as
    the loader sees it: the KPI, unit and span, and the revision asked for): that file is the
    one to name; a change here would leave it there, or add a second one."""
    from kpi.record import RecordError, find
    from kpi.transaction import other_tables

    for file, tables in other_tables(dest):
        if find(tables, kpi_id, period, published, flow, cumulative, org) is not None:
            raise RecordError(
                msg(
                    'no figure of {kpi} for period "{period}" here; {file} holds it: '
                    "give --actuals {file} with {option}",
                    kpi=kpi_id,
                    period=period,
                    file=file,
                    option=option,
                )
            )


def _delete_figure(
    dest: Destination,
    kpi_id: str,
    period: str,
    published: date | None,
    flow: bool,
    dry_run: bool,
    timeout: float,
    cumulative: bool = False,
    org: str | None = None,
) -> None:
    from kpi import record as rec
    from kpi.i18n import _
    from kpi.transaction import rewrite

    def change(old: str) -> tuple[str | None, dict[str, Any]]:
        try:
            new, removed = rec.delete(old, kpi_id, period, published, flow, cumulative, org)
        except rec.RecordError:
            _not_elsewhere(dest, kpi_id, period, org, "--delete", published, flow, cumulative)
            raise
        if dry_run:
            click.echo("# " + _("would delete:"))
            click.echo(rec.block_of(removed), nl=False)
            return None, removed
        return new, removed

    removed = rewrite(dest.path, change, timeout)
    if dry_run:
        return
    when = removed.get("published")
    say(
        _("deleted {kpi} {period} = {value}{published} from {file}").format(
            kpi=kpi_id if org is None else f"{kpi_id} ({org})",
            period=period,
            value=_shown_value(removed.get("value")),
            published="" if when is None else " (" + _("published {date}").format(date=when) + ")",
            file=dest.path,
        )
    )


def _say_recorded(dataset: Dataset, kpi: Kpi, done: Any, dest: Destination) -> None:
    from kpi import display
    from kpi.assess import assess_kpi
    from kpi.derive import derive
    from kpi.i18n import _
    from kpi.loader import actuals_from
    from kpi.output.words import LIGHT_SYMBOL, status_word
    from kpi.transaction import other_tables

    entry, replaced, changed, revised = done.entry, done.replaced, done.changed, done.revised
    # The KPI's figures in every file (and its source's, for a growth KPI) with what follows from
    # them: the targets a plan share gives, the earlier figures a stated change gives.
    own: list[Problem] = []
    related = {kpi.id, kpi.derived_from}
    raw = [t for _file, tables in other_tables(dest) for t in tables] + done.raw
    mine = actuals_from(
        {"actual": [r for r in raw if isinstance(r, dict) and r.get("kpi") in related]}, "", dataset, own
    )
    kpis = {k: dataset.kpis[k] for k in related if k in dataset.kpis}
    # The plan's own series: a unit's figure changes the plan's status only through it.
    mine = [a for a in mine if a.org is None]
    kpis, mine, _warnings = derive(kpis, mine, "", "", dataset.plan.period)
    result = assess_kpi(kpis[kpi.id], [a for a in mine if a.kpi == kpi.id], date.today(), dataset.thresholds)
    shown = kpi.id if entry.org is None else f"{kpi.id} ({entry.org})"
    if replaced is not None:
        say(
            _("replaced {kpi} {period} = {value} in {file}; changed: {fields}").format(
                kpi=shown,
                period=entry.period,
                value=_shown_value(replaced.get("value")),
                file=dest.path,
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
                kpi=shown,
                period=entry.period,
                old=_shown_value(before),
                new=display.value(entry.value),
                change=change,
            )
        )
    if entry.org is not None:  # the plan's status moves through its units' roll-up: kpi status says
        say(
            _("recorded {kpi} {period} = {value} in {file}").format(
                kpi=shown, period=entry.period, value=display.value(entry.value), file=dest.path
            )
        )
        return
    template = (
        _("recorded {kpi} {period} = {value} (estimate) in {file}; status now {light} {status}")
        if entry.estimated
        else _("recorded {kpi} {period} = {value} in {file}; status now {light} {status}")
    )
    say(
        template.format(
            kpi=shown,
            period=entry.period,
            value=display.value(entry.value),
            file=dest.path,
            light=LIGHT_SYMBOL[result.light],
            status=status_word(result.status),
        )
    )


# Which command-line argument gave each [[actual]] key, to blame the right one.
RECORD_OPTION = {"kpi": "KPI_ID", "value": "VALUE", "period": "--period", "source": "--source"}


RECORD_OPTION |= {"quote": "--quote", "note": "--note", "published": "--published"}


RECORD_OPTION |= {"plan_share": "--plan-share", "plan_period": "--plan-period", "change": "--change"}


RECORD_OPTION |= {"change_from": "--change-from", "cumulative": "--cumulative", "org": "--org"}


RECORD_OPTION |= {"received": "--received"}


def _shown_value(value: object) -> str:
    from kpi import display

    return (
        display.value(float(value))
        if isinstance(value, (int, float)) and not isinstance(value, bool)
        else str(value)
    )
