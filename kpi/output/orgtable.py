"""kpi status --by org: one KPI across units (--kpi), or every unit's lights, as a Rich table,
JSON, CSV or Markdown. Machine formats never import Rich."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import IO, Any, NamedTuple

from kpi import display
from kpi.i18n import _, set_language
from kpi.model import Dataset, Kpi
from kpi.orgview import UnitRow, UnitSummary
from kpi.output.jsonview import _c, _dump_json
from kpi.output.tables import _csv, markdown_table
from kpi.output.words import LIGHT_SYMBOL, status_word
from kpi.statuses import LIGHT_WORDS, LIGHTS

KPI_COLUMNS = (
    "kpi", "org", "org_name", "period", "value", "basis", "coverage_have", "coverage_expected", "partial",
    "derived_from", "target_period", "target", "target_basis", "attainment", "status", "light",
)  # fmt: skip
SUMMARY_COLUMNS = ("org", "org_name", "green", "amber", "red", "grey", "reported", "kpis")


class OrgView(NamedTuple):
    dataset: Dataset
    kpi: Kpi | None  # --kpi: that KPI's rows; else every unit's lights
    rows: Sequence[UnitRow]
    summaries: Sequence[UnitSummary]
    lang: str
    as_of: date


def kpi_record(row: UnitRow) -> dict[str, Any]:
    """A unit's row as JSON holds it: the value whatever its basis, with its coverage."""
    v = row.value
    return {
        "kpi": row.kpi,
        "org": row.org,
        "org_name": row.org_name,
        "period": v.period.text if v else None,
        "value": _c(v.value) if v else None,
        "basis": v.basis if v else None,
        "coverage": {"have": v.have, "expected": v.expected} if v else None,
        "partial": (not row.graded) if v else None,
        "derived_from": list(v.derived_from) if v else [],
        "target": {"period": row.target.period.text, "value": row.target.value} if row.target else None,
        "target_basis": row.target_basis,
        "attainment": _c(row.attainment),
        "status": row.status,
        "light": row.light,
        "allocation": _c(row.allocation),
    }


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    coverage, target = record["coverage"] or {}, record["target"] or {}
    return {
        **{k: record[k] for k in ("kpi", "org", "org_name", "period", "value", "basis", "partial")},
        "coverage_have": coverage.get("have"),
        "coverage_expected": coverage.get("expected"),
        "derived_from": ";".join(record["derived_from"]),
        "target_period": target.get("period"),
        "target": target.get("value"),
        **{k: record[k] for k in ("target_basis", "attainment", "status", "light")},
    }


def summary_record(s: UnitSummary) -> dict[str, Any]:
    return {"org": s.org, "org_name": s.org_name, **s.lights, "reported": s.reported, "kpis": s.kpis}


def value_text(row: UnitRow, kpi: Kpi) -> str:
    """The value as a person reads it: a partial sum of figures that cannot be negative is a
    lower bound ("≥ 1.234 (31/34)")."""
    v = row.value
    if v is None:
        return "–"
    text = display.value(v.value, kpi.unit)
    if v.basis != "reported" and v.have < v.expected:
        lower = kpi.aggregate.rule == "sum" and v.value >= 0 and kpi.min is not None and kpi.min >= 0
        text = f"{'≥ ' if lower else ''}{text} ({v.have}/{v.expected})"
    return text


def basis_word(row: UnitRow) -> str:
    v = row.value
    if v is None:
        return ""
    words = {"reported": _("reported"), "computed": _("computed"), "derived": _("derived")}
    text = words[v.basis]
    if v.basis == "derived":
        text += " (Σ " + " + ".join(v.derived_from) + ")"
    return text


def target_word(row: UnitRow, unit: str) -> str:
    if row.target is None:
        return "–"
    text = display.value(row.target.value, unit)
    labels = {
        "own": "",
        "national": "",
        "inherited": " " + _("(the plan's)"),
        "sum_children": " " + _("(sum of units)"),
    }
    return text + labels.get(row.target_basis or "", "")


def allocation_line(v: OrgView) -> str | None:
    """Under the rows: the units' targets as a share of the plan's, never added to it."""
    share = next((r.allocation for r in v.rows if r.allocation is not None), None)
    if share is None:
        return None
    return _("The units' targets add up to {share} of the plan's target.").format(
        share=display.percent(share)
    )


