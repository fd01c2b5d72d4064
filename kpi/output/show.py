"""kpi show: one KPI in full, as a table with its chart, as Markdown, or as JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from kpi import display
from kpi.assess import Assessment
from kpi.briefing import figure_rows
from kpi.i18n import _, set_language, spoken, tr
from kpi.model import Dataset
from kpi.output.console import (
    _print_chart,
    _text,
    _widest,
    make_console,
)
from kpi.output.jsonview import (
    _dump_json,
    show_json,
)
from kpi.output.tables import (
    markdown_table,
)
from kpi.output.words import (
    ESTIMATE_MARK,
    LIGHT_STYLE,
    METHOD_LABEL,
    PROJECTION_BASIS,
    _measure_text,
    _status_text,
    latest_text,
    status_word,
    target_text,
)
from kpi.statuses import STATUS_WORDS


def render_show(dataset: Dataset, a: Assessment, fmt: str, lang: str, out: IO[str]) -> None:
    set_language(lang)
    SHOW_FORMATS[fmt](dataset, a, lang, out)


def _show_json(dataset: Dataset, a: Assessment, lang: str, out: IO[str]) -> None:
    _dump_json({"as_of": a.as_of.isoformat(), **show_json(dataset, a, lang)}, out)


def _facts(dataset: Dataset, a: Assessment, lang: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The KPI's definition and its numbers, as (label, text) pairs for people."""
    k = a.kpi
    unit = k.unit
    facts = [
        (_("Sector"), dataset.sectors[k.sector].label(lang) if k.sector in dataset.sectors else k.sector),
        (_("Name"), k.name),
        (_("English"), k.name_en or "–"),
        (_("Unit"), k.unit_label(lang)),
        (_("Direction"), _("up (higher is better)") if k.direction == "up" else _("down (lower is better)")),
        (_("Trend"), _(k.trend)),
    ]
    if k.min is not None or k.max is not None:
        facts.append((_("Bounds"), f"{display.value(k.min, unit)} … {display.value(k.max, unit)}"))
    if k.note:
        facts.append((_("Note"), k.note))
    m = a.milestone
    numbers = [
        (_("As of"), display.iso(a.as_of)),
        (
            _("Milestone"),
            _("{value} in {period}").format(value=target_text(m, unit)[0], period=m.period) if m else "–",
        ),
        (_("Latest"), " ".join(latest_text(a)).strip()),
        (_("Attainment"), display.percent(a.attainment)),
        (_("Gap"), display.value(a.gap, unit)),
    ]
    if a.flow is None:
        numbers += _level_facts(a, unit)
    numbers += [
        *_flow_facts(a, unit),
        (_("Projected at milestone"), display.value(a.projected, unit)),
        *([] if a.flow is not None else [(_("Projected completion"), display.iso(a.projected_completion))]),
        (
            _("Method"),
            _("year to date against the period's target (a flow)")
            if a.flow is not None
            else _(METHOD_LABEL[a.method]) + (" — " + _("no target: trend only") if a.trend_only else ""),
        ),
        (
            _("Projected / target")
            if a.flow is not None
            else _("Score")
            if a.method != "cagr" and not a.trend_only
            else _("Ratio (observed / required growth)")
            if not a.trend_only
            else _("Growth in the desired direction"),
            _measure_text(a),
        ),
        (_("Status"), _status_text(a)),
    ]
    later = ", " + _("later")
    for verdict in a.verdicts:
        f = verdict.figure
        figure = (
            _("no figure yet")
            if f is None
            else f"{display.value(f.value, unit)} ({f.period}{later if verdict.later else ''})"
        )
        numbers.append(
            (
                _("Milestone {period}").format(period=verdict.target.period),
                f"{target_text(verdict.target, unit)[0]}: {figure} → {status_word(verdict.status)}",
            )
        )
    return facts, numbers


