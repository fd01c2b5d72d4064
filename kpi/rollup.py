"""A KPI's value for a unit and period: reported, computed from its units, or derived from the
units a merge made it from.

1. Reported beats computed: a figure recorded for the unit (the root: the plan's own figure) is
   used as is (its latest revision).
2. Computed: otherwise, when the unit has units under it valid at the period's end and the
   KPI's aggregate allows, their values combine by the rule (a ratio as Σnumerators /
   Σdenominators). Coverage = units with a value / units valid at the period's end; below the
   plan's min_coverage the value is partial: shown with its coverage, never graded.
3. Derived (back-cast): for a unit a merge created and a period that ended before it existed,
   its predecessors' values combine by the same rule; never for aggregate = "none" or
   basis = "units" (whose denominator is the number of units). A flow's period that straddles
   the merge is the predecessors' part before it plus the unit's own part after it.

Computed at read time, never written to the files; every value says which units it combines.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Literal, NamedTuple

from kpi.i18n import msg
from kpi.model import Actual, Kpi
from kpi.orgs import Orgs
from kpi.periods import Period
from kpi.problems import Problem

Basis = Literal["reported", "computed", "derived"]
Span = tuple[date, date]  # (end, start): one figure's days
ONE_DAY = timedelta(days=1)


class UnitValue(NamedTuple):
    kpi: str
    org: str
    period: Period
    value: float
    basis: Basis
    have: int  # units with a value (1 for a reported figure)
    expected: int  # units valid at the period's end (1 for a reported figure)
    derived_from: tuple[str, ...] = ()  # the units combined
    published: date | None = None  # the latest of what it combines
    estimated: bool = False
    figure: Actual | None = None  # the reported figure

    @property
    def complete(self) -> bool:
        return self.have >= self.expected


def _span(a: Actual) -> Span:
    return (a.period.end, a.start)


def _latest(figures: Iterable[Actual]) -> dict[Span, Actual]:
    """Each period's latest revision."""
    out: dict[Span, Actual] = {}
    for a in figures:
        span = _span(a)
        now = out.get(span)
        if now is None or (now.published or now.period.end) <= (a.published or a.period.end):
            out[span] = a
    return out


