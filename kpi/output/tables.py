"""Reports as rows: one column spec per report that gives CSV records and Markdown rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import IO, Any, NamedTuple

from kpi import display
from kpi.assess import Assessment, SectorSummary
from kpi.i18n import N_, _
from kpi.model import Actual, Dataset
from kpi.output.jsonview import _c
from kpi.output.words import LIGHT_EMOJI, _status_text, latest_text, status_word, target_text
from kpi.statuses import LIGHTS


class Column(NamedTuple):
    """One column of a report: its CSV fields (the values, exact, for programs) and its Markdown
    cell (the text people read). A column with no title is CSV only."""

    title: str  # the Markdown header's msgid; "" for a CSV-only column
    fields: tuple[tuple[str, Callable[[Assessment, str], Any]], ...]
    text: Callable[[Assessment, str], str] | None = None


def csv_columns(spec: Sequence[Column]) -> tuple[str, ...]:
    return tuple(key for column in spec for key, _value in column.fields)


def csv_records(spec: Sequence[Column], results: Sequence[Assessment], lang: str) -> list[dict[str, Any]]:
    return [{key: value(a, lang) for column in spec for key, value in column.fields} for a in results]


def markdown_rows(
    spec: Sequence[Column], results: Sequence[Assessment], lang: str
) -> tuple[list[str], list[list[str]]]:
    shown = [c for c in spec if c.title and c.text is not None]
    return [_(c.title) for c in shown], [[c.text(a, lang) for c in shown if c.text] for a in results]


def _md(text: str) -> str:
    return display.markdown_text(text)


def _figure_md(value: str, period: str) -> str:
    return f"{_md(value)} ({period})" if period else "–"


def _judged(a: Assessment) -> Actual | None:
    return a.judged  # the figure the attainment and gap are about


STATUS_SPEC: tuple[Column, ...] = (
    Column("", (("sector", lambda a, lang: a.kpi.sector),)),
    Column(N_("KPI"), (("id", lambda a, lang: a.kpi.id),), lambda a, lang: _md(a.kpi.id)),
    Column(
        N_("Name"), (("name", lambda a, lang: a.kpi.label(lang)),), lambda a, lang: _md(a.kpi.label(lang))
    ),
    Column(N_("Unit"), (("unit", lambda a, lang: a.kpi.unit),), lambda a, lang: _md(a.kpi.unit_label(lang))),
    Column(
        N_("Latest"),
        (
            ("latest", lambda a, lang: None if (j := _judged(a)) is None else j.value),
            ("latest_period", lambda a, lang: None if (j := _judged(a)) is None else j.period.text),
            ("estimated", lambda a, lang: None if (j := _judged(a)) is None else j.estimated),
        ),
        lambda a, lang: _figure_md(*latest_text(a)),
    ),
    Column(
        N_("Target"),
        (
            ("target", lambda a, lang: None if a.milestone is None else a.milestone.value),
            ("stretch", lambda a, lang: None if a.milestone is None else a.milestone.stretch),
            ("target_period", lambda a, lang: None if a.milestone is None else a.milestone.period.text),
        ),
        lambda a, lang: _figure_md(*target_text(a.milestone, a.kpi.unit)),
    ),
    Column(
        N_("Attainment"),
        (("attainment", lambda a, lang: _c(a.attainment)),),
        lambda a, lang: display.percent(a.attainment),
    ),
    Column(
        N_("Gap"),
        (("gap", lambda a, lang: _c(a.gap)),),
        lambda a, lang: _md(display.value(a.gap, a.kpi.unit)),
    ),
    Column(
        N_("Projected"),
        (("projected", lambda a, lang: _c(a.projected)),),
        lambda a, lang: _md(display.value(a.projected, a.kpi.unit)),
    ),
    Column("", (("method", lambda a, lang: a.method), ("ratio", lambda a, lang: _c(a.ratio)))),
    Column(
        N_("Status"),
        (
            ("status", lambda a, lang: a.status),
            ("light", lambda a, lang: a.light),
            ("stale", lambda a, lang: a.stale),
            ("missed_milestones", lambda a, lang: " ".join(v.target.period.text for v in a.missed_before)),
        ),
        lambda a, lang: f"{LIGHT_EMOJI[a.light]} {_md(_status_text(a).replace(chr(10), ' · ')[2:])}",
    ),
)
STATUS_COLUMNS = csv_columns(STATUS_SPEC)


def status_records(results: Sequence[Assessment], lang: str) -> list[dict[str, Any]]:
    return csv_records(STATUS_SPEC, results, lang)


def _csv(records: list[dict[str, Any]], columns: Sequence[str], out: IO[str]) -> None:
    from kpi.output import csvout

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


def gap_texts(a: Assessment) -> tuple[str, str]:
    """The yearly change still needed and the current trend, as people read them: "overdue" or
    "missed" once the milestone has passed, a monthly pace for a flow still being earned."""
    unit = a.kpi.unit
    needed = (
        _("missed")
        if a.status == "missed"
        else _("overdue")
        if a.overdue
        else display.signed(a.required_per_year, unit)
    )
    trend = display.signed(a.trend_per_year, unit)
    if a.flow is not None and a.status not in ("missed", "awaiting_final", "achieved"):
        # A flow still to be earned this year: the monthly pace needed against the pace so far.
        per_month = _("/mo")
        needed = display.signed(a.flow.needed_per_month, unit) + per_month
        trend = display.signed(a.flow.so_far_per_month, unit) + per_month
    if a.gap is not None and a.gap <= 0:
        needed = _("met")
    return needed, trend


GAP_SPEC: tuple[Column, ...] = (
    Column("", (("sector", lambda a, lang: a.kpi.sector),)),
    Column(N_("KPI"), (("id", lambda a, lang: a.kpi.id),), lambda a, lang: _md(a.kpi.id)),
    Column(
        N_("Name"), (("name", lambda a, lang: a.kpi.label(lang)),), lambda a, lang: _md(a.kpi.label(lang))
    ),
    Column("", (("unit", lambda a, lang: a.kpi.unit),)),
    Column(
        N_("Latest"),
        (
            ("latest", lambda a, lang: None if (j := _judged(a)) is None else j.value),
            ("latest_period", lambda a, lang: None if (j := _judged(a)) is None else j.period.text),
        ),
        lambda a, lang: _figure_md(*latest_text(a)),
    ),
    Column(
        N_("Target"),
        (
            ("target", lambda a, lang: None if a.milestone is None else a.milestone.value),
            ("target_period", lambda a, lang: None if a.milestone is None else a.milestone.period.text),
        ),
        lambda a, lang: _figure_md(*target_text(a.milestone, a.kpi.unit)),
    ),
    Column(
        N_("Gap"),
        (("gap", lambda a, lang: _c(a.gap)),),
        lambda a, lang: _md(display.value(a.gap, a.kpi.unit)),
    ),
    Column(
        N_("Gap %"),
        (("gap_pct", lambda a, lang: _c(a.relative_gap)),),
        lambda a, lang: display.percent(a.relative_gap),
    ),
    Column(
        N_("Needed/yr"),
        (
            ("required_per_year", lambda a, lang: _c(a.required_per_year)),
            ("overdue", lambda a, lang: a.overdue),
        ),
        lambda a, lang: _md(gap_texts(a)[0]),
    ),
    Column(
        N_("Trend/yr"),
        (("trend_per_year", lambda a, lang: _c(a.trend_per_year)),),
        lambda a, lang: _md(gap_texts(a)[1]),
    ),
    Column(
        N_("Reached"),
        (
            (
                "projected_completion",
                lambda a, lang: a.projected_completion.isoformat() if a.projected_completion else None,
            ),
        ),
        lambda a, lang: display.iso(a.projected_completion),
    ),
    Column(
        N_("Status"),
        (("status", lambda a, lang: a.status), ("light", lambda a, lang: a.light)),
        lambda a, lang: f"{LIGHT_EMOJI[a.light]} {status_word(a.status)}",
    ),
)
GAP_COLUMNS = csv_columns(GAP_SPEC)


def gap_records(results: Sequence[Assessment], lang: str) -> list[dict[str, Any]]:
    return csv_records(GAP_SPEC, results, lang)
