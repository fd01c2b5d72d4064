"""Whether new figures may join actuals.toml: the loader's rules on each one alone, then what
validate would newly say of the KPIs' figures with them. Shared by kpi record and kpi import,
so that both accept exactly what kpi validate accepts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from kpi.i18n import Message, msg, tr
from kpi.model import Dataset
from kpi.problems import Problem, did_you_mean
from kpi.record import Entry


class Refusal(NamedTuple):
    field: str | None  # the field whose value is wrong ("value"), or None for the figure as a whole
    message: Message | str
    alone: Message | str | None = None  # the message without the field's name, for an option


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
            out.append(Refusal(key, msg("{key} {problem}", key=key, problem=wrong), wrong))
    wrong = bounds_problem(kpi, entry.value)
    if wrong is not None:
        # On a command line only the KPI's id was typed: the bound names the KPI it belongs to.
        named = bounds_problem(kpi, entry.value, named=True)
        out.append(
            Refusal(
                "value",
                msg("value {value:g} {problem}", value=entry.value, problem=wrong),
                msg("{value:g} {problem}", value=entry.value, problem=named),
            )
        )
    if out:
        return out
    checked: list[Problem] = []
    actuals_from({"actual": [entry.table()]}, file, dataset, checked)
    return [Refusal(_field_of(p.message), p.message) for p in checked if not p.warning]


def _field_of(message: str) -> str | None:
    """The field a loader message is about: the one it starts with ("period: invalid...",
    "plan_share 20 must..."), else the first it quotes ('"change" and "change_from"...')."""
    from kpi.schema import ACTUAL

    first = re.match(r"[a-z_]+", message)
    if first and first.group() in ACTUAL:
        return first.group()
    quoted = next((q for q in re.findall(r'"([a-z_]+)"', message) if q in ACTUAL), None)
    return quoted


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
    old: Sequence[Any],
    new: Sequence[Any],
    kpi_ids: Iterable[str],
    dataset: Dataset,
    file: str,
    name: Callable[[int], str] | None = None,
    others: Sequence[tuple[str, Sequence[Any]]] = (),
) -> tuple[list[str], list[str]]:
    """The errors and warnings validate gives of the KPIs' figures in new that it did not give in
    old (a month overlapping a quarter, a stated change contradicting a figure), in the reader's
    language. Each figure is named by its place in the whole file (actual[12]), or by name(n)
    for the n-th table of new (1-based) when given: a sheet's row, say. others are the plan's
    other actuals files (name, tables): their figures of these KPIs are checked with the new
    ones, each named with its file."""
    from kpi.derive import derive
    from kpi.loader import actuals_from

    ids = related(dataset, kpi_ids)
    kpis = {k: dataset.kpis[k] for k in ids if k in dataset.kpis}
    before: list[Any] = []
    labels: list[str] = []
    for other, tables in others:
        for k, table in enumerate(tables, 1):
            if isinstance(table, dict) and table.get("kpi") in ids:
                before.append(table)
                labels.append(f"{other}: actual[{k}]")
    old, new = [*before, *old], [*before, *new]

    def label(n: int) -> str:
        if n <= len(before):
            return labels[n - 1]
        return name(n - len(before)) if name is not None else f"actual[{n - len(before)}]"

    def said(raws: Sequence[Any]) -> tuple[list[str], list[str]]:
        problems: list[Problem] = []
        places = [n for n, r in enumerate(raws, 1) if isinstance(r, dict) and r.get("kpi") in ids]
        mine = [raws[n - 1] for n in places]
        figures = actuals_from({"actual": mine}, file, dataset, problems)
        if not [p for p in problems if not p.warning]:
            own = [f for f in figures if f.org is None]  # derived figures are the plan's own
            problems += derive(kpis, own, file, "", dataset.plan.period)[2]

        def named(text: str) -> str:
            # The checks saw only these KPIs' tables: actual[3] there is the file's places[2].
            def place(match: re.Match[str]) -> str:
                local = int(match.group(1))
                if not 1 <= local <= len(places):
                    return match.group()
                return label(places[local - 1])

            return re.sub(r"actual\[(\d+)\]", place, text)

        def text(p: Problem) -> str:
            said = named(tr(p.message))
            # Naming each figure's own place (a sheet's row) says which of them is refused: two
            # figures can draw the same words ("duplicate: actual[1] already records...").
            if not p.path:
                return said
            if name is None:
                where = re.sub(r"^actual\[\d+\]", lambda m: named(m.group()), p.path)
            else:  # the path's own '(kpi "x", period "y")' is in the name given already
                where = re.sub(
                    r"^actual\[(\d+)\]( \(.*\))?$", lambda m: named(f"actual[{m.group(1)}]"), p.path
                )
            return f"{where}: {said}"

        errors = [text(p) for p in problems if not p.warning]
        warnings = [text(p) for p in problems if p.warning]
        return errors, warnings

    errors_before, warnings_before = said(old)
    errors_after, warnings_after = said(new)
    fresh = list(dict.fromkeys(e for e in errors_after if e not in errors_before))
    warnings = list(dict.fromkeys(w for w in warnings_after if w not in warnings_before))
    return fresh, warnings
