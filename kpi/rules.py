"""The status rules, in order, each saying what it decided: for a level KPI on its projection or
measure, for a flow on its year to date."""

from collections.abc import Sequence
from datetime import date

from kpi import cagr
from kpi.flows import months_between, project, year_to_date
from kpi.i18n import Term, msg
from kpi.model import Actual, Kpi, Method, Target, Thresholds
from kpi.results import (
    FlowState,
    Point,
    Verdict,
    _div,
    _finite,
)
from kpi.statuses import STATUS_WORDS, Status


def _flow(
    kpi: Kpi,
    milestone: Target,
    known: Sequence[Actual],
    verdict: Verdict | None,
    bands: Thresholds,
    as_of: date,
    reasons: list[str] | None,
) -> tuple[FlowState | None, Status]:
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
    floors: tuple[tuple[Status, float], ...] = (
        ("on_track", bands.on_track),
        ("acceleration_needed", bands.acceleration_needed),
    )
    for name, floor in floors:
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


def _term(status: Status) -> Term:
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
) -> Status:
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
    levels: tuple[tuple[Status, float], ...] = (
        ("on_track", bands.on_track),
        ("acceleration_needed", bands.acceleration_needed),
        ("limited_progress", 0.0),
    )
    for name, floor in levels:
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
