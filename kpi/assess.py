"""Where each KPI stands against its milestone target at a given date.

Three methods, chosen per plan (`[assessment] method`) or per KPI (`method`): "linear" and
"compound" project the KPI's trend to the milestone and score the share of the distance from
the first point to the target that the projection covers; "cagr" is Open SDG's progress
measure (kpi/cagr.py), the ratio of the observed to the required compound annual growth rate.
All three band their measure at the plan's on_track / acceleration_needed / 0. A milestone
whose date has passed is not projected: it gets a verdict, achieved or missed, on the figure
for its period. The README states each method exactly and works through an example.
"""

import itertools
import math
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from kpi import cagr
from kpi.flows import Projection, YearToDate, months_between, project, same_span_earlier, year_to_date
from kpi.i18n import Term, msg
from kpi.model import Actual, Dataset, Kpi, Method, Target, Thresholds
from kpi.periods import DAYS_PER_YEAR, Period, years_between
from kpi.statuses import LIGHT_OF, LIGHTS, STATUS_WORDS, STATUSES

# A trend point: (date, value). Plain tuples: a status at 10^5 actuals builds one per actual.
Point = tuple[date, float]


class Verdict(NamedTuple):
    """A milestone whose date has passed, judged on the figure for its period."""

    target: Target
    status: str  # "achieved", "missed" or "awaiting_final" (no figure for its period yet)
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
    status: str
    light: str
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
    """Actuals known at as_of, oldest first: for a period with revisions, the one published
    last on or before as_of (the others are its history).

    A figure is known once published; without a publication date, once its period has ended.
    """
    known = [a for a in actuals if (a.published or a.period.end) <= as_of]
    if len({(a.date, a.start) for a in known}) == len(known):  # no revisions: the common case
        known.sort(key=_known_order)
        return known
    latest: dict[tuple[date, date], Actual] = {}
    for a in known:
        known_from = a.published or a.period.end
        if known_from > as_of:
            continue
        span = (a.date, a.start)
        current = latest.get(span)
        if current is None or (current.published or current.period.end) < known_from:
            latest[span] = a
    known = list(latest.values())
    known.sort(key=_known_order)
    return known


def revisions(actuals: Iterable[Actual]) -> dict[tuple[date, date], list[Actual]]:
    """Every figure of each period (and span), the earliest published first: its revisions."""
    found: dict[tuple[date, date], list[Actual]] = {}
    for a in actuals:
        found.setdefault((a.date, a.start), []).append(a)
    for history in found.values():
        history.sort(key=lambda a: a.published or a.period.end)
    return found


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


def ytd_figure(kpi: Kpi, ytd: YearToDate) -> Actual:
    """A flow's year-to-date total as a figure: what its table rows and verdicts show."""
    only = ytd.figures[0] if len(ytd.figures) == 1 else None
    return Actual(
        kpi=kpi.id,
        period=Period(ytd.label, ytd.period.start, ytd.through),
        value=ytd.total,
        source=only.source if only is not None else "; ".join(dict.fromkeys(a.source for a in ytd.figures)),
        estimated=ytd.estimated,
        published=max((a.published or a.date for a in ytd.figures), default=None),
        derived=only is None,
        position=only.position if only is not None else 0,
    )


