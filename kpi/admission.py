"""Whether new figures may join actuals.toml: the loader's rules on each one alone, then what
validate would newly say of the KPIs' figures with them. Shared by kpi record and kpi import,
so that both accept exactly what kpi validate accepts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from kpi.i18n import Message, msg, tr
from kpi.model import Dataset
from kpi.problems import Problem, did_you_mean
from kpi.record import Entry


class Refusal(NamedTuple):
    field: str | None  # the field whose value is wrong ("value"), or None for the figure as a whole
    message: Message | str


def unknown_kpi(kpi_id: str, dataset: Dataset) -> Message:
    return msg('unknown KPI "{kpi}"{hint}', kpi=kpi_id, hint=did_you_mean(kpi_id, dataset.kpis))


def entry_problems(entry: Entry, dataset: Dataset, file: str) -> list[Refusal]:
    """What is wrong with the figure on its own: an unknown KPI, a field's type, the KPI's bounds,
    then the loader itself on the new table."""
    from kpi.loader import actuals_from, bounds_problem, field_problem

    kpi = dataset.kpis.get(entry.kpi)
    if kpi is None:
        return [Refusal("kpi", unknown_kpi(entry.kpi, dataset))]
    out = []
    for key, given in entry.table().items():
        wrong = field_problem(key, given)
        if wrong is not None:
            out.append(Refusal(key, msg("{key} {problem}", key=key, problem=wrong)))
    wrong = bounds_problem(kpi, entry.value)
    if wrong is not None:
        out.append(Refusal("value", msg("value {value:g} {problem}", value=entry.value, problem=wrong)))
    if out:
        return out
    checked: list[Problem] = []
    actuals_from({"actual": [entry.table()]}, file, dataset, checked)
    return [Refusal(None, p.message) for p in checked if not p.warning]


def related(dataset: Dataset, kpi_ids: Iterable[str]) -> set[str]:
    """The KPIs whose checks a new figure of these can change: themselves, what they are derived
    from, and what is derived from them."""
    ids = set(kpi_ids)
    out = set(ids)
    for k in dataset.kpis.values():
        if k.id in ids and k.derived_from:
            out.add(k.derived_from)
        if k.derived_from in ids:
            out.add(k.id)
    return out


def new_problems(
    old: Sequence[Any], new: Sequence[Any], kpi_ids: Iterable[str], dataset: Dataset, file: str
) -> tuple[list[str], list[str]]:
    """The errors and warnings validate gives of the KPIs' figures in new that it did not give in
    old (a month overlapping a quarter, a stated change contradicting a figure), in the reader's
    language."""
    from kpi.derive import derive
    from kpi.loader import actuals_from

    ids = related(dataset, kpi_ids)
    kpis = {k: dataset.kpis[k] for k in ids if k in dataset.kpis}

    def said(raws: Sequence[Any]) -> tuple[list[str], list[str]]:
        problems: list[Problem] = []
        mine = [r for r in raws if isinstance(r, dict) and r.get("kpi") in ids]
        figures = actuals_from({"actual": mine}, file, dataset, problems)
        if not [p for p in problems if not p.warning]:
            problems += derive(kpis, figures, file, "", dataset.plan.period)[2]
        errors = [tr(p.message) for p in problems if not p.warning]
        warnings = [tr(p.message) for p in problems if p.warning]
        return errors, warnings

    errors_before, warnings_before = said(old)
    errors_after, warnings_after = said(new)
    fresh = list(dict.fromkeys(e for e in errors_after if e not in errors_before))
    warnings = list(dict.fromkeys(w for w in warnings_after if w not in warnings_before))
    return fresh, warnings
