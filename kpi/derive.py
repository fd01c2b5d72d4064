"""What follows from the figures as the documents state them, computed when the files are read
and never written back to them.

* A figure that states its change on a year before ("tăng 9,3% so với năm 2022": change =
  0.093, change_from = "2022") gives that earlier figure, value / (1 + change), marked derived
  and approximate: the stated percentage is rounded, so the earlier figure lies in an interval
  that its note gives. Where the earlier figure is recorded, a change that contradicts the two
  beyond that rounding is a warning.
* A KPI with formula = "growth" and derived_from = another KPI gets that KPI's year-on-year
  growth, in %, for every year whose annual figure and the previous one's are known. A figure
  stated for the growth KPI wins for its period; a computed one that differs beyond the stated
  figure's rounding is a warning.
* A figure that states its share of a plan ("ước đạt 50% kế hoạch năm 2024": plan_share = 0.5)
  gives the plan's target for that period, value / plan_share, marked derived. A declared target
  for the period wins; one that differs from the derived by more than 1 % is a warning.
"""

from collections.abc import Sequence
from datetime import date

from kpi import schema
from kpi.flows import conflicts, shifted
from kpi.i18n import Message, msg
from kpi.model import Actual, Kpi, Target
from kpi.periods import Period, parse_period
from kpi.problems import Problem

SAME_PERIOD = schema.SAME_PERIOD
PLAN_TOLERANCE = 0.01


def _decimals(x: float) -> int:
    """The decimals a stated number was written with (0.093 → 3, 21.0 → 0)."""
    text = repr(float(x))
    if "e" in text:
        return 12
    _whole, _, frac = text.partition(".")
    return 0 if frac == "0" else len(frac)


def _half_unit(x: float) -> float:
    return 0.5 * 10.0 ** -_decimals(x)


def _path(a: Actual) -> str:
    return f'actual[{a.position}] (kpi "{a.kpi}", period "{a.period.text}")'


def _warning(file: str, a: Actual, message: Message) -> Problem:
    return Problem(a.file or file, message, _path(a), warning=True)


def _other(a: Actual, here: Actual) -> str:
    """How a problem about here names a: actual[3] in the same file, else with its file."""
    return f"actual[{a.position}]" if a.file == here.file else f"{a.file}: actual[{a.position}]"


def _apart(value: float, reference: float) -> bool:
    """Further apart than rounding explains: more than PLAN_TOLERANCE of the reference."""
    return bool(reference) and abs(value - reference) / abs(reference) > PLAN_TOLERANCE


def _known_from(a: Actual) -> date:
    return a.published or a.period.end


def earlier_period(a: Actual) -> Period | None:
    """The period a stated change is measured from."""
    if a.change_from == SAME_PERIOD:
        return shifted(a.period, -1)
    if a.change_from is None:
        return None
    years = int(a.change_from) - a.period.end.year
    if a.period.text == str(a.period.end.year):  # an annual figure: that year
        return parse_period(a.change_from)
    return shifted(a.period, years)


def _plan_years(plan_period: str | None) -> tuple[int, int]:
    """The years outside which a figure's period is far outside the plan's (none without one)."""
    years = plan_period.split("-") if plan_period else []
    if len(years) != 2 or not all(y.isascii() and y.isdigit() for y in years):
        return date.min.year, date.max.year  # none, or not a period (the loader says so)
    return int(years[0]) - 5, int(years[1]) + 5


def when_problems(a: Actual, plan_period: str | None, today: date) -> list[Message]:
    """What is odd about a figure's dates: a period far outside the plan's (2042-07 typed for
    2024-07), one that has not begun, or a publication before the period began."""
    found = []
    first, last = _plan_years(plan_period)
    if plan_period and (a.period.end.year < first or a.period.start.year > last):
        found.append(
            msg("period {period} is far outside the plan's {plan}", period=a.period.text, plan=plan_period)
        )
    if a.period.start > today:
        found.append(msg("period {period} has not begun yet (today is {today})", period=a.period.text,
                         today=today))  # fmt: skip
    if a.published is not None and a.published < a.period.start:
        found.append(msg("published {published}, before its period began", published=a.published))
    return found


