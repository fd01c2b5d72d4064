"""The JSON contract: every JSON document kpi prints is built here, and only here, from the
assessment. It carries SCHEMA_VERSION so that programs can rely on its shape."""

from __future__ import annotations

import math
from typing import IO, TYPE_CHECKING, Any

from kpi.assess import Assessment, SectorSummary, Verdict, revisions
from kpi.model import Dataset, Kpi, Target

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date

    from kpi.assess import ReviewRow
    from kpi.diff import Diff
    from kpi.model import Actual

    pass


def _target_json(t: Target | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {
        "period": t.period.text,
        "date": t.date.isoformat(),
        "value": t.value,
        "stretch": t.stretch,
        "derived": t.derived,
    }


def kpi_json(a: Assessment, lang: str) -> dict[str, Any]:
    """One KPI's assessment in the documented, stable JSON shape."""
    k, latest = a.kpi, a.latest
    return {
        "id": k.id,
        "sector": k.sector,
        "name": k.label(lang),
        "unit": k.unit,
        "unit_en": k.unit_en,
        "direction": k.direction,
        "trend": k.trend,
        "milestone": _target_json(a.milestone),
        "latest": None
        if latest is None
        else {
            "period": latest.period.text,
            "date": latest.date.isoformat(),
            "value": latest.value,
            "estimated": latest.estimated,
            "source": latest.source,
        },
        "points": len(a.points),
        "attainment": _c(a.attainment),
        "gap": _c(a.gap),
        "progress": _c(a.progress),
        "expected": _c(a.expected),
        "projected": _c(a.projected),
        "projected_completion": a.projected_completion.isoformat() if a.projected_completion else None,
        "score": _c(a.score),
        "method": a.method,
        "ratio": _c(a.ratio),
        "status": a.status,
        "light": a.light,
        "trend_only": a.trend_only,
        "stale": a.stale,
        "no_target_for": a.wanted_milestone,
        "milestones_passed": [_verdict_json(v) for v in a.verdicts],
        "missed_milestones": [v.target.period.text for v in a.missed_before],
        "measure": k.measure,
        "yoy": _c(a.yoy),
        **_flow_json(a),
    }


def _flow_json(a: Assessment) -> dict[str, Any]:
    """A flow's year to date: the total, the share of the period it covers, the pace."""
    f = a.flow
    if f is None:
        return dict.fromkeys(
            ("ytd", "elapsed_share", "pace", "projection_basis", "needed_per_month", "so_far_per_month")
        )
    return {
        "ytd": {
            "total": _c(f.ytd.total),
            "through": f.ytd.through.isoformat(),
            "periods": [x.period.text for x in f.ytd.figures],
            "complete": f.ytd.complete,
        },
        "elapsed_share": _c(f.ytd.elapsed_share),
        "pace": _c(f.pace),
        "projection_basis": f.projection.basis if f.projection else None,
        "needed_per_month": _c(f.needed_per_month),
        "so_far_per_month": _c(f.so_far_per_month),
    }


def _c(x: float | None) -> float | None:
    """A computed number at 12 significant digits: 1.0275, not 1.0274999999999999 (stated values
    are written exactly as stated)."""
    return x if x is None or not math.isfinite(x) else float(f"{x:.12g}")


def _verdict_json(v: Verdict) -> dict[str, Any]:
    f = v.figure
    return {
        "period": v.target.period.text,
        "date": v.target.date.isoformat(),
        "value": v.target.value,
        "verdict": v.status,
        "figure": None if f is None else {"period": f.period.text, "value": f.value, "later": v.later},
        "gap": _c(v.gap),
    }


def _plan_json(dataset: Dataset) -> dict[str, Any]:
    p = dataset.plan
    return {"name": p.name, "name_en": p.name_en, "period": p.period}


def _sector_json(s: SectorSummary) -> dict[str, Any]:
    return {"id": s.id, "name": s.name, "kpis": s.total, "lights": s.lights, "statuses": s.statuses}


# The shape of the JSON documents (status, gap, show, list, diff, review): raised when a key is
# removed or changes meaning; a key added keeps it. Programs can check it before reading.
SCHEMA_VERSION = 1


def dump_listing(
    head: dict[str, Any], key: str, items: Iterable[dict[str, Any]], tail: dict[str, Any], out: IO[str]
) -> None:
    """A document with one long array (every KPI): piped, written item by item, the same text
    _dump_json writes but without holding every item and the whole text at once (10^4 KPIs: a
    12 MB document); at a terminal, indented as _dump_json does."""
    from kpi.output import jsonout

    if out.isatty():
        _dump_json({**head, key: list(items), **tail}, out)
        return
    opening = jsonout.dumps({"schema_version": SCHEMA_VERSION, **head})
    out.write(opening[:-1] + (", " if len(opening) > 2 else "") + jsonout.dumps(key) + ": [")
    for n, item in enumerate(items):
        out.write((", " if n else "") + jsonout.dumps(item))
    out.write("]")
    for name, value in tail.items():
        out.write(", " + jsonout.dumps(name) + ": " + jsonout.dumps(value))
    out.write("}\n")


def _dump_json(obj: object, out: IO[str]) -> None:
    """A document with its schema_version first; indented for a person at a terminal, one line
    otherwise (the C encoder)."""
    from kpi.output import jsonout

    if isinstance(obj, dict):
        obj = {"schema_version": SCHEMA_VERSION, **obj}
    out.write(jsonout.dumps(obj, indent=2 if out.isatty() else None))
    out.write("\n")


def show_json(dataset: Dataset, a: Assessment, lang: str) -> dict[str, Any]:
    from kpi.briefing import figure_rows

    k = a.kpi
    rows = figure_rows(dataset, a)
    figures = [row.figure for row in rows]
    entry = kpi_json(a, lang)
    entry.update(
        name_vi=k.name,
        name_en=k.name_en,
        min=k.min,
        max=k.max,
        note=k.note,
        source=k.source,
        quote=k.quote,
        baseline=_point_json(k.baseline, k) if k.baseline else None,
        targets=[_point_json(t, k) for t in k.targets],
        actuals=[
            {
                "period": x.period.text,
                "date": x.date.isoformat(),
                "value": x.value,
                "estimated": x.estimated,
                "derived": x.derived,
                "published": x.published.isoformat() if x.published else None,
                "known": known,
                "source": x.source,
                "quote": x.quote,
                "note": x.note,
                "revises": revises,
            }
            for x, known, revises in rows
        ],
        revisions={
            history[-1].period.text: [
                {
                    "value": x.value,
                    "published": x.published.isoformat() if x.published else None,
                    "estimated": x.estimated,
                    "source": x.source,
                }
                for x in history
            ]
            for history in revisions(figures).values()
            if len(history) > 1
        },
        slope_per_year=a.slope,
        rate_per_year=a.rate,
        required_per_year=a.required_per_year,
        rules=list(a.reasons),
    )
    return entry


def _point_json(t: Target, k: Kpi) -> dict[str, Any]:
    entry = _target_json(t) or {}
    entry.update(
        derived=t.derived,
        source=t.source or k.source,
        quote=t.quote or k.quote,
        note=t.note,
    )
    return entry


def diff_json(diff: Diff, lang: str, title: str) -> dict[str, Any]:
    """kpi diff's document: each change of status, figure and target, and what became due."""

    def status(a: Assessment | None) -> dict[str, Any] | None:
        return None if a is None else {"status": a.status, "light": a.light}

    def figure(a: Actual | None) -> dict[str, Any] | None:
        if a is None:
            return None
        return {
            "value": a.value,
            "published": a.published.isoformat() if a.published else None,
            "estimated": a.estimated,
            "source": a.source,
        }

    def target(t: Target | None) -> dict[str, Any] | None:
        return None if t is None else {"value": t.value, "stretch": t.stretch, "derived": t.derived}

    return {
        "title": title,
        "worse": diff.worse,
        "statuses": [
            {"kpi": c.kpi.id, "name": c.kpi.label(lang), "before": status(c.before), "after": status(c.after),
             "worse": c.worse}
            for c in diff.statuses
        ],
        "figures": [
            {"kpi": f.kpi, "period": f.period, "before": figure(f.before), "after": figure(f.after)}
            for f in diff.figures
        ],
        "targets": [
            {"kpi": t.kpi, "period": t.period, "before": target(t.before), "after": target(t.after)}
            for t in diff.targets
        ],
        "became_due": [{"kpi": k.id, "period": t.period.text, "value": t.value} for k, t in diff.became_due],
        "became_overdue": [k.id for k in diff.overdue],
        "reports_overdue": [
            {"kpi": i.kpi, "org": i.org, "period": i.period.text, "due": i.due.isoformat(), "days": i.days}
            for i in diff.reports_overdue
        ],
        "reports_received": [
            {"kpi": i.kpi, "org": i.org, "period": i.period.text, "state": i.state,
             "received": i.received.isoformat() if i.received else None, "days": i.days}
            for i in diff.reports_received
        ],
        "owners_changed": [{"kpi": k, "before": x, "after": y} for k, x, y in diff.owners_changed],
    }  # fmt: skip


def review_json(dataset: Dataset, rows: Sequence[ReviewRow], lang: str, as_of: date) -> dict[str, Any]:
    """The end-of-term review's document: every target with its verdict, and the counts per sector."""
    from kpi.output.review import counts, records

    sectors = [
        {"id": sid or None, "name": name, "verdicts": c} for sid, name, c in counts(dataset, rows, lang)
    ]
    return {"as_of": as_of.isoformat(), "targets": records(rows, lang), "sectors": sectors}