class Rollup:
    """Values for (KPI, unit, period), each worked out once."""

    def __init__(
        self,
        kpis: dict[str, Kpi],
        orgs: Orgs,
        national: Sequence[Actual],
        units: Sequence[Actual],
        min_coverage: float = 1.0,
        as_of: date | None = None,
    ) -> None:
        """Over the figures known at as_of (each period's latest revision then), else all."""
        self.kpis, self.orgs, self.min_coverage = kpis, orgs, min_coverage
        grouped: dict[tuple[str, str], list[Actual]] = {}
        for a in national:
            if as_of is None or (a.published or a.period.end) <= as_of:
                grouped.setdefault((a.kpi, orgs.root), []).append(a)
        for a in units:
            if as_of is None or (_arrival(a) or a.period.end) <= as_of:
                grouped.setdefault((a.kpi, a.org or orgs.root), []).append(a)
        self.reported = {key: _latest(figures) for key, figures in grouped.items()}
        self.periods: dict[str, dict[Span, Period]] = {}
        for (kpi_id, _org), by_span in self.reported.items():
            self.periods.setdefault(kpi_id, {}).update({span: a.period for span, a in by_span.items()})
        self._memo: dict[tuple[str, str, Span], UnitValue | None] = {}
        self._children: dict[tuple[str, date], list[str]] = {}
        self._created = {m.into: m for m in orgs.merges}

    def spans(self, kpi: Kpi) -> dict[Span, Period]:
        """Every period any unit has a figure for, of the KPI and of those it combines."""
        out = dict(self.periods.get(kpi.id, {}))
        for other in kpi.aggregate.kpis:
            out.update(self.periods.get(other, {}))
        return out

    def _period_of(self, kpi_id: str, span: Span) -> Period:
        """The period a span was written as (2025-H2), else one named by its days."""
        known = self.periods.get(kpi_id, {}).get(span)
        end, start = span
        return known or Period(f"{start.isoformat()}/{end.isoformat()}", start, end)

    def children(self, org: str, day: date) -> list[str]:
        key = (org, day)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = [u.id for u in self.orgs.children(org, day)]
        return found

    def value(self, kpi_id: str, org: str, span: Span, period: Period) -> UnitValue | None:
        key = (kpi_id, org, span)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = None  # a cycle in the data (validate reports it) ends here
        found = self._work_out(kpi_id, org, span, period)
        self._memo[key] = found
        return found

    def _work_out(self, kpi_id: str, org: str, span: Span, period: Period) -> UnitValue | None:
        kpi = self.kpis.get(kpi_id)
        if kpi is None:
            return None
        figure = self.reported.get((kpi_id, org), {}).get(span)
        if figure is not None:
            return UnitValue(
                kpi_id, org, figure.period, figure.value, "reported", 1, 1, (), _arrival(figure),
                figure.estimated, figure,
            )  # fmt: skip
        unit = self.orgs.units.get(org)
        rule = kpi.aggregate.rule
        if unit is None or rule == "none":
            return None
        if rule == "ratio":  # its own two reported figures beat what its units add up to
            own = self._ratio_of(kpi, org, span, period, reported_only=True)
            if own is not None:
                return own
        end, start = span
        if not unit.valid_on(end):
            return self._back_cast(kpi, org, span, period)
        merge = self._created.get(org)
        if rule == "sum" and kpi.measure == "flow" and merge is not None and start < merge.day <= end:
            return self._straddling(kpi, org, span, period, merge.day)
        children = self.children(org, end)
        if children:
            return self._combine(kpi, org, span, period, children, "computed")
        if rule == "ratio":  # its own share, from its own two values however they were found
            return self._ratio_of(kpi, org, span, period, reported_only=False)
        if kpi.measure == "flow":  # its own shorter figures that make the period (Q1 + Q2 = H1)
            return self._tiled(kpi.id, org, span, period)
        return None

    def _tiled(self, kpi_id: str, org: str, span: Span, period: Period) -> UnitValue | None:
        end, start = span
        mine = sorted(
            (a for (e, s), a in self.reported.get((kpi_id, org), {}).items() if start <= s and e <= end),
            key=lambda a: (a.start, a.period.end),
        )
        day, parts = start, []
        for a in mine:
            if a.start == day:
                parts.append(a)
                day = a.period.end + ONE_DAY
        if not parts or day <= end:
            return None
        values = [UnitValue(kpi_id, org, a.period, a.value, "reported", 1, 1, (), _arrival(a)) for a in parts]
        return UnitValue(
            kpi_id, org, period, sum(v.value for v in values), "computed", 1, 1, (org,), _published(*values),
            any(a.estimated for a in parts),
        )  # fmt: skip

    def _ratio_of(
        self, kpi: Kpi, org: str, span: Span, period: Period, reported_only: bool
    ) -> UnitValue | None:
        """The unit's share from its own numerator and denominator."""
        if reported_only:
            found = [self.reported.get((k, org), {}).get(span) for k in kpi.aggregate.kpis]
            if any(a is None for a in found):
                return None
        parts = [self.value(k, org, span, period) for k in kpi.aggregate.kpis]
        num, den = parts
        if num is None or den is None or not den.value:
            return None
        basis: Basis = "derived" if "derived" in (num.basis, den.basis) else "computed"
        return UnitValue(
            kpi.id, org, period, num.value / den.value * kpi.aggregate.factor, basis,
            min(num.have * den.expected, den.have * num.expected), num.expected * den.expected,
            tuple(dict.fromkeys((*num.derived_from, *den.derived_from))),
            _published(num, den), num.estimated or den.estimated,
        )  # fmt: skip

    def _back_cast(self, kpi: Kpi, org: str, span: Span, period: Period) -> UnitValue | None:
        merge = self._created.get(org)
        if merge is None or span[0] >= merge.day or kpi.basis == "units":
            return None
        return self._combine(kpi, org, span, period, list(merge.sources), "derived")

    def _straddling(self, kpi: Kpi, org: str, span: Span, period: Period, day: date) -> UnitValue | None:
        """A flow's period across the merge: the predecessors' part before, the unit's after."""
        end, start = span
        first, second = (day - ONE_DAY, start), (end, day)
        before = self._back_cast(kpi, org, first, self._period_of(kpi.id, first))
        after = self.value(kpi.id, org, second, self._period_of(kpi.id, second))
        if before is None or after is None:
            return None
        return UnitValue(
            kpi.id, org, period, before.value + after.value, "derived", before.have + after.have,
            before.expected + after.expected, (*before.derived_from, org),
            _later(before.published, after.published), before.estimated or after.estimated,
        )  # fmt: skip

    def _combine(
        self, kpi: Kpi, org: str, span: Span, period: Period, units: list[str], basis: Basis
    ) -> UnitValue | None:
        """The units' values combined by the KPI's rule: a sum; a ratio of the sums of the
        numerators and denominators of the units that have both; a mean weighted likewise."""
        rule = kpi.aggregate
        if rule.rule == "sum":
            return self._sum(kpi.id, org, span, period, units, basis)
        total = weight = 0.0
        have = 0
        used: list[str] = []
        parts: list[UnitValue] = []
        for unit in units:
            first = rule.kpis[0] if rule.rule == "ratio" else kpi.id  # (num, den) or (value, weight)
            x, w = self.value(first, unit, span, period), self.value(rule.kpis[-1], unit, span, period)
            if x is None or w is None:
                continue
            total += x.value * w.value if rule.rule == "mean" else x.value
            weight += w.value
            used.append(unit)
            have += x.complete and w.complete
            parts += (x, w)
        if not used or weight == 0:
            return None
        value = total / weight * (rule.factor if rule.rule == "ratio" else 1.0)
        estimated = any(p.estimated for p in parts)
        return UnitValue(
            kpi.id, org, period, value, basis, have, len(units), tuple(used), _published(*parts), estimated
        )

    def _sum(
        self, kpi_id: str, org: str, span: Span, period: Period, units: list[str], basis: Basis
    ) -> UnitValue | None:
        """_combine for a sum, the common rule, in one tight loop: a back-cast of each of 34
        units for each period of each KPI adds up to 10^4 of these per report."""
        memo, value = self._memo, self.value
        total = 0.0
        have = 0
        used: list[str] = []
        parts: list[UnitValue] = []
        estimated = False
        for unit in units:
            key = (kpi_id, unit, span)
            part = memo[key] if key in memo else value(kpi_id, unit, span, period)
            if part is None:
                continue
            total += part.value
            used.append(unit)
            parts.append(part)
            if part.have >= part.expected:
                have += 1
            if part.estimated:
                estimated = True
        if not used:
            return None
        return UnitValue(
            kpi_id, org, period, total, basis, have, len(units), tuple(used), _published(*parts), estimated
        )

    def computed(self, kpi_id: str, org: str, span: Span, period: Period) -> UnitValue | None:
        """The unit's value from its units alone, whatever it reported."""
        kpi = self.kpis.get(kpi_id)
        children = self.children(org, span[0])
        if kpi is None or kpi.aggregate.rule == "none" or not children:
            return None
        return self._combine(kpi, org, span, period, children, "computed")

    def graded(self, value: UnitValue) -> bool:
        """Whether a value may be graded: reported, or combining enough of its units into a
        value the KPI allows (a share over 100 % says a unit's figures disagree)."""
        if value.basis == "reported":
            return True
        return value.have >= self.min_coverage * value.expected and self.allowed(value)

    def allowed(self, value: UnitValue) -> bool:
        kpi = self.kpis.get(value.kpi)
        if kpi is None or not math.isfinite(value.value):
            return False
        return (kpi.min is None or value.value >= kpi.min) and (kpi.max is None or value.value <= kpi.max)

    def series(self, kpi: Kpi, org: str) -> list[UnitValue]:
        """Every value of the KPI for the unit, oldest first."""
        out = []
        for span, period in self.spans(kpi).items():
            found = self.value(kpi.id, org, span, period)
            if found is not None:
                out.append(found)
        # Oldest first; of two ending on one day, the longer last (a flow's year after its half).
        out.sort(key=lambda v: (v.period.end, -v.period.start.toordinal()))
        return out


