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
    owners: list[tuple[str | None, Summary]]  # by accountable owner (None: unowned)
    lang: str
    as_of: date
    calendar: bool  # some KPI has a reporting calendar
    reminded: str | None = None  # kpi due --by-owner: whose reminder this is ("": the unowned)


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
    if period is not None:
        from kpi.periods import PeriodError, parse_period

        try:
            period = parse_period(period).text
        except PeriodError as exc:
            raise UsageProblem(exc.args[0], "--period") from None
    items = owed(dataset, as_of, within)
    counted = items  # the figures count what each owner was accountable for; the list shows both
    if owner is not None:
        counted = [i for i in items if _under(dataset, i.accountable, owner)]
        items = [
            i for i in items if _under(dataset, i.accountable, owner) or _under(dataset, i.current, owner)
        ]
    if org is not None:
        items, counted = [i for i in items if i.org == org], [i for i in counted if i.org == org]
    if period is not None:
        items = [i for i in items if i.period.text == period]
        counted = [i for i in counted if i.period.text == period]
    items.sort(key=lambda i: (i.due, i.kpi, i.org or ""))
    has_calendar = any(calendar(k, dataset.reporting) is not None for k in dataset.kpis.values())
    overall, owners = summary(counted, as_of), by_owner(counted, as_of)
    return DueView(dataset, items, overall, owners, lang, as_of, has_calendar)


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
        if _under(
            dataset,
            owner_on(kpi, dataset.sectors.get(kpi.sector), dataset.owner_rules, as_of, dataset.owners),
            owner,
        )
    }
    return replace(dataset, kpis=kept, _by_kpi=None)


def for_owners(view: DueView) -> list[tuple[str, DueView]]:
    """The view split by the owner reminded now, each with a file name (its id in safe
    characters, "(unowned)" for none, never one another owner has), with what it owes (overdue
    and due soon) and its round's figures (what it was accountable for)."""
    import re

    owing = [i for i in view.items if i.state in ("overdue", "due_soon")]
    out = []
    used: set[str] = set()
    for name in sorted({i.current or "" for i in owing}):
        mine = [i for i in owing if (i.current or "") == name]
        theirs = [i for i in view.items if (i.accountable or "") == name]
        base = re.sub(r"[^A-Za-z0-9_-]", "_", name) if name else "(unowned)"
        file, n = base, 2
        while file.casefold() in used:
            file, n = f"{base}-{n}", n + 1
        used.add(file.casefold())
        overall, owners = summary(theirs, view.as_of), by_owner(theirs, view.as_of)
        out.append((file, view._replace(items=mine, overall=overall, owners=owners, reminded=name)))
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
        held = owner_on(kpi, dataset.sectors.get(kpi.sector), dataset.owner_rules, today, dataset.owners)
        if "unowned" in checks and has and held is None:  # "" is unowned on purpose
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
        k: owner_on(kpi, dataset.sectors.get(kpi.sector), dataset.owner_rules, as_of, dataset.owners) or ""
        for k, kpi in dataset.kpis.items()
    }