def milestone_verdict(kpi: Kpi, target: Target, known: Sequence[Actual]) -> Verdict:
    """Achieved or missed on the latest known figure within the target's period (a 2024-05 figure
    answers a 2024 target), else on the first one after it; awaiting_final without either.
    A flow is judged on its total for the whole period, once its figures cover all of it."""
    if kpi.measure == "flow":
        ytd = year_to_date(known, target.period)
        if ytd is None or not ytd.complete:
            return Verdict(target, "awaiting_final", None, None, False)
        total = ytd_figure(kpi, ytd)
        met = kpi.sign * (total.value - target.value) >= 0
        return Verdict(
            target,
            "achieved" if met else "missed",
            total,
            _finite(kpi.sign * (target.value - total.value)),
            False,
        )
    start, end = target.period.start, target.period.end
    figure = None
    later = False
    for a in known:  # oldest first
        if start <= a.date <= end:
            figure = a
        elif a.date > end:
            if figure is None:
                figure, later = a, True
            break
    if figure is None:
        return Verdict(target, "awaiting_final", None, None, False)
    d = kpi.sign
    met = d * (figure.value - target.value) >= 0
    return Verdict(
        target, "achieved" if met else "missed", figure, _finite(d * (target.value - figure.value)), later
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


def assess_kpi(
    kpi: Kpi,
    actuals: Iterable[Actual],
    as_of: date,
    thresholds: Thresholds | None = None,
    milestone_period: str | None = None,
    explain: bool = False,
    wanted_milestone: str | None = None,
) -> Assessment:
    """Assess one KPI; with explain, `reasons` says what each status rule decided.

    wanted_milestone: a period this KPI has no target for, that the caller asked to judge it
    against: the KPI is then reported as having no target for it, not judged on another.
    """
    settings = thresholds or Thresholds()
    method = kpi.method_in(settings)
    base_period = kpi.base_period or settings.base_period
    base = base_period.end.year if base_period is not None else None
    d = kpi.sign
    milestone = None if wanted_milestone else pick_milestone(kpi, as_of, milestone_period)
    actuals = list(actuals)
    known = known_actuals(actuals, as_of)
    latest = known[-1] if known else None
    revised = _revised(actuals, as_of) if len(known) < len(actuals) else frozenset()

    points: list[Point] = [(a.period.end, a.value) for a in known]  # already in date order
    baseline = kpi.baseline
    if baseline is not None and baseline.period.end <= as_of:
        points.append((baseline.period.end, baseline.value))
        points.sort(key=_first)

    verdicts = tuple(milestone_verdict(kpi, t, known) for t in kpi.targets if t.date < as_of)
    verdict = next((v for v in verdicts if v.target == milestone), None)
    final = verdict is not None and verdict.figure is not None

    attainment = gap = progress = expected = score = ratio = None
    trend = _Trend()
    graded: cagr.CagrResult | None = None
    stale = False
    flow: FlowState | None = None
    yoy = _year_on_year(latest, known)
    if kpi.measure == "flow" and milestone is not None and latest is not None:
        flow_reasons: list[str] | None = [] if explain else None
        flow, status = _flow(kpi, milestone, known, verdict, settings, as_of, flow_reasons)
        if flow is not None:
            judged = (
                verdict.figure
                if verdict is not None and verdict.figure is not None
                else ytd_figure(kpi, flow.ytd)
            )
            T = milestone.value
            attainment = _div(judged.value, T) if d == 1 else _div(T, judged.value)
            gap = _finite(d * (T - judged.value))
            if flow.projection is not None and not final:
                trend = _Trend(projected=_finite(flow.projection.value))
                score = _div(flow.projection.value, T) if d == 1 else _div(T, flow.projection.value)
            latest = judged
        return Assessment(
            kpi=kpi,
            as_of=as_of,
            milestone=milestone,
            latest=latest,
            known=tuple(known),
            points=tuple(points),
            attainment=attainment,
            gap=gap,
            progress=None,
            expected=None,
            slope=None,
            rate=None,
            projected=trend.projected,
            projected_completion=None,
            score=score,
            status=status,
            light=LIGHT_OF[status],
            reasons=tuple(flow_reasons or ()),
            method=method,
            verdicts=verdicts,
            stale=False,
            wanted_milestone=wanted_milestone,
            flow=flow,
            yoy=yoy,
            revised=revised,
        )
    if milestone is not None and latest is not None:
        judged = verdict.figure if verdict is not None and verdict.figure is not None else latest
        T, y, t = milestone.value, judged.value, judged.date
        y0 = points[0][1]
        attainment = _div(y, T) if d == 1 else _div(T, y)
        gap = _finite(d * (T - y))
        expected = _finite(plan_path_value(kpi, t))
        # Progress and score measure the share of the distance from the first point to the
        # target that was (or will be) covered; a series that started at or past its target
        # had no distance to cover, so they are undefined (null), never a misleading ratio.
        toward = d * (T - y0) > 0
        if len(points) >= 2 and toward:
            progress = _div(y - y0, T - y0)
        cycle = (milestone.period.end - milestone.period.start).days + 1
        stale = not final and (as_of - latest.date).days > cycle
        if len(points) >= 2 and not final:
            try:
                trend = _project(kpi, method, points, milestone, base)
            except (OverflowError, ZeroDivisionError, ValueError):
                # Finite data whose arithmetic leaves the floats (1e308-sized values, a rate
                # near -100 %): no projection rather than a wrong one.
                trend = _Trend()
            if trend.completion is not None and trend.completion < as_of:
                trend = trend._replace(completion=None)  # never a completion date in the past
            if trend.projected is not None and toward and method != "cagr":
                score = _div(trend.projected - y0, T - y0)
            if trend.progress_cagr is not None:
                ratio = trend.progress_cagr.ratio
    elif milestone is None and not wanted_milestone and settings.grade_without_target and points:
        try:
            graded = _fixed_rate(kpi, points, base)
        except (OverflowError, ZeroDivisionError, ValueError):
            graded = None
        ratio = graded.ratio if graded is not None else None

    reasons: list[str] | None = [] if explain else None
    status = _status(
        kpi, method, milestone, latest, verdict, points, score, trend.progress_cagr, graded, settings,
        wanted_milestone, reasons,
    )  # fmt: skip
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
        slope=trend.slope,
        rate=trend.rate,
        projected=trend.projected,
        projected_completion=trend.completion,
        score=score,
        status=status,
        light=LIGHT_OF[status],
        reasons=tuple(reasons or ()),
        method=method,
        ratio=ratio,
        verdicts=verdicts,
        stale=stale,
        trend_only=graded is not None,
        wanted_milestone=wanted_milestone,
        yoy=yoy,
        revised=revised,
    )


