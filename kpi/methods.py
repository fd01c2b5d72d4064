"""The maths of the methods: the plan path between targets, a least-squares slope, a compound
rate, Open SDG's CAGR measure, and the projection of a trend to a milestone, each method a
function picked from METHODS by name."""

import itertools
import math
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from kpi import cagr
from kpi.model import Kpi, Method, Target
from kpi.periods import DAYS_PER_YEAR, years_between
from kpi.results import (
    Point,
    _finite,
)


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


def annual_series(points: Sequence[Point]) -> list[tuple[int, float]]:
    """One value per year, the latest of that year: Open SDG's method takes annual data."""
    by_year: dict[int, float] = {}
    for when, value in points:  # in date order: a later figure of a year replaces an earlier
        by_year[when.year] = value
    return sorted(by_year.items())


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


class _Trend(NamedTuple):
    slope: float | None = None
    rate: float | None = None
    projected: float | None = None
    completion: date | None = None
    progress_cagr: cagr.CagrResult | None = None


def _linear(kpi: Kpi, points: Sequence[Point], milestone: Target, base: int | None) -> _Trend:
    """A least-squares line through the points, extended to the milestone's date."""
    t, y = points[-1]
    T, tT = milestone.value, milestone.date
    slope = _finite(ols_slope(points))
    if slope is None:
        return _Trend()
    completion = None
    if kpi.sign * (y - T) < 0 and kpi.sign * slope > 0:
        completion = _date_after(t, (T - y) / slope)
    return _Trend(slope=slope, projected=_finite(y + slope * years_between(t, tT)), completion=completion)


def _growth(kpi: Kpi, points: Sequence[Point], milestone: Target, rate: float | None) -> _Trend:
    """A compound annual rate from the latest figure, extended to the milestone's date."""
    t, y = points[-1]
    T, tT = milestone.value, milestone.date
    if rate is None or rate <= -1 or y <= 0:
        return _Trend(rate=rate)
    completion = None
    if kpi.sign * (y - T) < 0 and kpi.sign * rate > 0 and T / y > 0:
        completion = _date_after(t, math.log(T / y) / math.log1p(rate))
    return _Trend(rate=rate, projected=_finite(y * (1 + rate) ** years_between(t, tT)), completion=completion)


def _compound(kpi: Kpi, points: Sequence[Point], milestone: Target, base: int | None) -> _Trend:
    """The rate from the first point to the latest."""
    (t0, y0), (t, y) = points[0], points[-1]
    span = years_between(t0, t)
    rate = _finite((y / y0) ** (1 / span) - 1) if span > 0 and y0 > 0 and y > 0 else None
    return _growth(kpi, points, milestone, rate)


def _cagr(kpi: Kpi, points: Sequence[Point], milestone: Target, base: int | None) -> _Trend:
    """Open SDG's observed CAGR from the base year, and its ratio to the CAGR required."""
    series = annual_series(points)
    result = cagr.progress(
        series,
        direction=kpi.direction,
        target=milestone.value,
        target_year=milestone.date.year,
        base_year=base or series[0][0],
    )
    return _growth(kpi, points, milestone, _finite(result.observed_cagr))._replace(progress_cagr=result)


# The methods by name: one function each, from the points and the milestone to the trend.
METHODS: dict[Method, Callable[[Kpi, Sequence[Point], Target, int | None], _Trend]] = {
    "linear": _linear,
    "compound": _compound,
    "cagr": _cagr,
}


def _project(
    kpi: Kpi, method: Method, points: Sequence[Point], milestone: Target, base: int | None
) -> _Trend:
    """The trend of the points projected to the milestone's date, by the method, within the
    KPI's bounds."""
    trend = METHODS[method](kpi, points, milestone, base)
    if trend.projected is not None:
        trend = trend._replace(projected=_clamp(kpi, trend.projected))
    return trend


def _fixed_rate(kpi: Kpi, points: Sequence[Point], base: int | None) -> cagr.CagrResult | None:
    """Open SDG's grading of a KPI without a target: its growth against fixed rates."""
    if not points:
        return None
    series = annual_series(points)
    limit = kpi.max if kpi.direction == "up" else kpi.min
    return cagr.progress(series, direction=kpi.direction, base_year=base or series[0][0], limit=limit)
