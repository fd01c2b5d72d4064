"""The reporting cycle's data checked and built: [reporting] (the plan's calendar), [owners.ID],
[[owner_rule]], and each KPI's owner, owners and calendar."""

import fnmatch
import functools
import itertools
from datetime import date
from typing import Any

from kpi.fields import OWNER_FIELDS, OWNER_RULE_FIELDS, REPORTING_FIELDS, _kind, _period, _Report
from kpi.i18n import msg
from kpi.loadorgs import ORG_ID as _OWNER_ID  # an owner's id follows an org's: it names files
from kpi.model import Assignment, Due, Kpi, Owner, Reporting, Sector
from kpi.problems import did_you_mean


def reporting_of(raw: dict[str, Any], report: _Report, path: str) -> Reporting | None:
    """A table's calendar keys (its types already checked), or None when it has none."""
    keys = ("frequency", "due", "cutoff", "reporting_from", "next_release", "reported_by")
    if not any(key in raw for key in keys):
        return None
    due = raw.get("due")
    start = _period(report, path, raw.get("reporting_from"), "reporting_from")
    if isinstance(due, dict) and "day" in due and not 1 <= due["day"] <= 31:
        report.add(path, msg("due day {day} must be 1 to 31 (a shorter month ends earlier)", day=due["day"]))
        due = None
    elif isinstance(due, dict) and not (
        -366 <= due.get("days", 0) <= 3660 and -24 <= due.get("months", 0) <= 24
    ):
        report.add(
            path, msg("due must lie within 10 years after the period (days) or 2 years of it (months)")
        )
        due = None
    if start is not None and not 1900 <= start.end.year <= 2999:
        report.add(path, msg("reporting_from {period} is not a year a plan reports in", period=start.text))
        start = None
    return Reporting(
        frequency=raw.get("frequency"),
        due=Due(**due) if isinstance(due, dict) else None,
        cutoff=raw.get("cutoff"),
        reporting_from=start,
        next_release=raw.get("next_release"),
        reported_by=raw.get("reported_by"),
    )


def assignments_of(raw: dict[str, Any], report: _Report, path: str) -> tuple[Assignment, ...]:
    """owner = "x" (always) or owners = [{ owner, from, until }], never both; no two at once."""
    if "owner" in raw and "owners" in raw:
        report.add(path, msg('"owner" and "owners" together: give one owner, or the list over time'))
        return ()
    if "owner" in raw:
        return (Assignment(raw["owner"]),)
    out = [Assignment(a["owner"], a.get("from"), a.get("until")) for a in raw.get("owners", ())]
    for a in out:
        if a.start and a.end and a.end < a.start:
            report.add(path, msg('owners: "{owner}" until {until} is before its from {start}', owner=a.owner,
                                 until=a.end, start=a.start))  # fmt: skip
    ordered = sorted(out, key=lambda a: a.start or date.min)
    for before, after in itertools.pairwise(ordered):
        if before.end is None or (after.start is not None and after.start <= before.end):
            report.add(
                path,
                msg('owners: "{a}" and "{b}" both hold it on {day}', a=before.owner, b=after.owner,
                    day=after.start or date.min),
            )  # fmt: skip
    return tuple(out)


