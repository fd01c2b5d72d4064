"""Where each KPI stands against its milestone target at a given date.

The method follows the progress measures statistics offices use for plan and SDG
targets: Eurostat's ratio of actual to required progress with 95 % / 60 % / 0 bands
(as implemented in Open SDG), the UN Statistics Division's projected-value score,
and an achieved target overriding the trend. The README works through an example.
"""

import itertools
import math
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from kpi.model import Actual, Dataset, Kpi, Target, Thresholds
from kpi.periods import DAYS_PER_YEAR, years_between
from kpi.statuses import LIGHT_OF, LIGHTS, STATUSES

# A trend point: (date, value). Plain tuples: a status at 10^5 actuals builds one per actual.
Point = tuple[date, float]


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
    rate: float | None  # compound trend, growth per year
    projected: float | None
    projected_completion: date | None
    score: float | None
    status: str
    light: str
    reasons: tuple[str, ...]  # what each status rule decided (with explain=True), for `kpi show`

    @property
    def trend_per_year(self) -> float | None:
        """The current annual change in the KPI's unit (compound: at the latest value)."""
        if self.slope is not None:
            return self.slope
        if self.rate is not None and self.latest is not None:
            return self.latest.value * self.rate
        return None

    @property
    def required_per_year(self) -> float | None:
        """The annual change still needed, from as-of, to reach the milestone; None when overdue."""
        if self.milestone is None or self.latest is None:
            return None
        years = years_between(self.as_of, self.milestone.date)
        if years <= 0:
            return None
        return (self.milestone.value - self.latest.value) / years

    @property
    def overdue(self) -> bool:
        """Short of the milestone with its date already passed."""
        return self.gap is not None and self.gap > 0 and self.required_per_year is None

    @property
    def relative_gap(self) -> float | None:
        if self.gap is None or self.milestone is None or self.milestone.value == 0:
            return None
        return self.gap / abs(self.milestone.value)


def _div(a: float, b: float) -> float | None:
    return None if b == 0 else _finite(a / b)


def _finite(x: float | None) -> float | None:
    """x, or None when finite data overflowed to inf or NaN: every number shown is finite."""
    return x if x is not None and math.isfinite(x) else None


def _first(point: Point) -> date:
    return point[0]


def _known_order(a: Actual) -> tuple[date, date]:
    return (a.period.end, a.published or a.period.end)


def known_actuals(actuals: Iterable[Actual], as_of: date) -> list[Actual]:
    """Actuals known at as_of, oldest first.

    A figure is known once published; without a publication date, once its period has ended.
    """
    known = [a for a in actuals if (a.published or a.period.end) <= as_of]
    known.sort(key=_known_order)
    return known


def pick_milestone(kpi: Kpi, as_of: date, period: str | None = None) -> Target | None:
    """The first target not yet due at as_of, else the last; or the one named by period."""
    if not kpi.targets:
        return None
    if period is not None:
        for target in kpi.targets:
            if target.period.text == period:
                return target
        raise KeyError(period)
    for target in kpi.targets:
        if target.date >= as_of:
            return target
    return kpi.targets[-1]


def plan_path_value(kpi: Kpi, when: date) -> float | None:
    """The plan's value at a date: linear between baseline and targets; None before it starts."""
    path = ([kpi.baseline] if kpi.baseline is not None else []) + list(kpi.targets)
    if not path or when < path[0].date:
        return None
    for before, after in itertools.pairwise(path):
        if before.date <= when <= after.date:
            span = (after.date - before.date).days
            share = (when - before.date).days / span
            return before.value + share * (after.value - before.value)
    return path[-1].value


def ols_slope(points: Sequence[Point]) -> float | None:
    """Least-squares slope in units per year; None when all points share one date."""
    t0 = points[0][0]
    xs = [(when - t0).days / DAYS_PER_YEAR for when, _ in points]
    ys = [value for _, value in points]
    n = len(points)
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return sxy / sxx


def _clamp(kpi: Kpi, value: float) -> float:
    if kpi.min is not None and value < kpi.min:
        return kpi.min
    if kpi.max is not None and value > kpi.max:
        return kpi.max
    return value


def _date_after(start: date, years: float) -> date | None:
    """start + years, or None when that lies beyond the calendar (a near-flat trend)."""
    try:
        return start + timedelta(days=years * DAYS_PER_YEAR)
    except (OverflowError, ValueError):  # ValueError: years is NaN
        return None


