"""Which figures count at a date: those published (or, without a date, ended) by then, the latest
revision of each period; the milestone judged; a passed milestone's verdict on the figure for its
period."""

from collections.abc import Iterable, Sequence
from datetime import date

from kpi.flows import YearToDate, same_span_earlier, year_to_date
from kpi.model import Actual, Kpi, Target
from kpi.periods import Period
from kpi.results import (
    Point,
    Verdict,
    _finite,
)


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
    # No two figures for one day, so no revisions: the common case.
    if len({a.period.end for a in known}) == len(known) or len({(a.date, a.start) for a in known}) == len(
        known
    ):
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


def _revised(actuals: Sequence[Actual], as_of: date) -> frozenset[str]:
    """The periods with more than one figure known at as_of: the one counted is a revision."""
    if len({a.period.end for a in actuals}) == len(actuals):  # no two figures for one day
        return frozenset()
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
