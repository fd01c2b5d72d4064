"""The reporting cycle: which figures are owed, when each is due, which came in on time, and
who is accountable (kpi due).

A period's figure is due on a date its calendar gives: N days after the period ends, or day D
(clamped to the month's length) of the month M months after the period's last month, M = 0
being that month (MIC Circular 02/2023: monthly by the 15th of the month itself, quarterly by
the 6th of the quarter's last month, annual by 25 November: { months = -1, day = 25 }). Due
dates on weekends and holidays are not moved: rest days change by yearly decision, and a
built-in calendar would be wrong data; the weekday is printed beside every due date instead.

Timeliness is decided once, by the first figure for the period (its received date, else its
published date, else "date unknown"), and compared as dates: a figure received on the due day
is on time, and a later revision never changes it. The owner accountable for a period is the
one on its due date; reminders go to the current one (or its successor), so a newly assigned
owner never inherits lateness from before their assignment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal, NamedTuple

from kpi.i18n import msg
from kpi.loadreporting import owner_on
from kpi.model import Actual, Dataset, Due, Kpi, Reporting
from kpi.periods import Period, parse_period
from kpi.problems import Problem

State = Literal["on_time", "late", "overdue", "due_soon", "not_due", "covered", "date_unknown"]
STATES: tuple[State, ...] = ("overdue", "due_soon", "late", "on_time", "date_unknown", "covered", "not_due")
MONTHS_IN = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "annual": 12}


class DueItem(NamedTuple):
    kpi: str
    org: str | None  # the unit that owes it (reported_by = "units"); None: the plan's own
    period: Period  # as written in the data (2024-Q1)
    due: date
    state: State
    days: int  # late or overdue by; 0 otherwise
    received: date | None  # when its first figure arrived
    accountable: str | None  # the owner on the due date
    current: str | None  # the owner now (or its successor)


class Summary(NamedTuple):
    expected: int  # periods due by as-of (not those a coarser figure covers)
    received: int
    on_time: int
    late: int
    covered: int
    missing: int  # overdue

    @property
    def reporting_rate(self) -> float | None:
        return self.received / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.expected if self.expected else None


def calendar(kpi: Kpi, plan: Reporting | None) -> Reporting | None:
    """The KPI's calendar: its own keys over the plan's [reporting]; None without a frequency."""
    own, base = kpi.reporting, plan or Reporting()
    if own is None:
        merged = base
    else:
        merged = Reporting(
            own.frequency or base.frequency,
            own.due or base.due,
            own.cutoff or base.cutoff,
            own.reporting_from or base.reporting_from,
            own.next_release or base.next_release,
            own.reported_by or base.reported_by,
        )
    return merged if merged.frequency else None


def _month_end(year: int, month: int) -> date:
    return (date(year + month // 12, month % 12 + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(
        days=1
    )


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def due_date(period: Period, rule: Due, cutoff: str = "calendar") -> date:
    """When the period's figure is due."""
    last_month = (period.end.year, period.end.month)
    if rule.days is not None:
        end = date(*last_month, 14) if cutoff == "15-14" else period.end
        return end + timedelta(days=rule.days)
    year, month = _shift(*last_month, rule.months or 0)
    day = min(rule.day or 1, _month_end(year, month).day)  # day 31 of a 30-day month: its 30th
    return date(year, month, day)