def _json(v: OrgView, out: IO[str]) -> None:
    if v.kpi is not None:
        _dump_json(
            {"as_of": v.as_of.isoformat(), "kpi": v.kpi.id, "rows": [kpi_record(r) for r in v.rows]}, out
        )
    else:
        _dump_json({"as_of": v.as_of.isoformat(), "orgs": [summary_record(s) for s in v.summaries]}, out)


def _csv_out(v: OrgView, out: IO[str]) -> None:
    if v.kpi is not None:
        _csv([_flat(kpi_record(r)) for r in v.rows], KPI_COLUMNS, out)
    else:
        _csv([summary_record(s) for s in v.summaries], SUMMARY_COLUMNS, out)


def _texts(v: OrgView) -> tuple[list[str], list[list[str]]]:
    if v.kpi is not None:
        unit = v.kpi.unit
        header = [_("Unit"), _("Period"), _("Value"), _("Basis"), _("Target"), _("Att."), _("Status")]
        rows = [
            [
                r.org_name,
                r.value.period.text if r.value else "–",
                value_text(r, v.kpi),
                basis_word(r),
                target_word(r, unit),
                display.percent(r.attainment),
                f"{LIGHT_SYMBOL[r.light]} {status_word(r.status)}",
            ]
            for r in v.rows
        ]
        return header, rows
    header = [_("Unit"), *(f"{LIGHT_SYMBOL[x]} {_(LIGHT_WORDS[x])}" for x in LIGHTS), _("Reported")]
    rows = [
        [s.org_name, *(str(s.lights[k]) for k in ("green", "amber", "red", "grey")), f"{s.reported}/{s.kpis}"]
        for s in v.summaries
    ]
    return header, rows


def _markdown(v: OrgView, out: IO[str]) -> None:
    header, rows = _texts(v)
    md = display.markdown_text
    markdown_table([md(h) for h in header], ([md(c) for c in row] for row in rows), out)
    line = allocation_line(v)
    if line is not None:
        out.write("\n" + md(line) + "\n")


def _terminal(v: OrgView, out: IO[str]) -> None:
    from rich.table import Table

    from kpi.output.console import _text, make_console

    console = make_console(out)
    header, rows = _texts(v)
    title = _("{plan} — as of {date}").format(
        plan=display.one_line(v.kpi.label(v.lang) if v.kpi is not None else v.dataset.plan.label(v.lang)),
        date=display.iso(v.as_of),
    )
    if v.kpi is not None and console.width < NARROW:
        _blocks(console, title, rows, allocation_line(v))
        return
    if v.kpi is not None:  # the basis under the unit's name, as the status table puts the id
        header = [header[0], *header[1:3], *header[4:]]
        rows = [
            [f"{r[0]}\n{r[3]}" if r[3] else r[0], *r[1:3], r[4].replace(" (", "\n(", 1), *r[5:]] for r in rows
        ]
    if v.kpi is None and console.width < 80:  # the lights' words once, above; symbols head them
        legend = "  ".join(header[1:5])
        header = [header[0], *(h.split(" ", 1)[0] for h in header[1:5]), *header[5:]]
        title = f"{title}\n{legend}"
    # Data as text, never markup: a name such as "[bold]x[/]" prints as written.
    caption = allocation_line(v)
    table = Table(title=_text(title), header_style="bold", caption=_text(caption) if caption else None)
    numbers = {2, 3, 4} if v.kpi is not None else set(range(1, len(header)))
    for n, name in enumerate(header):
        # The unit's name (and basis) folds; figures, periods and the status are never cut.
        table.add_column(name, justify="right" if n in numbers else "left", overflow="fold", no_wrap=n > 0)
    for n, row in enumerate(rows):
        if v.kpi is not None and n == len(rows) - 1:
            table.add_section()  # the plan's own row, after the units'
        table.add_row(*(_text(cell) for cell in row))
    console.print(table)


NARROW = 72  # below this, one KPI across units is a block per unit, as the status table does