def _show_markdown(dataset: Dataset, a: Assessment, lang: str, out: IO[str]) -> None:
    facts, numbers = _facts(dataset, a, lang)
    rows = figure_rows(dataset, a)
    k = a.kpi
    unit = k.unit
    md = display.markdown_text
    out.write(f"## {md(k.id)} — {md(k.label(lang))}\n\n")
    markdown_table(["", ""], ([label, md(v)] for label, v in facts + numbers), out)
    out.write("\n### " + _("Targets") + "\n\n")
    markdown_table(
        [_("Period"), _("Value"), _("Source"), _("Quote")],
        (
            [
                t.period.text,
                md(target_text(t, unit)[0]),
                md(t.source or k.source or "–"),
                md(t.quote or k.quote or "–"),
            ]
            for t in k.targets
        ),
        out,
    )
    out.write("\n### " + _("Actuals") + "\n\n")
    markdown_table(
        [_("Period"), _("Value"), _("Published"), _("Source"), _("Quote")],
        (
            [
                x.period.text,
                (ESTIMATE_MARK if x.estimated else "") + md(display.value(x.value, unit)),
                display.iso(x.published),
                md(x.source),
                md(x.quote or "–"),
            ]
            for x, _known, _revises in rows
        ),
        out,
    )
    out.write("\n### " + _("Rules") + "\n\n" + "".join(f"- {md(_rule(r))}\n" for r in a.reasons))