def _revised(actuals: Sequence[Actual], as_of: date) -> frozenset[str]:
    """The periods with more than one figure known at as_of: the one counted is a revision."""
    seen: dict[tuple[date, date], int] = {}
    for a in actuals:
        if (a.published or a.period.end) <= as_of:
            key = (a.date, a.start)
            seen[key] = seen.get(key, 0) + 1
    if len(seen) == len(actuals):
        return frozenset()
    return frozenset(a.period.text for a in actuals if seen.get((a.date, a.start), 0) > 1)


def _year_on_year(latest: Actual | None, known: Sequence[Actual]) -> float | None:
    """The latest figure's change on the same period a year before ("tăng 27% so với cùng kỳ")."""
    if latest is None:
        return None
    before = same_span_earlier(latest, known)
    if before is None or before.value == 0:
        return None
    return _finite(latest.value / before.value - 1)


def _flow(
    kpi: Kpi,
    milestone: Target,
    known: Sequence[Actual],
    verdict: Verdict | None,
    bands: Thresholds,
    as_of: date,
    reasons: list[str] | None,
) -> tuple[FlowState | None, str]:
    """A flow's year to date toward its milestone, and its status with the rules' reasons."""
    note = reasons.append if reasons is not None else None
    note and note(msg("no_target: no, it has targets"))
    ytd = year_to_date(known, milestone.period)
    state = None
    if ytd is not None:
        T = milestone.value
        projection = project(ytd, known)
        attainment = _div(ytd.total, T) if T else None
        pace = _div(attainment, ytd.elapsed_share) if attainment is not None else None
        left = months_between(ytd.through, milestone.period.end)
        needed = _finite((T - ytd.total) / left) if left > 0 else None
        so_far = ytd.total / max(months_between(ytd.period.start, ytd.through), 1 / 30)
        state = FlowState(ytd, projection, pace, needed, so_far)
    if verdict is not None:
        if verdict.figure is None:
            note and note(
                msg(
                    "awaiting_final: the {period} milestone has passed and its figures do not cover all of "
                    "{period} yet",
                    period=milestone.period.text,
                )
            )
            return state, "awaiting_final"
        note and note(
            msg(
                "{status}: the {period} milestone has passed; the total for {period}: {value:g} {sign} "
                "target {target:g}",
                status=_term(verdict.status),
                period=milestone.period.text,
                value=verdict.figure.value,
                sign=("≥" if kpi.sign == 1 else "≤")
                if verdict.status == "achieved"
                else ("<" if kpi.sign == 1 else ">"),
                target=milestone.value,
            )
        )
        return state, verdict.status
    if state is None:
        note and note(msg("no_data: no figure for {period} is known yet", period=milestone.period.text))
        return None, "no_data"
    ytd = state.ytd
    T = milestone.value
    note and note(
        msg(
            "no_data: no, the figures for {span} add up to {total:n}: {share:.1%} of the period, "
            "{attainment:.1%} of the target",
            span=ytd.label,
            total=ytd.total,
            share=ytd.elapsed_share,
            attainment=ytd.total / T if T else 0.0,
        )
    )
    if kpi.sign == 1 and ytd.total >= T:
        note and note(msg("achieved: yes, {total:g} so far ≥ target {target:g}", total=ytd.total, target=T))
        return state, "achieved"
    projection = state.projection
    if T <= 0:
        note and note(msg("insufficient_data: a flow's target must be above zero to be judged year to date"))
        return state, "insufficient_data"
    if projection is None or not T or not projection.value:
        note and note(msg("insufficient_data: the year's total cannot be projected from these figures"))
        return state, "insufficient_data"
    ratio = projection.value / T if kpi.sign == 1 else T / projection.value
    how = (
        msg("last year's shape (its total / its same-span figures)")
        if projection.basis == "seasonality"
        else msg("the run rate (the total so far / the share of the period elapsed)")
    )
    note and note(
        msg(
            "projected total {projected:n} from {how}: {ratio:.1%} of the target",
            projected=projection.value,
            how=how,
            ratio=ratio,
        )
    )
    for name, floor in (("on_track", bands.on_track), ("acceleration_needed", bands.acceleration_needed)):
        if ratio >= floor:
            note and note(
                msg(
                    "{status}: projected {ratio:.1%} ≥ {floor:.0%}",
                    status=_term(name),
                    ratio=ratio,
                    floor=floor,
                )
            )
            return state, name
        note and note(
            msg(
                "{status}: no, projected {ratio:.1%} < {floor:.0%}",
                status=_term(name),
                ratio=ratio,
                floor=floor,
            )
        )
    note and note(
        msg("{status}: projected {ratio:.1%} of the target", status=_term("limited_progress"), ratio=ratio)
    )
    return state, "limited_progress"


