"""Flows — amounts per period that add up over the year — read year to date.

Revenue reported for a quarter, a half year or a month (or cumulatively from January, "lũy
kế") is summed over figures that do not overlap: where figures overlap (a Q1 and the H1 that
contains it, months and their quarter), the longest one that covers the others is used, so
nothing is counted twice. Two figures that overlap without one containing the other cannot be
resolved; `kpi validate` says so.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from kpi.model import Actual
from kpi.periods import Period, PeriodError, parse_period

DAYS_PER_MONTH = 365.25 / 12


class YearToDate(NamedTuple):
    total: float
    figures: tuple[Actual, ...]  # the non-overlapping figures summed, in date order
    covered_days: int
    period: Period  # the period the total is toward (the target's: usually a year)
    through: date  # the last day covered

    @property
    def period_days(self) -> int:
        return (self.period.end - self.period.start).days + 1

    @property
    def elapsed_share(self) -> float:
        """The share of the period the figures cover: H1 of 2024 is 182/366."""
        return self.covered_days / self.period_days

    @property
    def complete(self) -> bool:
        return self.covered_days >= self.period_days

    @property
    def estimated(self) -> bool:
        return any(a.estimated for a in self.figures)

    @property
    def label(self) -> str:
        """The span summed: the one figure's period, or the target period through its last day."""
        if len(self.figures) == 1 and not self.figures[0].cumulative:
            return self.figures[0].period.text
        if self.complete:
            return self.period.text
        return f"{self.period.text}…{self.through.isoformat()}"


def _inside(a: Actual, period: Period) -> bool:
    return period.start <= a.start and a.date <= period.end


def _overlap(a: Actual, b: Actual) -> bool:
    return not (a.date < b.start or b.date < a.start)


def _contains(a: Actual, b: Actual) -> bool:
    return a.start <= b.start and b.date <= a.date


def year_to_date(figures: Iterable[Actual], period: Period) -> YearToDate | None:
    """The sum of the flow's figures within the period, each day counted once; None without any."""
    inside = [a for a in figures if _inside(a, period)]
    if not inside:
        return None
    # Longest first: a figure overlapping one already chosen is inside it (or cannot be resolved).
    inside.sort(key=lambda a: (a.start - a.date, a.date))
    chosen: list[Actual] = []
    for a in inside:
        if not any(_overlap(a, c) for c in chosen):
            chosen.append(a)
    chosen.sort(key=lambda a: a.date)
    covered = sum((a.date - a.start).days + 1 for a in chosen)
    return YearToDate(sum(a.value for a in chosen), tuple(chosen), covered, period, chosen[-1].date)


def conflicts(figures: Sequence[Actual]) -> list[tuple[Actual, Actual]]:
    """Pairs of figures that overlap without one containing the other: 2024-Q2 and Jan–May."""
    found = []
    ordered = sorted(figures, key=lambda a: a.start)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.start > a.date:
                break
            if _overlap(a, b) and not _contains(a, b) and not _contains(b, a):
                found.append((a, b))
    return found


def shifted(period: Period, years: int) -> Period | None:
    """The same period some years earlier or later (2024-H1 → 2023-H1); None when it does not
    exist (29 February)."""
    text = period.text
    try:
        return parse_period(f"{int(text[:4]) + years:04d}{text[4:]}")
    except (PeriodError, ValueError):
        return None


def same_span_earlier(a: Actual, known: Sequence[Actual]) -> Actual | None:
    """The figure for the same span one year earlier (2023-H1 for 2024-H1), if known."""
    earlier = shifted(a.period, -1)
    if earlier is None:
        return None
    start = a.start.replace(year=a.start.year - 1) if not (a.start.month == 2 and a.start.day == 29) else None
    for b in known:
        if b.date == earlier.end and b.start == start:
            return b
    return None


class Projection(NamedTuple):
    value: float
    basis: str  # "seasonality" (last year's shape) or "run rate"


def project(ytd: YearToDate, known: Sequence[Actual]) -> Projection | None:
    """The period's total at the end, from the figures so far.

    Where last year is known both for the same spans and in full, the total follows last year's
    shape: revenue is seasonal (a ministry's second half is larger than its first), so
    YTD × (last year's total / last year's same-span total). Otherwise the run rate:
    YTD / the share of the period elapsed.
    """
    if ytd.complete:
        return Projection(ytd.total, "complete")
    previous = shifted(ytd.period, -1)
    if previous is not None:
        last_year = year_to_date(known, previous)
        same = [same_span_earlier(a, known) for a in ytd.figures]
        if last_year is not None and last_year.complete and all(b is not None for b in same):
            same_total = sum(b.value for b in same if b is not None)
            if same_total > 0:
                return Projection(ytd.total * last_year.total / same_total, "seasonality")
    if ytd.elapsed_share <= 0:
        return None
    return Projection(ytd.total / ytd.elapsed_share, "run rate")


def months_between(start: date, end: date) -> float:
    return (end - start).days / DAYS_PER_MONTH
