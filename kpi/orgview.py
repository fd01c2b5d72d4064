"""The plan as one unit sees it: its series (reported, computed from its units, derived from its
predecessors) judged against its targets; and the units side by side (kpi status --by org).

A unit's targets, in order: its own [[target]] tables; for a sum, the sum of its units' (or, for
a unit a merge made, its predecessors') when every one has one; with org_targets = "inherit"
(an intensive KPI: a share, a mean, a rate, a rank), the plan's own. The plan's stated target
always wins for the root; units' targets that add up to less are an allocation, never added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Literal, NamedTuple

from kpi.assess import Assessment, assess_kpi
from kpi.known import known_actuals
from kpi.model import Actual, Dataset, Kpi, Target
from kpi.periods import Period
from kpi.rollup import Rollup, UnitValue, as_actual
from kpi.statuses import Light, Status

TargetBasis = Literal["own", "national", "inherited", "sum_children"]


def get_org(dataset: Dataset, org: str) -> str:
    """The unit --org names (a usage problem when the plan has no such unit)."""
    from kpi.errors import UsageProblem
    from kpi.i18n import msg
    from kpi.problems import did_you_mean

    if org in dataset.orgs.units:
        return org
    if not dataset.orgs.units:
        raise UsageProblem(msg('unknown org "{org}": the plan declares no [[org]]', org=org), "--org")
    raise UsageProblem(
        msg('unknown org "{org}"{hint}', org=org, hint=did_you_mean(org, dataset.orgs.units)), "--org"
    )


def rollup_of(dataset: Dataset, as_of: date | None = None) -> Rollup:
    """The roll-up of the figures known at as_of (a unit's revision published later does not
    count yet), made once per date."""
    if not isinstance(dataset.rollup, dict):
        dataset.rollup = {} if dataset.rollup is None else {None: dataset.rollup}
    cache = dataset.rollup
    if "known" not in cache:  # the day the last figure became known
        figures = [*dataset.unit_actuals, *dataset.actuals]
        cache["known"] = max((a.published or a.period.end for a in figures), default=None)
    if as_of is not None and (cache["known"] is None or cache["known"] <= as_of):
        as_of = None  # every figure is known by then: the roll-up the load made serves
    found: Rollup | None = cache.get(as_of)
    if found is None:
        # The plan's own figures, without the roll-ups the loader added to its series.
        stated = [
            a for a in dataset.actuals if not (a.derived and not a.position and a.source.startswith("Σ "))
        ]
        found = Rollup(
            dataset.kpis, dataset.orgs, stated, dataset.unit_actuals, dataset.thresholds.min_coverage, as_of
        )
        cache[as_of] = found
    return found


def targets_for(dataset: Dataset, kpi: Kpi, org: str) -> tuple[tuple[Target, ...], TargetBasis | None]:
    """The unit's targets for the KPI, and where they come from."""
    orgs = dataset.orgs
    if org == orgs.root or not orgs.units:
        if kpi.targets:
            return kpi.targets, "national"
    else:
        own = dataset.unit_targets.get((kpi.id, org))
        if own:
            return own, "own"
    if kpi.aggregate.rule == "sum":
        summed = _summed(dataset, kpi, org, set(), _target_periods(dataset, kpi))
        return (summed, "sum_children") if summed else ((), None)
    if kpi.org_targets == "inherit" and org != orgs.root:
        return kpi.targets, "inherited"
    return (), None


def _target_periods(dataset: Dataset, kpi: Kpi) -> dict[date, Period]:
    """Every period some unit has a target for the KPI for."""
    return {t.period.end: t.period for (k, _u), ts in dataset.unit_targets.items() if k == kpi.id for t in ts}


