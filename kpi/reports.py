"""The use cases as plain functions: each report's selection, order, totals and check result,
computed once from the dataset, for every output (the terminal, JSON, CSV, Markdown, the
workbook, the report). No Click, no Rich, no files: the command line calls these and hands
the value to a renderer.
"""

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Literal, NamedTuple

from kpi.assess import Assessment, SectorSummary, assess, summarise
from kpi.briefing import gap_order
from kpi.errors import UsageProblem
from kpi.i18n import msg
from kpi.model import Dataset, Kpi
from kpi.periods import PeriodError, parse_period

if TYPE_CHECKING:
    from kpi.diff import Diff

FailOn = Literal["red", "amber"]


class StatusReport(NamedTuple):
    dataset: Dataset
    as_of: date
    results: list[Assessment]  # the KPIs asked for, in declaration order
    summaries: list[SectorSummary]
    failed: bool  # --fail-on: a light at or worse than asked for
    show_all: bool  # every row in a table, not only those that need attention


class GapReport(NamedTuple):
    dataset: Dataset
    as_of: date
    results: list[Assessment]  # shortfalls, largest relative gap first (and met ones with show_all)
    without_data: int  # KPIs with a target and no figure: no gap to measure


class ShowReport(NamedTuple):
    dataset: Dataset
    assessment: Assessment


class ListReport(NamedTuple):
    dataset: Dataset
    kpis: list[Kpi]


def pick_kpis(dataset: Dataset, sectors: Sequence[str]) -> list[Kpi]:
    """The plan's KPIs, or those of the sectors named (an unknown one is a usage problem)."""
    from kpi.problems import did_you_mean

    for sector in sectors:
        if sector not in dataset.sectors:
            raise UsageProblem(
                msg(
                    'unknown sector "{sector}"{hint}; choose from: {choices}',
                    sector=sector,
                    hint=did_you_mean(sector, dataset.sectors),
                    choices=", ".join(dataset.sectors),
                ),
                "--sector",
            )
    if not sectors:
        return list(dataset.kpis.values())
    return [k for k in dataset.kpis.values() if k.sector in sectors]


def get_kpi(dataset: Dataset, kpi_id: str) -> Kpi:
    from kpi.problems import did_you_mean

    kpi = dataset.kpis.get(kpi_id)
    if kpi is None:
        hint = did_you_mean(kpi_id, dataset.kpis) or msg(" (kpi list shows them all)")
        raise UsageProblem(msg('unknown KPI "{kpi}"{hint}', kpi=kpi_id, hint=hint), "KPI_ID")
    return kpi


def assess_kpis(
    dataset: Dataset, kpis: Sequence[Kpi], as_of: date, milestone: str | None, explain: bool = False
) -> list[Assessment]:
    """The KPIs assessed at as_of, against the milestone asked for when there is one."""
    if milestone is not None:
        try:
            parse_period(milestone)
        except PeriodError as exc:
            raise UsageProblem(exc.args[0], "--milestone") from None
        if not any(t.period.text == milestone for k in kpis for t in k.targets):
            raise UsageProblem(
                msg('no KPI shown has a target for "{period}"', period=milestone), "--milestone"
            )
    return assess(dataset, as_of, kpis, milestone, explain)


def status_report(
    dataset: Dataset,
    as_of: date,
    lang: str,
    sectors: Sequence[str] = (),
    statuses: Sequence[str] = (),
    milestone: str | None = None,
    fail_on: FailOn | None = None,
    show_all: bool = False,
) -> StatusReport:
    results = assess_kpis(dataset, pick_kpis(dataset, sectors), as_of, milestone)
    if statuses:
        wanted = set(statuses)
        results = [a for a in results if a.status in wanted or a.light in wanted]
    failing = set() if fail_on is None else {"red"} if fail_on == "red" else {"red", "amber"}
    failed = any(a.light in failing for a in results)
    return StatusReport(
        dataset, as_of, results, summarise(dataset, results, lang), failed, show_all or bool(statuses)
    )


def gap_report(
    dataset: Dataset,
    as_of: date,
    sectors: Sequence[str] = (),
    milestone: str | None = None,
    show_all: bool = False,
) -> GapReport:
    results = assess_kpis(dataset, pick_kpis(dataset, sectors), as_of, milestone)
    without_data = sum(1 for a in results if a.milestone is not None and a.latest is None)
    return GapReport(dataset, as_of, gap_order(results, show_all), without_data)


def show_report(dataset: Dataset, kpi_id: str, as_of: date, milestone: str | None = None) -> ShowReport:
    kpi = get_kpi(dataset, kpi_id)
    if milestone is not None and all(t.period.text != milestone for t in kpi.targets):
        periods = ", ".join(t.period.text for t in kpi.targets) or msg("none")
        raise UsageProblem(
            msg(
                '{kpi} has no target for "{milestone}" (targets: {periods})',
                kpi=kpi_id,
                milestone=milestone,
                periods=periods,
            ),
            "--milestone",
        )
    [result] = assess_kpis(dataset, [kpi], as_of, milestone, explain=True)
    return ShowReport(dataset, result)


def list_report(dataset: Dataset, sectors: Sequence[str] = ()) -> ListReport:
    return ListReport(dataset, pick_kpis(dataset, sectors))


class MeetingReport(NamedTuple):
    dataset: Dataset
    as_of: date
    results: list[Assessment]
    summaries: list[SectorSummary]
    changes: "Diff | None"  # what changed since the date asked for (--since), when asked
    since: date | None


def meeting_report(
    dataset: Dataset, as_of: date, lang: str, sectors: Sequence[str] = (), since: date | None = None
) -> MeetingReport:
    """What kpi report holds: the KPIs asked for with their sectors' counts, and what changed since
    the last meeting."""
    from kpi import display

    if since is not None and since >= as_of:
        raise UsageProblem(
            msg("--since must be before the report's date ({date})", date=display.iso(as_of)), "--since"
        )
    kpis = pick_kpis(dataset, sectors)
    results = assess_kpis(dataset, kpis, as_of, None)
    changes = None
    if since is not None:
        from kpi.diff import compare

        changes = compare(dataset, dataset, since, as_of, [k.id for k in kpis])
    return MeetingReport(dataset, as_of, results, summarise(dataset, results, lang), changes, since)


def diff_report(
    before: Dataset, after: Dataset, old_date: date, new_date: date, sectors: Sequence[str] = ()
) -> "Diff":
    """What changed between two datasets (or one at two dates), for the sectors asked for (a KPI
    of the sector in either version)."""
    from kpi.diff import compare

    kpis = None
    if sectors:
        kpis = [k.id for k in pick_kpis(after, sectors)] + [
            k.id for k in before.kpis.values() if k.sector in sectors
        ]
    return compare(before, after, old_date, new_date, kpis)
