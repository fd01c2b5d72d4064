"""kpi diff: what changed between two dates, or between two versions of the files in git."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kpi.i18n import language, msg, tr

# The core is imported inside the commands: `kpi --help` needs none of it.
if TYPE_CHECKING:
    from kpi.loader import DataFiles
    from kpi.model import Dataset
    from kpi.problems import Problem

from kpi.commands.shared import (
    EXIT_ON_CLOSED_PIPE,
    display_date,
    fail,
    keep,
    load_valid,
    print_problems,
    resolve_files,
    to_output,
    use_language,
)
from kpi.options import (
    CONTEXT,
    DateType,
    KpiCommand,
    data_options,
    org_option,
    output_option,
    owner_option,
    report_options,
    sector_option,
)


@click.command(cls=KpiCommand, context_settings=CONTEXT)
@data_options
@click.argument("revisions", nargs=-1, metavar="[REV [REV2]]")
@click.option(
    "--from", "from_", type=DateType(periods=True), help="Compare the files as known on this date..."
)
@click.option("--to", type=DateType(periods=True), help="...with this date (default: --as-of, else today).")
@report_options(("table", "json", "markdown"))
@sector_option
@click.option("--fail-on-worse", is_flag=True, help="Exit 1 when any KPI's light got worse (for CI).")
@org_option
@owner_option
@output_option
def diff(
    targets: Path | None,
    actuals: tuple[Path, ...],
    data_dir: Path | None,
    revisions: tuple[str, ...],
    from_: date | None,
    to: date | None,
    as_of: date | None,
    fmt: str,
    lang: str | None,
    sectors: tuple[str, ...],
    fail_on_worse: bool,
    org: str | None,
    owner: str | None,
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
    from kpi.output import diffout
    from kpi.reports import diff_report

    _check_arguments(revisions, from_, to, as_of)
    before, after, old_date, new_date, title, sides = _versions(
        revisions, from_, to, as_of, targets, actuals, data_dir
    )
    if owner is not None:
        from dataclasses import replace

        from kpi.cycle import owned_by

        # The KPIs the owner holds now, on both sides: one set of KPIs, compared.
        after = owned_by(after, owner, new_date)
        before = replace(before, kpis={k: v for k, v in before.kpis.items() if k in after.kpis}, _by_kpi=None)
    if org is not None:
        from kpi.orgview import get_org, unit_dataset

        before = unit_dataset(before, get_org(before, org), old_date)
        after = unit_dataset(after, get_org(after, org), new_date)
    result = keep(diff_report(before, after, old_date, new_date, sectors))
    worse = fail_on_worse and result.worse
    if worse:
        EXIT_ON_CLOSED_PIPE[0] = 1  # a reader that stops early does not turn a failed check into 0
    lang = language()
    to_output(output, lambda out: diffout.render(result, after, title, fmt, lang, out, sides))
    if worse:
        sys.exit(1)


def _check_arguments(
    revisions: tuple[str, ...], from_: date | None, to: date | None, as_of: date | None
) -> None:
    """Two ways to compare, never mixed: dates (--from, --to) or git revisions (with --as-of)."""
    if len(revisions) > 2:
        raise click.UsageError(tr(msg("kpi diff takes at most two revisions")))
    if revisions and (from_ or to):
        raise click.UsageError(tr(msg("--from and --to compare dates; with revisions, use --as-of")))
    if not revisions and from_ is None:
        raise click.UsageError(tr(msg("give --from DATE, or a git revision")))
    later = to or as_of or date.today()
    if from_ is not None and from_ > later:
        raise click.UsageError(
            tr(
                msg(
                    "--from {a} is after --to {b}: give the earlier date first",
                    a=display_date(from_),
                    b=display_date(later),
                )
            )
        )


Sides = dict[str, dict[str, str | None]]
Versions = tuple["Dataset", "Dataset", date, date, str, Sides]


def _versions(
    revisions: tuple[str, ...],
    from_: date | None,
    to: date | None,
    as_of: date | None,
    targets: Path | None,
    actuals: tuple[Path, ...],
    data_dir: Path | None,
) -> Versions:
    """The two datasets and dates compared, the title saying which, and the JSON's from/to."""
    from kpi.i18n import _

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
        second = revisions[1] if len(revisions) == 2 else None
        title = _("What changed from {a} to {b}, as of {date}").format(
            a=revisions[0], b=second or _("the working tree"), date=display_date(when)
        )
        sides: Sides = {
            "from": {"revision": revisions[0], "as_of": when.isoformat()},
            "to": {"revision": second, "as_of": when.isoformat()},
        }
        return before, after, when, when, title, sides
    dataset = load_valid(targets, actuals, data_dir)
    assert from_ is not None
    old_date, new_date = from_, to or as_of or date.today()
    title = _("What changed from {a} to {b}").format(a=display_date(old_date), b=display_date(new_date))
    dates: Sides = {
        "from": {"revision": None, "as_of": old_date.isoformat()},
        "to": {"revision": None, "as_of": new_date.isoformat()},
    }
    return dataset, dataset, old_date, new_date, title, dates


def _dataset_at(revision: str, files: DataFiles) -> Dataset:
    """The dataset as committed at the revision (a file missing then: no figures, or an error
    for targets.toml)."""
    from kpi.gitfiles import GitError, files_at, show, show_committed, tree_at
    from kpi.loader import actuals_at, check_actuals, check_targets

    problems: list[Problem] = []
    try:
        targets_bytes = show(revision, files.targets)
        if targets_bytes is None:
            fail(
                msg("{file} did not exist at {revision}", file=str(files.targets), revision=revision), code=2
            )
        # The file of units as committed too.
        targets = check_targets(
            targets_bytes,
            str(files.targets),
            problems,
            lambda rel: show(revision, files.targets.parent / rel),
        )
        use_language(targets.plan)  # its problems are said in the plan's language
        tree = tree_at(revision, files.targets.resolve().parent) if targets.plan.actuals else None
        paths = actuals_at(files, targets.plan, lambda patterns: files_at(tree, patterns) if tree else {})
        # Files named outright are read by their path; those a pattern found, as found in the tree.
        named = bool(files.actuals) or not targets.plan.actuals
        sources = [
            (str(path), show(revision, real) if named else show_committed(revision, real, files.targets))
            for path, real in paths
        ]
    except GitError as exc:
        fail(exc.args[0], code=2)
    dataset = check_actuals(targets, sources, problems)
    errors = [p for p in problems if not p.warning]
    if errors:
        print_problems(errors)
        fail(msg("the data at {revision} has problems", revision=revision))
    return dataset