def derive(
    kpis: dict[str, Kpi],
    actuals: list[Actual],
    targets_file: str,
    actuals_file: str,
    plan_period: str | None = None,
    today: date | None = None,
) -> tuple[dict[str, Kpi], list[Actual], list[Problem]]:
    """The KPIs with their derived targets, the actuals with the derived figures, and warnings
    (and errors for overlapping flow figures that cannot be resolved)."""
    problems: list[Problem] = []
    by_kpi: dict[str, list[Actual]] = {}
    today = today or date.today()
    # when_problems' tests, hoisted: at 10^5 figures asking it of each costs a tenth of a second.
    first, last = _plan_years(plan_period)
    for a in actuals:
        group = by_kpi.get(a.kpi)
        if group is None:
            by_kpi[a.kpi] = [a]
        else:
            group.append(a)
        start, end = a.period.start, a.period.end
        if (
            end.year < first
            or start.year > last
            or start > today
            or (a.published is not None and a.published < start)
        ):
            for odd in when_problems(a, plan_period, today):
                problems.append(_warning(actuals_file, a, odd))

    for kpi_id, figures in by_kpi.items():
        kpi = kpis.get(kpi_id)
        if kpi is not None and kpi.measure == "flow":
            for a, b in conflicts(figures):
                problems.append(
                    Problem(
                        b.file or actuals_file,
                        msg(
                            "overlaps {figure} (period {other}) without either containing the other; "
                            "kpi cannot tell how much of each to count",
                            figure=_other(a, b),
                            other=a.period.text,
                        ),
                        _path(b),
                    )
                )

    for figures in by_kpi.values():
        _early_revisions(figures, actuals_file, problems)
    added = _earlier_figures(actuals, by_kpi, actuals_file, problems)
    for a in added:
        by_kpi.setdefault(a.kpi, []).append(a)
    grown = _growth_figures(kpis, by_kpi, actuals_file, problems)
    kpis = _plan_targets(kpis, actuals, actuals_file, problems)
    return kpis, [*actuals, *added, *grown], problems


def unit_conflicts(kpis: dict[str, Kpi], units: Sequence[Actual]) -> list[Problem]:
    """A unit's flow figures that overlap without either containing the other, as for the
    plan's own (the unit's figures are otherwise not derived from)."""
    problems: list[Problem] = []
    by_series: dict[tuple[str, str | None], list[Actual]] = {}
    for a in units:
        kpi = kpis.get(a.kpi)
        if kpi is not None and kpi.measure == "flow":
            by_series.setdefault((a.kpi, a.org), []).append(a)
    for figures in by_series.values():
        for a, b in conflicts(figures):
            problems.append(
                Problem(
                    b.file,
                    msg(
                        "overlaps {figure} (period {other}) without either containing the other; "
                        "kpi cannot tell how much of each to count",
                        figure=_other(a, b),
                        other=a.period.text,
                    ),
                    _path(b),
                )
            )
    return problems


def growth_of_totals(
    kpis: dict[str, Kpi], actuals: Sequence[Actual], totals: Sequence[Actual]
) -> list[Actual]:
    """The growth figures the plan's totals made of units give (formula = "growth"), for the
    years its own figures did not already give one."""
    have = {(a.kpi, a.period.text) for a in actuals}
    by_kpi: dict[str, list[Actual]] = {}
    for a in [*actuals, *totals]:
        by_kpi.setdefault(a.kpi, []).append(a)
    return [g for g in _growth_figures(kpis, by_kpi, "", []) if (g.kpi, g.period.text) not in have]


def _early_revisions(figures: Sequence[Actual], file: str, problems: list[Problem]) -> None:
    """A revised figure published before its period ended is an estimate, or a mistake."""
    if len({a.period.end for a in figures}) == len(figures):  # no two for one day: no revisions
        return
    spans: dict[tuple[date, date], list[Actual]] = {}
    for a in figures:
        spans.setdefault((a.date, a.start), []).append(a)
    for history in spans.values():
        if len(history) < 2:
            continue
        for a in history:
            if a.published is not None and a.published < a.period.end and not a.estimated:
                problems.append(
                    _warning(
                        file,
                        a,
                        msg(
                            "a revision published on {published}, before its period ended, should be "
                            "estimated = true",
                            published=a.published,
                        ),
                    )
                )