def _summed(
    dataset: Dataset, kpi: Kpi, org: str, seen: set[str], periods: dict[date, Period] | None = None
) -> tuple[Target, ...]:
    """For a sum: a target for each period every unit below (valid at its end) has one for, or,
    for a unit a merge made, every predecessor has one for."""
    if org in seen:
        return ()
    seen = seen | {org}
    orgs = dataset.orgs
    periods = _target_periods(dataset, kpi) if periods is None else periods
    merge = orgs.merged_into(org)
    out = []
    for end, period in sorted(periods.items()):
        units = [u.id for u in orgs.children(org, end)]
        if not units and merge is not None and kpi.basis != "units":  # a count of units is never back-cast
            units = list(merge.sources)
        if not units:
            continue
        values = []
        for unit in units:
            own = dataset.unit_targets.get((kpi.id, unit), ())
            found = next((t for t in own if t.period.end == end), None)
            if found is None:
                found = next(
                    (t for t in _summed(dataset, kpi, unit, seen, periods) if t.period.end == end), None
                )
            if found is None:
                break
            values.append(found.value)
        else:
            out.append(Target(period, sum(values), None, None, None, None, True))
    return tuple(out)


def allocation(dataset: Dataset, kpi: Kpi, target: Target) -> float | None:
    """The units' targets for the plan's target's period as a share of it (0.93: 93 %), when
    every unit valid then has one; never added to the plan's target."""
    if kpi.aggregate.rule != "sum" or not target.value:
        return None
    summed = _summed(dataset, kpi, dataset.orgs.root, set())
    found = next((t for t in summed if t.period.end == target.period.end), None)
    return None if found is None else found.value / target.value


def unit_dataset(dataset: Dataset, org: str, as_of: date | None = None, historical: bool = False) -> Dataset:
    """The plan as the unit sees it (as known at as_of, else now): its graded values as
    figures, its targets on its KPIs."""
    orgs = dataset.orgs
    if org == orgs.root:
        return dataset
    rollup = rollup_of(dataset, as_of)
    kpis: dict[str, Kpi] = {}
    actuals: list[Actual] = []
    for kpi in dataset.kpis.values():
        targets, basis = targets_for(dataset, kpi, org)
        baseline = kpi.baseline if basis in ("national", "inherited") else None
        kpis[kpi.id] = kpi._replace(targets=targets, baseline=baseline)
        for value in rollup.series(kpi, org):
            if rollup.graded(value) and not (historical and value.basis == "derived"):
                actuals.append(value.figure or as_actual(value, orgs.root))
    # Every title says whose view it is.
    day = as_of or date.today()
    unit = orgs.units[org]
    plan = dataset.plan._replace(
        name=f"{dataset.plan.name} — {unit.name_on(day)}",
        name_en=f"{dataset.plan.name_en or dataset.plan.name} — {unit.name_en or unit.name_on(day)}",
    )
    return replace(dataset, plan=plan, kpis=kpis, actuals=actuals, unit_actuals=[], _by_kpi=None)


class UnitRow(NamedTuple):
    """One KPI for one unit (kpi status --by org --kpi ID)."""

    kpi: str
    org: str
    org_name: str
    value: UnitValue | None  # its latest value known at as-of (reported, computed or derived)
    graded: bool  # complete enough to be judged
    target: Target | None
    target_basis: TargetBasis | None
    attainment: float | None
    status: Status
    light: Light
    allocation: float | None = None  # the root: the units' targets as a share of the plan's


class UnitSummary(NamedTuple):
    """One unit's lights over every KPI (kpi status --by org)."""

    org: str
    org_name: str
    lights: dict[str, int]
    reported: int  # KPIs it reported a figure for, for the latest period any unit reported
    kpis: int


def units_at(dataset: Dataset, as_of: date, level: int = 1, historical: bool = False) -> list[str]:
    """The units valid at as_of, level steps below the root, in the order they are declared
    (historical: every unit that had begun by then, those a merge ended too)."""
    orgs = dataset.orgs
    return [
        u.id
        for u in orgs.units.values()
        if orgs.depth(u.id) == level
        and (u.valid_on(as_of) or (historical and (u.valid_from is None or u.valid_from <= as_of)))
    ]


