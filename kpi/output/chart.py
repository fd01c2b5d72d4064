"""Chart geometry for one KPI, shared by the terminal chart and the SVG chart.

Everything here is in data space (dates, values) plus one linear scale to a w × h grid;
the renderers only choose glyphs or SVG elements.

A figure is drawn at the middle of its period, and the time axis is labelled by each year's
span (the label centred on the year, ticks at 1 January): a 2024 figure stands over "2024",
a May figure two fifths into its year. Better is up: for a "down" KPI (a rank) the value axis
is inverted and says so, as rank charts are drawn.
"""

import itertools
import math
import sys
from datetime import date, timedelta
from typing import NamedTuple

from kpi.assess import Assessment
from kpi.periods import Period

TREND_SAMPLES = 24


class Mark(NamedTuple):
    when: date
    value: float
    label: str  # period, for axes and tooltips
    estimated: bool = False
    source: str | None = None
    quote: str | None = None
    revised: bool = False  # it replaces an earlier figure for its period


class Series(NamedTuple):
    bounds: tuple[float | None, float | None]  # the KPI's min and max
    actuals: list[Mark]  # the known actuals, oldest first
    plan: list[Mark]  # baseline (if any) and targets: the plan path
    targets: list[Mark]
    stretches: list[Mark]
    milestone: Mark | None
    trend: list[tuple[date, float]]  # from the latest actual to the milestone date; [] when none
    inverted: bool = False  # lower is better (a rank): drawn with the value axis upside down
    breaks: tuple[date, ...] = ()  # a count of units: a merger changed what it counts, drawn as a rule


def middle(period: Period) -> date:
    """Where a period's figure is drawn: the middle of the days it covers."""
    return period.start + (period.end - period.start) / 2


def series(a: Assessment) -> Series:
    k = a.kpi
    actuals = [
        Mark(
            middle(x.period),
            x.value,
            x.period.text,
            x.estimated,
            x.source,
            x.quote,
            x.period.text in a.revised,
        )
        for x in a.known
    ]
    points = ([k.baseline] if k.baseline is not None else []) + list(k.targets)
    plan = [
        Mark(middle(t.period), t.value, t.period.text, False, t.source or k.source, t.quote or k.quote)
        for t in points
    ]
    targets = plan[1:] if k.baseline is not None else plan
    stretches = [
        Mark(middle(t.period), t.stretch, t.period.text, False, t.source or k.source, t.quote or k.quote)
        for t in k.targets
        if t.stretch is not None
    ]
    milestone = None
    if a.milestone is not None:
        m = a.milestone
        milestone = Mark(
            middle(m.period), m.value, m.period.text, False, m.source or k.source, m.quote or k.quote
        )
    trend = trend_line(a)
    if trend and a.latest is not None and a.milestone is not None:
        # Computed between the periods' last days, drawn between their marks.
        trend = _between(trend, middle(a.latest.period), middle(a.milestone.period))
    dates = [m.when for m in actuals + plan]
    breaks = tuple(b for b in k.breaks if dates and min(dates) < b < max(dates))
    return Series(
        (k.min, k.max), actuals, plan, targets, stretches, milestone, trend, k.direction == "down", breaks
    )


def _between(line: list[tuple[date, float]], first: date, last: date) -> list[tuple[date, float]]:
    """The line's points moved so that it runs from first to last, its values unchanged."""
    start, end = line[0][0], line[-1][0]
    span, target = (end - start).days, (last - first).days
    return (
        [(first + timedelta(days=(when - start).days * target / span), v) for when, v in line]
        if span
        else line
    )


def trend_line(a: Assessment) -> list[tuple[date, float]]:
    """The fitted trend from the latest actual to the milestone date, as the assessment projects
    it (within the bounds): sampled, never derived again here."""
    if a.latest is None or a.milestone is None or a.projected is None:
        return []
    start, end = a.latest.date, a.milestone.date
    if end <= start:
        return []
    span = (end - start).days
    line: list[tuple[date, float]] = []
    for i in range(TREND_SAMPLES + 1):
        when = start + timedelta(days=span * i / TREND_SAMPLES)
        value = a.projected_at(when)
        if value is None:
            return line
        line.append((when, value))
    return line


