"""Which KPIs a reader sees first, as plain selections and orders of the assessment: what needs
attention (worst first), the largest gaps, the targets without any figure. Shared by every
output (the terminal, the reports, the workbook, the slide) so that all say the same."""

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from kpi.assess import Assessment, revisions
from kpi.model import Actual, Dataset
from kpi.statuses import LIGHT_RANK, LIGHTS


def light_counts(results: Sequence[Assessment]) -> dict[str, int]:
    counts: dict[str, int] = {light: 0 for light in LIGHTS}
    for a in results:
        counts[a.light] += 1
    return counts


def needs_attention(results: Sequence[Assessment]) -> list[Assessment]:
    """The red and amber KPIs, worst first."""
    return [a for a in attention_order(results) if a.light in ("red", "amber")]


def without_figures(results: Sequence[Assessment]) -> list[Assessment]:
    """The KPIs with targets and no figure at all."""
    return [a for a in results if not a.known and a.kpi.targets]


def attention_order(results: Iterable[Assessment]) -> list[Assessment]:
    """Worst light first; within a light, the lowest score, then declaration order."""
    return sorted(
        results,
        key=lambda a: (LIGHT_RANK[a.light], a.score if a.score is not None else math.inf, a.kpi.position),
    )


def gap_order(results: Iterable[Assessment], show_all: bool) -> list[Assessment]:
    """Shortfalls, largest relative gap first; achieved ones last and only with show_all."""
    with_gap = [a for a in results if a.gap is not None]
    short = [a for a in with_gap if a.gap is not None and a.gap > 0]
    short.sort(
        key=lambda a: (-(a.relative_gap if a.relative_gap is not None else float("inf")), a.kpi.position)
    )
    if show_all:
        met = sorted((a for a in with_gap if a.gap is not None and a.gap <= 0), key=lambda a: a.kpi.position)
        return short + met
    return short


class FigureRow(NamedTuple):
    """One of a KPI's figures as kpi show lists them: counted at as-of or not, and the value of
    the revision it replaces."""

    figure: Actual
    known: bool
    revises: float | None


def figure_rows(dataset: Dataset, a: Assessment) -> list[FigureRow]:
    """Every figure recorded for the KPI, in date order (revisions in publication order)."""
    known = {id(x) for x in a.known}  # a set: a KPI may have 10^4 figures
    figures = sorted(
        dataset.actuals_by_kpi().get(a.kpi.id, ()), key=lambda x: (x.date, x.published or x.date)
    )
    previous: dict[int, Actual] = {}  # id of a revision -> the revision before it
    for history in revisions(figures).values():
        for before, after in itertools.pairwise(history):
            previous[id(after)] = before
    return [
        FigureRow(x, id(x) in known, previous[id(x)].value if id(x) in previous else None) for x in figures
    ]


# As many KPI rows as a screen (or a slide) holds when there are many: those that need attention.
READABLE_ROWS = 20


class Readable(NamedTuple):
    shown: list[Assessment]
    hidden: int  # rows not shown
    hidden_attention: int  # of them red or amber


def readable_rows(results: Sequence[Assessment], show_all: bool, most: int = READABLE_ROWS) -> Readable:
    """The rows a table or a slide shows: every one when asked or when few; else the red and amber
    ones, worst first, as many as fit."""
    if show_all or len(results) <= most:
        return Readable(list(results), 0, 0)
    attention = needs_attention(results)
    shown = attention[:most]
    return Readable(shown, len(results) - len(shown), len(attention) - len(shown))
