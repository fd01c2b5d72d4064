"""The assessment's values: where a KPI stands (Assessment), a passed milestone's verdict, a flow's
year to date, a sector's counts and a review row. Plain NamedTuples."""

import math
from datetime import date
from typing import NamedTuple

from kpi.flows import Projection, YearToDate
from kpi.model import Actual, Kpi, Method, Target
from kpi.periods import years_between
from kpi.statuses import Light, Status

# A trend point: (date, value). Plain tuples: a status at 10^5 actuals builds one per actual.
Point = tuple[date, float]


class Verdict(NamedTuple):
    """A milestone whose date has passed, judged on the figure for its period."""

    target: Target
    status: Status  # "achieved", "missed" or "awaiting_final" (no figure for its period yet)
    figure: Actual | None  # the figure judged
    gap: float | None  # d·(T − figure): the final shortfall, ≤ 0 when met
    later: bool  # no figure within the period: judged on the first one after it


class FlowState(NamedTuple):
    """A flow toward its milestone: the total so far and where it is heading."""

    ytd: YearToDate
    projection: Projection | None
    pace: float | None  # attainment / share of the period elapsed: 1.0 is exactly on pace
    needed_per_month: float | None  # to reach the target by the period's end
    so_far_per_month: float


class Assessment(NamedTuple):
    kpi: Kpi
    as_of: date
    milestone: Target | None
    latest: Actual | None
    known: tuple[Actual, ...]
    points: tuple[Point, ...]
    attainment: float | None
    gap: float | None
    progress: float | None
    expected: float | None
    slope: float | None  # linear trend, units per year
    rate: float | None  # compound trend (or cagr's observed growth), growth per year
    projected: float | None
    projected_completion: date | None
    score: float | None
    status: Status
    light: Light
    reasons: tuple[str, ...]  # what each status rule decided (with explain=True), for `kpi show`
    method: Method = "linear"
    ratio: float | None = None  # cagr: observed / required growth, Open SDG's measure
    verdicts: tuple[Verdict, ...] = ()  # every milestone passed at as-of, oldest first
    stale: bool = False  # the latest figure is more than one target period old
    trend_only: bool = False  # graded without a target: direction of travel only
    wanted_milestone: str | None = None  # --milestone named a period this KPI has no target for
    flow: FlowState | None = None  # a flow's year to date
    yoy: float | None = None  # the latest figure's change on the same period a year before
    revised: frozenset[str] = frozenset()  # periods whose figure revises an earlier one known then

    @property
    def trend_per_year(self) -> float | None:
        """The current annual change in the KPI's unit (compound: at the latest value)."""
        if self.slope is not None:
            return self.slope
        if self.rate is not None and self.latest is not None:
            return _finite(self.latest.value * self.rate)
        return None

    @property
    def headline_verdict(self) -> Verdict | None:
        """The verdict on the milestone judged, when its date has passed."""
        return next((v for v in self.verdicts if v.target == self.milestone), None)

    @property
    def judged(self) -> Actual | None:
        """The figure the numbers are about: a passed milestone's own, else the latest."""
        verdict = self.headline_verdict
        return verdict.figure if verdict is not None and verdict.figure is not None else self.latest

    @property
    def missed_before(self) -> tuple[Verdict, ...]:
        """Earlier milestones that were missed: never hidden when the milestone moves on."""
        return tuple(v for v in self.verdicts if v.status == "missed" and v.target != self.milestone)

    @property
    def required_per_year(self) -> float | None:
        """The annual change still needed, from as-of, to reach the milestone; None when overdue."""
        if self.milestone is None or self.latest is None:
            return None
        years = years_between(self.as_of, self.milestone.date)
        if years <= 0:
            return None
        return _finite((self.milestone.value - self.latest.value) / years)

    @property
    def overdue(self) -> bool:
        """Short of the milestone with its date already passed and no final figure yet."""
        return self.status == "awaiting_final" and self.gap is not None and self.gap > 0

    @property
    def relative_gap(self) -> float | None:
        if self.gap is None or self.milestone is None or self.milestone.value == 0:
            return None
        return _finite(self.gap / abs(self.milestone.value))

    def projected_at(self, when: date) -> float | None:
        """The trend's value at a date after the latest figure, within the KPI's bounds (the
        projection at the milestone is projected_at(milestone.date)); None without a trend."""
        if self.latest is None or when < self.latest.date:
            return None
        years = years_between(self.latest.date, when)
        y = self.latest.value
        try:
            if self.slope is not None:
                value = y + self.slope * years
            elif self.rate is not None:
                value = y * (1 + self.rate) ** years
            else:
                return None
        except OverflowError:
            return None
        if not math.isfinite(value):
            return None
        if self.kpi.min is not None:
            value = max(value, self.kpi.min)
        if self.kpi.max is not None:
            value = min(value, self.kpi.max)
        return value

    def plan_path_at(self, when: date) -> float | None:
        """The plan's value at a date: linear between the baseline and the targets."""
        from kpi.methods import plan_path_value

        return plan_path_value(self.kpi, when)


def _div(a: float, b: float) -> float | None:
    return None if b == 0 else _finite(a / b)


def _finite(x: float | None) -> float | None:
    """x, or None when finite data overflowed to inf or NaN: every number shown is finite."""
    return x if x is not None and math.isfinite(x) else None


class SectorSummary(NamedTuple):
    id: str
    name: str
    lights: dict[str, int]
    statuses: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.lights.values())


class ReviewRow(NamedTuple):
    """One target of the end-of-term review ("tổng kết giai đoạn"): met, missed, or not known."""

    kpi: Kpi
    target: Target
    verdict: str  # achieved | missed | awaiting_final | not_due
    figure: Actual | None
    gap: float | None
    later: bool
