"""Where each KPI stands against its milestone target at a given date.

Three methods, chosen per plan (`[assessment] method`) or per KPI (`method`): "linear" and
"compound" project the KPI's trend to the milestone and score the share of the distance from
the first point to the target that the projection covers; "cagr" is Open SDG's progress
measure (kpi/cagr.py), the ratio of the observed to the required compound annual growth rate.
All three band their measure at the plan's on_track / acceleration_needed / 0. A milestone
whose date has passed is not projected: it gets a verdict, achieved or missed, on the figure
for its period. The README states each method exactly and works through an example.
"""

from collections.abc import Iterable
from datetime import date

from kpi import cagr
from kpi.known import (
    _first,
    _revised,
    _year_on_year,
    known_actuals,
    milestone_verdict,
    pick_milestone,
    ytd_figure,
)
from kpi.known import revisions as revisions
from kpi.methods import (
    _fixed_rate,
    _project,
    _Trend,
    plan_path_value,
)
from kpi.model import Actual, Dataset, Kpi, Thresholds
from kpi.results import (
    Assessment,
    FlowState,
    Point,
    ReviewRow,
    SectorSummary,
    _div,
    _finite,
)
from kpi.results import Verdict as Verdict
from kpi.rules import (
    _flow,
    _status,
)
from kpi.statuses import LIGHT_OF, LIGHTS, STATUSES

# The assessment's API: what the outputs and the commands read results with.
__all__ = [
    "REVIEW_VERDICTS",
    "Assessment",
    "ReviewRow",
    "SectorSummary",
    "Verdict",
    "assess",
    "assess_kpi",
    "known_actuals",
    "plan_path_value",
    "review",
    "revisions",
    "summarise",
]


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
    if kpi.breaks and latest is not None:  # a count of other units before a merger: not a trend
        since = max((b for b in kpi.breaks if b <= latest.period.end), default=None)
        if since is not None:
            points = [p for p in points if p[0] >= since]

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