def periods(frequency: str, first: date, last: date) -> list[Period]:
    """The periods of a frequency that end between first's period and last (inclusive)."""
    step = MONTHS_IN[frequency]
    out = []
    year, month = first.year, ((first.month - 1) // step) * step + 1
    while True:
        end_year, end_month = _shift(year, month, step - 1)
        end = _month_end(end_year, end_month)
        if end > last:
            break
        text = {
            1: f"{year}-{month:02d}",
            3: f"{year}-Q{(month - 1) // 3 + 1}",
            6: f"{year}-H{(month - 1) // 6 + 1}",
            12: f"{year}",
        }[step]
        out.append(parse_period(text))
        year, month = _shift(year, month, step)
    return out


def _arrival(a: Actual) -> date | None:
    return a.received or a.published


def _known(a: Actual, as_of: date) -> bool:
    return (_arrival(a) or a.period.end) <= as_of


def _answer(kpi: Kpi, period: Period, figures: Sequence[Actual]) -> tuple[str, date | None]:
    """("received", first arrival) when the figures answer the period; ("covered", None) when a
    coarser flow figure holds it; ("", None) when nothing does. The first arrival is the day
    the period was first answered, however: its own figure, or (a flow) the last of the
    pieces that tile it, each piece by its first version."""
    same_day = [a for a in figures if a.period.end == period.end]
    if kpi.measure != "flow":
        if same_day:  # a level's figure for a period ending that day answers it (2024 → Q4)
            return "received", _first(same_day)
        return "", None
    ways: list[date | None] = []
    exact = [a for a in same_day if a.start == period.start]
    if exact:
        ways.append(_first(exact))
    spans: dict[tuple[date, date], list[Actual]] = {}
    for a in figures:
        if (
            period.start <= a.start
            and a.period.end <= period.end
            and (a.start, a.period.end) != (period.start, period.end)
        ):
            spans.setdefault((a.start, a.period.end), []).append(a)
    day, pieces = period.start, []
    for start, end in sorted(spans):
        if start == day:  # the pieces that tile it from its first day (three months a quarter)
            pieces.append(_first(spans[(start, end)]))
            day = end + timedelta(days=1)
    if pieces and day > period.end:
        ways.append(None if any(d is None for d in pieces) else max(d for d in pieces if d))
    if ways:
        dated = [d for d in ways if d is not None]
        return "received", (min(dated) if dated else None)
    if any(a.start <= period.start and period.end <= a.period.end for a in figures):
        return "covered", None
    return "", None


def _first(figures: Sequence[Actual]) -> date | None:
    """The first arrival among a period's figures (its revisions included); None when the
    first one carries no date."""
    dated = [d for a in figures if (d := _arrival(a)) is not None]
    if len(dated) < len(figures):
        return None
    return min(dated)


def owed(dataset: Dataset, as_of: date, within: int = 14) -> list[DueItem]:
    """Every period due (or due within `within` days) for every KPI with a calendar."""
    out: list[DueItem] = []
    by_kpi = dataset.actuals_by_kpi()
    units_by_kpi: dict[tuple[str, str | None], list[Actual]] = {}
    for a in dataset.unit_actuals:
        units_by_kpi.setdefault((a.kpi, a.org), []).append(a)
    # Far enough: a plan's calendar never runs more than ten years past its last year.
    plan = dataset.plan.period or ""
    last_year = int(plan[-4:]) + 10 if plan[-4:].isdigit() else min(as_of.year, 9980) + 10
    cap = date(min(last_year, 9990), 12, 31)
    horizon = cap if as_of >= cap else min(as_of + timedelta(days=within), cap)
    for kpi in dataset.kpis.values():
        cal = calendar(kpi, dataset.reporting)
        if cal is None or (cal.frequency == "irregular" and cal.next_release is None):
            continue
        sector = dataset.sectors.get(kpi.sector)
        items: list[tuple[Period | None, date]]
        if cal.frequency == "irregular":
            items = [(None, _release(cal))]
        else:
            first = (cal.reporting_from.start if cal.reporting_from else None) or _plan_start(dataset)
            rule = cal.due or Due(days=0)
            items = [
                (p, due)
                for p in periods(cal.frequency or "annual", first, horizon + timedelta(days=400))
                if (due := due_date(p, rule, cal.cutoff or "calendar")) <= horizon
            ]
        for period, due in items:
            orgs: list[str | None] = [None]
            if cal.reported_by == "units" and dataset.orgs.units and period is not None:
                orgs = [u.id for u in dataset.orgs.valid(period.end) if dataset.orgs.depth(u.id) == 1]
            for org in orgs:
                figures = by_kpi.get(kpi.id, []) if org is None else units_by_kpi.get((kpi.id, org), [])
                known = [a for a in figures if _known(a, as_of)]
                if period is None:  # an irregular KPI's next release: a figure newer than before it
                    shown, answer = _released(known, due)
                else:
                    shown, answer = period, _answer(kpi, period, known)
                out.append(_item(dataset, kpi, sector, org, shown, due, answer, as_of, within))
    return out


def _plan_start(dataset: Dataset) -> date:
    start = (dataset.plan.period or "").split("-")[0]
    return date(int(start), 1, 1) if start.isdigit() else date(date.today().year, 1, 1)


def _release(cal: Reporting) -> date:
    assert cal.next_release is not None
    return cal.next_release


# An irregular release may come a little early: a figure that arrived this many days before the
# announced date is the release, not the one before it.
EARLY = timedelta(days=31)


def _released(known: Sequence[Actual], due: date) -> tuple[Period, tuple[str, date | None]]:
    fresh = [a for a in known if (_arrival(a) or a.period.end) >= due - EARLY]
    label = Period("release", due, due)
    return label, (("received", _first(fresh)) if fresh else ("", None))


def _item(
    dataset: Dataset,
    kpi: Kpi,
    sector: object,
    org: str | None,
    period: Period,
    due: date,
    answer: tuple[str, date | None],
    as_of: date,
    within: int,
) -> DueItem:
    from kpi.model import Sector

    s = sector if isinstance(sector, Sector) else None
    accountable = owner_on(kpi, s, dataset.owner_rules, due, dataset.owners)
    current = owner_on(kpi, s, dataset.owner_rules, as_of, dataset.owners)
    kind, first = answer
    state: State
    days = 0
    if kind == "received":
        if first is None:
            state = "date_unknown"
        elif first <= due:  # dates, not times: received on the due day is on time
            state = "on_time"
        else:
            state, days = "late", (first - due).days
    elif kind == "covered":
        state = "covered"
    elif due < as_of:
        state, days = "overdue", (as_of - due).days
    elif (due - as_of).days <= within:
        state = "due_soon"
    else:
        state = "not_due"
    return DueItem(kpi.id, org, period, due, state, days, first, accountable or None, current or None)


def summary(items: Sequence[DueItem], as_of: date) -> Summary:
    """The round's five figures over the periods due by as_of (an early figure for a period not
    yet due counts once it is)."""
    due = [i for i in items if i.due <= as_of and i.state not in ("due_soon", "not_due")]
    received = sum(1 for i in due if i.state in ("on_time", "late", "date_unknown"))
    covered = sum(1 for i in due if i.state == "covered")
    return Summary(
        expected=len(due) - covered,
        received=received,
        on_time=sum(1 for i in due if i.state == "on_time"),
        late=sum(1 for i in due if i.state == "late"),
        covered=covered,
        missing=sum(1 for i in due if i.state == "overdue"),
    )


def by_owner(items: Sequence[DueItem], as_of: date) -> list[tuple[str | None, Summary]]:
    """The five figures per accountable owner (lateness belongs to whoever owned it then)."""
    grouped: dict[str, list[DueItem]] = {}
    for i in items:
        grouped.setdefault(i.accountable or "", []).append(i)
    return [(owner or None, summary(group, as_of)) for owner, group in sorted(grouped.items())]


def frequency_notes(dataset: Dataset) -> list[Problem]:
    """A figure for a longer period than its KPI's calendar asks (a year for a quarterly KPI):
    it answers or covers the shorter ones, but the calendar and the sources disagree."""
    out: list[Problem] = []
    for a in [*dataset.actuals, *dataset.unit_actuals]:
        kpi = dataset.kpis.get(a.kpi)
        if kpi is None or not a.position:
            continue
        cal = calendar(kpi, dataset.reporting)
        if cal is None or cal.frequency not in MONTHS_IN:
            continue
        months = (a.period.end.year - a.start.year) * 12 + a.period.end.month - a.start.month + 1
        if months > MONTHS_IN[cal.frequency]:
            out.append(
                Problem(
                    a.file,
                    msg(
                        "a figure for {period}, longer than the KPI's {frequency} calendar asks",
                        period=a.period.text,
                        frequency=cal.frequency,
                    ),
                    f'actual[{a.position}] (kpi "{a.kpi}", period "{a.period.text}")',
                    warning=True,
                )
            )
    return out
