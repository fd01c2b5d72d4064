"""[[org]], [[merge]] and [[rename]] checked and built into the organisation tree (kpi/orgs.py)."""

import re
from datetime import date, timedelta
from typing import Any

from kpi import schema
from kpi.fields import (
    MERGE_FIELDS,
    ORG_FIELDS,
    RENAME_FIELDS,
    UNIT_TARGET_FIELDS,
    _finite,
    _fmt,
    _kind,
    _period,
    _Report,
    bounds_problem,
)
from kpi.i18n import msg
from kpi.model import Kpi, Target
from kpi.orgs import NO_ORGS, Merge, Org, Orgs
from kpi.problems import did_you_mean

ORG_ID = re.compile(schema.ORG_ID.rstrip("$") + r"\Z")
ONE_DAY = timedelta(days=1)


def load_orgs(doc: dict[str, Any], report: _Report) -> Orgs:
    """The tree from a document's [[org]], [[merge]] and [[rename]] tables (none: NO_ORGS, a
    plan whose figures are all the plan's own)."""
    units: dict[str, Org] = {}
    for index, raw in enumerate(_tables(doc, "org", report), 1):
        unit = _org(raw, index, report)
        if unit is None:
            continue
        if unit.id in units:
            where = f'org "{unit.id}" (org[{index}])'
            report.add(
                where, msg("duplicate org id: already declared at org[{n}]", n=str(units[unit.id].position))
            )
            continue
        units[unit.id] = unit
    merges = [
        m for n, raw in enumerate(_tables(doc, "merge", report), 1) if (m := _merge(raw, n, units, report))
    ]
    units = _with_merges(units, merges, report)
    for n, raw in enumerate(_tables(doc, "rename", report), 1):
        _rename(raw, n, units, report)
    if not units:
        return NO_ORGS
    roots = [u for u in units.values() if u.parent is None]
    for unit in units.values():
        if unit.parent is not None and unit.parent not in units:
            report.add(
                _where(unit),
                msg(
                    'parent "{parent}" is not a declared org{hint}',
                    parent=unit.parent,
                    hint=did_you_mean(unit.parent, units),
                ),
            )
    for too_deep in _cycles(units, report):  # said once; left out, so that nothing recurses that deep
        del units[too_deep]
    _generations(merges, report)
    _within_parents(units, report)
    for n, merge in enumerate(merges, 1):
        if any(u in (merge.into, *merge.sources) for u in (r.id for r in roots)):
            report.add(f'merge[{n}] (into "{merge.into}")', msg("the root (the country) is never merged"))
    if len(roots) != 1:
        names = ", ".join(f'"{u.id}"' for u in roots) or msg("none")
        report.add(
            "[[org]]",
            msg(
                "the orgs need exactly one root, an org without a parent (the country); found {roots}",
                roots=names,
            ),
        )
        return NO_ORGS if not roots else Orgs(units, roots[0].id, tuple(merges))
    return Orgs(units, roots[0].id, tuple(merges))


def _tables(doc: dict[str, Any], key: str, report: _Report) -> list[dict[str, Any]]:
    raw = doc.get(key, [])
    if not isinstance(raw, list):
        report.add(
            None, msg('"{key}" must be an array of [[{key}]] tables, not {found}', key=key, found=_kind(raw))
        )
        return []
    out = []
    for n, table in enumerate(raw, 1):
        if isinstance(table, dict):
            out.append(table)
        else:
            report.add(f"{key}[{n}]", msg("must be a table, not {found}", found=_kind(table)))
    return out


def _where(unit: Org) -> str:
    return f'org "{unit.id}" (org[{unit.position}])'


def _org(raw: dict[str, Any], index: int, report: _Report) -> Org | None:
    org_id = raw.get("id")
    path = f'org "{org_id}" (org[{index}])' if isinstance(org_id, str) else f"org[{index}]"
    if not report.fields(raw, ORG_FIELDS, schema.REQUIRED["org"], path):
        return None
    ok = True
    for key in ("id", "parent"):
        value = raw.get(key)
        if value is not None and not ORG_ID.match(value):
            report.add(path, msg('{key} "{id}" must use only a-z, 0-9, "_", "." and "-"', key=key, id=value))
            ok = False
    start, end = raw.get("valid_from"), raw.get("valid_until")
    if start is not None and end is not None and end < start:
        report.add(path, msg("valid_until {until} is before valid_from {start}", until=end, start=start))
        ok = False
    if raw.get("parent") == org_id:
        report.add(path, msg("an org cannot be its own parent"))
        ok = False
    if not ok:
        return None
    return Org(
        id=raw["id"],
        name=raw["name"],
        parent=raw.get("parent"),
        name_en=raw.get("name_en"),
        valid_from=start,
        valid_until=end,
        code=raw.get("code"),
        position=index,
    )