def assess_kpi(
    kpi: Kpi,
    actuals: Iterable[Actual],
    as_of: date,
    thresholds: Thresholds | None = None,
    milestone_period: str | None = None,
    explain: bool = False,
) -> Assessment:
    """Assess one KPI; with explain, `reasons` says what each status rule decided."""
    thresholds = thresholds or Thresholds()
    d = kpi.sign
    milestone = pick_milestone(kpi, as_of, milestone_period)
    known = known_actuals(actuals, as_of)
    latest = known[-1] if known else None

    points: list[Point] = [(a.period.end, a.value) for a in known]  # already in date order
    baseline = kpi.baseline
    if baseline is not None and baseline.period.end <= as_of:
        points.append((baseline.period.end, baseline.value))
        points.sort(key=_first)

    attainment = gap = progress = expected = None
    slope = rate = projected = score = None
    completion: date | None = None
    reasons: list[str] | None = [] if explain else None

    if milestone is not None and latest is not None:
        T, y, t, tT = milestone.value, latest.value, latest.date, milestone.date
        t0, y0 = points[0]
        attainment = _div(y, T) if d == 1 else _div(T, y)
        gap = _finite(d * (T - y))
        if len(points) >= 2:
            progress = _div(y - y0, T - y0)
        expected = _finite(plan_path_value(kpi, t))
        achieved = d * (y - T) >= 0
        if len(points) >= 2:
            try:
                if kpi.trend == "compound":
                    span = years_between(t0, t)
                    if span > 0 and y0 > 0 and y > 0:
                        rate = _finite((y / y0) ** (1 / span) - 1)
                        if rate is not None:
                            projected = _finite(y * (1 + rate) ** years_between(t, tT))
                        if rate is not None and not achieved and d * rate > 0 and T / y > 0:
                            completion = _date_after(t, math.log(T / y) / math.log1p(rate))
                else:
                    slope = _finite(ols_slope(points))
                    if slope is not None:
                        projected = _finite(y + slope * years_between(t, tT))
                        if not achieved and d * slope > 0:
                            completion = _date_after(t, (T - y) / slope)
            except (OverflowError, ZeroDivisionError, ValueError):
                # Finite data whose arithmetic leaves the floats (1e308-sized values, a rate
                # near -100 %): no projection rather than a wrong one.
                projected = completion = None
            if projected is not None:
                projected = _clamp(kpi, projected)
                score = _div(projected - y0, T - y0)

    status = _status(kpi, milestone, latest, points, score, thresholds, reasons)
    return Assessment(
        kpi=kpi,
        as_of=as_of,
        milestone=milestone,
        latest=latest,
        known=tuple(known),
        points=tuple(points),
        attainment=attainment,
        gap=gap,
        progress=progress,
        expected=expected,
        slope=slope,
        rate=rate,
        projected=projected,
        projected_completion=completion,
        score=score,
        status=status,
        light=LIGHT_OF[status],
        reasons=tuple(reasons or ()),
    )


def _status(
    kpi: Kpi,
    milestone: Target | None,
    latest: Actual | None,
    points: list[Point],
    score: float | None,
    bands: Thresholds,
    reasons: list[str] | None,
) -> str:
    """The first rule that applies. With a reasons list, each rule tried is explained in it
    (for `kpi show`); without, no text is formatted: a status at 10^4 KPIs stays cheap."""
    note = reasons.append if reasons is not None else None
    if milestone is None:
        note and note("no_target: the KPI has no targets")
        return "no_target"
    note and note("no_target: no, it has targets")
    if latest is None:
        note and note("no_data: no actual is known at the as-of date")
        return "no_data"
    note and note(f"no_data: no, latest actual is {latest.period}")
    d, y, T = kpi.sign, latest.value, milestone.value
    if d * (y - T) >= 0:
        note and note(f"achieved: yes, {y:g} {'≥' if d == 1 else '≤'} target {T:g}")
        return "achieved"
    note and note(f"achieved: no, {y:g} {'<' if d == 1 else '>'} target {T:g}")
    if len(points) < 2:
        note and note(f"insufficient_data: only {len(points)} trend point; a trend needs 2")
        return "insufficient_data"
    note and note(f"insufficient_data: no, {len(points)} trend points")
    y0 = points[0][1]
    if d * (T - y0) <= 0:
        note and note(f"moving_away: the series started at {y0:g}, at or past the target, and fell back")
        return "moving_away"
    if score is None:
        note and note("insufficient_data: the trend cannot be projected from these points")
        return "insufficient_data"
    for name, floor in (
        ("on_track", bands.on_track),
        ("acceleration_needed", bands.acceleration_needed),
        ("limited_progress", 0.0),
    ):
        if score >= floor:
            note and note(f"{name}: score {score:.3f} ≥ {floor:g}")
            return name
        note and note(f"{name}: no, score {score:.3f} < {floor:g}")
    note and note(f"moving_away: score {score:.3f} < 0")
    return "moving_away"


def assess(
    dataset: Dataset,
    as_of: date,
    kpis: Iterable[Kpi] | None = None,
    milestone_period: str | None = None,
    explain: bool = False,
) -> list[Assessment]:
    """Assess the given KPIs (default: all), in declaration order."""
    by_kpi = dataset.actuals_by_kpi()
    chosen = dataset.kpis.values() if kpis is None else kpis
    results = []
    for kpi in chosen:
        period = milestone_period
        if period is not None and all(t.period.text != period for t in kpi.targets):
            period = None  # --milestone applies to the KPIs that have a target then
        results.append(assess_kpi(kpi, by_kpi.get(kpi.id, ()), as_of, dataset.thresholds, period, explain))
    return results


class SectorSummary(NamedTuple):
    id: str
    name: str
    lights: dict[str, int]
    statuses: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.lights.values())


def summarise(dataset: Dataset, results: Iterable[Assessment], lang: str = "vi") -> list[SectorSummary]:
    """Counts per light and per status for each sector that has results, in declaration order."""
    counts: dict[str, tuple[dict[str, int], dict[str, int]]] = {}
    for r in results:
        lights, statuses = counts.setdefault(
            r.kpi.sector, (dict.fromkeys(LIGHTS, 0), dict.fromkeys(STATUSES, 0))
        )
        lights[r.light] += 1
        statuses[r.status] += 1
    return [
        SectorSummary(sid, sector.label(lang), *counts[sid])
        for sid, sector in dataset.sectors.items()
        if sid in counts
    ]