def _arrival(a: Actual) -> date | None:
    """When a figure reached the plan: received (a unit's sheet), else published. A total of
    units' figures is known, and counts as received, only once its last part arrived."""
    return a.received or a.published


def _published(*values: UnitValue) -> date | None:
    """When a combination was published: its latest part's date, when every part has one or
    that date is after the period (the parts without one are known at its end)."""
    dates = [v.published for v in values if v.published is not None]
    if not dates:
        return None
    latest = max(dates)
    if len(dates) == len(values) or latest >= values[0].period.end:
        return latest
    return None


def _later(a: date | None, b: date | None) -> date | None:
    if a is None:
        return b
    return a if b is None or a >= b else b


def as_actual(value: UnitValue, root: str) -> Actual:
    """A combined value as a figure of the unit's series (the plan's own, for the root): what
    the assessment, the tables and the charts read."""
    return Actual(
        kpi=value.kpi,
        period=value.period,
        value=value.value,
        source=f"Σ {value.have}/{value.expected}: " + ", ".join(value.derived_from),
        note=f"Σ {value.have}/{value.expected}: " + ", ".join(value.derived_from),
        estimated=value.estimated,
        published=value.published,
        derived=True,
        org=None if value.org == root else value.org,
    )


# How far a reported total may lie from its units' complete sum before validate says so: the
# rounding of a published figure, not a disagreement.
TOLERANCE = 0.005