def _earlier_figures(
    actuals: Sequence[Actual], by_kpi: dict[str, list[Actual]], file: str, problems: list[Problem]
) -> list[Actual]:
    added: list[Actual] = []
    # Each KPI's figures by the span they cover, and the earlier figures made so far, found by
    # key: a KPI with 10^4 monthly figures stating changes is one pass, not 10^8 comparisons.
    spans: dict[str, dict[tuple[date, date], Actual]] = {}
    made: set[tuple[str, Period, bool, date | None]] = set()
    for a in actuals:
        if a.change is None:
            continue
        period = earlier_period(a)
        if period is None:
            continue
        if a.kpi not in spans:
            index: dict[tuple[date, date], Actual] = {}
            for b in by_kpi.get(a.kpi, []):
                index.setdefault((b.period.end, b.start), b)
            spans[a.kpi] = index
        # The change was stated as a percentage: rounded to its last written digit (27 % → ±0.5 %).
        half = _half_unit(round(a.change * 100, 10)) / 100
        low, high = a.value / (1 + a.change + half), a.value / (1 + a.change - half)
        start = period.end.replace(month=1, day=1) if a.cumulative else period.start
        recorded = spans[a.kpi].get((period.end, start))
        if recorded is not None:
            # The recorded figure may itself be rounded ("hơn 71.000"): 1 % more room.
            if not low * (1 - PLAN_TOLERANCE) <= recorded.value <= high * (1 + PLAN_TOLERANCE):
                problems.append(
                    _warning(
                        file,
                        a,
                        msg(
                            "the stated change {sign}{pct:n}% from {period} does not fit the recorded "
                            "{previous:g}: it gives {low:n} to {high:n}",
                            sign="+" if a.change >= 0 else "−",
                            pct=abs(a.change) * 100,
                            period=period.text,
                            previous=recorded.value,
                            low=low,
                            high=high,
                        ),
                    )
                )
            continue
        key = (a.kpi, period, a.cumulative, _known_from(a))
        if key in made:
            continue  # one earlier figure per revision of the figure stating the change
        made.add(key)
        value = a.value / (1 + a.change)
        added.append(
            Actual(
                kpi=a.kpi,
                period=period,
                value=value,
                source=a.source,
                estimated=True,
                published=_known_from(a),
                quote=a.quote,
                derived=True,
                cumulative=a.cumulative,  # "lũy kế 5 tháng, tăng 10%": January to May a year before
                note=msg(
                    "from {period}'s {value:n} and its stated change {sign}{size:n}%: "
                    "{value:n} / (1 {sign} {size:n}%) = {result:n}; the change is rounded, so "
                    "between {low:n} and {high:n}",
                    period=a.period.text,
                    value=a.value,
                    sign="+" if a.change >= 0 else "−",
                    size=abs(a.change) * 100,
                    result=value,
                    low=low,
                    high=high,
                ),
                position=0,
            )
        )
    return added


def _annual(figures: Sequence[Actual]) -> dict[int, Actual]:
    """A KPI's figures for whole years, by year (a stated one before a derived one)."""
    found: dict[int, Actual] = {}
    # Stated before derived; of a period's revisions, the one published last.
    for a in sorted(figures, key=lambda a: (a.derived, -_known_from(a).toordinal())):
        if a.period.text == str(a.period.end.year) and not a.cumulative:
            found.setdefault(a.period.end.year, a)
    return found