def _show_terminal(dataset: Dataset, a: Assessment, lang: str, out: IO[str]) -> None:
    facts, numbers = _facts(dataset, a, lang)
    rows = figure_rows(dataset, a)
    k = a.kpi
    unit = k.unit
    from rich.table import Table

    console = make_console(out)
    heading = _text(k.label(lang), "bold")
    heading.append(f"  {display.printable(k.id)}", style="dim")
    console.print(heading)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, v in facts:
        grid.add_row(label, _text(v))
    console.print(grid)
    _print_chart(console, a)

    from rich import box

    derived = _("derived: ")
    # Numbers are never folded: their column is as wide as the widest; the quotes wrap.
    narrow = console.width < 70
    console.print(_text("\n" + _("Targets"), "bold underline"))
    targets = Table(header_style="bold", box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD)
    points = ([("baseline", k.baseline)] if k.baseline else []) + [(t.period.text, t) for t in k.targets]
    targets.add_column(_("Period"), no_wrap=True)
    targets.add_column(
        _("Value"),
        justify="right",
        no_wrap=True,
        min_width=_widest(target_text(t, unit)[0] for _p, t in points),
    )
    targets.add_column(_("Source / quote"), overflow="fold", ratio=1)
    for label, t in points:
        source, quote = t.source or k.source, t.quote or k.quote
        provenance = _text(source or "–")
        if quote:
            provenance.append(f"\n“{display.excerpt(quote)}”")
        if t.derived or t.note:
            provenance.append(
                "\n" + (derived if t.derived else "") + display.excerpt(tr(t.note or "")), style="dim"
            )
        targets.add_row(
            label if label != "baseline" else _("{period} (baseline)").format(period=t.period),
            _text(target_text(t, unit)[0]),
            provenance,
        )
    if points:
        console.print(targets)
    else:
        console.print(_text(_("none: a tracked indicator"), "dim"))

    console.print(_text("\n" + _("Actuals"), "bold underline"))
    if rows:
        actuals = Table(header_style="bold", box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD)
        values = [
            (ESTIMATE_MARK if row.figure.estimated else "") + display.value(row.figure.value, unit)
            for row in rows
        ]
        actuals.add_column(_("Period") + ("\n" + _("Published") if narrow else ""), no_wrap=True)
        actuals.add_column(_("Value"), justify="right", no_wrap=True, min_width=_widest(values))
        if not narrow:
            actuals.add_column(_("Published"), no_wrap=True)
        actuals.add_column(_("Source / quote"), overflow="fold", ratio=1)
        for x, known, revises in rows:
            mark = ESTIMATE_MARK if x.estimated else ""
            provenance = _text(x.source)
            if x.quote:
                provenance.append(f"\n“{display.excerpt(x.quote)}”")
            if x.derived or x.note:
                provenance.append(
                    "\n" + (derived if x.derived else "") + display.excerpt(tr(x.note or "")),
                    style="dim",
                )
            published = display.iso(x.published) if x.published else "–"
            if revises is not None:
                published += "\n" + _("revises {value}").format(value=display.value(revises, unit))
            if not known:
                published += "\n" + _("(not counted at as-of)")
            value = _text(mark + display.value(x.value, unit))
            if narrow:
                actuals.add_row(_text(f"{x.period.text}\n{published}"), value, provenance)
            else:
                actuals.add_row(x.period.text, value, _text(published), provenance)
        console.print(actuals)
        if any(row.figure.estimated for row in rows):
            console.print(_text(_("{mark} marks an estimate.").format(mark=ESTIMATE_MARK), "dim"))
    else:
        console.print(_text(_("none yet"), "dim"))

    console.print(_text("\n" + _("Assessment"), "bold underline"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, v in numbers:
        grid.add_row(label, _text(v, LIGHT_STYLE[a.light] if label == _("Status") else ""))
    console.print(grid)
    console.print(_text("\n" + _("Status rules, in order"), "bold underline"))
    from rich.padding import Padding

    for reason in a.reasons:  # a long rule wraps under itself, not under the heading
        console.print(Padding(_text(_rule(reason)), (0, 0, 0, 2)))


def _rule(reason: str) -> str:
    """A status rule's line for a person: the status it decides said as a word ("on track:"),
    as the Vietnamese catalog says it; JSON keeps the id (on_track:)."""
    text = spoken(reason)
    head, colon, rest = text.partition(": ")
    return f"{STATUS_WORDS[head]}: {rest}" if colon and head in STATUS_WORDS else text


# The formats of kpi show, one writer each: Rich is loaded only by the table's.
SHOW_FORMATS: dict[str, Callable[[Dataset, Assessment, str, IO[str]], None]] = {
    "json": _show_json,
    "markdown": _show_markdown,
    "table": _show_terminal,
}


def _level_facts(a: Assessment, unit: str) -> list[tuple[str, str]]:
    """kpi show's lines for a level's trend toward its milestone."""
    if a.slope is not None:
        trend = _("{change} per year (least squares over {n} points)").format(
            change=display.signed(a.slope, unit), n=len(a.points)
        )
    elif a.rate is not None:
        trend = _("{rate}% per year (compound)").format(rate=display.localize(f"{a.rate * 100:+.2f}"))
    else:
        trend = "–"
    return [
        (_("Progress"), display.percent(a.progress)),
        (_("Expected (plan path)"), display.value(a.expected, unit)),
        (_("Trend"), trend),
        (_("Needed per year"), display.signed(a.required_per_year, unit) if a.required_per_year else "–"),
    ]


def _flow_facts(a: Assessment, unit: str) -> list[tuple[str, str]]:
    """kpi show's lines for a flow's year to date, and any KPI's change on a year before."""
    facts = []
    f = a.flow
    if f is not None:
        spans = ", ".join(x.period.text for x in f.ytd.figures)
        facts += [
            (
                _("Year to date"),
                _("{total} ({spans})").format(total=display.value(f.ytd.total, unit), spans=spans),
            ),
            (_("Share of the period elapsed"), display.percent(f.ytd.elapsed_share)),
            (
                _("Pace (attainment / share elapsed)"),
                "–" if f.pace is None else display.localize(f"{f.pace:.2f}"),
            ),
            (
                _("Projected total"),
                "–"
                if f.projection is None
                else f"{display.value(f.projection.value, unit)} ({_(PROJECTION_BASIS[f.projection.basis])})",
            ),
            (_("Needed per month"), display.signed(f.needed_per_month, unit)),
            (_("So far per month"), display.signed(f.so_far_per_month, unit)),
        ]
    if a.yoy is not None:
        facts.append((_("Change on a year before"), display.localize(f"{a.yoy * 100:+.1f}") + "%"))
    return facts