def _merge(raw: dict[str, Any], index: int, units: dict[str, Org], report: _Report) -> Merge | None:
    path = f"merge[{index}]"
    if isinstance(raw.get("into"), str):
        path = f'merge[{index}] (into "{raw["into"]}")'
    if not report.fields(raw, MERGE_FIELDS, schema.REQUIRED["merge"], path):
        return None
    ok = True
    for org in [*raw["from"], raw["into"]]:
        if org not in units:
            report.add(path, msg('unknown org "{org}"{hint}', org=org, hint=did_you_mean(org, units)))
            ok = False
    if raw["into"] in raw["from"]:
        report.add(path, msg('"{org}" cannot be merged into itself', org=raw["into"]))
        ok = False
    if len(set(raw["from"])) != len(raw["from"]):
        report.add(path, msg('"from" names an org twice'))
        ok = False
    if not ok:
        return None
    return Merge(raw["date"], tuple(raw["from"]), raw["into"], raw["source"], raw.get("quote"))


def _with_merges(units: dict[str, Org], merges: list[Merge], report: _Report) -> dict[str, Org]:
    """The units with the validity each merge implies: a predecessor's last day is the day before
    the merge, the successor's first day the merge's date; written dates must agree."""
    merged: dict[str, int] = {}
    formed: dict[str, int] = {}
    for n, merge in enumerate(merges, 1):
        path = f'merge[{n}] (into "{merge.into}")'
        last = merge.day - ONE_DAY
        if merge.into in formed:  # one unit is formed once; say all its predecessors there
            report.add(
                path,
                msg('"{org}" is already formed by merge[{n}]', org=merge.into, n=str(formed[merge.into])),
            )
            continue
        formed[merge.into] = n
        for org in merge.sources:
            if org in merged:
                report.add(
                    path, msg('"{org}" is merged twice: also by merge[{n}]', org=org, n=str(merged[org]))
                )
                continue
            merged[org] = n
            unit = units[org]
            if unit.valid_until is not None and unit.valid_until != last:
                report.add(
                    _where(unit),
                    msg(
                        "valid_until {until} disagrees with merge[{n}]: merged on {day}, its last day is "
                        "{last}",
                        until=unit.valid_until,
                        n=str(n),
                        day=merge.day,
                        last=last,
                    ),
                )
            elif unit.valid_from is not None and unit.valid_from > last:
                report.add(
                    path, msg('"{org}" is not valid on {last}, the day before the merge', org=org, last=last)
                )
            else:
                units[org] = unit._replace(valid_until=last)
        successor = units[merge.into]
        if successor.valid_from is not None and successor.valid_from != merge.day:
            report.add(
                _where(successor),
                msg(
                    "valid_from {start} disagrees with merge[{n}], which creates it on {day}",
                    start=successor.valid_from,
                    n=str(n),
                    day=merge.day,
                ),
            )
        elif successor.valid_until is not None and successor.valid_until < merge.day:
            report.add(
                path,
                msg('"{org}" is not valid on {day}, the day of the merge', org=merge.into, day=merge.day),
            )
        else:
            units[merge.into] = successor._replace(valid_from=merge.day)
    return units


def _rename(raw: dict[str, Any], index: int, units: dict[str, Org], report: _Report) -> None:
    path = f"rename[{index}]"
    if not report.fields(raw, RENAME_FIELDS, schema.REQUIRED["rename"], path):
        return
    unit = units.get(raw["org"])
    if unit is None:
        report.add(
            path, msg('unknown org "{org}"{hint}', org=raw["org"], hint=did_you_mean(raw["org"], units))
        )
        return
    if not unit.valid_on(raw["date"]):
        report.add(
            path, msg('"{org}" is not valid on {day}, the day of the rename', org=unit.id, day=raw["date"])
        )
        return
    until = raw["date"] - ONE_DAY
    units[unit.id] = unit._replace(former_names=(*unit.former_names, (until, raw["from"])))


def _within_parents(units: dict[str, Org], report: _Report) -> None:
    """A unit exists only while its parent does: a figure for it would otherwise belong to no one."""
    for unit in units.values():
        parent = units.get(unit.parent) if unit.parent is not None else None
        if parent is None:
            continue
        if parent.valid_until is not None and (
            unit.valid_until is None or unit.valid_until > parent.valid_until
        ):
            report.add(
                _where(unit),
                msg(
                    'is valid after its parent "{parent}" ends ({day})',
                    parent=parent.id,
                    day=parent.valid_until,
                ),
            )
        elif parent.valid_from is not None and (
            unit.valid_from is None or unit.valid_from < parent.valid_from
        ):
            report.add(
                _where(unit),
                msg(
                    'is valid before its parent "{parent}" begins ({day})',
                    parent=parent.id,
                    day=parent.valid_from,
                ),
            )


# A country's units nest a few levels (province, commune; a ministry's departments, divisions);
# far deeper is a mistake in the file, and roll-ups and merger chains are followed that deep.
MAX_DEPTH = 16
MAX_GENERATIONS = 32