def _growth_figures(
    kpis: dict[str, Kpi], by_kpi: dict[str, list[Actual]], file: str, problems: list[Problem]
) -> list[Actual]:
    grown: list[Actual] = []
    for kpi in kpis.values():
        if kpi.formula != "growth" or kpi.derived_from is None:
            continue
        source = _annual(by_kpi.get(kpi.derived_from, []))
        stated = _annual(by_kpi.get(kpi.id, []))
        for year, now in sorted(source.items()):
            before = source.get(year - 1)
            if before is None or before.value == 0:
                continue
            growth = (now.value / before.value - 1) * 100
            note: Message = msg(
                "computed from {kpi}: {now:n} ({year}) / {before:n} ({previous}) − 1 = {growth:.2f} %",
                kpi=kpi.derived_from,
                now=now.value,
                year=str(year),
                before=before.value,
                previous=str(year - 1),
                growth=growth,
            )
            given = stated.get(year)
            if given is not None:
                # Within the stated figure's rounding, or the sources' (estimates are rounded too).
                room = _half_unit(given.value) + (1.0 if now.estimated or before.estimated else 0.0)
                if abs(given.value - growth) > room:
                    problems.append(
                        _warning(
                            file,
                            given,
                            msg(
                                "the stated growth {stated:g} differs from the {growth:.2f} "
                                "computed from {kpi}",
                                stated=given.value,
                                growth=growth,
                                kpi=kpi.derived_from,
                            ),
                        )
                    )
                continue
            grown.append(
                Actual(
                    kpi=kpi.id,
                    period=parse_period(str(year)),
                    value=growth,
                    source=now.source,
                    estimated=now.estimated or before.estimated,
                    published=max(_known_from(now), _known_from(before)),
                    quote=None,
                    derived=True,
                    note=note,
                    position=0,
                )
            )
    return grown


def _plan_targets(
    kpis: dict[str, Kpi], actuals: Sequence[Actual], file: str, problems: list[Problem]
) -> dict[str, Kpi]:
    new: dict[str, list[Target]] = {}
    implied_by: dict[tuple[str, date], Actual] = {}
    # The latest published figure states the plan: a revision's share replaces the first one's.
    stating = sorted(
        (a for a in actuals if a.plan_share is not None and a.kpi in kpis),
        key=lambda a: a.published or a.period.end,
        reverse=True,
    )
    for a in stating:
        assert a.plan_share is not None
        kpi = kpis[a.kpi]
        period = a.plan_period or parse_period(str(a.period.end.year))
        value = a.value / a.plan_share
        declared = next((t for t in kpi.targets if t.date == period.end), None)
        if declared is not None:
            if _apart(value, declared.value):
                problems.append(
                    _warning(
                        file,
                        a,
                        msg(
                            "{value:n} at {share:.1%} of the {period} plan implies a target of "
                            "{derived:n}, but the declared target is {declared:n}",
                            value=a.value,
                            share=a.plan_share,
                            period=period.text,
                            derived=value,
                            declared=declared.value,
                        ),
                    )
                )
            continue
        earlier = next((t for t in new.get(a.kpi, []) if t.date == period.end), None)
        if earlier is not None:
            other = implied_by[(a.kpi, period.end)]
            revision = (other.period.start, other.period.end) == (a.period.start, a.period.end)
            if not revision and _apart(value, earlier.value):
                problems.append(
                    _warning(
                        file,
                        a,
                        msg(
                            "{value:n} at {share:.1%} of the {period} plan implies a target of {derived:n}, "
                            "but {other} implies {target:n}",
                            value=a.value,
                            share=a.plan_share,
                            period=period.text,
                            derived=value,
                            other=other.period.text,
                            target=earlier.value,
                        ),
                    )
                )
            continue
        implied_by[(a.kpi, period.end)] = a
        new.setdefault(a.kpi, []).append(
            Target(
                period=period,
                value=value,
                source=a.source,
                quote=a.quote,
                note=msg(
                    "{value:n} ({figure}) is {share:.1%} of the plan, so the plan is "
                    "{value:n} / {share_plain:g} = {target:n}",
                    value=a.value,
                    figure=a.period.text,
                    share=a.plan_share,
                    share_plain=a.plan_share,
                    target=value,
                ),
                derived=True,
            )
        )
    if not new:
        return kpis
    out = dict(kpis)
    for kpi_id, targets in new.items():
        kpi = out[kpi_id]
        merged = tuple(sorted((*kpi.targets, *targets), key=lambda t: t.date))
        if kpi.baseline is not None and merged and kpi.baseline.date >= merged[0].date:
            merged = tuple(t for t in merged if t.date > kpi.baseline.date)
        out[kpi_id] = kpi._replace(targets=merged)
    return out
