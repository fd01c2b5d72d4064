"""Reports as rows: one column spec per report that gives CSV records and Markdown rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import IO, TYPE_CHECKING, Any

from kpi import display
from kpi.assess import Assessment, SectorSummary
from kpi.i18n import _
from kpi.model import Dataset
from kpi.statuses import LIGHTS

if TYPE_CHECKING:
    pass
from kpi.jsonview import (
    _c,
)

STATUS_COLUMNS = (
    "sector",
    "id",
    "name",
    "unit",
    "latest",
    "latest_period",
    "estimated",
    "target",
    "stretch",
    "target_period",
    "attainment",
    "gap",
    "projected",
    "method",
    "ratio",
    "status",
    "light",
    "stale",
    "missed_milestones",
)


def status_records(results: Sequence[Assessment], lang: str) -> list[dict[str, Any]]:
    rows = []
    for a in results:
        m, latest = a.milestone, a.judged  # the figure the attainment and gap are about
        rows.append(
            {
                "sector": a.kpi.sector,
                "id": a.kpi.id,
                "name": a.kpi.label(lang),
                "unit": a.kpi.unit,
                "latest": None if latest is None else latest.value,
                "latest_period": None if latest is None else latest.period.text,
                "estimated": None if latest is None else latest.estimated,
                "target": None if m is None else m.value,
                "stretch": None if m is None else m.stretch,
                "target_period": None if m is None else m.period.text,
                "attainment": _c(a.attainment),
                "gap": _c(a.gap),
                "projected": _c(a.projected),
                "method": a.method,
                "ratio": _c(a.ratio),
                "status": a.status,
                "light": a.light,
                "stale": a.stale,
                "missed_milestones": " ".join(v.target.period.text for v in a.missed_before),
            }
        )
    return rows


def _csv(records: list[dict[str, Any]], columns: Sequence[str], out: IO[str]) -> None:
    from kpi import csvout

    csvout.write(records, columns, out)


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]], out: IO[str]) -> None:
    out.write("| " + " | ".join(header) + " |\n")
    out.write("|" + "|".join("---" for _ in header) + "|\n")
    for row in rows:
        out.write("| " + " | ".join(row) + " |\n")


def _summary_counts(summaries: Sequence[SectorSummary]) -> dict[str, int]:
    total: dict[str, int] = {light: 0 for light in LIGHTS}
    for s in summaries:
        for light, n in s.lights.items():
            total[light] += n
    return total


def _plan_title(dataset: Dataset, lang: str, as_of: date) -> str:
    return _("{plan} — as of {date}").format(
        plan=display.one_line(dataset.plan.label(lang)), date=display.iso(as_of)
    )


GAP_COLUMNS = (
    "sector",
    "id",
    "name",
    "unit",
    "latest",
    "latest_period",
    "target",
    "target_period",
    "gap",
    "gap_pct",
    "required_per_year",
    "overdue",
    "trend_per_year",
    "projected_completion",
    "status",
    "light",
)


def gap_records(results: Sequence[Assessment], lang: str) -> list[dict[str, Any]]:
    rows = []
    for a in results:
        m, latest = a.milestone, a.judged  # the figure the attainment and gap are about
        assert m is not None and latest is not None
        rows.append(
            {
                "sector": a.kpi.sector,
                "id": a.kpi.id,
                "name": a.kpi.label(lang),
                "unit": a.kpi.unit,
                "latest": latest.value,
                "latest_period": latest.period.text,
                "target": m.value,
                "target_period": m.period.text,
                "gap": _c(a.gap),
                "gap_pct": _c(a.relative_gap),
                "required_per_year": _c(a.required_per_year),
                "overdue": a.overdue,
                "trend_per_year": _c(a.trend_per_year),
                "projected_completion": a.projected_completion.isoformat()
                if a.projected_completion
                else None,
                "status": a.status,
                "light": a.light,
            }
        )
    return rows