def load_owners(
    doc: dict[str, Any], report: _Report
) -> tuple[Reporting | None, dict[str, Owner], tuple[tuple[str, str], ...]]:
    """[reporting], [owners.ID] and [[owner_rule]]."""
    reporting = None
    raw = doc.get("reporting")
    if isinstance(raw, dict) and report.fields(raw, REPORTING_FIELDS, (), "[reporting]"):
        reporting = reporting_of(raw, report, "[reporting]")
    owners: dict[str, Owner] = {}
    raw_owners = doc.get("owners")
    if isinstance(raw_owners, dict):
        for owner_id, table in raw_owners.items():
            path = f"[owners.{owner_id}]"
            if not isinstance(table, dict):
                report.add(path, msg("must be a table, not {found}", found=_kind(table)))
                continue
            if not _OWNER_ID.match(owner_id):  # it names files (kpi due --by-owner) and columns
                # Line breaks shown as escapes: the problem stays one line (printing escapes the rest).
                shown = owner_id.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
                report.add(
                    f"[owners.{shown}]",
                    msg('owner id "{id}" must use only a-z, 0-9, "_", "." and "-"', id=shown),
                )
                continue
            if report.fields(table, OWNER_FIELDS, ("name",), path):
                owners[owner_id] = Owner(
                    owner_id, table["name"], table.get("name_en"), table.get("parent"), table.get("contact"),
                    table.get("email"), table.get("from"), table.get("until"), table.get("successor"),
                )  # fmt: skip
    for owner in owners.values():
        for key, other in (("parent", owner.parent), ("successor", owner.successor)):
            if other is not None and other not in owners:
                report.add(
                    f"[owners.{owner.id}]",
                    msg(
                        '{key} "{owner}" is not an owner{hint}',
                        key=key,
                        owner=other,
                        hint=did_you_mean(other, owners),
                    ),
                )
    for owner in owners.values():  # a successor of itself, or parents that come back around
        if owner.successor == owner.id:
            report.add(f"[owners.{owner.id}]", msg("an owner cannot be its own successor"))
        seen, parent = {owner.id}, owner.parent
        while parent is not None and parent in owners and parent not in seen:
            seen.add(parent)
            parent = owners[parent].parent
        if parent == owner.id:
            report.add(f"[owners.{owner.id}]", msg("parents form a cycle back to it"))
    rules: list[tuple[str, str]] = []
    raw_rules = doc.get("owner_rule", [])
    for n, rule in enumerate(raw_rules if isinstance(raw_rules, list) else [], 1):
        path = f"owner_rule[{n}]"
        if not isinstance(rule, dict):
            report.add(path, msg("must be a table, not {found}", found=_kind(rule)))
        elif report.fields(rule, OWNER_RULE_FIELDS, ("pattern", "owner"), path):
            rules.append((rule["pattern"], rule["owner"]))
    return reporting, owners, tuple(rules)


def check_owners(
    kpis: dict[str, Kpi],
    sectors: dict[str, Sector],
    owners: dict[str, Owner],
    rules: tuple[tuple[str, str], ...],
    report: _Report,
) -> None:
    """Every owner named exists, and holds a KPI only while it exists."""

    def named(owner: str, path: str) -> bool:
        if owner == "" or owner in owners:
            return True
        report.add(path, msg('unknown owner "{owner}"{hint}', owner=owner, hint=did_you_mean(owner, owners)))
        return False

    for sector in sectors.values():
        if sector.owner is not None:
            named(sector.owner, f"[sectors.{sector.id}]")
    for n, (_pattern, owner) in enumerate(rules, 1):
        named(owner, f"owner_rule[{n}]")
    for kpi in kpis.values():
        path = f'kpi "{kpi.id}" (kpi[{kpi.position}])'
        for a in kpi.owners:
            if not named(a.owner, path) or a.owner == "":
                continue
            o = owners[a.owner]
            if (o.start and (a.start is None or a.start < o.start)) or (
                o.end and (a.end is None or a.end > o.end)
            ):
                report.add(
                    path,
                    msg('"{owner}" holds it outside its own days ({start} to {end})', owner=o.id,
                        start=o.start or "…", end=o.end or "…"),
                )  # fmt: skip


def owner_on(
    kpi: Kpi,
    sector: Sector | None,
    rules: tuple[tuple[str, str], ...],
    day: date,
    owners: dict[str, Owner] | None = None,
) -> str | None:
    """Who owns the KPI on a day: the KPI's own assignment (the last one that ended, when none
    holds that day), else the last matching rule, else its sector's; then, with owners, the
    successor of an owner whose days were over by then. "" is explicitly unowned, None
    unassigned."""
    found: str | None
    if kpi.owners:
        held = [
            a for a in kpi.owners if (a.start is None or a.start <= day) and (a.end is None or day <= a.end)
        ]
        ended = sorted(
            (a for a in kpi.owners if a.end is not None and a.end < day), key=lambda a: a.end or day
        )
        found = held[0].owner if held else (ended[-1].owner if ended else None)
    else:
        found = rule_owner(kpi.id, rules)
        if found is None:
            found = sector.owner if sector is not None else None
    return successor_on(found, day, owners) if owners else found


@functools.lru_cache(maxsize=65536)  # kpi due asks once per period of each KPI
def rule_owner(kpi_id: str, rules: tuple[tuple[str, str], ...]) -> str | None:
    """The owner of the last rule whose pattern matches the id."""
    for pattern, owner in reversed(rules):
        if fnmatch.fnmatchcase(kpi_id, pattern):
            return owner
    return None


def successor_on(owner: str | None, day: date, owners: dict[str, Owner]) -> str | None:
    """The owner itself, or the successor of one whose days were over by then."""
    seen: set[str] = set()
    while owner and owner in owners and owner not in seen:
        seen.add(owner)
        o = owners[owner]
        if o.end is None or day <= o.end or o.successor is None:
            return owner
        owner = o.successor
    return owner