def kpi_rows(
    dataset: Dataset, kpi: Kpi, as_of: date, units: Sequence[str], historical: bool = False
) -> list[UnitRow]:
    """The KPI for each unit, then the plan's own row (the root) with its coverage."""
    rollup = rollup_of(dataset, as_of)
    rows = []
    for org in [*units, dataset.orgs.root]:
        unit = dataset.orgs.units[org]
        targets, basis = targets_for(dataset, kpi, org)
        values = [
            v
            for v in rollup.series(kpi, org)
            if (v.published or v.period.end) <= as_of and not (historical and v.basis == "derived")
        ]
        latest = values[-1] if values else None
        graded = [v for v in values if rollup.graded(v)]
        figures = known_actuals([v.figure or as_actual(v, dataset.orgs.root) for v in graded], as_of)
        result = assess_kpi(kpi._replace(targets=targets), figures, as_of, dataset.thresholds)
        target = result.milestone
        share = allocation(dataset, kpi, target) if org == dataset.orgs.root and target is not None else None
        rows.append(
            UnitRow(
                kpi.id,
                org,
                unit.name_on(as_of),
                latest,
                latest is not None and rollup.graded(latest),
                target,
                basis,
                # The attainment of the value shown: none for a partial one, never graded.
                result.attainment if latest is None or rollup.graded(latest) else None,
                result.status,
                result.light,
                share,
            )
        )
    return rows


def summaries(
    dataset: Dataset, as_of: date, units: Sequence[str], historical: bool = False
) -> list[UnitSummary]:
    from kpi.reports import assess_kpis

    known = [a for a in dataset.unit_actuals if (a.published or a.period.end) <= as_of]
    latest = max((a.period.end for a in known), default=None)
    reported: dict[str | None, set[str]] = {}
    for a in known:
        if a.period.end == latest:
            reported.setdefault(a.org, set()).add(a.kpi)
    out = []
    for org in units:
        view = unit_dataset(dataset, org, as_of, historical)
        results = assess_kpis(view, list(view.kpis.values()), as_of, None)
        lights = {light: 0 for light in ("green", "amber", "red", "grey")}
        for result in results:
            lights[result.light] += 1
        out.append(
            UnitSummary(
                org, dataset.orgs.units[org].name_on(as_of), lights, len(reported.get(org, ())), len(results)
            )
        )
    return out


def plan_gap_shares(plan: Dataset, results: Sequence[Assessment], as_of: date) -> dict[str, float]:
    """For each sum KPI of a unit's gaps: the unit's shortfall as a share of the plan's own, for
    the same milestone (kpi gap --org)."""
    from kpi.reports import assess_kpis

    sums = [a for a in results if a.kpi.aggregate.rule == "sum" and a.gap and a.gap > 0 and a.milestone]
    if not sums:
        return {}
    national = {
        a.kpi.id: a
        for a in assess_kpis(plan, [plan.kpis[s.kpi.id] for s in sums], as_of, None)
        if a.gap and a.gap > 0 and a.milestone
    }
    out = {}
    for a in sums:
        whole = national.get(a.kpi.id)
        if (
            whole is not None
            and a.gap is not None
            and whole.gap
            and a.milestone is not None
            and whole.milestone is not None
            and whole.milestone.date == a.milestone.date
        ):
            out[a.kpi.id] = a.gap / whole.gap
    return out


def by_org(
    dataset: Dataset, as_of: date, level: int, historical: bool, kpi_id: str | None
) -> tuple[Kpi | None, list[UnitRow], list[UnitSummary]]:
    """kpi status --by org: one KPI across the units (with kpi_id), else every unit's lights."""
    from kpi.errors import UsageProblem
    from kpi.i18n import msg
    from kpi.problems import did_you_mean

    if not dataset.orgs.units:
        raise UsageProblem(msg("the plan declares no [[org]]: there are no units to show"), "--by")
    kpi = None
    if kpi_id is not None:
        kpi = dataset.kpis.get(kpi_id)
        if kpi is None:
            hint = did_you_mean(kpi_id, dataset.kpis) or msg(" (kpi list shows them all)")
            raise UsageProblem(msg('unknown KPI "{kpi}"{hint}', kpi=kpi_id, hint=hint), "--kpi")
    units = units_at(dataset, as_of, level, historical)
    if not units:
        raise UsageProblem(
            msg("no unit is {n} levels below the root on {day}", n=level, day=as_of), "--level"
        )
    if kpi is not None:
        return kpi, kpi_rows(dataset, kpi, as_of, units, historical), []
    return None, [], summaries(dataset, as_of, units, historical)