def _blocks(console: Any, title: str, rows: list[list[str]], caption: str | None) -> None:
    """A narrow terminal: each unit's name and basis, then its figures on one line."""
    from kpi.output.console import _text

    console.print(_text(title, "bold"))
    for unit, period, value, basis, target, attainment, status in rows:
        console.print(_text(unit + (f" — {basis}" if basis else ""), "bold"))
        console.print(_text(f"  {period} · {value} → {target} · {attainment}"))
        console.print(_text(f"  {status}"))
    if caption:
        console.print(_text(caption, "dim"))


ORG_FORMATS: dict[str, Callable[[OrgView, IO[str]], None]] = {
    "json": _json,
    "csv": _csv_out,
    "markdown": _markdown,
    "table": _terminal,
}


def render_orgs(view: OrgView, fmt: str, out: IO[str]) -> None:
    set_language(view.lang)
    ORG_FORMATS[fmt](view, out)


ORG_LIST_COLUMNS = ("id", "name", "name_en", "parent", "valid_from", "valid_until", "code", "former_names")


def org_records(dataset: Dataset) -> list[dict[str, Any]]:
    return [
        {
            "id": u.id,
            "name": u.name,
            "name_en": u.name_en,
            "parent": u.parent,
            "valid_from": u.valid_from.isoformat() if u.valid_from else None,
            "valid_until": u.valid_until.isoformat() if u.valid_until else None,
            "code": u.code,
            "former_names": [{"until": until.isoformat(), "name": name} for until, name in u.former_names],
        }
        for u in dataset.orgs.units.values()
    ]


def render_org_list(dataset: Dataset, fmt: str, lang: str, out: IO[str]) -> None:
    """kpi list --orgs: every unit, with its parent and the days it is valid."""
    set_language(lang)
    records = org_records(dataset)
    if fmt == "json":
        merges = [
            {"date": m.day.isoformat(), "from": list(m.sources), "into": m.into, "source": m.source}
            for m in dataset.orgs.merges
        ]
        _dump_json({"root": dataset.orgs.root or None, "orgs": records, "merges": merges}, out)
        return
    if fmt == "csv":
        flat = [
            {**r, "former_names": ";".join(f"{n['name']} (→{n['until']})" for n in r["former_names"])}
            for r in records
        ]
        _csv(flat, ORG_LIST_COLUMNS, out)
        return
    header = [_("Id"), _("Name"), _("Parent"), _("Valid from"), _("Valid until"), _("Code")]
    day = display.iso  # dates in the language's notation, for a person
    rows = [
        [
            u.id,
            u.name + "".join(f" ({name} → {day(until)})" for until, name in u.former_names),
            u.parent or "",
            day(u.valid_from) if u.valid_from else "",
            day(u.valid_until) if u.valid_until else "",
            u.code or "",
        ]
        for u in dataset.orgs.units.values()
    ]
    if not rows:
        out.write(_("The plan declares no organisations ([[org]]).") + "\n")
        return
    if fmt == "markdown":
        md = display.markdown_text
        markdown_table(header, ([md(c) for c in row] for row in rows), out)
        return
    from rich.table import Table

    from kpi.output.console import _text, make_console

    console = make_console(out)
    from rich.cells import cell_len

    # A column no unit fills (codes, often) is left out; ids, dates and codes are never cut,
    # the name wraps between its words. Where they cannot all fit, a unit a block.
    shown = [n for n in range(len(header)) if n == 1 or any(row[n] for row in rows)]
    widest = [max([cell_len(header[n]), *(cell_len(row[n]) for row in rows)]) for n in range(len(header))]
    needed = sum(max(widest[n], 4) for n in shown if n != 1) + 10 + 3 * len(shown)  # padding, edges
    if needed > console.width:
        from rich.padding import Padding

        for row in rows:
            line = _text(row[0], "bold")
            line.append("  " + display.printable(row[1]))
            console.print(line)
            facts = [f"{header[n]}: {row[n]}" for n in (2, 3, 4, 5) if row[n]]
            if facts:
                console.print(Padding(_text(" · ".join(facts), "dim"), (0, 0, 0, 2)))
        return
    from rich import box

    table = Table(header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    for n in shown:
        least = 10 if n == 1 else widest[n]
        table.add_column(header[n], overflow="fold", min_width=least, ratio=1 if n == 1 else None)
    for row in rows:
        table.add_row(*(_text(row[n]) for n in shown))
    console.print(table)
