"""The maths of the methods: the plan path between targets, a least-squares slope, a compound
rate, Open SDG's CAGR measure, and the projection of a trend to a milestone, each method a
function picked from METHODS by name."""

import itertools
import math
from collections.abc import Sequence
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


def _project(
    kpi: Kpi, method: Method, points: Sequence[Point], milestone: Target, base: int | None
) -> _Trend:
    """The trend of the points projected to the milestone's date, by the method."""
    (t0, y0), (t, y) = points[0], points[-1]
    T, tT, d = milestone.value, milestone.date, kpi.sign
    achieved = d * (y - T) >= 0
    slope = rate = projected = None
    completion: date | None = None
    result = None
    if method == "linear":
        slope = _finite(ols_slope(points))
        if slope is not None:
            projected = _finite(y + slope * years_between(t, tT))
            if not achieved and d * slope > 0:
                completion = _date_after(t, (T - y) / slope)
    else:
        if method == "cagr":
            series = annual_series(points)
            result = cagr.progress(
                series, direction=kpi.direction, target=T, target_year=tT.year, base_year=base or series[0][0]
            )
            rate = _finite(result.observed_cagr)
        else:
            span = years_between(t0, t)
            if span > 0 and y0 > 0 and y > 0:
                rate = _finite((y / y0) ** (1 / span) - 1)
        if rate is not None and rate > -1 and y > 0:
            projected = _finite(y * (1 + rate) ** years_between(t, tT))
            if not achieved and d * rate > 0 and T / y > 0:
                completion = _date_after(t, math.log(T / y) / math.log1p(rate))
    if projected is not None:
        projected = _clamp(kpi, projected)
    return _Trend(slope, rate, projected, completion, result)


def _fixed_rate(kpi: Kpi, points: Sequence[Point], base: int | None) -> cagr.CagrResult | None:
    """Open SDG's grading of a KPI without a target: its growth against fixed rates."""
    if not points:
        return None
    series = annual_series(points)
    limit = kpi.max if kpi.direction == "up" else kpi.min
    return cagr.progress(series, direction=kpi.direction, base_year=base or series[0][0], limit=limit)
