"""What changed: between two meetings (the same files at two as-of dates), or between two
versions of the files (git revisions) at one as-of date.

Plain values in, plain values out: the command line reads the files (or `git show`s them) and
hands the two datasets here; a renderer (kpi/diffout.py) says the result.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from kpi.assess import Assessment, assess, known_actuals
from kpi.due import DueItem
from kpi.model import Actual, Dataset, Kpi, Target

# Worse lights come first; a KPI that loses its light to grey has got worse too.
LIGHT_ORDER = {"red": 0, "amber": 1, "grey": 2, "green": 3}


class StatusChange(NamedTuple):
    kpi: Kpi
    before: Assessment | None  # None: the KPI is new
    after: Assessment | None  # None: the KPI was removed

    @property
    def worse(self) -> bool:
        """Its light got worse, or it was lost: a red or amber KPI removed (or renamed), any
        colour turned grey (its figure deleted, say). A check cannot be passed by hiding."""
        if self.before is None:
            return False
        if self.after is None:
            return self.before.light in ("red", "amber")
        if self.after.light == "grey":
            return self.before.light != "grey"
        return LIGHT_ORDER[self.after.light] < LIGHT_ORDER[self.before.light]

    @property
    def better(self) -> bool:
        if self.before is None or self.after is None or self.after.light == "grey":
            return False
        return LIGHT_ORDER[self.after.light] > LIGHT_ORDER[self.before.light]


class FigureChange(NamedTuple):
    kpi: str
    period: str
    before: Actual | None  # None: a new figure
    after: Actual | None  # None: a deleted figure (between versions of the files)


class TargetChange(NamedTuple):
    kpi: str
    period: str
    before: Target | None
    after: Target | None


class Diff(NamedTuple):
    statuses: list[StatusChange]  # worst first
    figures: list[FigureChange]  # new, revised and deleted figures
    targets: list[TargetChange]  # changed targets (between versions), or targets that became due
    overdue: list[Kpi]  # became overdue (short of a milestone whose date passed, no final figure)
    became_due: list[tuple[Kpi, Target]]
    # The reporting cycle (with a calendar): reports that became overdue, reports that came in
    # (on time or late), and KPIs whose owner changed: (kpi, owner before, owner after).
    reports_overdue: tuple[DueItem, ...] = ()
    reports_received: tuple[DueItem, ...] = ()
    owners_changed: tuple[tuple[str, str | None, str | None], ...] = ()

    @property
    def worse(self) -> bool:
        return any(c.worse for c in self.statuses)


def _figures(dataset: Dataset, as_of: date) -> dict[tuple[str, date, date], Actual]:
    """The figure that counts for each KPI and span at as_of (the latest revision known)."""
    found: dict[tuple[str, date, date], Actual] = {}
    for kpi_id, actuals in dataset.actuals_by_kpi().items():
        for a in known_actuals(actuals, as_of):
            found[kpi_id, a.date, a.start] = a
    return found


def _order(change: StatusChange) -> tuple[int, int, int]:
    """Worse first (to red before to amber), then the better ones, then new and removed KPIs."""
    after = LIGHT_ORDER[change.after.light] if change.after else 9
    kind = 0 if change.worse else 1 if change.better else 2
    return kind, after, change.kpi.position


def compare(
    before: Dataset,
    after: Dataset,
    as_of_before: date,
    as_of_after: date,
    kpis: Iterable[str] | None = None,
) -> Diff:
    """Every change from before (at as_of_before) to after (at as_of_after), for the KPIs named
    (default: all of either)."""
    wanted = set(kpis) if kpis is not None else set(before.kpis) | set(after.kpis)
    old = {
        a.kpi.id: a for a in assess(before, as_of_before, [k for k in before.kpis.values() if k.id in wanted])
    }
    new = {
        a.kpi.id: a for a in assess(after, as_of_after, [k for k in after.kpis.values() if k.id in wanted])
    }
    statuses = []
    for kpi_id in sorted(wanted, key=lambda k: (after.kpis.get(k) or before.kpis[k]).position):
        a, b = old.get(kpi_id), new.get(kpi_id)
        if a is not None and b is not None and (a.status, a.light) == (b.status, b.light):
            continue
        kpi = (b or a).kpi  # type: ignore[union-attr]
        statuses.append(StatusChange(kpi, a, b))
    statuses.sort(key=_order)

    figures: list[FigureChange] = []
    was, now = _figures(before, as_of_before), _figures(after, as_of_after)
    for key in sorted(set(was) | set(now), key=lambda k: (k[0], k[1], k[2])):
        if key[0] not in wanted:
            continue
        x, y = was.get(key), now.get(key)
        if x is not None and y is not None and x.value == y.value:
            continue
        figures.append(FigureChange(key[0], (y or x).period.text, x, y))  # type: ignore[union-attr]

    targets: list[TargetChange] = []
    for kpi_id in sorted(wanted):
        x_targets = {t.date: t for t in before.kpis[kpi_id].targets} if kpi_id in before.kpis else {}
        y_targets = {t.date: t for t in after.kpis[kpi_id].targets} if kpi_id in after.kpis else {}
        for when in sorted(set(x_targets) | set(y_targets)):
            x_t, y_t = x_targets.get(when), y_targets.get(when)
            if x_t is not None and y_t is not None and (x_t.value, x_t.stretch) == (y_t.value, y_t.stretch):
                continue
            targets.append(TargetChange(kpi_id, (y_t or x_t).period.text, x_t, y_t))  # type: ignore[union-attr]

    overdue = [
        new[k].kpi for k in sorted(new, key=lambda k: new[k].kpi.position)
        if new[k].overdue and not (k in old and old[k].overdue)
    ]  # fmt: skip
    became_due: list[tuple[Kpi, Target]] = []
    if as_of_after > as_of_before:
        for kpi in after.kpis.values():
            if kpi.id in wanted:
                became_due += [(kpi, t) for t in kpi.targets if as_of_before < t.date <= as_of_after]
    late, came, moved = _cycle(before, after, as_of_before, as_of_after, wanted)
    return Diff(statuses, figures, targets, overdue, became_due, tuple(late), tuple(came), tuple(moved))


def _cycle(
    before: Dataset, after: Dataset, old: date, new: date, wanted: set[str]
) -> tuple[list[DueItem], list[DueItem], list[tuple[str, str | None, str | None]]]:
    """What changed in the reporting cycle: only for plans that declare one."""
    from kpi.due import calendar, owed
    from kpi.loadreporting import owner_on

    if not any(calendar(k, after.reporting) for k in after.kpis.values()) and not after.owners:
        return [], [], []
    was = {(i.kpi, i.org, i.period.text): i for i in owed(before, old, 0) if i.kpi in wanted}
    now = [i for i in owed(after, new, 0) if i.kpi in wanted]
    arrived = ("on_time", "late", "date_unknown")
    overdue = [
        i
        for i in now
        if i.state == "overdue" and getattr(was.get((i.kpi, i.org, i.period.text)), "state", "") != "overdue"
    ]
    received = [
        i
        for i in now
        if i.state in arrived and getattr(was.get((i.kpi, i.org, i.period.text)), "state", "") not in arrived
    ]
    owners = []
    for kpi in after.kpis.values():
        if kpi.id not in wanted:
            continue
        then = before.kpis.get(kpi.id)
        x = owner_on(then, before.sectors.get(then.sector), before.owner_rules, old) if then else None
        y = owner_on(kpi, after.sectors.get(kpi.sector), after.owner_rules, new)
        if (x or None) != (y or None):
            owners.append((kpi.id, x or None, y or None))
    return overdue, received, owners


def worse_first(changes: Sequence[StatusChange]) -> list[StatusChange]:
    return sorted(changes, key=_order)