def _term(status: str) -> Term:
    return Term(status, STATUS_WORDS[status])


def _status(
    kpi: Kpi,
    method: Method,
    milestone: Target | None,
    latest: Actual | None,
    verdict: Verdict | None,
    points: list[Point],
    score: float | None,
    measured: cagr.CagrResult | None,
    graded: cagr.CagrResult | None,
    bands: Thresholds,
    wanted_milestone: str | None,
    reasons: list[str] | None,
) -> str:
    """The first rule that applies. With a reasons list, each rule tried is explained in it
    (for `kpi show`); without, no text is formatted: a status at 10^4 KPIs stays cheap."""
    note = reasons.append if reasons is not None else None
    if milestone is None:
        if wanted_milestone:
            note and note(msg("no_target: the KPI has no target for {period}", period=wanted_milestone))
            return "no_target"
        if graded is not None:
            note and note(
                msg("no_target: the KPI has no targets; graded on its trend only: {why}", why=graded.reason)
            )
            return cagr.STATUS_OF[graded.category] if graded.category else "insufficient_data"
        note and note(msg("no_target: the KPI has no targets"))
        return "no_target"
    note and note(msg("no_target: no, it has targets"))
    if latest is None:
        note and note(msg("no_data: no actual is known at the as-of date"))
        return "no_data"
    note and note(msg("no_data: no, latest actual is {period}", period=latest.period.text))
    d, T = kpi.sign, milestone.value
    if verdict is not None:
        if verdict.figure is None:
            note and note(
                msg(
                    "awaiting_final: the {period} milestone has passed and no figure for {period} is "
                    "known yet; the latest, {latest}, and the projection are estimates",
                    period=milestone.period.text,
                    latest=latest.period.text,
                )
            )
            return "awaiting_final"
        f = verdict.figure
        which = (
            msg("the first figure after it, {period}", period=f.period.text)
            if verdict.later
            else msg("its figure, {period}", period=f.period.text)
        )
        sign = ("≥" if d == 1 else "≤") if verdict.status == "achieved" else ("<" if d == 1 else ">")
        note and note(
            msg(
                "{status}: the {period} milestone has passed; {which}: {value:g} {sign} target {target:g}",
                status=_term(verdict.status),
                period=milestone.period.text,
                which=which,
                value=f.value,
                sign=sign,
                target=T,
            )
        )
        return verdict.status
    y = latest.value
    if d * (y - T) >= 0:
        note and note(
            msg(
                "achieved: yes, {value:g} {sign} target {target:g}",
                value=y,
                sign="≥" if d == 1 else "≤",
                target=T,
            )
        )
        return "achieved"
    note and note(
        msg(
            "achieved: no, {value:g} {sign} target {target:g}", value=y, sign="<" if d == 1 else ">", target=T
        )
    )
    if len(points) < 2:
        note and note(msg("insufficient_data: only {n} trend point; a trend needs 2", n=len(points)))
        return "insufficient_data"
    note and note(msg("insufficient_data: no, {n} trend points", n=len(points)))
    if method == "cagr":
        if measured is None or measured.category is None:
            why = measured.reason if measured is not None else msg("the growth rates cannot be computed")
            note and note(msg("insufficient_data: {why}", why=why))
            return "insufficient_data"
        status = cagr.STATUS_OF[measured.category]
        note and note(msg("{status}: {why}", status=_term(status), why=measured.reason))
        return status
    y0 = points[0][1]
    if d * (T - y0) <= 0:
        note and note(
            msg(
                "moving_away: the series started at {value:g}, at or past the target, and fell back", value=y0
            )
        )
        return "moving_away"
    if score is None:
        note and note(msg("insufficient_data: the trend cannot be projected from these points"))
        return "insufficient_data"
    for name, floor in (
        ("on_track", bands.on_track),
        ("acceleration_needed", bands.acceleration_needed),
        ("limited_progress", 0.0),
    ):
        if score >= floor:
            note and note(
                msg("{status}: score {score:.3f} ≥ {floor:g}", status=_term(name), score=score, floor=floor)
            )
            return name
        note and note(
            msg("{status}: no, score {score:.3f} < {floor:g}", status=_term(name), score=score, floor=floor)
        )
    note and note(msg("moving_away: score {score:.3f} < 0", score=score))
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
        period, wanted = milestone_period, None
        if period is not None and all(t.period.text != period for t in kpi.targets):
            period, wanted = None, period  # listed as having no target then, never judged on another
        actuals = by_kpi.get(kpi.id, ())
        results.append(assess_kpi(kpi, actuals, as_of, dataset.thresholds, period, explain, wanted))
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


class ReviewRow(NamedTuple):
    """One target of the end-of-term review ("tổng kết giai đoạn"): met, missed, or not known."""

    kpi: Kpi
    target: Target
    verdict: str  # achieved | missed | awaiting_final | not_due
    figure: Actual | None
    gap: float | None
    later: bool


REVIEW_VERDICTS = ("achieved", "missed", "awaiting_final", "not_due")


def review(dataset: Dataset, as_of: date, kpis: Iterable[Kpi] | None = None) -> list[ReviewRow]:
    """Every target of every KPI with its verdict at as_of, in declaration and date order."""
    by_kpi = dataset.actuals_by_kpi()
    rows = []
    for kpi in dataset.kpis.values() if kpis is None else kpis:
        known = known_actuals(by_kpi.get(kpi.id, ()), as_of)
        for target in kpi.targets:
            if target.date >= as_of:
                rows.append(ReviewRow(kpi, target, "not_due", None, None, False))
                continue
            v = milestone_verdict(kpi, target, known)
            rows.append(ReviewRow(kpi, target, v.status, v.figure, v.gap, v.later))
    return rows