class Scale(NamedTuple):
    """Maps dates to x in [0, width] and values to y in [0, height], y = 0 at the top."""

    start: date
    end: date
    low: float
    high: float
    width: float
    height: float
    inverted: bool = False  # the low value at the top: better is up for a rank

    def x(self, when: date) -> float:
        span = (self.end - self.start).days
        return self.width * (when - self.start).days / span if span else self.width / 2

    def y(self, value: float) -> float:
        # In halves: the difference of two finite floats can overflow, their halves' cannot.
        span = self.high / 2 - self.low / 2
        share = (self.high / 2 - value / 2) / span if span else 0.5
        if self.inverted:
            share = 1 - share
        # Every value drawn lies within the scale; halving subnormal numbers can lose that.
        return self.height * (min(max(share, 0.0), 1.0) if math.isfinite(share) else 0.5)


def scale_for(s: Series, width: float, height: float) -> Scale | None:
    """A scale holding every mark and the trend, padded so no mark sits on the frame."""
    whens = [m.when for m in s.actuals + s.plan + s.stretches] + [w for w, _ in s.trend]
    values = [m.value for m in s.actuals + s.plan + s.stretches] + [v for _, v in s.trend]
    if not whens:
        return None
    start, end = min(whens), max(whens)
    pad_days = max((end - start).days * 0.04, 15)
    start, end = _shift(start, -pad_days), _shift(end, pad_days)
    low, high = min(values), max(values)
    pad = (high / 2 - low / 2) * 0.16 or abs(high) * 0.1 or 1.0
    low, high = max(low - pad, -sys.float_info.max), min(high + pad, sys.float_info.max)
    # Padding never crosses a bound: no "-6.5 %" axis for a share that cannot be negative.
    floor, ceiling = s.bounds
    if floor is not None and low < floor:
        low = min(floor, min(values))
    if ceiling is not None and high > ceiling:
        high = max(ceiling, max(values))
    if high == low:
        high, low = high + 1, low - 1
    return Scale(start, end, low, high, width, height, s.inverted)


def _shift(when: date, days: float) -> date:
    """when moved by days, stopping at the calendar's ends (year 1 and year 9999)."""
    try:
        return when + timedelta(days=days)
    except OverflowError:
        return date.min if days < 0 else date.max


def year_ticks(scale: Scale, most: int = 40) -> list[date]:
    """1 January of each year inside the scale, the boundaries between the years' spans; over
    many years (a figure far outside the plan), every n-th so that at most `most` are drawn."""
    years = list(range(scale.start.year + 1, scale.end.year + 1))
    step = max(1, -(-len(years) // most))
    return [date(y, 1, 1) for y in years if (y - years[0]) % step == 0]


def year_labels(scale: Scale, most: int = 8) -> list[tuple[int, date]]:
    """Each year to label and where: the middle of its span within the scale, thinned to at most
    `most` labels (every year when it fits, else every other...)."""
    years = list(range(scale.start.year, scale.end.year + 1))
    step = max(1, -(-len(years) // most))
    out = []
    for year in years[::step]:
        first, last = max(date(year, 1, 1), scale.start), min(date(year, 12, 31), scale.end)
        if (last - first).days < 120 and len(years) > 1:
            continue  # a sliver of padding, not a year on the chart
        out.append((year, first + (last - first) / 2))
    return out


def value_ticks(scale: Scale, most: int = 5) -> list[float]:
    """A few round values on the value axis (1, 2 or 5 × 10^n apart) within the scale."""
    low, high = min(scale.low, scale.high), max(scale.low, scale.high)
    span = high - low
    if not math.isfinite(span) or span <= 0:
        return [low]
    rough = span / max(most - 1, 1)
    if not rough > 0:  # a subnormal span: nothing round to say between its ends
        return [low]
    power = 10.0 ** math.floor(math.log10(rough)) / 10
    steps = (m * power * 10**k for k in range(4) for m in (1, 2, 5))
    # The finest round step that gives at most `most` ticks.
    step = next(
        (
            s
            for s in steps
            if s > 0 and math.isfinite(s) and math.floor(high / s) - math.ceil(low / s) + 1 <= most
        ),
        None,
    )
    if step is None:
        return [low]
    first = math.ceil(low / step) * step
    ticks: list[float] = []
    value = first
    while value <= high + step * 1e-9 and len(ticks) <= most + 1:
        ticks.append(round(value, 12) + 0.0)
        value = first + step * len(ticks)
    return ticks


def interpolate(points: list[tuple[date, float]], when: date) -> float | None:
    """The value of a polyline at a date; None outside it."""
    for (d0, v0), (d1, v1) in itertools.pairwise(points):
        if d0 <= when <= d1:
            span = (d1 - d0).days
            return v0 if span == 0 else v0 + (v1 - v0) * (when - d0).days / span
    return None