def _cycles(units: dict[str, Org], report: _Report) -> set[str]:
    """A chain of parents that comes back to where it began, or that is deeper than MAX_DEPTH;
    each unit's depth found once (linear in the number of units). Returns the units too deep."""
    depth: dict[str, int] = {}
    for unit in units.values():
        chain = [unit.id]
        on_chain = {unit.id}
        parent = unit.parent
        while parent is not None and parent in units and parent not in depth and parent not in on_chain:
            chain.append(parent)
            on_chain.add(parent)
            parent = units[parent].parent
        if parent is not None and parent in on_chain:
            loop = chain[chain.index(parent) :]
            report.add(
                _where(units[parent]), msg("parents form a cycle: {chain}", chain=" → ".join([*loop, parent]))
            )
            for member in chain:
                depth[member] = 0  # reported once; not measured
            continue
        below = depth.get(parent, 0) if parent is not None and parent in units else -1
        for member in reversed(chain):
            below += 1
            depth[member] = below
            if below == MAX_DEPTH + 1:
                report.add(
                    _where(units[member]),
                    msg(
                        "is nested {n} levels below the root; kpi follows at most {max}",
                        n=below,
                        max=MAX_DEPTH,
                    ),
                )
    return {u for u, d in depth.items() if d > MAX_DEPTH}


def _generations(merges: list[Merge], report: _Report) -> None:
    """A unit formed by a merger of units formed by mergers…: at most MAX_GENERATIONS deep."""
    generation: dict[str, int] = {}
    for n, merge in sorted(enumerate(merges, 1), key=lambda m: m[1].day):
        generation[merge.into] = 1 + max((generation.get(s, 0) for s in merge.sources), default=0)
        if generation[merge.into] == MAX_GENERATIONS + 1:
            report.add(
                f'merge[{n}] (into "{merge.into}")',
                msg(
                    "makes a chain of {n} mergers, one after another; kpi follows at most {max}",
                    n=MAX_GENERATIONS + 1,
                    max=MAX_GENERATIONS,
                ),
            )


def load_unit_targets(
    doc: dict[str, Any], kpis: dict[str, Kpi], orgs: Orgs, report: _Report
) -> dict[tuple[str, str], tuple[Target, ...]]:
    """The [[target]] tables: targets set for units, by (KPI, unit), in date order."""
    out: dict[tuple[str, str], list[Target]] = {}
    seen: dict[tuple[str, str, date], int] = {}
    for index, raw in enumerate(_tables(doc, "target", report), 1):
        kpi_id, org = raw.get("kpi"), raw.get("org")
        path = f'target[{index}] (kpi "{kpi_id}", org "{org}")'
        if not report.fields(raw, UNIT_TARGET_FIELDS, schema.REQUIRED["unit_target"], path):
            continue
        kpi_id, org = str(kpi_id), str(org)  # checked just above
        period = _period(report, path, raw["period"])
        kpi = kpis.get(kpi_id)
        if kpi is None:
            report.add(path, msg('unknown KPI "{kpi}"{hint}', kpi=kpi_id, hint=did_you_mean(kpi_id, kpis)))
            continue
        if org == orgs.root:
            report.add(
                path, msg("the plan's own target is the KPI's targets = [...]; [[target]] is for units")
            )
            continue
        if org not in orgs.units:
            report.add(path, msg('unknown org "{org}"{hint}', org=org, hint=did_you_mean(org, orgs.units)))
            continue
        if period is None:
            continue
        # A target set before a merger for a later year stays: its successor's is the sum.
        unit = orgs.units[org]
        if unit.valid_from is not None and period.end < unit.valid_from:
            report.add(
                path,
                msg('org "{org}" is not valid on {day}, the last day of period {period}{hint}',
                    org=org, day=period.end, period=period.text, hint=""),
            )  # fmt: skip
            continue
        value, stretch = raw["value"], raw.get("stretch")
        wrong = bounds_problem(kpi, float(value)) if _finite(value) else msg("must be a finite number")
        if wrong is not None:
            report.add(path, msg("value {value} {problem}", value=_fmt(value), problem=wrong))
            continue
        if stretch is not None and kpi.sign * (stretch - value) <= 0:
            report.add(
                path,
                msg(
                    "stretch {stretch} must lie beyond its value {value}",
                    stretch=_fmt(stretch),
                    value=_fmt(value),
                ),
            )
            continue
        key = (kpi.id, org, period.end)
        if key in seen:
            report.add(
                path,
                msg(
                    "duplicate: target[{n}] already sets this KPI's target for the unit and period",
                    n=str(seen[key]),
                ),
            )
            continue
        seen[key] = index
        out.setdefault((kpi.id, org), []).append(
            Target(period, float(value), None if stretch is None else float(stretch), raw["source"],
                   raw.get("quote"), raw.get("note"), bool(raw.get("derived", False)))
        )  # fmt: skip
    return {key: tuple(sorted(targets, key=lambda t: t.date)) for key, targets in out.items()}