def national(rollup: Rollup, targets: str = "") -> tuple[list[Actual], list[Problem]]:
    """The plan's own series completed from its units: a combined value for each period the
    root did not report (when complete enough to grade), and a warning for each reported one
    that its units' complete roll-up contradicts."""
    root = rollup.orgs.root
    added: list[Actual] = []
    problems: list[Problem] = []
    for kpi in rollup.kpis.values():
        if kpi.aggregate.rule == "none":
            continue
        for span, period in sorted(rollup.spans(kpi).items()):
            reported = rollup.reported.get((kpi.id, root), {}).get(span)
            found = rollup.value(kpi.id, root, span, period) if reported is None else None
            if found is not None and not rollup.allowed(found) and found.have >= found.expected:
                problems.append(
                    Problem(
                        targets,
                        msg(
                            "period {period}: its units combine to {value:n}, outside the KPI's bounds; "
                            "their figures disagree, and it is not graded",
                            period=period.text,
                            value=found.value,
                        ),
                        f'kpi "{kpi.id}" (kpi[{kpi.position}])',
                        warning=True,
                    )
                )
            if reported is None:
                if found is not None and found.basis != "reported" and rollup.graded(found):
                    added.append(as_actual(found, root))
                continue
            combined = rollup.computed(kpi.id, root, span, period)
            if combined is None or not combined.complete:
                continue
            stated_from = reported.published or reported.period.end
            if (combined.published or period.end) < stated_from and rollup.graded(combined):
                # Until the plan's own figure is out, its units' total stands for it.
                added.append(as_actual(combined, root))
            if not reported.position:
                continue
            if abs(combined.value - reported.value) > TOLERANCE * max(abs(reported.value), 1e-9):
                problems.append(
                    Problem(
                        reported.file,
                        msg(
                            "the plan's figure {value:n} differs from its {n} units' combined {combined:n}; "
                            "the plan's figure is used",
                            value=reported.value,
                            n=combined.expected,
                            combined=combined.value,
                        ),
                        f'actual[{reported.position}] (kpi "{kpi.id}", period "{period.text}")',
                        warning=True,
                    )
                )
    return added, problems


def revision_eves(kpis: dict[str, Kpi], units: Sequence[Actual]) -> dict[date, set[str]]:
    """The day before each later revision of a unit's figure was known, with the KPIs whose
    totals it changes (the KPI, those that combine it, and what they combine)."""
    known: dict[tuple[str, str | None, Span], list[date]] = {}
    for a in units:
        known.setdefault((a.kpi, a.org, _span(a)), []).append(a.published or a.period.end)
    users: dict[str, set[str]] = {}
    for kpi in kpis.values():
        for part in kpi.aggregate.kpis:
            users.setdefault(part, set()).add(kpi.id)
    eves: dict[date, set[str]] = {}
    for (kpi_id, _org, _s), dates in known.items():
        if len(dates) < 2 or kpi_id not in kpis:
            continue
        touched = {kpi_id, *users.get(kpi_id, ())}
        touched |= {part for k in list(touched) for part in kpis[k].aggregate.kpis if part in kpis}
        for day in sorted(dates)[1:]:
            eves.setdefault(day - ONE_DAY, set()).update(touched)
    return eves
