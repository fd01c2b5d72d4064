"""kpi due as a use case: the items owed, narrowed as asked, with the round's figures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from kpi.due import DueItem, Summary, by_owner, calendar, owed, summary
from kpi.errors import UsageProblem
from kpi.i18n import msg
from kpi.model import Dataset
from kpi.problems import Problem, did_you_mean


class DueView(NamedTuple):
    """What every format of kpi due is written from."""

    dataset: Dataset
    items: Sequence[DueItem]  # every period due or due soon, in due-date order
    overall: Summary
    owners: dict[str, Summary]  # by accountable owner
    lang: str
    as_of: date
    calendar: bool  # some KPI has a reporting calendar


def _under(dataset: Dataset, owner: str | None, wanted: str) -> bool:
    """Whether owner is wanted or one of the owners under it (a department's units)."""
    seen: set[str] = set()
    while owner and owner not in seen:
        if owner == wanted:
            return True
        seen.add(owner)
        found = dataset.owners.get(owner)
        owner = found.parent if found else None
    return False


def due_report(
    dataset: Dataset,
    as_of: date,
    within: int,
    owner: str | None = None,
    org: str | None = None,
    period: str | None = None,
    lang: str = "vi",
) -> DueView:
    if owner is not None and owner not in dataset.owners:
        hint = did_you_mean(owner, dataset.owners)
        raise UsageProblem(msg('unknown owner "{owner}"{hint}', owner=owner, hint=hint), "--owner")
    if org is not None and org not in dataset.orgs.units:
        raise UsageProblem(
            msg('unknown org "{org}"{hint}', org=org, hint=did_you_mean(org, dataset.orgs.units)), "--org"
        )
    items = owed(dataset, as_of, within)
    if owner is not None:
        items = [
            i for i in items if _under(dataset, i.accountable, owner) or _under(dataset, i.current, owner)
        ]
    if org is not None:
        items = [i for i in items if i.org == org]
    if period is not None:
        items = [i for i in items if i.period.text == period]
    items.sort(key=lambda i: (i.due, i.kpi, i.org or ""))
    has_calendar = any(calendar(k, dataset.reporting) is not None for k in dataset.kpis.values())
    return DueView(dataset, items, summary(items), by_owner(items), lang, as_of, has_calendar)


def owned_by(dataset: Dataset, owner: str, as_of: date) -> Dataset:
    """The plan narrowed to the KPIs this owner (or one under it) holds at as_of (--owner)."""
    from dataclasses import replace

    from kpi.loadreporting import owner_on

    if owner not in dataset.owners:
        hint = did_you_mean(owner, dataset.owners)
        raise UsageProblem(msg('unknown owner "{owner}"{hint}', owner=owner, hint=hint), "--owner")
    kept = {
        k: kpi
        for k, kpi in dataset.kpis.items()
        if _under(dataset, owner_on(kpi, dataset.sectors.get(kpi.sector), dataset.owner_rules, as_of), owner)
    }
    return replace(dataset, kpis=kept, _by_kpi=None)


def for_owners(view: DueView) -> list[tuple[str, DueView]]:
    """The view split by the owner reminded now (a file name each: its id, or "unowned"), with
    only what it owes: overdue, and due soon."""
    owing = [i for i in view.items if i.state in ("overdue", "due_soon")]
    names = sorted({i.current or "" for i in owing})
    out = []
    for name in names:
        mine = [i for i in owing if (i.current or "") == name]
        out.append(
            (name or "unowned", view._replace(items=mine, overall=summary(mine), owners=by_owner(mine)))
        )
    return out


def calendar_problems(dataset: Dataset, checks: Sequence[str], today: date) -> list[Problem]:
    """validate --check unowned (a KPI with a calendar and no owner today fails) and --check
    calendar (a KPI with targets and no calendar fails)."""
    from kpi.loadreporting import owner_on

    problems = []
    name = str(dataset.targets_path or "targets.toml")
    for kpi in dataset.kpis.values():
        path = f'kpi "{kpi.id}" (kpi[{kpi.position}])'
        has = calendar(kpi, dataset.reporting) is not None
        if (
            "unowned" in checks
            and has
            and not owner_on(kpi, dataset.sectors.get(kpi.sector), dataset.owner_rules, today)
        ):
            problems.append(
                Problem(name, msg("has a reporting calendar and no owner (--check unowned)"), path)
            )
        if "calendar" in checks and kpi.targets and not has:
            problems.append(
                Problem(name, msg("has targets and no reporting calendar (--check calendar)"), path)
            )
    return problems


def owners_at(dataset: Dataset, as_of: date) -> dict[str, str]:
    """Each KPI's owner at as_of ("" for none)."""
    from kpi.loadreporting import owner_on

    return {
        k: owner_on(kpi, dataset.sectors.get(kpi.sector), dataset.owner_rules, as_of) or ""
        for k, kpi in dataset.kpis.items()
    }
